//! Every CEL rule in the vendored CRDs is evaluated by our CEL implementation, both ways: each
//! distinct rule has a value it accepts and a value it refuses with the rule's own message.
//! A new Istio release that adds a rule fails `every_rule_is_in_the_table` until the rule is
//! added here, so no rule can go unevaluated unnoticed.

use std::collections::{BTreeMap, BTreeSet};

use connectum_mesh_tests::cel::{CelOutcome, CelRules, rules_in, schema_at};
use connectum_mesh_tests::crds::{CrdSet, GroupVersionKind};
use serde_json::{Value, json};

/// `(rule, a value it accepts, a value it refuses)`.
fn table() -> Vec<(&'static str, Value, Value)> {
    vec![
        (
            "duration(self) >= duration('1ms')",
            json!("1m30s"),
            json!("1.5us"),
        ),
        (
            "self.all(key, !key.contains(\"*\"))",
            json!({"app": "x"}),
            json!({"app*": "x"}),
        ),
        (
            "self.all(key, key.size() != 0)",
            json!({"app": "x"}),
            json!({"": "x"}),
        ),
        (
            "!self.contains(\"*\")",
            json!("order-service"),
            json!("order-*"),
        ),
        ("self.size() == 0", json!(""), json!("other-namespace")),
        (
            "(has(self.selector) ? 1 : 0) + (has(self.targetRef) ? 1 : 0) + (has(self.targetRefs) ? 1 : 0) <= 1",
            json!({"selector": {"matchLabels": {"app": "x"}}}),
            json!({"selector": {"matchLabels": {"app": "x"}}, "targetRefs": [{"kind": "Service", "name": "x"}]}),
        ),
        (
            "(has(self.serviceAccounts) || has(self.notServiceAccounts)) ? (!has(self.principals) &&\n!has(self.notPrincipals) && !has(self.namespaces) && !has(self.notNamespaces)) : true",
            json!({"serviceAccounts": ["connectum/envoy-gateway"]}),
            json!({"serviceAccounts": ["connectum/envoy-gateway"], "namespaces": ["connectum"]}),
        ),
        (
            "has(self.portLevelMtls) ? (((has(self.selector) && has(self.selector.matchLabels)) ? self.selector.matchLabels : {}).size() > 0) : true",
            json!({"selector": {"matchLabels": {"app": "x"}}, "portLevelMtls": {"5000": {"mode": "STRICT"}}}),
            json!({"portLevelMtls": {"5000": {"mode": "STRICT"}}}),
        ),
        (
            "self.all(key, 0 < int(key) && int(key) <= 65535)",
            json!({"5000": {"mode": "STRICT"}}),
            json!({"65536": {"mode": "STRICT"}}),
        ),
        (
            "((has(self.operation) ? self.operation : \"\") == \"UPSERT\") ? (self.value != \"\") : true",
            json!({"operation": "UPSERT", "value": "request.host"}),
            json!({"operation": "UPSERT", "value": ""}),
        ),
        (
            "((has(self.operation) ? self.operation : \"\") == \"REMOVE\") ? !has(self.value) : true",
            json!({"operation": "REMOVE"}),
            json!({"operation": "REMOVE", "value": "x"}),
        ),
        (
            "(has(self.selector) ? 1 : 0) + (has(self.targetRefs) ? 1 : 0) <= 1",
            json!({"targetRefs": [{"kind": "Service", "name": "x"}]}),
            json!({"selector": {}, "targetRefs": []}),
        ),
        (
            "has(self.wasm) != has(self.lua)",
            json!({"lua": {}}),
            json!({}),
        ),
        (
            "isURL(self) ? (url(self).getScheme() in [\"\", \"http\", \"https\", \"file\", \"oci\"]) : (isURL(\"http://\" + self) &&\nurl(\"http://\" + self).getScheme() in [\"\", \"http\", \"https\", \"file\", \"oci\"])",
            json!("oci://ghcr.io/acme/filter:1"),
            json!("ftp://example.com/filter.wasm"),
        ),
        (
            "isURL(self) ? (url(self).getScheme() in [\"\", \"http\", \"https\", \"oci\", \"file\"]) : (isURL(\"http://\" + self) &&\nurl(\"http://\" + self).getScheme() in [\"\", \"http\", \"https\", \"oci\", \"file\"])",
            json!("ghcr.io/acme/filter:1"),
            json!("ftp://example.com/filter.wasm"),
        ),
        (
            "(has(self.valueFrom) ? self.valueFrom : \"\") != \"HOST\" || !has(self.value)",
            json!({"valueFrom": "HOST"}),
            json!({"valueFrom": "HOST", "value": "x"}),
        ),
        (
            "(has(self.workloadSelector) ? 1 : 0) + (has(self.targetRefs) ? 1 : 0) <= 1",
            json!({"workloadSelector": {}}),
            json!({"workloadSelector": {}, "targetRefs": []}),
        ),
        (
            "has(self.context) ? ((self.context == \"WAYPOINT\") ? has(self.waypoint) : !has(self.waypoint)) : !has(self.waypoint)",
            json!({"context": "WAYPOINT", "waypoint": {}}),
            json!({"context": "SIDECAR_INBOUND", "waypoint": {}}),
        ),
        ("0 < self && self <= 65535", json!(5000), json!(0)),
        (
            "(has(self.tlsCertificates) ? 1 : 0) + (has(self.credentialNames) ? 1 : 0) <= 1",
            json!({"credentialNames": ["a"]}),
            json!({"credentialNames": ["a"], "tlsCertificates": []}),
        ),
        (
            "(has(self.credentialName) ? 1 : 0) + (has(self.credentialNames) ? 1 : 0) <= 1",
            json!({"credentialName": "a"}),
            json!({"credentialName": "a", "credentialNames": ["a"]}),
        ),
        (
            "(has(self.credentialNames) ? 1 : 0) + (has(self.tlsCertificates) ? 1 : 0) <= 1",
            json!({"tlsCertificates": []}),
            json!({"credentialNames": ["a"], "tlsCertificates": []}),
        ),
        (
            "(has(self.workloadSelector) ? 1 : 0) + (has(self.endpoints) ? 1 : 0) <= 1",
            json!({"endpoints": []}),
            json!({"workloadSelector": {}, "endpoints": []}),
        ),
        (
            "!((has(self.addresses) ? self.addresses : []).exists(k, k.contains(\"/\")) && !((has(self.resolution) ? self.resolution : \"NONE\") in [\"STATIC\", \"NONE\"]))",
            json!({"addresses": ["10.0.0.0/8"], "resolution": "STATIC"}),
            json!({"addresses": ["10.0.0.0/8"], "resolution": "DNS"}),
        ),
        (
            "((has(self.resolution) ? self.resolution : \"NONE\") == \"NONE\") ? !has(self.endpoints) : true",
            json!({"resolution": "STATIC", "endpoints": []}),
            json!({"endpoints": []}),
        ),
        (
            "((has(self.resolution) ? self.resolution : \"\") == \"DNS_ROUND_ROBIN\") ? ((has(self.endpoints) ? self.endpoints : []).size() <= 1) : true",
            json!({"resolution": "DNS_ROUND_ROBIN", "endpoints": [{}]}),
            json!({"resolution": "DNS_ROUND_ROBIN", "endpoints": [{}, {}]}),
        ),
        (
            "has(self.address) || has(self.network)",
            json!({"network": "n1"}),
            json!({}),
        ),
        (
            "(has(self.address) ? self.address : \"\").startsWith(\"unix://\") ? !has(self.ports) : true",
            json!({"address": "unix:///var/run/a.sock"}),
            json!({"address": "unix:///var/run/a.sock", "ports": {}}),
        ),
        (
            "self.startsWith(\"unix://\") ? (self.substring(7, 8) == \"/\" || self.substring(7, 8) == \"@\") : true",
            json!("unix:///var/run/a.sock"),
            json!("unix://var/run/a.sock"),
        ),
        (
            "self.startsWith(\"unix://\") ? !self.endsWith(\"/\") : true",
            json!("unix:///var/run/a.sock"),
            json!("unix:///var/run/"),
        ),
        (
            "self.all(key, size(key) < 63 && key.matches(\"^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$\"))",
            json!({"grpc-web": 5000}),
            json!({"-grpc": 5000}),
        ),
        ("self != \"*\"", json!("api.example.com"), json!("*")),
        (
            "self.all(l1, self.exists_one(l2, l1.number == l2.number))",
            json!([{"number": 80}, {"number": 443}]),
            json!([{"number": 80}, {"number": 80}]),
        ),
        (
            "self in [\"\", \"HTTP\", \"HTTPS\"]",
            json!("HTTPS"),
            json!("TCP"),
        ),
        (
            "(has(self.jwksUri) ? 1 : 0) + (has(self.jwks_uri) ? 1 : 0) + (has(self.jwks) ? 1 : 0) <= 1",
            json!({"jwksUri": "https://example.com/jwks"}),
            json!({"jwksUri": "https://example.com/jwks", "jwks": "{}"}),
        ),
        (
            "url(self).getScheme() in [\"http\", \"https\"]",
            json!("https://example.com/jwks"),
            json!("ftp://example.com/jwks"),
        ),
    ]
}

