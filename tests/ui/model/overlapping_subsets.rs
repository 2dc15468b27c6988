// Two subsets select the same pods (the same version label).
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            subset stable { version_label: "v1" }
            subset canary { version_label: "v1" }
        }
    };
}
