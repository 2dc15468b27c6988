//! Which crate the expansion names. `mesh!` and `mesh_fragment!` expand into builder calls on
//! the model's types, which `connectum_mesh` re-exports from `connectum_mesh_core` at the same
//! paths. An infra crate depends on `connectum-mesh`; a service crate of a monorepo only on
//! the core (and this crate), so it needs no Kubernetes version feature. The caller's
//! `Cargo.toml` says which it has (renamed or not), read once per expansion with
//! `proc-macro-crate`.

use std::cell::RefCell;

use proc_macro_crate::{FoundCrate, crate_name};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

thread_local! {
    static ROOT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The path the caller's crate reaches the model by: `::connectum_mesh` (or its rename) when
/// it depends on `connectum-mesh`, else `::connectum_mesh_core` (or its rename) when it
/// depends on the core, else `::connectum_mesh`, whose "unresolved crate" error then says what
/// is missing.
fn detect() -> String {
    let found = ["connectum-mesh", "connectum-mesh-core"]
        .into_iter()
        .find_map(|package| match crate_name(package).ok()? {
            FoundCrate::Name(name) => Some(name),
            // connectum-mesh's own doctests and tests, which name it as a dependency would.
            FoundCrate::Itself => Some(package.replace('-', "_")),
        });
    format!("::{}", found.as_deref().unwrap_or("connectum_mesh"))
}

/// Runs `expand` with the caller's crate found once for every path it writes.
pub fn with_detected<T>(expand: impl FnOnce() -> T) -> T {
    ROOT.with(|root| *root.borrow_mut() = Some(detect()));
    let expanded = expand();
    ROOT.with(|root| *root.borrow_mut() = None);
    expanded
}

/// The path found by [`with_detected`], as text; `::connectum_mesh` outside it (the unit
/// tests).
pub fn current_text() -> String {
    ROOT.with(|root| root.borrow().clone())
        .unwrap_or_else(|| "::connectum_mesh".to_owned())
}

/// The path found by [`with_detected`], as tokens.
pub fn current() -> TokenStream {
    let text = current_text();
    let name = Ident::new(text.trim_start_matches(':'), Span::call_site());
    quote!(::#name)
}
