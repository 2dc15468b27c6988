// The grace period is shorter than preStop (5s) + the shutdown timeout (30s).
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            shutdown: { termination_grace_period: 10s },
        }
    };
}
