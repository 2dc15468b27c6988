// An allow rule that names no source.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            allow { from: [] }
        }
    };
}
