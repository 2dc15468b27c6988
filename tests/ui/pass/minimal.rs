// The least a mesh needs: a namespace and a service with an image.
fn main() {
    let mesh = connectum_mesh::mesh! {
        namespace: "connectum",
        service order-service { image: "ghcr.io/mycompany/order-service:1.0.0" }
    };
    assert_eq!(mesh.services[0].name, "order-service");
}
