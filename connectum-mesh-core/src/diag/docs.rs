//! `docs/diagnostics.md`, generated from the registry: every code with its meaning, the outage
//! it prevents, the rule it corresponds to, a failing example and the fix.

use std::fmt::Write as _;

use super::registry::{CodeInfo, REGISTRY, RETIRED, Scope};

impl CodeInfo {
    /// The code's explanation, like `rustc --explain`: title and severity, the rule it
    /// corresponds to, why it matters, a failing example and the fix (Markdown).
    ///
    /// ```
    /// use connectum_mesh_core::diag::registry::RETRY_AMPLIFICATION;
    ///
    /// assert!(RETRY_AMPLIFICATION.explain().contains("retry budget"));
    /// ```
    #[must_use]
    pub fn explain(&self) -> String {
        let judged = match self.scope {
            Scope::Local => "",
            Scope::WholeMesh => {
                "- **Judged:** on the whole mesh only; a fragment (`MeshFragment::check`, `mesh_fragment!`) leaves it to where the fragments are merged\n"
            }
        };
        format!(
            "**{title}** ({severity})\n\n\
             - **Corresponds to:** {rule}\n\
             - **Why it matters:** {why}\n\
             - **Failing example:** `{example}`\n\
             - **Fix:** {fix}\n\
             {judged}",
            title = self.title,
            severity = self.severity,
            rule = self.rule,
            why = self.why,
            example = self.example,
            fix = self.fix,
        )
    }
}

/// Istio, istioctl and Kiali rules from the reference's build-time list that cannot be broken by
/// a mesh this library describes, and why, so nobody wonders where their code went.
pub const NOT_APPLICABLE: &[(&str, &str)] = &[
    (
        "KIA0002, KIA0003 (several PeerAuthentications for one namespace or workload)",
        "the mesh renders one namespace-wide PeerAuthentication and at most one per service, selected by its own app label; a clash needs a duplicate service name (CM0101)",
    ),
    (
        "KIA0701 (Service targetPort not exposed by the Deployment)",
        "the Service's targetPort and the container port are both the service's one named port",
    ),
    (
        "IST0110, IST0111, KIA1004, KIA1006 (Sidecar)",
        "no Sidecar resource is emitted",
    ),
    (
        "IST0112 (destination port required)",
        "every Service has exactly one port",
    ),
    (
        "IST0116, IST0137 (Deployment selected by several Services)",
        "each Deployment is selected by its own service's app label only; a clash needs a duplicate service name (CM0101)",
    ),
    (
        "IST0118, KIA0601, KIA0602 (port name and appProtocol); container port IANA_SVC_NAME",
        "the port is always named `grpc` with appProtocol grpc, on the Service and the container",
    ),
    (
        "IST0127, KIA0004 (selector matches no workload)",
        "PeerAuthentication and AuthorizationPolicy selectors are the service's app label, which its Deployments always carry",
    ),
    (
        "IST0128, IST0129, KIA0204-KIA0208, KIA0401-KIA0506 (DestinationRule TLS vs PeerAuthentication)",
        "no DestinationRule TLS settings are rendered (Istio auto mTLS applies), so they cannot contradict the PeerAuthentication",
    ),
    (
        "PERMISSIVE override naming a missing service",
        "an mTLS override is a field of the service it applies to",
    ),
    (
        "IST0140, IST0132, KIA1102, KIA1108 (gateways)",
        "no Gateway or gateway-bound VirtualService is emitted",
    ),
    (
        "IST0159, IST0160 (several Telemetry resources)",
        "a mesh has at most one Telemetry resource",
    ),
    (
        "IST0174, KIA0202, KIA1101 (unknown DestinationRule or route host)",
        "hosts are the mesh's own services; routes to another service's subsets are CM0201",
    ),
    (
        "KIA0005, KIA0209, KIA0104 (exportTo, subset without labels, operation hosts)",
        "exportTo and operation hosts are not modelled; every subset carries its version label",
    ),
    (
        "Durations ≥ 1ms in whole milliseconds; Quantity syntax; retryOn tokens; one-ofs",
        "enforced by the types (Duration, Quantity, RetryOn, RouteTarget, LoadBalancer)",
    ),
];

