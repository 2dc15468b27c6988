// An unknown key is reported at the key, with the closest known key.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "ghcr.io/mycompany/order-service:1.0.0",
            replica: 3,
        }
    };
}
