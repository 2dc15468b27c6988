// `128MB` is not a Kubernetes quantity (`128Mi` is).
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            resources: { requests: { cpu: 100m, memory: 128MB } },
        }
    };
}
