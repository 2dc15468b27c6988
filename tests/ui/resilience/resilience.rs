//! The mistakes of resilience (retries, timeouts, connection pools, outlier detection, interceptors) that `mesh!` refuses at compile time: one function per
//! mistake, its comment saying what is wrong. `mesh!` reports every mistake of every invocation
//! in one pass, so this one crate carries the family and its .stderr holds each message at its
//! span (one trybuild crate per family keeps the suite fast; see tests/ui/README.md).
#![allow(dead_code)] // the cases are compiled, never called

// A retry policy with 0 attempts and a per-try timeout: the timeout means nothing.
fn attempts_zero_with_per_try() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            route { to: order-service, retries: { attempts: 0, per_try_timeout: 2s } }
        }
    };
}

// Two services that call each other.
fn call_cycle() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service { image: "order:1.0.0", calls: [inventory-service] }
        service inventory-service { image: "inventory:1.0.0", calls: [order-service] }
    };
}

// A connection pool that sets neither tcp nor http.
fn empty_connection_pool() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            traffic_policy: { connection_pool: {} },
        }
    };
}

// A circuit breaker that opens after 0 failures.
fn interceptor_out_of_range() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            interceptors: { circuit_breaker: { threshold: 0 } },
        }
    };
}

// An ejection percentage over 100.
fn outlier_percent() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            traffic_policy: { outlier_detection: { max_ejection_percent: 150 } },
        }
    };
}

// The guide's published values: mesh attempts 3 on top of the app's maxRetries 2. One failing
// request from the gateway can become (1 + 3) × (1 + 2) = 12 calls, over the budget of 10.
fn retry_budget() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        external envoy-gateway {
            service_account: connectum/envoy-gateway,
            calls: [order-service],
        }
        service order-service {
            image: "order:1.0.0",
            interceptors: { retry: { max_retries: 2 } },
            route {
                to: order-service,
                timeout: 30s,
                retries: { attempts: 3, per_try_timeout: 10s },
            }
        }
    };
}

// The edge hop joins the chain: the gateway's 4 retries with the app's maxRetries 2 make
// (1 + 4) × (1 + 2) = 15 calls for one request from outside, over the budget of 10. Reported
// at the gateway route's target, the chain's first call.
fn edge_chain_over_budget() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            interceptors: { retry: { max_retries: 2 } },
            route { to: order-service, timeout: 30s, retries: off }
        }
        gateway edge {
            listener web { port: 80, protocol: HTTP }
            route orders {
                target: order-service,
                timeout: 60s,
                retries: { attempts: 4, per_try_timeout: 10s, retry_on: [unavailable] },
            }
        }
    };
}

// Per-try 10s × 4 tries outlasts the 30s timeout: Istio accepts it, so the checker warns, at the
// retries, as a compile-time warning.
fn tries_outlast_timeout_warns() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            allow { from: [namespace connectum] }
            route { to: order-service, timeout: 30s, retries: { attempts: 3, per_try_timeout: 10s } }
        }
    };
}

// The same mesh with `deny: [CM0302]` (Mesh::lint): a team's build refuses it.
fn tries_outlast_timeout_denied() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        deny: [CM0302],
        service order-service {
            image: "order:1.0.0",
            allow { from: [namespace connectum] }
            route { to: order-service, timeout: 30s, retries: { attempts: 3, per_try_timeout: 10s } }
        }
    };
}

fn main() {}
