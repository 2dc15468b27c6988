// A port is at most 65535.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service { image: "order:1.0.0", port: 70000 }
    };
}
