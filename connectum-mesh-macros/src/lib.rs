//! `mesh!`: an Istio mesh of Connectum services, written the way the mesh reads, checked
//! while your crate compiles.
//!
//! Use it through `connectum_mesh::mesh!` (this crate is the proc-macro behind it; it depends on
//! `connectum-mesh-core` only). The macro expands into the same public builder calls you would
//! write by hand (`Service::builder()`, `add_subset`, the subset handles, `add_route`) and
//! produces a `connectum_mesh::Mesh`. It lowers what you wrote to the core model and runs the
//! library's checker on it, so a mistake in a literal is a compile error at the token that is
//! wrong, with the same code, message and help the runtime checker gives.
//!
//! # A complete mesh
//!
//! The guide's order-service (the same mesh as `examples/order-service`, whose parity test
//! checks that both emit byte-identical YAML). It runs as a doctest on `connectum_mesh::mesh`.
//!
//! ```ignore
//! use connectum_mesh::{emit, mesh, render};
//!
//! let mesh = mesh! {
//!     namespace: connectum,
//!     part_of: connectum,
//!     mtls: STRICT,                                  // STRICT | PERMISSIVE | DISABLE
//!     sidecar_injection: enabled,                    // enabled | disabled | on | off | true | false
//!     telemetry connectum-telemetry {
//!         tracing: { providers: [otel-tracing], sampling_percent: 100 },
//!         metrics_providers: [prometheus],
//!         access_log_providers: [otel-access-logging],
//!     }
//!     gateway connectum-gateway {                    // where requests from outside enter
//!         runtime: envoy_gateway connectum-gateway,  // or istio_ingress, istio, { name, implementation }
//!         service_account: connectum/envoy-gateway,  // namespace/name
//!         listener http { port: 80, protocol: HTTP }
//!         listener https { port: 443, protocol: HTTPS, tls_credential: gateway-tls-cert }
//!         listener grpc { port: 9090, protocol: HTTP }
//!         route orders {                             // the first hop of every chain behind it
//!             listeners: [grpc],
//!             match: { grpc_service: "mycompany.orders.v1.OrderService" },
//!             target: order-service,                 // or service/subset, or split: { .. }
//!             timeout: 30s,
//!             retries: { attempts: 1, per_try_timeout: 10s, retry_on: [unavailable] },
//!         }
//!     }
//!     retry_budget: 10,                              // worst-case calls along any chain
//!     split_total: 100,
//!     service order-service {
//!         image: "ghcr.io/mycompany/order-service:1.0.0",
//!         app_version: "1.0.0",
//!         port: 5000,
//!         autoscale: {                               // or `replicas: 3`
//!             min_replicas: 2, max_replicas: 10, cpu_utilization: 70,
//!             scale_up: { stabilization_window_seconds: 60, pods: 2, period_seconds: 60 },
//!         },
//!         resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { cpu: 500m, memory: 512Mi } },
//!         sidecar: { requests: { cpu: 100m, memory: 128Mi }, limits: { cpu: 500m, memory: 256Mi } },
//!         config: { LOG_LEVEL: "info", "otel.endpoint": "http://collector:4317" },
//!         mtls_override: PERMISSIVE,                 // this service's override
//!         shutdown: { pre_stop_sleep: 5s, timeout: 30s },
//!         traffic_policy: {
//!             connection_pool: {
//!                 tcp: { max_connections: 100, connect_timeout: 1500ms },
//!                 http: { h2_upgrade_policy: UPGRADE, max_requests_per_connection: 100 },
//!             },
//!             outlier_detection: {
//!                 consecutive_5xx_errors: 5, interval: 30s, base_ejection_time: "1m30s",
//!                 max_ejection_percent: 50,
//!             },
//!             load_balancer: ROUND_ROBIN,
//!         },
//!         interceptors: {
//!             circuit_breaker: { threshold: 3 },
//!             timeout: 10s,
//!             retry: { max_retries: 2 },
//!             bulkhead: { capacity: 20, queue_size: 10 },
//!         },
//!         calls: [inventory-service],
//!         allow { from: [service_account connectum/envoy-gateway] }
//!         allow { from: [namespace connectum] }
//!         subset stable {}
//!         subset canary { image: "ghcr.io/mycompany/order-service:1.1.0-rc.1", replicas: 1 }
//!         route canary-header {                      // routes are matched in order
//!             match: { headers: { x-canary: "true" } },
//!             to: canary,
//!             timeout: 30s,
//!             retries: { attempts: 1, per_try_timeout: 10s, retry_on: [unavailable, deadline-exceeded] },
//!         }
//!         route default {
//!             split: { stable: 90, canary: 10 },
//!             timeout: 30s,
//!             retries: { attempts: 1, per_try_timeout: 10s, retry_on: [unavailable, deadline-exceeded] },
//!         }
//!     }
//!     service inventory-service {
//!         image: "ghcr.io/mycompany/inventory-service:1.0.0",
//!         // Without a retry block Istio retries twice: 18 calls along the chain, over budget.
//!         route { to: inventory-service, timeout: 10s, retries: off }
//!     }
//! };
//! let yaml = emit::to_yaml(&render(&mesh)?)?;
//! ```
//!
//! # Grammar
//!
//! ```text
//! input   = entries
//! entries = { entry [ "," | ";" ] }          (a comma is optional after a node's "}")
//! entry   = key ":" value                    a field:  image: "order:1.0.0"
//!         | kind [ name ] "{" entries "}"    a node:   service order-service { ... }
//! key     = name | "string"
//! name    = ident { ( "-" | "/" | "." ) ( ident | integer ) }     order-service, x-canary,
//!                                                                 connectum/envoy-gateway
//! value   = literal                          "text", 5000, 30s, 250ms, 128Mi, 100m, 0.5, true
//!         | name                             canary, STRICT, ROUND_ROBIN
//!         | name value                       prefix "beta-", namespace connectum
//!         | "[" [ value { "," value } ] "]"  [unavailable, deadline-exceeded]
//!         | "{" entries "}"                  { requests: { cpu: 100m } }
//!         | "(" rust-expression ")"          (canary_percent()), (Duration::from_secs(30))
//! ```
//!
//! `mesh_fragment!` takes the same entries less the mesh-wide ones (see "Fragments" below).
//!
//! Nodes of the mesh: `telemetry name { .. }` (at most one), `external name { .. }`,
//! `chain_budget { chain: [a, b, c], calls: 20 }`, `service name { .. }` and
//! `gateway name { .. }`. Nodes of a service: `subset name { .. }`, `route [name] { .. }` (in
//! evaluation order) and `allow { from: [..] }`. Nodes of a gateway: `listener name { .. }` and
//! `route name { .. }` (in evaluation order).
//! Every other key is a field, and its word is the builder's setter name (`per_try_timeout`,
//! `max_ejection_percent`, `mtls_override`), so anything the builders say, the DSL says in the
//! same words. Two routes' keys are shorthands for the builder's one `target`: `to: subset` and
//! `split: { subset: weight }`.
//!
//! | node | keys |
//! |---|---|
//! | mesh | `allow`, `warn`, `deny` (lists of codes), `deny_warnings`, `namespace` (required), `mode` (`istio` \| `none`), `mtls`, `sidecar_injection`, `sidecars` (`classic` \| `native`), `trust_domain`, `part_of`, `app_label`, `version_label`, `host_style` (`short` \| `fqdn`), `namespace_labels`, `known_namespaces`, `retry_budget`, `deny_by_default`, `split_total` |
//! | `telemetry` | `tracing: { providers, sampling_percent }`, `metrics_providers`, `access_log_providers` |
//! | `external` | `service_account` (required, `namespace/name`), `calls` |
//! | fragment | `known_namespaces` (and the nodes `external`, `chain_budget`, `service`, `gateway`) |
//! | `service` | `image` (required), `app_version`, `port`, `replicas` or `autoscale`, `resources`, `sidecar`, `service_account`, `config`, `mtls_override`, `calls` (names, or `ServiceRef` expressions in parentheses), `app_tls`, `spread_across_nodes`, `spread_policy` (`ScheduleAnyway` \| `DoNotSchedule`), `disruption_budget` (`auto` \| `disabled` \| `max_unavailable 1` \| `min_available "50%"`), `shutdown`, `probes`, `security`, `rollout`, `traffic_policy`, `interceptors` |
//! | `shutdown` | `pre_stop_sleep`, `pre_stop_shell`, `timeout`, `proxy_drain`, `hold_until_proxy_starts`, `margin`, `termination_grace_period` |
//! | `rollout` | `max_unavailable`, `allow_zero_ready`, `max_surge`, `revision_history_limit` |
//! | `subset` | `image`, `replicas`, `version_label`, `app_version` |
//! | `route` | `match` (one block or a list: any selects the route), `to` (a subset, or the service's own name for all its pods) or `split: { subset: weight, .. }`, `timeout`, `retries: { attempts, per_try_timeout, retry_on }` or `retries: off` |
//! | `traffic_policy` | `connection_pool: { tcp, http }`, `outlier_detection`, `load_balancer` (`ROUND_ROBIN` \| `LEAST_REQUEST` \| `RANDOM` \| `PASSTHROUGH` \| `consistent_hash header x-user`), `tls` (`ISTIO_MUTUAL` \| `DISABLE` \| `SIMPLE` \| `SIMPLE "api.example.com"`) |
//! | `match` | `headers: { name: "exact" \| prefix ".." \| regex ".." }`, `uri: prefix "/pkg.Service/"` |
//! | `allow` | `from: [service_account namespace/name, namespace name]` |
//! | `gateway` | `runtime` (`istio_ingress`, the default; `istio`; `envoy_gateway class-name`; or `{ name, implementation: istio \| envoy_gateway \| other, declare }`), `service_account` (`namespace/name`) |
//! | `listener` | `port` and `protocol` (`HTTP` \| `HTTPS` \| `HTTP2` \| `GRPC`) required, `hostname`, `tls_credential` (a Secret's name) |
//! | gateway `route` | `listeners`, `match` (one block or a list: `{ grpc_service: "pkg.Service", grpc_method: "Method" }` or `{ path_prefix: "/v1" }`, each with optional `headers`), `target: service` or `target: service/subset` or `split: { service/subset: weight, .. }`, `port`, `timeout`, `retries` |
//!
//! Words renamed to match the builders still work, with a deprecation warning (CM0912) that
//! names the new word: `injection` (now `sidecar_injection`), `hosts` (`host_style`), a
//! service's `mtls` (`mtls_override`), `metrics` (`metrics_providers`), `access_log`
//! (`access_log_providers`) and `sampling` (`sampling_percent`).
//!
//! # Adding a key
//!
//! Each node's keys are one table, declared with `table!` next to the node's reader in
//! `src/syntax/` (`MESH`, `SERVICE`, `SUBSET`, `ROUTE`, `RETRIES`, `REQUEST_MATCH`,
//! `RESOURCES`, `PROBES`, `SHUTDOWN`, `TRAFFIC_POLICY`, `GATEWAY`, `LISTENER`, `GATEWAY_ROUTE`,
//! `GATEWAY_MATCH`, …). A row names the key, the kind of value it holds, and whether it is
//! required; the key is at once the DSL word, the model field, the builder setter and the
//! segment of diagnostic paths (a row says so where they differ: `to as target`,
//! `.path("split")`), so reading, lowering (for the compile-time checks), span lookup and
//! expansion all follow from the row. Adding a key is one row plus its model field.
//!
//! The traffic policy's client TLS is how the key `tls` came in: the model has the field and
//! its builder setter,
//!
//! ```text
//! // connectum-mesh-core/src/model/resilience.rs
//! pub struct TrafficPolicy {
//!     /// ... (an `Option` field is optional in the builder, with a `maybe_` setter too)
//!     pub tls: Option<ClientTls>,
//! }
//! ```
//!
//! and `traffic_policy: { tls: ISTIO_MUTUAL }` is one row in its table:
//!
//! ```text
//! // connectum-mesh-macros/src/syntax/resilience.rs
//! table! {
//!     /// The keys of `traffic_policy: { ... }`.
//!     pub TRAFFIC_POLICY: TrafficPolicy = TrafficPolicy::default(), "traffic policy" {
//!         connection_pool: Kind::Record(CONNECTION_POOL);
//!         outlier_detection: Kind::Record(OUTLIER_DETECTION);
//!         load_balancer: Kind::LoadBalancer;
//!         tls: Kind::ClientTls;
//!     }
//! }
//! ```
//!
//! From the row, `mesh!` reads the key (unknown keys now suggest it), lowers it so the
//! checker's CM0422 (a client TLS mode the workload's mTLS refuses) is a compile error at the
//! `tls` token, and expands it to `.tls(ClientTls::IstioMutual)`. The unit test
//! `adding_a_key_is_one_row` in this file holds both snippets to the source and follows the
//! key through reading, lowering, the span index and expansion. Since `ClientTls` carries data
//! (`SIMPLE "api.example.com"`, the SNI), it also needed its value kind, `Kind::ClientTls`: a
//! reader in `syntax/shaped.rs`, its `Scalar` and model type in `syntax/scalar.rs`, and its
//! expansion in `expand/value.rs`. A key of a kind the table already knows is the row alone.
//!
//! Kinds: `Count`, `Number { min, max }`, `Duration`, `Quantity`, `Text`, `Flag`, `Percent`,
//! `Names`, `Calls`, `TextMap`, `Word(&WORDS)` (a model enum's variants), `LoadBalancer`,
//! `DisruptionBudget`, `ClientTls`, `RetryOn`, `StringMatch`, `Headers`, `ServiceAccount`
//! (`namespace/name`), `Sources` (an allow rule's), `Runtime` (a gateway's), `Lint(level)`
//! (diagnostic codes), `Target`
//! and `Split` (a route's destination, resolved among the service's subsets or the mesh's
//! services), `Record(NODE)` (a nested block with its own table), `OrOff(NODE, off)` (such a
//! block, or `off`), `Records(NODE)` (one block or a list of them), `group NODE` (a block
//! whose keys are fields of the node holding it: `requests: { cpu: 100m }`),
//! `Through(&THROUGH)` (a value of another kind handed to a constructor of the field's type:
//! `replicas: 3` is `Scaling::Replicas(3)`, `retry_budget: 12` is `RetryBudget::calls(12)`)
//! and `Spread(reader)` (one value written as several keys of the node's block: a gateway
//! match's `grpc_service`/`grpc_method`/`path_prefix` are its `request`).
//!
//! Options after `=>`: `required()` makes the key required; `was(&["old"])` keeps an old word
//! working with a CM0912 warning; `hint(&["version"])` makes an unknown key among those words
//! suggest this one (CM0902's did-you-mean, for words too far from the key's spelling);
//! `choice(&CHOICE)` makes keys that set one setter exclude each other (`to` or `split`,
//! `replicas` or `autoscale`). A row `word: after(kind, lower)` calls its setter on the built
//! value rather than the builder (`deny: [CM0302]` is `mesh.lint(..)`), `lower` storing it in
//! the model for the checks.
//!
//! Every key of every node is a row. What is read outside the tables is the nodes themselves
//! (`service`, `subset`, `route`, `allow`, `external`, `chain_budget`, `telemetry`, `gateway`,
//! `listener`): which nodes a block holds, and a node's name.
//!
//! ## Durations and quantities
//!
//! `30s`, `250ms`, `1m30s`, `1.5s` and `2h` are Rust literals with a suffix; the macro reads
//! the literal as written and parses it with `Duration::parse` (Go syntax, at least 1ms, whole
//! milliseconds, as Istio requires). A string works too: `"1m30s"`. Quantities likewise:
//! `100m`, `0.5`, `2`, `128Mi`, `1Gi`, or `"512Mi"`, through `Quantity::parse`.
//!
//! ## Values known only at run time
//!
//! Any scalar (text, numbers, durations, quantities, flags) may be a Rust expression in
//! parentheses: `image: (format!("ghcr.io/x:{VERSION}"))`, `weight: (canary_percent())`. It is
//! passed to the builder unchanged (rustc type-checks it, pointing inside your `mesh!`), and
//! every checker rule that depends on it is left to the runtime checker (`check`, `render`).
//! Names (of services, subsets, routes, providers) and references must be written out.
//! Each service is built in a closure of its own (so rustc's cost grows linearly with the mesh),
//! so an expression inside a service cannot use `?`, `return` or `.await`: compute such a value
//! in a `let` before `mesh!` and name the local, `weight: (canary)`.
//!
//! # What is checked at compile time
//!
//! All problems are reported at once, each at the narrowest span there is:
//!
//! - the DSL's own mistakes (codes CM0901–CM0909 in the core's registry): malformed entries,
//!   unknown keys (with the closest key), missing and repeated keys, values of the wrong kind,
//!   malformed durations and quantities, words out of their set (with the closest word), numbers
//!   out of range; a malformed entry is reported once, without follow-ons (a forgotten comma
//!   does not lose the next entry; an allow rule that lost a malformed source is not reported
//!   again as empty);
//! - every error of the runtime checker whose inputs are literals, mapped from its path to the
//!   item it names: a split that does not total the split total (at the split, with the
//!   total), a retry product along a declared call chain over the budget (at the first call
//!   of the chain, naming the chain and the product), a route to a subset the service does not
//!   declare (with the closest name), duplicate services and subsets, names that are not
//!   DNS-1123, and the rest of the registry.
//!
//! Help is written in the DSL's words where the checker's help shows builder code
//! (`chain_budget { chain: [..], calls: 12 }` for `ChainBudget::new(..)`).
//!
//! Warnings of the checker are compile-time warnings at their token: stable Rust lets a
//! proc-macro warn only through rustc's own lints, so each is the use of a deprecated constant
//! named after its code (`warning: use of deprecated constant `CM0302`: ...`), reported once
//! the mesh has no errors (as rustc's lints come after its errors). Lint levels are
//! the mesh's, as with `Mesh::lint`: `deny: [CM0302]` makes that warning a compile error,
//! `allow: [CM0460]` silences it, `warn: [..]` keeps it a warning, and `deny_warnings: true`
//! denies every warning (codes are checked against the registry; no level lowers an error).
//! When there are errors, the macro still expands to a `Mesh`, so no follow-on type errors
//! hide ours.
//!
//! # Fragments: one crate's part of a mesh
//!
//! In a monorepo each service crate describes its own services, and one infra crate composes
//! the mesh. `mesh_fragment! { .. }` is that part: the same nodes and words as `mesh!`
//! (`service`, `gateway`, `external`, `chain_budget`) and `known_namespaces`, expanding into
//! the same builder calls, but producing a `MeshFragment` rather than a `Mesh`:
//!
//! ```ignore
//! use connectum_mesh_core::{MeshFragment, ServiceRef};
//! use connectum_mesh_macros::mesh_fragment;
//!
//! pub const SERVICE: ServiceRef = ServiceRef::new("checkout-service");
//!
//! pub fn fragment() -> MeshFragment {
//!     mesh_fragment! {
//!         service checkout-service {
//!             image: "ghcr.io/mycompany/checkout-service:1.4.0",
//!             calls: [(monorepo_inventory::SERVICE)],     // another crate's ServiceRef
//!             route { to: checkout-service, timeout: 20s, retries: off }
//!         }
//!     }
//! }
//! ```
//!
//! The infra crate merges it with `Mesh::merge` and runs `check` on the result (the doctest on
//! `connectum_mesh::mesh_fragment` does all three).
//!
//! - **Mesh-wide keys are refused at their token** (CM0930): `namespace`, `mtls`, `mode`,
//!   `sidecar_injection`, `sidecars`, `trust_domain`, `part_of`, the labels, `host_style`,
//!   `deny_by_default`, `split_total`, `retry_budget`, the lint levels and `telemetry`. A
//!   fragment has none: the crate that composes the mesh sets them, once for every crate.
//! - **Checked as far as a fragment can be judged.** The codes the core's registry marks
//!   `Scope::Local` (an undeclared subset, a split whose weights are all zero, a malformed
//!   match …) are compile errors and warnings here, as in `mesh!`. The `Scope::WholeMesh` ones
//!   (a call to a service the fragment does not define, chains over the retry budget, allow
//!   lists derived from callers, anything that reads a mesh-wide setting such as the split
//!   total) are left to the composed mesh. The macro runs `MeshFragment::check`, the function
//!   a crate that builds its fragment by hand calls in its tests, so both front-ends agree.
//!   A fragment sets no lint levels: a compile-time warning in it is silenced with
//!   `#[allow(deprecated)]` on the enclosing item (warnings are deprecated constants, see
//!   below), and its level in the composed mesh is the composing crate's.
//! - **Calls by a typed name.** A call may be a `ServiceRef` expression in parentheses,
//!   `calls: [(inventory::SERVICE)]`, in both forms; a misspelt constant does not compile. The
//!   macro cannot see which service it names, so a `mesh!` with such a call is judged at
//!   compile time like a fragment, and wholly by the runtime checker.
//! - **Which crate it names.** The expansion names `connectum_mesh` when the calling crate
//!   depends on `connectum-mesh`, and `connectum_mesh_core` when it depends on the core alone
//!   (a service crate, which then depends on this crate too and need not pick a Kubernetes
//!   version); renamed dependencies are followed.
//!
//! Why a macro of its own rather than a `fragment;` switch inside `mesh!`: the name says what
//! comes out (a `MeshFragment`, not a `Mesh`), so a reader of `let part = mesh_fragment! { .. }`
//! needs no look inside to know its type; rustdoc and completion list it beside `mesh!`; and
//! `mesh!` keeps one meaning (its `namespace` stays required).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod check;
mod errors;
mod expand;
mod fragment;
mod lower;
mod root;
mod syntax;

