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
    // A call names a service by an expression that is not a name (a `ServiceRef` is): rustc's
    // error points at it, inside `mesh_fragment!`.
    let _fragment = connectum_mesh::mesh_fragment! {
        service checkout-service { image: "checkout:1.0.0", calls: [(42)] }
    };
}
