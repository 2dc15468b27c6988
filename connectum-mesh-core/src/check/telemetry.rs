//! Telemetry rules: the namespace's Telemetry resource must be one Istio accepts and applies.

use crate::diag::registry::{
    EMPTY_PROVIDER, SAMPLING_OUT_OF_RANGE, SEVERAL_TRACING_PROVIDERS, TELEMETRY_WITHOUT_PROVIDERS,
};
use crate::diag::{Diagnostics, MeshPath};
use crate::model::{Mesh, Telemetry};

pub(super) fn run(mesh: &Mesh, out: &mut Diagnostics) {
    let Some(telemetry) = &mesh.telemetry else {
        return;
    };
    let path = MeshPath::root().field("telemetry");
    check_sampling(telemetry, &path, out);
    check_provider_names(telemetry, &path, out);
    check_has_providers(telemetry, &path, out);
    check_one_tracing_provider(telemetry, &path, out);
}

/// Istio refuses a sampling percentage outside 0..100, and with it the whole Telemetry resource:
/// tracing, metrics and access logs all go.
fn check_sampling(telemetry: &Telemetry, path: &MeshPath, out: &mut Diagnostics) {
    let Some(percent) = telemetry.tracing.as_ref().and_then(|t| t.sampling_percent) else {
        return;
    };
    if !(0.0..=100.0).contains(&percent) {
        out.push(
            SAMPLING_OUT_OF_RANGE
                .at(
                    path.field("tracing").field("sampling_percent"),
                    format!("tracing samples {percent}% of requests; Istio accepts 0 to 100"),
                )
                .with_help("use a percentage from 0 to 100 (100 samples every request)"),
        );
    }
}

/// Istio refuses a Telemetry resource with an empty provider name.
fn check_provider_names(telemetry: &Telemetry, path: &MeshPath, out: &mut Diagnostics) {
    let tracing = telemetry
        .tracing
        .iter()
        .flat_map(|t| t.providers.iter().enumerate())
        .map(|(index, name)| (path.field("tracing").index("providers", index), name));
    let metrics = telemetry
        .metrics_providers
        .iter()
        .enumerate()
        .map(|(index, name)| (path.index("metrics_providers", index), name));
    let logs = telemetry
        .access_log_providers
        .iter()
        .enumerate()
        .map(|(index, name)| (path.index("access_log_providers", index), name));
    for (provider_path, name) in tracing.chain(metrics).chain(logs) {
        if name.trim().is_empty() {
            out.push(
                EMPTY_PROVIDER
                    .at(provider_path, "the provider name is empty; Istio refuses the Telemetry resource")
                    .with_help("name a provider from meshConfig extensionProviders (e.g. `prometheus`), or remove the entry"),
            );
        }
    }
}

/// A Telemetry with no provider is ignored unless meshConfig names default providers: the
/// observability you configured silently is not there.
fn check_has_providers(telemetry: &Telemetry, path: &MeshPath, out: &mut Diagnostics) {
    let tracing = telemetry
        .tracing
        .as_ref()
        .is_some_and(|t| !t.providers.is_empty());
    if !tracing
        && telemetry.metrics_providers.is_empty()
        && telemetry.access_log_providers.is_empty()
    {
        out.push(
            TELEMETRY_WITHOUT_PROVIDERS
                .at(
                    path.clone(),
                    format!("Telemetry `{}` names no tracing, metrics or access-log provider", telemetry.name),
                )
                .with_help("name providers (e.g. `otel-tracing`, `prometheus`), or remove the telemetry block"),
        );
    }
}

/// Istio uses one tracing provider; the others silently receive nothing.
fn check_one_tracing_provider(telemetry: &Telemetry, path: &MeshPath, out: &mut Diagnostics) {
    let Some(tracing) = &telemetry.tracing else {
        return;
    };
    if tracing.providers.len() > 1 {
        out.push(
            SEVERAL_TRACING_PROVIDERS
                .at(
                    path.field("tracing").field("providers"),
                    format!(
                        "tracing names {} providers ({}); Istio sends traces to one",
                        tracing.providers.len(),
                        tracing.providers.join(", ")
                    ),
                )
                .with_help("name one tracing provider and fan out in the OpenTelemetry collector"),
        );
    }
}
