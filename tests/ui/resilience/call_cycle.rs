// Two services that call each other.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service { image: "order:1.0.0", calls: [inventory-service] }
        service inventory-service { image: "inventory:1.0.0", calls: [order-service] }
    };
}
