#!/usr/bin/env bash
# Compile time of a crate holding an N-service mesh, written with `mesh!` and with the builders.
# usage: bench/scripts/macro-build.sh N [PROFILE]   (PROFILE: release (default) or dev)
# Writes two scratch crates under ${SCRATCH:-/tmp/connectum-mesh-macro-build}, builds their
# dependencies once (sharing this workspace's target/ and Cargo.lock, so nothing is rebuilt that
# the workspace already built), then times rebuilding each crate alone (its main.rs touched),
# best of ${RUNS:-2}. Prints one line per front-end: front-end, N, profile, seconds.
# EXTRA_TOML is appended to both crates' Cargo.toml, e.g. a profile override to try:
#   EXTRA_TOML=$'[profile.dev.build-override]\nopt-level = 3' macro-build.sh 300 dev
set -euo pipefail
N="${1:?usage: macro-build.sh N [release|dev]}"
PROFILE="${2:-release}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SCRATCH="${SCRATCH:-/tmp/connectum-mesh-macro-build}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
RUNS="${RUNS:-2}"

service_dsl() {
  local s="$1"
  cat <<DSL
    service $s {
        image: "registry.example.com/connectum/$s:1.0.0",
        replicas: 2,
        sidecar: { requests: { cpu: 100m, memory: 128Mi }, limits: { cpu: 500m, memory: 256Mi } },
        traffic_policy: {
            connection_pool: {
                tcp: { max_connections: 100 },
                http: { http2_max_requests: 1000, max_requests_per_connection: 10 },
            },
            outlier_detection: {
                consecutive_5xx_errors: 5,
                interval: 30s,
                base_ejection_time: 30s,
                max_ejection_percent: 50,
            },
            load_balancer: LEAST_REQUEST,
        },
        allow { from: [service_account connectum/api-gateway, namespace connectum] }
        subset stable {}
        subset canary { replicas: 1 }
        route canary-header {
            match: { headers: { x-canary: "true" } },
            to: canary,
            timeout: 10s,
            retries: { attempts: 1, per_try_timeout: 3s, retry_on: [unavailable, resource-exhausted, deadline-exceeded] },
        }
        route default {
            split: { stable: 90, canary: 10 },
            timeout: 10s,
            retries: { attempts: 1, per_try_timeout: 3s, retry_on: [unavailable, resource-exhausted, deadline-exceeded] },
        }
    }
DSL
}

service_builders() {
  local s="$1" f="$2"
  cat <<RS
fn $f() -> Service {
    let mut service = Service::builder()
        .name("$s")
        .image("registry.example.com/connectum/$s:1.0.0")
        .scaling(Scaling::Replicas(2))
        .sidecar(
            Resources::builder()
                .cpu_request(Quantity::millicores(100))
                .cpu_limit(Quantity::millicores(500))
                .memory_request(Quantity::mebibytes(128))
                .memory_limit(Quantity::mebibytes(256))
                .build(),
        )
        .traffic_policy(
            TrafficPolicy::builder()
                .connection_pool(
                    ConnectionPool::builder()
                        .tcp(TcpPool::builder().max_connections(100).build())
                        .http(HttpPool::builder().http2_max_requests(1000).max_requests_per_connection(10).build())
                        .build(),
                )
                .outlier_detection(
                    OutlierDetection::builder()
                        .consecutive_5xx_errors(5)
                        .interval(Duration::from_secs(30))
                        .base_ejection_time(Duration::from_secs(30))
                        .max_ejection_percent(50)
                        .build(),
                )
                .load_balancer(LoadBalancer::Simple(SimpleLb::LeastRequest))
                .build(),
        )
        .allow([AllowRule::builder()
            .from([
                Source::ServiceAccount(ServiceAccountRef::new("connectum", "api-gateway")),
                Source::Namespace("connectum".to_owned()),
            ])
            .build()])
        .build();
    let stable = service.add_subset(Subset::builder().name("stable").build());
    let canary = service.add_subset(Subset::builder().name("canary").replicas(1).build());
    let retries = MeshRetry::builder()
        .attempts(1)
        .per_try_timeout(Duration::from_secs(3))
        .retry_on(vec![RetryOn::Unavailable, RetryOn::ResourceExhausted, RetryOn::DeadlineExceeded])
        .build();
    service
        .add_route(
            Route::builder()
                .name("canary-header")
                .matches(vec![RequestMatch::header(HeaderMatch::exact("x-canary", "true"))])
                .target(&canary)
                .timeout(Duration::from_secs(10))
                .retries(retries.clone())
                .build(),
        )
        .add_route(
            Route::builder()
                .name("default")
                .target(Split::new().weight(&stable, 90).weight(&canary, 10))
                .timeout(Duration::from_secs(10))
                .retries(retries)
                .build(),
        );
    service
}
RS
}

crate_dir() {
  local dir="$SCRATCH/$1"
  mkdir -p "$dir/src"
  cp "$ROOT/Cargo.lock" "$dir/Cargo.lock"
  cat > "$dir/Cargo.toml" <<TOML
[package]
name = "macro-build-$1"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
connectum-mesh = { path = "$ROOT/connectum-mesh", default-features = false }
k8s-openapi = { version = "0.29.0", default-features = false, features = ["std", "latest"] }

[workspace]
${EXTRA_TOML:-}
TOML
  echo "$dir"
}

dsl=$(crate_dir dsl)
{
  echo 'fn main() {'
  echo '    let mesh = connectum_mesh::mesh! {'
  echo '        namespace: connectum,'
  echo '        external api-gateway { service_account: connectum/api-gateway }'
  for i in $(seq 0 $((N - 1))); do service_dsl "$(printf 's%04d' "$i")"; done
  echo '    };'
  echo '    println!("{}", mesh.services.len());'
  echo '}'
} > "$dsl/src/main.rs"

builders=$(crate_dir builders)
{
  echo 'use connectum_mesh::{AllowRule, ConnectionPool, Duration, ExternalCaller, HeaderMatch, HttpPool, LoadBalancer, Mesh, MeshRetry, OutlierDetection, Quantity, RequestMatch, Resources, RetryOn, Route, Scaling, Service, ServiceAccountRef, SimpleLb, Source, Split, Subset, TcpPool, TrafficPolicy};'
  for i in $(seq 0 $((N - 1))); do service_builders "$(printf 's%04d' "$i")" "$(printf 'service_%04d' "$i")"; done
  echo 'fn main() {'
  echo '    let mesh = Mesh::builder()'
  echo '        .namespace("connectum")'
  echo '        .external_callers(vec![ExternalCaller::builder().name("api-gateway").service_account(ServiceAccountRef::new("connectum", "api-gateway")).build()])'
  echo '        .services(['
  for i in $(seq 0 $((N - 1))); do printf '            service_%04d(),\n' "$i"; done
  echo '        ])'
  echo '        .build();'
  echo '    println!("{}", mesh.services.len());'
  echo '}'
} > "$builders/src/main.rs"

flag=()
[ "$PROFILE" = release ] && flag=(--release)
for front in dsl builders; do
  dir="$SCRATCH/$front"
  cargo build --quiet "${flag[@]}" --manifest-path "$dir/Cargo.toml"   # dependencies, untimed
  best=""
  for _ in $(seq "$RUNS"); do
    touch "$dir/src/main.rs"
    start=$(date +%s.%N)
    cargo build --quiet "${flag[@]}" --manifest-path "$dir/Cargo.toml"
    t=$(echo "$(date +%s.%N) - $start" | bc)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
  done
  printf '%s\t%s\t%s\t%.2f\n' "$front" "$N" "$PROFILE" "$best"
done
