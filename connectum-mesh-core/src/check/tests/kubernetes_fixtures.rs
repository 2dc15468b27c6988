//! Fixtures of the Kubernetes wiring rules (05xx).

use super::{Fixture, add_inventory, order, seed};
use crate::check;
use crate::diag::Severity::{Error, Warning};
use crate::diag::registry::{
    APP_SETTING_CONFLICT, AUTOSCALER_RANGE, AUTOSCALER_WITH_REPLICAS, AUTOSCALER_WITHOUT_REQUEST,
    CANARY_SAME_IMAGE, CONFIG_MAP_TOO_LARGE, CPU_IN_CORES, EMPTY_IMAGE, GRACE_PERIOD_TOO_SHORT,
    INJECTION_LABEL_CONFLICT, INVALID_CONFIG_KEY, INVALID_IMAGE_REFERENCE, INVALID_LABEL,
    INVALID_NAME, INVALID_PORT, INVALID_RESOURCES, INVALID_SECURITY_CONTEXT, LABEL_KEY_CONFLICT,
    MEMORY_IN_MILLIBYTES, MEMORY_TOO_SMALL, PORT_CONFIG_MISMATCH, PORT_RESERVED_BY_ISTIO,
    PROBE_ENDPOINT, PROBE_VALUES, PROXY_UID, ROLLOUT_STUCK, SYSTEM_NAMESPACE, UNPINNED_IMAGE,
};
use crate::model::{
    Autoscaler, Duration, Mesh, Probe, Quantity, Resources, Scaling, ScalingRule, Service, Subset,
};

pub(super) fn cm0501_invalid_namespace() -> Fixture {
    Fixture::new(
        INVALID_NAME,
        Error,
        "namespace",
        |mesh| mesh.namespace = "Connectum".to_owned(),
        |mesh| mesh.namespace = "connectum-2".to_owned(),
    )
    .help("use `connectum`")
}

pub(super) fn cm0501_invalid_subset_name() -> Fixture {
    let subset = |name: &'static str| {
        move |mesh: &mut Mesh| {
            order(mesh).add_subset(Subset::builder().name(name).build());
        }
    };
    Fixture::new(
        INVALID_NAME,
        Error,
        "service order-service › subset Canary_2 › name",
        subset("Canary_2"),
        subset("canary-2"),
    )
    .help("use `canary-2`")
}

pub(super) fn cm0501_invalid_service_name() -> Fixture {
    let service = |name: &'static str| {
        move |mesh: &mut Mesh| {
            mesh.services.push(
                Service::builder()
                    .name(name)
                    .image("ghcr.io/mycompany/report:1.0.0")
                    .build(),
            );
        }
    };
    Fixture::new(
        INVALID_NAME,
        Error,
        "service 2fa-service › name",
        service("2fa-service"),
        service("twofa-service"),
    )
    .help("starting with a letter")
}

/// `Inventory_Service` beside `inventory-service`: the repaired name is taken, so the help must
/// not suggest it.
pub(super) fn cm0501_repaired_service_name_taken() -> Fixture {
    let services = |second: &'static str| {
        move |mesh: &mut Mesh| {
            add_inventory(mesh);
            add_inventory(mesh).name = second.to_owned();
        }
    };
    Fixture::new(
        INVALID_NAME,
        Error,
        "service Inventory_Service › name",
        services("Inventory_Service"),
        services("stock-service"),
    )
    .help("`inventory-service` is already taken; choose another name")
}

#[test]
fn cm0501_never_suggests_a_taken_name() {
    let mut mesh = seed::order_mesh();
    add_inventory(&mut mesh).name = "Inventory_Service".to_owned();
    let alone = check(&mesh);
    let help = |found: &crate::diag::Diagnostics| {
        found
            .all()
            .iter()
            .find(|d| d.code.as_str() == "CM0501")
            .and_then(|d| d.help.clone())
            .unwrap()
    };
    assert_eq!(help(&alone), "use `inventory-service`", "{alone}");
    add_inventory(&mut mesh);
    let beside = check(&mesh);
    assert!(
        !help(&beside).contains("use `inventory-service`"),
        "{beside}"
    );
    order(&mut mesh).add_subset(Subset::builder().name("Canary").build());
    let subset = check(&mesh);
    let subset_help = subset
        .all()
        .iter()
        .find(|d| d.path.to_string() == "service order-service › subset Canary › name")
        .and_then(|d| d.help.as_deref())
        .unwrap();
    assert!(
        subset_help.starts_with("`canary` is already taken"),
        "{subset}"
    );
}

