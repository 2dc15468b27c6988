// A missing `:` after a key.
fn main() {
    let _mesh = connectum_mesh::mesh! {
        namespace connectum,
    };
}
