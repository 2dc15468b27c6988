//! Writing a directory of one file per object plus `kustomization.yaml`, atomically.

use std::fs;
use std::path::{Path, PathBuf};

use super::{EmitError, Format, document_text, object_label};
use crate::render::Manifests;

/// The file that marks a directory as written by connectum-mesh, so it may be replaced.
pub const OWNERSHIP_MARKER: &str = ".connectum-mesh";

/// Writes one file per object (`NN-kind-name.yaml`, numbered in apply order) and a
/// `kustomization.yaml` listing them, so `kubectl apply -k DIR` applies the mesh. Returns the
/// object files written, in order.
///
/// The directory appears whole or not at all: everything is written to a sibling temporary
/// directory first and renamed into place. An existing directory is replaced only when it is
/// empty or connectum-mesh wrote it (it holds [`OWNERSHIP_MARKER`]).
///
/// # Errors
/// [`EmitError::NotOurs`] for a foreign non-empty directory; [`EmitError::Io`] when the file
/// system fails (nothing is left half-written); [`EmitError::Serialize`] for a value the
/// serializer refuses.
pub fn write_dir(
    manifests: &Manifests,
    dir: &Path,
    format: Format,
) -> Result<Vec<PathBuf>, EmitError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| EmitError::Io { path, source }
    };
    let replacing = match fs::read_dir(dir) {
        Ok(mut entries) => {
            let empty = entries.next().is_none();
            if !empty && !dir.join(OWNERSHIP_MARKER).is_file() {
                return Err(EmitError::NotOurs {
                    path: dir.to_path_buf(),
                });
            }
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(io(dir)(e)),
    };

    // Render every file in memory first: a serialization error leaves the disk untouched.
    let mut files = Vec::new();
    for (index, (object, document)) in manifests
        .objects()
        .iter()
        .zip(manifests.documents())
        .enumerate()
    {
        let text = document_text(&object_label(object), &document, format)?;
        let file_name = format!(
            "{:02}-{}-{}.{}",
            index + 1,
            object.kind().to_ascii_lowercase(),
            object.name(),
            format.extension()
        );
        files.push((file_name, text));
    }
    let mut kustomization = String::from(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n",
    );
    for (file_name, _) in &files {
        kustomization.push_str("- ");
        kustomization.push_str(file_name);
        kustomization.push('\n');
    }

    let parent = match dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // The parent must exist: a mistyped path is an error, not a new directory tree.
    let staging = tempfile::Builder::new()
        .prefix(".connectum-mesh-staging-")
        .tempdir_in(&parent)
        .map_err(io(&parent))?;
    let mut written = Vec::with_capacity(files.len());
    for (file_name, text) in &files {
        let path = staging.path().join(file_name);
        fs::write(&path, text).map_err(io(&path))?;
        written.push(dir.join(file_name));
    }
    let kustomization_path = staging.path().join("kustomization.yaml");
    fs::write(&kustomization_path, kustomization).map_err(io(&kustomization_path))?;
    let marker = staging.path().join(OWNERSHIP_MARKER);
    fs::write(
        &marker,
        "Written by connectum-mesh; the whole directory is replaced on the next emit.\n",
    )
    .map_err(io(&marker))?;

    // Swap: move the old directory aside, move the new one in, then drop the old one. A failure
    // before the second rename puts the old directory back.
    let staged = staging.keep();
    if replacing {
        let retired = tempfile::Builder::new()
            .prefix(".connectum-mesh-old-")
            .tempdir_in(&parent)
            .map_err(io(&parent))?
            .keep();
        fs::remove_dir(&retired).map_err(io(&retired))?;
        fs::rename(dir, &retired).map_err(io(dir))?;
        if let Err(e) = fs::rename(&staged, dir) {
            let _ = fs::rename(&retired, dir);
            let _ = fs::remove_dir_all(&staged);
            return Err(io(dir)(e));
        }
        fs::remove_dir_all(&retired).map_err(io(&retired))?;
    } else if let Err(e) = fs::rename(&staged, dir) {
        let _ = fs::remove_dir_all(&staged);
        return Err(io(dir)(e));
    }
    Ok(written)
}
