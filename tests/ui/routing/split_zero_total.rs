// Every weight of the split is zero: no request has anywhere to go.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            subset stable {}
            subset canary {}
            route { split: { stable: 0, canary: 0 } }
        }
    };
}
