// Two services with one name.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service { image: "order:1.0.0" }
        service order-service { image: "order:1.1.0" }
    };
}
