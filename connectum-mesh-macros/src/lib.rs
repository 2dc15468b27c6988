//! The `mesh!` macro of connectum-mesh (work in progress).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use proc_macro::TokenStream;

/// Describes a mesh (work in progress).
#[proc_macro]
pub fn mesh(input: TokenStream) -> TokenStream {
    let _ = input;
    TokenStream::new()
}
