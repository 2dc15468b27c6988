//! Conformance: what connectum-mesh emits is exactly what Istio 1.30.3 accepts and means.
//!
//! One test binary (one link) with a module per question.

// A test that cannot read its own fixture should stop right there.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod broken;
mod cel_rules;
mod emitted;
mod kubernetes_kinds;
mod meaning;
mod own_schemas;
mod properties;
mod reference;
mod review;
mod support;
mod unread_fields;
mod vendored;
