//! The mistakes of routing (routes and splits) that `mesh!` refuses at compile time: one function per
//! mistake, its comment saying what is wrong. `mesh!` reports every mistake of every invocation
//! in one pass, so this one crate carries the family and its .stderr holds each message at its
//! span (one trybuild crate per family keeps the suite fast; see tests/ui/README.md).
#![allow(dead_code)] // the cases are compiled, never called

// A split with no destinations.
fn empty_split() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service { image: "order:1.0.0", route { split: {} } }
    };
}

// A header name with a space is not an HTTP token; Istio refuses it.
fn invalid_header_name() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            subset canary {}
            route { match: { headers: { "x canary": "true" } }, to: canary }
            route { to: order-service }
        }
    };
}

// A match regex RE2 does not compile.
fn invalid_regex() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            subset canary {}
            route { match: { headers: { x-user: regex "beta-(" } }, to: canary }
            route { to: order-service }
        }
    };
}

// The weights of a split total 95, not 100: reported at the split, with the total.
fn split_total() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            subset stable {}
            subset canary {}
            route default { split: { stable: 90, canary: 5 } }
        }
    };
}

// Every weight of the split is zero: no request has anywhere to go.
fn split_zero_total() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            subset stable {}
            subset canary {}
            route { split: { stable: 0, canary: 0 } }
        }
    };
}

// The route sends traffic to a subset that runs no pods.
fn subset_without_pods() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            subset stable {}
            subset canary { replicas: 0 }
            route { to: canary }
        }
    };
}

// A route to a subset the service does not declare: the closest declared one is suggested.
fn undeclared_subset() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            subset stable {}
            subset canary {}
            route { to: canry }
        }
    };
}

// A gateway route to a subset the service does not declare (`canry`), and to a service the
// mesh does not declare: each at the target, with the closest name.
fn gateway_undeclared_targets() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            subset stable {}
            subset canary { replicas: 1 }
        }
        gateway edge {
            listener web { port: 80, protocol: HTTP }
            route canary { target: order-service/canry, retries: off }
            route orders { target: order-servce, retries: off }
        }
    };
}

fn main() {}
