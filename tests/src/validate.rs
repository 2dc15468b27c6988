//! One entry point for "would Istio 1.30.3's API server accept this document?": the structural
//! schema with strict field validation ([`crate::schema`]), every CEL rule ([`crate::cel`]) and
//! minimal `metadata` checks, for every Istio kind and served version of the vendored CRDs.
//!
//! ```
//! use connectum_mesh_tests::validate::IstioValidator;
//! use serde_json::json;
//!
//! let validator = IstioValidator::shared();
//! let broken = json!({
//!     "apiVersion": "networking.istio.io/v1",
//!     "kind": "VirtualService",
//!     "metadata": {"name": "order-service"},
//!     "spec": {"hosts": ["order-service"], "http": [{
//!         "timeout": "0s",
//!         "route": [{"destination": {"host": "order-service"}}]
//!     }]}
//! });
//! let report = validator.validate(&broken);
//! assert!(!report.is_valid());
//! assert!(report.to_string().contains("must be a valid duration greater than 1ms"));
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde_json::Value;

use crate::cel::{CelOutcome, CelRules};
use crate::crds::{CrdSet, GroupVersionKind};
use crate::schema;

/// What kind of check a violation comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Check {
    /// The document names no apiVersion/kind, or a kind and version no vendored CRD serves.
    UnknownKind,
    /// The structural schema: unknown field, wrong type, missing required field, enum, bounds,
    /// one-of.
    Schema,
    /// `metadata`: name, namespace, labels, annotations.
    Metadata,
    /// A CEL rule evaluated to `false`.
    CelRule,
    /// A CEL rule that could not be evaluated (never counted as passing).
    CelUnevaluated,
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::UnknownKind => "unknown kind",
            Self::Schema => "schema",
            Self::Metadata => "metadata",
            Self::CelRule => "CEL rule",
            Self::CelUnevaluated => "CEL rule not evaluated",
        })
    }
}

/// One reason the API server would refuse a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Which check found it.
    pub check: Check,
    /// The field path, e.g. `spec.http[0].timeout` (empty for the whole document).
    pub path: String,
    /// What is wrong: the schema error or the CEL rule's message.
    pub message: String,
    /// The CEL rule's text, for CEL findings.
    pub rule: Option<String>,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "<root>"
        } else {
            &self.path
        };
        write!(f, "{path}: {} [{}", self.message, self.check)?;
        if let Some(rule) = &self.rule {
            write!(f, " `{}`", rule.replace('\n', " "))?;
        }
        f.write_str("]")
    }
}

/// The outcome of validating one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The document's type, when it names one.
    pub gvk: Option<GroupVersionKind>,
    /// The document's `metadata.name`, when it has one.
    pub name: Option<String>,
    /// Everything wrong with it; empty when the API server would accept it.
    pub violations: Vec<Violation>,
}

impl Report {
    /// Whether the API server would accept the document.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }

    /// The violations found by one kind of check.
    pub fn by(&self, check: Check) -> impl Iterator<Item = &Violation> {
        self.violations.iter().filter(move |v| v.check == check)
    }

    /// Whether some violation's message contains `text`.
    #[must_use]
    pub fn mentions(&self, text: &str) -> bool {
        self.violations.iter().any(|v| v.message.contains(text))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.gvk {
            Some(gvk) => write!(f, "{gvk}")?,
            None => f.write_str("document")?,
        }
        if let Some(name) = &self.name {
            write!(f, " {name}")?;
        }
        if self.violations.is_empty() {
            return f.write_str(": valid");
        }
        writeln!(f, ": {} violation(s)", self.violations.len())?;
        for violation in &self.violations {
            writeln!(f, "  - {violation}")?;
        }
        Ok(())
    }
}

/// The `jsonschema` message, with every allowed value spelled out for an enum (its own message
/// lists only the first two) and the one-of explained in Istio's terms.
fn schema_message(error: &jsonschema::ValidationError<'_>) -> String {
    match error.kind() {
        jsonschema::error::ValidationErrorKind::Enum { options } => {
            let allowed: Vec<String> = options
                .as_array()
                .into_iter()
                .flatten()
                .map(ToString::to_string)
                .collect();
            format!("{} is not one of {}", error.instance(), allowed.join(", "))
        }
        jsonschema::error::ValidationErrorKind::OneOfMultipleValid { .. } => format!(
            "{} sets more than one field of a one-of (Istio allows only one)",
            error.instance()
        ),
        _ => error.to_string(),
    }
}

struct KindValidator {
    open_api_v3_schema: Value,
    schema: jsonschema::Validator,
    rules: CelRules,
}

