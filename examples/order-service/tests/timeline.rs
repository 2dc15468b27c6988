//! The order-service pods' shutdown and start-up timeline, step by step, on the manifests the
//! example emits (docs/zero-downtime.md explains these numbers).

use std::collections::BTreeMap;
use std::time::Duration as Elapsed;

use connectum_mesh::{Duration, Mesh, StepKind};
use serde_json::Value;

const SECOND: Elapsed = Elapsed::from_secs(1);

fn deployments(mesh: &Mesh) -> Vec<Value> {
    let manifests = match connectum_mesh::render(mesh) {
        Ok(manifests) => manifests,
        Err(error) => panic!("the example renders:\n{error}"),
    };
    assert!(manifests.warnings().is_empty(), "{}", manifests.warnings());
    manifests
        .to_values()
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d["kind"] == "Deployment")
        .collect()
}

/// What one emitted Deployment sets for the timeline, in seconds: (preStop sleep, proxy drain,
/// grace period), and whether the app waits for its proxy.
fn emitted_timeline(deployment: &Value) -> (u64, u64, u64, bool) {
    let pod = &deployment["spec"]["template"];
    let pre_stop = pod["spec"]["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"]
        .as_u64()
        .unwrap_or_default();
    let grace = pod["spec"]["terminationGracePeriodSeconds"]
        .as_u64()
        .unwrap_or_default();
    let proxy_config = pod["metadata"]["annotations"]["proxy.istio.io/config"]
        .as_str()
        .unwrap_or_default();
    // The annotation is ProxyConfig in YAML, as Istio's injector reads it.
    let parsed: BTreeMap<String, Value> = serde_saphyr::from_str(proxy_config).unwrap_or_default();
    let drain = parsed
        .get("terminationDrainDuration")
        .and_then(Value::as_str)
        .and_then(|d| Duration::parse(d).ok())
        .map_or(0, |d| d.as_millis() / 1000);
    let hold = parsed.get("holdApplicationUntilProxyStarts") == Some(&Value::Bool(true));
    assert_eq!(parsed.len(), 2, "only the two settings: {proxy_config}");
    (pre_stop, drain, grace, hold)
}

#[test]
fn each_step_of_the_shutdown_in_the_emitted_manifests() {
    let mesh = order_service::mesh();
    let timeline = mesh
        .shutdown_timeline(order_service::SERVICE)
        .unwrap_or_else(|| panic!("order-service is declared"));
    let step = |kind| {
        timeline
            .step(kind)
            .map(|s| (s.start, s.end))
            .unwrap_or_default()
    };
    // 0s → 5s preStop; 5s → 35s Connectum drains; the proxy drains 0s → 35s; the kill at 40s.
    assert_eq!(step(StepKind::PreStop), (Elapsed::ZERO, 5 * SECOND));
    assert_eq!(step(StepKind::AppDrain), (5 * SECOND, 35 * SECOND));
    assert_eq!(step(StepKind::ProxyDrain), (Elapsed::ZERO, 35 * SECOND));
    assert_eq!(timeline.killed_at(), 40 * SECOND);
    assert!(timeline.holds(), "{timeline}");
    assert!(
        timeline
            .what_fails_between(Elapsed::ZERO, timeline.killed_at())
            .is_empty()
    );
    // Both workloads, stable and canary, carry those numbers.
    let emitted = deployments(&mesh);
    assert_eq!(emitted.len(), 2);
    for deployment in &emitted {
        assert_eq!(emitted_timeline(deployment), (5, 35, 40, true));
    }
    assert_eq!(
        timeline.to_string(),
        "order-service shutdown (classic sidecars)\n\
         \x20   0s →   5s  preStop sleep\n\
         \x20   0s →  35s  proxy drain (terminationDrainDuration)\n\
         \x20   5s →  35s  app drain (Connectum shutdown timeout)\n\
         \x20         40s  kill (terminationGracePeriodSeconds)"
    );
}

#[test]
fn the_shutdown_timeout_moves_the_proxy_drain_and_the_grace_period() {
    for (timeout, drain, grace) in [(20, 25, 30), (30, 35, 40), (60, 65, 70)] {
        let mesh = order_service::mesh_with_shutdown_timeout(Duration::from_secs(timeout));
        for deployment in deployments(&mesh) {
            assert_eq!(
                emitted_timeline(&deployment),
                (5, drain, grace, true),
                "shutdown timeout {timeout}s"
            );
        }
        let config = &mesh.services[0].config["GRACEFUL_SHUTDOWN_TIMEOUT_MS"];
        assert_eq!(*config, (timeout * 1000).to_string());
    }
}

#[test]
fn rollouts_keep_a_ready_pod_and_drains_one_pod_at_a_time() {
    let mesh = order_service::mesh();
    let strategies: Vec<(i64, i64)> = deployments(&mesh)
        .iter()
        .map(|d| {
            let rolling = &d["spec"]["strategy"]["rollingUpdate"];
            (
                rolling["maxUnavailable"].as_i64().unwrap_or(-1),
                rolling["maxSurge"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    // stable (at least 2 pods): one may go; the one-replica canary (10% of traffic): surge first.
    assert_eq!(strategies, [(1, 1), (0, 1)]);
}
