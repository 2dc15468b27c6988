// A match regex RE2 does not compile.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            subset canary {}
            route { match: { headers: { x-user: regex "beta-(" } }, to: canary }
            route { to: order-service }
        }
    };
}
