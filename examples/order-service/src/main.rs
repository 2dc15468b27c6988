//! The order-service CLI: prints, writes or checks the order-service mesh.
//!
//! ```text
//! order-service                                   # YAML to stdout
//! order-service emit --out DIR                    # one file per object + kustomization.yaml
//! order-service emit --format json                # a Kubernetes List as JSON
//! order-service emit --istio-api v1beta1 --out DIR
//! order-service check [--as-published]           # exit 0 clean, 1 on errors
//! order-service graph --format mermaid|dot        # a diagram of the mesh
//! order-service diff --against DIR                # what changed since DIR was emitted: exit 0 none, 1 some
//! ```

use std::process::ExitCode;

use connectum_mesh::cli::Cli;

fn main() -> ExitCode {
    Cli::new(order_service::mesh())
        .name("order-service")
        .about("Emit or check the order-service Istio mesh")
        .variant(
            "as-published",
            "Use the values the guide's manifests ship (refused by the checker)",
            order_service::published_mesh(),
        )
        .run()
}