pub(super) fn cm0502_invalid_label() -> Fixture {
    let version = |label: &'static str| {
        move |mesh: &mut Mesh| order(mesh).subsets[1].version_label = Some(label.to_owned())
    };
    Fixture::new(
        INVALID_LABEL,
        Error,
        "service order-service › subset canary › version_label",
        version("1.1.0 rc1"),
        version("1.1.0-rc.1"),
    )
    .help("use `1.1.0-rc1`")
}

pub(super) fn cm0503_label_key_conflict() -> Fixture {
    let version_label =
        |key: &'static str| move |mesh: &mut Mesh| mesh.version_label = key.to_owned();
    Fixture::new(
        LABEL_KEY_CONFLICT,
        Error,
        "version_label",
        version_label("app.kubernetes.io/version"),
        version_label("track"),
    )
}

pub(super) fn cm0504_injection_label_conflict() -> Fixture {
    let label = |key: &'static str| {
        move |mesh: &mut Mesh| {
            mesh.namespace_labels
                .insert(key.to_owned(), "canary".to_owned());
        }
    };
    Fixture::new(
        INJECTION_LABEL_CONFLICT,
        Warning,
        "namespace_labels › istio.io/rev",
        label("istio.io/rev"),
        label("team"),
    )
}

fn port(port: u16) -> impl FnOnce(&mut Mesh) {
    move |mesh| order(mesh).port = port
}

pub(super) fn cm0505_invalid_port() -> Fixture {
    Fixture::new(
        INVALID_PORT,
        Error,
        "service order-service › port",
        port(0),
        port(5001),
    )
}

pub(super) fn cm0506_port_reserved_by_istio() -> Fixture {
    Fixture::new(
        PORT_RESERVED_BY_ISTIO,
        Error,
        "service order-service › port",
        port(15021),
        port(8080),
    )
}

fn autoscale(min: u32, max: u32, stable_replicas: Option<u32>) -> impl FnOnce(&mut Mesh) {
    move |mesh| {
        let order = order(mesh);
        order.scaling = Scaling::Autoscale(
            Autoscaler::builder()
                .min_replicas(min)
                .max_replicas(max)
                .cpu_utilization(70)
                .build(),
        );
        order.subsets[0].replicas = stable_replicas;
        order.resources = Some(
            Resources::builder()
                .cpu_request(Quantity::millicores(100))
                .build(),
        );
    }
}

pub(super) fn cm0507_autoscaler_range() -> Fixture {
    Fixture::new(
        AUTOSCALER_RANGE,
        Error,
        "service order-service › scaling",
        autoscale(5, 2, None),
        autoscale(2, 5, None),
    )
}

pub(super) fn cm0508_autoscaler_with_replicas() -> Fixture {
    Fixture::new(
        AUTOSCALER_WITH_REPLICAS,
        Error,
        "service order-service › subset stable › replicas",
        autoscale(2, 5, Some(3)),
        autoscale(2, 5, None),
    )
}

fn run_as(user: i64, non_root: bool) -> impl FnOnce(&mut Mesh) {
    move |mesh| {
        let security = &mut order(mesh).security;
        security.run_as_user = user;
        security.run_as_non_root = non_root;
    }
}

pub(super) fn cm0509_proxy_uid() -> Fixture {
    Fixture::new(
        PROXY_UID,
        Error,
        "service order-service › security › run_as_user",
        run_as(1337, true),
        run_as(1338, true),
    )
}

pub(super) fn cm0510_invalid_security_context() -> Fixture {
    Fixture::new(
        INVALID_SECURITY_CONTEXT,
        Error,
        "service order-service › security › run_as_user",
        run_as(0, true),
        run_as(0, false),
    )
}

pub(super) fn cm0511_grace_period_too_short() -> Fixture {
    let grace = |secs: u64| {
        move |mesh: &mut Mesh| {
            order(mesh).shutdown.termination_grace_period = Some(Duration::from_secs(secs));
        }
    };
    // preStop 5s + shutdown timeout 30s = 35s.
    Fixture::new(
        GRACE_PERIOD_TOO_SHORT,
        Error,
        "service order-service › shutdown › termination_grace_period",
        grace(20),
        grace(35),
    )
    .message("in-flight requests are killed from 20s to 35s; the grace period is 15s short")
    .help("at least 35s")
}

fn readiness(probe: Probe) -> impl FnOnce(&mut Mesh) {
    move |mesh| order(mesh).probes.readiness = Some(probe)
}

