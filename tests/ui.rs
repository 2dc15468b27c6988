//! trybuild: every compile-time check of `mesh!` and of the typed builders, one mistake per
//! file with the rustc output it must produce, and meshes that must compile.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
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
        cases.compile_fail(format!("ui/{family}/*.rs"));
    }
}
