//! The mistakes of the model (names, duplicates, references) that `mesh!` refuses at compile time: one function per
//! mistake, its comment saying what is wrong. `mesh!` reports every mistake of every invocation
//! in one pass, so this one crate carries the family and its .stderr holds each message at its
//! span (one trybuild crate per family keeps the suite fast; see tests/ui/README.md).
#![allow(dead_code)] // the cases are compiled, never called

// Two external callers with one name.
fn duplicate_caller() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        external envoy-gateway { service_account: connectum/envoy-gateway }
        external envoy-gateway { service_account: connectum/other-gateway }
    };
}

// Two services with one name.
fn duplicate_service() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service { image: "order:1.0.0" }
        service order-service { image: "order:1.1.0" }
    };
}

// Two subsets of one service with one name.
fn duplicate_subset() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            subset canary {}
            subset canary { replicas: 2 }
        }
    };
}

// A telemetry provider with an empty name.
fn empty_provider() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        telemetry connectum-telemetry { metrics: [""] }
    };
}

// Two subsets select the same pods (the same version label).
fn overlapping_subsets() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            subset stable { version_label: "v1" }
            subset canary { version_label: "v1" }
        }
    };
}

// A service calls a service the mesh does not declare.
fn unknown_callee() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service { image: "order:1.0.0", calls: [inventry-service] }
        service inventory-service { image: "inventory:1.0.0" }
    };
}

fn main() {}
