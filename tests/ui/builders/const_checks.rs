//! Const assertions of the builders: evaluated when the function is instantiated, after type
//! checking, so they need a file without type errors and a call from `main` (see ../README.md).

use connectum_mesh::{Service, Split, Subset};

// Split::percent checks its literal weights with a const assertion: 90 + 5 is not 100.
fn split_percent() {
    let mut order = Service::builder().name("order-service").image("order:1.0.0").build();
    let stable = order.add_subset(Subset::builder().name("stable").build());
    let canary = order.add_subset(Subset::builder().name("canary").build());
    let _split = Split::percent::<90, 5>(&stable, &canary);
}

fn main() {
    split_percent();
}
