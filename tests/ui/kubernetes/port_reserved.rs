// Port 15001 is the Istio sidecar's outbound port.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service { image: "order:1.0.0", port: 15001 }
    };
}
