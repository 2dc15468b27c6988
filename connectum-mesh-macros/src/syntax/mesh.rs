//! The top of `mesh!`: the namespace and its mesh-wide settings, telemetry, external callers,
//! budgets and services.

use connectum_mesh_core::{HostStyle, MtlsMode};

use super::Fields;
use super::security::{ExternalNode, external};
use super::service::{ServiceNode, service};
use super::tree::{Block, Name, Value};
use super::value::{Given, Spanned, block_of, entries, flag, names, number, percent, text, word};
use crate::errors::Errors;

/// The whole mesh.
pub struct MeshNode {
    /// `namespace: connectum`.
    pub namespace: Option<Given<String>>,
    /// `mtls: STRICT`.
    pub mtls: Option<Spanned<MtlsMode>>,
    /// `injection: enabled`.
    pub injection: Option<Given<bool>>,
    /// `trust_domain: "cluster.local"`.
    pub trust_domain: Option<Given<String>>,
    /// `part_of: shop`.
    pub part_of: Option<Given<String>>,
    /// `app_label: "app"`.
    pub app_label: Option<Given<String>>,
    /// `version_label: "track"`.
    pub version_label: Option<Given<String>>,
    /// `hosts: fqdn`.
    pub host_style: Option<Spanned<HostStyle>>,
    /// `namespace_labels: { team: "orders" }`.
    pub namespace_labels: Vec<(Spanned<String>, Given<String>)>,
    /// `known_namespaces: [billing]`.
    pub known_namespaces: Vec<Spanned<String>>,
    /// `retry_budget: 10`.
    pub retry_budget: Option<Given<u64>>,
    /// `chain_budget { chain: [a, b], calls: 20 }`, any number.
    pub chain_budgets: Vec<ChainBudgetNode>,
    /// `split_total: 1000`.
    pub split_total: Option<Given<u64>>,
    /// `telemetry name { ... }`.
    pub telemetry: Option<TelemetryNode>,
    /// `external name { ... }`, any number.
    pub externals: Vec<ExternalNode>,
    /// `service name { ... }`, any number.
    pub services: Vec<ServiceNode>,
}

/// `chain_budget { chain: [envoy-gateway, order-service], calls: 20 }`.
pub struct ChainBudgetNode {
    /// The chain, caller first.
    pub chain: Vec<Spanned<String>>,
    /// Its budget in worst-case calls.
    pub calls: Option<Given<u64>>,
    /// The node.
    pub span: super::tree::SpanRange,
}

/// `telemetry connectum-telemetry { tracing: { providers: [..], sampling: 100 }, metrics: [..],
/// access_log: [..] }`.
pub struct TelemetryNode {
    /// The Telemetry resource's name.
    pub name: Spanned<String>,
    /// Tracing providers.
    pub tracing: Option<TracingNode>,
    /// Metrics providers.
    pub metrics: Vec<Spanned<String>>,
    /// Access-log providers.
    pub access_log: Vec<Spanned<String>>,
}

/// `tracing: { providers: [otel-tracing], sampling: 100 }`: providers and sampling percent.
pub type TracingNode = (Vec<Spanned<String>>, Option<Given<f64>>);

/// The mtls modes as Istio writes them.
pub const MTLS_MODES: &[(&str, MtlsMode)] = &[
    ("STRICT", MtlsMode::Strict),
    ("PERMISSIVE", MtlsMode::Permissive),
    ("DISABLE", MtlsMode::Disable),
];

