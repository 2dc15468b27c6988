//! The guide's "Migration Path" for one mesh: start without a mesh (application TLS, the
//! interceptors for all resilience), then add Istio (remove application TLS, keep the
//! interceptors, add traffic policies, tune retries).
//!
//! [`checklist`] prints the steps for a mesh, derived from the difference between its two
//! renderings ([`MeshMode::None`] and [`MeshMode::Istio`]) and from what its services set.
//!
//! ```
//! use connectum_mesh::{Mesh, Service, migration};
//!
//! let mesh = Mesh::builder()
//!     .namespace("shop")
//!     .services([Service::builder().name("cart").image("cart:1.0.0").build()])
//!     .build();
//! let steps = migration::checklist(&mesh);
//! assert!(steps.contains("PeerAuthentication/default"));
//! ```

use std::fmt::Write;

use connectum_mesh_core::{Mesh, MeshMode};

use crate::render::{Object, render_objects};

fn with_mode(mesh: &Mesh, mode: MeshMode) -> Mesh {
    let mut copy = mesh.clone();
    copy.mode = mode;
    copy
}

/// The objects Istio adds to the no-mesh rendering, as `Kind/name`.
#[must_use]
pub fn istio_objects(mesh: &Mesh) -> Vec<String> {
    let no_mesh = with_mode(mesh, MeshMode::None);
    let without: Vec<(String, String)> = render_objects(&no_mesh)
        .iter()
        .map(|o| (o.kind().to_owned(), o.name().to_owned()))
        .collect();
    let istio = with_mode(mesh, MeshMode::Istio);
    render_objects(&istio)
        .iter()
        .filter(|o| !without.contains(&(o.kind().to_owned(), o.name().to_owned())))
        .map(|o: &Object| format!("{}/{}", o.kind(), o.name()))
        .collect()
}

