//! Typed Istio mesh configuration for Connectum gRPC services.
//!
//! Describe a mesh with the builders (or the [`mesh!`] macro), then [`render()`](fn@render) checks it and
//! derives the Kubernetes and Istio objects, and [`emit`] writes them as YAML, JSON or a
//! directory for `kubectl apply -k`. A complete mesh: one service with a stable and a canary
//! workload, header routing to the canary, then a 90/10 split.
//!
//! ```
//! use connectum_mesh::{
//!     AllowRule, Duration, HeaderMatch, Mesh, MeshRetry, MtlsMode, RequestMatch, RetryOn, Route,
//!     Service, ServiceAccountRef, Split, Subset, emit, render,
//! };
//!
//! let mut order = Service::builder()
//!     .name("order-service")
//!     .image("ghcr.io/mycompany/order-service:1.0.0")
//!     .allow([AllowRule::namespace("connectum")])
//!     .build();
//! let stable = order.add_subset(Subset::builder().name("stable").build());
//! let canary = order.add_subset(
//!     Subset::builder().name("canary").image("ghcr.io/mycompany/order-service:1.1.0-rc.1").replicas(1).build(),
//! );
//! let retries = MeshRetry::builder()
//!     .attempts(1)
//!     .per_try_timeout(Duration::from_secs(10))
//!     .retry_on([RetryOn::Unavailable])
//!     .build();
//! order
//!     .add_route(
//!         Route::builder()
//!             .name("canary-header")
//!             .matches([RequestMatch::header(HeaderMatch::exact("x-canary", "true"))])
//!             .target(&canary)
//!             .timeout(Duration::from_secs(30))
//!             .retries(retries.clone())
//!             .build(),
//!     )
//!     .add_route(
//!         Route::builder()
//!             .name("default")
//!             .target(Split::new().weight(&stable, 90).weight(&canary, 10))
//!             .timeout(Duration::from_secs(30))
//!             .retries(retries)
//!             .build(),
//!     );
//! let mesh = Mesh::builder()
//!     .namespace("connectum")
//!     .mtls(MtlsMode::Strict)
//!     .services([order])
//!     .build();
//!
//! let manifests = render(&mesh)?;
//! let yaml = emit::to_yaml(&manifests)?;
//! assert!(yaml.contains("kind: VirtualService"));
//! assert!(yaml.contains("version: canary"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//!
//! Without features the crate is the pipeline a build script needs: describe, check,
//! [`render`](mod@render), [`emit`], [`build`].
//!
//! - `cli` (default): `connectum_mesh::cli`, the `emit`, `check`, `migration`, `graph` and
//!   `diff` subcommands for an infra crate's binary (clap); turns on `review`.
//! - `read`: `connectum_mesh::read`, Kubernetes and Istio manifests read back from YAML with
//!   their locations.
//! - `import`: `connectum_mesh::import`, manifests grouped into a mesh and printed as `mesh!` or
//!   builders; turns on `read`.
//! - `review`: `connectum_mesh::review`, the call diagram and the diffs in words; turns on
//!   `import`.
//! - `schema`: the JSON Schemas of the [`api`] kinds (schemars), so `CustomResourceExt::crd()`
//!   carries them; without it the CRDs have no schema.
//! - `testing`: `connectum_mesh::testing`, Istio's reading of what the mesh renders, for
//!   topology tests.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use connectum_mesh_core::*;

pub mod api;
pub mod build;
#[cfg(feature = "cli")]
#[cfg_attr(docsrs, doc(cfg(feature = "cli")))]
pub mod cli;
pub mod emit;
#[cfg(feature = "import")]
#[cfg_attr(docsrs, doc(cfg(feature = "import")))]
pub mod import;
pub mod migration;
#[cfg(feature = "read")]
#[cfg_attr(docsrs, doc(cfg(feature = "read")))]
pub mod read;
pub mod render;
#[cfg(feature = "review")]
#[cfg_attr(docsrs, doc(cfg(feature = "review")))]
pub mod review;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;

pub use render::{
    ExtraObject, IstioApi, LazyManifests, Manifests, Object, RenderError, RenderOptions, Rendered,
    render, render_lazily, render_with,
};

