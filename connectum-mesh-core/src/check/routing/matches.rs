//! What Istio accepts in a route's match: HTTP header names, header matches a mesh (not only a
//! gateway) VirtualService may use, string matches RE2 compiles, and uri conditions a gRPC
//! request can meet.

use crate::diag::Diagnostics;
use crate::diag::registry::{
    GATEWAY_ONLY_HEADER, INVALID_HEADER_NAME, INVALID_MATCH_VALUE, URI_WITHOUT_LEADING_SLASH,
};

use super::super::LazyPath;
use crate::model::{Route, StringMatch};

use crate::check::names::is_match_header_name;
use crate::check::re2;

/// Istio's limit on the length of a regular expression.
const MAX_REGEX_LEN: usize = 1024;
/// The header-name prefix of JWT claims, which Istio matches only on gateways.
const CLAIM_PREFIX: &str = "@request.auth.claims";

/// Every match rule of one route.
pub(super) fn check_route(route: &Route, route_path: &LazyPath<'_>, out: &mut Diagnostics) {
    check_header_names(route, route_path, out);
    check_gateway_only_headers(route, route_path, out);
    check_match_values(route, route_path, out);
    check_uri_leading_slash(route, route_path, out);
}

/// Whether a uri condition holds for every gRPC request: every gRPC path starts with `/`
/// (`/package.Service/Method`), so prefix `/` takes them all, like regex `.*`.
pub(super) fn uri_takes_every_path(uri: &StringMatch) -> bool {
    match uri {
        StringMatch::Prefix(prefix) => prefix.is_empty() || prefix == "/",
        StringMatch::Regex(regex) => matches!(regex.as_str(), ".*" | "/.*"),
        StringMatch::Exact(_) => false,
    }
}

/// Istio refuses a VirtualService whose match names a header that is not an HTTP token.
fn check_header_names(route: &Route, route_path: &LazyPath<'_>, out: &mut Diagnostics) {
    for (index, request) in route.matches.iter().enumerate() {
        for (header_index, header) in request.headers.iter().enumerate() {
            if !is_match_header_name(&header.name) {
                out.push(
                    INVALID_HEADER_NAME
                        .at(
                            route_path().index("matches", index).index("headers", header_index),
                            format!("header name `{}` is not an HTTP header name", header.name),
                        )
                        .with_help("use letters, digits and `-` (e.g. `x-canary`), or a pseudo-header such as `:authority`"),
                );
            }
        }
    }
}

/// Istio's webhook accepts JWT-claim matches (`@request.auth.claims.*`) only in VirtualServices
/// bound to gateways: in a mesh VirtualService it refuses the whole object, every route with it.
fn check_gateway_only_headers(route: &Route, route_path: &LazyPath<'_>, out: &mut Diagnostics) {
    for (index, request) in route.matches.iter().enumerate() {
        for (header_index, header) in request.headers.iter().enumerate() {
            if header.name.starts_with(CLAIM_PREFIX) && is_match_header_name(&header.name) {
                out.push(
                    GATEWAY_ONLY_HEADER
                        .at(
                            route_path().index("matches", index).index("headers", header_index),
                            format!(
                                "header `{}` matches a JWT claim, which Istio accepts only on a gateway's VirtualService; in the mesh it refuses the whole VirtualService",
                                header.name
                            ),
                        )
                        .with_help("match the claim at the gateway and forward it as a plain header (e.g. `x-user-group`), then match that header here"),
                );
            }
        }
    }
}

/// Istio refuses an empty header prefix and a regex that is empty, over-long or not RE2.
fn check_match_values(route: &Route, route_path: &LazyPath<'_>, out: &mut Diagnostics) {
    for (index, request) in route.matches.iter().enumerate() {
        // The header's position and name, or `None` for the uri: the path and the message are
        // written only for a value Istio would refuse.
        let headers = (request.headers.iter().enumerate())
            .map(|(h, header)| (Some((h, header.name.as_str())), &header.value));
        let uri = request.uri.iter().map(|u| (None, u));
        for (header, value) in headers.chain(uri) {
            let Some(problem) = match_value_problem(value, header.is_some()) else {
                continue;
            };
            let (path, what) = match header {
                Some((h, name)) => (
                    route_path().index("matches", index).index("headers", h),
                    format!("header `{name}`"),
                ),
                None => (
                    route_path().index("matches", index).field("uri"),
                    "the uri".to_owned(),
                ),
            };
            out.push(
                INVALID_MATCH_VALUE
                    .at(path, format!("{what} {problem}"))
                    .with_help("use a non-empty prefix, or an RE2 regex of 1 to 1024 characters (`.*` matches any value)"),
            );
        }
    }
}

/// What Istio would refuse about one match value, if anything.
fn match_value_problem(value: &StringMatch, is_header: bool) -> Option<String> {
    match value {
        StringMatch::Prefix(prefix) if prefix.is_empty() && is_header => {
            Some("has an empty prefix match".to_owned())
        }
        StringMatch::Regex(regex) if regex.is_empty() => Some("has an empty regex".to_owned()),
        StringMatch::Regex(regex) if regex.len() > MAX_REGEX_LEN => Some(format!(
            "has a regex of {} characters, over Istio's {MAX_REGEX_LEN}",
            regex.len()
        )),
        StringMatch::Regex(regex) => re2::syntax_error(regex)
            .map(|reason| format!("has a regex `{regex}` that RE2 refuses: {reason}")),
        StringMatch::Exact(_) | StringMatch::Prefix(_) => None,
    }
}

/// Every gRPC request's path is `/package.Service/Method`: a uri prefix or exact value without
/// the leading `/` never matches, and the route is dead.
fn check_uri_leading_slash(route: &Route, route_path: &LazyPath<'_>, out: &mut Diagnostics) {
    for (index, request) in route.matches.iter().enumerate() {
        let (kind, value) = match &request.uri {
            Some(StringMatch::Prefix(value)) => ("prefix", value),
            Some(StringMatch::Exact(value)) => ("exact", value),
            _ => continue,
        };
        if value.is_empty() || value.starts_with('/') {
            continue;
        }
        out.push(
            URI_WITHOUT_LEADING_SLASH
                .at(
                    route_path().index("matches", index).field("uri"),
                    format!(
                        "uri {kind} `{value}` does not start with `/`, but every gRPC path does (`/package.Service/Method`), so this match never holds"
                    ),
                )
                .with_help(format!("write `/{value}`")),
        );
    }
}
