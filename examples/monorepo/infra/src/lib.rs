//! The platform team's crate: the composition point of the monorepo example. It owns the
//! mesh-wide settings (namespace, mTLS, deny by default) and the edge, merges the service
//! crates' parts into one [`Mesh`] and runs the whole-mesh checks there: chains across crates
//! against the retry budget, calls to a service no crate defines.
//!
//! Its binary (`cargo run -p monorepo-infra -- check`, `… emit --out deploy/`) is
//! `connectum_mesh::cli` over [`mesh`].

use connectum_mesh::{
    Diagnostics, Duration, Gateway, GatewayClass, GatewayMatch, GatewayRoute, GatewayTarget,
    Listener, ListenerProtocol, Mesh, MeshFragment, MeshRetry, MtlsMode, ServiceAccountRef,
};

/// The namespace every object lives in.
pub const NAMESPACE: &str = "shop";
/// The edge's name (its Gateway and GatewayClass).
pub const GATEWAY: &str = "shop-gateway";

/// The mesh-wide settings and the edge, before any service crate's part is merged in.
#[must_use]
pub fn settings() -> Mesh {
    let edge = Gateway::builder()
        .name(GATEWAY)
        .runtime(GatewayClass::envoy_gateway(GATEWAY).into())
        // Its proxies are meshed and run as this account, so STRICT mTLS admits them.
        .service_account(ServiceAccountRef::new(NAMESPACE, GATEWAY))
        .listeners([Listener::builder()
            .name("grpc")
            .port(9090)
            .protocol(ListenerProtocol::Http)
            .build()])
        .routes([GatewayRoute::builder()
            .name("checkout")
            .matches([GatewayMatch::grpc_service(monorepo_checkout::GRPC_SERVICE)])
            .target(GatewayTarget::service(monorepo_checkout::SERVICE))
            .timeout(Duration::from_secs(30))
            .retries(MeshRetry::builder().attempts(1).build())
            .build()])
        .build();
    Mesh::builder()
        .namespace(NAMESPACE)
        .part_of("shop")
        .mtls(MtlsMode::Strict)
        .deny_by_default(true)
        .gateways([edge])
        .build()
}

/// The parts the service crates export: inventory's and checkout's fragments.
#[must_use]
pub fn parts() -> Vec<MeshFragment> {
    vec![
        monorepo_inventory::fragment(),
        monorepo_checkout::fragment(),
    ]
}

/// The shop's mesh: [`settings`] with every service crate's part merged in.
///
/// # Errors
/// The merge conflicts (a service two crates define, a caller or gateway defined differently),
/// as [`compose`] reports them.
pub fn mesh() -> Result<Mesh, Diagnostics> {
    compose(settings(), parts())
}

/// Merges `parts` into `settings`, collecting every part's conflicts (not only the first
/// part's). The whole-mesh checks are then [`connectum_mesh::check()`] on the result.
///
/// # Errors
/// Every conflict of every part, as diagnostics.
pub fn compose(
    settings: Mesh,
    parts: impl IntoIterator<Item = MeshFragment>,
) -> Result<Mesh, Diagnostics> {
    let mut mesh = settings;
    let mut conflicts = Diagnostics::new();
    for part in parts {
        if let Err(found) = mesh.merge(part) {
            conflicts.extend(found);
        }
    }
    if conflicts.is_empty() {
        Ok(mesh)
    } else {
        Err(conflicts)
    }
}
