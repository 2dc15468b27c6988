//! Syntax → the builder calls a user would write by hand, producing a `connectum_mesh::Mesh`.
//!
//! Only keys the user wrote become setter calls, so the defaults are the builders' own.
//! Literals were checked while reading; expressions are passed through with their own spans,
//! so rustc's type errors point inside the user's `mesh!`.
//!
//! One file per node of the DSL, as in [`crate::syntax`]: [`mesh`] expands the whole input
//! and calls [`service`], [`route`], [`resilience`] and [`security`] for what they hold;
//! [`value`] writes the values (literals as the constructors a user calls, expressions as
//! written).

mod mesh;
mod resilience;
mod route;
mod security;
mod service;
mod value;

pub use mesh::mesh;