/// Every distinct rule in the vendored CRDs, with its message and the schema node it sits on
/// (the first one found, with only this rule kept, so the value is typed as in the CRD: maps
/// stay maps, integers integers).
fn every_rule_in_the_vendored_crds() -> BTreeMap<String, (String, Value)> {
    let mut rules = BTreeMap::new();
    for version in CrdSet::istio().iter() {
        for (location, rule, message) in rules_in(&version.schema) {
            if rules.contains_key(&rule) {
                continue;
            }
            let mut node = schema_at(&version.schema, &location)
                .unwrap_or_else(|| panic!("{}: no schema at {location}", version.gvk))
                .clone();
            strip_rules(&mut node);
            node["x-kubernetes-validations"] = json!([{"rule": rule, "message": message}]);
            rules.insert(rule, (message, node));
        }
    }
    rules
}

fn strip_rules(node: &mut Value) {
    match node {
        Value::Object(map) => {
            map.remove("x-kubernetes-validations");
            map.values_mut().for_each(strip_rules);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_rules),
        _ => {}
    }
}

fn evaluate(schema: &Value, value: &Value) -> Vec<(CelOutcome, String)> {
    let gvk = GroupVersionKind::of(&json!({"apiVersion": "test.istio.io/v1", "kind": "Rule"}))
        .expect("apiVersion and kind");
    CelRules::compile(&gvk, schema)
        .evaluate(value)
        .into_iter()
        .map(|finding| (finding.outcome, finding.message))
        .collect()
}

