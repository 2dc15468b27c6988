//! The checker's tests: one fixture per rule that triggers it and a close variant that does not,
//! the guide's mesh (clean, and as published), the registry's coverage, and a property test.

mod availability_fixtures;
mod edge_fixtures;
mod kubernetes_fixtures;
mod model_fixtures;
mod properties;
mod resilience_fixtures;
mod routing_fixtures;
mod security_fixtures;
mod seed;

use crate::check;
use crate::diag::{CodeInfo, REGISTRY, Severity};
use crate::model::{Mesh, Service};

/// A rule's fixture: `trigger` must report `code` at `path` with `severity`; `pass`, a close
/// variant, must not report `code` at all.
pub(super) struct Fixture {
    code: CodeInfo,
    severity: Severity,
    path: &'static str,
    message_contains: Option<&'static str>,
    help_contains: Option<&'static str>,
    trigger: Mesh,
    pass: Mesh,
}

impl Fixture {
    /// A fixture whose meshes are the guide's clean mesh changed by `trigger` and by `pass`.
    pub(super) fn new(
        code: CodeInfo,
        severity: Severity,
        path: &'static str,
        trigger: impl FnOnce(&mut Mesh),
        pass: impl FnOnce(&mut Mesh),
    ) -> Self {
        let mut trigger_mesh = seed::order_mesh();
        trigger(&mut trigger_mesh);
        let mut pass_mesh = seed::order_mesh();
        pass(&mut pass_mesh);
        Self {
            code,
            severity,
            path,
            message_contains: None,
            help_contains: None,
            trigger: trigger_mesh,
            pass: pass_mesh,
        }
    }

    /// Also require the diagnostic's message to contain `text` (a value it must name, say).
    pub(super) fn message(mut self, text: &'static str) -> Self {
        self.message_contains = Some(text);
        self
    }

    /// Also require the diagnostic's help to contain `text` (a suggested name, say).
    pub(super) fn help(mut self, text: &'static str) -> Self {
        self.help_contains = Some(text);
        self
    }

    fn assert_holds(&self) {
        let code = self.code.code;
        let found = check(&self.trigger);
        let hit = found
            .all()
            .iter()
            .find(|d| d.code == code && d.path.to_string() == self.path);
        let Some(hit) = hit else {
            panic!(
                "{code} not reported at `{}`; the checker said:\n{found}",
                self.path
            );
        };
        assert_eq!(hit.severity, self.severity, "{hit}");
        assert!(!hit.message.is_empty(), "{hit}");
        if let Some(text) = self.message_contains {
            assert!(
                hit.message.contains(text),
                "message should contain {text:?}:\n{hit}"
            );
        }
        if let Some(text) = self.help_contains {
            let help = hit.help.as_deref().expect("the diagnostic has a help");
            assert!(help.contains(text), "help should contain {text:?}:\n{hit}");
        }
        let passed = check(&self.pass);
        assert!(
            !passed.codes().contains(&code.as_str()),
            "the close variant should not report {code}:\n{passed}"
        );
    }
}

/// The guide's order-service in a fixture's mesh.
pub(super) fn order(mesh: &mut Mesh) -> &mut Service {
    &mut mesh.services[0]
}

/// A second service of the mesh, `inventory-service`, that calls nobody and has no routes.
pub(super) fn add_inventory(mesh: &mut Mesh) -> &mut Service {
    mesh.services.push(
        Service::builder()
            .name("inventory-service")
            .image("ghcr.io/mycompany/inventory-service:1.0.0")
            .build(),
    );
    let last = mesh.services.len() - 1;
    &mut mesh.services[last]
}

/// Declares one `#[test]` per fixture, and the list the registry test walks.
macro_rules! fixtures {
    ($($family:ident::$name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                $family::$name().assert_holds();
            }
        )*

        /// Every fixture, for the registry-coverage test.
        const FIXTURES: &[fn() -> Fixture] = &[$($family::$name),*];
    };
}

