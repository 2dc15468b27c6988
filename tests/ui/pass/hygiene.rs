// The expansion's own bindings do not capture the user's: `mesh`, `service` and `subset_0`
// below are the user's variables, used inside expressions.
fn main() {
    let mesh = "ghcr.io/mycompany/order-service:1.0.0";
    let service = 3_u32;
    let subset_0 = 1_u32;
    let built = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: (mesh),
            replicas: (service),
            subset canary { replicas: (subset_0) }
        }
    };
    assert_eq!(built.services[0].image, mesh);
    assert_eq!(built.services[0].subsets[0].replicas, Some(1));
}
