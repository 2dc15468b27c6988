//! Driving connectum-mesh from a `build.rs`: check the mesh, print its warnings the way Cargo
//! shows build-script warnings, and write the deploy directory.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::emit::{self, EmitError, Format};
use crate::render::{RenderError, RenderOptions, render_with};
use connectum_mesh_core::Mesh;

/// Why [`write_manifests`] failed: the mesh has errors, or the directory could not be written.
///
/// Its `Debug` form is its `Display` form, the rustc-style report, because that is what Rust
/// prints when `main` returns the error: `fn main() -> Result<(), BuildError>` in a build script
/// fails `cargo build` with every diagnostic, not a struct dump.
pub enum BuildError {
    /// The checker found errors; nothing was written.
    Invalid(RenderError),
    /// Writing failed; the previous directory, if any, is untouched.
    Emit(EmitError),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(error) => error.fmt(f),
            Self::Emit(error) => error.fmt(f),
        }
    }
}

impl fmt::Debug for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Transparent, like its `Display`: the source is the wrapped error's own (the I/O error behind
/// an [`EmitError`]), so a report chain does not print one message twice.
impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Invalid(error) => error.source(),
            Self::Emit(error) => error.source(),
        }
    }
}

/// Checks `mesh`, prints each warning as a `cargo::warning=` line (Cargo shows them after the
/// build), and writes the manifests to `dir` as YAML with a `kustomization.yaml`.
///
/// Only files whose text changed are rewritten, so a build that changes nothing leaves `dir`
/// (its timestamps, `git status`) alone; files it wrote before and no longer produces are
/// removed; a directory holding files it did not write is refused ([`emit::write_files`] has
/// the details). It prints `cargo::rerun-if-changed` for `dir` (a hand edit there is undone on
/// the next build) and for `build.rs`. Cargo then reruns the script only when a listed path
/// changes: if your mesh is described in other files, print `cargo::rerun-if-changed=PATH` for
/// them as well.
///
/// Returns the object files. On error nothing is written; return the error from `main` so
/// `cargo build` fails and prints every diagnostic like rustc does.
///
/// ```no_run
/// // build.rs
/// fn main() -> Result<(), connectum_mesh::build::BuildError> {
///     let mesh = connectum_mesh::Mesh::builder().namespace("shop").build();
///     connectum_mesh::build::write_manifests(&mesh, "deploy".as_ref(), &Default::default())?;
///     Ok(())
/// }
/// ```
///
/// # Errors
/// [`BuildError::Invalid`] when the checker finds errors, [`BuildError::Emit`] when writing
/// fails.
pub fn write_manifests(
    mesh: &Mesh,
    dir: &Path,
    options: &RenderOptions,
) -> Result<Vec<PathBuf>, BuildError> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed={}", dir.display());
    let manifests = render_with(mesh, options).map_err(BuildError::Invalid)?;
    for line in cargo_warnings(manifests.warnings()) {
        println!("{line}");
    }
    emit::write_dir(&manifests, dir, Format::Yaml).map_err(BuildError::Emit)
}

/// The `cargo::warning=` lines for `diagnostics`, one per line of each diagnostic (Cargo takes
/// one line per directive).
#[must_use]
pub fn cargo_warnings(diagnostics: &connectum_mesh_core::Diagnostics) -> Vec<String> {
    diagnostics
        .all()
        .iter()
        .flat_map(|d| {
            d.to_string()
                .lines()
                .map(|line| format!("cargo::warning={line}"))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Writes each service's Connectum settings as `<service>.connectum.ts` into `dir` (see
/// [`emit::app_settings_files`]), rewriting only what changed, and prints
/// `cargo::rerun-if-changed` for `dir`. Call it after [`write_manifests`] with the directory
/// your TypeScript app imports from.
///
/// # Errors
/// [`BuildError::Emit`] when writing fails or `dir` holds files connectum-mesh did not write.
pub fn write_app_settings(mesh: &Mesh, dir: &Path) -> Result<Vec<PathBuf>, BuildError> {
    println!("cargo::rerun-if-changed={}", dir.display());
    let files = emit::app_settings_files(mesh);
    emit::write_files(dir, &files).map_err(BuildError::Emit)?;
    Ok(files.iter().map(|f| dir.join(&f.name)).collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use connectum_mesh_core::{Code, Diagnostic, Diagnostics, MeshPath, Service};

    #[test]
    fn warnings_become_one_cargo_directive_per_line() {
        let mut diagnostics = Diagnostics::new();
        diagnostics.push(
            Diagnostic::warning(
                Code("CM0404"),
                MeshPath::service("cart"),
                "app TLS under mTLS",
            )
            .with_help("remove tls from createServer"),
        );
        assert_eq!(
            cargo_warnings(&diagnostics),
            [
                "cargo::warning=warning[CM0404]: app TLS under mTLS",
                "cargo::warning=  --> service cart",
                "cargo::warning=   = help: remove tls from createServer",
            ]
        );
    }

    #[test]
    fn a_valid_mesh_is_written_and_an_invalid_one_is_not() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path().join("deploy");
        let cart = |name| Service::builder().name(name).image("cart:1").build();
        let mesh = Mesh::builder()
            .namespace("shop")
            .services([cart("cart")])
            .build();
        let written = write_manifests(&mesh, &dir, &RenderOptions::default()).unwrap();
        assert_eq!(written.len(), 6);

        let other = scratch.path().join("bad");
        let mesh = Mesh::builder()
            .namespace("shop")
            .services([cart("cart"), cart("Cart_2")])
            .build();
        let refused = write_manifests(&mesh, &other, &RenderOptions::default());
        assert!(matches!(refused, Err(BuildError::Invalid(_))));
        assert!(!other.exists());
        // What `main` returning the error prints: the report, not a struct dump.
        let debug = refused
            .map(|_| ())
            .map_err(|e| format!("{e:?}"))
            .unwrap_err();
        assert!(debug.contains("error[CM0501]"), "{debug}");
        assert!(!debug.contains("Invalid("), "{debug}");
        assert!(
            debug.contains("could not render the mesh due to"),
            "{debug}"
        );
        assert!(!debug.contains("RenderError"), "{debug}");
    }
}
