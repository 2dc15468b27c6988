//! Reading manifests: files, directories, multi-document YAML, JSON (a Kubernetes `List` too)
//! and kustomize output, into the typed kinds connectum-mesh renders, strictly.
//!
//! Every document becomes a typed object ([`Manifest`]) or a coded diagnostic with its file,
//! line and field path: malformed YAML (CM0821), a document that is not an object (CM0822), a
//! kind the reader does not know (CM0823), a field its kind does not have (CM0824), a value of
//! the wrong type (CM0825), two documents for one object (CM0826), a file that cannot be read
//! (CM0820). Nothing is dropped silently: each typed object is written back and compared with
//! what was read, so a field the types cannot hold is reported rather than lost.
//!
//! ```
//! use connectum_mesh::read::{Manifest, read_text};
//! use connectum_mesh::Object;
//!
//! let reading = read_text(
//!     "vs.yaml",
//!     "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: cart\nspec:\n  hosts: [cart]\n  http:\n  - retries: {attempts: 1, perTryTimout: 2s}\n",
//! );
//! let problem = &reading.diagnostics[0];
//! assert_eq!(problem.diagnostic.code.as_str(), "CM0824");
//! assert_eq!(problem.location.as_ref().map(|l| l.line), Some(8));
//! assert!(matches!(reading.objects[0].manifest, Manifest::Object(Object::VirtualService(_))));
//! ```

mod kinds;
mod strict;
mod tree;
mod unread;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use connectum_mesh_core::diag::registry::{
    DUPLICATE_OBJECT, MALFORMED_MANIFEST, NOT_AN_OBJECT, NOT_MODELLED, READ_FAILED, UNKNOWN_FIELD,
    UNKNOWN_KIND, WRONG_TYPE,
};
use connectum_mesh_core::diag::{CodeInfo, closest};
use connectum_mesh_core::{Diagnostic, MeshPath, Severity};
use k8s_openapi::api::core::v1::Secret;
use serde_json::Value;

use crate::render::Object;

pub use tree::{FieldPath, Position, Segment};

use strict::Loss;
pub(crate) use strict::losses;
use tree::{LocatedDocument, ParseError};

/// A typed object read from a manifest.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Manifest {
    /// A kind the mesh renders.
    Object(Object),
    /// A Secret: read and checked, but not part of the mesh model (the import lists it).
    Secret(Secret),
}

/// A place in a manifest file: `deploy/vs.yaml:12:7`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceLocation {
    /// The file (as given, or found under a given directory).
    pub file: PathBuf,
    /// The line, from 1 (0 when the whole file is meant).
    pub line: u64,
    /// The column, from 1 (0 when unknown).
    pub column: u64,
}

impl SourceLocation {
    fn at(file: &Path, position: Position) -> Self {
        Self {
            file: file.to_path_buf(),
            line: position.line,
            column: position.column,
        }
    }
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        Ok(())
    }
}

/// A diagnostic about a manifest, with the file and line of the item it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceDiagnostic {
    /// The problem: code, severity, the object and field (`VirtualService/cart › spec.http[0]`),
    /// message and help.
    pub diagnostic: Diagnostic,
    /// Where it is, when it is in a file.
    pub location: Option<SourceLocation>,
}

impl SourceDiagnostic {
    /// `diagnostic` at `location`.
    #[must_use]
    pub fn new(diagnostic: Diagnostic, location: Option<SourceLocation>) -> Self {
        Self {
            diagnostic,
            location,
        }
    }

    /// Whether it is an error.
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.diagnostic.severity == Severity::Error
    }
}

/// What a list of located problems says as a whole: the one home of the summaries that
/// [`Reading`] and [`Import`](crate::import::Import) offer.
pub(crate) trait SourceDiagnostics {
    /// Whether any problem is an error.
    fn has_errors(&self) -> bool;
    /// The codes, in order.
    fn codes(&self) -> Vec<&'static str>;
}

impl SourceDiagnostics for [SourceDiagnostic] {
    fn has_errors(&self) -> bool {
        self.iter().any(SourceDiagnostic::is_error)
    }

    fn codes(&self) -> Vec<&'static str> {
        self.iter().map(|d| d.diagnostic.code.as_str()).collect()
    }
}

impl fmt::Display for SourceDiagnostic {
    /// rustc's layout with the file position first: `error[CM0824]: …`, `  --> file:line:col`,
    /// `   = note: in Kind/name › path`, `   = help: …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.diagnostic;
        writeln!(f, "{}[{}]: {}", d.severity, d.code, d.message)?;
        match &self.location {
            Some(location) => {
                write!(f, "  --> {location}")?;
                if !d.path.segments().is_empty() {
                    write!(f, "\n   = note: in {}", d.path)?;
                }
            }
            None => write!(f, "  --> {}", d.path)?,
        }
        if let Some(help) = &d.help {
            write!(f, "\n   = help: {help}")?;
        }
        Ok(())
    }
}

