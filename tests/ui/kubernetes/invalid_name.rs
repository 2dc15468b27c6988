// `order_service` is not a DNS-1123 name: Kubernetes refuses the Service.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order_service { image: "order:1.0.0" }
    };
}
