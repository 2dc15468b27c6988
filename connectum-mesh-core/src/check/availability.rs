//! Zero-downtime rules: a shutdown timeline that cuts no request off, a start-up in which the
//! app does not call out before its proxy, rollouts that keep a ready pod behind every subset
//! that receives traffic, and disruption budgets that node drains can satisfy.
//!
//! The numbers come from the model ([`PodTimeline`], [`Service::rollout_plan`],
//! [`Service::resolved_disruption_budget`]), the same the renderer writes.

use super::LazyPath;
use crate::diag::registry::{
    APP_STARTS_BEFORE_PROXY, DISRUPTION_BUDGET_BLOCKS_DRAINS, DISRUPTION_BUDGET_ONE_POD,
    GRACE_PERIOD_TOO_SHORT, PROXY_EXITS_BEFORE_APP, ROLLOUT_TO_ZERO_READY,
};
use crate::diag::{Diagnostics, MeshPath};
use crate::model::timeline::seconds;
use crate::model::{Mesh, PodTimeline, ResolvedBudget, RouteTarget, Scaling, Service, ShortStep};

use super::routing::destinations;

pub(super) fn run(mesh: &Mesh, out: &mut Diagnostics) {
    for service in &mesh.services {
        let path = || MeshPath::service(&service.name);
        let timeline = PodTimeline::of(mesh, service);
        check_shutdown_timeline(&timeline, &path, out);
        check_startup(&timeline, service, &path, out);
        check_rollout_keeps_a_ready_pod(service, &path, out);
        check_disruption_budget(service, &path, out);
    }
}

/// A timeline step that ends before the app stops draining cuts requests off: the proxy's drain
/// (calls out fail) or the grace period (the kill ends in-flight requests).
fn check_shutdown_timeline(timeline: &PodTimeline, path: &LazyPath<'_>, out: &mut Diagnostics) {
    let app_done = timeline.app_stops_calling_out_at();
    for failure in timeline.failures() {
        // Written only for a timeline that fails: most pods' timelines hold.
        let steps = format!(
            "preStop {} + shutdown timeout {} = {}",
            seconds(timeline.pre_stop()),
            seconds(timeline.app_drain()),
            seconds(app_done)
        );
        let short_by = seconds(failure.short_by());
        let window = format!(
            "from {} to {}",
            seconds(failure.from),
            seconds(failure.until)
        );
        let diagnostic = match failure.short_step {
            ShortStep::ProxyDrain => PROXY_EXITS_BEFORE_APP
                .at(
                    path().field("shutdown").field("proxy_drain"),
                    format!(
                        "the proxy drains for {} after SIGTERM, but the app drains until {steps}: its calls out fail {window}; the proxy drain is {short_by} short",
                        seconds(timeline.proxy_drain()),
                    ),
                )
                .with_help(format!(
                    "set proxy_drain to at least {} or leave it unset to derive it, or run native sidecars",
                    seconds(app_done)
                )),
            ShortStep::GracePeriod => GRACE_PERIOD_TOO_SHORT
                .at(
                    path().field("shutdown").field("termination_grace_period"),
                    format!(
                        "the grace period {} ends before {steps}: in-flight requests are killed {window}; the grace period is {short_by} short",
                        seconds(timeline.grace_period()),
                    ),
                )
                .with_help(format!(
                    "set it to at least {} (plus a margin), or leave it unset to derive it",
                    seconds(app_done)
                )),
        };
        out.push(diagnostic);
    }
}

/// With classic sidecars and no hold, the app's first calls out race the proxy's start.
fn check_startup(
    timeline: &PodTimeline,
    service: &Service,
    path: &LazyPath<'_>,
    out: &mut Diagnostics,
) {
    if timeline.startup().proxy_ready_first() {
        return;
    }
    let calls = if service.calls.is_empty() {
        "its calls out".to_owned()
    } else {
        format!("its calls to {}", service.calls.join(", "))
    };
    out.push(
        APP_STARTS_BEFORE_PROXY
            .at(
                path().field("shutdown").field("hold_until_proxy_starts"),
                format!(
                    "the app starts together with its proxy: {calls} while it starts fail until the proxy is ready"
                ),
            )
            .with_help("leave hold_until_proxy_starts on (the default), or run native sidecars"),
    );
}

