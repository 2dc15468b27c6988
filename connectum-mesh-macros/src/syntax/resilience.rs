//! Resilience at both layers: Istio's `traffic_policy` and Connectum's `interceptors`, each a
//! block of keys that map onto the builders' setters.

use connectum_mesh_core::{
    AppRetry, Bulkhead, CircuitBreaker, ConnectionPool, HttpPool, Interceptors, OutlierDetection,
    TcpPool, TrafficPolicy,
};

use super::record::{Kind, Words, table};

table! {
    /// The keys of `traffic_policy: { ... }`.
    pub TRAFFIC_POLICY: TrafficPolicy = TrafficPolicy::default(), "traffic policy" {
        connection_pool: Kind::Record(CONNECTION_POOL);
        outlier_detection: Kind::Record(OUTLIER_DETECTION);
        load_balancer: Kind::LoadBalancer;
        tls: Kind::ClientTls;
    }
}

table! {
    /// The keys of `connection_pool: { ... }`.
    pub CONNECTION_POOL: ConnectionPool = ConnectionPool::default(), "connection pool" {
        tcp: Kind::Record(TCP_POOL);
        http: Kind::Record(HTTP_POOL);
    }
}

table! {
    /// The keys of `tcp: { ... }` in a connection pool.
    pub TCP_POOL: TcpPool = TcpPool::default(), "tcp pool" {
        max_connections: Kind::Count;
        connect_timeout: Kind::Duration;
    }
}

/// Istio's HTTP/2 upgrade policies.
const H2_UPGRADE_POLICIES: &Words =
    &Words::of::<connectum_mesh_core::H2UpgradePolicy>("H2UpgradePolicy");

table! {
    /// The keys of `http: { ... }` in a connection pool.
    pub HTTP_POOL: HttpPool = HttpPool::default(), "http pool" {
        h2_upgrade_policy: Kind::Word(H2_UPGRADE_POLICIES);
        max_requests_per_connection: Kind::Count;
        http2_max_requests: Kind::Count;
        http1_max_pending_requests: Kind::Count;
    }
}

table! {
    /// The keys of `outlier_detection: { ... }`.
    pub OUTLIER_DETECTION: OutlierDetection = OutlierDetection::default(), "outlier detection" {
        consecutive_5xx_errors: Kind::Count;
        consecutive_gateway_errors: Kind::Count;
        interval: Kind::Duration;
        base_ejection_time: Kind::Duration;
        max_ejection_percent: Kind::Count;
        min_health_percent: Kind::Count;
    }
}

table! {
    /// The keys of `interceptors: { ... }`; `timeout: 10s` is the timeout interceptor's
    /// duration.
    pub INTERCEPTORS: Interceptors = Interceptors::default(), "interceptors block" {
        circuit_breaker: Kind::Record(CIRCUIT_BREAKER);
        timeout: Kind::Duration;
        retry: Kind::Record(APP_RETRY) => hint(&["retries"]);
        bulkhead: Kind::Record(BULKHEAD);
    }
}

table! {
    /// The keys of `circuit_breaker: { ... }` (`{}` for Connectum's defaults).
    pub CIRCUIT_BREAKER: CircuitBreaker = CircuitBreaker::default(), "circuit breaker" {
        threshold: Kind::Count;
        half_open_after: Kind::Duration;
    }
}

table! {
    /// The keys of the retry interceptor, `retry: { ... }` (`{}` for Connectum's defaults).
    pub APP_RETRY: AppRetry = AppRetry::default(), "retry interceptor" {
        max_retries: Kind::Count;
        initial_delay: Kind::Duration;
        max_delay: Kind::Duration;
    }
}

table! {
    /// The keys of `bulkhead: { ... }` (`{}` for Connectum's defaults).
    pub BULKHEAD: Bulkhead = Bulkhead::default(), "bulkhead" {
        capacity: Kind::Count;
        queue_size: Kind::Count;
    }
}

#[cfg(test)]
mod tests {
    use crate::syntax::record::Scalar;
    use crate::syntax::test_support::read;
    use connectum_mesh_core::{HashKey, LoadBalancer, SimpleLb};
    use quote::quote;

    fn policy(value: proc_macro2::TokenStream) -> (Option<LoadBalancer>, Vec<String>) {
        let (mut mesh, errors) = read(quote! {
            namespace: connectum,
            service order-service { image: "order:1.0.0", traffic_policy: { load_balancer: #value } }
        });
        let lb = mesh
            .services
            .pop()
            .and_then(|s| match s.fields.get("traffic_policy") {
                Some(Scalar::Record(_, policy)) => match policy.get("load_balancer") {
                    Some(Scalar::LoadBalancer(lb)) => Some(lb.value.clone()),
                    _ => None,
                },
                _ => None,
            });
        (lb, errors)
    }

    #[test]
    fn load_balancers_are_simple_words_or_a_consistent_hash() {
        assert_eq!(
            policy(quote!(LEAST_REQUEST)).0,
            Some(LoadBalancer::Simple(SimpleLb::LeastRequest))
        );
        assert_eq!(
            policy(quote!(consistent_hash source_ip)).0,
            Some(LoadBalancer::ConsistentHash(HashKey::UseSourceIp))
        );
        assert_eq!(
            policy(quote!(consistent_hash query_parameter user)).0,
            Some(LoadBalancer::ConsistentHash(
                HashKey::HttpQueryParameterName("user".to_owned())
            ))
        );
        let (lb, errors) = policy(quote!(consistent_hash cookie session));
        assert!(lb.is_none());
        assert!(errors[0].starts_with("CM0908"), "{errors:?}");
    }
}
