// A header name with a space is not an HTTP token; Istio refuses it.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            subset canary {}
            route { match: { headers: { "x canary": "true" } }, to: canary }
            route { to: order-service }
        }
    };
}
