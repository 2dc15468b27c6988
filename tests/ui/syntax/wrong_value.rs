// A port is a number, not text.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service { image: "order:1.0.0", port: "5000" }
    };
}
