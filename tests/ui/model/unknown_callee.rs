// A service calls a service the mesh does not declare.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service { image: "order:1.0.0", calls: [inventry-service] }
        service inventory-service { image: "inventory:1.0.0" }
    };
}
