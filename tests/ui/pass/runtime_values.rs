// Values written as Rust expressions are not known to the macro: they compile, and the runtime
// checker judges them. A split of 90 + (5) is not a compile error, but `check` reports it.
use connectum_mesh::{Duration, mesh};

fn canary_percent() -> u32 {
    5
}

fn main() {
    let image = format!("ghcr.io/mycompany/order-service:{}", "1.0.0");
    let mesh = mesh! {
        namespace: connectum,
        service order-service {
            image: (image),
            subset stable {}
            subset canary {}
            route {
                split: { stable: 90, canary: (canary_percent()) },
                timeout: (Duration::from_secs(30)),
                retries: off,
            }
        }
    };
    let diagnostics = connectum_mesh::check(&mesh);
    assert!(diagnostics.codes().contains(&"CM0202"), "{diagnostics}");
}
