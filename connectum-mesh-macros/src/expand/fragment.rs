//! A fragment: `MeshFragment::builder()` with the same setters as the mesh's for its external
//! callers, chain budgets, services (each built in a function of its own) and gateways.

use proc_macro2::Delimiter::{Brace, Bracket};

use super::code::Code;
use super::mesh::{chain_budget, members, services};
use super::security::external;
use super::value::{Handles, comma_separated, scalar};
use crate::syntax::mesh::MeshNode;

/// The expression `mesh_fragment!` expands to.
pub fn fragment(code: &mut Code, node: &MeshNode) {
    code.group(Brace, |code| {
        services(code, node);
        code.path("MeshFragment::builder()");
        if let Some(namespaces) = node.fields.get("known_namespaces") {
            code.call(".known_namespaces", |code| {
                scalar(code, namespaces, Handles::None)
            });
        }
        code.call(".external_callers", |code| {
            code.group(Bracket, |code| {
                comma_separated(code, &node.externals, external)
            });
        });
        code.call(".chain_budgets", |code| {
            code.group(Bracket, |code| {
                comma_separated(code, &node.chain_budgets, chain_budget);
            });
        });
        members(code, node);
        code.push(".build()");
    });
}