fixtures! {
    model_fixtures::cm0101_duplicate_service,
    model_fixtures::cm0102_duplicate_subset,
    model_fixtures::cm0103_unknown_callee,
    model_fixtures::cm0103_unknown_callee_of_external_caller,
    model_fixtures::cm0104_overlapping_subsets,
    model_fixtures::cm0105_split_total_zero,
    model_fixtures::cm0105_trust_domain,
    model_fixtures::cm0106_duplicate_caller,
    model_fixtures::cm0107_number_too_large,
    model_fixtures::cm0108_deployment_name_clash,
    model_fixtures::cm0151_sampling_out_of_range,
    model_fixtures::cm0152_empty_provider,
    model_fixtures::cm0153_telemetry_without_providers,
    model_fixtures::cm0154_several_tracing_providers,
    routing_fixtures::cm0201_undeclared_subset,
    routing_fixtures::cm0201_subset_of_another_service,
    routing_fixtures::cm0202_split_total,
    routing_fixtures::cm0202_split_total_in_per_mille,
    routing_fixtures::cm0202_split_total_configurable,
    routing_fixtures::cm0203_split_zero_total,
    routing_fixtures::cm0204_empty_split,
    routing_fixtures::cm0205_single_leg_weight,
    routing_fixtures::cm0206_repeated_split_subset,
    routing_fixtures::cm0207_catch_all_first,
    routing_fixtures::cm0207_all_matches_repeated,
    routing_fixtures::cm0207_prefix_slash_first,
    routing_fixtures::cm0208_duplicate_match,
    routing_fixtures::cm0209_invalid_header_name,
    routing_fixtures::cm0210_empty_header_prefix,
    routing_fixtures::cm0210_regex_does_not_compile,
    routing_fixtures::cm0210_re2_refuses_lookahead,
    routing_fixtures::cm0210_re2_refuses_double_repetition,
    routing_fixtures::cm0211_subset_without_pods,
    routing_fixtures::cm0212_subsets_without_routes,
    routing_fixtures::cm0213_no_catch_all_route,
    routing_fixtures::cm0230_uri_prefix_without_slash,
    routing_fixtures::cm0230_uri_exact_without_slash,
    routing_fixtures::cm0231_claim_header_in_mesh,
    routing_fixtures::cm0232_duplicate_route_name,
    resilience_fixtures::cm0130_conflicting_chain_budget,
    resilience_fixtures::cm0301_retry_amplification,
    resilience_fixtures::cm0301_chain_of_two_services,
    resilience_fixtures::cm0301_chain_budget_override,
    resilience_fixtures::cm0302_tries_outlast_timeout,
    resilience_fixtures::cm0303_retry_policy_without_attempts,
    resilience_fixtures::cm0304_caller_timeout_too_short,
    resilience_fixtures::cm0305_app_timeout_exceeds_mesh,
    resilience_fixtures::cm0306_outlier_percent,
    resilience_fixtures::cm0307_empty_connection_pool,
    resilience_fixtures::cm0308_interceptor_out_of_range,
    resilience_fixtures::cm0309_invalid_retry_status,
    resilience_fixtures::cm0310_call_cycle,
    resilience_fixtures::cm0311_unknown_chain_budget,
    resilience_fixtures::cm0312_retry_on_success_status,
    resilience_fixtures::cm0312_retry_on_redirect_status,
    resilience_fixtures::cm0360_no_deadline,
    resilience_fixtures::cm0361_retry_on_5xx_only,
    resilience_fixtures::cm0361_retry_on_status_codes_only,
    resilience_fixtures::cm0362_hash_with_split,
    resilience_fixtures::cm0363_ejection_of_every_pod,
    security_fixtures::cm0401_undeclared_principal,
    security_fixtures::cm0401_principal_typo,
    security_fixtures::cm0401_no_suggestion_of_an_invalid_account,
    security_fixtures::cm0402_undeclared_namespace,
    security_fixtures::cm0402_well_known_namespace_typo,
    security_fixtures::cm0403_strict_without_injection,
    security_fixtures::cm0404_app_tls_under_mtls,
    security_fixtures::cm0405_authorization_without_mtls,
    security_fixtures::cm0406_caller_not_allowed,
    security_fixtures::cm0407_empty_allow_rule,
    security_fixtures::cm0408_namespace_not_injected,
    security_fixtures::cm0409_permissive_override_with_identity_rules,
    security_fixtures::cm0409_permissive_namespace_with_identity_rules,
    security_fixtures::cm0460_open_to_mesh,
    security_fixtures::cm0460_open_to_mesh_unless_denied_by_default,
    security_fixtures::cm0461_callers_denied_by_default,
    security_fixtures::cm0441_app_tls_required_without_mesh,
    kubernetes_fixtures::cm0501_invalid_namespace,
    kubernetes_fixtures::cm0501_invalid_subset_name,
    kubernetes_fixtures::cm0501_invalid_service_name,
    kubernetes_fixtures::cm0501_repaired_service_name_taken,
    kubernetes_fixtures::cm0502_invalid_label,
    kubernetes_fixtures::cm0503_label_key_conflict,
    kubernetes_fixtures::cm0504_injection_label_conflict,
    kubernetes_fixtures::cm0504_injection_label_contradiction,
    kubernetes_fixtures::cm0505_invalid_port,
    kubernetes_fixtures::cm0506_port_reserved_by_istio,
    kubernetes_fixtures::cm0507_autoscaler_range,
    kubernetes_fixtures::cm0507_scaling_rule_range,
    kubernetes_fixtures::cm0508_autoscaler_with_replicas,
    kubernetes_fixtures::cm0509_proxy_uid,
    kubernetes_fixtures::cm0510_invalid_security_context,
    kubernetes_fixtures::cm0511_grace_period_too_short,
    kubernetes_fixtures::cm0512_probe_endpoint,
    kubernetes_fixtures::cm0513_probe_values,
    kubernetes_fixtures::cm0514_empty_image,
    kubernetes_fixtures::cm0515_rollout_stuck,
    kubernetes_fixtures::cm0516_invalid_resources,
    kubernetes_fixtures::cm0517_autoscaler_without_request,
    kubernetes_fixtures::cm0517_cpu_limit_is_copied_into_the_request,
    kubernetes_fixtures::cm0518_invalid_config_key,
    kubernetes_fixtures::cm0519_port_config_mismatch,
    availability_fixtures::cm0550_proxy_exits_before_app,
    availability_fixtures::cm0550_native_sidecars_stop_after_the_app,
    availability_fixtures::cm0551_app_starts_before_proxy,
    availability_fixtures::cm0553_rollout_to_zero_ready,
    availability_fixtures::cm0553_rollout_without_surge,
    availability_fixtures::cm0554_min_available_blocks_drains,
    availability_fixtures::cm0554_min_available_at_the_autoscalers_minimum,
    availability_fixtures::cm0554_max_unavailable_zero,
    availability_fixtures::cm0555_budget_on_one_pod,
    kubernetes_fixtures::cm0530_app_setting_conflict,
    kubernetes_fixtures::cm0570_upper_case_repository,
    kubernetes_fixtures::cm0570_whitespace_in_reference,
    kubernetes_fixtures::cm0570_bad_tag_and_digest,
    kubernetes_fixtures::cm0571_untagged_image,
    kubernetes_fixtures::cm0571_latest_image,
    kubernetes_fixtures::cm0572_canary_same_image,
    kubernetes_fixtures::cm0573_kube_system_namespace,
    kubernetes_fixtures::cm0573_istio_system_namespace,
    kubernetes_fixtures::cm0574_memory_in_millibytes,
    kubernetes_fixtures::cm0574_sidecar_memory_in_millibytes,
    kubernetes_fixtures::cm0575_cpu_in_cores,
    kubernetes_fixtures::cm0576_memory_too_small_for_node,
    kubernetes_fixtures::cm0576_memory_in_bytes,
    kubernetes_fixtures::cm0577_config_map_too_large,
    edge_fixtures::cm0120_duplicate_gateway,
    edge_fixtures::cm0120_gateway_named_like_a_service,
    edge_fixtures::cm0121_gateway_without_listeners,
    edge_fixtures::cm0122_duplicate_listener,
    edge_fixtures::cm0140_istio_ingress_without_istio,
    edge_fixtures::cm0140_istio_gateway_class_without_istio,
    edge_fixtures::cm0220_gateway_unknown_service,
    edge_fixtures::cm0221_gateway_undeclared_subset,
    edge_fixtures::cm0222_gateway_unknown_port,
    edge_fixtures::cm0223_gateway_host_conflict,
    edge_fixtures::cm0223_listeners_of_one_gateway,
    edge_fixtures::cm0224_gateway_unknown_listener,
    edge_fixtures::cm0225_gateway_mixed_matches,
    edge_fixtures::cm0226_grpc_timeout_on_istio_class,
    edge_fixtures::cm0149_envoy_gateway_edge_toward_app_tls,
    edge_fixtures::cm0226_subset_target_on_gateway_api,
    edge_fixtures::cm0226_header_prefix_on_gateway_api,
    edge_fixtures::cm0301_retry_chain_through_the_edge,
    edge_fixtures::cm0302_edge_tries_outlast_timeout,
    edge_fixtures::cm0320_edge_timeout_too_short,
    edge_fixtures::cm0420_gateway_not_admitted,
    edge_fixtures::cm0421_tls_listener_without_credential,
    edge_fixtures::cm0422_client_tls_disable_toward_strict,
    edge_fixtures::cm0520_invalid_listener_name,
}

