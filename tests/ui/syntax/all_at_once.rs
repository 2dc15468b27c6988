// Every mistake is reported in one pass, each at its own token, and nothing after them.
fn main() {
    let mesh = connectum_mesh::mesh! {
        namespace: connectum,
        mtls: STRICT,
        service order-service {
            image: "order:1.0.0",
            replica: 2,
            resources: { limits: { memory: 128MB } },
            subset stable {}
            subset canary {}
            route {
                split: { stable: 90, canary: 5 },
                timeout: 30sec,
            }
        }
    };
    // The macro still gives a Mesh, so this line adds no error.
    let _services = mesh.services.len();
}