/// The migration checklist for `mesh`, from no mesh to Istio, as Markdown.
#[must_use]
pub fn checklist(mesh: &Mesh) -> String {
    let mut out = format!(
        "# Migrating namespace {} from no mesh to Istio\n\n",
        mesh.namespace
    );
    out.push_str("1. Install Istio and label the namespace `istio-injection: enabled`; restart the Deployments so every pod gets its sidecar.\n");
    let _ = writeln!(
        out,
        "2. Apply PeerAuthentication/default as PERMISSIVE first; switch it to {} once every caller has a sidecar.",
        mesh.mtls
    );
    out.push_str("3. Apply the Istio objects the mesh adds:\n");
    for object in istio_objects(mesh) {
        let _ = writeln!(out, "   - [ ] {object}");
    }
    out.push_str("4. Per service:\n");
    for service in &mesh.services {
        let _ = writeln!(out, "   - {}:", service.name);
        if let Some(tls) = &service.app_tls {
            let _ = writeln!(
                out,
                "     - [ ] remove application TLS: createServer's `tls`, TLS_DIR_PATH ({}) and the Secret {}-tls mount (the sidecar does mTLS; CM0404 warns while both are on)",
                tls.dir_path, service.name
            );
        }
        let app_retries = service.interceptors.max_retries();
        let _ = writeln!(
            out,
            "     - [ ] keep the interceptors (timeout, circuit breaker, bulkhead{})",
            if app_retries > 0 { ", retry" } else { "" }
        );
        if app_retries > 0 {
            let _ = writeln!(
                out,
                "     - [ ] tune retries: the app retries {app_retries} times, so give its routes mesh retries of 0 or 1 (every route without a retry policy gets Istio's 2, and they multiply)"
            );
        }
        if !service.traffic_policy.is_empty() {
            let _ = writeln!(
                out,
                "     - [ ] add its traffic policy (DestinationRule/{})",
                service.name
            );
        }
        if !service.allow.is_empty() {
            let _ = writeln!(
                out,
                "     - [ ] apply its allow rules (AuthorizationPolicy/{}-policy) after STRICT mTLS, since principals and namespaces need mTLS",
                service.name
            );
        }
    }
    out.push_str("5. Run `check` with the mesh's mode set to Istio: the checker then applies Istio's rules (retry product with mesh retries, mTLS, authorization).\n");
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use connectum_mesh_core::{AppRetry, AppTls, Interceptors, Service};

    use super::*;

    fn mesh(mode: MeshMode) -> Mesh {
        let mut cart = Service::builder()
            .name("cart")
            .image("cart:1.0.0")
            .app_tls(AppTls::builder().dir_path("/etc/tls").build())
            .interceptors(
                Interceptors::builder()
                    .retry(AppRetry::builder().max_retries(2).build())
                    .build(),
            )
            .sidecar(connectum_mesh_core::Resources::default())
            .build();
        let stable = cart.add_subset(
            connectum_mesh_core::Subset::builder()
                .name("stable")
                .build(),
        );
        cart.add_route(
            connectum_mesh_core::Route::builder()
                .target(&stable)
                .build(),
        );
        Mesh::builder()
            .namespace("shop")
            .mode(mode)
            .services([cart])
            .build()
    }

    #[test]
    fn no_mesh_renders_without_istio_and_with_app_tls() {
        let manifests = crate::render(&mesh(MeshMode::None)).unwrap();
        let kinds: Vec<&str> = manifests.objects().iter().map(Object::kind).collect();
        assert_eq!(
            kinds,
            [
                "Namespace",
                "ServiceAccount",
                "ConfigMap",
                "Service",
                "Deployment"
            ]
        );
        let yaml = crate::emit::to_yaml(&manifests).unwrap();
        assert!(!yaml.contains("istio"), "{yaml}");
        assert!(yaml.contains("secretName: cart-tls"), "{yaml}");
        assert!(yaml.contains("TLS_DIR_PATH"), "{yaml}");
        assert!(yaml.contains("mountPath: /etc/tls"), "{yaml}");
    }

    #[test]
    fn without_istio_an_envoy_gateway_edge_renders_and_an_istio_one_is_refused() {
        use connectum_mesh_core::{
            Gateway, GatewayClass, GatewayMatch, GatewayRoute, GatewayRuntime, GatewayTarget,
            Listener, ListenerProtocol,
        };
        let with_edge = |runtime: GatewayRuntime| {
            let mut mesh = mesh(MeshMode::None);
            let edge = Gateway::builder()
                .name("edge")
                .runtime(runtime)
                .listeners([Listener::builder()
                    .name("grpc")
                    .port(9090)
                    .protocol(ListenerProtocol::Http)
                    .build()])
                .routes([GatewayRoute::builder()
                    .name("cart")
                    .matches([GatewayMatch::grpc_service("shop.Cart")])
                    .target(GatewayTarget::service("cart"))
                    .build()])
                .build();
            mesh.merge(edge).unwrap();
            mesh
        };
        let envoy = crate::render(&with_edge(GatewayClass::envoy_gateway("edge").into())).unwrap();
        let kinds: Vec<&str> = envoy.objects().iter().map(Object::kind).collect();
        assert!(
            kinds.contains(&"Gateway") && kinds.contains(&"GRPCRoute"),
            "{kinds:?}"
        );
        assert!(!kinds.contains(&"VirtualService"), "{kinds:?}");

        let istio = crate::render(&with_edge(GatewayRuntime::istio_ingress())).unwrap_err();
        let errors: Vec<&str> = istio
            .diagnostics
            .errors()
            .map(|d| d.code.as_str())
            .collect();
        assert_eq!(errors, ["CM0140"], "{istio}");
    }

    #[test]
    fn checker_rules_follow_the_mode() {
        // Under Istio app TLS is warned about (CM0404); without a mesh it is required (CM0441).
        let istio = connectum_mesh_core::check(&mesh(MeshMode::Istio));
        assert!(istio.codes().contains(&"CM0404"), "{istio}");
        let none = connectum_mesh_core::check(&mesh(MeshMode::None));
        assert!(!none.codes().contains(&"CM0404"), "{none}");
        let mut plain = mesh(MeshMode::None);
        plain.services[0].app_tls = None;
        assert!(
            connectum_mesh_core::check(&plain)
                .codes()
                .contains(&"CM0441")
        );
    }

    #[test]
    fn the_retry_product_counts_app_retries_only_without_a_mesh() {
        // 4 app retries × Istio's implicit 2 (a route without retries) = 15 calls under Istio;
        // 5 without a mesh, within the budget of 10.
        let mut istio = mesh(MeshMode::Istio);
        istio.services[0].interceptors.retry = Some(AppRetry::builder().max_retries(4).build());
        istio.external_callers.push(
            connectum_mesh_core::ExternalCaller::builder()
                .name("gateway")
                .service_account(connectum_mesh_core::ServiceAccountRef::new(
                    "shop", "gateway",
                ))
                .calls(["cart"])
                .build(),
        );
        assert!(
            connectum_mesh_core::check(&istio)
                .codes()
                .contains(&"CM0301")
        );
        let none = with_mode(&istio, MeshMode::None);
        assert!(
            !connectum_mesh_core::check(&none)
                .codes()
                .contains(&"CM0301")
        );
    }

    #[test]
    fn the_checklist_names_each_step_for_this_mesh() {
        let steps = checklist(&mesh(MeshMode::None));
        for expected in [
            "VirtualService/cart",
            "DestinationRule/cart",
            "PeerAuthentication/default",
            "remove application TLS",
            "the app retries 2 times",
        ] {
            assert!(steps.contains(expected), "{expected} in\n{steps}");
        }
    }
}
