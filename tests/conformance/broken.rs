//! Every check can fail: broken variants of the reference manifests are refused by the same
//! validator, naming the field and the failing rule.

use connectum_mesh_tests::cel::CelRules;
use connectum_mesh_tests::crds::GroupVersionKind;
use connectum_mesh_tests::validate::{Check, IstioValidator, Report};
use serde_json::{Value, json};

use crate::support::reference;

fn refused(document: &Value) -> Report {
    let report = IstioValidator::shared().validate(document);
    assert!(!report.is_valid(), "expected a refusal: {report}");
    report
}

/// The report has exactly one violation, of `check`, at `path`, whose message contains `text`.
fn assert_only(report: &Report, check: Check, path: &str, text: &str) {
    assert_eq!(report.violations.len(), 1, "{report}");
    let violation = &report.violations[0];
    assert_eq!(violation.check, check, "{report}");
    assert_eq!(violation.path, path, "{report}");
    assert!(violation.message.contains(text), "{report}");
}

#[test]
fn an_unknown_field_is_refused() {
    let mut vs = reference("virtual-service.yaml");
    vs["spec"]["http"][0]["retries"]["attemps"] = json!(3);
    let report = refused(&vs);
    assert_only(&report, Check::Schema, "spec.http[0].retries", "attemps");

    let mut vs = reference("virtual-service.yaml");
    vs["spc"] = json!({});
    assert_only(&refused(&vs), Check::Schema, "", "spc");

    // Objects with only a map schema are closed too: a typo under `mtls`.
    let mut pa = reference("peer-authentication.yaml");
    pa["spec"]["mtls"]["mod"] = json!("STRICT");
    assert_only(&refused(&pa), Check::Schema, "spec.mtls", "mod");
}

#[test]
fn a_string_weight_is_refused() {
    let mut vs = reference("canary-virtual-service.yaml");
    vs["spec"]["http"][0]["route"][0]["weight"] = json!("90");
    let report = refused(&vs);
    assert_only(
        &report,
        Check::Schema,
        "spec.http[0].route[0].weight",
        "integer",
    );
}

#[test]
fn an_int32_overflow_is_refused() {
    let mut vs = reference("canary-virtual-service.yaml");
    vs["spec"]["http"][0]["route"][0]["weight"] = json!(4_294_967_296_u64);
    assert_only(
        &refused(&vs),
        Check::Schema,
        "spec.http[0].route[0].weight",
        "maximum",
    );
}

#[test]
fn zero_and_sub_millisecond_timeouts_are_refused_by_the_cel_rule() {
    for timeout in ["0s", "1.5us", "999us", "-1s"] {
        let mut vs = reference("virtual-service.yaml");
        vs["spec"]["http"][0]["timeout"] = json!(timeout);
        let report = refused(&vs);
        assert_only(
            &report,
            Check::CelRule,
            "spec.http[0].timeout",
            "must be a valid duration greater than 1ms",
        );
        assert_eq!(
            report.violations[0].rule.as_deref(),
            Some("duration(self) >= duration('1ms')")
        );
    }
    // The same rule guards every duration, e.g. the per-try timeout and DR intervals.
    let mut vs = reference("virtual-service.yaml");
    vs["spec"]["http"][0]["retries"]["perTryTimeout"] = json!("0s");
    assert_only(
        &refused(&vs),
        Check::CelRule,
        "spec.http[0].retries.perTryTimeout",
        "greater than 1ms",
    );
    let mut dr = reference("destination-rule.yaml");
    dr["spec"]["trafficPolicy"]["outlierDetection"]["interval"] = json!("0s");
    assert_only(
        &refused(&dr),
        Check::CelRule,
        "spec.trafficPolicy.outlierDetection.interval",
        "greater than 1ms",
    );
}

#[test]
fn an_unparsable_duration_is_refused_as_unevaluated() {
    let mut vs = reference("virtual-service.yaml");
    vs["spec"]["http"][0]["timeout"] = json!("30sec");
    let report = refused(&vs);
    assert_eq!(report.violations.len(), 1, "{report}");
    assert_eq!(
        report.violations[0].check,
        Check::CelUnevaluated,
        "{report}"
    );
}

