// The guide's allow rule names the gateway's service account, but nothing declares it.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            allow { from: [service_account connectum/envoy-gateway] }
        }
    };
}
