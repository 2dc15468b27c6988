// A key set twice: the second is reported.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "ghcr.io/mycompany/order-service:1.0.0",
            image: "ghcr.io/mycompany/order-service:1.1.0",
        }
    };
}
