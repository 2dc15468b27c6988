// Split::percent checks its literal weights with a const assertion: 90 + 5 is not 100.
use connectum_mesh::{Service, Split, Subset};

fn main() {
    let mut order = Service::builder().name("order-service").image("order:1.0.0").build();
    let stable = order.add_subset(Subset::builder().name("stable").build());
    let canary = order.add_subset(Subset::builder().name("canary").build());
    let _split = Split::percent::<90, 5>(&stable, &canary);
}
