//! Writing a directory of one file per object plus `kustomization.yaml`: only what changed,
//! nothing that is not ours, all at once.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::{EmitError, Format, document_text, object_label};
use crate::render::Manifests;

/// The file that marks a directory as written by connectum-mesh and lists the files it wrote
/// there, so a later write may replace or remove them (and nothing else).
pub const OWNERSHIP_MARKER: &str = ".connectum-mesh";

/// The first line of the marker; the lines after it name our files.
const MARKER_HEADER: &str = "# Written by connectum-mesh. It rewrites the files listed below when they change and removes them when the mesh no longer produces them; it refuses to write here while other files are present.";

/// The text of markers written before the marker listed files: their whole directory was ours.
const LEGACY_MARKER: &str = "Written by connectum-mesh; the whole directory is replaced";

/// One file of an output directory: its name (no directories) and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    /// The file name, e.g. `01-namespace-shop.yaml`.
    pub name: String,
    /// The file's full text.
    pub text: String,
}

/// What [`write_files`] did, each list in file-name order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirChanges {
    /// Files created or rewritten because their text changed.
    pub written: Vec<PathBuf>,
    /// Files left as they were (same bytes, same modification time).
    pub unchanged: Vec<PathBuf>,
    /// Files connectum-mesh wrote before and no longer produces, removed.
    pub removed: Vec<PathBuf>,
}

impl DirChanges {
    /// Whether the directory was left exactly as it was.
    #[must_use]
    pub fn is_unchanged(&self) -> bool {
        self.written.is_empty() && self.removed.is_empty()
    }
}

/// The files [`write_dir`] writes for `manifests`: one per object (`NN-kind-name.ext`, numbered
/// in apply order) and `kustomization.yaml` listing them, in that order.
///
/// # Errors
/// [`EmitError::Serialize`] for a value the serializer refuses.
pub fn manifest_files(manifests: &Manifests, format: Format) -> Result<Vec<OutputFile>, EmitError> {
    let mut files = Vec::new();
    for (index, (object, document)) in manifests
        .objects()
        .iter()
        .zip(manifests.documents())
        .enumerate()
    {
        files.push(OutputFile {
            name: format!(
                "{:02}-{}-{}.{}",
                index + 1,
                object.kind().to_ascii_lowercase(),
                object.name(),
                format.extension()
            ),
            text: document_text(&object_label(object), &document, format)?,
        });
    }
    let mut kustomization = String::from(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n",
    );
    for file in &files {
        kustomization.push_str("- ");
        kustomization.push_str(&file.name);
        kustomization.push('\n');
    }
    files.push(OutputFile {
        name: "kustomization.yaml".to_owned(),
        text: kustomization,
    });
    Ok(files)
}

/// One TypeScript module per service, `<service>.connectum.ts`, exporting the Connectum
/// settings the app must run with (`port`, `shutdown`, `interceptors` as
/// `createDefaultInterceptors` takes them): the same values its ConfigMap carries. Write them
/// with [`write_files`] into the directory your app imports from.
///
/// ```
/// use connectum_mesh::{Mesh, Service, emit};
///
/// let mesh = Mesh::builder()
///     .namespace("shop")
///     .services([Service::builder().name("cart").image("cart:1").build()])
///     .build();
/// let files = emit::app_settings_files(&mesh);
/// assert_eq!(files[0].name, "cart.connectum.ts");
/// assert!(files[0].text.contains("export const port = 5000;"));
/// ```
#[must_use]
pub fn app_settings_files(mesh: &connectum_mesh_core::Mesh) -> Vec<OutputFile> {
    mesh.services
        .iter()
        .map(|service| OutputFile {
            name: format!("{}.connectum.ts", service.name),
            text: service.app_settings_module(),
        })
        .collect()
}

