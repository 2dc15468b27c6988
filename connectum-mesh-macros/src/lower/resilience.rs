//! Resilience at both layers: Istio's traffic policy and Connectum's interceptors.

use connectum_mesh_core::{
    AppRetry, AppTimeout, Bulkhead, CircuitBreaker, ConnectionPool, HttpPool, Interceptors,
    MeshPath, OutlierDetection, TcpPool, TrafficPolicy,
};

use super::Lowering;
use crate::syntax::resilience::{InterceptorsNode, TrafficPolicyNode};

pub(super) fn lower_traffic_policy(
    lowering: &mut Lowering,
    node: &TrafficPolicyNode,
    path: &MeshPath,
) -> TrafficPolicy {
    lowering.index.record(path, node.span);
    let mut policy = TrafficPolicy::default();
    if let Some(span) = node.connection_pool {
        let p = path.field("connection_pool");
        lowering.index.record(&p, span);
        let mut pool = ConnectionPool::default();
        if let Some(tcp) = &node.tcp {
            let t = p.field("tcp");
            lowering.index.record(&t, tcp.span);
            pool.tcp = Some(TcpPool {
                max_connections: lowering.count(tcp, "max_connections", &t),
                connect_timeout: lowering.duration(tcp, "connect_timeout", &t),
            });
        }
        if let Some((http, h2)) = &node.http {
            let h = p.field("http");
            lowering.index.record(&h, http.span);
            pool.http = Some(HttpPool {
                h2_upgrade_policy: h2.as_ref().map(|s| s.value),
                max_requests_per_connection: lowering.count(
                    http,
                    "max_requests_per_connection",
                    &h,
                ),
                http2_max_requests: lowering.count(http, "http2_max_requests", &h),
                http1_max_pending_requests: lowering.count(http, "http1_max_pending_requests", &h),
            });
        }
        policy.connection_pool = Some(pool);
    }
    if let Some(od) = &node.outlier_detection {
        let p = path.field("outlier_detection");
        lowering.index.record(&p, od.span);
        policy.outlier_detection = Some(OutlierDetection {
            consecutive_5xx_errors: lowering.count(od, "consecutive_5xx_errors", &p),
            consecutive_gateway_errors: lowering.count(od, "consecutive_gateway_errors", &p),
            interval: lowering.duration(od, "interval", &p),
            base_ejection_time: lowering.duration(od, "base_ejection_time", &p),
            max_ejection_percent: lowering.count(od, "max_ejection_percent", &p),
            min_health_percent: lowering.count(od, "min_health_percent", &p),
        });
    }
    if let Some(lb) = &node.load_balancer {
        lowering.index.record(&path.field("load_balancer"), lb.span);
        policy.load_balancer = Some(lb.value.clone());
    }
    policy
}

pub(super) fn lower_interceptors(
    lowering: &mut Lowering,
    node: &InterceptorsNode,
    path: &MeshPath,
) -> Interceptors {
    lowering.index.record(path, node.span);
    let mut interceptors = Interceptors::default();
    if let Some(cb) = &node.circuit_breaker {
        let p = path.field("circuit_breaker");
        lowering.index.record(&p, cb.span);
        let mut breaker = CircuitBreaker::default();
        if let Some(v) = lowering.count(cb, "threshold", &p) {
            breaker.threshold = v;
        }
        if let Some(v) = lowering.duration(cb, "half_open_after", &p) {
            breaker.half_open_after = v;
        }
        interceptors.circuit_breaker = Some(breaker);
    }
    if let Some(timeout) = &node.timeout {
        let p = path.field("timeout");
        let mut app_timeout = AppTimeout::default();
        if let Some(d) = lowering.given(Some(timeout), &p) {
            app_timeout.duration = d;
        }
        interceptors.timeout = Some(app_timeout);
    }
    if let Some(retry) = &node.retry {
        let p = path.field("retry");
        lowering.index.record(&p, retry.span);
        let mut app_retry = AppRetry::default();
        if let Some(v) = lowering.count(retry, "max_retries", &p) {
            app_retry.max_retries = v;
        }
        if let Some(v) = lowering.duration(retry, "initial_delay", &p) {
            app_retry.initial_delay = v;
        }
        if let Some(v) = lowering.duration(retry, "max_delay", &p) {
            app_retry.max_delay = v;
        }
        interceptors.retry = Some(app_retry);
    }
    if let Some(bulkhead) = &node.bulkhead {
        let p = path.field("bulkhead");
        lowering.index.record(&p, bulkhead.span);
        let mut lowered = Bulkhead::default();
        if let Some(v) = lowering.count(bulkhead, "capacity", &p) {
            lowered.capacity = v;
        }
        if let Some(v) = lowering.count(bulkhead, "queue_size", &p) {
            lowered.queue_size = v;
        }
        interceptors.bulkhead = Some(lowered);
    }
    interceptors
}
