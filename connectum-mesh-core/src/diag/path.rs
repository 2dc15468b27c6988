//! Where in the mesh a problem is, as typed segments: `service order-service › routes[1] ›
//! split`.
//!
//! A path is built by the rule that reports it and looked up by the `mesh!` macro to find the
//! token it names, so both sides compare segments, never text. Adding a kind of item (a
//! gateway, say) is one [`Segment`] variant, its `Display` arm and a constructor.

use std::fmt;

/// One step of a [`MeshPath`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Segment {
    /// A declared service: `service order-service`.
    Service(String),
    /// A caller from outside the mesh: `external caller envoy-gateway`.
    ExternalCaller(String),
    /// A gateway, where requests from outside enter: `gateway connectum-gateway`.
    Gateway(String),
    /// A call chain, caller first: `chain envoy-gateway → order-service`.
    Chain(Vec<String>),
    /// A subset of a service: `subset canary`.
    Subset(String),
    /// A route of a service, by position: `routes[1]`.
    Route(usize),
    /// A leg of a split, by position: `legs[0]`.
    Leg(usize),
    /// A field: `timeout`, `traffic_policy`.
    Field(&'static str),
    /// An element of a list field: `calls[2]`, `allow[0]`.
    Index(&'static str, usize),
    /// An entry of a map field, by key: a config variable `PORT`, a header `x-canary`.
    Key(String),
    /// A Kubernetes or Istio object read from a manifest, as `Kind/name`:
    /// `Deployment/order-service`.
    Manifest(String),
    /// A field of a manifest object in kubectl's notation: `spec.template.spec.containers[0]`.
    ManifestField(String),
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Service(name) => write!(f, "service {name}"),
            Self::ExternalCaller(name) => write!(f, "external caller {name}"),
            Self::Gateway(name) => write!(f, "gateway {name}"),
            Self::Chain(members) => write!(f, "chain {}", members.join(" → ")),
            Self::Subset(name) => write!(f, "subset {name}"),
            Self::Route(index) => write!(f, "routes[{index}]"),
            Self::Leg(index) => write!(f, "legs[{index}]"),
            Self::Field(field) => f.write_str(field),
            Self::Index(field, index) => write!(f, "{field}[{index}]"),
            Self::Key(key) | Self::Manifest(key) | Self::ManifestField(key) => f.write_str(key),
        }
    }
}

/// Where in the mesh a problem is: `service order-service › routes[1] › split`.
///
/// ```
/// use connectum_mesh_core::MeshPath;
///
/// let split = MeshPath::service("order-service").route(1).field("split");
/// assert_eq!(split.to_string(), "service order-service › routes[1] › split");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MeshPath(Vec<Segment>);

impl MeshPath {
    /// The mesh itself.
    #[must_use]
    pub fn root() -> Self {
        Self::default()
    }

    /// The path of a service.
    #[must_use]
    pub fn service(name: &str) -> Self {
        Self(vec![Segment::Service(name.to_owned())])
    }

    /// The path of an external caller: `external caller envoy-gateway`.
    #[must_use]
    pub fn external_caller(name: &str) -> Self {
        Self(vec![Segment::ExternalCaller(name.to_owned())])
    }

    /// The path of a gateway: `gateway connectum-gateway`.
    #[must_use]
    pub fn gateway(name: &str) -> Self {
        Self(vec![Segment::Gateway(name.to_owned())])
    }

    /// The path of a call chain, caller first: `chain envoy-gateway → order-service`.
    #[must_use]
    pub fn chain<S: AsRef<str>>(members: &[S]) -> Self {
        let names = members.iter().map(|m| m.as_ref().to_owned()).collect();
        Self(vec![Segment::Chain(names)])
    }

    /// The path of an object read from a manifest: `Deployment/order-service`.
    #[must_use]
    pub fn manifest(label: &str) -> Self {
        Self(vec![Segment::Manifest(label.to_owned())])
    }

