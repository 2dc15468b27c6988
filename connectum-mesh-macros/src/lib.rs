//! The `mesh!` macro of connectum-mesh (documentation in progress).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod check;
mod errors;
mod expand;
mod lower;
mod syntax;

use proc_macro2::TokenStream;
use quote::quote;

/// Describes a mesh (documentation in progress).
#[proc_macro]
pub fn mesh(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    mesh_tokens(input.into()).into()
}

/// Reads, lowers, checks and expands; on errors, the errors and a mesh of the right type, so
/// the user sees our errors and no cascade after them.
fn mesh_tokens(input: TokenStream) -> TokenStream {
    let mut errors = errors::Errors::default();
    let tree = syntax::tree::parse_input(input, &mut errors);
    let node = syntax::mesh::mesh(&tree, &mut errors);
    let (model, index) = lower::lower(&node, &mut errors);
    check::report(&model, &index, &mut errors);
    if errors.is_empty() {
        return expand::mesh(&node);
    }
    let compile_errors = errors.to_compile_errors();
    quote!({
        #compile_errors
        ::connectum_mesh::Mesh::builder().namespace(::std::string::String::new()).build()
    })
}
