//! The top of `mesh!`: the namespace and its mesh-wide settings, telemetry, external callers,
//! budgets, services and gateways.

use connectum_mesh_core::diag::{REGISTRY, did_you_mean};
use connectum_mesh_core::{ChainBudget, Code, Level, Mesh, Severity, Telemetry, Tracing};

use super::Fields;
use super::gateway::{GatewayNode, gateway};
use super::record::{
    FromScalar, Kind, Record, Scalar, Scope, Through, Via, Words, record_of, table,
};
use super::security::{ExternalNode, external};
use super::service::{ServiceNode, service};
use super::tree::{Block, Name, Value};
use super::value::{Spanned, names};
use crate::errors::{Codes, Errors};

/// The whole mesh.
pub struct MeshNode {
    /// The keys of [`MESH`] that were written.
    pub fields: Record,
    /// `chain_budget { chain: [a, b], calls: 20 }`, any number.
    pub chain_budgets: Vec<ChainBudgetNode>,
    /// `telemetry name { ... }`.
    pub telemetry: Option<TelemetryNode>,
    /// `external name { ... }`, any number.
    pub externals: Vec<ExternalNode>,
    /// `service name { ... }`, any number.
    pub services: Vec<ServiceNode>,
    /// `gateway name { ... }`, any number.
    pub gateways: Vec<GatewayNode>,
}

/// `chain_budget { chain: [envoy-gateway, order-service], calls: 20 }`.
pub struct ChainBudgetNode {
    /// The keys of [`CHAIN_BUDGET`] that were written.
    pub fields: Record,
    /// The node.
    pub span: super::tree::SpanRange,
}

/// `telemetry connectum-telemetry { tracing: { providers: [..], sampling_percent: 100 },
/// metrics_providers: [..], access_log_providers: [..] }`.
pub struct TelemetryNode {
    /// The Telemetry resource's name.
    pub name: Spanned<String>,
    /// The keys of [`TELEMETRY`] that were written.
    pub fields: Record,
}

/// The mTLS modes as Istio writes them.
pub const MTLS: &Words = &Words::of::<connectum_mesh_core::MtlsMode>("MtlsMode");

/// Whether the mesh runs under Istio or without a mesh.
const MESH_MODES: &Words = &Words::of::<connectum_mesh_core::MeshMode>("MeshMode");

/// How the cluster runs Istio's proxies.
const SIDECAR_MODES: &Words = &Words::of::<connectum_mesh_core::SidecarMode>("SidecarMode");

/// How rendered objects name a service's host.
const HOST_STYLES: &Words = &Words::of::<connectum_mesh_core::HostStyle>("HostStyle");

/// `retry_budget: 12`: `RetryBudget::calls(12)`.
const RETRY_BUDGET: &Through = &Through {
    ty: "RetryBudget",
    via: Via::Call("calls"),
    kind: Kind::Number {
        min: 1,
        max: u64::MAX,
    },
};

/// The lint levels' keys: `Mesh::lint(code, level)` on the built mesh for each code.
fn lint(mesh: &mut Mesh, value: &Scalar, _: Scope) {
    if let Scalar::Lints(level, codes) = value {
        for code in codes {
            mesh.lint(Code(code.value), *level);
        }
    }
}

/// `deny_warnings: true`: `Mesh::deny_warnings()` on the built mesh.
fn deny_warnings(mesh: &mut Mesh, value: &Scalar, scope: Scope) {
    if bool::from_scalar(value, scope) == Some(true) {
        mesh.deny_warnings();
    }
}

