// A route's target is required: typed-builder refuses to build one without it.
use connectum_mesh::{Duration, Route};

fn main() {
    let _route = Route::builder().timeout(Duration::from_secs(30)).build();
}
