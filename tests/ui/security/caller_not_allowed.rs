// order-service calls inventory-service, whose allow rules do not admit it.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        known_namespaces: [billing],
        service order-service { image: "order:1.0.0", calls: [inventory-service] }
        service inventory-service {
            image: "inventory:1.0.0",
            allow { from: [namespace billing] }
        }
    };
}
