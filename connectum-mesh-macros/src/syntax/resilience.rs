//! Resilience at both layers: Istio's `traffic_policy` and Connectum's `interceptors`.

use connectum_mesh_core::{Duration, H2UpgradePolicy, HashKey, LoadBalancer, SimpleLb};

use super::Fields;
use super::tree::{SpanRange, Value};
use super::value::{
    Given, Kind, Record, Schema, Spanned, block_of, duration, record, record_of, word,
};
use crate::errors::{Codes, Errors};

/// `traffic_policy: { connection_pool: { tcp: {..}, http: {..} }, outlier_detection: {..},
/// load_balancer: ROUND_ROBIN }`.
pub struct TrafficPolicyNode {
    /// The block.
    pub span: SpanRange,
    /// `tcp` limits.
    pub tcp: Option<Record>,
    /// `http` limits and the `h2_upgrade_policy` word.
    pub http: Option<(Record, Option<Spanned<H2UpgradePolicy>>)>,
    /// `connection_pool` itself, when given.
    pub connection_pool: Option<SpanRange>,
    /// `outlier_detection`.
    pub outlier_detection: Option<Record>,
    /// `load_balancer: ROUND_ROBIN` or `load_balancer: consistent_hash header x-user`.
    pub load_balancer: Option<Spanned<LoadBalancer>>,
}

/// `interceptors: { circuit_breaker: {..}, timeout: 10s, retry: {..}, bulkhead: {..} }`.
pub struct InterceptorsNode {
    /// The block.
    pub span: SpanRange,
    /// Circuit breaker (`{}` for Connectum's defaults).
    pub circuit_breaker: Option<Record>,
    /// The timeout interceptor's duration.
    pub timeout: Option<Given<Duration>>,
    /// Retry (`{}` for Connectum's defaults).
    pub retry: Option<Record>,
    /// Bulkhead (`{}` for Connectum's defaults).
    pub bulkhead: Option<Record>,
}

const TCP: Schema = &[
    ("max_connections", Kind::Count, false),
    ("connect_timeout", Kind::Duration, false),
];
const HTTP: Schema = &[
    ("max_requests_per_connection", Kind::Count, false),
    ("http2_max_requests", Kind::Count, false),
    ("http1_max_pending_requests", Kind::Count, false),
];
const OUTLIER: Schema = &[
    ("consecutive_5xx_errors", Kind::Count, false),
    ("consecutive_gateway_errors", Kind::Count, false),
    ("interval", Kind::Duration, false),
    ("base_ejection_time", Kind::Duration, false),
    ("max_ejection_percent", Kind::Count, false),
    ("min_health_percent", Kind::Count, false),
];
const CIRCUIT_BREAKER: Schema = &[
    ("threshold", Kind::Count, false),
    ("half_open_after", Kind::Duration, false),
];
const RETRY: Schema = &[
    ("max_retries", Kind::Count, false),
    ("initial_delay", Kind::Duration, false),
    ("max_delay", Kind::Duration, false),
];
const BULKHEAD: Schema = &[
    ("capacity", Kind::Count, false),
    ("queue_size", Kind::Count, false),
];

/// Reads `traffic_policy: { ... }`.
pub fn traffic_policy(value: &Value, errors: &mut Errors) -> Option<TrafficPolicyNode> {
    let block = block_of(
        value,
        "`{ connection_pool: {..}, outlier_detection: {..} }`",
        errors,
    )?;
    let mut fields = Fields::new(block, "traffic policy");
    let mut tcp = None;
    let mut http = None;
    let connection_pool = fields.take("connection_pool", errors);
    if let Some(pool) =
        connection_pool.and_then(|v| block_of(v, "`{ tcp: {..}, http: {..} }`", errors))
    {
        let mut pool_fields = Fields::new(pool, "connection pool");
        tcp = pool_fields
            .take("tcp", errors)
            .and_then(|v| record(v, "tcp pool", TCP, errors));
        if let Some(http_block) = pool_fields
            .take("http", errors)
            .and_then(|v| block_of(v, "`{ max_requests_per_connection: 100 }`", errors))
        {
            let mut http_fields = Fields::new(http_block, "http pool");
            let h2 = http_fields.take("h2_upgrade_policy", errors).and_then(|v| {
                word(
                    v,
                    &[
                        ("DEFAULT", H2UpgradePolicy::Default),
                        ("DO_NOT_UPGRADE", H2UpgradePolicy::DoNotUpgrade),
                        ("UPGRADE", H2UpgradePolicy::Upgrade),
                    ],
                    errors,
                )
            });
            // The other keys are plain counts; read them without re-reporting this one.
            let counts = Record {
                span: http_block.span,
                fields: record_of(
                    &http_block.without(&["h2_upgrade_policy"]),
                    "http pool",
                    HTTP,
                    errors,
                )
                .fields,
            };
            http = Some((counts, h2));
        }
        pool_fields.finish(errors);
    }
    let outlier_detection = fields
        .take("outlier_detection", errors)
        .and_then(|v| record(v, "outlier detection", OUTLIER, errors));
    let load_balancer = fields
        .take("load_balancer", errors)
        .and_then(|v| load_balancer(v, errors));
    fields.finish(errors);
    Some(TrafficPolicyNode {
        span: block.span,
        tcp,
        http,
        connection_pool: connection_pool.map(Value::span),
        outlier_detection,
        load_balancer,
    })
}

