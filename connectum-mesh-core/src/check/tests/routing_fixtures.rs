//! Fixtures of the routing rules (02xx).

use super::{Fixture, order, seed};
use crate::check;
use crate::diag::Diagnostics;
use crate::diag::Severity::{Error, Warning};
use crate::diag::registry::{
    DUPLICATE_MATCH, DUPLICATE_ROUTE_NAME, EMPTY_SPLIT, GATEWAY_ONLY_HEADER, INVALID_HEADER_NAME,
    INVALID_MATCH_VALUE, NO_CATCH_ALL_ROUTE, REPEATED_SPLIT_SUBSET, SINGLE_LEG_WEIGHT, SPLIT_TOTAL,
    SPLIT_ZERO_TOTAL, SUBSET_WITHOUT_PODS, SUBSETS_WITHOUT_ROUTES, UNDECLARED_SUBSET,
    UNREACHABLE_ROUTE, URI_WITHOUT_LEADING_SLASH,
};
use crate::model::{
    HeaderMatch, Mesh, RequestMatch, Route, RouteTarget, Service, Split, StringMatch, SubsetRef,
};

const SPLIT: &str = "service order-service › routes[1] › split";

fn set_target(route: usize, target: impl Into<RouteTarget>) -> impl FnOnce(&mut Mesh) {
    let target = target.into();
    move |mesh| order(mesh).routes[route].target = target
}

fn split(legs: &[(&str, u32)]) -> Split {
    legs.iter().fold(Split::new(), |split, (subset, weight)| {
        split.weight(&SubsetRef::unchecked("order-service", *subset), *weight)
    })
}

pub(super) fn cm0201_undeclared_subset() -> Fixture {
    Fixture::new(
        UNDECLARED_SUBSET,
        Error,
        "service order-service › routes[0] › target",
        set_target(0, SubsetRef::unchecked("order-service", "canery")),
        set_target(0, SubsetRef::unchecked("order-service", "canary")),
    )
    .help("did you mean `canary`?")
}

pub(super) fn cm0201_subset_of_another_service() -> Fixture {
    let with_canary_of = |service: &'static str| {
        let split = Split::new()
            .weight(&SubsetRef::unchecked("order-service", "stable"), 90)
            .weight(&SubsetRef::unchecked(service, "canary"), 10);
        set_target(1, split)
    };
    Fixture::new(
        UNDECLARED_SUBSET,
        Error,
        "service order-service › routes[1] › split › legs[1]",
        with_canary_of("payment-service"),
        with_canary_of("order-service"),
    )
    .help("use `order-service`'s own handle for `canary`")
}

pub(super) fn cm0202_split_total() -> Fixture {
    Fixture::new(
        SPLIT_TOTAL,
        Error,
        SPLIT,
        set_target(1, split(&[("stable", 90), ("canary", 5)])),
        set_target(1, split(&[("stable", 95), ("canary", 5)])),
    )
    .help("make them total 100")
}

/// Weights written in per mille on a mesh of percent: the help offers `split_total` (a total of
/// 95 is a slip, and gets no such offer).
pub(super) fn cm0202_split_total_in_per_mille() -> Fixture {
    Fixture::new(
        SPLIT_TOTAL,
        Error,
        SPLIT,
        set_target(1, split(&[("stable", 900), ("canary", 100)])),
        set_target(1, split(&[("stable", 90), ("canary", 10)])),
    )
    .help("or set the mesh's split_total to 1000 for finer steps")
}

pub(super) fn cm0202_split_total_configurable() -> Fixture {
    let permille = |stable: u32| {
        move |mesh: &mut Mesh| {
            mesh.split_total = 1000;
            set_target(1, split(&[("stable", stable), ("canary", 5)]))(mesh);
        }
    };
    Fixture::new(SPLIT_TOTAL, Error, SPLIT, permille(95), permille(995))
}

pub(super) fn cm0203_split_zero_total() -> Fixture {
    Fixture::new(
        SPLIT_ZERO_TOTAL,
        Error,
        SPLIT,
        set_target(1, split(&[("stable", 0), ("canary", 0)])),
        set_target(1, split(&[("stable", 100), ("canary", 0)])),
    )
}

pub(super) fn cm0204_empty_split() -> Fixture {
    Fixture::new(
        EMPTY_SPLIT,
        Error,
        SPLIT,
        set_target(1, Split::new()),
        set_target(1, split(&[("stable", 100)])),
    )
}

pub(super) fn cm0205_single_leg_weight() -> Fixture {
    Fixture::new(
        SINGLE_LEG_WEIGHT,
        Warning,
        "service order-service › routes[1] › split › legs[0]",
        set_target(1, split(&[("canary", 10)])),
        set_target(1, split(&[("canary", 100)])),
    )
}

pub(super) fn cm0206_repeated_split_subset() -> Fixture {
    Fixture::new(
        REPEATED_SPLIT_SUBSET,
        Warning,
        "service order-service › routes[1] › split › legs[1]",
        set_target(1, split(&[("stable", 50), ("stable", 50)])),
        set_target(1, split(&[("stable", 50), ("canary", 50)])),
    )
}

