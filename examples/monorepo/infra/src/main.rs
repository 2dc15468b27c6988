//! The shop's infra binary: emits or checks the composed mesh.
//!
//! ```text
//! monorepo-infra check            # the whole-mesh checks; exit 0 clean, 1 on errors
//! monorepo-infra emit --out DIR   # one file per object + kustomization.yaml
//! ```

use std::process::ExitCode;

use connectum_mesh::cli::{Cli, Exit};

fn main() -> ExitCode {
    match monorepo_infra::mesh() {
        Ok(mesh) => Cli::new(mesh)
            .name("monorepo-infra")
            .about("Emit or check the shop's mesh, composed from its service crates")
            .run(),
        Err(conflicts) => {
            eprintln!("{conflicts}");
            Exit::Problems.into()
        }
    }
}