    /// A field of the manifest object at this path, in kubectl's notation.
    #[must_use]
    pub fn manifest_field(&self, field: impl fmt::Display) -> Self {
        self.then(Segment::ManifestField(field.to_string()))
    }

    /// A path with one more segment.
    #[must_use]
    pub fn then(&self, segment: Segment) -> Self {
        // Sized once: a clone then a push would reallocate on every step.
        let mut segments = Vec::with_capacity(self.0.len() + 1);
        segments.extend_from_slice(&self.0);
        segments.push(segment);
        Self(segments)
    }

    /// A field of the item at this path: `timeout`.
    #[must_use]
    pub fn field(&self, field: &'static str) -> Self {
        self.then(Segment::Field(field))
    }

    /// An element of a list field: `calls[2]`.
    #[must_use]
    pub fn index(&self, field: &'static str, index: usize) -> Self {
        self.then(Segment::Index(field, index))
    }

    /// An entry of a map field, by key: `config › PORT`.
    #[must_use]
    pub fn key(&self, key: &str) -> Self {
        self.then(Segment::Key(key.to_owned()))
    }

    /// A subset of the service at this path: `subset canary`.
    #[must_use]
    pub fn subset(&self, name: &str) -> Self {
        self.then(Segment::Subset(name.to_owned()))
    }

    /// A route of the service at this path: `routes[1]`.
    #[must_use]
    pub fn route(&self, index: usize) -> Self {
        self.then(Segment::Route(index))
    }

    /// A leg of the split at this path: `legs[0]`.
    #[must_use]
    pub fn leg(&self, index: usize) -> Self {
        self.then(Segment::Leg(index))
    }

    /// The segments, outermost first.
    #[must_use]
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// The path one segment shorter, or `None` at the root.
    #[must_use]
    pub fn parent(&self) -> Option<Self> {
        let (_, parent) = self.0.split_last()?;
        Some(Self(parent.to_vec()))
    }

    /// Whether this path is `prefix` or lies under it.
    #[must_use]
    pub fn starts_with(&self, prefix: &Self) -> bool {
        self.0.starts_with(&prefix.0)
    }

    /// The service, external caller or gateway this path lies under, if any.
    #[must_use]
    pub fn owner(&self) -> Option<&str> {
        match self.0.first()? {
            Segment::Service(name) | Segment::ExternalCaller(name) | Segment::Gateway(name) => {
                Some(name)
            }
            _ => None,
        }
    }
}

impl fmt::Display for MeshPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut segments = self.0.iter();
        let Some(first) = segments.next() else {
            return f.write_str("mesh");
        };
        write!(f, "{first}")?;
        segments.try_for_each(|segment| write!(f, " › {segment}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_each_kind_of_segment_as_the_docs_do() {
        let leg = MeshPath::service("order-service")
            .route(1)
            .field("split")
            .leg(0);
        assert_eq!(
            leg.to_string(),
            "service order-service › routes[1] › split › legs[0]"
        );
        let port = MeshPath::service("order-service")
            .field("config")
            .key("PORT");
        assert_eq!(port.to_string(), "service order-service › config › PORT");
        let chain = MeshPath::chain(&["envoy-gateway", "order-service"]).index("calls", 2);
        assert_eq!(
            chain.to_string(),
            "chain envoy-gateway → order-service › calls[2]"
        );
        assert_eq!(
            MeshPath::external_caller("gw").subset("canary").to_string(),
            "external caller gw › subset canary"
        );
        assert_eq!(MeshPath::root().to_string(), "mesh");
    }

    #[test]
    fn prefixes_and_owners_compare_segments() {
        let split = MeshPath::service("a").route(0).field("split");
        assert!(split.starts_with(&MeshPath::service("a").route(0)));
        assert!(!split.starts_with(&MeshPath::service("a").index("routes", 0)));
        assert_eq!(split.parent(), Some(MeshPath::service("a").route(0)));
        assert_eq!(MeshPath::root().parent(), None);
        assert_eq!(split.owner(), Some("a"));
        assert_eq!(MeshPath::chain(&["a", "b"]).owner(), None);
    }
}