#[test]
fn selector_plus_target_refs_is_refused() {
    let mut ap = reference("authorization-policy.yaml");
    ap["spec"]["targetRefs"] = json!([{"kind": "Service", "group": "", "name": "order-service"}]);
    let report = refused(&ap);
    assert_only(
        &report,
        Check::CelRule,
        "spec",
        "only one of targetRefs or selector can be set",
    );
}

#[test]
fn an_enum_typo_is_refused() {
    let mut pa = reference("peer-authentication.yaml");
    pa["spec"]["mtls"]["mode"] = json!("STRICTT");
    assert_only(
        &refused(&pa),
        Check::Schema,
        "spec.mtls.mode",
        r#""STRICTT" is not one of "UNSET", "DISABLE", "PERMISSIVE", "STRICT""#,
    );
    let mut dr = reference("destination-rule.yaml");
    dr["spec"]["trafficPolicy"]["loadBalancer"]["simple"] = json!("ROUND_ROBBIN");
    assert_only(
        &refused(&dr),
        Check::Schema,
        "spec.trafficPolicy.loadBalancer.simple",
        "ROUND_ROBBIN",
    );
}

#[test]
fn a_missing_required_field_is_refused() {
    let mut vs = reference("header-routing.yaml");
    vs["spec"]["http"][0]["route"][0]["destination"]
        .as_object_mut()
        .expect("destination")
        .remove("host");
    assert_only(
        &refused(&vs),
        Check::Schema,
        "spec.http[0].route[0].destination",
        "host",
    );
    let mut dr = reference("destination-rule.yaml");
    dr["spec"].as_object_mut().expect("spec").remove("host");
    assert_only(&refused(&dr), Check::Schema, "spec", "host");
}

#[test]
fn a_one_of_violation_is_refused() {
    let mut vs = reference("header-routing.yaml");
    vs["spec"]["http"][0]["match"][0]["headers"]["x-canary"]["prefix"] = json!("t");
    let report = refused(&vs);
    assert_eq!(report.violations.len(), 1, "{report}");
    assert_eq!(report.violations[0].check, Check::Schema);
    assert_eq!(
        report.violations[0].path,
        "spec.http[0].match[0].headers.x-canary"
    );
    assert!(
        report.mentions("more than one field of a one-of"),
        "{report}"
    );
}

#[test]
fn null_is_refused_where_the_schema_is_not_nullable() {
    let mut vs = reference("virtual-service.yaml");
    vs["spec"]["http"][0]["timeout"] = Value::Null;
    let report = refused(&vs);
    assert!(
        report
            .by(Check::Schema)
            .any(|v| v.path == "spec.http[0].timeout"),
        "{report}"
    );
}

#[test]
fn peer_authentication_rules_are_enforced() {
    let mut pa = reference("peer-authentication.yaml");
    pa["spec"]["portLevelMtls"] = json!({"5000": {"mode": "DISABLE"}});
    assert_only(
        &refused(&pa),
        Check::CelRule,
        "spec",
        "portLevelMtls requires selector",
    );

    let mut pa = reference("peer-authentication-permissive.yaml");
    pa["spec"]["portLevelMtls"] = json!({"0": {"mode": "DISABLE"}});
    assert_only(
        &refused(&pa),
        Check::CelRule,
        "spec.portLevelMtls",
        "port must be between 1-65535",
    );

    let mut pa = reference("peer-authentication-permissive.yaml");
    pa["spec"]["selector"]["matchLabels"] = json!({"app*": "order-service"});
    assert_only(
        &refused(&pa),
        Check::CelRule,
        "spec.selector.matchLabels",
        "wildcard not allowed in label key match",
    );
}

#[test]
fn telemetry_rules_are_enforced() {
    let mut telemetry = reference("telemetry.yaml");
    telemetry["spec"]["metrics"][0]["overrides"] = json!([{
        "match": {"metric": "REQUEST_COUNT"},
        "tagOverrides": {"request_host": {"operation": "UPSERT", "value": ""}}
    }]);
    let report = refused(&telemetry);
    assert!(
        report
            .by(Check::CelRule)
            .any(|v| v.message == "value must be set when operation is UPSERT"),
        "{report}"
    );
    // Without `value` the rule reads a missing key: a runtime error in the API server too.
    telemetry["spec"]["metrics"][0]["overrides"][0]["tagOverrides"]["request_host"]
        .as_object_mut()
        .expect("override")
        .remove("value");
    let report = refused(&telemetry);
    assert!(report.by(Check::CelUnevaluated).count() == 1, "{report}");
    let mut telemetry = reference("telemetry.yaml");
    telemetry["spec"]["tracing"][0]["randomSamplingPercentage"] = json!(101);
    assert_only(
        &refused(&telemetry),
        Check::Schema,
        "spec.tracing[0].randomSamplingPercentage",
        "101",
    );
}