/// Writes one file per object (`NN-kind-name.yaml`, numbered in apply order) and a
/// `kustomization.yaml` listing them, so `kubectl apply -k DIR` applies the mesh. Returns the
/// object files, in order. See [`write_files`] for what is rewritten, removed and refused.
///
/// # Errors
/// As [`write_files`], and [`EmitError::Serialize`] for a value the serializer refuses (nothing
/// is written then).
pub fn write_dir(
    manifests: &Manifests,
    dir: &Path,
    format: Format,
) -> Result<Vec<PathBuf>, EmitError> {
    let mut files = manifest_files(manifests, format)?;
    files.pop(); // kustomization.yaml is not an object file
    let kustomization = manifest_files(manifests, format)?.pop();
    let objects: Vec<PathBuf> = files.iter().map(|f| dir.join(&f.name)).collect();
    files.extend(kustomization);
    write_files(dir, &files)?;
    Ok(objects)
}

/// Makes `dir` hold exactly `files` plus the [`OWNERSHIP_MARKER`] that lists them:
///
/// - a file whose text is unchanged is not touched (its modification time stays, `git status`
///   stays quiet), and when nothing changed nothing is written at all;
/// - a file connectum-mesh wrote earlier (listed in the marker) and no longer produces is
///   removed;
/// - a file connectum-mesh did not write is never touched: a directory holding one is refused
///   whole with [`EmitError::NotOurs`], which names each such file;
/// - the directory changes all at once: the new contents are assembled beside it (unchanged
///   files hard-linked, so they keep their timestamps) and renamed into place, so a failure
///   leaves the previous directory as it was.
///
/// The parent directory must exist: a mistyped path is an error, not a new directory tree.
///
/// # Errors
/// [`EmitError::NotOurs`] for a directory holding files connectum-mesh did not write;
/// [`EmitError::Io`] when the file system fails (nothing is left half-written).
pub fn write_files(dir: &Path, files: &[OutputFile]) -> Result<DirChanges, EmitError> {
    let mut wanted: Vec<OutputFile> = files.to_vec();
    wanted.push(OutputFile {
        name: OWNERSHIP_MARKER.to_owned(),
        text: marker_text(files),
    });
    let existing = match read_existing(dir)? {
        Some(existing) => existing,
        None => {
            let staged = stage(dir, &wanted, &BTreeSet::new())?;
            move_into_place(&staged, dir, false)?;
            return Ok(DirChanges {
                written: sorted_paths(dir, files.iter().map(|f| f.name.as_str())),
                ..DirChanges::default()
            });
        }
    };
    let mut unchanged = BTreeSet::new();
    for file in &wanted {
        if existing.contains(&file.name)
            && fs::read(dir.join(&file.name)).is_ok_and(|bytes| bytes == file.text.as_bytes())
        {
            unchanged.insert(file.name.clone());
        }
    }
    let wanted_names: BTreeSet<&str> = wanted.iter().map(|f| f.name.as_str()).collect();
    let removed: Vec<&str> = existing
        .iter()
        .map(String::as_str)
        .filter(|name| !wanted_names.contains(name))
        .collect();
    let changes = DirChanges {
        written: sorted_paths(
            dir,
            files
                .iter()
                .map(|f| f.name.as_str())
                .filter(|name| !unchanged.contains(*name)),
        ),
        unchanged: sorted_paths(
            dir,
            files
                .iter()
                .map(|f| f.name.as_str())
                .filter(|name| unchanged.contains(*name)),
        ),
        removed: sorted_paths(dir, removed.iter().copied()),
    };
    if unchanged.len() == wanted.len() && removed.is_empty() {
        return Ok(changes);
    }
    let staged = stage(dir, &wanted, &unchanged)?;
    move_into_place(&staged, dir, true)?;
    Ok(changes)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> EmitError + use<> {
    let path = path.to_path_buf();
    move |source| EmitError::Io { path, source }
}

fn sorted_paths<'a>(dir: &Path, names: impl Iterator<Item = &'a str>) -> Vec<PathBuf> {
    let mut names: Vec<&str> = names.collect();
    names.sort_unstable();
    names.into_iter().map(|name| dir.join(name)).collect()
}

