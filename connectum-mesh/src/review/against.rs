//! `diff --against DIR`: the mesh as it renders now against the manifests `emit --out` wrote
//! earlier, read back with the strict reader into the typed kinds.

use std::fmt;
use std::path::Path;

use connectum_mesh_core::diag::registry::{DIFF_DIR_NOT_EMITTED, DIFF_FOREIGN_OBJECT};
use connectum_mesh_core::{Mesh, MeshPath};

use super::MeshDiff;
use super::manifests::facts;
use crate::emit::OWNERSHIP_MARKER;
use crate::read::{Manifest, SourceDiagnostic, SourceLocation, read_paths};
use crate::render::{RenderError, render};

/// Why a mesh could not be compared with a directory of manifests.
#[derive(Debug)]
#[non_exhaustive]
pub enum AgainstError {
    /// CM0850: the path is not a directory `emit --out` wrote (it lacks the ownership
    /// marker); the diagnostic names it.
    NotEmitted(Box<SourceDiagnostic>),
    /// The directory's manifests could not be read: each problem with its code, file and line
    /// (CM0820–CM0826 from the reader, CM0851 for an object connectum-mesh does not emit).
    Unreadable(Vec<SourceDiagnostic>),
    /// The mesh itself does not render: its diagnostics.
    Render(RenderError),
}

impl fmt::Display for AgainstError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotEmitted(problem) => write!(f, "{problem}"),
            Self::Unreadable(problems) => {
                for problem in problems {
                    writeln!(f, "{problem}\n")?;
                }
                write!(
                    f,
                    "could not read the manifests to diff against due to {} error{}",
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" }
                )
            }
            Self::Render(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for AgainstError {}

impl MeshDiff {
    /// The changes from the manifests in `dir` (written by `emit --out` earlier, read back with
    /// [`read`](crate::read)) to what `mesh` renders now: what applying the mesh would change.
    ///
    /// Both sides are described from the manifests, so this diff says what the objects carry:
    /// routes, traffic shares, matches, timeouts and mesh retries, the gateways' listeners and
    /// routes (targets, timeouts, retries), allowed callers, mTLS modes, images, replicas and
    /// ports. What only the model knows (who calls whom, app retries and
    /// timeouts, and so the worst-case calls per chain) is in [`MeshDiff::between`].
    ///
    /// # Errors
    /// [`AgainstError::NotEmitted`] (CM0850) for a directory `emit --out` did not write;
    /// [`AgainstError::Unreadable`] when a file cannot be read or holds something that is not
    /// one of our typed objects (each problem coded, with file and line);
    /// [`AgainstError::Render`] when the mesh has errors.
    pub fn against_dir(mesh: &Mesh, dir: &Path) -> Result<Self, AgainstError> {
        // A path that is not there is the reader's CM0820; anything else `emit --out` did not
        // write (a file, a directory without the marker) is not ours.
        if dir.exists() && !dir.join(OWNERSHIP_MARKER).is_file() {
            let problem = DIFF_DIR_NOT_EMITTED
                .at(
                    MeshPath::root(),
                    format!(
                        "{} was not written by connectum-mesh (it has no {OWNERSHIP_MARKER}): a diff against it would compare spellings, not changes",
                        dir.display()
                    ),
                )
                .with_help("diff against a directory `emit --out` wrote (e.g. the committed deploy/ directory); to compare hand-written manifests, import them first");
            let location = SourceLocation {
                file: dir.to_path_buf(),
                line: 0,
                column: 0,
            };
            return Err(AgainstError::NotEmitted(Box::new(SourceDiagnostic::new(
                problem,
                Some(location),
            ))));
        }
        let reading = read_paths(&[dir]);
        let mut problems: Vec<SourceDiagnostic> = reading
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        let mut before = Vec::new();
        for read in &reading.objects {
            match &read.manifest {
                Manifest::Object(object) => before.push(object),
                Manifest::Secret(_) => problems.push(SourceDiagnostic::new(
                    DIFF_FOREIGN_OBJECT
                        .at(
                            MeshPath::manifest(&read.label()),
                            format!(
                                "{} is not an object connectum-mesh emits, so the directory was edited by hand",
                                read.label()
                            ),
                        )
                        .with_help("keep it outside the directory the mesh writes, and emit the directory again"),
                    Some(read.location()),
                )),
            }
        }
        if !problems.is_empty() {
            return Err(AgainstError::Unreadable(problems));
        }
        let manifests = render(mesh).map_err(AgainstError::Render)?;
        let after: Vec<_> = manifests.objects().iter().collect();
        Ok(Self::of_facts(
            facts(&before, &mesh.app_label, &mesh.version_label),
            facts(&after, &mesh.app_label, &mesh.version_label),
        ))
    }
}