/// One object read from a file, with where each of its fields is.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadObject {
    /// The typed object.
    pub manifest: Manifest,
    /// `apiVersion` as written.
    pub api_version: String,
    /// `kind` as written.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, if written.
    pub namespace: Option<String>,
    /// The document as read, as a JSON value.
    pub value: Value,
    file: PathBuf,
    document: LocatedDocument,
}

impl ReadObject {
    /// `Kind/name`, as kubectl prints objects.
    #[must_use]
    pub fn label(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }

    /// Where the document starts.
    #[must_use]
    pub fn location(&self) -> SourceLocation {
        SourceLocation::at(&self.file, self.document.start)
    }

    /// Where the field at `path` is, or its closest written ancestor.
    #[must_use]
    pub fn location_of(&self, path: &FieldPath) -> SourceLocation {
        SourceLocation::at(&self.file, self.document.position_of(path))
    }

    /// The diagnostic path naming this object and, below it, `path`.
    #[must_use]
    pub fn mesh_path(&self, path: &FieldPath) -> MeshPath {
        object_path(&self.label(), path)
    }

    /// A diagnostic with `info`'s code about the field at `path`, located in the file.
    #[must_use]
    pub fn diagnostic(
        &self,
        info: &CodeInfo,
        path: &FieldPath,
        message: impl Into<String>,
    ) -> SourceDiagnostic {
        SourceDiagnostic::new(
            info.at(self.mesh_path(path), message),
            Some(self.location_of(path)),
        )
    }
}

fn object_path(label: &str, path: &FieldPath) -> MeshPath {
    let object = MeshPath::manifest(label);
    if path.segments().is_empty() {
        object
    } else {
        object.manifest_field(path)
    }
}

/// What reading found: the objects, and every problem with its location.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reading {
    /// The objects, in the order they were read (files sorted by path, documents in order).
    pub objects: Vec<ReadObject>,
    /// Every problem found.
    pub diagnostics: Vec<SourceDiagnostic>,
}

impl Reading {
    /// Whether any problem is an error.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics.has_errors()
    }

    /// The codes found, in order (handy in tests).
    #[must_use]
    pub fn codes(&self) -> Vec<&'static str> {
        self.diagnostics.codes()
    }

    fn push(&mut self, diagnostic: SourceDiagnostic) {
        self.diagnostics.push(diagnostic);
    }
}

/// Reads every manifest under `paths`: files as they are, directories recursively (files
/// ending `.yaml`, `.yml` or `.json`, sorted by path; kustomize's own `kustomization.yaml` is
/// build input, not an object, and is left out). `-` reads standard input.
#[must_use]
pub fn read_paths<P: AsRef<Path>>(paths: &[P]) -> Reading {
    let mut reading = Reading::default();
    let mut files = Vec::new();
    for path in paths {
        collect_files(path.as_ref(), true, &mut files, &mut reading);
    }
    for file in files {
        match read_file(&file) {
            Ok(text) => read_into(&file, &text, &mut reading),
            Err(diagnostic) => reading.push(*diagnostic),
        }
    }
    check_duplicates(&mut reading);
    reading
}

/// Reads the manifests in `text`, reporting positions in `file` (a name for messages; nothing
/// is read from disk).
#[must_use]
pub fn read_text(file: impl Into<PathBuf>, text: &str) -> Reading {
    let mut reading = Reading::default();
    read_into(&file.into(), text, &mut reading);
    check_duplicates(&mut reading);
    reading
}

fn read_failed(path: &Path, message: String) -> SourceDiagnostic {
    SourceDiagnostic::new(
        READ_FAILED
            .at(MeshPath::root(), message)
            .with_help("check the path and its permissions"),
        Some(SourceLocation::at(path, Position::default())),
    )
}

fn read_file(path: &Path) -> Result<String, Box<SourceDiagnostic>> {
    let bytes = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .map(|_| bytes)
            .map_err(|e| {
                Box::new(read_failed(
                    path,
                    format!("could not read standard input: {e}"),
                ))
            })?
    } else {
        std::fs::read(path).map_err(|e| {
            Box::new(read_failed(
                path,
                format!("could not read {}: {e}", path.display()),
            ))
        })?
    };
    String::from_utf8(bytes).map_err(|e| {
        Box::new(SourceDiagnostic::new(
            MALFORMED_MANIFEST
                .at(MeshPath::root(), format!("the file is not UTF-8 text: {e}"))
                .with_help("manifests are UTF-8 YAML or JSON"),
            Some(SourceLocation::at(path, Position::default())),
        ))
    })
}

