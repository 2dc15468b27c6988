//! Objects → YAML, JSON, or a directory `kubectl apply -k` takes. The only module that writes
//! files.
//!
//! YAML goes through serde-saphyr (see the README's design notes for why): keys in the
//! conventional order (apiVersion, kind, metadata, spec, then each type's field order), strings
//! that YAML 1.1 readers would take for booleans (`yes`, `on`) quoted.

mod dir;

use std::fmt;
use std::path::PathBuf;

use crate::render::Manifests;

pub use dir::{
    DirChanges, OWNERSHIP_MARKER, OutputFile, app_settings_files, manifest_files, write_dir,
    write_files,
};

/// The format of emitted documents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Format {
    /// A multi-document YAML stream (`---` between documents).
    #[default]
    Yaml,
    /// A Kubernetes `List` in JSON, which `kubectl apply -f` takes.
    Json,
}

impl connectum_mesh_core::Words for Format {
    const WHAT: &'static str = "format";
    const WORDS: &'static [(&'static str, Self)] = &[("yaml", Self::Yaml), ("json", Self::Json)];
}

connectum_mesh_core::words_from_str!(Format);

impl Format {
    /// The file extension: `yaml` or `json`.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Self::Yaml => "yaml",
            Self::Json => "json",
        }
    }
}

/// Why emitting failed. Each variant has a stable code (CM08xx).
#[derive(Debug)]
#[non_exhaustive]
pub enum EmitError {
    /// CM0801: a document could not be serialized.
    Serialize {
        /// The object, `Kind/name`.
        object: String,
        /// The serializer's message.
        message: String,
    },
    /// CM0802: reading or writing the file system failed.
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// CM0803: the output directory holds files connectum-mesh did not write; nothing was
    /// written or removed.
    NotOurs {
        /// The directory.
        path: PathBuf,
        /// The files in it that connectum-mesh did not write.
        files: Vec<PathBuf>,
    },
}

impl EmitError {
    /// The stable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        use connectum_mesh_core::diag::registry::{FOREIGN_OUTPUT, IO_FAILED, SERIALIZE_FAILED};
        match self {
            Self::Serialize { .. } => SERIALIZE_FAILED.code.as_str(),
            Self::Io { .. } => IO_FAILED.code.as_str(),
            Self::NotOurs { .. } => FOREIGN_OUTPUT.code.as_str(),
        }
    }
}

impl fmt::Display for EmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error[{}]: ", self.code())?;
        match self {
            Self::Serialize { object, message } => write!(
                f,
                "could not serialize {object}: {message}\n   = help: this is a bug in connectum-mesh; please report it with the mesh that caused it"
            ),
            Self::Io { path, source } => write!(
                f,
                "could not write {}: {source}\n   = help: check that the parent directory exists and is writable",
                path.display()
            ),
            Self::NotOurs { path, files } => {
                let names: Vec<String> = files
                    .iter()
                    .map(|file| {
                        file.file_name().map_or_else(
                            || file.display().to_string(),
                            |n| n.to_string_lossy().into_owned(),
                        )
                    })
                    .collect();
                write!(
                    f,
                    "refusing to replace {}: it holds files connectum-mesh did not write ({}); nothing was written or removed\n   = help: move those files elsewhere, or choose an empty or new directory (connectum-mesh lists the files it wrote in {OWNERSHIP_MARKER})",
                    path.display(),
                    names.join(", ")
                )
            }
        }
    }
}

impl std::error::Error for EmitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn yaml_options() -> serde_saphyr::SerializerOptions {
    serde_saphyr::ser_options! {
        indent_step: 2,
        compact_list_indent: false,
        prefer_block_scalars: false,
    }
}

/// One document as YAML (no `---`).
///
/// # Errors
/// [`EmitError::Serialize`] if the serializer refuses a value.
pub fn document_to_yaml<T: serde::Serialize>(object: &str, value: &T) -> Result<String, EmitError> {
    serde_saphyr::to_string_with_options(value, yaml_options()).map_err(|e| EmitError::Serialize {
        object: object.to_owned(),
        message: e.to_string(),
    })
}

pub(crate) fn object_label(object: &crate::render::Object) -> String {
    format!("{}/{}", object.kind(), object.name())
}

/// Every document as one YAML stream, `---` between documents.
///
/// ```
/// use connectum_mesh::{Mesh, render, emit};
///
/// let mesh = Mesh::builder().namespace("shop").build();
/// let yaml = emit::to_yaml(&render(&mesh)?)?;
/// assert!(yaml.starts_with("apiVersion: v1\nkind: Namespace\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`EmitError::Serialize`] if the serializer refuses a value.
pub fn to_yaml(manifests: &Manifests) -> Result<String, EmitError> {
    let mut out = String::new();
    for (index, (object, document)) in manifests
        .objects()
        .iter()
        .zip(manifests.documents())
        .enumerate()
    {
        if index > 0 {
            out.push_str("---\n");
        }
        out.push_str(&document_to_yaml(&object_label(object), &document)?);
    }
    Ok(out)
}

/// Every document in a Kubernetes `List`, as pretty JSON with a final newline.
///
/// # Errors
/// [`EmitError::Serialize`] if a value cannot be represented as JSON.
pub fn to_json(manifests: &Manifests) -> Result<String, EmitError> {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct List<'a> {
        api_version: &'static str,
        kind: &'static str,
        items: Vec<crate::render::Versioned<'a>>,
    }
    let list = List {
        api_version: "v1",
        kind: "List",
        items: manifests.documents().collect(),
    };
    let mut text = serde_json::to_string_pretty(&list).map_err(|e| EmitError::Serialize {
        object: "List".to_owned(),
        message: e.to_string(),
    })?;
    text.push('\n');
    Ok(text)
}

/// One document in `format`, for a file of its own.
pub(crate) fn document_text(
    object: &str,
    document: &crate::render::Versioned<'_>,
    format: Format,
) -> Result<String, EmitError> {
    match format {
        Format::Yaml => document_to_yaml(object, document),
        Format::Json => serde_json::to_string_pretty(document)
            .map(|text| text + "\n")
            .map_err(|e| EmitError::Serialize {
                object: object.to_owned(),
                message: e.to_string(),
            }),
    }
}

#[cfg(test)]
mod tests;
