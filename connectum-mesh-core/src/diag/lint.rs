//! Lint levels, like rustc's and clippy's: a mesh may allow a warning, keep it, or deny it so it
//! fails `check`, `render` and `build` like an error (a team's CI, say, refusing CM0302).
//!
//! Errors stay errors: they are what Istio or Kubernetes would refuse, or what breaks traffic,
//! and no level lowers them (rustc's hard errors work the same way).

use std::collections::BTreeMap;

use super::{Code, CodeInfo, Diagnostic, Diagnostics, Severity};

/// What to do with a diagnostic code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// Do not report it (warnings only).
    Allow,
    /// Report it as a warning (the default of warning codes).
    Warn,
    /// Report it as an error: rendering stops.
    Deny,
}

impl From<CodeInfo> for Code {
    fn from(info: CodeInfo) -> Self {
        info.code
    }
}

impl From<&CodeInfo> for Code {
    fn from(info: &CodeInfo) -> Self {
        info.code
    }
}

/// The levels a mesh sets: one per code, and whether every warning is denied.
///
/// ```
/// use connectum_mesh_core::diag::Level;
/// use connectum_mesh_core::diag::registry::TRIES_OUTLAST_TIMEOUT;
/// use connectum_mesh_core::{Mesh, check};
///
/// let mut mesh = Mesh::builder().namespace("connectum").build();
/// mesh.lint(TRIES_OUTLAST_TIMEOUT, Level::Deny);
/// assert!(!check(&mesh).has_errors());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lints {
    levels: BTreeMap<Code, Level>,
    deny_warnings: bool,
}

impl Lints {
    /// Sets the level of `code` (a later call for the same code wins).
    pub fn set(&mut self, code: impl Into<Code>, level: Level) {
        self.levels.insert(code.into(), level);
    }

    /// Denies every warning whose code has no level of its own (`-D warnings`).
    pub fn deny_warnings(&mut self) {
        self.deny_warnings = true;
    }

    /// The level set for `code`, if any.
    #[must_use]
    pub fn level(&self, code: Code) -> Option<Level> {
        self.levels.get(&code).copied()
    }

    /// The diagnostics as these levels make them: allowed warnings dropped, denied ones errors.
    #[must_use]
    pub fn apply(&self, diagnostics: Diagnostics) -> Diagnostics {
        let mut out = Diagnostics::new();
        for diagnostic in diagnostics {
            if let Some(diagnostic) = self.apply_one(diagnostic) {
                out.push(diagnostic);
            }
        }
        out
    }

    fn apply_one(&self, mut diagnostic: Diagnostic) -> Option<Diagnostic> {
        if diagnostic.severity == Severity::Error {
            return Some(diagnostic);
        }
        let level = self
            .level(diagnostic.code)
            .unwrap_or(if self.deny_warnings {
                Level::Deny
            } else {
                Level::Warn
            });
        match level {
            Level::Allow => None,
            Level::Warn => Some(diagnostic),
            Level::Deny => {
                diagnostic.severity = Severity::Error;
                Some(diagnostic)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::MeshPath;
    use crate::diag::registry::{RETRY_AMPLIFICATION, TRIES_OUTLAST_TIMEOUT, UNDECLARED_SUBSET};

    fn found() -> Diagnostics {
        let mut all = Diagnostics::new();
        all.push(TRIES_OUTLAST_TIMEOUT.at(MeshPath::root(), "40s > 30s"));
        all.push(RETRY_AMPLIFICATION.at(MeshPath::root(), "12 calls"));
        all
    }

    #[test]
    fn deny_turns_a_warning_into_an_error_and_allow_drops_it() {
        let mut lints = Lints::default();
        assert_eq!(lints.apply(found()), found());
        lints.set(TRIES_OUTLAST_TIMEOUT, Level::Deny);
        let denied = lints.apply(found());
        assert_eq!(denied.all()[0].severity, Severity::Error);
        lints.set(TRIES_OUTLAST_TIMEOUT, Level::Allow);
        assert_eq!(lints.apply(found()).codes(), ["CM0301"]);
    }

    #[test]
    fn errors_cannot_be_lowered() {
        let mut lints = Lints::default();
        lints.set(RETRY_AMPLIFICATION, Level::Allow);
        lints.set(Code("CM0201"), Level::Warn);
        let mut all = found();
        all.push(UNDECLARED_SUBSET.at(MeshPath::root(), "canery"));
        let applied = lints.apply(all);
        assert_eq!(applied.errors().count(), 2);
    }

    #[test]
    fn deny_warnings_denies_every_warning_without_its_own_level() {
        let mut lints = Lints::default();
        lints.deny_warnings();
        assert!(!lints.apply(found()).warnings().any(|_| true));
        lints.set(TRIES_OUTLAST_TIMEOUT, Level::Warn);
        assert_eq!(lints.apply(found()).warnings().count(), 1);
    }
}
