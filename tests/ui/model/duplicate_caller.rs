// Two external callers with one name.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        external envoy-gateway { service_account: connectum/envoy-gateway }
        external envoy-gateway { service_account: connectum/other-gateway }
    };
}