fn is_manifest_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    !name.starts_with('.')
        && !matches!(
            name,
            "kustomization.yaml" | "kustomization.yml" | "Kustomization"
        )
        && matches!(extension, "yaml" | "yml" | "json")
}

fn collect_files(path: &Path, given: bool, files: &mut Vec<PathBuf>, reading: &mut Reading) {
    if path == Path::new("-") {
        files.push(path.to_path_buf());
        return;
    }
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_dir() => match std::fs::read_dir(path) {
            Ok(entries) => {
                let mut children: Vec<PathBuf> = entries
                    .filter_map(Result::ok)
                    .map(|entry| entry.path())
                    .collect();
                children.sort();
                for child in children {
                    collect_files(&child, false, files, reading);
                }
            }
            Err(e) => reading.push(read_failed(
                path,
                format!("could not list {}: {e}", path.display()),
            )),
        },
        Ok(_) if given || is_manifest_file(path) => files.push(path.to_path_buf()),
        Ok(_) => {}
        Err(e) => reading.push(read_failed(
            path,
            format!("could not read {}: {e}", path.display()),
        )),
    }
}

fn read_into(file: &Path, text: &str, reading: &mut Reading) {
    let documents = match tree::parse_stream(text) {
        Ok(documents) => documents,
        Err(ParseError::Syntax { message, position }) => {
            reading.push(SourceDiagnostic::new(
                MALFORMED_MANIFEST
                    .at(
                        MeshPath::root(),
                        format!("not valid YAML or JSON: {message}"),
                    )
                    .with_help("fix the syntax at this line; nothing in this file was read"),
                Some(SourceLocation::at(file, position)),
            ));
            return;
        }
        Err(ParseError::ComplexKey(key)) => {
            reading.push(SourceDiagnostic::new(
                NOT_AN_OBJECT.at(
                    object_path("(document)", &key.path),
                    "a mapping key is itself a mapping or a list; Kubernetes keys are strings",
                ),
                Some(SourceLocation::at(file, key.position)),
            ));
            return;
        }
    };
    for document in documents {
        read_document(file, document, reading);
    }
}

fn text_at<'a>(value: &'a Value, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .try_fold(value, |value, key| value.get(key))
        .and_then(Value::as_str)
}

