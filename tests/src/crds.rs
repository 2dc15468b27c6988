//! Istio's official CustomResourceDefinitions (release 1.30.3), vendored in
//! `fixtures/istio-crds/`, indexed by API group, version and kind.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde_json::Value;

/// The vendored CRD file, byte for byte as Istio 1.30.3 ships it (see its `PROVENANCE.md`).
pub const VENDORED_CRDS_YAML: &str =
    include_str!("../fixtures/istio-crds/customresourcedefinitions.gen.yaml");

/// The sha256 of [`VENDORED_CRDS_YAML`] recorded in `fixtures/istio-crds/PROVENANCE.md`.
pub const VENDORED_CRDS_SHA256: &str =
    "dcb43ff6b9af2f629b80b6a82597f5a91db259c757e66cc5353ac007da28351a";

/// The Istio release the vendored CRDs come from.
pub const ISTIO_VERSION: &str = "1.30.3";

/// The Kubernetes Gateway API CRDs (standard channel v1.6.1) and Envoy Gateway's
/// BackendTrafficPolicy CRD (v1.9.0) the edge is emitted in, each file byte for byte as released
/// (see the `PROVENANCE.md` beside them), with its sha256.
pub const VENDORED_EDGE_CRDS: [(&str, &str, &str); 5] = [
    (
        "gateway-api-crds/gateway.networking.k8s.io_gatewayclasses.yaml",
        include_str!("../fixtures/gateway-api-crds/gateway.networking.k8s.io_gatewayclasses.yaml"),
        "53710048ba26f8620eed59d5e51b157ecf040daf5c6eef31a4b991e0808c4be5",
    ),
    (
        "gateway-api-crds/gateway.networking.k8s.io_gateways.yaml",
        include_str!("../fixtures/gateway-api-crds/gateway.networking.k8s.io_gateways.yaml"),
        "25b885f5870b8fff1ae82efa2628b2761cef3745900c2aecf8fb76629a01255a",
    ),
    (
        "gateway-api-crds/gateway.networking.k8s.io_grpcroutes.yaml",
        include_str!("../fixtures/gateway-api-crds/gateway.networking.k8s.io_grpcroutes.yaml"),
        "53a8d029da8f07e55d3fa58a5cf6de5950dab19fbb8d6a8082fb5e51ca5ef6fc",
    ),
    (
        "gateway-api-crds/gateway.networking.k8s.io_httproutes.yaml",
        include_str!("../fixtures/gateway-api-crds/gateway.networking.k8s.io_httproutes.yaml"),
        "a424a0d6c953b162e71d1d97bb7e75012d8f1ac264e7274f2763d1b96ab39852",
    ),
    (
        "envoy-gateway-crds/gateway.envoyproxy.io_backendtrafficpolicies.yaml",
        include_str!(
            "../fixtures/envoy-gateway-crds/gateway.envoyproxy.io_backendtrafficpolicies.yaml"
        ),
        "cd75a4c222df5487aa9ca8957b48bcc3255eb25de02ed9153faf620bc160f786",
    ),
];

/// A resource type: API group, version and kind, e.g. `networking.istio.io/v1 VirtualService`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupVersionKind {
    /// The API group, e.g. `networking.istio.io` (empty for the core group).
    pub group: String,
    /// The version, e.g. `v1beta1`.
    pub version: String,
    /// The kind, e.g. `VirtualService`.
    pub kind: String,
}

impl GroupVersionKind {
    /// The type a document names with its `apiVersion` and `kind`, or `None` when either is
    /// missing or not a string.
    #[must_use]
    pub fn of(document: &Value) -> Option<Self> {
        let api_version = document.get("apiVersion")?.as_str()?;
        let kind = document.get("kind")?.as_str()?;
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        Some(Self {
            group: group.to_owned(),
            version: version.to_owned(),
            kind: kind.to_owned(),
        })
    }

    /// The `apiVersion` text: `group/version`, or just `version` for the core group.
    #[must_use]
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Whether the group is one of Istio's (`*.istio.io`).
    #[must_use]
    pub fn is_istio(&self) -> bool {
        self.group == "istio.io" || self.group.ends_with(".istio.io")
    }

    /// Whether the group is the edge's: the Gateway API's or Envoy Gateway's.
    #[must_use]
    pub fn is_edge(&self) -> bool {
        matches!(
            self.group.as_str(),
            "gateway.networking.k8s.io" | "gateway.envoyproxy.io"
        )
    }
}