/// The families the checker emits; 08xx (I/O) and 09xx (DSL syntax) codes are tested where they
/// are emitted.
fn is_checker_code(info: &CodeInfo) -> bool {
    matches!(
        info.code.as_str().get(2..4),
        Some("01" | "02" | "03" | "04" | "05")
    )
}

#[test]
fn every_checker_code_has_a_fixture_that_triggers_it() {
    let covered: Vec<&str> = FIXTURES.iter().map(|f| f().code.code.as_str()).collect();
    for info in REGISTRY.iter().filter(|info| is_checker_code(info)) {
        assert!(
            covered.contains(&info.code.as_str()),
            "{} ({}) has no fixture",
            info.code,
            info.title
        );
    }
}

#[test]
fn lint_levels_deny_and_allow_warnings() {
    use crate::diag::Level;
    use crate::diag::registry::TRIES_OUTLAST_TIMEOUT;

    let mut mesh = seed::order_mesh();
    for route in &mut mesh.services[0].routes {
        route.timeout = Some(crate::model::Duration::from_secs(15));
    }
    assert!(!check(&mesh).has_errors());
    assert!(check(&mesh).codes().contains(&"CM0302"));
    mesh.lint(TRIES_OUTLAST_TIMEOUT, Level::Deny);
    let denied = check(&mesh);
    assert!(
        denied
            .errors()
            .any(|d| d.code == TRIES_OUTLAST_TIMEOUT.code),
        "{denied}"
    );
    mesh.lint(TRIES_OUTLAST_TIMEOUT, Level::Allow);
    assert!(!check(&mesh).codes().contains(&"CM0302"));
    let mut strict = seed::order_mesh();
    strict.services[0].routes[1].timeout = None;
    strict.services[0].routes[1].retries = None;
    assert!(!check(&strict).has_errors());
    strict.deny_warnings();
    assert!(check(&strict).has_errors());
}

