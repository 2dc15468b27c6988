//! trybuild: every compile-time check of `mesh!` and of the typed builders, with the rustc output
//! each must produce, and meshes that must compile and run.
//!
//! Each `.rs` in a folder here is a crate trybuild compiles on its own, which costs seconds, so a file
//! carries a whole family of cases (one function per mistake): `mesh!` reports every mistake at
//! once, and the family's `.stderr` holds each message with its span. See `README.md` here.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("pass/*.rs");
    for family in [
        "syntax",
        "routing",
        "resilience",
        "model",
        "security",
        "kubernetes",
        "expressions",
        "builders",
    ] {
        cases.compile_fail(format!("{family}/*.rs"));
    }
}