/// Validates documents against every served version of the vendored Istio CRDs.
pub struct IstioValidator {
    kinds: BTreeMap<GroupVersionKind, KindValidator>,
}

impl fmt::Debug for IstioValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IstioValidator")
            .field("kinds", &self.kinds.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl IstioValidator {
    /// A validator for every served version of every CRD in `crds`.
    ///
    /// # Errors
    /// When a CRD's schema does not convert into a valid JSON Schema.
    pub fn new(crds: &CrdSet) -> Result<Self, String> {
        let mut kinds = BTreeMap::new();
        for version in crds.iter().filter(|v| v.served) {
            let json_schema = schema::to_json_schema(&version.schema);
            let validator = schema::compile(&json_schema)
                .map_err(|e| format!("{}: the schema does not compile: {e}", version.gvk))?;
            kinds.insert(
                version.gvk.clone(),
                KindValidator {
                    open_api_v3_schema: version.schema.clone(),
                    schema: validator,
                    rules: CelRules::compile(&version.gvk, &version.schema),
                },
            );
        }
        Ok(Self { kinds })
    }

    /// The validator for every vendored CRD (Istio 1.30.3's, the Gateway API's and Envoy
    /// Gateway's), built once per process.
    ///
    /// # Panics
    /// When the vendored schemas do not compile, which the tests of this crate rule out.
    #[must_use]
    pub fn shared() -> &'static Self {
        static SHARED: OnceLock<IstioValidator> = OnceLock::new();
        SHARED.get_or_init(|| {
            Self::new(CrdSet::vendored())
                .unwrap_or_else(|e| panic!("the vendored CRDs do not compile: {e}"))
        })
    }

    /// Whether a vendored CRD serves `gvk`.
    #[must_use]
    pub fn knows(&self, gvk: &GroupVersionKind) -> bool {
        self.kinds.contains_key(gvk)
    }

    /// Validates one document as the API server would on create, with strict field validation.
    #[must_use]
    pub fn validate(&self, document: &Value) -> Report {
        let gvk = GroupVersionKind::of(document);
        let name = document
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut violations = Vec::new();
        match gvk.as_ref().and_then(|gvk| self.kinds.get(gvk)) {
            None => violations.push(Violation {
                check: Check::UnknownKind,
                path: String::new(),
                message: match &gvk {
                    Some(gvk) => format!(
                        "no Istio {ISTIO} CRD serves {gvk}",
                        ISTIO = crate::crds::ISTIO_VERSION
                    ),
                    None => "the document has no apiVersion and kind".to_owned(),
                },
                rule: None,
            }),
            Some(kind) => {
                violations.extend(kind.schema.iter_errors(document).map(|error| Violation {
                    check: Check::Schema,
                    path: schema::field_path(error.instance_path().as_str()),
                    message: schema_message(&error),
                    rule: None,
                }));
                violations.extend(
                    schema::check_list_types(&kind.open_api_v3_schema, document)
                        .into_iter()
                        .map(|(path, message)| Violation {
                            check: Check::Schema,
                            path,
                            message,
                            rule: None,
                        }),
                );
                violations.extend(schema::check_metadata(document).into_iter().map(
                    |(path, message)| Violation {
                        check: Check::Metadata,
                        path,
                        message,
                        rule: None,
                    },
                ));
                violations.extend(kind.rules.evaluate(document).into_iter().map(|finding| {
                    Violation {
                        check: match finding.outcome {
                            CelOutcome::Failed => Check::CelRule,
                            CelOutcome::Unevaluated => Check::CelUnevaluated,
                        },
                        path: finding.path,
                        message: finding.message,
                        rule: Some(finding.rule),
                    }
                }));
            }
        }
        Report {
            gvk,
            name,
            violations,
        }
    }

    /// Validates every Istio document and returns the reports of those that would be refused.
    ///
    /// A document counts as Istio's when its group is (`*.istio.io`), or the edge's
    /// (`gateway.networking.k8s.io`, `gateway.envoyproxy.io`), or its kind is one a vendored CRD
    /// serves, so a VirtualService under a wrong group or version is refused rather
    /// than skipped; so is a document without `apiVersion` and `kind`. Other Kubernetes kinds
    /// (Namespace, Deployment …) are skipped.
    #[must_use]
    pub fn refused_istio_documents(&self, documents: &[Value]) -> Vec<Report> {
        documents
            .iter()
            .filter(|d| {
                GroupVersionKind::of(d).is_none_or(|gvk| {
                    gvk.is_istio()
                        || gvk.is_edge()
                        || self.kinds.keys().any(|known| known.kind == gvk.kind)
                })
            })
            .map(|d| self.validate(d))
            .filter(|report| !report.is_valid())
            .collect()
    }
}
