//! The mesh: `Mesh::builder()` with its settings, its `services` (each built in a function of
//! its own) and its `gateways`.

use proc_macro2::Delimiter::{Brace, Bracket, Parenthesis};

use super::code::Code;
use super::gateway::gateway;
use super::security::{external, vec_macro};
use super::service::service;
use super::value::{Handles, after, comma_separated, named_record, record, setters};
use crate::syntax::mesh::{ChainBudgetNode, MeshNode};

/// The local binding the services are built in, before they are moved into the mesh.
const SERVICES: &str = "services";

/// The local binding the mesh is built in.
const MESH: &str = "mesh";

/// `ChainBudget::builder().chain([..]).budget(..).build()` for `chain_budget { chain: [..],
/// calls: n }`.
pub(super) fn chain_budget(code: &mut Code, node: &ChainBudgetNode) {
    record(code, "ChainBudget", &node.fields, |_| {}, Handles::None);
}

/// The helper each service is built through (`__connectum_mesh_service`). Each service is
/// built in a function of its own (the helper, instantiated once per service's closure and
/// never inlined), so rustc's optimiser sees N small functions rather than one expression the
/// size of the mesh, and a release build grows linearly with it. A closure rather than a
/// plain `fn` keeps the user's expressions able to name local variables.
fn service_builder(code: &mut Code) {
    code.push("#[inline(never)] fn __connectum_mesh_service<F: ::core::ops::FnOnce() -> ");
    code.path("Service> (service: F) -> ");
    code.path("Service { service() }");
}

/// The statement that builds the services, which [`members`] puts in the mesh or fragment
/// builder with the gateways. The services are built first, into a fragment, because the
/// gateways' routes name subsets through the handles of those services
/// (`MeshFragment::service`); the `gateways` setter borrows it before `services` moves the
/// services out.
pub(super) fn services(code: &mut Code, node: &MeshNode) {
    if node.services.is_empty() && node.gateways.is_empty() {
        return;
    }
    if !node.services.is_empty() {
        service_builder(code);
    }
    code.push("let ");
    code.binding(SERVICES);
    code.push(" = ");
    code.path("MeshFragment::builder().services");
    code.group(Parenthesis, |code| {
        code.group(Bracket, |code| {
            comma_separated(code, &node.services, |code, s| {
                code.push("__connectum_mesh_service");
                code.group(Parenthesis, |code| {
                    code.push("|| ");
                    service(code, s);
                });
            });
        });
    });
    code.push(".build(); ");
}

/// The setters that put the services [`services`] built and the gateways in a mesh or
/// fragment builder.
pub(super) fn members(code: &mut Code, node: &MeshNode) {
    if node.services.is_empty() && node.gateways.is_empty() {
        return;
    }
    if !node.gateways.is_empty() {
        code.call(".gateways", |code| {
            code.group(Bracket, |code| {
                comma_separated(code, &node.gateways, |code, g| gateway(code, g, SERVICES));
            });
        });
    }
    code.call(".services", |code| {
        code.binding(SERVICES);
        code.push(".services");
    });
}

/// The expression `mesh!` expands to.
pub fn mesh(code: &mut Code, node: &MeshNode) {
    code.group(Brace, |code| {
        services(code, node);
        code.push("#[allow(unused_mut)] let mut ");
        code.binding(MESH);
        code.push(" = ");
        code.path("Mesh::builder()");
        setters(code, &node.fields, Handles::None);
        if !node.chain_budgets.is_empty() {
            code.call(".chain_budgets", |code| {
                vec_macro(code, |code| {
                    comma_separated(code, &node.chain_budgets, chain_budget);
                });
            });
        }
        if let Some(t) = &node.telemetry {
            code.call(".telemetry", |code| {
                named_record(code, "Telemetry", &t.name.value, &t.fields);
            });
        }
        if !node.externals.is_empty() {
            code.call(".external_callers", |code| {
                vec_macro(code, |code| {
                    comma_separated(code, &node.externals, external)
                });
            });
        }
        members(code, node);
        code.push(".build(); ");
        after(code, &node.fields, MESH);
        code.binding(MESH);
    });
}
