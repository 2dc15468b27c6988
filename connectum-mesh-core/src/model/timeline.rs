//! The pod's shutdown and start-up timeline: when each process stops, and what fails when one
//! step is too short.
//!
//! A meshed pod holds two processes on their own clocks: the Connectum app and the Istio proxy.
//! On shutdown Kubernetes removes the pod from the endpoints, runs the app's preStop hook, sends
//! SIGTERM, and kills whatever still runs when `terminationGracePeriodSeconds` ends. The proxy
//! drains on its own clock: with classic sidecars it receives SIGTERM at once and exits after
//! `terminationDrainDuration`, so it must outlast the app's drain; with native sidecars
//! Kubernetes stops it only after the app has exited. At start-up the app must not call out
//! before its proxy is ready.
//!
//! [`PodTimeline`] computes all of it once from the model; the checker reads its
//! [`failures`](PodTimeline::failures) and the renderer writes its numbers, so what is checked is
//! what is emitted.
//!
//! ```
//! use std::time::Duration as Elapsed;
//! use connectum_mesh_core::{Mesh, Service, StepKind};
//!
//! let mesh = Mesh::builder()
//!     .namespace("shop")
//!     .services([Service::builder().name("cart").image("cart:1.0.0").build()])
//!     .build();
//! let timeline = mesh.shutdown_timeline("cart").expect("declared");
//! // preStop 5s, Connectum drains up to 30s, the proxy outlasts both, the kill comes 5s later.
//! assert_eq!(timeline.step(StepKind::PreStop).map(|s| s.end), Some(Elapsed::from_secs(5)));
//! assert_eq!(timeline.step(StepKind::AppDrain).map(|s| s.end), Some(Elapsed::from_secs(35)));
//! assert_eq!(timeline.step(StepKind::ProxyDrain).map(|s| s.end), Some(Elapsed::from_secs(35)));
//! assert_eq!(timeline.killed_at(), Elapsed::from_secs(40));
//! assert!(timeline.what_fails_between(Elapsed::from_secs(5), Elapsed::from_secs(30)).is_empty());
//! ```

use std::fmt;
use std::time::Duration as Elapsed;

use super::{Duration, Mesh, Service};

/// Istio's default `terminationDrainDuration`: how long the proxy drains after its SIGTERM.
pub const ISTIO_DEFAULT_TERMINATION_DRAIN: Duration = Duration::from_secs(5);

/// How Istio runs the proxy beside the app; a property of the cluster the user states on the
/// mesh ([`Mesh::sidecars`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SidecarMode {
    /// The proxy is a regular container: it starts and stops beside the app on its own clock.
    /// The renderer then sets `holdApplicationUntilProxyStarts` and a `terminationDrainDuration`
    /// that covers the app's drain (`proxy.istio.io/config`). Safe on every cluster.
    #[default]
    Classic,
    /// The proxy is a Kubernetes native sidecar (an init container with `restartPolicy: Always`;
    /// Kubernetes ≥ 1.29 and Istio with native sidecars enabled, the default from Istio 1.27 on
    /// clusters that support them). Kubernetes starts it before the app and stops it after the
    /// app has exited; the renderer asks for it per pod (`sidecar.istio.io/nativeSidecar`).
    Native,
}

impl super::Words for SidecarMode {
    const WHAT: &'static str = "sidecar mode";
    const WORDS: &'static [(&'static str, Self)] =
        &[("classic", Self::Classic), ("native", Self::Native)];
}
super::spelled!(SidecarMode);

/// One step of the shutdown, on the clock that starts when Kubernetes begins terminating the pod
/// (it removes the pod from the endpoints and runs the preStop hook at the same moment).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StepKind {
    /// The preStop sleep: the app keeps serving while endpoint removal reaches every caller's
    /// proxy. SIGTERM reaches the app when it ends.
    PreStop,
    /// Connectum's graceful shutdown: it stops accepting, finishes in-flight requests (which may
    /// call other services) and force-closes what is left at its shutdown timeout.
    AppDrain,
    /// The proxy drains and exits (`terminationDrainDuration`). The app's calls out go through it
    /// until then.
    ProxyDrain,
}

impl fmt::Display for StepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::PreStop => "preStop sleep",
            Self::AppDrain => "app drain (Connectum shutdown timeout)",
            Self::ProxyDrain => "proxy drain (terminationDrainDuration)",
        })
    }
}

