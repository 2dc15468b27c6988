// Connectum serves /healthz, /readyz and /health; /alive is a 404, so the pod never gets ready.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            probes: { readiness: { path: "/alive", period_seconds: 10 } },
        }
    };
}
