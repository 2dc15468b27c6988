//! The engine of connectum-mesh: the mesh model, its typed builders and the checker.
//!
//! Users depend on the `connectum-mesh` crate, which re-exports everything here and adds
//! rendering and emitting. This crate does no I/O and pulls in no Kubernetes types, so the
//! `mesh!` proc-macro can run the same checks at compile time.
//!
//! # How to add to a collection
//!
//! - **Declaring:** every collection of a [`Mesh`] or a [`MeshFragment`] (services, gateways,
//!   external callers, chain budgets, known namespaces) is set through its builder setter, which
//!   takes any iterable (an array, a `Vec`, an iterator, an `Option`).
//! - **Growing a built mesh:** [`Mesh::merge`], the one way. It takes a [`MeshFragment`] (another
//!   crate's part), a [`Service`] or a [`Gateway`], and refuses a name already taken with a
//!   coded diagnostic, merging nothing.
//! - **Subsets and routes** are the exception: [`Service::add_subset`] returns the [`SubsetRef`]
//!   handle routes name, so a service's subsets and routes ([`Service::add_route`]) are added
//!   after `build()`.
//!
//! The fields stay public for reading (the checker and renderer of other crates read them);
//! `Mesh::add_service`, `Mesh::add_gateway` and `MeshFragment`'s `add_*` are deprecated.
//!
//! ```
//! use connectum_mesh_core::{ExternalCaller, Mesh, MeshFragment, Service, ServiceAccountRef};
//!
//! let service = |name: &str| Service::builder().name(name).image(format!("{name}:1")).build();
//! let mut shop = Mesh::builder()
//!     .namespace("shop")
//!     .services(["cart", "stock"].map(service))
//!     .external_callers([ExternalCaller::builder().name("gateway")
//!         .service_account(ServiceAccountRef::new("shop", "gateway")).calls(["cart"]).build()])
//!     .build();
//! let billing = MeshFragment::builder().services([service("billing")]).build();
//! shop.merge(billing)?.merge(service("search"))?;
//! assert_eq!(shop.services.len(), 4);
//! # Ok::<(), connectum_mesh_core::Diagnostics>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod check;
pub mod diag;
pub mod model;

pub use check::check;
pub use diag::{Code, Diagnostic, Diagnostics, Level, MeshPath, Related, Segment, Severity};
pub use model::*;
