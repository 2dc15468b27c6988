// A retry policy with 0 attempts and a per-try timeout: the timeout means nothing.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            route { to: order-service, retries: { attempts: 0, per_try_timeout: 2s } }
        }
    };
}