pub(super) fn cm0512_probe_endpoint() -> Fixture {
    let path = |path: &str| Probe::builder().path(path).period_seconds(10).build();
    Fixture::new(
        PROBE_ENDPOINT,
        Error,
        "service order-service › probes › readiness › path",
        readiness(path("/ready")),
        readiness(path("/readyz?service=order.v1.OrderService")),
    )
    .help("did you mean `/readyz`?")
}

pub(super) fn cm0513_probe_values() -> Fixture {
    let period = |seconds: u32| {
        Probe::builder()
            .path("/readyz")
            .period_seconds(seconds)
            .build()
    };
    Fixture::new(
        PROBE_VALUES,
        Error,
        "service order-service › probes › readiness › period_seconds",
        readiness(period(0)),
        readiness(period(1)),
    )
}

pub(super) fn cm0514_empty_image() -> Fixture {
    let image = |image: Option<&'static str>| {
        move |mesh: &mut Mesh| order(mesh).subsets[1].image = image.map(str::to_owned)
    };
    Fixture::new(
        EMPTY_IMAGE,
        Error,
        "service order-service › subset canary › image",
        image(Some("")),
        image(None),
    )
}

pub(super) fn cm0507_scaling_rule_range() -> Fixture {
    let scale_down = |period_seconds: u32| {
        move |mesh: &mut Mesh| {
            autoscale(2, 5, None)(mesh);
            if let Scaling::Autoscale(autoscaler) = &mut order(mesh).scaling {
                autoscaler.scale_down = Some(
                    ScalingRule::builder()
                        .stabilization_window_seconds(300)
                        .pods(1)
                        .period_seconds(period_seconds)
                        .build(),
                );
            }
        }
    };
    Fixture::new(
        AUTOSCALER_RANGE,
        Error,
        "service order-service › scaling",
        scale_down(3600),
        scale_down(1800),
    )
}

pub(super) fn cm0515_rollout_stuck() -> Fixture {
    let rollout = |surge: u32| {
        move |mesh: &mut Mesh| {
            let rollout = &mut order(mesh).rollout;
            rollout.max_unavailable = 0;
            rollout.max_surge = surge;
        }
    };
    Fixture::new(
        ROLLOUT_STUCK,
        Error,
        "service order-service › rollout",
        rollout(0),
        rollout(1),
    )
}

pub(super) fn cm0516_invalid_resources() -> Fixture {
    let sidecar = |limit: Quantity| {
        move |mesh: &mut Mesh| {
            order(mesh).sidecar = Some(
                Resources::builder()
                    .memory_request(Quantity::mebibytes(512))
                    .memory_limit(limit)
                    .build(),
            );
        }
    };
    Fixture::new(
        INVALID_RESOURCES,
        Error,
        "service order-service › sidecar › memory_request",
        sidecar(Quantity::mebibytes(256)),
        sidecar(Quantity::gibibytes(1)),
    )
    .help("lower the request to 256Mi")
}

pub(super) fn cm0517_autoscaler_without_request() -> Fixture {
    let requests = |resources: Option<Resources>| {
        move |mesh: &mut Mesh| {
            autoscale(2, 5, None)(mesh);
            order(mesh).resources = resources;
        }
    };
    Fixture::new(
        AUTOSCALER_WITHOUT_REQUEST,
        Warning,
        "service order-service › scaling",
        requests(Some(
            Resources::builder()
                .memory_request(Quantity::mebibytes(128))
                .build(),
        )),
        requests(Some(
            Resources::builder()
                .cpu_request(Quantity::millicores(100))
                .build(),
        )),
    )
}

pub(super) fn cm0518_invalid_config_key() -> Fixture {
    let config = |key: &'static str| {
        move |mesh: &mut Mesh| {
            order(mesh).config.insert(key.to_owned(), "info".to_owned());
        }
    };
    Fixture::new(
        INVALID_CONFIG_KEY,
        Error,
        "service order-service › config › LOG LEVEL",
        config("LOG LEVEL"),
        config("LOG_LEVEL"),
    )
    .help("use `LOG_LEVEL`")
}

pub(super) fn cm0504_injection_label_contradiction() -> Fixture {
    let injection = |value: &'static str| {
        move |mesh: &mut Mesh| {
            mesh.namespace_labels
                .insert("istio-injection".to_owned(), value.to_owned());
        }
    };
    Fixture::new(
        INJECTION_LABEL_CONFLICT,
        Warning,
        "namespace_labels › istio-injection",
        injection("disabled"),
        injection("enabled"),
    )
}

/// order-service on `port`, with config `PORT` set to `listen` (`None`: no entry).
fn port_and_config(port: u16, listen: Option<&'static str>) -> impl FnOnce(&mut Mesh) {
    move |mesh| {
        let order = order(mesh);
        order.port = port;
        if let Some(listen) = listen {
            order.config.insert("PORT".to_owned(), listen.to_owned());
        }
    }
}

