// mtls is one of STRICT, PERMISSIVE, DISABLE.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace: connectum,
        mtls: STRICTER,
    };
}