pub(super) fn cm0207_catch_all_first() -> Fixture {
    Fixture::new(
        UNREACHABLE_ROUTE,
        Warning,
        "service order-service › routes[1]",
        |mesh| order(mesh).routes.reverse(),
        |_| {},
    )
    .help("move the catch-all routes[0] last")
}

fn header_route(headers: Vec<RequestMatch>) -> impl FnOnce(&mut Mesh) {
    move |mesh| {
        let route = Route::builder()
            .matches(headers)
            .target(SubsetRef::unchecked("order-service", "stable"))
            .build();
        order(mesh).routes.insert(1, route);
    }
}

fn canary_header(value: &str) -> RequestMatch {
    RequestMatch::header(HeaderMatch::exact("x-canary", value))
}

pub(super) fn cm0207_all_matches_repeated() -> Fixture {
    Fixture::new(
        UNREACHABLE_ROUTE,
        Warning,
        "service order-service › routes[1]",
        header_route(vec![canary_header("true")]),
        header_route(vec![canary_header("false")]),
    )
}

pub(super) fn cm0208_duplicate_match() -> Fixture {
    let debug = RequestMatch::header(HeaderMatch::exact("x-debug", "1"));
    Fixture::new(
        DUPLICATE_MATCH,
        Warning,
        "service order-service › routes[1] › matches[0]",
        header_route(vec![
            RequestMatch::builder()
                .headers([HeaderMatch::exact("x-canary", "true")])
                .uri(StringMatch::Prefix("/order.v1.OrderService/".to_owned()))
                .build(),
            debug.clone(),
        ]),
        header_route(vec![canary_header("false"), debug]),
    )
}

fn set_header(header: HeaderMatch) -> impl FnOnce(&mut Mesh) {
    move |mesh| order(mesh).routes[0].matches = vec![RequestMatch::header(header)]
}

pub(super) fn cm0209_invalid_header_name() -> Fixture {
    Fixture::new(
        INVALID_HEADER_NAME,
        Error,
        "service order-service › routes[0] › matches[0] › headers[0]",
        set_header(HeaderMatch::exact("x canary", "true")),
        set_header(HeaderMatch::exact("X-Canary", "true")),
    )
}

pub(super) fn cm0210_empty_header_prefix() -> Fixture {
    Fixture::new(
        INVALID_MATCH_VALUE,
        Error,
        "service order-service › routes[0] › matches[0] › headers[0]",
        set_header(HeaderMatch::prefix("x-canary", "")),
        set_header(HeaderMatch::prefix("x-canary", "t")),
    )
}

pub(super) fn cm0211_subset_without_pods() -> Fixture {
    let canary_replicas =
        |replicas: u32| move |mesh: &mut Mesh| order(mesh).subsets[1].replicas = Some(replicas);
    Fixture::new(
        SUBSET_WITHOUT_PODS,
        Error,
        "service order-service › routes[1] › split › legs[1]",
        canary_replicas(0),
        canary_replicas(2),
    )
}

pub(super) fn cm0210_regex_does_not_compile() -> Fixture {
    Fixture::new(
        INVALID_MATCH_VALUE,
        Error,
        "service order-service › routes[0] › matches[0] › headers[0]",
        set_header(HeaderMatch::regex("x-canary", "(true|yes")),
        set_header(HeaderMatch::regex("x-canary", "(true|yes)")),
    )
}

/// A catch-all route to the primary subset, the fix CM0212 and CM0213 suggest.
fn to_stable(matches: Vec<RequestMatch>) -> Route {
    Route::builder()
        .matches(matches)
        .target(SubsetRef::unchecked("order-service", "stable"))
        .build()
}

pub(super) fn cm0212_subsets_without_routes() -> Fixture {
    Fixture::new(
        SUBSETS_WITHOUT_ROUTES,
        Warning,
        "service order-service",
        |mesh| order(mesh).routes.clear(),
        |mesh| order(mesh).routes = vec![to_stable(Vec::new())],
    )
    .message("`canary` (1 of 2 pods) gets a share nobody chose")
    .help("add a catch-all route to the primary subset `stable`")
}

/// What the checker says about the guide's mesh after `change` to order-service.
fn check_order(change: impl FnOnce(&mut Service)) -> Diagnostics {
    let mut mesh = seed::order_mesh();
    change(order(&mut mesh));
    check(&mesh)
}

#[test]
fn cm0212_only_counts_subsets_that_run_pods() {
    let found = check_order(|order| {
        order.routes.clear();
        order.subsets[1].replicas = Some(0);
    });
    assert!(!found.codes().contains(&"CM0212"), "{found}");
}

pub(super) fn cm0213_no_catch_all_route() -> Fixture {
    let last_route = |matches: Vec<RequestMatch>| {
        move |mesh: &mut Mesh| {
            let order = order(mesh);
            order.routes.pop();
            if !matches.is_empty() {
                order.routes.push(to_stable(matches));
            }
        }
    };
    let admin = RequestMatch::builder()
        .uri(StringMatch::Prefix("/order.v1.AdminService/".to_owned()))
        .build();
    let every_path = RequestMatch::builder()
        .uri(StringMatch::Prefix("/".to_owned()))
        .build();
    Fixture::new(
        NO_CATCH_ALL_ROUTE,
        Warning,
        "service order-service › routes[1]",
        last_route(vec![admin]),
        last_route(vec![every_path]),
    )
    .help("add a final route without matches, e.g. to the primary subset `stable`")
}

