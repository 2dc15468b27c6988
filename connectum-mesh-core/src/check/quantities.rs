//! Resource quantities that parse but cannot be meant: memory in millibytes, CPU in hundreds of
//! cores, memory too small for Node.js to start.

use super::LazyPath;
use crate::diag::registry::{CPU_IN_CORES, MEMORY_IN_MILLIBYTES, MEMORY_TOO_SMALL};
use crate::diag::{Diagnostics, MeshPath};
use crate::model::{Mesh, Quantity, Resources};

/// More cores than this in one container is a unit slip (`500` for `500m`), not a plan.
const MAX_PLAUSIBLE_CORES: f64 = 64.0;
/// Below this a Node.js process with gRPC and protobuf loaded is OOM-killed while starting.
const MIN_NODE_MEMORY_MIB: f64 = 64.0;
const MIB: f64 = 1024.0 * 1024.0;

pub(super) fn run(mesh: &Mesh, out: &mut Diagnostics) {
    for service in &mesh.services {
        let path = || MeshPath::service(&service.name);
        let containers = [
            ("resources", service.resources.as_ref(), true),
            ("sidecar", service.sidecar.as_ref(), false),
        ];
        for (field, resources, runs_node) in containers {
            let Some(resources) = resources else { continue };
            let path = || path().field(field);
            check_units(resources, &path, out);
            if runs_node {
                check_node_memory(resources, &path, out);
            }
        }
    }
}

/// The memory quantities of a container, named like their builder fields.
fn memory(resources: &Resources) -> [(&'static str, Option<&Quantity>); 2] {
    [
        ("memory_request", resources.memory_request.as_ref()),
        ("memory_limit", resources.memory_limit.as_ref()),
    ]
}

/// Whether a quantity is written with a sub-unit suffix (`m`, `u`, `n`): thousandths and less.
fn has_fraction_suffix(quantity: &Quantity) -> bool {
    quantity.as_str().ends_with(['m', 'u', 'n'])
}

/// `256m` memory is a quarter of a byte, and `500` CPU is five hundred cores.
fn check_units(resources: &Resources, path: &LazyPath<'_>, out: &mut Diagnostics) {
    for (field, quantity) in memory(resources) {
        let Some(quantity) = quantity.filter(|q| has_fraction_suffix(q)) else {
            continue;
        };
        let number = quantity.as_str().trim_end_matches(['m', 'u', 'n']);
        out.push(
            MEMORY_IN_MILLIBYTES
                .at(
                    path().field(field),
                    format!("memory `{quantity}` is in thousandths of a byte or less ({} bytes), not mebibytes", quantity.value()),
                )
                .with_help(format!("write `{number}Mi` (mebibytes)")),
        );
    }
    let cpu = [
        ("cpu_request", resources.cpu_request.as_ref()),
        ("cpu_limit", resources.cpu_limit.as_ref()),
    ];
    for (field, quantity) in cpu {
        let Some(quantity) = quantity.filter(|q| q.value() > MAX_PLAUSIBLE_CORES) else {
            continue;
        };
        let number = quantity.as_str();
        let help = if number.bytes().all(|b| b.is_ascii_digit()) {
            format!("write `{number}m` for {number} millicores")
        } else {
            "write millicores with `m` (e.g. `500m`), or a number of cores a node has".to_owned()
        };
        out.push(
            CPU_IN_CORES
                .at(
                    path().field(field),
                    format!("CPU `{quantity}` is {} whole cores: no node has that many, so the pods stay Pending", quantity.value()),
                )
                .with_help(help),
        );
    }
}

/// Node.js needs tens of MiB before it serves anything: a smaller limit is an OOM loop.
fn check_node_memory(resources: &Resources, path: &LazyPath<'_>, out: &mut Diagnostics) {
    // The limit caps the container; without one, the request is what was planned for.
    let Some((field, quantity)) = memory(resources)
        .into_iter()
        .rev()
        .find_map(|(field, quantity)| quantity.map(|q| (field, q)))
    else {
        return;
    };
    if has_fraction_suffix(quantity) || quantity.value() >= MIN_NODE_MEMORY_MIB * MIB {
        return;
    }
    out.push(
        MEMORY_TOO_SMALL
            .at(
                path().field(field),
                format!("memory `{quantity}` is below the {MIN_NODE_MEMORY_MIB} MiB a Node.js process needs to start: the container is OOM-killed in a loop"),
            )
            .with_help("give the container at least 64Mi (128Mi or more for a real service)"),
    );
}
