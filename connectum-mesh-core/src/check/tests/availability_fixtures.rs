//! Fixtures of the zero-downtime rules: the shutdown timeline, the start-up order, rollouts and
//! disruption budgets.

use super::{Fixture, add_inventory, order};
use crate::diag::Severity::{Error, Warning};
use crate::diag::registry::{
    APP_STARTS_BEFORE_PROXY, DISRUPTION_BUDGET_BLOCKS_DRAINS, DISRUPTION_BUDGET_ONE_POD,
    PROXY_EXITS_BEFORE_APP, ROLLOUT_TO_ZERO_READY, SHUTDOWN_CONFIG_MISMATCH,
};
use crate::model::{
    Autoscaler, DisruptionBudget, Duration, Mesh, PodCount, Quantity, Resources, Scaling,
    SidecarMode,
};

fn proxy_drain(secs: u64, sidecars: SidecarMode) -> impl FnOnce(&mut Mesh) {
    move |mesh| {
        mesh.sidecars = sidecars;
        order(mesh).shutdown.proxy_drain = Some(Duration::from_secs(secs));
    }
}

/// Istio's default 5s drain with classic sidecars: calls out fail from 5s to 35s.
pub(super) fn cm0550_proxy_exits_before_app() -> Fixture {
    Fixture::new(
        PROXY_EXITS_BEFORE_APP,
        Error,
        "service order-service › shutdown › proxy_drain",
        proxy_drain(5, SidecarMode::Classic),
        proxy_drain(35, SidecarMode::Classic),
    )
    .message("fail from 5s to 35s; the proxy drain is 30s short")
    .help("at least 35s")
}

/// The same 5s drain is harmless with native sidecars: Kubernetes stops the proxy after the app.
pub(super) fn cm0550_native_sidecars_stop_after_the_app() -> Fixture {
    Fixture::new(
        PROXY_EXITS_BEFORE_APP,
        Error,
        "service order-service › shutdown › proxy_drain",
        proxy_drain(5, SidecarMode::Classic),
        proxy_drain(5, SidecarMode::Native),
    )
}

pub(super) fn cm0551_app_starts_before_proxy() -> Fixture {
    let no_hold = |sidecars: SidecarMode| {
        move |mesh: &mut Mesh| {
            mesh.sidecars = sidecars;
            order(mesh).shutdown.hold_until_proxy_starts = false;
        }
    };
    Fixture::new(
        APP_STARTS_BEFORE_PROXY,
        Warning,
        "service order-service › shutdown › hold_until_proxy_starts",
        no_hold(SidecarMode::Classic),
        no_hold(SidecarMode::Native),
    )
}

pub(super) fn cm0552_shutdown_config_mismatch() -> Fixture {
    let config = |value: &'static str| {
        move |mesh: &mut Mesh| {
            let order = order(mesh);
            order.shutdown.timeout = Duration::from_secs(20);
            order
                .config
                .insert("GRACEFUL_SHUTDOWN_TIMEOUT_MS".to_owned(), value.to_owned());
        }
    };
    Fixture::new(
        SHUTDOWN_CONFIG_MISMATCH,
        Error,
        "service order-service › config › GRACEFUL_SHUTDOWN_TIMEOUT_MS",
        config("30000"),
        config("20000"),
    )
    .help("`20000`")
}

/// One replica per subset: forcing maxUnavailable 1 lets a rollout empty the routed canary.
pub(super) fn cm0553_rollout_to_zero_ready() -> Fixture {
    let forced = |replicas: u32| {
        move |mesh: &mut Mesh| {
            let order = order(mesh);
            order.rollout.allow_zero_ready = true;
            order.scaling = Scaling::Replicas(replicas);
            order.subsets[1].replicas = Some(replicas);
        }
    };
    Fixture::new(
        ROLLOUT_TO_ZERO_READY,
        Warning,
        "service order-service › rollout › max_unavailable",
        forced(1),
        forced(2),
    )
    .message("runs 1 pod")
}

/// Without surge pods a rollout must remove one: a one-pod workload goes to zero.
pub(super) fn cm0553_rollout_without_surge() -> Fixture {
    let surge = |max_surge: u32| move |mesh: &mut Mesh| order(mesh).rollout.max_surge = max_surge;
    Fixture::new(
        ROLLOUT_TO_ZERO_READY,
        Warning,
        "service order-service › rollout › max_unavailable",
        surge(0),
        surge(1),
    )
    .message("max_surge is 0")
}

fn budget(budget: DisruptionBudget) -> impl FnOnce(&mut Mesh) {
    move |mesh| order(mesh).disruption_budget = budget
}

/// stable 1 + canary 1 = 2 pods: minAvailable 2 never allows an eviction.
pub(super) fn cm0554_min_available_blocks_drains() -> Fixture {
    Fixture::new(
        DISRUPTION_BUDGET_BLOCKS_DRAINS,
        Error,
        "service order-service › disruption_budget",
        budget(DisruptionBudget::MinAvailable(PodCount::Pods(2))),
        budget(DisruptionBudget::MinAvailable(PodCount::Pods(1))),
    )
    .help("at most 1")
}

/// An autoscaled primary at its minimum 2, plus the canary's 1: minAvailable 3 blocks.
pub(super) fn cm0554_min_available_at_the_autoscalers_minimum() -> Fixture {
    let autoscaled = |min_available: u32| {
        move |mesh: &mut Mesh| {
            let order = order(mesh);
            order.scaling = Scaling::Autoscale(
                Autoscaler::builder()
                    .min_replicas(2)
                    .max_replicas(10)
                    .build(),
            );
            order.resources = Some(
                Resources::builder()
                    .cpu_request(Quantity::millicores(100))
                    .build(),
            );
            order.disruption_budget = DisruptionBudget::MinAvailable(PodCount::Pods(min_available));
        }
    };
    Fixture::new(
        DISRUPTION_BUDGET_BLOCKS_DRAINS,
        Error,
        "service order-service › disruption_budget",
        autoscaled(3),
        autoscaled(2),
    )
    .message("at the autoscaler's minimum")
}

pub(super) fn cm0554_max_unavailable_zero() -> Fixture {
    Fixture::new(
        DISRUPTION_BUDGET_BLOCKS_DRAINS,
        Error,
        "service order-service › disruption_budget",
        budget(DisruptionBudget::MaxUnavailable(PodCount::Percent(0))),
        budget(DisruptionBudget::MaxUnavailable(PodCount::Percent(10))),
    )
}

/// inventory-service runs one pod: an explicit budget warns, the default adds none.
pub(super) fn cm0555_budget_on_one_pod() -> Fixture {
    let inventory = |budget: DisruptionBudget| {
        move |mesh: &mut Mesh| add_inventory(mesh).disruption_budget = budget
    };
    Fixture::new(
        DISRUPTION_BUDGET_ONE_POD,
        Warning,
        "service inventory-service › disruption_budget",
        inventory(DisruptionBudget::MaxUnavailable(PodCount::Pods(1))),
        inventory(DisruptionBudget::Auto),
    )
}
