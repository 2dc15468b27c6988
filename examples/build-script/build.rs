//! Writes `deploy/` from the mesh in `src/mesh.rs`. A mesh error fails the build with every
//! diagnostic, printed the way rustc prints errors.

#[path = "src/mesh.rs"]
mod mesh;

fn main() -> Result<(), connectum_mesh::build::BuildError> {
    // write_manifests lists build.rs and deploy/; the mesh lives in src/mesh.rs.
    println!("cargo::rerun-if-changed=src/mesh.rs");
    connectum_mesh::build::write_manifests(&mesh::mesh(), "deploy".as_ref(), &Default::default())?;
    Ok(())
}
