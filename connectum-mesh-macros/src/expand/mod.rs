//! Syntax → the builder calls a user would write by hand, producing a `connectum_mesh::Mesh`.
//!
//! Only keys the user wrote become setter calls, so the defaults are the builders' own.
//! Literals were checked while reading; expressions are passed through with their own spans,
//! so rustc's type errors point inside the user's `mesh!`.
//!
//! A node's table keys become `.setter(value)` calls by one function, [`value::setters`], a
//! nested block the builder of its own type, a subset's name its handle
//! ([`value::Handles`]). Around it, one file per node
//! of the DSL, as in [`crate::syntax`]: [`mesh`](mod@mesh) expands the whole input and calls [`service`],
//! [`route`] and [`security`] for the nodes under it; [`value`] writes the values
//! (literals as the constructors a user calls, expressions as written).

mod fragment;
mod gateway;
mod mesh;
mod route;
mod security;
mod service;
mod value;

pub use fragment::fragment;
pub use mesh::mesh;
