// A route to a subset the service does not declare: the closest declared one is suggested.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            subset stable {}
            subset canary {}
            route { to: canry }
        }
    };
}
