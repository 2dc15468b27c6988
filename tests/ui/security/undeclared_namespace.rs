// An allow rule names a namespace the mesh does not know.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        service order-service {
            image: "order:1.0.0",
            allow { from: [namespace biling] }
        }
    };
}