#[test]
fn cm0213_leaves_a_misplaced_catch_all_to_cm0207() {
    let found = check_order(|order| order.routes.reverse());
    assert_eq!(found.codes(), ["CM0207"], "{found}");
}

#[test]
fn cm0213_reports_a_lone_header_route() {
    let found = check_order(|order| {
        order.routes.pop();
    });
    assert_eq!(found.codes(), ["CM0213"], "{found}");
    let message = &found.all()[0].message;
    assert!(message.contains("404"), "{message}");
}

/// The first route's first match, as `request`.
fn set_match(request: RequestMatch) -> impl FnOnce(&mut Mesh) {
    move |mesh| order(mesh).routes[0].matches = vec![request]
}

fn uri(uri: StringMatch) -> RequestMatch {
    RequestMatch::builder().uri(uri).build()
}

pub(super) fn cm0207_prefix_slash_first() -> Fixture {
    Fixture::new(
        UNREACHABLE_ROUTE,
        Warning,
        "service order-service › routes[1]",
        set_match(uri(StringMatch::Prefix("/".to_owned()))),
        set_match(uri(StringMatch::Prefix("/order.v1.".to_owned()))),
    )
    .message("takes every request")
}

pub(super) fn cm0210_re2_refuses_lookahead() -> Fixture {
    Fixture::new(
        INVALID_MATCH_VALUE,
        Error,
        "service order-service › routes[0] › matches[0] › headers[0]",
        set_header(HeaderMatch::regex("x-canary", "(?=true)true")),
        // RE2 (unlike the regex crate) takes \Q…\E: the near miss must pass.
        set_header(HeaderMatch::regex("x-canary", r"\Q1.0+\E(-rc)?")),
    )
    .message("invalid perl operator")
}

pub(super) fn cm0210_re2_refuses_double_repetition() -> Fixture {
    Fixture::new(
        INVALID_MATCH_VALUE,
        Error,
        "service order-service › routes[0] › matches[0] › headers[0]",
        set_header(HeaderMatch::regex("x-canary", "tr*+ue")),
        // `[[:alpha:]&&x]` is a set operation in the regex crate, plain characters in RE2.
        set_header(HeaderMatch::regex("x-canary", "[[:alpha:]&&x]+")),
    )
    .message("bad repetition operator: *+")
}

pub(super) fn cm0230_uri_prefix_without_slash() -> Fixture {
    Fixture::new(
        URI_WITHOUT_LEADING_SLASH,
        Error,
        "service order-service › routes[0] › matches[0] › uri",
        set_match(uri(StringMatch::Prefix(
            "order.v1.OrderService/".to_owned(),
        ))),
        set_match(uri(StringMatch::Prefix(
            "/order.v1.OrderService/".to_owned(),
        ))),
    )
    .help("write `/order.v1.OrderService/`")
}

pub(super) fn cm0230_uri_exact_without_slash() -> Fixture {
    Fixture::new(
        URI_WITHOUT_LEADING_SLASH,
        Error,
        "service order-service › routes[0] › matches[0] › uri",
        set_match(uri(StringMatch::Exact(
            "order.v1.OrderService/Get".to_owned(),
        ))),
        set_match(uri(StringMatch::Regex("order.*".to_owned()))),
    )
}

pub(super) fn cm0231_claim_header_in_mesh() -> Fixture {
    Fixture::new(
        GATEWAY_ONLY_HEADER,
        Error,
        "service order-service › routes[0] › matches[0] › headers[0]",
        set_header(HeaderMatch::exact("@request.auth.claims.group", "beta")),
        set_header(HeaderMatch::exact("x-user-group", "beta")),
    )
    .help("forward it as a plain header")
}

pub(super) fn cm0232_duplicate_route_name() -> Fixture {
    let names = |first: &'static str, second: &'static str| {
        move |mesh: &mut Mesh| {
            order(mesh).routes[0].name = Some(first.to_owned());
            order(mesh).routes[1].name = Some(second.to_owned());
        }
    };
    Fixture::new(
        DUPLICATE_ROUTE_NAME,
        Error,
        "service order-service › routes[1] › name",
        names("primary", "primary"),
        names("canary-header", "primary"),
    )
    .message("already taken by routes[0]")
}

#[test]
fn cm0209_help_no_longer_recommends_claims() {
    let found = check_order(|order| {
        order.routes[0].matches = vec![RequestMatch::header(HeaderMatch::exact("X Canary", "1"))];
    });
    let Some(help) = found
        .all()
        .iter()
        .find(|d| d.code == INVALID_HEADER_NAME.code)
        .and_then(|d| d.help.clone())
    else {
        panic!("no CM0209 with a help:\n{found}");
    };
    assert!(!help.contains("claims"), "{help}");
}
