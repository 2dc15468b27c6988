// Two routes of one service with one name.
fn main() {
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