/// Whether workload `index` receives requests: it is routed to, or nothing routes by subset.
fn receives_traffic(service: &Service, index: usize) -> bool {
    let Some(subset) = service.subsets.get(index) else {
        return true;
    };
    let by_service = service.routes.is_empty()
        || service
            .routes
            .iter()
            .any(|route| matches!(route.target, RouteTarget::Service));
    by_service
        || service.routes.iter().any(|route| {
            destinations(route).any(|d| d.receives_traffic && d.subset.name() == subset.name)
        })
}

/// A rollout whose maxUnavailable reaches a workload's pods can stop all of them at once.
fn check_rollout_keeps_a_ready_pod(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    for index in 0..service.workload_count() {
        let plan = service.rollout_plan(index);
        if !plan.can_reach_zero_ready() || !receives_traffic(service, index) {
            continue;
        }
        let workload = service.subsets.get(index).map_or_else(
            || format!("`{}`", service.name),
            |s| format!("subset `{}`", s.name),
        );
        let why = if service.rollout.max_surge == 0 {
            "max_surge is 0".to_owned()
        } else {
            "allow_zero_ready is set".to_owned()
        };
        out.push(
            ROLLOUT_TO_ZERO_READY
                .at(
                    path().field("rollout").field("max_unavailable"),
                    format!(
                        "{workload} receives traffic and runs {} pod{}, and a rollout may take {} of them out at once ({why}): every image change can leave it with no ready pod",
                        plan.min_pods,
                        if plan.min_pods == 1 { "" } else { "s" },
                        plan.max_unavailable
                    ),
                )
                .with_help(format!(
                    "roll by surging: max_surge 1 and allow_zero_ready off (maxUnavailable becomes {}), or run more replicas",
                    plan.min_pods.saturating_sub(1)
                )),
        );
    }
}

/// A budget that never allows an eviction blocks drains forever; one on a one-pod service cannot
/// keep it up.
fn check_disruption_budget(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    let Some(budget) = service.resolved_disruption_budget() else {
        return;
    };
    let budget_path = || path().field("disruption_budget");
    let (fewest, most) = service.pod_range();
    let autoscaled = matches!(service.scaling, Scaling::Autoscale(_));
    if budget.evictions_allowed(fewest) == 0 && fewest > 0 {
        let (what, fix) = match budget {
            ResolvedBudget::MinAvailable(count) => (
                format!(
                    "minAvailable {count} is at least the {fewest} pod{} the service runs{}",
                    if fewest == 1 { "" } else { "s" },
                    if autoscaled {
                        " at the autoscaler's minimum"
                    } else {
                        ""
                    }
                ),
                format!(
                    "use maxUnavailable 1, or a minAvailable of at most {}",
                    fewest.saturating_sub(1)
                ),
            ),
            ResolvedBudget::MaxUnavailable(count) => (
                format!("maxUnavailable {count} allows no pod of {fewest} to go"),
                "use maxUnavailable 1 (or a percentage above 0)".to_owned(),
            ),
        };
        out.push(
            DISRUPTION_BUDGET_BLOCKS_DRAINS
                .at(
                    budget_path(),
                    format!(
                        "{what}: the budget never allows an eviction, so node drains block forever"
                    ),
                )
                .with_help(fix),
        );
    } else if most == 1 {
        out.push(
            DISRUPTION_BUDGET_ONE_POD
                .at(
                    budget_path(),
                    format!(
                        "`{}` runs one pod: its budget either lets a drain evict it (the service is down until it is rescheduled) or blocks the drain while the pod is not ready",
                        service.name
                    ),
                )
                .with_help("run at least 2 replicas, or leave the budget to DisruptionBudget::Auto, which adds none for one pod"),
        );
    }
}
