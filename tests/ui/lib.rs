//! Nothing to import: this package only holds the trybuild cases of `mesh!` and the typed
//! builders (`cargo test -p connectum-mesh-ui`). See `README.md` in this folder.