/// Reads the macro input.
pub fn mesh(block: &Block, errors: &mut Errors) -> MeshNode {
    let mut fields = Fields::new(block, "mesh");
    let namespace = fields
        .require("namespace", errors)
        .and_then(|v| text(v, errors));
    let mtls = fields
        .take("mtls", errors)
        .and_then(|v| word(v, MTLS_MODES, errors));
    let injection = fields
        .take("injection", errors)
        .and_then(|v| flag(v, errors));
    let trust_domain = fields
        .take("trust_domain", errors)
        .and_then(|v| text(v, errors));
    let part_of = fields.take("part_of", errors).and_then(|v| text(v, errors));
    let app_label = fields
        .take("app_label", errors)
        .and_then(|v| text(v, errors));
    let version_label = fields
        .take("version_label", errors)
        .and_then(|v| text(v, errors));
    let host_style = fields.take("hosts", errors).and_then(|v| {
        word(
            v,
            &[("short", HostStyle::Short), ("fqdn", HostStyle::Fqdn)],
            errors,
        )
    });
    let namespace_labels = fields
        .take("namespace_labels", errors)
        .map(|v| text_map(v, errors))
        .unwrap_or_default();
    let known_namespaces = fields
        .take("known_namespaces", errors)
        .map(|v| names(v, errors))
        .unwrap_or_default();
    let retry_budget = fields
        .take("retry_budget", errors)
        .and_then(|v| number(v, 1, u64::MAX, errors));
    let split_total = fields
        .take("split_total", errors)
        .and_then(|v| number(v, 1, u64::from(u32::MAX), errors));
    let chain_budgets = fields
        .nodes("chain_budget")
        .into_iter()
        .map(|(kind, _, body)| {
            let mut inner = Fields::new(body, "chain budget");
            let chain = inner
                .require("chain", errors)
                .map(|v| names(v, errors))
                .unwrap_or_default();
            let calls = inner
                .require("calls", errors)
                .and_then(|v| number(v, 1, u64::MAX, errors));
            inner.finish(errors);
            ChainBudgetNode {
                chain,
                calls,
                span: kind.span.to(body.span),
            }
        })
        .collect();
    let telemetry = fields
        .nodes("telemetry")
        .into_iter()
        .map(|(kind, name, body)| telemetry(kind, name, body, errors))
        .next_back()
        .flatten();
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
    fields.finish(errors);
    MeshNode {
        namespace,
        mtls,
        injection,
        trust_domain,
        part_of,
        app_label,
        version_label,
        host_style,
        namespace_labels,
        known_namespaces,
        retry_budget,
        chain_budgets,
        split_total,
        telemetry,
        externals,
        services,
    }
}

/// `{ KEY: "value", "dotted.key": "value" }`.
pub fn text_map(value: &Value, errors: &mut Errors) -> Vec<(Spanned<String>, Given<String>)> {
    let Some(block) = block_of(value, "a block `{ KEY: \"value\" }`", errors) else {
        return Vec::new();
    };
    entries(block, "KEY: \"value\"", errors, |key, value, errors| {
        text(value, errors).map(|v| (Spanned::from(key), v))
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

fn telemetry(
    kind: &Name,
    name: Option<&Name>,
    body: &Block,
    errors: &mut Errors,
) -> Option<TelemetryNode> {
    let name = node_name(kind, name, errors);
    let mut fields = Fields::new(body, "telemetry");
    let tracing = fields.take("tracing", errors).and_then(|value| {
        let Value::Block(block) = value else {
            errors.at(
                value.span(),
                crate::errors::Codes::WRONG_VALUE,
                "expected `{ providers: [..], sampling: 100 }`",
            );
            return None;
        };
        let mut inner = Fields::new(block, "tracing");
        let providers = inner
            .require("providers", errors)
            .map(|v| names(v, errors))
            .unwrap_or_default();
        let sampling = inner
            .take("sampling", errors)
            .and_then(|v| percent(v, errors));
        inner.finish(errors);
        Some((providers, sampling))
    });
    let metrics = fields
        .take("metrics", errors)
        .map(|v| names(v, errors))
        .unwrap_or_default();
    let access_log = fields
        .take("access_log", errors)
        .map(|v| names(v, errors))
        .unwrap_or_default();
    fields.finish(errors);
    Some(TelemetryNode {
        name: name?,
        tracing,
        metrics,
        access_log,
    })
}
