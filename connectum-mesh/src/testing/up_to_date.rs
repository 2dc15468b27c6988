//! The GitOps check: the committed manifests are what the mesh emits now.

use std::fs;
use std::path::Path;

use connectum_mesh_core::Mesh;
use similar::TextDiff;

use super::TestingError;
use crate::emit::{EmitError, Format, manifest_files};
use crate::render::render;

/// Whether `dir` holds exactly the YAML manifests [`write_dir`](crate::emit::write_dir) would
/// write for `mesh`: every file present with the same text, and no other `.yaml` file.
/// [`assert_up_to_date`] is the same check as a test assertion.
///
/// ```
/// use connectum_mesh::testing::check_up_to_date;
/// use connectum_mesh::{Mesh, Service, emit, render};
///
/// let mesh = Mesh::builder()
///     .namespace("shop")
///     .services([Service::builder().name("cart").image("cart:1").build()])
///     .build();
/// let deploy = tempfile::tempdir()?;
/// emit::write_dir(&render(&mesh)?, deploy.path(), emit::Format::Yaml)?;
/// assert!(check_up_to_date(&mesh, deploy.path()).is_ok());
///
/// std::fs::write(deploy.path().join("leftover.yaml"), "kind: ConfigMap\n")?;
/// let stale = check_up_to_date(&mesh, deploy.path()).unwrap_err();
/// assert!(stale.to_string().contains("committed/leftover.yaml is no longer emitted"), "{stale}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`TestingError::OutOfDate`] with a unified diff (committed `-`, emitted `+`) of every file
/// that differs, is missing or should not be there; [`TestingError::Invalid`] when the mesh
/// has errors.
pub fn check_up_to_date(mesh: &Mesh, dir: impl AsRef<Path>) -> Result<(), TestingError> {
    let dir = dir.as_ref();
    let manifests = render(mesh).map_err(TestingError::Invalid)?;
    let files = manifest_files(&manifests, Format::Yaml)
        .map_err(|e: EmitError| TestingError::NotModelled(e.to_string()))?;
    let mut diff = String::new();
    for file in &files {
        let committed = fs::read_to_string(dir.join(&file.name)).unwrap_or_default();
        if committed != file.text {
            let text = TextDiff::from_lines(&committed, &file.text)
                .unified_diff()
                .context_radius(2)
                .header(
                    &format!("committed/{}", file.name),
                    &format!("emitted/{}", file.name),
                )
                .to_string();
            diff.push_str(&text);
        }
    }
    let mut extra: Vec<String> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".yaml") && !files.iter().any(|f| f.name == *name))
                .collect()
        })
        .unwrap_or_default();
    extra.sort();
    for name in extra {
        diff.push_str(&format!("committed/{name} is no longer emitted\n"));
    }
    if diff.is_empty() {
        Ok(())
    } else {
        Err(TestingError::OutOfDate {
            dir: dir.to_path_buf(),
            diff,
        })
    }
}

/// Panics with a readable diff unless `dir` holds what `mesh` emits now: the check to run in
/// CI next to committed manifests.
///
/// ```
/// use connectum_mesh::testing::{assert_up_to_date, check_up_to_date};
/// use connectum_mesh::{Mesh, Service, emit, render};
///
/// let mut mesh = Mesh::builder()
///     .namespace("shop")
///     .services([Service::builder().name("cart").image("cart:1").build()])
///     .build();
/// let scratch = tempfile::tempdir()?;
/// let deploy = scratch.path().join("deploy");
/// emit::write_dir(&render(&mesh)?, &deploy, emit::Format::Yaml)?;
/// assert_up_to_date(&mesh, &deploy);
///
/// mesh.services[0].image = "cart:2".into();
/// let stale = check_up_to_date(&mesh, &deploy).unwrap_err();
/// assert_eq!(stale.code(), "CM0813");
/// assert!(stale.to_string().lines().any(|l| l.starts_with('+') && l.ends_with("image: cart:2")), "{stale}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Panics
/// When the directory is out of date or the mesh has errors, with the diff or the
/// diagnostics.
#[track_caller]
pub fn assert_up_to_date(mesh: &Mesh, dir: impl AsRef<Path>) {
    if let Err(error) = check_up_to_date(mesh, dir) {
        panic!("{error}");
    }
}
