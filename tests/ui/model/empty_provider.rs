// A telemetry provider with an empty name.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        telemetry connectum-telemetry { metrics_providers: [""] }
    };
}
