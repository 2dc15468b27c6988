//! Objects → YAML, JSON, or a directory `kubectl apply -k` takes. The only module that writes
//! files.
//!
//! YAML is serde-saphyr's (see the README's design notes for why): keys in the conventional
//! order (apiVersion, kind, metadata, spec, then each type's field order), strings that YAML 1.1
//! readers would take for booleans (`yes`, `on`) quoted. The private `yaml` module writes it byte for byte as
//! serde-saphyr does, several times faster, and leaves every quoting decision to serde-saphyr.

mod dir;
mod yaml;

use std::fmt;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use crate::render::{Manifests, Versioned, erased};

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
    /// CM0802: writing to a stream (stdout, a file the caller opened) failed.
    Write {
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
            Self::Io { .. } | Self::Write { .. } => IO_FAILED.code.as_str(),
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
            Self::Write { source } => write!(
                f,
                "could not write the output: {source}\n   = help: check that the output is writable and its disk has room"
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
            Self::Io { source, .. } | Self::Write { source } => Some(source),
            _ => None,
        }
    }
}

/// The serde-saphyr options whose output every YAML path writes (through [`yaml`]).
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
    let mut text = String::new();
    append_yaml(value, &mut text).map_err(|e| serialize_error(object, &e))?;
    Ok(text)
}

/// Serializes one document at the end of `text`: the one YAML serializer every path shares.
fn append_yaml<T: serde::Serialize>(
    value: &T,
    text: &mut String,
) -> Result<(), serde_saphyr::SerializeError> {
    yaml::append(value, text)
}

fn serialize_error(object: &str, error: &impl fmt::Display) -> EmitError {
    EmitError::Serialize {
        object: object.to_owned(),
        message: error.to_string(),
    }
}

pub(crate) fn object_label(object: &crate::render::Object) -> String {
    format!("{}/{}", object.kind(), object.name())
}

/// Serializes `documents` as one YAML stream, handing the text to `sink` a document at a time
/// (with its `---` separator): only one document's text exists at once.
fn yaml_stream<'a>(
    documents: impl IntoIterator<Item = Versioned<'a>>,
    mut sink: impl FnMut(&str) -> Result<(), EmitError>,
) -> Result<(), EmitError> {
    let mut text = String::new();
    for (index, document) in documents.into_iter().enumerate() {
        text.clear();
        if index > 0 {
            text.push_str("---\n");
        }
        append_yaml(&document, &mut text)
            .map_err(|e| serialize_error(&object_label(document.object()), &e))?;
        sink(&text)?;
    }
    Ok(())
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
    yaml_stream(manifests.documents(), |text| {
        out.push_str(text);
        Ok(())
    })?;
    Ok(out)
}

/// Writes `documents` to `out` as one YAML stream (the text of [`to_yaml`]), serializing one
/// document at a time into the writer (buffered here). With
/// [`LazyManifests::documents`](crate::render::LazyManifests::documents) each object is also
/// rendered just before it is written, so memory does not grow with the mesh.
///
/// ```
/// use connectum_mesh::{Mesh, RenderOptions, emit, render_lazily};
///
/// let mesh = Mesh::builder().namespace("shop").build();
/// let lazy = render_lazily(&mesh, &RenderOptions::default())?;
/// emit::write_yaml(lazy.documents(), std::io::stdout().lock())?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`EmitError::Serialize`] if the serializer refuses a value, [`EmitError::Write`] if the
/// writer fails.
pub fn write_yaml<'a>(
    documents: impl IntoIterator<Item = Versioned<'a>>,
    out: impl Write,
) -> Result<(), EmitError> {
    let mut out = BufWriter::new(out);
    yaml_stream(documents, |text| {
        out.write_all(text.as_bytes()).map_err(write_error)
    })?;
    out.flush().map_err(write_error)
}

fn write_error(source: std::io::Error) -> EmitError {
    EmitError::Write { source }
}

/// The Kubernetes `List` that holds every document of the JSON format, its items serialized as
/// they are reached (serde's `Serialize` takes `&self`, hence the cell the iterator is taken
/// from, once).
struct List<I>(std::cell::Cell<Option<I>>);

impl<'a, I: Iterator<Item = Versioned<'a>>> serde::Serialize for List<I> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let items = Items(std::cell::Cell::new(self.0.take()));
        let mut list = serializer.serialize_struct("List", 3)?;
        list.serialize_field("apiVersion", "v1")?;
        list.serialize_field("kind", "List")?;
        list.serialize_field("items", &items)?;
        list.end()
    }
}

struct Items<I>(std::cell::Cell<Option<I>>);

impl<'a, I: Iterator<Item = Versioned<'a>>> serde::Serialize for Items<I> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.take().into_iter().flatten())
    }
}

/// Every document in a Kubernetes `List`, as pretty JSON with a final newline.
///
/// # Errors
/// [`EmitError::Serialize`] if a value cannot be represented as JSON.
pub fn to_json(manifests: &Manifests) -> Result<String, EmitError> {
    let mut out = Vec::new();
    json_list(&mut manifests.documents(), &mut out)?;
    String::from_utf8(out).map_err(|e| serialize_error("List", &e))
}

/// Writes `documents` to `out` as a Kubernetes `List` in pretty JSON (the text of [`to_json`]),
/// serializing each document into the writer as it is reached (buffered here).
///
/// # Errors
/// [`EmitError::Serialize`] if a value cannot be represented as JSON, [`EmitError::Write`] if
/// the writer fails.
pub fn write_json<'a>(
    documents: impl IntoIterator<Item = Versioned<'a>>,
    out: impl Write,
) -> Result<(), EmitError> {
    let mut out = BufWriter::new(out);
    json_list(&mut documents.into_iter(), &mut out)?;
    out.flush().map_err(write_error)
}

/// Not generic (trait objects in, [`erased`] documents): compiled once, here, whatever the
/// caller's writer and iterator.
fn json_list<'a>(
    documents: &mut dyn Iterator<Item = Versioned<'a>>,
    out: &mut dyn Write,
) -> Result<(), EmitError> {
    let list = List(std::cell::Cell::new(Some(documents)));
    serde_json::to_writer_pretty(&mut *out, erased(&list)).map_err(|e| {
        if e.is_io() {
            write_error(e.into())
        } else {
            serialize_error("List", &e)
        }
    })?;
    out.write_all(b"\n").map_err(write_error)
}

/// One document in `format`, for a file of its own.
pub(crate) fn document_text(
    object: &str,
    document: &crate::render::Versioned<'_>,
    format: Format,
) -> Result<String, EmitError> {
    match format {
        Format::Yaml => document_to_yaml(object, document),
        Format::Json => serde_json::to_string_pretty(erased(document))
            .map(|text| text + "\n")
            .map_err(|e| serialize_error(object, &e)),
    }
}

#[cfg(test)]
mod tests;