/// A step of the shutdown: `start` and `end` are the time since termination began.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// Which step.
    pub kind: StepKind,
    /// When it starts.
    pub start: Elapsed,
    /// When it ends at the latest.
    pub end: Elapsed,
}

/// What fails during a shutdown whose steps do not cover each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// The proxy has exited while the app still drains: the app's calls out fail.
    OutboundCallsFail,
    /// The grace period ended while the app still drains: the kill cuts in-flight requests off.
    InFlightRequestsKilled,
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::OutboundCallsFail => "the app's calls out fail (its proxy has exited)",
            Self::InFlightRequestsKilled => {
                "in-flight requests are killed (the grace period ended)"
            }
        })
    }
}

/// A window of the shutdown in which something fails, and the step that is short.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failure {
    /// What fails.
    pub kind: FailureKind,
    /// From when.
    pub from: Elapsed,
    /// Until when (the end of the app's drain at the latest).
    pub until: Elapsed,
    /// The setting that ends too early.
    pub short_step: ShortStep,
}

impl Failure {
    /// How much longer the short step must last: the length of the window.
    #[must_use]
    pub fn short_by(&self) -> Elapsed {
        self.until.saturating_sub(self.from)
    }
}

/// The setting a [`Failure`] blames.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShortStep {
    /// The proxy's `terminationDrainDuration` ([`GracefulShutdown::proxy_drain`](super::GracefulShutdown::proxy_drain)).
    ProxyDrain,
    /// `terminationGracePeriodSeconds` ([`GracefulShutdown::termination_grace_period`](super::GracefulShutdown::termination_grace_period)).
    GracePeriod,
}

/// How the app and its proxy start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Startup {
    /// Kubernetes starts the native-sidecar proxy and waits for it before starting the app.
    NativeSidecarFirst,
    /// The injector holds the app container until the proxy is ready
    /// (`holdApplicationUntilProxyStarts`).
    HeldUntilProxyStarts,
    /// Both start at once: the app's first calls out can fail until the proxy is ready.
    Concurrent,
}

impl Startup {
    /// Whether the proxy is ready before the app can call out.
    #[must_use]
    pub fn proxy_ready_first(self) -> bool {
        !matches!(self, Self::Concurrent)
    }
}

/// The shutdown and start-up timeline of one service's pods, computed from the model: the one
/// place the checker and the renderer read these numbers from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodTimeline {
    service: String,
    sidecars: SidecarMode,
    pre_stop: Elapsed,
    app_drain: Elapsed,
    proxy_drain: Elapsed,
    proxy_drain_set: bool,
    grace_period: Elapsed,
    grace_period_set: bool,
    margin: Elapsed,
    startup: Startup,
}

impl PodTimeline {
    /// The timeline of `service`'s pods in `mesh`.
    #[must_use]
    pub fn of(mesh: &Mesh, service: &Service) -> Self {
        let shutdown = &service.shutdown;
        let pre_stop = shutdown.pre_stop_duration();
        let app_drain = Elapsed::from(shutdown.timeout);
        let app_done = pre_stop.saturating_add(app_drain);
        let (proxy_drain, proxy_drain_set) = match (shutdown.proxy_drain, mesh.sidecars) {
            (Some(drain), _) => (Elapsed::from(drain), true),
            // The proxy received SIGTERM with the app's preStop: it must drain until the app is
            // done, in whole seconds like the grace period.
            (None, SidecarMode::Classic) => (ceil_to_seconds(app_done), false),
            (None, SidecarMode::Native) => (ISTIO_DEFAULT_TERMINATION_DRAIN.into(), false),
        };
        let margin = Elapsed::from(shutdown.margin);
        let proxy_end = match mesh.sidecars {
            SidecarMode::Classic => proxy_drain,
            SidecarMode::Native => app_done.saturating_add(proxy_drain),
        };
        let (grace_period, grace_period_set) = match shutdown.termination_grace_period {
            Some(grace) => (Elapsed::from(grace), true),
            None => (
                ceil_to_seconds(app_done.max(proxy_end).saturating_add(margin)),
                false,
            ),
        };
        let startup = match (mesh.sidecars, shutdown.hold_until_proxy_starts) {
            (SidecarMode::Native, _) => Startup::NativeSidecarFirst,
            (SidecarMode::Classic, true) => Startup::HeldUntilProxyStarts,
            (SidecarMode::Classic, false) => Startup::Concurrent,
        };
        Self {
            service: service.name.clone(),
            sidecars: mesh.sidecars,
            pre_stop,
            app_drain,
            proxy_drain,
            proxy_drain_set,
            grace_period,
            grace_period_set,
            margin,
            startup,
        }
    }