/// Describes a mesh in a DSL that reads like the mesh, checked while your crate compiles.
///
/// `mesh!` expands into the same builder calls you would write by hand and produces a
/// [`Mesh`]. Mistakes in literal values are compile errors at the token that is wrong: a split
/// that does not total 100, a retry product over the budget along a call chain, a route to an
/// undeclared subset, a malformed duration, an unknown key. Values written as Rust expressions
/// in parentheses, `weight: (canary_percent())`, are checked by [`check()`] and [`render()`] at run
/// time instead. The grammar is documented in the `connectum-mesh-macros` crate.
///
/// ```
/// use connectum_mesh::{emit, mesh, render};
///
/// let mesh = mesh! {
///     namespace: connectum,
///     mtls: STRICT,
///     telemetry connectum-telemetry {
///         tracing: { providers: [otel-tracing], sampling_percent: 100 },
///         metrics_providers: [prometheus],
///         access_log_providers: [otel-access-logging],
///     }
///     external envoy-gateway {
///         service_account: connectum/envoy-gateway,
///         calls: [order-service],
///     }
///     service order-service {
///         image: "ghcr.io/mycompany/order-service:1.0.0",
///         resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { cpu: 500m, memory: 512Mi } },
///         interceptors: { retry: { max_retries: 2 }, timeout: 10s },
///         allow { from: [service_account connectum/envoy-gateway] }
///         allow { from: [namespace connectum] }
///         subset stable {}
///         subset canary { image: "ghcr.io/mycompany/order-service:1.1.0-rc.1", replicas: 1 }
///         route canary-header {
///             match: { headers: { x-canary: "true" } },
///             to: canary,
///             timeout: 30s,
///             retries: { attempts: 1, per_try_timeout: 10s, retry_on: [unavailable, deadline-exceeded] },
///         }
///         route default {
///             split: { stable: 90, canary: 10 },
///             timeout: 30s,
///             retries: { attempts: 1, per_try_timeout: 10s, retry_on: [unavailable, deadline-exceeded] },
///         }
///     }
/// };
/// let yaml = emit::to_yaml(&render(&mesh)?)?;
/// assert!(yaml.contains("weight: 90"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub use connectum_mesh_macros::mesh;

/// One crate's part of a mesh, for a monorepo: `mesh!`'s nodes without its mesh-wide settings,
/// producing a [`MeshFragment`] the crate that composes the mesh adds with [`Mesh::merge`].
///
/// It takes `service`, `gateway`, `external`, `chain_budget` and `known_namespaces`, in
/// `mesh!`'s words; `namespace`, `mtls`, `retry_budget`, lint levels and the other mesh-wide
/// keys are compile errors at their token (CM0930): the composing crate sets them. What the
/// fragment alone can be judged by is checked while it compiles (the rules
/// [`MeshFragment::check`] runs); the rest (calls to other crates' services, chains over the
/// retry budget, allow lists, anything that reads a mesh-wide setting) by [`check()`] on the
/// composed mesh. A service crate that depends on `connectum-mesh-core` rather than this crate
/// uses `connectum_mesh_macros::mesh_fragment!`, which then names the core.
///
/// ```
/// use connectum_mesh::{Mesh, ServiceRef, check, mesh_fragment};
///
/// // The inventory crate: its service, and the name other crates call it by.
/// pub const INVENTORY: ServiceRef = ServiceRef::new("inventory-service");
/// let inventory = mesh_fragment! {
///     service inventory-service {
///         image: "ghcr.io/mycompany/inventory-service:2.3.0",
///         route { to: inventory-service, timeout: 5s, retries: off }
///     }
/// };
///
/// // The checkout crate calls it by the constant: a typo does not compile.
/// let checkout = mesh_fragment! {
///     service checkout-service {
///         image: "ghcr.io/mycompany/checkout-service:1.4.0",
///         calls: [(INVENTORY)],
///         route { to: checkout-service, timeout: 20s, retries: off }
///     }
/// };
///
/// // The infra crate composes them, and checks the whole.
/// let mut shop = Mesh::builder().namespace("shop").build();
/// shop.merge(inventory)?.merge(checkout)?;
/// assert!(!check(&shop).has_errors(), "{}", check(&shop));
/// # Ok::<(), connectum_mesh::Diagnostics>(())
/// ```
pub use connectum_mesh_macros::mesh_fragment;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
