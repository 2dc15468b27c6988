// A circuit breaker that opens after 0 failures.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            interceptors: { circuit_breaker: { threshold: 0 } },
        }
    };
}