    /// The service the timeline is of.
    #[must_use]
    pub fn service(&self) -> &str {
        &self.service
    }

    /// How the proxy runs beside the app.
    #[must_use]
    pub fn sidecars(&self) -> SidecarMode {
        self.sidecars
    }

    /// The steps in the order they start: preStop, the app's drain, the proxy's drain.
    #[must_use]
    pub fn steps(&self) -> Vec<Step> {
        let app_start = self.pre_stop;
        let app_end = self.app_stops_calling_out_at();
        let proxy_start = match self.sidecars {
            SidecarMode::Classic => Elapsed::ZERO,
            SidecarMode::Native => app_end,
        };
        let mut steps = vec![
            Step {
                kind: StepKind::PreStop,
                start: Elapsed::ZERO,
                end: self.pre_stop,
            },
            Step {
                kind: StepKind::AppDrain,
                start: app_start,
                end: app_end,
            },
            Step {
                kind: StepKind::ProxyDrain,
                start: proxy_start,
                end: self.proxy_exits_at(),
            },
        ];
        steps.sort_by_key(|step| (step.start, step.end));
        steps
    }

    /// One step by kind.
    #[must_use]
    pub fn step(&self, kind: StepKind) -> Option<Step> {
        self.steps().into_iter().find(|step| step.kind == kind)
    }

    /// The preStop sleep as it runs (Kubernetes' `sleep` action counts whole seconds, so a
    /// fraction is rounded up; zero without a preStop hook).
    #[must_use]
    pub fn pre_stop(&self) -> Elapsed {
        self.pre_stop
    }

    /// Connectum's shutdown timeout: how long the app drains after SIGTERM at the most.
    #[must_use]
    pub fn app_drain(&self) -> Elapsed {
        self.app_drain
    }

    /// The proxy's `terminationDrainDuration`: the set value, or the derived one (classic
    /// sidecars: preStop + the app's drain, whole seconds; native sidecars: Istio's 5s).
    #[must_use]
    pub fn proxy_drain(&self) -> Elapsed {
        self.proxy_drain
    }

    /// The `terminationDrainDuration` to render in `proxy.istio.io/config`: always with classic
    /// sidecars (Istio's 5s default cuts the app's drain off), only when set with native ones.
    #[must_use]
    pub fn proxy_drain_to_render(&self) -> Option<Duration> {
        let render = self.proxy_drain_set || self.sidecars == SidecarMode::Classic;
        render
            .then(|| u64::try_from(self.proxy_drain.as_millis()).ok())
            .flatten()
            .and_then(Duration::try_from_millis)
    }

    /// `terminationGracePeriodSeconds`: the set value, or the end of the last step plus the
    /// margin, rounded up to whole seconds.
    #[must_use]
    pub fn grace_period(&self) -> Elapsed {
        self.grace_period
    }

    /// The time left between the end of the last step and the kill.
    #[must_use]
    pub fn margin(&self) -> Elapsed {
        self.margin
    }

    /// When the app stops calling out at the latest: preStop + its drain.
    #[must_use]
    pub fn app_stops_calling_out_at(&self) -> Elapsed {
        self.pre_stop.saturating_add(self.app_drain)
    }

    /// When the proxy exits at the latest (before the kill).
    #[must_use]
    pub fn proxy_exits_at(&self) -> Elapsed {
        let drained = match self.sidecars {
            SidecarMode::Classic => self.proxy_drain,
            SidecarMode::Native => self
                .app_stops_calling_out_at()
                .saturating_add(self.proxy_drain),
        };
        drained.min(self.killed_at())
    }

    /// When Kubernetes kills what still runs: the grace period.
    #[must_use]
    pub fn killed_at(&self) -> Elapsed {
        self.grace_period
    }

    /// How the proxy and the app start.
    #[must_use]
    pub fn startup(&self) -> Startup {
        self.startup
    }

