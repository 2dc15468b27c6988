//! Fixtures of the model rules (01xx) and the telemetry rules (015x).

use super::{Fixture, add_inventory, order};
use crate::diag::Severity::{Error, Warning};
use crate::diag::registry::{
    DEPLOYMENT_NAME_CLASH, DUPLICATE_CALLER, DUPLICATE_SERVICE, DUPLICATE_SUBSET, EMPTY_PROVIDER,
    INVALID_MESH_SETTING, NUMBER_TOO_LARGE, OVERLAPPING_SUBSETS, SAMPLING_OUT_OF_RANGE,
    SEVERAL_TRACING_PROVIDERS, TELEMETRY_WITHOUT_PROVIDERS, UNKNOWN_CALLEE,
};
use crate::model::Service;
use crate::model::{ExternalCaller, Mesh, ServiceAccountRef, Subset, Telemetry, Tracing};

fn second_order_service(name: &str) -> impl FnOnce(&mut Mesh) + '_ {
    move |mesh| {
        let mut copy = order(mesh).clone();
        copy.name = name.to_owned();
        mesh.services.push(copy);
    }
}

pub(super) fn cm0101_duplicate_service() -> Fixture {
    Fixture::new(
        DUPLICATE_SERVICE,
        Error,
        "service order-service",
        second_order_service("order-service"),
        second_order_service("payment-service"),
    )
    .message("services[0] and services[1]")
}

pub(super) fn cm0102_duplicate_subset() -> Fixture {
    Fixture::new(
        DUPLICATE_SUBSET,
        Error,
        "service order-service › subset canary",
        |mesh| {
            order(mesh).add_subset(Subset::builder().name("canary").build());
        },
        |mesh| {
            order(mesh).add_subset(Subset::builder().name("canary-2").build());
        },
    )
}

pub(super) fn cm0103_unknown_callee() -> Fixture {
    Fixture::new(
        UNKNOWN_CALLEE,
        Error,
        "service order-service › calls[0]",
        |mesh| {
            add_inventory(mesh);
            order(mesh).calls = vec!["inventroy-service".to_owned()];
        },
        |mesh| {
            add_inventory(mesh);
            order(mesh).calls = vec!["inventory-service".to_owned()];
        },
    )
    .help("did you mean `inventory-service`?")
}

pub(super) fn cm0103_unknown_callee_of_external_caller() -> Fixture {
    Fixture::new(
        UNKNOWN_CALLEE,
        Error,
        "external caller envoy-gateway › calls[1]",
        |mesh| mesh.external_callers[0].calls.push("payments".to_owned()),
        |mesh| {
            mesh.external_callers[0]
                .calls
                .push("order-service".to_owned())
        },
    )
    .help("declare `payments` in the mesh's `services`")
}

pub(super) fn cm0104_overlapping_subsets() -> Fixture {
    let subset = |label: &str| {
        Subset::builder()
            .name("canary-2")
            .version_label(label)
            .build()
    };
    Fixture::new(
        OVERLAPPING_SUBSETS,
        Error,
        "service order-service › subset canary-2",
        move |mesh| {
            order(mesh).add_subset(subset("canary"));
        },
        move |mesh| {
            order(mesh).add_subset(subset("canary-2"));
        },
    )
}

pub(super) fn cm0105_split_total_zero() -> Fixture {
    Fixture::new(
        INVALID_MESH_SETTING,
        Error,
        "split_total",
        |mesh| mesh.split_total = 0,
        |mesh| mesh.split_total = 1000,
    )
}

pub(super) fn cm0105_trust_domain() -> Fixture {
    Fixture::new(
        INVALID_MESH_SETTING,
        Error,
        "trust_domain",
        |mesh| mesh.trust_domain = "cluster.local/ns".to_owned(),
        |mesh| mesh.trust_domain = "example.org".to_owned(),
    )
}

pub(super) fn cm0106_duplicate_caller() -> Fixture {
    let caller = |name: &str| {
        ExternalCaller::builder()
            .name(name)
            .service_account(ServiceAccountRef::new("connectum", "batch"))
            .build()
    };
    Fixture::new(
        DUPLICATE_CALLER,
        Error,
        "external caller order-service",
        move |mesh| mesh.external_callers.push(caller("order-service")),
        move |mesh| mesh.external_callers.push(caller("batch-job")),
    )
}

fn tracing(providers: &[&str], sampling: f64) -> Tracing {
    Tracing::builder()
        .providers(providers.iter().copied())
        .sampling_percent(sampling)
        .build()
}

fn set_tracing(providers: &'static [&'static str], sampling: f64) -> impl FnOnce(&mut Mesh) {
    move |mesh| {
        if let Some(telemetry) = &mut mesh.telemetry {
            telemetry.tracing = Some(tracing(providers, sampling));
        }
    }
}

pub(super) fn cm0151_sampling_out_of_range() -> Fixture {
    Fixture::new(
        SAMPLING_OUT_OF_RANGE,
        Error,
        "telemetry › tracing › sampling_percent",
        set_tracing(&["otel-tracing"], 150.0),
        set_tracing(&["otel-tracing"], 0.5),
    )
}

pub(super) fn cm0152_empty_provider() -> Fixture {
    let metrics = |name: &str| {
        let name = name.to_owned();
        move |mesh: &mut Mesh| {
            if let Some(telemetry) = &mut mesh.telemetry {
                telemetry.metrics_providers = vec![name];
            }
        }
    };
    Fixture::new(
        EMPTY_PROVIDER,
        Error,
        "telemetry › metrics_providers[0]",
        metrics(" "),
        metrics("prometheus"),
    )
}

pub(super) fn cm0153_telemetry_without_providers() -> Fixture {
    Fixture::new(
        TELEMETRY_WITHOUT_PROVIDERS,
        Warning,
        "telemetry",
        |mesh| mesh.telemetry = Some(Telemetry::builder().name("mesh-default").build()),
        |mesh| {
            mesh.telemetry = Some(
                Telemetry::builder()
                    .name("mesh-default")
                    .tracing(tracing(&["otel-tracing"], 100.0))
                    .build(),
            );
        },
    )
}

pub(super) fn cm0154_several_tracing_providers() -> Fixture {
    Fixture::new(
        SEVERAL_TRACING_PROVIDERS,
        Warning,
        "telemetry › tracing › providers",
        set_tracing(&["otel-tracing", "zipkin"], 100.0),
        set_tracing(&["zipkin"], 100.0),
    )
}

pub(super) fn cm0107_number_too_large() -> Fixture {
    let canary_replicas =
        |replicas: u32| move |mesh: &mut Mesh| order(mesh).subsets[1].replicas = Some(replicas);
    Fixture::new(
        NUMBER_TOO_LARGE,
        Error,
        "service order-service › subset canary › replicas",
        canary_replicas(3_000_000_000),
        canary_replicas(2_147_483_647),
    )
}

pub(super) fn cm0108_deployment_name_clash() -> Fixture {
    let service = |name: &'static str| {
        move |mesh: &mut Mesh| {
            mesh.services.push(
                Service::builder()
                    .name(name)
                    .image("ghcr.io/mycompany/order-canary:1.0.0")
                    .build(),
            );
        }
    };
    // order-service's canary subset is Deployment order-service-canary.
    Fixture::new(
        DEPLOYMENT_NAME_CLASH,
        Error,
        "service order-service-canary",
        service("order-service-canary"),
        service("order-service-canaries"),
    )
}
