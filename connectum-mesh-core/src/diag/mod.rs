//! Diagnostics: every problem the checker finds, with a stable code, the path of the offending
//! item, a message and a hint, printed the way rustc prints its errors.

use std::fmt;

mod docs;
mod lint;
mod path;
pub mod registry;
mod suggest;

/// Renders `docs/diagnostics.md` from the registry (the project's own doc generator).
#[doc(hidden)]
pub use docs::markdown;
pub use docs::{LINT_NEEDS_MORE, NOT_APPLICABLE};
pub use lint::{Level, Lints};
pub use path::{MeshPath, Segment};
pub use registry::{CodeInfo, REGISTRY, RETIRED, RetiredCode, Scope, lookup};
/// Spelling suggestions the checker, `mesh!` and the reader share; not part of the API.
#[doc(hidden)]
pub use suggest::{closest, did_you_mean};

/// How bad a problem is: errors stop rendering, warnings are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The mesh would be refused by Istio or would misbehave: nothing is emitted.
    Error,
    /// Accepted, but probably not what was meant.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Error => "error",
            Self::Warning => "warning",
        })
    }
}

/// A stable diagnostic code: `CM` and four digits (01xx model, 02xx routing, 03xx resilience,
/// 04xx security, 05xx Kubernetes wiring, 08xx I/O, 09xx DSL syntax). Codes are never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(pub &'static str);

impl Code {
    /// What the registry knows about this code (title, severity, explanation), if it is
    /// registered.
    #[must_use]
    pub fn info(self) -> Option<&'static CodeInfo> {
        lookup(self)
    }

    /// The code's text, e.g. `CM0201`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A second place a diagnostic concerns: the port a config variable contradicts, the earlier
/// route that hides a later one. Printed as rustc prints a `note` with its own location.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Related {
    /// Where the other item is.
    pub path: MeshPath,
    /// What it has to do with the problem: "the service listens on port 5000 here".
    pub note: String,
}

/// One problem: what, where, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Diagnostic {
    /// The stable code.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// The offending item.
    pub path: MeshPath,
    /// The fact: what is wrong, with the values involved.
    pub message: String,
    /// The fix, naming the closest valid value where a name was wrong.
    pub help: Option<String>,
    /// The fix in the words of the `mesh!` DSL, where [`Diagnostic::help`] shows builder code
    /// (`chain_budget { .. }` for `ChainBudget::new(..)`); `mesh!` prints it instead.
    pub dsl_help: Option<String>,
    /// Other places the problem concerns, each with a note.
    pub related: Vec<Related>,
}

impl Diagnostic {
    /// An error.
    #[must_use]
    pub fn error(code: Code, path: MeshPath, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: Severity::Error,
            path,
            message: message.into(),
            help: None,
            dsl_help: None,
            related: Vec::new(),
        }
    }

    /// A warning.
    #[must_use]
    pub fn warning(code: Code, path: MeshPath, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, path, message)
        }
    }

    /// Adds the hint.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds the hint in the words of the `mesh!` DSL, for a hint that shows builder code.
    ///
    /// ```
    /// use connectum_mesh_core::MeshPath;
    /// use connectum_mesh_core::diag::registry::RETRY_AMPLIFICATION;
    ///
    /// let diagnostic = RETRY_AMPLIFICATION
    ///     .at(MeshPath::chain(&["edge", "orders"]), "15 calls")
    ///     .with_help("raise it with ChainBudget::new([\"edge\", \"orders\"], RetryBudget::calls(15))")
    ///     .with_dsl_help("raise it with chain_budget { chain: [edge, orders], calls: 15 }");
    /// assert!(diagnostic.dsl_help.is_some_and(|help| help.contains("chain_budget")));
    /// ```
    #[must_use]
    pub fn with_dsl_help(mut self, help: impl Into<String>) -> Self {
        self.dsl_help = Some(help.into());
        self
    }

    /// Adds a second place the problem concerns, e.g. the port a config variable contradicts.
    #[must_use]
    pub fn with_related(mut self, path: MeshPath, note: impl Into<String>) -> Self {
        self.related.push(Related {
            path,
            note: note.into(),
        });
        self
    }

    /// The path of the item and of every related item.
    pub fn paths(&self) -> impl Iterator<Item = &MeshPath> {
        std::iter::once(&self.path).chain(self.related.iter().map(|r| &r.path))
    }
}

