//! Syntax → the builder calls a user would write by hand, producing a `connectum_mesh::Mesh`.
//!
//! Only keys the user wrote become setter calls, so the defaults are the builders' own.
//! Literals were checked while reading; expressions are passed through with their own spans,
//! so rustc's type errors point inside the user's `mesh!`.
//!
//! The expansion is written as Rust source text ([`code`]), which the compiler reads in few
//! pieces, rather than built token by token.
//! A node's table keys become `.setter(value)` calls by one function, [`value::setters`], a
//! nested block the builder of its own type, a subset's name its handle
//! ([`value::Handles`]). Around it, one file per node
//! of the DSL, as in [`crate::syntax`]: [`mesh`](mod@mesh) expands the whole input and calls [`service`],
//! [`route`] and [`security`] for the nodes under it; [`value`] writes the values
//! (literals as the constructors a user calls, expressions as written).

mod code;
mod fragment;
mod gateway;
mod mesh;
mod route;
mod security;
mod service;
mod value;

use proc_macro2::TokenStream;

use crate::syntax::mesh::MeshNode;

/// The expression `mesh!` expands to; `hygienic` when the input holds a Rust expression.
pub fn mesh(node: &MeshNode, hygienic: bool) -> TokenStream {
    let mut code = code::Code::new(crate::root::current_text(), hygienic);
    mesh::mesh(&mut code, node);
    code.finish()
}

/// The expression `mesh_fragment!` expands to; `hygienic` when the input holds a Rust
/// expression.
pub fn fragment(node: &MeshNode, hygienic: bool) -> TokenStream {
    let mut code = code::Code::new(crate::root::current_text(), hygienic);
    fragment::fragment(&mut code, node);
    code.finish()
}
