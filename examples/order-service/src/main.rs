//! Prints the order-service mesh.
fn main() {}
