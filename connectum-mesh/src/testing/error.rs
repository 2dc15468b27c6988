//! Why a topology test could not get an answer: each case has a stable code (CM081x).

use std::fmt;

use connectum_mesh_core::diag::registry::CodeInfo;
use connectum_mesh_core::diag::registry::{
    MANIFESTS_OUT_OF_DATE, TEST_NOT_MODELLED, TEST_UNKNOWN_CALLER, TEST_UNKNOWN_CHAIN,
    TEST_UNKNOWN_HOST,
};

use crate::render::RenderError;

/// Why [`Deployed`](super::Deployed) or [`check_up_to_date`](super::check_up_to_date) gave no
/// answer. Printing it prints the code, the fact and the fix, like every diagnostic.
#[derive(Debug)]
#[non_exhaustive]
pub enum TestingError {
    /// The mesh has errors, so nothing would be deployed (every diagnostic inside).
    Invalid(RenderError),
    /// CM0810: no service of the mesh is this host.
    UnknownHost {
        /// The host as given.
        host: String,
        /// The closest service name, if one is close.
        closest: Option<String>,
    },
    /// CM0811: the chain is not one the mesh has.
    UnknownChain {
        /// The chain as given.
        chain: Vec<String>,
        /// What is wrong with it.
        reason: String,
    },
    /// CM0812: the caller is neither a service nor an external caller of the mesh.
    UnknownCaller {
        /// The name as given.
        name: String,
        /// The closest declared name, if one is close.
        closest: Option<String>,
    },
    /// CM0813: committed manifests differ from what the mesh emits.
    OutOfDate {
        /// The directory compared.
        dir: std::path::PathBuf,
        /// A unified diff, committed (`-`) against emitted (`+`), file by file.
        diff: String,
    },
    /// CM0814: a document uses a feature the evaluator does not model, or is malformed.
    NotModelled(String),
}

impl TestingError {
    fn info(&self) -> Option<&'static CodeInfo> {
        match self {
            Self::Invalid(_) => None,
            Self::UnknownHost { .. } => Some(&TEST_UNKNOWN_HOST),
            Self::UnknownChain { .. } => Some(&TEST_UNKNOWN_CHAIN),
            Self::UnknownCaller { .. } => Some(&TEST_UNKNOWN_CALLER),
            Self::OutOfDate { .. } => Some(&MANIFESTS_OUT_OF_DATE),
            Self::NotModelled(_) => Some(&TEST_NOT_MODELLED),
        }
    }

    /// The stable code (`CM0810` …); for [`TestingError::Invalid`], the first error's code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match (self, self.info()) {
            (_, Some(info)) => info.code.as_str(),
            (Self::Invalid(error), None) => error
                .diagnostics
                .errors()
                .next()
                .map_or("", |d| d.code.as_str()),
            _ => "",
        }
    }
}

fn suggestion(closest: Option<&String>) -> String {
    closest.map_or_else(String::new, |name| format!("; did you mean `{name}`?"))
}

impl fmt::Display for TestingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Self::Invalid(error) = self {
            return error.fmt(f);
        }
        write!(f, "error[{}]: ", self.code())?;
        match self {
            Self::Invalid(_) => Ok(()),
            Self::UnknownHost { host, closest } => write!(
                f,
                "no service of the mesh is `{host}`{}\n   = help: route requests to a service the mesh declares",
                suggestion(closest.as_ref())
            ),
            Self::UnknownChain { chain, reason } => write!(
                f,
                "the mesh has no call chain {}: {reason}\n   = help: name services and external callers of the mesh, each calling the next",
                chain.join(" → ")
            ),
            Self::UnknownCaller { name, closest } => write!(
                f,
                "no service or external caller of the mesh is `{name}`{}\n   = help: name a declared caller, or use Caller::account(...) or Caller::plain_text()",
                suggestion(closest.as_ref())
            ),
            Self::OutOfDate { dir, diff } => write!(
                f,
                "the manifests in {} are not what the mesh emits now\n{diff}   = help: regenerate them (cargo build for a build script, or `emit --out {}`) and commit the result",
                dir.display(),
                dir.display()
            ),
            Self::NotModelled(what) => write!(
                f,
                "{what}\n   = help: the evaluator models what connectum-mesh renders; leave the unmodelled field out"
            ),
        }
    }
}

impl std::error::Error for TestingError {}

impl From<super::MeaningError> for TestingError {
    fn from(error: super::MeaningError) -> Self {
        Self::NotModelled(error.to_string())
    }
}
