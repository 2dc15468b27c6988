// An ejection percentage over 100.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            traffic_policy: { outlier_detection: { max_ejection_percent: 150 } },
        }
    };
}
