//! The mistakes of the DSL's own syntax (keys, values, literals) that `mesh!` refuses at compile time: one function per
//! mistake, its comment saying what is wrong. `mesh!` reports every mistake of every invocation
//! in one pass, so this one crate carries the family and its .stderr holds each message at its
//! span (one trybuild crate per family keeps the suite fast; see tests/ui/README.md).
#![allow(dead_code)] // the cases are compiled, never called

// Every mistake is reported in one pass, each at its own token, and nothing after them.
fn all_at_once() {
    let mesh = connectum_mesh::mesh! {
        namespace: connectum,
        mtls: STRICT,
        service order-service {
            image: "order:1.0.0",
            replica: 2,
            resources: { limits: { memory: 128MB } },
            subset stable {}
            subset canary {}
            route {
                split: { stable: 90, canary: 5 },
                timeout: 30sec,
            }
        }
    };
    // The macro still gives a Mesh, so this line adds no error.
    let _services = mesh.services.len();
}

// `30sec` is not a Go duration: the literal's suffix is read and refused.
fn bad_duration() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            subset stable {}
            route { to: stable, timeout: 30sec }
        }
    };
}

// `128MB` is not a Kubernetes quantity (`128Mi` is).
fn bad_quantity() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            resources: { requests: { cpu: 100m, memory: 128MB } },
        }
    };
}

// A key set twice: the second is reported.
fn duplicate_key() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "ghcr.io/mycompany/order-service:1.0.0",
            image: "ghcr.io/mycompany/order-service:1.1.0",
        }
    };
}

// Two routes of one service with one name: the checker's CM0232, once, at the second name.
fn duplicate_route() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            subset stable {}
            route primary { to: stable }
            route primary { to: stable }
        }
    };
}

// A missing `:` after a key.
fn malformed() {
    let _mesh = connectum_mesh::mesh! {
        namespace connectum,
    };
}

// A service needs an image.
fn missing_key() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service { port: 5000 }
    };
}

// A port is at most 65535.
fn out_of_range() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service { image: "order:1.0.0", port: 70000 }
    };
}

// An unknown key is reported at the key, with the closest known key.
fn unknown_key() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "ghcr.io/mycompany/order-service:1.0.0",
            replica: 3,
        }
    };
}

// mtls is one of STRICT, PERMISSIVE, DISABLE.
fn unknown_word() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        mtls: STRICTER,
    };
}

// A port is a number, not text.
fn wrong_value() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service { image: "order:1.0.0", port: "5000" }
    };
}

// A gateway's own mistakes: a runtime and a protocol out of their words, a listener without
// its port, a split leg without its service, a match that names no request.
fn gateway_syntax() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service { image: "order:1.0.0", subset stable {} }
        gateway edge {
            runtime: envoy_gatway edge,
            listener grpc { port: 9090, protocol: GRCP }
            listener web { protocol: HTTP }
            route orders { match: { headers: { x-canary: "true" } }, split: { stable: 100 } }
        }
    };
}

// A forgotten comma: one error, and the entry after it still counts (no "has no `image`").
fn missing_comma() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service { port: 5000 image: "order:1.0.0" }
    };
}

// A lint level names a code the registry does not have, and tries to lower an error.
fn lint_codes() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        deny: [CM0399],
        allow: [CM0202],
        service order-service { image: "order:1.0.0" }
    };
}

// A fragment is one crate's part of a mesh: the mesh-wide settings are refused at their token
// (an old word included, named as written), and no unknown-key error follows them.
fn mesh_wide_keys_in_a_fragment() {
    let _fragment = connectum_mesh::mesh_fragment! {
        namespace: shop,
        mtls: STRICT,
        hosts: fqdn,
        retry_budget: 12,
        allow: [CM0460],
        telemetry shop-telemetry { metrics_providers: [prometheus] }
        known_namespaces: [billing],
        service inventory-service { image: "inventory:1.0.0" }
    };
}

// What a fragment can be judged by alone is still a compile error in it; its call to a service
// of another crate is not (the composed mesh judges that).
fn local_mistakes_in_a_fragment() {
    let _fragment = connectum_mesh::mesh_fragment! {
        service checkout-service {
            image: "checkout:1.0.0",
            calls: [inventory-service],
            subset stable {}
            route { to: canary, timeout: 30s }
        }
    };
}


// The keys that are rows like any other since stop 19 (scaling, app_tls, a gateway's runtime,
// service account and matches, the budget, the lint levels): two wrong values each, each
// refused at its own token.
fn table_keys() {
    let _mesh = connectum_mesh::mesh! {
        namespace: shop,
        version: release,
        retry_budget: 0,
        deny: [CM9999],
        allow: [CM0201],
        deny_warnings: maybe,
        service orders {
            image: "orders:1.0.0",
            replicas: "three",
            app_tls: 5,
        }
        service billing {
            image: "billing:1.0.0",
            replicas: 2,
            autoscale: { min_replicas: 2 },
        }
        service stock { image: "stock:1.0.0", app_tls: { dir: "/etc/tls" } }
        gateway edge {
            runtime: envoy_gatway edge,
            service_account: envoy-gateway,
            listener grpc { port: 9090, protocol: HTTP }
            route orders { match: { grpc_method: "Create" }, target: orders }
            route docs { match: "/docs", target: orders }
        }
        gateway edge2 {
            runtime: 42,
            service_account: "shop/",
            listener grpc { port: 9091, protocol: HTTP }
            route orders { match: { path_prefix: "/v1", grpc_service: "x.Y" }, target: orders }
        }
    };
}

fn main() {}