impl fmt::Display for GroupVersionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.api_version(), self.kind)
    }
}

/// One served version of a CRD and its structural schema.
#[derive(Clone, Debug, PartialEq)]
pub struct CrdVersion {
    /// The type this version serves.
    pub gvk: GroupVersionKind,
    /// Whether the API server stores objects in this version.
    pub storage: bool,
    /// Whether the API server still serves this version.
    pub served: bool,
    /// The version's `schema.openAPIV3Schema`, as written in the CRD.
    pub schema: Value,
}

/// A set of CRDs indexed by group, version and kind.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CrdSet {
    versions: BTreeMap<GroupVersionKind, CrdVersion>,
}

impl CrdSet {
    /// The CRDs of Istio 1.30.3 vendored with these tests, parsed once.
    ///
    /// # Panics
    /// When the vendored file does not parse, which the checksum test rules out.
    #[must_use]
    pub fn istio() -> &'static Self {
        static CRDS: OnceLock<CrdSet> = OnceLock::new();
        CRDS.get_or_init(|| {
            Self::parse(VENDORED_CRDS_YAML)
                .unwrap_or_else(|error| panic!("the vendored Istio CRDs do not parse: {error}"))
        })
    }

    /// Every vendored CRD: Istio 1.30.3's, the Gateway API's and Envoy Gateway's, parsed once.
    ///
    /// # Panics
    /// When a vendored file does not parse, which the checksum tests rule out.
    #[must_use]
    pub fn vendored() -> &'static Self {
        static CRDS: OnceLock<CrdSet> = OnceLock::new();
        CRDS.get_or_init(|| {
            let mut all = Self::istio().clone();
            for (file, yaml, _) in VENDORED_EDGE_CRDS {
                let edge = Self::parse(yaml)
                    .unwrap_or_else(|error| panic!("the vendored {file} does not parse: {error}"));
                all.versions.extend(edge.versions);
            }
            all
        })
    }

    /// Reads a multi-document YAML stream of `CustomResourceDefinition`s; other documents are
    /// ignored.
    ///
    /// # Errors
    /// The YAML error, or a description of a CRD without group, kind or schema.
    pub fn parse(yaml: &str) -> Result<Self, String> {
        let documents = parse_yaml_documents(yaml)?;
        let mut versions = BTreeMap::new();
        for crd in documents
            .iter()
            .filter(|d| d.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition"))
        {
            let spec = crd.get("spec").ok_or("a CRD has no spec")?;
            let group = text(spec, "/group")?;
            let kind = text(spec, "/names/kind")?;
            for version in spec
                .get("versions")
                .and_then(Value::as_array)
                .ok_or_else(|| format!("CRD {kind} has no versions"))?
            {
                let name = text(version, "/name")?;
                let schema = version
                    .pointer("/schema/openAPIV3Schema")
                    .ok_or_else(|| format!("CRD {kind} {name} has no openAPIV3Schema"))?;
                let gvk = GroupVersionKind {
                    group: group.to_owned(),
                    version: name.to_owned(),
                    kind: kind.to_owned(),
                };
                versions.insert(
                    gvk.clone(),
                    CrdVersion {
                        gvk,
                        storage: version.get("storage").and_then(Value::as_bool) == Some(true),
                        served: version.get("served").and_then(Value::as_bool) == Some(true),
                        schema: schema.clone(),
                    },
                );
            }
        }
        Ok(Self { versions })
    }

    /// The CRD version serving `gvk`, if any.
    #[must_use]
    pub fn get(&self, gvk: &GroupVersionKind) -> Option<&CrdVersion> {
        self.versions.get(gvk)
    }

    /// Every CRD version, ordered by group, version and kind.
    pub fn iter(&self) -> impl Iterator<Item = &CrdVersion> {
        self.versions.values()
    }
}

fn text<'v>(value: &'v Value, pointer: &str) -> Result<&'v str, String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("a CRD has no {pointer}"))
}

/// Reads a multi-document YAML stream into JSON values, skipping empty documents.
///
/// # Errors
/// The YAML parser's message.
pub fn parse_yaml_documents(yaml: &str) -> Result<Vec<Value>, String> {
    let documents: Vec<Value> = serde_saphyr::from_multiple(yaml).map_err(|e| e.to_string())?;
    Ok(documents.into_iter().filter(|d| !d.is_null()).collect())
}