table! {
    /// The keys of the mesh: `Mesh::builder()`'s setters, and the lint levels (`allow`,
    /// `warn`, `deny`, `deny_warnings`), `Mesh::lint` and `Mesh::deny_warnings` on the built
    /// mesh. The nodes (`chain_budget`, `telemetry`, `external`, `service`, `gateway`) are read
    /// by [`mesh`].
    pub MESH for Mesh {
        namespace: Kind::Text => required();
        mtls: Kind::Word(MTLS);
        mode: Kind::Word(MESH_MODES);
        sidecar_injection: Kind::Flag => was(&["injection"]);
        sidecars: Kind::Word(SIDECAR_MODES);
        trust_domain: Kind::Text;
        part_of: Kind::Text;
        app_label: Kind::Text;
        version_label: Kind::Text => hint(&["version"]);
        host_style: Kind::Word(HOST_STYLES) => was(&["hosts"]);
        namespace_labels: Kind::TextMap;
        known_namespaces: Kind::Names;
        deny_by_default: Kind::Flag;
        split_total: Kind::Number { min: 1, max: u32::MAX as u64 };
        retry_budget: Kind::Through(RETRY_BUDGET);
        allow as lint: after(Kind::Lint(Level::Allow), lint);
        warn as lint: after(Kind::Lint(Level::Warn), lint);
        deny as lint: after(Kind::Lint(Level::Deny), lint);
        deny_warnings: after(Kind::Flag, deny_warnings);
    }
}

table! {
    /// The keys of `chain_budget { ... }`: `ChainBudget::builder()`'s setters.
    pub CHAIN_BUDGET for ChainBudget {
        chain: Kind::Names => required();
        calls as budget: Kind::Through(RETRY_BUDGET) => required();
    }
}

table! {
    /// The keys of `telemetry name { ... }`.
    pub TELEMETRY for Telemetry {
        tracing: Kind::Record(TRACING);
        metrics_providers: Kind::Names => was(&["metrics"]);
        access_log_providers: Kind::Names => was(&["access_log"]);
    }
}

table! {
    /// The keys of `tracing: { ... }`.
    pub TRACING: Tracing = Tracing::builder().providers(Vec::<String>::new()).build(), "tracing" {
        providers: Kind::Names => required();
        sampling_percent: Kind::Percent => was(&["sampling"]);
    }
}

/// Reads the macro input.
pub fn mesh(block: &Block, errors: &mut Errors) -> MeshNode {
    let mut fields = Fields::new(block, "mesh");
    let keys = fields.record(MESH, errors);
    let chain_budgets = chain_budgets(&mut fields, errors);
    let telemetry = fields
        .nodes("telemetry")
        .into_iter()
        .map(|(kind, name, body)| {
            let name = node_name(kind, name, errors);
            let mut inner = Fields::new(body, "telemetry");
            let keys = inner.record(TELEMETRY, errors);
            inner.finish(errors);
            Some(TelemetryNode {
                name: name?,
                fields: keys,
            })
        })
        .next_back()
        .flatten();
    let (externals, services, gateways) = members(&mut fields, errors);
    fields.finish(errors);
    MeshNode {
        fields: keys,
        chain_budgets,
        telemetry,
        externals,
        services,
        gateways,
    }
}

/// The `chain_budget { chain: [a, b], calls: 20 }` nodes, of a mesh or a fragment.
pub fn chain_budgets(fields: &mut Fields, errors: &mut Errors) -> Vec<ChainBudgetNode> {
    fields
        .nodes("chain_budget")
        .into_iter()
        .map(|(kind, _, body)| ChainBudgetNode {
            fields: record_of(body, "chain budget", CHAIN_BUDGET, errors),
            span: kind.span.to(body.span),
        })
        .collect()
}

/// The `external`, `service` and `gateway` nodes, of a mesh or a fragment.
pub fn members(
    fields: &mut Fields,
    errors: &mut Errors,
) -> (Vec<ExternalNode>, Vec<ServiceNode>, Vec<GatewayNode>) {
    let externals = fields
        .nodes("external")
        .into_iter()
        .filter_map(|(kind, name, body)| external(kind, name, body, errors))
        .collect();
    let services = fields
        .nodes("service")
        .into_iter()
        .filter_map(|(kind, name, body)| service(kind, name, body, errors))
        .collect();
    let gateways = fields
        .nodes("gateway")
        .into_iter()
        .filter_map(|(kind, name, body)| gateway(kind, name, body, errors))
        .collect();
    (externals, services, gateways)
}

