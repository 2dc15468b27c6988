//! connectum-mesh from a build script: `build.rs` writes this package's committed `deploy/`
//! directory from [`mesh()`] on every build, rewriting only the files whose text changed.
//!
//! ```
//! assert_eq!(build_script::mesh().services[0].name, "catalog");
//! ```

mod mesh;

pub use mesh::mesh;

/// The directory `build.rs` writes, relative to this package.
pub const DEPLOY_DIR: &str = "deploy";