#[test]
fn every_fixture_severity_is_its_code_default() {
    for fixture in FIXTURES {
        let fixture = fixture();
        assert_eq!(
            fixture.severity, fixture.code.severity,
            "{}",
            fixture.code.code
        );
    }
}

#[test]
fn the_guides_mesh_passes_clean() {
    let found = check(&seed::order_mesh());
    assert!(found.is_empty(), "{found}");
}

#[test]
fn the_guides_mesh_as_published_reports_amplification_and_the_undeclared_principal() {
    let found = check(&seed::as_published());
    assert_eq!(
        found.codes(),
        ["CM0301", "CM0302", "CM0302", "CM0401"],
        "{found}"
    );
    let amplification = &found.all()[0];
    assert_eq!(amplification.severity, Severity::Error);
    assert_eq!(amplification.path.to_string(), "chain order-service");
    assert!(
        amplification.message.contains("12 calls"),
        "{amplification}"
    );
    let principal = &found.all()[3];
    assert_eq!(principal.severity, Severity::Error);
    assert_eq!(
        principal.path.to_string(),
        "service order-service › allow[0] › from[0]"
    );
    assert!(
        principal
            .message
            .contains("cluster.local/ns/connectum/sa/envoy-gateway"),
        "{principal}"
    );
    assert!(found.has_errors());
}

#[test]
fn diagnostics_print_like_rustc() {
    let found = check(&seed::as_published());
    let text = found.to_string();
    assert!(
        text.starts_with(
            "error[CM0301]: one failing request along order-service can become 12 calls"
        ),
        "{text}"
    );
    assert!(
        text.contains("  --> chain order-service\n   = help: "),
        "{text}"
    );
    assert!(text.ends_with("\n2 errors; 2 warnings emitted"), "{text}");
}

/// Whatever a fragment reports is reported by every mesh composed from it: for each fixture's
/// meshes (which set the mesh-wide settings every way the rules care about), the errors of the
/// mesh as a fragment are among the mesh's own. A code whose verdict reads a mesh-wide setting
/// but is not marked `whole_mesh` in the registry fails here.
#[test]
fn a_fragment_reports_no_error_its_composed_mesh_would_not() {
    use crate::MeshFragment;
    for fixture in FIXTURES {
        let fixture = fixture();
        for mesh in [&fixture.trigger, &fixture.pass] {
            let whole = check(mesh);
            for error in MeshFragment::from(mesh.clone()).check().errors() {
                assert!(
                    whole
                        .all()
                        .iter()
                        .any(|d| d.code == error.code && d.path == error.path),
                    "{} (fixture of {}) is reported by the fragment alone but not by the mesh:\n{error}",
                    error.code,
                    fixture.code.code,
                );
            }
        }
    }
}