use proc_macro2::TokenStream;
use quote::quote;

/// Describes a mesh in the DSL documented at the crate root and produces a
/// `connectum_mesh::Mesh`; mistakes in literal values are compile errors at their token.
#[proc_macro]
pub fn mesh(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    root::with_detected(|| mesh_tokens(input.into())).into()
}

/// One crate's part of a mesh, for a monorepo: the nodes of `mesh!` (`service`, `gateway`,
/// `external`, `chain_budget`) and `known_namespaces`, producing a
/// `connectum_mesh::MeshFragment` the crate that composes the mesh merges with `Mesh::merge`.
/// Mesh-wide keys are refused at their token (CM0930). The fragment is checked while it
/// compiles as far as a fragment can be judged; the rest waits for the composed mesh. See the
/// crate docs, "Fragments".
#[proc_macro]
pub fn mesh_fragment(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    root::with_detected(|| fragment::fragment_tokens(input.into())).into()
}

/// Reads, lowers, checks and expands; on errors, the errors and a mesh of the right type, so
/// the user sees our errors and no cascade after them.
fn mesh_tokens(input: TokenStream) -> TokenStream {
    let k = root::current();
    front_end(
        input,
        syntax::mesh::mesh,
        check::Judged::Mesh,
        expand::mesh,
        quote!(#k::Mesh::builder().namespace(::std::string::String::new()).build()),
    )
}

/// The pipeline both macros share: `read` the input into a node, lower it, run the rules
/// `judged` says apply, and `expand` it; on errors, the errors and `fallback` (an empty value of
/// the right type), so no cascade follows them. Warnings are emitted either way.
fn front_end(
    input: TokenStream,
    read: fn(&syntax::tree::Block, &mut errors::Errors) -> syntax::mesh::MeshNode,
    judged: check::Judged,
    expand: fn(&syntax::mesh::MeshNode, bool) -> TokenStream,
    fallback: TokenStream,
) -> TokenStream {
    let mut errors = errors::Errors::default();
    let tree = syntax::tree::parse_input(input, &mut errors);
    let node = read(&tree, &mut errors);
    let (model, index) = lower::lower(&node, &mut errors);
    check::report(&model, &index, judged, &mut errors);
    let warnings = errors.warnings();
    if errors.is_empty() {
        let expanded = expand(&node, tree.has_expressions());
        return quote!({ #warnings #expanded });
    }
    let compile_errors = errors.to_compile_errors();
    quote!({
        #compile_errors
        #warnings
        #fallback
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines of the crate docs' `text` block that starts with `// <file>`.
    fn doc_snippet(file: &str) -> Vec<String> {
        let docs: Vec<&str> = include_str!("lib.rs")
            .lines()
            .filter_map(|line| line.strip_prefix("//!"))
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .collect();
        let start = docs
            .iter()
            .position(|line| *line == format!("// {file}"))
            .expect("the docs show the file");
        docs[start + 1..]
            .iter()
            .take_while(|line| !line.starts_with("```"))
            .map(|line| (*line).to_owned())
            .collect()
    }

    #[test]
    fn adding_a_key_is_one_row() {
        // The docs' worked example is the source as it is: the row and the model field.
        let row = doc_snippet("connectum-mesh-macros/src/syntax/resilience.rs");
        let source = include_str!("syntax/resilience.rs");
        assert!(source.contains(&row.join("\n")), "{row:#?}");
        let field = doc_snippet("connectum-mesh-core/src/model/resilience.rs");
        let model = include_str!("../../connectum-mesh-core/src/model/resilience.rs");
        for line in field.iter().filter(|line| line.starts_with("    pub ")) {
            assert!(model.contains(line.as_str()), "{line}");
        }
        // And the row is all `tls` needs: read, lowered for the checks, located, expanded.
        let tokens = quote! {
            namespace: connectum,
            mtls: DISABLE,
            service order-service { image: "order:1.0.0", traffic_policy: { tls: ISTIO_MUTUAL } }
        };
        let mut errors = errors::Errors::default();
        let tree = syntax::tree::parse_input(tokens.clone(), &mut errors);
        let node = syntax::mesh::mesh(&tree, &mut errors);
        let (model, index) = lower::lower(&node, &mut errors);
        assert!(errors.is_empty(), "{:?}", errors.messages());
        assert_eq!(
            model.services[0].traffic_policy.tls,
            Some(connectum_mesh_core::ClientTls::IstioMutual)
        );
        let refused = connectum_mesh_core::check(&model);
        let refused = refused
            .errors()
            .find(|d| d.code.as_str() == "CM0422")
            .expect("ISTIO_MUTUAL under mtls: DISABLE is refused");
        assert!(!index.depends_on_runtime(refused));
        let expanded = mesh_tokens(tokens).to_string();
        assert!(expanded.contains("compile_error"), "{expanded}");
        let clean = mesh_tokens(quote! {
            namespace: connectum,
            service order-service { image: "order:1.0.0", traffic_policy: { tls: ISTIO_MUTUAL } }
        })
        .to_string();
        assert!(
            clean.contains(". tls (:: connectum_mesh :: ClientTls :: IstioMutual)"),
            "{clean}"
        );
    }

    #[test]
    fn a_clean_mesh_expands_into_builder_calls() {
        let expanded = mesh_tokens(quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                subset stable {}
                subset canary {}
                route { split: { stable: 90, canary: 10 } }
            }
        })
        .to_string();
        assert!(!expanded.contains("compile_error"), "{expanded}");
        assert!(expanded.contains("Service :: builder ()"));
        assert!(expanded.contains("add_subset"));
        assert!(
            expanded.contains(". weight (& subset_1 , 10)"),
            "{expanded}"
        );
    }

    #[test]
    fn an_external_caller_that_calls_nothing_gets_a_typed_empty_list() {
        let expanded = mesh_tokens(quote! {
            namespace: connectum,
            external api-gateway { service_account: connectum/api-gateway, calls: [] }
            service a { image: "a:1" }
        })
        .to_string();
        assert!(!expanded.contains("compile_error"), "{expanded}");
        assert!(
            expanded.contains(
                ". calls (:: std :: vec :: Vec :: < :: std :: string :: String > :: from ([]))"
            ),
            "{expanded}"
        );
    }

    #[test]
    fn each_service_is_built_in_a_function_of_its_own() {
        let expanded = mesh_tokens(quote! {
            namespace: connectum,
            service a { image: "a:1" }
            service b { image: "b:1" }
            service c { image: "c:1" }
        })
        .to_string();
        assert!(!expanded.contains("compile_error"), "{expanded}");
        assert_eq!(
            expanded.matches("# [inline (never)]").count(),
            1,
            "{expanded}"
        );
        assert_eq!(
            expanded.matches("__connectum_mesh_service (||").count(),
            3,
            "{expanded}"
        );
    }

    #[test]
    fn every_error_is_reported_and_a_mesh_is_still_produced() {
        let expanded = mesh_tokens(quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                replica: 2,
                subset stable {}
                subset canary {}
                route { split: { stable: 90, canary: 5 }, timeout: 30sec }
            }
        })
        .to_string();
        assert_eq!(expanded.matches("compile_error").count(), 3, "{expanded}");
        for code in ["CM0902", "CM0906", "CM0202"] {
            assert!(expanded.contains(code), "{code} in {expanded}");
        }
        assert!(expanded.contains("Mesh :: builder ()"));
    }

    #[test]
    fn checker_warnings_warn_at_their_token_and_levels_change_them() {
        let warned = quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                route { to: order-service, timeout: 10s, retries: { attempts: 3, per_try_timeout: 5s } }
            }
        };
        let expanded = mesh_tokens(warned.clone()).to_string();
        assert!(!expanded.contains("compile_error"), "{expanded}");
        assert!(expanded.contains("const CM0302"), "{expanded}");
        let denied = mesh_tokens(quote!(deny: [CM0302], #warned)).to_string();
        assert!(denied.contains("compile_error"), "{denied}");
        assert!(denied.contains("CM0302: "), "{denied}");
        assert!(
            denied.contains(". lint (:: connectum_mesh :: diag :: Code (\"CM0302\") , :: connectum_mesh :: diag :: Level :: Deny)")
                || denied.contains("compile_error"),
            "{denied}"
        );
        let allowed = mesh_tokens(quote!(allow: [CM0302], #warned)).to_string();
        assert!(!allowed.contains("const CM0302"), "{allowed}");
        assert!(allowed.contains("Level :: Allow"), "{allowed}");
        let all_denied = mesh_tokens(quote!(deny_warnings: true, #warned)).to_string();
        assert!(all_denied.contains("compile_error"), "{all_denied}");
    }

    #[test]
    fn a_gateway_without_routes_sets_none() {
        // `.routes([])` would leave the array's element type to inference, which fails.
        let expanded = mesh_tokens(quote! {
            namespace: connectum,
            allow: [CM0460],
            gateway edge { listener web { port: 80, protocol: HTTP } }
        })
        .to_string();
        assert!(!expanded.contains("compile_error"), "{expanded}");
        assert!(expanded.contains("Gateway :: builder ()"), "{expanded}");
        assert!(!expanded.contains(". routes"), "{expanded}");
    }

    #[test]
    fn lint_levels_name_registered_codes_and_lower_no_error() {
        let expanded = mesh_tokens(quote! {
            namespace: connectum,
            deny: [CM0399],
            allow: [CM0202],
            service order-service { image: "order:1.0.0" }
        })
        .to_string();
        assert_eq!(expanded.matches("compile_error").count(), 2, "{expanded}");
        assert!(
            expanded.contains("`CM0399` is not a diagnostic code"),
            "{expanded}"
        );
        assert!(
            expanded.contains("`CM0202` (") && expanded.contains("no level lowers it"),
            "{expanded}"
        );
    }

    #[test]
    fn a_missing_comma_is_one_error_and_the_next_entry_still_counts() {
        let expanded = mesh_tokens(quote! {
            namespace: connectum,
            service order-service { port: 5000 image: "order:1.0.0" }
        })
        .to_string();
        assert_eq!(expanded.matches("compile_error").count(), 1, "{expanded}");
        assert!(expanded.contains("CM0901"), "{expanded}");
    }

    #[test]
    fn a_malformed_allow_source_is_one_error() {
        let expanded = mesh_tokens(quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                allow { from: [principal connectum/x] }
            }
        })
        .to_string();
        assert_eq!(expanded.matches("compile_error").count(), 1, "{expanded}");
        assert!(expanded.contains("CM0908"), "{expanded}");
    }

    #[test]
    fn checker_help_is_in_the_dsls_words() {
        let expanded = mesh_tokens(quote! {
            namespace: connectum,
            external envoy-gateway { service_account: connectum/envoy-gateway, calls: [order-service] }
            service order-service {
                image: "order:1.0.0",
                interceptors: { retry: { max_retries: 2 } },
                allow { from: [service_account connectum/envoy-gateway] }
                route { to: order-service, timeout: 30s, retries: { attempts: 3, per_try_timeout: 5s } }
            }
        })
        .to_string();
        assert!(expanded.contains("CM0301"), "{expanded}");
        assert!(
            expanded.contains("chain_budget { chain: [envoy-gateway, order-service], calls: 12 }"),
            "{expanded}"
        );
        assert!(!expanded.contains("ChainBudget::new"), "{expanded}");
    }

    #[test]
    fn old_words_still_work_and_warn_with_the_new_word() {
        let expanded = mesh_tokens(quote! {
            namespace: connectum,
            allow: [CM0460],
            injection: on,
            service order-service { image: "order:1.0.0", mtls: PERMISSIVE }
        })
        .to_string();
        assert!(!expanded.contains("compile_error"), "{expanded}");
        assert!(
            expanded.contains(". sidecar_injection (true)"),
            "{expanded}"
        );
        assert!(
            expanded.contains(". mtls_override (:: connectum_mesh :: MtlsMode :: Permissive)"),
            "{expanded}"
        );
        assert_eq!(expanded.matches("# [deprecated").count(), 2, "{expanded}");
        assert!(expanded.contains("CM0912: `injection` is now `sidecar_injection`"));
    }

    #[test]
    fn a_client_tls_mode_is_a_row_of_the_traffic_policy_and_checked_at_its_token() {
        let expanded = mesh_tokens(quote! {
            namespace: connectum,
            service order-service { image: "order:1.0.0", traffic_policy: { tls: ISTIO_MUTUAL } }
            service payments {
                image: "payments:1.0.0",
                app_tls: "/etc/tls",
                traffic_policy: { tls: SIMPLE "payments.connectum.svc" },
            }
        })
        .to_string();
        assert!(!expanded.contains("compile_error"), "{expanded}");
        assert!(
            expanded.contains(". tls (:: connectum_mesh :: ClientTls :: IstioMutual)"),
            "{expanded}"
        );
        assert!(
            expanded.contains("sni : :: core :: option :: Option :: Some (:: std :: string :: String :: from (\"payments.connectum.svc\"))"),
            "{expanded}"
        );
        let refused = mesh_tokens(quote! {
            namespace: connectum,
            mtls: STRICT,
            service order-service { image: "order:1.0.0", traffic_policy: { tls: DISABLE } }
        })
        .to_string();
        assert_eq!(refused.matches("compile_error").count(), 1, "{refused}");
        assert!(refused.contains("CM0422"), "{refused}");
        let misspelt = mesh_tokens(quote! {
            namespace: connectum,
            service order-service { image: "order:1.0.0", traffic_policy: { tls: ISTIO_MUTAL } }
        })
        .to_string();
        assert!(
            misspelt.contains("did you mean `ISTIO_MUTUAL`?"),
            "{misspelt}"
        );
        let named = mesh_tokens(quote! {
            namespace: connectum,
            service order-service { image: "order:1.0.0", traffic_policy: { tls: DISABLE "x" } }
        })
        .to_string();
        assert!(
            named.contains("only `SIMPLE` takes a server name"),
            "{named}"
        );
    }

    #[test]
    fn checker_errors_about_expressions_wait_for_run_time() {
        let expanded = mesh_tokens(syntax::test_support::runtime_split()).to_string();
        assert!(!expanded.contains("compile_error"), "{expanded}");
        assert!(expanded.contains("canary_percent ()"));
    }
}
