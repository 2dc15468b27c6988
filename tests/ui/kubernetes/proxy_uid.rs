// The app runs as UID 1337, the Istio proxy's: its traffic would bypass the sidecar.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service { image: "order:1.0.0", security: { run_as_user: 1337 } }
    };
}
