//! The mistakes of security (mTLS and allow rules) that `mesh!` refuses at compile time: one function per
//! mistake, its comment saying what is wrong. `mesh!` reports every mistake of every invocation
//! in one pass, so this one crate carries the family and its .stderr holds each message at its
//! span (one trybuild crate per family keeps the suite fast; see tests/ui/README.md).
#![allow(dead_code)] // the cases are compiled, never called

// order-service calls inventory-service, whose allow rules do not admit it.
fn caller_not_allowed() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        known_namespaces: [billing],
        service order-service { image: "order:1.0.0", calls: [inventory-service] }
        service inventory-service {
            image: "inventory:1.0.0",
            allow { from: [namespace billing] }
        }
    };
}

// An allow rule that names no source.
fn empty_allow_rule() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            allow { from: [] }
        }
    };
}

// STRICT mTLS with sidecar injection off: nothing can reach the pods.
fn strict_without_injection() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        mtls: STRICT,
        sidecar_injection: off,
        service order-service { image: "order:1.0.0" }
    };
}

// An allow rule names a namespace the mesh does not know.
fn undeclared_namespace() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            allow { from: [namespace biling] }
        }
    };
}

// The guide's allow rule names the gateway's service account, but nothing declares it.
fn undeclared_principal() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            allow { from: [service_account connectum/envoy-gateway] }
        }
    };
}

// A malformed source: one error, not a second one for the allow rule it leaves empty.
fn malformed_allow_source() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            allow { from: [principal connectum/x] }
        }
    };
}

// Callers send plain text (`tls: DISABLE`) to a service whose STRICT mTLS refuses it: every
// call fails at the connection. The checker's CM0422, at the `tls` token.
fn client_tls_against_strict_mtls() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        mtls: STRICT,
        service order-service { image: "order:1.0.0", traffic_policy: { tls: DISABLE } }
    };
}

fn main() {}
