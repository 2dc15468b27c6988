//! Keeping pods ready through rollouts, node drains and scheduling: the rollout each workload
//! gets, the PodDisruptionBudget of a service and how pods spread over nodes.
//!
//! Like the [timeline](super::timeline), these are computed once here and read by both the
//! checker and the renderer.

use super::{Scaling, Service};

/// Services with at least this many pods get a percentage budget by default
/// ([`DisruptionBudget::Auto`]): one pod at a time would make draining a large service slow.
pub const LARGE_SERVICE_PODS: u32 = 10;
/// The budget of a large service: up to 10% of its pods (Kubernetes rounds up, so at least one).
pub const LARGE_SERVICE_MAX_UNAVAILABLE_PERCENT: u32 = 10;

/// A number of pods, absolute or as a percentage of the pods the service runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PodCount {
    /// A number of pods.
    Pods(u32),
    /// A percentage (0..=100) of the expected pods; Kubernetes rounds up.
    Percent(u32),
}

impl PodCount {
    /// The count for `pods` expected pods, rounded up as Kubernetes' disruption controller does.
    #[must_use]
    pub fn of(self, pods: u32) -> u32 {
        match self {
            Self::Pods(count) => count,
            Self::Percent(percent) => {
                u32::try_from((u64::from(percent) * u64::from(pods)).div_ceil(100))
                    .unwrap_or(u32::MAX)
            }
        }
    }
}

impl std::fmt::Display for PodCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Pods(count) => write!(f, "{count}"),
            Self::Percent(percent) => write!(f, "{percent}%"),
        }
    }
}

/// The PodDisruptionBudget of a service: how many of its pods (every subset together) a node
/// drain may evict at once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DisruptionBudget {
    /// `maxUnavailable: 1`, or 10% for services of 10 pods or more; no budget for a service that
    /// can only ever run one pod (a budget could then only block drains or allow the outage).
    #[default]
    Auto,
    /// `maxUnavailable`: at most this many pods evicted at once.
    MaxUnavailable(PodCount),
    /// `minAvailable`: evictions stop when fewer would remain. Must stay below the pods the
    /// service runs, or drains block forever.
    MinAvailable(PodCount),
    /// No PodDisruptionBudget: drains may evict every pod at once.
    Disabled,
}

/// The budget a service gets, after [`DisruptionBudget::Auto`] is resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResolvedBudget {
    /// `maxUnavailable`.
    MaxUnavailable(PodCount),
    /// `minAvailable`.
    MinAvailable(PodCount),
}

/// Whether a budget lets a drain evict pods, for a service whose pods count is `pods`.
impl ResolvedBudget {
    /// The evictions the budget allows when all `pods` are ready (0: drains block).
    #[must_use]
    pub fn evictions_allowed(self, pods: u32) -> u32 {
        match self {
            Self::MaxUnavailable(count) => count.of(pods).min(pods),
            Self::MinAvailable(count) => pods.saturating_sub(count.of(pods)),
        }
    }
}

/// How pods spread over nodes (`topologySpreadConstraints` on `kubernetes.io/hostname`), when
/// [`Service::spread_across_nodes`] is on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SpreadPolicy {
    /// `whenUnsatisfiable: ScheduleAnyway`: the scheduler prefers spreading but never leaves a
    /// pod Pending for it (on tainted or full nodes, say). Skew is counted per ReplicaSet
    /// (`matchLabelKeys: [pod-template-hash]`), so a rollout's new pods spread among themselves.
    #[default]
    ScheduleAnyway,
    /// `whenUnsatisfiable: DoNotSchedule`, with `nodeTaintsPolicy: Honor` (nodes the pod does not
    /// tolerate do not count, so a tainted pool cannot hold pods Pending) and `matchLabelKeys:
    /// [pod-template-hash]`. Strict spreading; a pod can still wait when the nodes it may use
    /// are full.
    DoNotSchedule,
}

