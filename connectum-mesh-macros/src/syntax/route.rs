//! `route name? { match: ..., to: subset | split: { ... }, timeout: 30s, retries: { ... } }`.

use connectum_mesh_core::{MeshRetry, RequestMatch, Route};

use super::Fields;
use super::record::{Choice, Kind, Off, Record, table};
use super::tree::{Block, Name, SpanRange};
use super::value::Spanned;
use crate::errors::Errors;

/// One route.
pub struct RouteNode {
    /// The `route` keyword (and name): where route-wide problems point.
    pub span: SpanRange,
    /// Its name, when given.
    pub name: Option<Spanned<String>>,
    /// The keys of [`ROUTE`] that were written.
    pub fields: Record,
}

/// A route's destination: `to` one subset (or the service) or a `split` among several, the
/// builder's one `target`.
const DESTINATION: &Choice = &Choice {
    both: "a route goes `to` one subset or `split`s among several, not both",
    none: Some((
        "this route has no destination",
        "add `to: subset` or `split: { stable: 90, canary: 10 }`",
    )),
};

table! {
    /// The keys of `route name? { ... }`. `to` and `split` both set the builder's `target`;
    /// the checker names a split `split`.
    pub ROUTE for Route {
        match as matches: Kind::Records(REQUEST_MATCH);
        to as target: Kind::Target => choice(DESTINATION);
        split as target: Kind::Split { qualified: false } => choice(DESTINATION).path("split");
        timeout: Kind::Duration;
        retries: Kind::OrOff(RETRIES, Off::Zero("attempts")) => hint(&["retry"]);
    }
}

table! {
    /// The keys of a route's `match: { .. }`: all must hold.
    pub REQUEST_MATCH: RequestMatch = RequestMatch::default(), "match",
        "`{ headers: { name: \"value\" } }`" {
        headers: Kind::Headers;
        uri: Kind::StringMatch;
    }
}

table! {
    /// The keys of `retries: { .. }`, a mesh route's or a gateway route's retry policy;
    /// `retries: off` is `{ attempts: 0 }`.
    pub RETRIES: MeshRetry = MeshRetry::builder().attempts(0).build(), "retry policy",
        "`{ attempts: 1, per_try_timeout: 10s }`" {
        attempts: Kind::Count => required();
        per_try_timeout: Kind::Duration;
        retry_on: Kind::RetryOn;
    }
}

/// Reads `route name? { ... }`.
pub fn route(
    kind: &Name,
    name: Option<&Name>,
    body: &Block,
    errors: &mut Errors,
) -> Option<RouteNode> {
    let mut fields = Fields::new(body, "route").node(kind.span);
    let keys = fields.record(ROUTE, errors);
    fields.finish(errors);
    Some(RouteNode {
        span: name.map_or(kind.span, |n| kind.span.to(n.span)),
        name: name.map(Spanned::from),
        fields: keys,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::record::Scalar;
    use crate::syntax::test_support::read;
    use connectum_mesh_core::{RetryOn, StringMatch};
    use quote::quote;

    fn routes(body: proc_macro2::TokenStream) -> (Vec<RouteNode>, Vec<String>) {
        let (mut mesh, errors) = read(quote! {
            namespace: connectum,
            service order-service { image: "order:1.0.0", #body }
        });
        let routes = mesh.services.pop().map(|s| s.routes).unwrap_or_default();
        (routes, errors)
    }

    #[test]
    fn reads_matches_splits_and_retries() {
        let (routes, errors) = routes(quote! {
            route canary-header {
                match: { headers: { x-canary: "true", x-user: prefix "beta-" } },
                to: canary,
                retries: { attempts: 1, retry_on: [unavailable, 503, retriable-4xx] },
            }
            route { split: { stable: 90, canary: 10 }, retries: off }
        });
        assert!(errors.is_empty(), "{errors:?}");
        let Some(Scalar::Records(_, _, matches)) = routes[0].fields.get("match") else {
            panic!("matches")
        };
        let Some(Scalar::Record(_, request)) = matches.first() else {
            panic!("a match")
        };
        let Some(Scalar::Headers(_, headers)) = request.get("headers") else {
            panic!("headers")
        };
        assert_eq!(headers[1].1.value, StringMatch::Prefix("beta-".to_owned()));
        let Some(Scalar::Record(_, retries)) = routes[0].fields.get("retries") else {
            panic!("a retry policy")
        };
        let Some(Scalar::RetryOn(retry_on)) = retries.get("retry_on") else {
            panic!("retry conditions")
        };
        let retry_on: Vec<RetryOn> = retry_on.iter().map(|o| o.value).collect();
        assert_eq!(
            retry_on,
            [
                RetryOn::Unavailable,
                RetryOn::Status(503),
                RetryOn::Retriable4xx
            ]
        );
        let Some(Scalar::Split(_, legs)) = routes[1].fields.get("split") else {
            panic!("a split")
        };
        assert_eq!(legs.len(), 2);
        assert!(routes[1].name.is_none());
    }

    #[test]
    fn a_route_needs_exactly_one_destination() {
        let (_, errors) = routes(quote! { route { timeout: 30s } });
        assert!(
            errors[0].starts_with("CM0903: this route has no destination"),
            "{errors:?}"
        );
        let (_, errors) = routes(quote! { route { to: stable, split: { stable: 100 } } });
        assert!(errors[0].starts_with("CM0904"), "{errors:?}");
    }

    #[test]
    fn unknown_retry_conditions_and_match_kinds_suggest_the_closest() {
        let (_, errors) = routes(quote! {
            route { to: stable, retries: { attempts: 1, retry_on: [unavailabel] } }
            route { match: { headers: { x-user: prefx "beta-" } }, to: stable }
        });
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].contains("did you mean `unavailable`?"));
        assert!(errors[1].contains("did you mean `prefix`?"));
    }
}
