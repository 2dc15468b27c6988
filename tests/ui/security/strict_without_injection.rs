// STRICT mTLS with sidecar injection off: nothing can reach the pods.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        mtls: STRICT,
        sidecar_injection: off,
        service order-service { image: "order:1.0.0" }
    };
}
