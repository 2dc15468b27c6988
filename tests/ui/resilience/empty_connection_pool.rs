// A connection pool that sets neither tcp nor http.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            traffic_policy: { connection_pool: {} },
        }
    };
}
