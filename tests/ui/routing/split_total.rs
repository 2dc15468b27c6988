// The weights of a split total 95, not 100: reported at the split, with the total.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            subset stable {}
            subset canary {}
            route default { split: { stable: 90, canary: 5 } }
        }
    };
}