fn read_document(file: &Path, document: LocatedDocument, reading: &mut Reading) {
    let here = SourceLocation::at(file, document.start);
    if !document.value.is_object() {
        reading.push(SourceDiagnostic::new(
            NOT_AN_OBJECT
                .at(
                    MeshPath::manifest("(document)"),
                    format!(
                        "a document is {}, not a Kubernetes object",
                        describe(&document.value)
                    ),
                )
                .with_help("every document is a mapping with apiVersion, kind and metadata.name"),
            Some(here),
        ));
        return;
    }
    let api_version = text_at(&document.value, &["apiVersion"])
        .unwrap_or_default()
        .to_owned();
    let kind = text_at(&document.value, &["kind"])
        .unwrap_or_default()
        .to_owned();
    let (api_version, kind) = (api_version.as_str(), kind.as_str());
    if kind == "List" && api_version == "v1" {
        let items = document
            .value
            .get("items")
            .and_then(Value::as_array)
            .cloned();
        for (index, item) in items.unwrap_or_default().into_iter().enumerate() {
            read_document(file, document.item(index, item), reading);
        }
        return;
    }
    let name = text_at(&document.value, &["metadata", "name"])
        .unwrap_or_default()
        .to_owned();
    let name = name.as_str();
    let missing: Vec<&str> = [
        ("apiVersion", api_version),
        ("kind", kind),
        ("metadata.name", name),
    ]
    .into_iter()
    .filter(|(_, value)| value.is_empty())
    .map(|(field, _)| field)
    .collect();
    if !missing.is_empty() {
        reading.push(SourceDiagnostic::new(
            NOT_AN_OBJECT
                .at(
                    MeshPath::manifest(&format!("{}/{}", or_unknown(kind), or_unknown(name))),
                    format!("the document has no {}", missing.join(", no ")),
                )
                .with_help("every document is a mapping with apiVersion, kind and metadata.name"),
            Some(here),
        ));
        return;
    }
    let label = format!("{kind}/{name}");
    let Some(entry) = kinds::entry(api_version, kind) else {
        let diagnostic = if kinds::known_unread(api_version, kind) {
            not_modelled_object(&label)
        } else {
            unknown_kind(api_version, kind, &label)
        };
        reading.push(SourceDiagnostic::new(
            diagnostic,
            Some(SourceLocation::at(
                file,
                document.position_of(&FieldPath::root().key("kind")),
            )),
        ));
        return;
    };
    let (manifest, back) = match (entry.read)(document.value.clone()) {
        Ok(read) => read,
        Err(mismatch) => {
            reading.push(SourceDiagnostic::new(
                WRONG_TYPE
                    .at(
                        object_path(&label, &mismatch.path),
                        format!(
                            "{} does not fit its field: {}",
                            mismatch.path, mismatch.message
                        ),
                    )
                    .with_help(format!(
                        "write the type the message names (the {kind} {} schema)",
                        entry.api_version(entry.versions[0])
                    )),
                Some(SourceLocation::at(
                    file,
                    document.position_of(&mismatch.path),
                )),
            ));
            return;
        }
    };
    let object = ReadObject {
        manifest,
        api_version: api_version.to_owned(),
        kind: kind.to_owned(),
        name: name.to_owned(),
        namespace: text_at(&document.value, &["metadata", "namespace"]).map(str::to_owned),
        value: document.value.clone(),
        file: file.to_path_buf(),
        document,
    };
    for (path, loss) in strict::losses(&object.value, &back) {
        let diagnostic = match loss {
            // A field of the official schema that we do not read is not a misspelling: the
            // import reports it as not modelled (CM0827) when it compares the object with the
            // mesh's rendering.
            Loss::UnknownField if kinds::schema_field_not_read(api_version, kind, &path) => {
                continue;
            }
            Loss::UnknownField => {
                object.diagnostic(&UNKNOWN_FIELD, &path, format!("{kind} has no field {path}"))
            }
            Loss::Changed { read_as } => object.diagnostic(
                &WRONG_TYPE,
                &path,
                format!("{path} reads as {read_as}, not as written"),
            ),
        };
        reading.push(SourceDiagnostic {
            diagnostic: diagnostic.diagnostic.with_help(
                "correct the field name or value, or remove it (the API server would drop or refuse it)",
            ),
            ..diagnostic
        });
    }
    reading.objects.push(object);
}

/// CM0827 for a whole object: `label` (`Kind/name`) is a real object the mesh does not render.
pub(crate) fn not_modelled_object(label: &str) -> Diagnostic {
    NOT_MODELLED.at(
        MeshPath::manifest(label),
        format!("{label} is not part of the mesh model; the imported mesh does not render it"),
    )
}

fn unknown_kind(api_version: &str, kind: &str, label: &str) -> Diagnostic {
    let known: Vec<String> = kinds::KINDS
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.api_version(e.versions[0]))
        .collect();
    let help = if known.is_empty() {
        closest(kind, kinds::known_kinds()).map_or_else(
            || "the reader knows Namespace, ServiceAccount, ConfigMap, Secret, Service, Deployment, HorizontalPodAutoscaler and Istio's VirtualService, DestinationRule, PeerAuthentication, AuthorizationPolicy and Telemetry".to_owned(),
            |name| format!("did you mean `{name}`?"),
        )
    } else {
        format!("{kind} is read as apiVersion {}", known.join(" or "))
    };
    UNKNOWN_KIND
        .at(
            MeshPath::manifest(label),
            format!("connectum-mesh does not read {kind} of apiVersion {api_version}"),
        )
        .with_help(help)
}

fn or_unknown(text: &str) -> &str {
    if text.is_empty() { "?" } else { text }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// The API group of `api_version` (`""` for the core group).
fn group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(group, _)| group)
}

fn check_duplicates(reading: &mut Reading) {
    let mut first: BTreeMap<(&str, &str, &str, &str), &ReadObject> = BTreeMap::new();
    let mut found = Vec::new();
    for object in &reading.objects {
        let key = (
            group(&object.api_version),
            object.kind.as_str(),
            object.namespace.as_deref().unwrap_or_default(),
            object.name.as_str(),
        );
        if let Some(earlier) = first.get(&key) {
            found.push(SourceDiagnostic {
                diagnostic: object
                    .diagnostic(
                        &DUPLICATE_OBJECT,
                        &FieldPath::root(),
                        format!(
                            "{} is also defined at {}; applying both keeps only the later one",
                            object.label(),
                            earlier.location()
                        ),
                    )
                    .diagnostic
                    .with_help("merge the two documents into one object"),
                location: Some(object.location()),
            });
        } else {
            first.insert(key, object);
        }
    }
    reading.diagnostics.extend(found);
}

#[cfg(test)]
mod tests;