impl super::Words for SpreadPolicy {
    const WHAT: &'static str = "spread policy";
    const WORDS: &'static [(&'static str, Self)] = &[
        ("ScheduleAnyway", Self::ScheduleAnyway),
        ("DoNotSchedule", Self::DoNotSchedule),
    ];
}
super::spelled!(SpreadPolicy);

/// The rolling update of one workload (Deployment) of a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RolloutPlan {
    /// The fewest pods the workload runs (its replicas, or the autoscaler's minimum).
    pub min_pods: u32,
    /// `maxUnavailable` as rendered.
    pub max_unavailable: u32,
    /// `maxSurge` as rendered.
    pub max_surge: u32,
}

impl RolloutPlan {
    /// Whether a rollout can take every pod of the workload out of service at once.
    #[must_use]
    pub fn can_reach_zero_ready(&self) -> bool {
        self.min_pods > 0 && self.max_unavailable >= self.min_pods
    }
}

impl Service {
    /// The fewest pods the workload `index` (a subset, or the service's only workload for 0)
    /// runs: the primary follows the service's scaling, other subsets their replicas (default 1).
    #[must_use]
    pub fn workload_min_pods(&self, index: usize) -> u32 {
        self.workload_pods(index).0
    }

    /// (fewest, most) pods of workload `index`.
    fn workload_pods(&self, index: usize) -> (u32, u32) {
        match (self.deployment_replicas(index), &self.scaling) {
            (Some(replicas), _) => (replicas, replicas),
            (None, Scaling::Autoscale(hpa)) => (hpa.min_replicas, hpa.max_replicas),
            (None, Scaling::Replicas(replicas)) => (*replicas, *replicas),
        }
    }

    /// The number of workloads (Deployments): one per subset, at least one.
    #[must_use]
    pub fn workload_count(&self) -> usize {
        self.subsets.len().max(1)
    }

    /// The (fewest, most) pods of the whole service, every workload together.
    #[must_use]
    pub fn pod_range(&self) -> (u32, u32) {
        (0..self.workload_count())
            .map(|index| self.workload_pods(index))
            .fold((0, 0), |(min, max), (a, b)| {
                (min.saturating_add(a), max.saturating_add(b))
            })
    }

    /// The rolling update of workload `index`. A rollout never takes a workload below one ready
    /// pod: `maxUnavailable` is capped at its fewest pods minus one (0 for a one-pod workload,
    /// which then rolls by surging), unless [`Rollout::allow_zero_ready`](super::Rollout) is set
    /// or `max_surge` is 0 (a rollout must then remove a pod to make progress).
    #[must_use]
    pub fn rollout_plan(&self, index: usize) -> RolloutPlan {
        let min_pods = self.workload_min_pods(index);
        let rollout = &self.rollout;
        let capped = rollout.max_unavailable.min(min_pods.saturating_sub(1));
        let max_unavailable = if rollout.allow_zero_ready || rollout.max_surge == 0 {
            rollout.max_unavailable
        } else {
            capped
        };
        RolloutPlan {
            min_pods,
            max_unavailable,
            max_surge: rollout.max_surge,
        }
    }

    /// The PodDisruptionBudget the service gets, if any.
    #[must_use]
    pub fn resolved_disruption_budget(&self) -> Option<ResolvedBudget> {
        match self.disruption_budget {
            DisruptionBudget::Disabled => None,
            DisruptionBudget::MaxUnavailable(count) => Some(ResolvedBudget::MaxUnavailable(count)),
            DisruptionBudget::MinAvailable(count) => Some(ResolvedBudget::MinAvailable(count)),
            DisruptionBudget::Auto => {
                let (_, most) = self.pod_range();
                match most {
                    0 | 1 => None,
                    pods if pods >= LARGE_SERVICE_PODS => Some(ResolvedBudget::MaxUnavailable(
                        PodCount::Percent(LARGE_SERVICE_MAX_UNAVAILABLE_PERCENT),
                    )),
                    _ => Some(ResolvedBudget::MaxUnavailable(PodCount::Pods(1))),
                }
            }
        }
    }
}