fn bare_rule(rule: &str) -> Value {
    json!({"x-kubernetes-validations": [{"rule": rule, "message": "message"}]})
}

#[test]
fn every_rule_is_in_the_table() {
    let table: BTreeSet<&str> = table().iter().map(|(rule, _, _)| *rule).collect();
    let missing: Vec<String> = every_rule_in_the_vendored_crds()
        .into_keys()
        .filter(|rule| !table.contains(rule.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a table entry: {missing:#?}"
    );
    assert_eq!(table.len(), 36, "Istio 1.30.3 has 36 distinct rules");
}

#[test]
fn every_rule_evaluates_both_ways_with_its_message() {
    let rules = every_rule_in_the_vendored_crds();
    for (rule, accepted, refused) in table() {
        let (message, schema) = rules
            .get(rule)
            .unwrap_or_else(|| panic!("{rule} is not in the vendored CRDs"));
        assert_eq!(evaluate(schema, &accepted), vec![], "{rule} on {accepted}");
        assert_eq!(
            evaluate(schema, &refused),
            vec![(CelOutcome::Failed, message.clone())],
            "{rule} on {refused}"
        );
    }
}

#[test]
fn a_rule_that_cannot_be_evaluated_fails_as_unevaluated() {
    for (rule, value) in [
        // A function no Kubernetes CEL library has.
        ("self.frobnicate()", json!("x")),
        // A syntax error.
        ("self.size( ==", json!("x")),
        // Not a boolean.
        ("self.size()", json!("x")),
        // Go's time.ParseDuration refuses it (the `cel` crate alone would read 30s).
        ("duration(self) >= duration('1ms')", json!("30sec")),
        // A key that is not there.
        ("self.value != ''", json!({})),
    ] {
        let findings = evaluate(&bare_rule(rule), &value);
        assert_eq!(findings.len(), 1, "{rule}: {findings:?}");
        assert_eq!(
            findings[0].0,
            CelOutcome::Unevaluated,
            "{rule}: {findings:?}"
        );
    }
}
