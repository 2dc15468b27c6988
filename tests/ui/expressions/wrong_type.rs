// A Rust expression of the wrong type: rustc's own error points at it, inside `mesh!`.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            subset stable {}
            route { to: stable, timeout: ("30s") }
        }
    };
}
