//! The order-service mesh.