/// Reads `interceptors: { ... }`.
pub fn interceptors(value: &Value, errors: &mut Errors) -> Option<InterceptorsNode> {
    let block = block_of(
        value,
        "`{ retry: { max_retries: 2 }, timeout: 10s }`",
        errors,
    )?;
    let mut fields = Fields::new(block, "interceptors block");
    let circuit_breaker = fields
        .take("circuit_breaker", errors)
        .and_then(|v| record(v, "circuit breaker", CIRCUIT_BREAKER, errors));
    let timeout = fields
        .take("timeout", errors)
        .and_then(|v| duration(v, errors));
    let retry = fields
        .take("retry", errors)
        .and_then(|v| record(v, "retry interceptor", RETRY, errors));
    let bulkhead = fields
        .take("bulkhead", errors)
        .and_then(|v| record(v, "bulkhead", BULKHEAD, errors));
    fields.finish(errors);
    Some(InterceptorsNode {
        span: block.span,
        circuit_breaker,
        timeout,
        retry,
        bulkhead,
    })
}

/// `ROUND_ROBIN`, `LEAST_REQUEST`, `RANDOM`, `PASSTHROUGH`, or `consistent_hash` on
/// `header name`, `query_parameter name` or `source_ip`.
fn load_balancer(value: &Value, errors: &mut Errors) -> Option<Spanned<LoadBalancer>> {
    let Value::Tagged { tag, value: key } = value else {
        return word(
            value,
            &[
                ("ROUND_ROBIN", SimpleLb::RoundRobin),
                ("LEAST_REQUEST", SimpleLb::LeastRequest),
                ("RANDOM", SimpleLb::Random),
                ("PASSTHROUGH", SimpleLb::Passthrough),
            ],
            errors,
        )
        .map(|simple| Spanned {
            value: LoadBalancer::Simple(simple.value),
            span: simple.span,
        });
    };
    let expected = "`consistent_hash header x-user`, `consistent_hash query_parameter id` or `consistent_hash source_ip`";
    let hash = match (tag.text.as_str(), &**key) {
        ("consistent_hash", Value::Name(name)) if name.text == "source_ip" => HashKey::UseSourceIp,
        (
            "consistent_hash",
            Value::Tagged {
                tag: by,
                value: name,
            },
        ) => {
            let name = super::value::name(name, errors)?;
            match by.text.as_str() {
                "header" => HashKey::HttpHeaderName(name.value),
                "query_parameter" => HashKey::HttpQueryParameterName(name.value),
                _ => {
                    errors.at(by.span, Codes::UNKNOWN_WORD, format!("expected {expected}"));
                    return None;
                }
            }
        }
        _ => {
            errors.at(
                value.span(),
                Codes::WRONG_VALUE,
                format!("expected {expected}"),
            );
            return None;
        }
    };
    Some(Spanned {
        value: LoadBalancer::ConsistentHash(hash),
        span: value.span(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::test_support::read;
    use quote::quote;

    fn policy(value: proc_macro2::TokenStream) -> (Option<LoadBalancer>, Vec<String>) {
        let (mut mesh, errors) = read(quote! {
            namespace: connectum,
            service order-service { image: "order:1.0.0", traffic_policy: { load_balancer: #value } }
        });
        let lb = mesh
            .services
            .pop()
            .and_then(|s| s.traffic_policy)
            .and_then(|p| p.load_balancer)
            .map(|lb| lb.value);
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