#[test]
fn metadata_is_checked() {
    let mut vs = reference("virtual-service.yaml");
    vs["metadata"]["name"] = json!("Order_Service");
    assert_only(&refused(&vs), Check::Metadata, "metadata.name", "DNS-1123");
    let mut vs = reference("virtual-service.yaml");
    vs["metadata"]
        .as_object_mut()
        .expect("metadata")
        .remove("name");
    assert_only(&refused(&vs), Check::Metadata, "metadata.name", "required");
    let mut vs = reference("virtual-service.yaml");
    vs["metadata"]["labes"] = json!({"app": "x"});
    assert_only(
        &refused(&vs),
        Check::Metadata,
        "metadata.labes",
        "unknown field",
    );
}

#[test]
fn an_unserved_version_is_refused() {
    let mut pa = reference("peer-authentication.yaml");
    pa["apiVersion"] = json!("security.istio.io/v1alpha1");
    assert_only(
        &refused(&pa),
        Check::UnknownKind,
        "",
        "security.istio.io/v1alpha1",
    );
}

#[test]
fn a_rule_the_evaluator_lacks_fails_validation() {
    let schema = json!({
        "type": "object",
        "properties": {"spec": {"type": "object", "properties": {"hosts": {
            "type": "array",
            "items": {"type": "string", "x-kubernetes-validations": [
                {"rule": "self.isFancyHost()", "message": "must be fancy"}
            ]}
        }}}}
    });
    let gvk = GroupVersionKind::of(&json!({"apiVersion": "test.istio.io/v1", "kind": "Fancy"}))
        .expect("gvk");
    let findings =
        CelRules::compile(&gvk, &schema).evaluate(&json!({"spec": {"hosts": ["a", "b"]}}));
    // Evaluated per element, and each one reported as not evaluated.
    let paths: Vec<&str> = findings.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["spec.hosts[0]", "spec.hosts[1]"]);
    assert!(
        findings
            .iter()
            .all(|f| f.outcome == connectum_mesh_tests::cel::CelOutcome::Unevaluated)
    );
}

#[test]
fn an_istio_kind_under_a_wrong_group_is_refused_not_skipped() {
    let mut misfiled = reference("virtual-service.yaml");
    misfiled["apiVersion"] = json!("networking.istios.io/v1");
    let core = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "connectum"}});
    let refused = IstioValidator::shared().refused_istio_documents(&[
        core,
        misfiled,
        json!({"metadata": {"name": "nameless"}}),
    ]);
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(
        refused
            .iter()
            .all(|r| r.violations[0].check == Check::UnknownKind)
    );
}

#[test]
fn duplicate_keys_of_a_list_map_are_refused() {
    // ServiceEntry.ports is `x-kubernetes-list-type: map` keyed by name (we do not emit it, but
    // the validator covers every kind Istio serves).
    let entry = |ports: Value| {
        json!({
            "apiVersion": "networking.istio.io/v1",
            "kind": "ServiceEntry",
            "metadata": {"name": "external-api", "namespace": "connectum"},
            "spec": {"hosts": ["api.example.com"], "resolution": "DNS", "ports": ports}
        })
    };
    let valid = entry(json!([
        {"number": 443, "name": "https", "protocol": "HTTPS"},
        {"number": 80, "name": "http", "protocol": "HTTP"}
    ]));
    assert!(IstioValidator::shared().validate(&valid).is_valid());
    let duplicate = entry(json!([
        {"number": 443, "name": "https", "protocol": "HTTPS"},
        {"number": 8443, "name": "https", "protocol": "HTTPS"}
    ]));
    assert_only(
        &refused(&duplicate),
        Check::Schema,
        "spec.ports[1]",
        "duplicate entry [\"https\"]",
    );
}