/// The codes of a lint level, `[CM0302, CM0460]` (or one alone), each a registered code.
pub fn lint_codes(value: &Value, level: Level, errors: &mut Errors) -> Vec<Spanned<&'static str>> {
    names(value, errors)
        .iter()
        .filter_map(|code| lint_code(code, level, errors))
        .collect()
}

/// A registered diagnostic code (`CM0302`), as the registry spells it; a level other than deny
/// on an error code is refused, since no level lowers an error.
fn lint_code(
    code: &Spanned<String>,
    level: Level,
    errors: &mut Errors,
) -> Option<Spanned<&'static str>> {
    let Some(info) = REGISTRY
        .iter()
        .find(|info| info.code.as_str() == code.value)
    else {
        // The closest code a level could apply to: the checker's (the DSL's own 09xx are the
        // macro's), and for `allow`/`warn` a warning.
        let candidates = REGISTRY
            .iter()
            .filter(|info| !info.code.as_str().starts_with("CM09"))
            .filter(|info| level == Level::Deny || info.severity != Severity::Error)
            .map(|info| info.code.as_str());
        let help = did_you_mean(
            &code.value,
            candidates,
            "codes are listed in docs/diagnostics.md",
        );
        errors.at_with_help(
            code.span,
            Codes::UNKNOWN_WORD,
            format!("`{}` is not a diagnostic code", code.value),
            help,
        );
        return None;
    };
    if info.severity == Severity::Error && level != Level::Deny {
        errors.at_with_help(
            code.span,
            Codes::WRONG_VALUE,
            format!(
                "`{}` ({}) is an error: no level lowers it",
                code.value, info.title
            ),
            "fix what it reports; levels apply to warnings",
        );
        return None;
    }
    Some(Spanned {
        value: info.code.as_str(),
        span: code.span,
    })
}

/// Requires the name of a named node (`service order-service { ... }`).
pub fn node_name(kind: &Name, name: Option<&Name>, errors: &mut Errors) -> Option<Spanned<String>> {
    if name.is_none() {
        errors.at_with_help(
            kind.span,
            crate::errors::Codes::MISSING_KEY,
            format!("this {} has no name", kind.text),
            format!("write `{} my-name {{ ... }}`", kind.text),
        );
    }
    name.map(Spanned::from)
}

#[cfg(test)]
mod tests {
    use crate::syntax::test_support::read;
    use quote::quote;

    #[test]
    fn a_budget_has_no_upper_bound_to_name() {
        let (_, errors) = read(quote! { namespace: connectum, retry_budget: 0 });
        assert_eq!(
            errors,
            ["CM0909: `0` is out of range: expected 1 or more"],
            "{errors:?}"
        );
    }

    #[test]
    fn a_key_users_write_for_another_suggests_it_however_far_its_spelling() {
        let (_, errors) = read(quote! {
            namespace: connectum,
            version: release,
            service order-service { image: "order:1.0.0", subset canary { version: v2 } }
        });
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors
                .iter()
                .all(|e| e.starts_with("CM0902") && e.contains("did you mean `version_label`?")),
            "{errors:?}"
        );
    }

    /// A route's `retries` and the interceptors' `retry` are easy to swap: each suggests the
    /// other, and a node whose name starts with a vowel reads "an".
    #[test]
    fn retry_and_retries_suggest_each_other() {
        let (_, errors) = read(quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                interceptors: { retries: { max_retries: 1 } },
                route { to: order-service, retry: { attempts: 1 } }
            }
        });
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors
                .iter()
                .any(|e| e.contains("an interceptors block has no key `retries`")
                    && e.contains("did you mean `retry`?")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.contains("a route has no key `retry`")
                    && e.contains("did you mean `retries`?")),
            "{errors:?}"
        );
    }
}
