//! The mistakes of Kubernetes wiring (names, labels, ports, probes, workloads) that `mesh!` refuses at compile time: one function per
//! mistake, its comment saying what is wrong. `mesh!` reports every mistake of every invocation
//! in one pass, so this one crate carries the family and its .stderr holds each message at its
//! span (one trybuild crate per family keeps the suite fast; see tests/ui/README.md).
#![allow(dead_code)] // the cases are compiled, never called

// An autoscaler whose minimum is over its maximum.
fn autoscaler_range() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            autoscale: { min_replicas: 10, max_replicas: 2 },
        }
    };
}

// A workload without a container image.
fn empty_image() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service { image: "" }
    };
}

// The grace period is shorter than preStop (5s) + the shutdown timeout (30s).
fn grace_period() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            shutdown: { termination_grace_period: 10s },
        }
    };
}

// A namespace label key Kubernetes refuses.
fn invalid_label() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        namespace_labels: { "team/name/extra": "orders" },
    };
}

// `order_service` is not a DNS-1123 name: Kubernetes refuses the Service.
fn invalid_name() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order_service { image: "order:1.0.0" }
    };
}

// Port 15001 is the Istio sidecar's outbound port.
fn port_reserved() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service { image: "order:1.0.0", port: 15001 }
    };
}

// Connectum serves /healthz, /readyz and /health; /alive is a 404, so the pod never gets ready.
fn probe_endpoint() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            probes: { readiness: { path: "/alive", period_seconds: 10 } },
        }
    };
}

// The app runs as UID 1337, the Istio proxy's: its traffic would bypass the sidecar.
fn proxy_uid() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service { image: "order:1.0.0", security: { run_as_user: 1337 } }
    };
}

// A disruption budget that never allows an eviction: minAvailable 2 of 2 pods blocks every node
// drain. Reported at the budget.
fn disruption_budget_blocks_drains() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            replicas: 2,
            disruption_budget: min_available 2,
        }
    };
}

fn main() {}