/// `docs/diagnostics.md`: every code with its meaning, the outage it prevents, the rule it
/// corresponds to, a failing example and the fix, generated from the registry.
#[must_use]
#[doc(hidden)]
pub fn markdown() -> String {
    let mut out = String::from(
        "# Diagnostics\n\n\
         <!-- Generated from connectum-mesh-core/src/diag/registry.rs; a test keeps it in sync. \
         Regenerate with `UPDATE_DIAGNOSTICS_DOC=1 cargo test -p connectum-mesh-core`. -->\n\n\
         Every problem the checker (and the `mesh!` macro) reports has a stable code: `CM` and four \
         digits by family (01xx model, 015x telemetry, 02xx routing, 03xx resilience, 04xx security, \
         05xx Kubernetes wiring, 08xx I/O, 09xx DSL syntax). Errors stop rendering; warnings are \
         printed. Codes are never reused.\n\n\
         The level column is each code's default. A mesh can change a warning's level like rustc's \
         lints: `mesh.lint(TRIES_OUTLAST_TIMEOUT, Level::Deny)` makes `check`, `render` and `build` \
         refuse it, `Level::Allow` silences it, and `mesh.deny_warnings()` denies every warning \
         without a level of its own (CI's `-D warnings`). Errors cannot be lowered.\n\n\
         | code | default level | title |\n|---|---|---|\n",
    );
    for info in REGISTRY {
        let _ = writeln!(
            out,
            "| [{code}](#{anchor}) | {severity} | {title} |",
            code = info.code,
            anchor = info.code.as_str().to_ascii_lowercase(),
            severity = info.severity,
            title = info.title,
        );
    }
    for info in REGISTRY {
        let _ = write!(out, "\n## {}\n\n{}", info.code, info.explain());
    }
    out.push_str("\n## Retired codes\n\n");
    if RETIRED.is_empty() {
        out.push_str("None yet.\n");
    }
    for retired in RETIRED {
        let _ = writeln!(out, "- `{}` (retired): {}", retired.code, retired.note);
    }
    out.push_str(
        "\n## Rules that cannot occur in this model\n\n\
         These rules from the Istio reference's build-time list have no code, because no mesh \
         this library describes can break them:\n\n",
    );
    for (rule, reason) in NOT_APPLICABLE {
        let _ = writeln!(out, "- {rule}: {reason}.");
    }
    out.push_str(
        "\n## What lint decides from manifests\n\n\
         `connectum-mesh lint` imports the manifests into the model and runs every checker rule \
         on it, so each code above that maps to an istioctl analyze or Kiali rule is reported \
         from manifests alone, located at its file and line, with the reader's own codes \
         (CM0820–CM0829) for what kubectl and Istio would refuse or silently merge. These need \
         more than manifests:\n\n",
    );
    for (rule, reason) in LINT_NEEDS_MORE {
        let _ = writeln!(out, "- {rule}: {reason}.");
    }
    out
}

/// Mapped rules `lint` cannot decide from manifests alone, and why.
pub const LINT_NEEDS_MORE: &[(&str, &str)] = &[
    (
        "CM0103 (Kiali KIA1101), CM0406, CM0310",
        "which services call which lives in application code, not in manifests; lint knows only the callers authorization policies name",
    ),
    (
        "CM0301 along service-to-service chains, CM0304, CM0305, CM0308",
        "the application's interceptors (retries, timeouts) are set in createServer; lint counts app retries given with --app-retries and follows chains from the callers authorization policies name",
    ),
    (
        "IST0101 and KIA0101 for objects in other namespaces, IST0102 for a namespace that is not in the files",
        "they need the cluster's other namespaces and objects (istioctl analyze against the cluster)",
    ),
    (
        "CM0441 and the no-mesh rules",
        "lint imports manifests as an Istio mesh; a no-mesh mesh is checked from its Rust description (`check --mesh none`)",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    const DOC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/diagnostics.md");

    /// Fails when docs/diagnostics.md is not what the registry generates; with
    /// `UPDATE_DIAGNOSTICS_DOC=1` it rewrites the file instead.
    #[test]
    fn docs_diagnostics_md_is_up_to_date() {
        let generated = markdown();
        if std::env::var_os("UPDATE_DIAGNOSTICS_DOC").is_some() {
            assert!(
                std::fs::write(DOC_PATH, &generated).is_ok(),
                "cannot write {DOC_PATH}"
            );
            return;
        }
        let written = std::fs::read_to_string(DOC_PATH).unwrap_or_default();
        assert!(
            written == generated,
            "{DOC_PATH} is out of date; run `UPDATE_DIAGNOSTICS_DOC=1 cargo test -p connectum-mesh-core` to regenerate it"
        );
    }

    #[test]
    fn every_code_has_a_section() {
        let generated = markdown();
        for info in REGISTRY {
            assert!(
                generated.contains(&format!("\n## {}\n", info.code)),
                "{}",
                info.code
            );
        }
    }
}
