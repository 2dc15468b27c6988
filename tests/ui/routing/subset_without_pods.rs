// The route sends traffic to a subset that runs no pods.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            subset stable {}
            subset canary { replicas: 0 }
            route { to: canary }
        }
    };
}