pub(super) fn cm0519_port_config_mismatch() -> Fixture {
    // The close variant is the case the renderer covers: a port other than 5000 and no PORT
    // entry gets PORT=<port> in the container's environment, so it is not a diagnostic.
    Fixture::new(
        PORT_CONFIG_MISMATCH,
        Error,
        "service order-service › config › PORT",
        port_and_config(8080, Some("5000")),
        port_and_config(8080, None),
    )
    .message("config sets `PORT` to `5000`, but the service's port is 8080")
    .help("set it to `8080`, or set the service's port to 5000")
}

#[test]
fn cm0519_accepts_a_port_entry_that_agrees() {
    for (port, listen) in [(5000, Some("5000")), (8080, Some("8080")), (5000, None)] {
        let mut mesh = seed::order_mesh();
        port_and_config(port, listen)(&mut mesh);
        let found = check(&mesh);
        assert!(found.is_empty(), "port {port}, PORT {listen:?}:\n{found}");
    }
    let mut mesh = seed::order_mesh();
    port_and_config(5000, Some("http"))(&mut mesh);
    let found = check(&mesh);
    assert_eq!(found.codes(), ["CM0519"], "{found}");
}

fn shutdown_config(value: &'static str) -> impl FnOnce(&mut Mesh) {
    move |mesh| {
        let order = order(mesh);
        order.shutdown.timeout = Duration::from_secs(30);
        order
            .config
            .insert("GRACEFUL_SHUTDOWN_TIMEOUT_MS".to_owned(), value.to_owned());
    }
}

pub(super) fn cm0530_app_setting_conflict() -> Fixture {
    // The close variant repeats the modelled value: redundant, not contradictory.
    Fixture::new(
        APP_SETTING_CONFLICT,
        Error,
        "service order-service › config › GRACEFUL_SHUTDOWN_TIMEOUT_MS",
        shutdown_config("60000"),
        shutdown_config("30000"),
    )
    .message("config sets `GRACEFUL_SHUTDOWN_TIMEOUT_MS` to `60000`, but the mesh models shutdown.timeout as `30000`")
    .help("remove `GRACEFUL_SHUTDOWN_TIMEOUT_MS` from config")
}

fn image(image: &'static str) -> impl FnOnce(&mut Mesh) {
    move |mesh| order(mesh).image = image.to_owned()
}

fn canary_image(image: &'static str) -> impl FnOnce(&mut Mesh) {
    move |mesh| order(mesh).subsets[1].image = Some(image.to_owned())
}

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

pub(super) fn cm0570_upper_case_repository() -> Fixture {
    Fixture::new(
        INVALID_IMAGE_REFERENCE,
        Error,
        "service order-service › image",
        image("ghcr.io/MyCompany/order-service:1.0.0"),
        // A registry host may have capitals; only the repository path may not.
        image("GHCR.io/mycompany/order-service:1.0.0"),
    )
    .help("`ghcr.io/mycompany/order-service:1.0.0`")
}

pub(super) fn cm0570_whitespace_in_reference() -> Fixture {
    Fixture::new(
        INVALID_IMAGE_REFERENCE,
        Error,
        "service order-service › image",
        image("ghcr.io/mycompany/order-service: 1.0.0"),
        image("ghcr.io/mycompany/order-service:1.0.0"),
    )
    .message("whitespace")
}

