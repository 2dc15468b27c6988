//! Helpers shared by connectum-mesh's cross-crate tests.
//!
//! The conformance tests ask two questions of everything connectum-mesh emits:
//!
//! - **Would Istio 1.30.3 accept it?** [`validate::IstioValidator`] checks a document against
//!   the structural schema of its kind and version ([`schema`], strict field validation) and
//!   every CEL rule of the CRD ([`cel`]), using Istio's official CRDs vendored in
//!   `fixtures/istio-crds/` ([`crds`]).
//! - **Does it mean what the Rust description says?** The public evaluator
//!   `connectum_mesh::testing` interprets emitted VirtualService JSON the way Istio does (first
//!   match wins, relative weights, implicit retries, no default timeout, short host names) and
//!   follows subsets to the Deployments they reach; [`agreement`] compares that with what a
//!   `Mesh` describes.
//!
//! - **Would Kubernetes accept its own kinds?** [`kubernetes::KubernetesValidator`] checks the
//!   PodDisruptionBudgets and Deployments against Kubernetes v1.37's JSON schemas, vendored in
//!   `fixtures/kubernetes-schemas/`.
//!
//! [`strategies`] generates meshes for property tests, and [`schema_compare`] compares our
//! CustomResource schemas with Istio's. `docs/istio-semantics.md` states every rule with its
//! source in Istio's code.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod agreement;
pub mod cel;
pub mod crds;
pub mod kubernetes;
pub mod schema;
pub mod schema_compare;
pub mod strategies;
pub mod validate;
