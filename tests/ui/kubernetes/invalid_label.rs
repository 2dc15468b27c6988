// A namespace label key Kubernetes refuses.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        namespace_labels: { "team/name/extra": "orders" },
    };
}