pub(super) fn cm0570_bad_tag_and_digest() -> Fixture {
    Fixture::new(
        INVALID_IMAGE_REFERENCE,
        Error,
        "service order-service › subset canary › image",
        canary_image("ghcr.io/mycompany/order-service:1.1.0@sha256:abc"),
        canary_image(
            "ghcr.io/mycompany/order-service:1.1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ),
    )
    .message("digest")
}

pub(super) fn cm0571_untagged_image() -> Fixture {
    Fixture::new(
        UNPINNED_IMAGE,
        Warning,
        "service order-service › image",
        image("ghcr.io/mycompany/order-service"),
        image("localhost:5000/order-service:1.0.0"),
    )
    .message("no tag")
}

pub(super) fn cm0571_latest_image() -> Fixture {
    let latest = format!("ghcr.io/mycompany/order-service:latest@{DIGEST}");
    Fixture::new(
        UNPINNED_IMAGE,
        Warning,
        "service order-service › subset canary › image",
        canary_image("ghcr.io/mycompany/order-service:latest"),
        // A digest pins `latest` to one image.
        move |mesh| order(mesh).subsets[1].image = Some(latest),
    )
}

pub(super) fn cm0572_canary_same_image() -> Fixture {
    Fixture::new(
        CANARY_SAME_IMAGE,
        Warning,
        "service order-service › subset canary › image",
        canary_image("ghcr.io/mycompany/order-service:1.0.0"),
        canary_image("ghcr.io/mycompany/order-service:1.0.1"),
    )
    .message("same image as subset `stable`")
}

pub(super) fn cm0573_kube_system_namespace() -> Fixture {
    Fixture::new(
        SYSTEM_NAMESPACE,
        Error,
        "namespace",
        |mesh| mesh.namespace = "kube-system".to_owned(),
        |mesh| mesh.namespace = "connectum-system".to_owned(),
    )
}

pub(super) fn cm0573_istio_system_namespace() -> Fixture {
    Fixture::new(
        SYSTEM_NAMESPACE,
        Error,
        "namespace",
        |mesh| mesh.namespace = "istio-system".to_owned(),
        |mesh| mesh.namespace = "istio-apps".to_owned(),
    )
}

fn app_resources(resources: Resources) -> impl FnOnce(&mut Mesh) {
    move |mesh| order(mesh).resources = Some(resources)
}

fn quantity(text: &str) -> Quantity {
    match Quantity::parse(text) {
        Ok(quantity) => quantity,
        Err(error) => panic!("{error}"),
    }
}

pub(super) fn cm0574_memory_in_millibytes() -> Fixture {
    Fixture::new(
        MEMORY_IN_MILLIBYTES,
        Error,
        "service order-service › resources › memory_limit",
        app_resources(Resources::builder().memory_limit(quantity("256m")).build()),
        app_resources(Resources::builder().memory_limit(quantity("256M")).build()),
    )
    .help("`256Mi`")
}

pub(super) fn cm0574_sidecar_memory_in_millibytes() -> Fixture {
    Fixture::new(
        MEMORY_IN_MILLIBYTES,
        Error,
        "service order-service › sidecar › memory_request",
        |mesh| {
            order(mesh).sidecar = Some(
                Resources::builder()
                    .memory_request(quantity("128m"))
                    .build(),
            );
        },
        |mesh| {
            order(mesh).sidecar = Some(Resources::builder().cpu_request(quantity("128m")).build());
        },
    )
}

pub(super) fn cm0575_cpu_in_cores() -> Fixture {
    Fixture::new(
        CPU_IN_CORES,
        Warning,
        "service order-service › resources › cpu_request",
        app_resources(Resources::builder().cpu_request(quantity("100")).build()),
        app_resources(Resources::builder().cpu_request(quantity("100m")).build()),
    )
    .help("`100m`")
}

pub(super) fn cm0576_memory_too_small_for_node() -> Fixture {
    Fixture::new(
        MEMORY_TOO_SMALL,
        Warning,
        "service order-service › resources › memory_limit",
        app_resources(
            Resources::builder()
                .memory_request(Quantity::mebibytes(128))
                .memory_limit(quantity("48Mi"))
                .build(),
        ),
        app_resources(
            Resources::builder()
                .memory_limit(Quantity::mebibytes(64))
                .build(),
        ),
    )
}

pub(super) fn cm0576_memory_in_bytes() -> Fixture {
    Fixture::new(
        MEMORY_TOO_SMALL,
        Warning,
        "service order-service › resources › memory_request",
        app_resources(Resources::builder().memory_request(quantity("512")).build()),
        app_resources(
            Resources::builder()
                .memory_request(quantity("512Mi"))
                .build(),
        ),
    )
}

pub(super) fn cm0577_config_map_too_large() -> Fixture {
    let config = |bytes: usize| {
        move |mesh: &mut Mesh| {
            order(mesh)
                .config
                .insert("CATALOG".to_owned(), "x".repeat(bytes));
        }
    };
    Fixture::new(
        CONFIG_MAP_TOO_LARGE,
        Error,
        "service order-service › config",
        config(1024 * 1024),
        config(1024 * 1024 - "CATALOG".len()),
    )
}

pub(super) fn cm0517_cpu_limit_is_copied_into_the_request() -> Fixture {
    let resources = |resources: Option<Resources>| {
        move |mesh: &mut Mesh| {
            autoscale(2, 5, None)(mesh);
            order(mesh).resources = resources;
        }
    };
    Fixture::new(
        AUTOSCALER_WITHOUT_REQUEST,
        Warning,
        "service order-service › scaling",
        resources(None),
        resources(Some(
            Resources::builder()
                .cpu_limit(Quantity::millicores(500))
                .build(),
        )),
    )
}