    /// Every window of the shutdown in which something fails; empty when the timeline holds.
    #[must_use]
    pub fn failures(&self) -> Vec<Failure> {
        let app_done = self.app_stops_calling_out_at();
        let mut failures = Vec::new();
        let proxy_gone = match self.sidecars {
            SidecarMode::Classic => self.proxy_drain,
            // Kubernetes stops a native sidecar only after the app.
            SidecarMode::Native => app_done,
        };
        if proxy_gone < app_done && proxy_gone < self.killed_at() {
            failures.push(Failure {
                kind: FailureKind::OutboundCallsFail,
                from: proxy_gone,
                until: app_done.min(self.killed_at()),
                short_step: ShortStep::ProxyDrain,
            });
        }
        if self.killed_at() < app_done {
            failures.push(Failure {
                kind: FailureKind::InFlightRequestsKilled,
                from: self.killed_at(),
                until: app_done,
                short_step: ShortStep::GracePeriod,
            });
        }
        failures
    }

    /// What fails in the window `[from, to)` of the shutdown: the failures that overlap it.
    ///
    /// ```
    /// use std::time::Duration as Elapsed;
    /// use connectum_mesh_core::{Duration, FailureKind, GracefulShutdown, Mesh, Service};
    ///
    /// let mesh = Mesh::builder()
    ///     .namespace("shop")
    ///     .services([
    ///         Service::builder()
    ///             .name("cart")
    ///             .image("cart:1.0.0")
    ///             // Istio's default drain, explicitly: the proxy exits 5s in.
    ///             .shutdown(GracefulShutdown::builder().proxy_drain(Duration::from_secs(5)).build())
    ///             .build(),
    ///     ])
    ///     .build();
    /// let timeline = mesh.shutdown_timeline("cart").expect("declared");
    /// let failing = timeline.what_fails_between(Elapsed::from_secs(5), Elapsed::from_secs(30));
    /// assert_eq!(failing.len(), 1);
    /// assert_eq!(failing[0].kind, FailureKind::OutboundCallsFail);
    /// assert_eq!((failing[0].from, failing[0].until), (Elapsed::from_secs(5), Elapsed::from_secs(35)));
    /// ```
    #[must_use]
    pub fn what_fails_between(
        &self,
        from: impl Into<Elapsed>,
        to: impl Into<Elapsed>,
    ) -> Vec<Failure> {
        let (from, to) = (from.into(), to.into());
        self.failures()
            .into_iter()
            .filter(|failure| failure.from < to && from < failure.until)
            .collect()
    }

    /// Whether nothing fails during a shutdown and the proxy is ready before the app starts.
    #[must_use]
    pub fn holds(&self) -> bool {
        self.failures().is_empty() && self.startup.proxy_ready_first()
    }

    /// Whether the proxy drain and the grace period were set rather than derived.
    #[must_use]
    pub fn explicit(&self) -> (bool, bool) {
        (self.proxy_drain_set, self.grace_period_set)
    }
}

impl fmt::Display for PodTimeline {
    /// A table of the steps, for docs and test failures:
    ///
    /// ```text
    /// order-service shutdown (classic sidecars)
    ///     0s →   5s  preStop sleep
    ///     0s →  35s  proxy drain (terminationDrainDuration)
    ///     5s →  35s  app drain (Connectum shutdown timeout)
    ///            40s  kill (terminationGracePeriodSeconds)
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match self.sidecars {
            SidecarMode::Classic => "classic sidecars",
            SidecarMode::Native => "native sidecars",
        };
        writeln!(f, "{} shutdown ({mode})", self.service)?;
        for step in self.steps() {
            writeln!(
                f,
                "{:>6} → {:>4}  {}",
                seconds(step.start),
                seconds(step.end),
                step.kind
            )?;
        }
        write!(
            f,
            "{:>13}  kill (terminationGracePeriodSeconds)",
            seconds(self.killed_at())
        )?;
        for failure in self.failures() {
            write!(
                f,
                "\n{:>6} → {:>4}  FAILS: {}",
                seconds(failure.from),
                seconds(failure.until),
                failure.kind
            )?;
        }
        Ok(())
    }
}

/// `35s`, `2.5s`, `0s`: a point of the timeline in Istio's duration syntax.
pub(crate) fn seconds(elapsed: Elapsed) -> String {
    u64::try_from(elapsed.as_millis())
        .ok()
        .and_then(Duration::try_from_millis)
        .map_or_else(|| "0s".to_owned(), |d| d.to_string())
}

/// Rounded up to whole seconds: Kubernetes counts the grace period and the `sleep` action in
/// seconds, and rounding down would undercut the step it covers.
pub(crate) fn ceil_to_seconds(elapsed: Elapsed) -> Elapsed {
    let millis = elapsed.as_millis();
    let secs = millis.div_ceil(1000);
    Elapsed::from_secs(u64::try_from(secs).unwrap_or(u64::MAX))
}
