//! Who may call a service, and the identities they call with.

use std::fmt;

use bon::Builder;

/// Istio's mutual-TLS mode (PeerAuthentication `mtls.mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MtlsMode {
    /// Only mutual TLS is accepted.
    Strict,
    /// Mutual TLS and plain text are accepted (migration, or callers outside the mesh).
    Permissive,
    /// Mutual TLS is off.
    Disable,
}

impl super::Words for MtlsMode {
    const WHAT: &'static str = "mTLS mode";
    const WORDS: &'static [(&'static str, Self)] = &[
        ("STRICT", Self::Strict),
        ("PERMISSIVE", Self::Permissive),
        ("DISABLE", Self::Disable),
    ];
}
super::spelled!(MtlsMode);

impl MtlsMode {
    /// Istio's spelling: `STRICT`, `PERMISSIVE`, `DISABLE`.
    #[must_use]
    pub fn as_istio(self) -> &'static str {
        super::Words::word(self)
    }
}

/// A Kubernetes ServiceAccount, the identity behind an Istio principal.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceAccountRef {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
}

impl ServiceAccountRef {
    /// The ServiceAccount `name` in `namespace`.
    #[must_use]
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// The SPIFFE-style principal Istio matches: `<trust-domain>/ns/<namespace>/sa/<name>`.
    #[must_use]
    pub fn principal(&self, trust_domain: &str) -> String {
        [trust_domain, "/ns/", &self.namespace, "/sa/", &self.name].concat()
    }

    /// Reads a principal `<trust-domain>/ns/<namespace>/sa/<name>`; returns the trust domain and
    /// the account, or `None` when the text has another shape.
    #[must_use]
    pub fn parse_principal(principal: &str) -> Option<(String, Self)> {
        let mut parts = principal.split('/');
        let (Some(domain), Some("ns"), Some(ns), Some("sa"), Some(name), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        if domain.is_empty() || ns.is_empty() || name.is_empty() {
            return None;
        }
        Some((domain.to_owned(), Self::new(ns, name)))
    }
}

impl fmt::Display for ServiceAccountRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// A source an authorization rule admits.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// Callers running as this ServiceAccount (Istio `principals`).
    ServiceAccount(ServiceAccountRef),
    /// Any meshed caller in this namespace (Istio `namespaces`).
    Namespace(String),
}

/// One ALLOW rule: a request is admitted when it comes from any of `from`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct AllowRule {
    /// The admitted sources, any of which suffices.
    #[builder(default, with = |items: impl IntoIterator<Item = Source>| items.into_iter().collect())]
    pub from: Vec<Source>,
}

impl AllowRule {
    /// Admits callers running as `account`.
    #[must_use]
    pub fn service_account(account: ServiceAccountRef) -> Self {
        Self {
            from: vec![Source::ServiceAccount(account)],
        }
    }

    /// Admits any meshed caller in `namespace`.
    #[must_use]
    pub fn namespace(namespace: impl Into<String>) -> Self {
        Self {
            from: vec![Source::Namespace(namespace.into())],
        }
    }
}

/// A caller outside the model (an API gateway, a job) that the mesh admits and whose calls the
/// retry budget follows.
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct ExternalCaller {
    /// A name for diagnostics and call chains, e.g. `envoy-gateway`.
    #[builder(into)]
    pub name: String,
    /// The ServiceAccount it runs as.
    pub service_account: ServiceAccountRef,
    /// The services of this mesh it calls.
    #[builder(default, with = |items: impl IntoIterator<Item = impl Into<String>>| super::strings(items))]
    pub calls: Vec<String>,
}

/// Application-level TLS in Connectum's `createServer({ tls })`. Under Istio mTLS it encrypts
/// twice; the checker warns (the docs' migration advice is to remove it).
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct AppTls {
    /// Directory with `server.crt` and `server.key`.
    #[builder(into)]
    pub dir_path: String,
}