fn marker_text(files: &[OutputFile]) -> String {
    let mut names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    names.sort_unstable();
    let mut text = format!("{MARKER_HEADER}\n");
    for name in names {
        text.push_str(name);
        text.push('\n');
    }
    text
}

/// The files connectum-mesh wrote in `dir` (the marker included), or `None` when `dir` does not
/// exist. An empty directory is ours to fill.
fn read_existing(dir: &Path) -> Result<Option<BTreeSet<String>>, EmitError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(dir)(e)),
    };
    let mut present = BTreeSet::new();
    for entry in entries {
        let entry = entry.map_err(io(dir))?;
        present.insert(entry.file_name().to_string_lossy().into_owned());
    }
    if present.is_empty() {
        return Ok(Some(present));
    }
    let marker_path = dir.join(OWNERSHIP_MARKER);
    let ours: BTreeSet<String> = match fs::read_to_string(&marker_path) {
        Ok(marker) if marker.starts_with(LEGACY_MARKER) => present.clone(),
        Ok(marker) if marker.starts_with(MARKER_HEADER) => marker
            .lines()
            .skip(1)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .chain([OWNERSHIP_MARKER.to_owned()])
            .collect(),
        Ok(_) => BTreeSet::new(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeSet::new(),
        Err(e) => return Err(io(&marker_path)(e)),
    };
    let foreign: Vec<PathBuf> = present
        .iter()
        .filter(|name| !ours.contains(*name))
        .map(|name| dir.join(name))
        .collect();
    if !foreign.is_empty() {
        return Err(EmitError::NotOurs {
            path: dir.to_path_buf(),
            files: foreign,
        });
    }
    Ok(Some(present))
}

/// The parent `dir` is staged in (staging beside it keeps the final rename on one file system).
fn parent_of(dir: &Path) -> PathBuf {
    match dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Assembles `wanted` in a new directory beside `dir`: files in `unchanged` are hard-linked from
/// `dir` (falling back to a copy), the others written.
fn stage(
    dir: &Path,
    wanted: &[OutputFile],
    unchanged: &BTreeSet<String>,
) -> Result<PathBuf, EmitError> {
    let parent = parent_of(dir);
    let staging = tempfile::Builder::new()
        .prefix(".connectum-mesh-staging-")
        .tempdir_in(&parent)
        .map_err(io(&parent))?;
    for file in wanted {
        let path = staging.path().join(&file.name);
        let kept = unchanged.contains(&file.name) && {
            let old = dir.join(&file.name);
            fs::hard_link(&old, &path).is_ok() || fs::copy(&old, &path).is_ok()
        };
        if !kept {
            fs::write(&path, &file.text).map_err(io(&path))?;
        }
    }
    Ok(staging.keep())
}

/// Renames `staged` to `dir`. When `replacing`, the old directory is moved aside first and put
/// back if the second rename fails.
fn move_into_place(staged: &Path, dir: &Path, replacing: bool) -> Result<(), EmitError> {
    let parent = parent_of(dir);
    if !replacing {
        return fs::rename(staged, dir).map_err(|e| {
            let _ = fs::remove_dir_all(staged);
            io(dir)(e)
        });
    }
    let retired = tempfile::Builder::new()
        .prefix(".connectum-mesh-old-")
        .tempdir_in(&parent)
        .map_err(io(&parent))?
        .keep();
    fs::remove_dir(&retired).map_err(io(&retired))?;
    fs::rename(dir, &retired).map_err(|e| {
        let _ = fs::remove_dir_all(staged);
        io(dir)(e)
    })?;
    if let Err(e) = fs::rename(staged, dir) {
        let _ = fs::rename(&retired, dir);
        let _ = fs::remove_dir_all(staged);
        return Err(io(dir)(e));
    }
    fs::remove_dir_all(&retired).map_err(io(&retired))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
