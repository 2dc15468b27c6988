// An autoscaler whose minimum is over its maximum.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            autoscale: { min_replicas: 10, max_replicas: 2 },
        }
    };
}