impl fmt::Display for Diagnostic {
    /// rustc's layout: `error[CM0201]: message`, then `  --> path`, then `  = help: …`, then
    /// a `note: …` with its own `  --> path` for each related place.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}[{}]: {}", self.severity, self.code, self.message)?;
        write!(f, "  --> {}", self.path)?;
        if let Some(help) = &self.help {
            write!(f, "\n   = help: {help}")?;
        }
        for related in &self.related {
            write!(f, "\nnote: {}\n  --> {}", related.note, related.path)?;
        }
        Ok(())
    }
}

/// All problems found in one pass, in the order the rules found them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// No problems yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Whether any problem is an error.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Whether nothing was found.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Every problem.
    #[must_use]
    pub fn all(&self) -> &[Diagnostic] {
        &self.items
    }

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.severity == Severity::Error)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }

    /// The codes found, in order (handy in tests).
    #[must_use]
    pub fn codes(&self) -> Vec<&'static str> {
        self.items.iter().map(|d| d.code.as_str()).collect()
    }
}

impl Extend<Diagnostic> for Diagnostics {
    fn extend<T: IntoIterator<Item = Diagnostic>>(&mut self, iter: T) {
        self.items.extend(iter);
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;

    /// Each diagnostic, in the order the rules found them (`for d in &diagnostics`).
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl fmt::Display for Diagnostics {
    /// Every diagnostic, a blank line apart, then a summary line like rustc's. The summary
    /// only counts: the same text closes `check`, which renders nothing, and a refused render.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.items {
            writeln!(f, "{d}\n")?;
        }
        let errors = self.errors().count();
        let warnings = self.warnings().count();
        match (errors, warnings) {
            (0, 0) => write!(f, "no problems found"),
            (0, w) => write!(f, "{w} warning{} emitted", plural(w)),
            (e, 0) => write!(f, "{e} error{} emitted", plural(e)),
            (e, w) => write!(
                f,
                "{e} error{}; {w} warning{} emitted",
                plural(e),
                plural(w)
            ),
        }
    }
}

/// Diagnostics are the error of [`Mesh::merge`](crate::Mesh::merge) (and, through
/// `RenderError`, of rendering), so `?` takes them into `Box<dyn Error>` like any other error.
///
/// ```
/// use connectum_mesh_core::{Mesh, Service};
///
/// fn compose() -> Result<Mesh, Box<dyn std::error::Error>> {
///     let cart = || Service::builder().name("cart").image("cart:1").build();
///     let mut mesh = Mesh::builder().namespace("shop").services([cart()]).build();
///     mesh.merge(cart())?; // CM0101: cart is defined twice
///     Ok(mesh)
/// }
/// let error = compose().unwrap_err();
/// assert!(error.to_string().contains("CM0101"), "{error}");
/// ```
impl std::error::Error for Diagnostics {}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_rustc() {
        let d = Diagnostic::error(
            Code("CM0201"),
            MeshPath::service("order-service").route(1).field("split"),
            "weights total 95",
        )
        .with_help("make them total 100");
        assert_eq!(
            d.to_string(),
            "error[CM0201]: weights total 95\n  --> service order-service › routes[1] › split\n   = help: make them total 100"
        );
    }

    #[test]
    fn related_places_print_as_notes_after_the_help() {
        let service = MeshPath::service("order-service");
        let d = Diagnostic::error(
            Code("CM0519"),
            service.field("config").key("PORT"),
            "config sets PORT 6000",
        )
        .with_help("remove it")
        .with_related(service.field("port"), "the service listens on port 5000");
        assert_eq!(
            d.to_string(),
            "error[CM0519]: config sets PORT 6000\n  --> service order-service › config › PORT\n   = help: remove it\nnote: the service listens on port 5000\n  --> service order-service › port"
        );
        assert_eq!(d.paths().count(), 2);
    }

    #[test]
    fn summary_counts_errors_and_warnings() {
        let mut all = Diagnostics::new();
        assert_eq!(all.to_string(), "no problems found");
        all.push(Diagnostic::warning(Code("CM0001"), MeshPath::root(), "w"));
        assert!(!all.has_errors());
        all.push(Diagnostic::error(Code("CM0002"), MeshPath::root(), "e"));
        assert!(all.has_errors());
        assert!(all.to_string().ends_with("\n1 error; 1 warning emitted"));
        let mut errors = Diagnostics::new();
        errors.push(Diagnostic::error(Code("CM0002"), MeshPath::root(), "e"));
        errors.push(Diagnostic::error(Code("CM0003"), MeshPath::root(), "e"));
        assert!(errors.to_string().ends_with("\n2 errors emitted"));
        assert_eq!(all.codes(), ["CM0001", "CM0002"]);
    }
}
