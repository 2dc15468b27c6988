// `30sec` is not a Go duration: the literal's suffix is read and refused.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            subset stable {}
            route { to: stable, timeout: 30sec }
        }
    };
}
