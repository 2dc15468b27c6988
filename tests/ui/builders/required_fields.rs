//! What the builders (bon) refuse at compile time: a builder missing a required field. One function
//! per mistake; type errors like these are reported together (see ../README.md).

use connectum_mesh::{Duration, Route};

// A route's target is required: the builder refuses to build one without it, naming `target`.
fn route_without_target() {
    let _route = Route::builder().timeout(Duration::from_secs(30)).build();
}

fn main() {
    route_without_target();
}
