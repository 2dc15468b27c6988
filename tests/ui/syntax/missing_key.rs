// A service needs an image.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service { port: 5000 }
    };
}
