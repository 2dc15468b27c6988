//! The code registry: every diagnostic code, its default severity, what it means, the outage it
//! prevents, the Istio / istioctl / Kiali rule it corresponds to, a failing example and the fix.
//!
//! Codes are `CM` and four digits by family: 01xx model (015x telemetry), 02xx routing,
//! 03xx resilience, 04xx security, 05xx Kubernetes wiring, 08xx I/O, 09xx DSL syntax.
//! A code is never reused: when a rule goes away its code moves to [`RETIRED`].
//!
//! Adding a code is one entry in the `registry!` list below (the entry's tokens may just as well
//! sit on one line), in code order:
//!
//! ```text
//! CM0911 UNKNOWN_SERVICE Error "title" rule "…" why "…" example "…" fix "…";
//! ```
//!
//! A code whose verdict can change with what lies outside a [`MeshFragment`] (the mesh-wide
//! settings, or the services and callers other crates define) carries `whole_mesh` after its
//! severity (`CM0103 UNKNOWN_CALLEE Error whole_mesh "…"`): its [`CodeInfo::scope`] is
//! [`Scope::WholeMesh`], and [`MeshFragment::check`] and `mesh_fragment!` leave it to the point
//! where the mesh is composed. Every other code is [`Scope::Local`]: whatever a fragment
//! reports under it, every mesh composed from that fragment reports too.
//!
//! [`MeshFragment`]: crate::MeshFragment
//! [`MeshFragment::check`]: crate::MeshFragment::check
//!
//! That declares the constant `UNKNOWN_SERVICE` (a [`CodeInfo`]; `UNKNOWN_SERVICE.at(path,
//! message)` makes a diagnostic with its default severity) and lists it in [`REGISTRY`]. The
//! tests then require it to be well formed, documented, listed in `docs/diagnostics.md`
//! (regenerate with `UPDATE_DIAGNOSTICS_DOC=1 cargo test -p connectum-mesh-core`) and, for the
//! checker's families 01xx–05xx, triggered by a checker fixture; 08xx and 09xx codes are tested
//! where they are emitted (the emit module, the macro's UI tests).

use super::{Code, Diagnostic, MeshPath, Severity};

/// Everything known about one diagnostic code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeInfo {
    /// The code, e.g. `CM0201`.
    pub code: Code,
    /// Its default severity.
    pub severity: Severity,
    /// A short title, e.g. "route to an undeclared subset".
    pub title: &'static str,
    /// The Istio webhook rule, `istioctl analyze` message or Kiali check it corresponds to, or
    /// "library policy" where this library is stricter than Istio.
    pub rule: &'static str,
    /// Why it matters: the outage or surprise it prevents.
    pub why: &'static str,
    /// A failing example, in builder calls.
    pub example: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// Whether a fragment of a mesh can judge it, or only the composed mesh.
    pub scope: Scope,
}

/// What a code's verdict depends on: the items it names, or the whole mesh.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Decided by the items the diagnostic names and their own settings: a fragment holding
    /// them reports it, and so does every mesh composed from that fragment (a split whose
    /// weights are all zero, a malformed header match, two subsets of one service with one
    /// name).
    Local,
    /// Decided by mesh-wide settings (namespace, mTLS, sidecars, split total, retry budget …)
    /// or by items other fragments may define (a call to a service of another crate, a chain
    /// through several crates, the callers an allow list is derived from): judged where the
    /// mesh is composed, by [`check`](crate::check()) on the merged mesh.
    WholeMesh,
}

impl CodeInfo {
    /// A diagnostic with this code and its default severity.
    #[must_use]
    pub fn at(&self, path: MeshPath, message: impl Into<String>) -> Diagnostic {
        let diagnostic = Diagnostic::error(self.code, path, message);
        Diagnostic {
            severity: self.severity,
            ..diagnostic
        }
    }
}

/// A code that is no longer emitted; it stays here so it is never given to another rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetiredCode {
    /// The code.
    pub code: Code,
    /// What it meant and why it went away.
    pub note: &'static str,
}

/// Codes no longer emitted. Never delete an entry.
pub const RETIRED: &[RetiredCode] = &[RetiredCode {
    code: Code("CM0910"),
    note: "two routes of a service with one name, refused by `mesh!` alone; the checker's CM0232 \
           refuses it for both front-ends, so `mesh!` reported it twice",
}];

/// The registered code `code`, if any.
#[must_use]
pub fn lookup(code: Code) -> Option<&'static CodeInfo> {
    REGISTRY.iter().find(|info| info.code == code)
}

/// The scope a registry entry's optional marker stands for.
macro_rules! scope {
    () => {
        Scope::Local
    };
    (whole_mesh) => {
        Scope::WholeMesh
    };
}

macro_rules! registry {
    ($(
        $code:ident $name:ident $severity:ident $($scope:ident)? $title:literal
            rule $rule:literal
            why $why:literal
            example $example:literal
            fix $fix:literal;
    )*) => {
        $(
            #[doc = concat!("`", stringify!($code), "` (", stringify!($severity), "): ", $title, ".")]
            pub const $name: CodeInfo = CodeInfo {
                code: Code(stringify!($code)),
                severity: Severity::$severity,
                title: $title,
                rule: $rule,
                why: $why,
                example: $example,
                fix: $fix,
                scope: scope!($($scope)?),
            };
        )*

        /// Every live code, in code order.
        pub const REGISTRY: &[CodeInfo] = &[$($name),*];
    };
}

registry! {
    // ── 01xx model ────────────────────────────────────────────────────────────────────────
    CM0101 DUPLICATE_SERVICE Error "two services share a name"
        rule "IST0109 ConflictingMeshGatewayVirtualServiceHosts; Kiali KIA0201, KIA1106"
        why "Each service becomes a Service, a VirtualService and a DestinationRule named after it. Two services with one name give two VirtualServices for one host: Istio keeps one of them silently, so half of the routes, retries and subsets you wrote never apply, and which half depends on creation time."
        example "Mesh::builder().services([Service::builder().name(\"order-service\")…, Service::builder().name(\"order-service\")…])"
        fix "Give every service its own name, or merge the two descriptions into one service.";
    CM0102 DUPLICATE_SUBSET Error "two subsets of a service share a name"
        rule "Istio webhook: DestinationRule subset names must be unique; Kiali KIA0201"
        why "The DestinationRule would list the subset twice; Istio's webhook refuses it, so the whole DestinationRule (and every subset in it) fails to apply."
        example "order.add_subset(Subset::builder().name(\"canary\").build()); order.add_subset(Subset::builder().name(\"canary\").image(\"…:1.2.0\").build());"
        fix "Rename one subset (e.g. `canary-2`), or remove the duplicate.";
    CM0103 UNKNOWN_CALLEE Error whole_mesh "a call names a service the mesh does not declare"
        rule "Kiali KIA1101 (destination host not found); library policy: call chains must be known to budget retries"
        why "`calls` feeds the retry budget and the timeout checks along call chains. A call to an unknown service hides a whole chain from them: the retry storm it could cause goes unchecked."
        example "Service::builder().name(\"order-service\").calls([\"inventroy-service\"])"
        fix "Name a service declared in this mesh (the help suggests the closest), or add the callee to the mesh's `services`.";
    CM0104 OVERLAPPING_SUBSETS Error "two subsets select the same pods"
        rule "Kiali KIA0003 / KIA0201 (overlapping selectors); Kubernetes: Deployments with overlapping selectors"
        why "Subsets are told apart by their version label. Two subsets with the same value select each other's pods: the two Deployments' selectors overlap, so their ReplicaSets fight over the pods, and each leg of a 90/10 canary split reaches both versions."
        example "order.add_subset(Subset::builder().name(\"stable\").version_label(\"v1\").build()); order.add_subset(Subset::builder().name(\"canary\").version_label(\"v1\").build());"
        fix "Give each subset its own version label value (by default the subset name).";
    CM0105 INVALID_MESH_SETTING Error whole_mesh "a mesh-wide setting can never be satisfied"
        rule "library policy (split_total, retry_budget); Istio AuthorizationPolicy trustDomains grammar (trust_domain)"
        why "A split total of 0 or a retry budget of 0 calls refuses every split or every call chain; a trust domain that is empty or contains `/` makes every principal the mesh writes malformed, so no AuthorizationPolicy rule ever matches and every call is denied."
        example "Mesh::builder().namespace(\"connectum\").split_total(0).build()"
        fix "Use a split total above 0 (100, or 1000 for finer steps), a budget of at least 1 call, and a trust domain like `cluster.local`.";
    CM0106 DUPLICATE_CALLER Error "an external caller's name is taken"
        rule "library policy (call chains are named by their members)"
        why "Call chains and diagnostics name callers; two external callers with one name, or an external caller named like a service, make a chain ambiguous and a per-chain retry budget apply to the wrong chain."
        example "mesh.external_callers = vec![ExternalCaller::builder().name(\"order-service\")…]"
        fix "Give each external caller a name no service or other caller uses.";
    CM0107 NUMBER_TOO_LARGE Error "a number too large for its 32-bit field"
        rule "Kubernetes and Istio int32 fields (replicas, probe seconds, HPA bounds, weights, retry attempts, connection limits)"
        why "Kubernetes and Istio store these counts as 32-bit signed integers: a larger value is refused by the API server, or would silently be clamped to 2147483647 and mean something else than written."
        example "Subset::builder().name(\"canary\").replicas(3_000_000_000).build()"
        fix "Use a value up to 2147483647 (and usually far less).";
    CM0108 DEPLOYMENT_NAME_CLASH Error "two workloads render to one Deployment name"
        rule "Kubernetes: object names are unique per kind and namespace"
        why "A service's primary workload is the Deployment `<service>` and its other subsets are `<service>-<subset>`, so service `order` with subset `canary` and a service named `order-canary` both write Deployment `order-canary`: the later apply replaces the earlier, and one workload silently disappears."
        example "service order with subset canary, and a service named order-canary"
        fix "Rename the service or the subset so the Deployment names differ.";
    CM0120 DUPLICATE_GATEWAY Error "two gateways share a name, or a gateway shares one with a service or external caller"
        rule "Kubernetes: one object per kind and name; library policy: call chains name their members"
        why "Each gateway becomes a Gateway (and its routes) named after it: a second one with the same name overwrites the first on apply. A gateway named like a service or external caller makes the call chains the retry budget reports ambiguous."
        example "Mesh::builder().gateways([Gateway::builder().name(\"edge\")…, Gateway::builder().name(\"edge\")…])"
        fix "Give every gateway its own name, distinct from the services' and external callers'.";
    CM0121 GATEWAY_WITHOUT_LISTENERS Error "a gateway declares no listener"
        rule "Istio webhook: a Gateway needs at least one server; Gateway API CRD: listeners minItems 1"
        why "The API server refuses a Gateway without listeners, so nothing reaches the routes written for it."
        example "Gateway::builder().name(\"edge\").build() with routes but no listeners"
        fix "Add a listener: Listener::builder().name(\"grpc\").port(9090).protocol(ListenerProtocol::Http).build().";
    CM0122 DUPLICATE_GATEWAY_MEMBER Error "two listeners or two routes of a gateway share a name"
        rule "Gateway API CRD: listener names are unique (CEL); Istio webhook: server port names are unique; route objects are named after their routes"
        why "The API server refuses a Gateway whose listeners share a name; two routes with one name become two route objects with one name, and the second overwrites the first."
        example "listeners: grpc on 9090 and grpc on 443"
        fix "Give each listener and each route of a gateway its own name.";
    CM0130 CONFLICTING_CHAIN_BUDGET Error "one call chain has two different budgets"
        rule "library policy (a chain has one budget)"
        why "A chain budget overrides the mesh's retry budget for one chain. When two crates' fragments (or two entries of one mesh) set different ones for the same chain, which one applies would depend on the order they were merged or written: the composed mesh could accept a retry storm one team budgeted against."
        example "let a = MeshFragment::builder().chain_budgets([ChainBudget::new([\"gateway\", \"checkout\"], RetryBudget::calls(12))]).build(); let b = MeshFragment::builder().chain_budgets([ChainBudget::new([\"gateway\", \"checkout\"], RetryBudget::calls(20))]).build(); mesh.merge(a)?.merge(b)?;"
        fix "Set the chain's budget in one fragment only (the crate that owns the chain's first service, or the infra crate), or make both budgets equal: an identical budget is kept once.";
    CM0140 GATEWAY_NEEDS_ISTIO Error whole_mesh "a gateway Istio implements, in a mesh without Istio"
        rule "library policy: the guide's Migration Path; Istio's ingress gateway and its Gateway API controller only run where Istio is installed"
        why "Without Istio nothing programs an `istio: ingressgateway` deployment or a Gateway of class `istio.io/gateway-controller`: the edge objects would be applied and no request would ever get in. A Gateway API edge with another implementation (Envoy Gateway) works without a mesh, and is rendered."
        example "Mesh::builder().mode(MeshMode::None)… with Gateway::builder().runtime(GatewayRuntime::istio_ingress())…"
        fix "Run the edge on a Gateway API implementation that does not need Istio (GatewayClass::envoy_gateway), or render the mesh under Istio.";
    CM0149 GATEWAY_PLAINTEXT_TO_APP_TLS Warning whole_mesh "an edge without Istio routes to a service that serves TLS, with no BackendTLSPolicy"
        rule "Gateway API: a Gateway implementation speaks TLS to a backend only when a BackendTLSPolicy targets its Service; Envoy Gateway implements it"
        why "Without a mesh each service terminates TLS itself (app_tls). Envoy Gateway opens plain HTTP/2 toward a backend no BackendTLSPolicy names, the service expects a TLS handshake, and every request through the edge fails. connectum-mesh does not render BackendTLSPolicy yet."
        example "Mesh::builder().mode(MeshMode::None)… with an Envoy Gateway edge routing to a service with app_tls"
        fix "Add a BackendTLSPolicy (gateway.networking.k8s.io/v1) for each such Service with Manifests::add_extra, naming the CA that signed its certificate and its cluster hostname, then allow CM0149; or render the mesh under Istio.";
    CM0151 SAMPLING_OUT_OF_RANGE Error whole_mesh "tracing sampling is not a percentage"
        rule "Istio webhook / CRD: Telemetry tracing randomSamplingPercentage must be 0..100"
        why "Istio refuses the Telemetry resource, so the namespace loses tracing, metrics and access logs configuration at once."
        example "Tracing::builder().providers([\"otel-tracing\"]).sampling_percent(150.0).build()"
        fix "Use a value from 0 to 100 (100 samples every request).";
    CM0152 EMPTY_PROVIDER Error whole_mesh "a telemetry provider name is empty"
        rule "Istio webhook: Telemetry providers[].name must be non-empty"
        why "Istio refuses the Telemetry resource: no tracing, metrics or access logs are configured."
        example "Telemetry::builder().name(\"mesh-default\").metrics_providers([String::new()]).build()"
        fix "Name a provider defined in meshConfig extensionProviders (e.g. `prometheus`, `otel-tracing`), or remove the entry.";
    CM0153 TELEMETRY_WITHOUT_PROVIDERS Warning whole_mesh "a Telemetry resource names no provider"
        rule "IST0157 InvalidTelemetryProvider"
        why "A Telemetry with no providers only works when meshConfig has default providers; otherwise Istio ignores it and you get no traces, metrics or logs while believing you configured them."
        example "Telemetry::builder().name(\"mesh-default\").build()"
        fix "Name the providers for tracing, metrics or access logs, or remove the telemetry block.";
    CM0154 SEVERAL_TRACING_PROVIDERS Warning whole_mesh "tracing names more than one provider"
        rule "Istio webhook warning: multiple tracing providers are not currently supported"
        why "Istio accepts the resource but uses only one provider: traces silently stop reaching the others."
        example "Tracing::builder().providers([\"otel-tracing\", \"zipkin\"]).build()"
        fix "Name one tracing provider; fan out in the OpenTelemetry collector instead.";

    // ── 02xx routing ──────────────────────────────────────────────────────────────────────
    CM0201 UNDECLARED_SUBSET Error "a route targets a subset its service does not declare"
        rule "IST0101 ReferencedResourceNotFound (host+subset); Kiali KIA1107"
        why "Envoy has no cluster for the subset: every request the route sends there fails with 503, typically 10% of traffic for a canary leg or all of it for a default route."
        example "order.add_route(Route::builder().target(SubsetRef::unchecked(\"order-service\", \"canery\")).build());"
        fix "Use the handle `add_subset` returned, declare the subset on this service, or fix the name (the help suggests the closest).";
    CM0202 SPLIT_TOTAL Error whole_mesh "split weights do not add up to the mesh's split total"
        rule "library policy, stricter than Istio (Istio normalizes weights to weight / total)"
        why "A 90/5 split reads as 90% and 5% but Istio sends 94.7% and 5.3%: the canary gets a share nobody wrote down. Requiring the total makes the shares exactly what the numbers say."
        example "Split::new().weight(&stable, 90).weight(&canary, 5)"
        fix "Make the weights total the mesh's split total (100 by default), or set `split_total(1000)` for finer steps.";
    CM0203 SPLIT_ZERO_TOTAL Error "every weight of a split is zero"
        rule "Istio webhook: with several destinations the weights must total more than 0"
        why "Istio refuses the VirtualService, so none of the service's routes apply."
        example "Split::new().weight(&stable, 0).weight(&canary, 0)"
        fix "Give at least one leg a positive weight.";
    CM0204 EMPTY_SPLIT Error "a split has no destinations"
        rule "Istio webhook: an HTTP route needs at least one destination (\"HTTP route, redirect or direct_response is required\")"
        why "Istio refuses the VirtualService, so none of the service's routes apply."
        example "Route::builder().target(Split::new()).build()"
        fix "Add legs with `Split::weight`, or target one subset directly.";
    CM0205 SINGLE_LEG_WEIGHT Warning whole_mesh "a one-destination split has a weight other than the total"
        rule "Kiali KIA1104 (single destination weight < 100)"
        why "A single destination gets all traffic whatever its weight: a canary written as `canary 10` with nothing else sends 100% to the canary."
        example "Split::new().weight(&canary, 10)"
        fix "Add the other legs of the split, or target the subset directly.";
    CM0206 REPEATED_SPLIT_SUBSET Warning "a split names the same subset twice"
        rule "Kiali KIA1105 (repeated host+subset in a route)"
        why "The shares add up for that subset, so the split does not mean what its lines say; usually a copy-paste slip that left another subset without traffic."
        example "Split::new().weight(&stable, 50).weight(&stable, 50)"
        fix "Name each subset once, with the sum of its weights.";
    CM0207 UNREACHABLE_ROUTE Warning "a route can never match"
        rule "IST0130 VirtualServiceUnreachableRule (Istio webhook warning VS10)"
        why "Istio takes the first route that matches. A route after a catch-all, or whose every match repeats an earlier one, never receives a request: the header-based canary route you tested is silently dead."
        example "order.add_route(Route::builder().target(split).build()); order.add_route(Route::builder().matches([canary_header]).target(&canary).build());"
        fix "Move the catch-all route last, or remove the route that repeats an earlier one.";
    CM0208 DUPLICATE_MATCH Warning "a match repeats or is covered by an earlier one"
        rule "IST0131 VirtualServiceIneffectiveMatch (Istio webhook warning VS11)"
        why "The match can never select its route, because an earlier route already takes every request it describes; traffic you meant to steer goes elsewhere."
        example "routes: [x-canary = \"true\" → canary, (x-canary = \"true\" or uri prefix /admin) → admin]"
        fix "Remove the repeated match, or make it more specific than the earlier one, or reorder the routes.";
    CM0209 INVALID_HEADER_NAME Error "a header match names an invalid header"
        rule "Istio webhook: match header names are RFC 7230 tokens, HTTP/2 pseudo-headers or JWT claim keys"
        why "Istio refuses the VirtualService, so none of the service's routes apply."
        example "RequestMatch::header(HeaderMatch::exact(\"X Canary\", \"true\"))"
        fix "Use a header name made of letters, digits and `-` (e.g. `x-canary`), or a pseudo-header such as `:authority` (JWT claim keys are for gateways only, see CM0231).";
    CM0210 INVALID_MATCH_VALUE Error "a match value Istio refuses"
        rule "Istio webhook: a header prefix must not be empty; a regex is non-empty RE2 of at most 1024 characters (Envoy compiles it with RE2; this library reads it with RE2's grammar, proven on RE2's own syntax table)"
        why "Istio refuses the VirtualService, so none of the service's routes apply."
        example "HeaderMatch::prefix(\"x-canary\", \"\")"
        fix "Use a non-empty prefix, or an RE2 regex of 1 to 1024 characters that compiles; to match any value use regex `.*`.";
    CM0211 SUBSET_WITHOUT_PODS Error "a route sends traffic to a subset that runs no pods"
        rule "IST0173 DestinationRuleSubsetNotSelectPods; Kiali KIA0203"
        why "The subset's Deployment runs 0 replicas, so the traffic the route sends there fails with 503 (`UH`, no healthy upstream)."
        example "order.add_subset(Subset::builder().name(\"canary\").replicas(0).build()) with a split giving canary 10"
        fix "Give the subset at least one replica, or take it out of the routes (weight 0 in a split).";
    CM0212 SUBSETS_WITHOUT_ROUTES Warning "a service declares several subsets but no route"
        rule "library policy (Istio: a host without a VirtualService sends its traffic to all its endpoints)"
        why "Without routes no VirtualService is rendered, and the Service selects the pods of every subset by the app label alone, so requests are spread by pod count: a canary with 1 pod beside 3 stable ones silently takes 25% of the traffic before anyone decided to send it any."
        example "order.add_subset(Subset::builder().name(\"stable\").build()); order.add_subset(Subset::builder().name(\"canary\").replicas(1).build()); with no add_route"
        fix "Add a catch-all route to the primary subset (`order.add_route(Route::builder().target(&stable).build())`), then route to the other subsets on purpose with a split or a header match.";
    CM0213 NO_CATCH_ALL_ROUTE Warning "no route takes every request"
        rule "Istio HTTP route semantics: a request no route matches gets no route, a 404 (NR) from the sidecar (docs/istio-semantics.md)"
        why "Every route has matches, so a request that matches none (a client without the `x-canary` header, a method the uri matches forgot) is answered 404 by the caller's sidecar and never reaches the service."
        example "order.add_route(Route::builder().matches([RequestMatch::header(HeaderMatch::exact(\"x-canary\", \"true\"))]).target(&canary).build()); as the only route"
        fix "End the routes with one without matches (or whose match takes every request), e.g. to the primary subset.";
    CM0220 GATEWAY_UNKNOWN_SERVICE Error whole_mesh "a gateway route names a service the mesh does not declare"
        rule "Kiali KIA1101 (destination host not found); Gateway API: backendRef to a missing Service (ResolvedRefs false)"
        why "The gateway has nowhere to send the requests the route matches: every one of them fails (503, or 500 under Gateway API), and the call chains behind the edge go unchecked."
        example "GatewayRoute::builder().name(\"orders\").target(GatewayTarget::service(\"order-servce\"))"
        fix "Name a service declared in this mesh (the help suggests the closest), or add it to the mesh's `services`.";
    CM0221 GATEWAY_UNDECLARED_SUBSET Error "a gateway route names a subset its service does not declare"
        rule "IST0101 ReferencedResourceNotFound (subset not in any DestinationRule); Kiali KIA1107"
        why "Istio's gateway finds no cluster for the subset and answers 503 for every request the route takes."
        example "GatewayRoute::builder().target(SubsetRef::unchecked(\"order-service\", \"canary\")) with no canary subset"
        fix "Use the handle `add_subset` returns, or declare the subset on the service.";
    CM0222 GATEWAY_UNKNOWN_PORT Error "a gateway route targets a port its service does not have"
        rule "Gateway API: backendRef port must be a port of the Service (ResolvedRefs false); Istio: destination port not found (503)"
        why "The Service has no such port: the gateway's requests are refused or go nowhere."
        example "GatewayRoute::builder().target(GatewayTarget::service(\"order-service\")).port(8080) where order-service listens on 5000"
        fix "Leave the port unset (the service's port is used) or use the service's port.";
    CM0223 GATEWAY_HOST_CONFLICT Error "two gateways or listeners claim one host and port"
        rule "IST0109 ConflictingMeshGatewayVirtualServiceHosts / IST0145 ConflictingGateways; Gateway API: listener hostname/port conflicts (Conflicted condition)"
        why "Two listeners for one host on one port cannot both receive its requests: Istio picks one of the servers and Gateway API marks the listeners Conflicted, so which routes answer depends on creation order."
        example "two gateways both listening for api.example.com on port 443"
        fix "Use one listener per host and port (bind more routes to it), or give the listeners different hosts or ports.";
    CM0224 GATEWAY_UNKNOWN_LISTENER Error "a gateway route binds to a listener its gateway does not declare"
        rule "Gateway API: parentRef sectionName must name a listener (Accepted false, NoMatchingParent)"
        why "The route attaches to nothing and no request reaches it."
        example "GatewayRoute::builder().listeners([\"grcp\"]) where the listener is grpc"
        fix "Name a listener of the gateway (the help suggests the closest), or leave `listeners` empty to bind to all.";
    CM0225 GATEWAY_MIXED_MATCHES Error "a gateway route mixes gRPC and HTTP path matches"
        rule "Gateway API: a GRPCRoute matches gRPC methods, an HTTPRoute paths; one route becomes one of them"
        why "A route becomes one GRPCRoute or one HTTPRoute; it cannot hold both kinds of match, and splitting it silently would change its order and its timeouts."
        example "matches: [GatewayMatch::grpc_service(\"mycompany.orders.v1.OrderService\"), GatewayMatch::path_prefix(\"/v1/orders\")]"
        fix "Split it into a gRPC route and an HTTP route.";
    CM0226 EDGE_SETTING_NOT_RENDERABLE Error "the gateway's rendering cannot carry a setting of a route"
        rule "Gateway API v1.6 standard channel: GRPCRoute has no timeouts or retries, HTTPRoute timeouts only, backendRefs name Services (no subsets), header matches are Exact or RegularExpression; Envoy Gateway's retry triggers"
        why "Dropping the setting silently would emit a gateway that behaves differently from the mesh described: no timeout at the edge, retries the budget did not count, or all pods instead of one subset."
        example "a GRPCRoute with timeout(30s) on GatewayClass::istio()"
        fix "Render the gateway where the setting exists (an Istio ingress gateway, or Envoy Gateway whose BackendTrafficPolicy carries timeouts and retries), or remove the setting; for subsets, route the gateway to the service and split in the service's routes.";
    CM0230 URI_WITHOUT_LEADING_SLASH Error "a uri prefix or exact match without its leading /"
        rule "gRPC over HTTP/2: every request path is `/package.Service/Method` (Istio accepts the match, it just never holds)"
        why "A gRPC request's `:path` always starts with `/`, so `prefix: order.v1.OrderService/` never matches: the canary or admin route behind it is dead, and its traffic silently goes to the next route."
        example "RequestMatch::builder().uri(StringMatch::Prefix(\"order.v1.OrderService/\".into())).build()"
        fix "Start the value with `/`, e.g. `/order.v1.OrderService/`.";
    CM0231 GATEWAY_ONLY_HEADER Error "a JWT-claim header match in a mesh VirtualService"
        rule "Istio webhook: `@request.auth.claims.*` header matches are only supported on gateways (\"only supported in gateway\")"
        why "The services' VirtualServices are bound to the mesh, not to a gateway: Istio's webhook refuses the whole VirtualService, so none of the service's routes, retries or splits apply."
        example "RequestMatch::header(HeaderMatch::exact(\"@request.auth.claims.group\", \"beta\"))"
        fix "Match the claim at the gateway and forward it as a plain header (e.g. `x-user-group`), then match that header on the service's route.";
    CM0232 DUPLICATE_ROUTE_NAME Error "two routes of a service share a name"
        rule "Istio: route names label Envoy's per-route stats; library policy: diagnostics and `mesh!` name routes"
        why "Two routes with one name make per-route metrics and access logs add up two routes, and diagnostics ambiguous: the route you look at is not the route that served the traffic."
        example "order.add_route(Route::builder().name(\"primary\").target(&stable).build()); order.add_route(Route::builder().name(\"primary\").target(&canary).build());"
        fix "Give each route its own name.";

    // ── 03xx resilience ───────────────────────────────────────────────────────────────────
    CM0301 RETRY_AMPLIFICATION Error whole_mesh "retries along a call chain exceed the retry budget"
        rule "library policy, stricter than Istio (Istio does not bound retry products)"
        why "Each hop multiplies: the mesh makes 1 + attempts tries (2 retries when a route sets none) and the app's retry interceptor makes 1 + maxRetries calls per try. When a dependency fails, one request becomes the product of these along the chain: a retry storm that keeps a struggling service down."
        example "mesh retries attempts 3 with Connectum retry maxRetries 2: (1+3) × (1+2) = 12 calls > budget 10"
        fix "Lower mesh retries to 0 or 1 where the app retries (the Connectum docs' advice), lower maxRetries, or raise the budget for that chain with `ChainBudget::new([\"envoy-gateway\", \"order-service\"], RetryBudget::calls(12))` if the load is acceptable.";
    CM0302 TRIES_OUTLAST_TIMEOUT Warning "per-try timeouts of all tries exceed the route timeout"
        rule "library policy, stricter than Istio (perTryTimeout × (attempts + 1) ≤ timeout)"
        why "The route timeout bounds all tries together, so the last retries can never run to their per-try timeout: the retries you configured are partly fiction and the caller sees a timeout while the mesh is still retrying."
        example "timeout 30s, retries attempts 3, perTryTimeout 10s: 4 × 10s = 40s > 30s"
        fix "Raise the route timeout to at least perTryTimeout × (attempts + 1), or lower attempts or perTryTimeout.";
    CM0303 RETRY_POLICY_WITHOUT_ATTEMPTS Error "a retry policy with 0 attempts"
        rule "Istio webhook: \"retry policy configured when attempts are set to 0\""
        why "Istio refuses a retries block that sets perTryTimeout or retryOn with attempts 0, so the whole VirtualService fails to apply."
        example "MeshRetry::builder().attempts(0).per_try_timeout(Duration::from_secs(2)).build()"
        fix "Use `MeshRetry::disabled()` to turn retries off, or set attempts of at least 1.";
    CM0304 CALLER_TIMEOUT_TOO_SHORT Warning whole_mesh "a caller gives up before what it calls can finish"
        rule "library policy (timeout coherence along call chains)"
        why "When the callee's worst case (its route timeout, or its tries) is longer than the caller's own timeout, the caller fails with DeadlineExceeded while the callee keeps working and retrying: wasted work and load exactly when the callee is slow."
        example "order-service (Connectum timeout 10s) calls inventory-service (route timeout 30s)"
        fix "Make the callee's route timeout shorter than the caller's timeout, or raise the caller's timeout.";
    CM0305 APP_TIMEOUT_EXCEEDS_MESH Warning "the app's timeout is longer than the mesh's"
        rule "library policy (timeout coherence between Connectum and Istio)"
        why "The mesh abandons each try after its per-try timeout (or the route timeout), so Connectum's timeout never fires: clients get Envoy's 504/DeadlineExceeded and the app keeps working on an abandoned request, while the mesh retries it in parallel."
        example "Connectum timeout 40s on a route with perTryTimeout 10s"
        fix "Set Connectum's timeout at or below the mesh's per-try timeout (or the route timeout when there is none).";
    CM0306 OUTLIER_PERCENT_OUT_OF_RANGE Error "an outlier-detection percentage is outside 0..100"
        rule "Istio webhook: outlierDetection maxEjectionPercent and minHealthPercent are 0..100"
        why "Istio refuses the DestinationRule: subsets and every traffic policy of the service are gone, so canary routes fail with 503."
        example "OutlierDetection::builder().max_ejection_percent(150).build()"
        fix "Use a percentage from 0 to 100.";
    CM0307 EMPTY_CONNECTION_POOL Error "a connection pool sets neither tcp nor http"
        rule "Istio webhook: connectionPool must set http or tcp"
        why "Istio refuses the DestinationRule: subsets and every traffic policy of the service are gone."
        example "TrafficPolicy::builder().connection_pool(ConnectionPool::default()).build()"
        fix "Set `tcp` or `http` limits, or remove the connection pool.";
    CM0308 INTERCEPTOR_OUT_OF_RANGE Error "a Connectum interceptor option is out of range"
        rule "Connectum interceptor factories (circuitBreaker threshold ≥ 1, bulkhead capacity ≥ 1)"
        why "Connectum's factory throws when the server starts: the pod crash-loops and the service is down."
        example "Bulkhead::builder().capacity(0).build()"
        fix "Use a circuit-breaker threshold and a bulkhead capacity of at least 1.";
    CM0309 INVALID_RETRY_STATUS Error "retryOn names an HTTP status Istio does not know"
        rule "Istio webhook: retryOn status codes must be known HTTP status codes"
        why "Istio refuses the VirtualService, so none of the service's routes apply."
        example "MeshRetry::builder().attempts(1).retry_on([RetryOn::Status(42)]).build()"
        fix "Use a known status code such as 503, or a named condition such as `unavailable`.";
    CM0310 CALL_CYCLE Error "services call each other in a cycle"
        rule "library policy (the retry budget needs finite call chains)"
        why "In a cycle each service's retries multiply the others' without bound: one failing request can loop and amplify until timeouts cut it, and no retry budget can be computed."
        example "order-service calls inventory-service, inventory-service calls order-service"
        fix "Break the cycle (remove one of the calls), or describe it as two separate services.";
    CM0311 UNKNOWN_CHAIN_BUDGET Warning whole_mesh "a chain budget names no call chain"
        rule "library policy"
        why "A budget for a chain that does not exist has no effect: the real chain is checked against the mesh budget, and the override you meant to grant (or the limit you meant to impose) is lost."
        example "ChainBudget::new([\"envoy-gateway\", \"ordr-service\"], RetryBudget::calls(20))"
        fix "Name a call chain from its start (an external caller or a service nobody calls) to its end, as the diagnostics of CM0301 print it.";
    CM0312 RETRY_ON_SUCCESS_STATUS Warning "retryOn names a success or informational HTTP status"
        rule "library policy (gRPC over HTTP/2 answers every call with HTTP 200 and carries errors in the grpc-status trailer)"
        why "Envoy retries on the HTTP status, and a gRPC server answers every call with 200, failed or not: retrying on 200 sends every call, successful ones included, 1 + attempts times, a permanent retry storm. A 1xx, other 2xx or 3xx status never marks a failed gRPC call, so that condition means nothing."
        example "MeshRetry::builder().attempts(2).retry_on([RetryOn::Status(200)]).build()"
        fix "Retry on gRPC conditions such as `unavailable`, or on a failure status such as 503.";
    CM0320 EDGE_TIMEOUT_TOO_SHORT Warning whole_mesh "a gateway gives up before the chain behind it does"
        rule "library policy, stricter than Istio: the edge's per-try timeout (or route timeout) ≥ the worst case of the service behind it"
        why "The gateway abandons the request (and retries it) while the service, and every call it made, is still working: the client sees a timeout, the service does the work twice, and the retries arrive exactly when it is slow."
        example "a gateway route per-try timeout 5s to order-service whose Connectum timeout is 10s"
        fix "Give the gateway route a per-try timeout (and route timeout) at least the service's worst case, or lower the service's timeout.";
    CM0360 NO_DEADLINE Warning "a route with neither a timeout nor a per-try timeout"
        rule "Istio: HTTP route timeouts are disabled by default (Envoy's 15s default is turned off), so without `timeout` or `perTryTimeout` nothing bounds a call"
        why "A call to a stuck pod waits for ever: the caller's threads, connections and bulkhead slots fill up and the failure spreads up the call chain instead of failing fast."
        example "order.add_route(Route::builder().target(&stable).build()) (no timeout, no retries)"
        fix "Set the route's `timeout` (e.g. 30s), or a `per_try_timeout` on its retries.";
    CM0361 RETRY_ON_MISSES_GRPC Warning "retryOn names HTTP failures but no gRPC status"
        rule "Envoy x-envoy-retry-grpc-on: gRPC errors arrive as HTTP 200 with a grpc-status trailer, so `5xx`, `gateway-error` and HTTP status codes never see them"
        why "`retryOn: 5xx` reads like it covers failures, but a gRPC server answers UNAVAILABLE or DEADLINE_EXCEEDED with HTTP 200: only transport failures (a dead connection) are retried, never the errors the policy was written for."
        example "MeshRetry::builder().attempts(2).retry_on([RetryOn::FiveXx]).build()"
        fix "Add the gRPC conditions: `unavailable` (and `deadline-exceeded`, `resource-exhausted`, `cancelled` where retrying is safe).";
    CM0362 HASH_WITH_SPLIT Warning "consistent-hash load balancing with a weighted split"
        rule "Istio: the route picks the subset per request before the DestinationRule's hash picks the pod (docs: consistent hashing is only best effort across weighted destinations)"
        why "A session affinity key is hashed within a subset, but the split sends each request of the session to stable or canary at random: the same user jumps between versions and between pods, so the affinity you configured does not hold."
        example "TrafficPolicy::builder().load_balancer(LoadBalancer::ConsistentHash(HashKey::Header(\"x-user\".into()))).build() with a 90/10 split"
        fix "Split by a header match on the same key instead of weights, or drop consistent hashing while the split runs.";
    CM0363 EJECTION_OF_EVERY_POD Warning "outlier detection may eject every pod of a small service"
        rule "Istio outlierDetection: maxEjectionPercent 100 lets Envoy eject all hosts; Envoy's panic threshold then routes to all of them anyway"
        why "With fewer than 3 pods and maxEjectionPercent 100, one burst of errors ejects every pod: the service answers 503 (no healthy upstream) until the ejection time passes, a full outage caused by the protection."
        example "OutlierDetection::builder().max_ejection_percent(100).build() on a service with 2 replicas"
        fix "Keep max_ejection_percent at or below 50 for small services, or run at least 3 replicas.";

    // ── 04xx security ─────────────────────────────────────────────────────────────────────
    CM0401 UNDECLARED_PRINCIPAL Error whole_mesh "an allow rule names a service account nobody declares"
        rule "Kiali KIA0106 (principal not found)"
        why "Istio does not check principals: a rule naming an account no workload runs as admits nobody, so the caller you meant to admit gets 403 RBAC: access denied."
        example "AllowRule::service_account(ServiceAccountRef::new(\"connectum\", \"envoy-gateway\")) with no ExternalCaller running as connectum/envoy-gateway"
        fix "Declare the caller with `ExternalCaller` (its service account), name the account a service of the mesh runs as, or fix the name (the help suggests the closest).";
    CM0402 UNDECLARED_NAMESPACE Error whole_mesh "an allow rule names an undeclared namespace"
        rule "IST0101 ReferencedResourceNotFound (AuthorizationPolicy source namespaces); Kiali KIA0101"
        why "A namespace that does not exist admits nobody: the callers you meant to admit get 403, usually because of a typo."
        example "AllowRule::namespace(\"conectum\")"
        fix "Use the mesh's namespace or an external caller's, or add the namespace to `known_namespaces` (the help suggests the closest).";
    CM0403 STRICT_WITHOUT_INJECTION Error whole_mesh "STRICT mTLS while sidecar injection is off"
        rule "IST0102 NamespaceNotInjected with a STRICT PeerAuthentication; Kiali KIA0105"
        why "Without sidecars nothing enforces STRICT, AuthorizationPolicies or routes for these pods, while meshed callers elsewhere expect mTLS: the security you declared is not there."
        example "Mesh::builder().namespace(\"connectum\").sidecar_injection(false).mtls(MtlsMode::Strict).build()"
        fix "Turn sidecar injection on (the default), or use PERMISSIVE while migrating.";
    CM0404 APP_TLS_UNDER_MTLS Warning whole_mesh "application TLS under Istio mTLS"
        rule "Connectum docs migration advice (remove createServer tls under Istio); Istio protocol selection"
        why "Traffic is encrypted twice, and the sidecar, told by the `grpc` port name to expect plain HTTP/2, sees TLS bytes it cannot route: gRPC calls fail or bypass HTTP routing, retries and metrics."
        example "Service::builder().name(\"order-service\").app_tls(AppTls::builder().dir_path(\"/etc/tls\").build())"
        fix "Remove `app_tls` (and createServer's `tls`): the sidecar does mTLS.";
    CM0405 AUTHORIZATION_WITHOUT_MTLS Error whole_mesh "allow rules on a service without mTLS"
        rule "Kiali KIA0105 (principals and namespaces need mTLS)"
        why "Allow rules match principals and namespaces, which only mTLS provides. With mTLS disabled no request has a peer identity, so the ALLOW policy denies every request: the service is down."
        example "Service::builder().mtls_override(MtlsMode::Disable).allow([AllowRule::namespace(\"connectum\")])"
        fix "Keep mTLS (STRICT or PERMISSIVE) for services with allow rules, or remove the allow rules.";
    CM0406 CALLER_NOT_ALLOWED Error whole_mesh "a declared caller is not admitted by the callee's allow rules"
        rule "library policy (Istio evaluates the AuthorizationPolicy at runtime)"
        why "The model says the caller calls the service, but no allow rule admits its service account or namespace: every such call is denied with 403 RBAC: access denied."
        example "ExternalCaller envoy-gateway (sa gateway/envoy) calls order-service, whose only allow rule is namespace connectum"
        fix "Add an allow rule for the caller's service account (or namespace), or remove the call.";
    CM0407 EMPTY_ALLOW_RULE Error whole_mesh "an allow rule names no source"
        rule "Istio webhook: AuthorizationPolicy `from: []` is rejected"
        why "An allow rule with no source is either refused by Istio (`from: []`) or read as `allow everyone`; both differ from anything written on purpose."
        example "AllowRule::default()"
        fix "Name the sources (service accounts or namespaces) the rule admits.";
    CM0408 NAMESPACE_NOT_INJECTED Warning whole_mesh "sidecar injection is off"
        rule "IST0102 NamespaceNotInjected"
        why "Without sidecars the VirtualServices, DestinationRules, AuthorizationPolicies and Telemetry of this mesh do nothing for its pods: routes, retries, canary splits and access control are all off."
        example "Mesh::builder().namespace(\"connectum\").sidecar_injection(false).mtls(MtlsMode::Permissive).build()"
        fix "Turn sidecar injection on (the default).";
    CM0409 PERMISSIVE_WITH_IDENTITY_RULES Warning whole_mesh "PERMISSIVE mTLS with allow rules only mTLS callers can pass"
        rule "Istio AuthorizationPolicy: `principals` and `namespaces` are taken from the peer certificate, so they match only mTLS requests; related to Kiali KIA0105 (principals and namespaces need mTLS)"
        why "PERMISSIVE admits plain-text callers, but every allow rule of the service names principals or namespaces, which plain-text requests do not carry: those callers are refused with 403 anyway. The PERMISSIVE mode buys nothing and suggests a migration path that does not work (CM0405 covers DISABLE, where nobody gets in)."
        example "Service::builder().mtls_override(MtlsMode::Permissive).allow([AllowRule::namespace(\"connectum\")])"
        fix "Use STRICT for the service (remove the PERMISSIVE override where the namespace is STRICT); if plain-text callers really must reach it, the allow rules cannot admit them and have to go.";
    CM0420 GATEWAY_NOT_ADMITTED Error whole_mesh "a gateway routes to a service that refuses it"
        rule "Istio AuthorizationPolicy and PeerAuthentication semantics: a caller without a mesh identity is refused by STRICT mTLS and by principal rules (403 / connection reset)"
        why "The gateway's proxies are outside the mesh (Envoy Gateway's are, unless meshed): they call without an Istio certificate, so a STRICT workload resets the connection and allow rules, which match principals, answer 403. Every request from outside fails."
        example "GatewayClass::envoy_gateway(\"eg\") without a service_account, routing to a service under STRICT mTLS"
        fix "Mesh the gateway's proxies and set the gateway's service_account (its principal is then admitted), or use PERMISSIVE mTLS without allow rules for that service.";
    CM0421 TLS_LISTENER_WITHOUT_CREDENTIAL Error whole_mesh "an HTTPS listener names no credential"
        rule "Istio webhook: a SIMPLE TLS server needs credentialName (or certificate files); Gateway API CRD: an HTTPS listener with mode Terminate needs certificateRefs (CEL)"
        why "The API server refuses the Gateway, or the gateway has no certificate to terminate TLS with and the listener never serves."
        example "Listener::builder().name(\"https\").port(443).protocol(ListenerProtocol::Https).build()"
        fix "Name the TLS Secret: `.tls_credential(\"gateway-tls-cert\")` (its data stays out of the manifests).";
    CM0422 CLIENT_TLS_CONFLICTS_WITH_MTLS Error whole_mesh "the client TLS mode toward a service contradicts its mTLS mode"
        rule "Istio: DestinationRule tls mode vs PeerAuthentication (istioctl analyze IST0113-like; Kiali KIA0501 DestinationRule disabling mTLS for a STRICT workload)"
        why "`DISABLE` toward a STRICT workload sends plain text it resets; `ISTIO_MUTUAL` toward a DISABLE workload sends mTLS it cannot read; `SIMPLE` toward a mesh workload expects a server certificate the plain-text app does not have. Every call fails at the connection."
        example "TrafficPolicy::builder().tls(ClientTls::Disable) on a service under STRICT mTLS"
        fix "Leave `tls` unset (Istio's auto mTLS follows the workload), or make it match the service's mTLS mode; use SIMPLE only for hosts outside the mesh.";
    CM0441 APP_TLS_REQUIRED_WITHOUT_MESH Error whole_mesh "no application TLS in a mesh without Istio"
        rule "library policy: the guide's Migration Path starts without a mesh with TLS in createServer; under Istio the same setting is CM0404"
        why "Without sidecars nothing encrypts pod-to-pod traffic: gRPC calls, their metadata and tokens cross the network in plain text."
        example "Mesh::builder().namespace(\"shop\").mode(MeshMode::None).build() with a service that sets no app_tls"
        fix "Set the service's app_tls (its Secret is mounted at dir_path and TLS_DIR_PATH points there), or run the mesh under Istio.";
    CM0460 OPEN_TO_MESH Warning whole_mesh "a service is open to every workload in the mesh"
        rule "Istio: a workload with no ALLOW AuthorizationPolicy admits every request; Kiali/istioctl report no such gap"
        why "The service has no allow rules and no declared caller, so no AuthorizationPolicy can be derived for it: any compromised or misconfigured workload in the mesh can call it."
        example "Service::builder().name(\"payment-service\")… with no allow rules, called by no service or external caller"
        fix "Declare who calls it (a service's `calls`, an `ExternalCaller`), write allow rules, or turn on the namespace-wide allow-nothing policy (`deny_by_default`).";
    CM0461 CALLERS_DENIED_BY_DEFAULT Error whole_mesh "the namespace's allow-nothing policy refuses a service's declared callers"
        rule "Istio: with an ALLOW policy on a workload (the namespace-wide allow-nothing), a request matching no ALLOW rule is denied (RBAC: access denied, HTTP 403)"
        why "With `deny_by_default` only a service's own ALLOW policy admits anyone. A service with declared callers but no allow rules gets that policy derived from its callers' principals only under STRICT mTLS with sidecars; otherwise it has none, and every declared caller is refused."
        example "Mesh::builder().namespace(\"shop\").deny_by_default(true).mtls(MtlsMode::Permissive).build() with cart calling stock"
        fix "Write allow rules for the service (`AllowRule::namespace(..)`), or make its mTLS STRICT so its callers' principals can be admitted.";

    // ── 05xx Kubernetes wiring ────────────────────────────────────────────────────────────
    CM0501 INVALID_NAME Error "a name Kubernetes or Istio refuses"
        rule "Kubernetes name validation (DNS-1123 label / subdomain, DNS-1035 label for Services); Istio DNS-1123 subset names"
        why "The API server refuses the object, so `kubectl apply` fails part-way and the mesh is left half applied."
        example "Service::builder().name(\"Order_Service\")"
        fix "Use lower-case letters, digits and `-`, starting with a letter (Services) or alphanumeric, at most 63 characters.";
    CM0502 INVALID_LABEL Error "a label key or value Kubernetes refuses"
        rule "Kubernetes label syntax; Istio label selector grammar"
        why "The API server refuses every object carrying the label: apply fails and the selectors built from it match nothing."
        example "Subset::builder().name(\"canary\").version_label(\"1.1.0 rc1\").build()"
        fix "Label keys are `[prefix/]name`; names and values are at most 63 characters of letters, digits, `-`, `_` and `.`, starting and ending alphanumeric.";
    CM0503 LABEL_KEY_CONFLICT Error whole_mesh "the app and version label keys clash"
        rule "IST0173 DestinationRuleSubsetNotSelectPods (the subset label is overwritten on the pods)"
        why "When the app label and the subset (version) label are the same key, or the version label is one the renderer also writes (`app.kubernetes.io/version`, `…/component`, `…/part-of`), one value overwrites the other on the pods: Services or subsets select no pods and traffic fails with 503."
        example "Mesh::builder().namespace(\"connectum\").version_label(\"app.kubernetes.io/version\").build()"
        fix "Use distinct keys, e.g. `app.kubernetes.io/name` for the app and `version` for subsets.";
    CM0504 INJECTION_LABEL_CONFLICT Warning whole_mesh "namespace labels fight over sidecar injection"
        rule "IST0123 NamespaceMultipleInjectionLabels"
        why "The mesh writes `istio-injection` from `sidecar_injection`; an explicit `istio-injection`, `istio.io/rev` or `istio.io/dataplane-mode` label in `namespace_labels` contradicts or duplicates it, and which one the injector follows is not what either line says."
        example "namespace_labels: {\"istio.io/rev\": \"canary\"} with sidecar_injection(true)"
        fix "Drop injection labels from `namespace_labels` and use `sidecar_injection`.";
    CM0505 INVALID_PORT Error "the service port is 0"
        rule "Kubernetes: ports are 1..65535; Istio ValidatePort"
        why "The API server refuses the Service and the Deployment."
        example "Service::builder().name(\"order-service\").port(0)"
        fix "Use Connectum's port 5000 or another port from 1 to 65535.";
    CM0506 PORT_RESERVED_BY_ISTIO Error "the service port is one the Istio sidecar uses"
        rule "Istio \"Ports used by Istio\" (15000-15090 in the pod's network namespace)"
        why "The app and the sidecar share the pod's network: on a port Envoy binds (15001, 15006, 15021, 15090 …) one of them fails to bind, or traffic loops through the proxy; the pod never becomes ready."
        example "Service::builder().name(\"order-service\").port(15021)"
        fix "Use another port, e.g. Connectum's default 5000.";
    CM0507 AUTOSCALER_RANGE Error "autoscaler bounds Kubernetes refuses"
        rule "Kubernetes HPA validation: minReplicas ≥ 1, maxReplicas ≥ minReplicas, target utilization > 0, scaling policies with pods ≥ 1, periodSeconds 1..1800, stabilizationWindowSeconds ≤ 3600"
        why "The API server refuses the HorizontalPodAutoscaler, and the Deployment, which leaves replicas to it, stays at one pod under any load."
        example "Autoscaler::builder().min_replicas(5).max_replicas(2).build()"
        fix "Use 1 ≤ min_replicas ≤ max_replicas, utilization targets above 0, and scaling rules of at least 1 pod per 1 to 1800 seconds with a window of at most 3600 seconds.";
    CM0508 AUTOSCALER_WITH_REPLICAS Error "an autoscaler and fixed replicas on one workload"
        rule "Kubernetes: an HPA owns the replicas of the Deployment it scales"
        why "The primary workload is scaled by the HPA, so the fixed replicas of its subset are ignored; if they were rendered, every apply would reset the HPA's count and the pods would flap."
        example "Scaling::Autoscale(…) with order.add_subset(Subset::builder().name(\"stable\").replicas(3).build()) as the first subset"
        fix "Remove the primary subset's `replicas`, or use fixed `Scaling::Replicas` instead of the autoscaler.";
    CM0509 PROXY_UID Error "the app runs as UID 1337"
        rule "IST0144 InvalidApplicationUID"
        why "UID 1337 is the Istio proxy's: iptables lets its traffic bypass the sidecar, so the app's outbound calls skip mTLS, routing and retries and are refused by STRICT services."
        example "PodSecurity::builder().run_as_user(1337).build()"
        fix "Run the app as another UID (the default is 1000).";
    CM0510 INVALID_SECURITY_CONTEXT Error "a pod security context that cannot start"
        rule "Kubernetes: runAsNonRoot forbids UID 0; IDs are ≥ 0"
        why "The kubelet refuses to start a container that must run as non-root with UID 0 (CreateContainerConfigError), and the API server refuses negative IDs: no pod runs."
        example "PodSecurity::builder().run_as_user(0).build() (run_as_non_root defaults to true)"
        fix "Use a non-zero, non-negative UID (default 1000), or turn `run_as_non_root` off if root is really needed.";
    CM0511 GRACE_PERIOD_TOO_SHORT Error whole_mesh "the termination grace period ends before the app has drained"
        rule "Kubernetes termination lifecycle; Connectum graceful shutdown (terminationGracePeriodSeconds ≥ preStop + shutdown.timeout)"
        why "Kubernetes kills the pod when the grace period ends, wherever the shutdown is: the requests Connectum is still draining are cut off on every rollout, scale-down and node drain. The message says how many seconds short the grace period is."
        example "GracefulShutdown::builder().termination_grace_period(Duration::from_secs(20)).build() (preStop 5s + timeout 30s = 35s)"
        fix "Set the grace period to at least preStop + shutdown timeout (plus a margin), or leave it unset to derive it from the timeline.";
    CM0512 PROBE_ENDPOINT Error "a probe path Connectum does not serve"
        rule "Connectum healthcheck: HTTP endpoints are /healthz, /health and /readyz"
        why "Connectum answers 404 on any other path: the probe never succeeds, so the pod is never ready (readiness) or is restarted forever (liveness, startup)."
        example "Probe::builder().path(\"/ready\").period_seconds(10).build()"
        fix "Use `/healthz`, `/health` or `/readyz` (they behave alike; the help suggests the closest).";
    CM0513 PROBE_VALUES Error "probe timing Kubernetes refuses"
        rule "Kubernetes probe validation: periodSeconds, timeoutSeconds and failureThreshold ≥ 1"
        why "The API server refuses the Deployment."
        example "Probe::builder().path(\"/healthz\").period_seconds(0).build()"
        fix "Use values of at least 1.";
    CM0514 EMPTY_IMAGE Error "a workload without a container image"
        rule "Kubernetes: containers[].image is required"
        why "The API server refuses the Deployment (or the pod cannot pull), so the service or subset never runs."
        example "Service::builder().name(\"order-service\").image(\"\")"
        fix "Name the image, e.g. `ghcr.io/mycompany/order-service:1.0.0`.";
    CM0515 ROLLOUT_STUCK Error "a rollout that can neither add nor remove a pod"
        rule "Kubernetes Deployment validation: maxUnavailable and maxSurge may not both be 0"
        why "The API server refuses the Deployment: such a rolling update could never make progress."
        example "Rollout::builder().max_unavailable(0).max_surge(0).build()"
        fix "Allow at least one surge pod (max_surge 1) or one unavailable pod.";
    CM0516 INVALID_RESOURCES Error "resource requests and limits Kubernetes refuses"
        rule "Kubernetes container validation: quantities are non-negative and a request is at most its limit"
        why "The API server refuses the Deployment (or, for the sidecar annotations, the pod), so no pod of the service starts."
        example "Resources::builder().cpu_request(Quantity::cores(1)).cpu_limit(Quantity::millicores(500)).build()"
        fix "Make each request at most its limit, and no quantity negative.";
    CM0517 AUTOSCALER_WITHOUT_REQUEST Warning "an autoscaler targets a resource with no request"
        rule "Kubernetes HPA: utilization is a percentage of the pods' requests"
        why "Without a CPU (or memory) request the HPA cannot compute utilization (`missing request for cpu`) and never scales: the service stays at min_replicas under any load."
        example "Scaling::Autoscale(Autoscaler::builder().min_replicas(2).max_replicas(10).cpu_utilization(70).build()) with no resources"
        fix "Set the matching request in the service's resources (e.g. cpu_request 100m).";
    CM0518 INVALID_CONFIG_KEY Error "a config key a ConfigMap cannot hold"
        rule "Kubernetes ConfigMap validation: keys are 1..253 characters of letters, digits, `-`, `_` and `.`"
        why "The API server refuses the ConfigMap; the Deployment's envFrom then names a ConfigMap that does not exist and its pods never start (CreateContainerConfigError)."
        example "Service::builder().name(\"order-service\").config(BTreeMap::from([(\"LOG LEVEL\".into(), \"info\".into())]))"
        fix "Use keys of letters, digits, `-`, `_` and `.`, e.g. `LOG_LEVEL`.";
    CM0519 PORT_CONFIG_MISMATCH Error "config sets PORT to another port than the service's"
        rule "Connectum createServer listens on the PORT environment variable (default 5000); the container port, the Service's targetPort and the probes use the service's port"
        why "Connectum listens on the config's PORT while Kubernetes sends traffic and probes to the service's port, where nothing answers: the pods never become ready and the service has no endpoints. (Without a PORT entry the renderer sets PORT from the port, so only a contradicting entry is a problem.)"
        example "Service::builder().name(\"order-service\").port(8080).config(BTreeMap::from([(\"PORT\".into(), \"5000\".into())]))"
        fix "Remove PORT from config (it follows the port), or make it equal the service's port.";
    CM0520 INVALID_GATEWAY_FIELD Error "a gateway name, listener, hostname, port or credential Kubernetes refuses"
        rule "Gateway API CRD patterns (SectionName, Hostname, PortNumber 1..65535); Kubernetes object names (DNS-1123)"
        why "The API server refuses the Gateway or the route, and no request gets in."
        example "Listener::builder().name(\"gRPC\").hostname(\"API.example.com\").port(0)"
        fix "Use lower-case DNS names (a hostname may start with `*.`), ports 1 to 65535.";
    CM0530 APP_SETTING_CONFLICT Error "config contradicts a Connectum setting the mesh models"
        rule "library policy: the ConfigMap carries GRACEFUL_SHUTDOWN_TIMEOUT_MS and CONNECTUM_INTERCEPTORS rendered from shutdown.timeout and interceptors"
        why "The app would run with other settings than the ones checked: a shutdown timeout longer than the grace period Kubernetes derived from the model (pods killed mid-drain), or retries the retry budget never counted."
        example "Service::builder().name(\"order-service\").config(BTreeMap::from([(\"GRACEFUL_SHUTDOWN_TIMEOUT_MS\".into(), \"60000\".into())])) with shutdown.timeout 30s"
        fix "Remove the entry from config (it is rendered from the model), or change the modelled setting (shutdown.timeout, interceptors).";
    CM0550 PROXY_EXITS_BEFORE_APP Error whole_mesh "the proxy exits while the app still drains"
        rule "Istio ProxyConfig terminationDrainDuration (default 5s) with classic sidecars: pilot-agent drains for that long after SIGTERM, then stops Envoy; library policy: the proxy must outlast the app's drain"
        why "With classic sidecars the proxy gets SIGTERM when the pod starts terminating, while the app first sleeps in preStop and then drains for up to its shutdown timeout. When the proxy's drain ends first, every call the draining app makes to another service fails for the rest of its drain: the requests it is finishing fail after all."
        example "GracefulShutdown::builder().proxy_drain(Duration::from_secs(5)).build() (preStop 5s + timeout 30s: calls out fail from 5s to 35s)"
        fix "Leave `proxy_drain` unset (it is derived as preStop + shutdown timeout), set it to at least that, or run native sidecars (`Mesh::sidecars(SidecarMode::Native)`), which Kubernetes stops after the app.";
    CM0551 APP_STARTS_BEFORE_PROXY Warning whole_mesh "the app can call out before its proxy is ready"
        rule "Istio ProxyConfig holdApplicationUntilProxyStarts (default false in Istio); native sidecars start first"
        why "Without it the app and the proxy start together: calls the app makes while starting (to other services, to the telemetry collector) are redirected to a proxy that is not listening yet and fail, and a startup that fails on them restarts the pod."
        example "GracefulShutdown::builder().hold_until_proxy_starts(false).build()"
        fix "Leave `hold_until_proxy_starts` on (the default), or run native sidecars.";
    CM0553 ROLLOUT_TO_ZERO_READY Warning "a rollout can take a workload that receives traffic to zero ready pods"
        rule "Kubernetes Deployment RollingUpdate: maxUnavailable pods may be unavailable during a rollout"
        why "When maxUnavailable reaches a workload's pod count, a rollout may stop every old pod before a new one is ready. Every image change then makes the subset's share of traffic (10% for a one-replica canary) fail with 503 until the new pod is ready."
        example "Rollout::builder().max_unavailable(1).allow_zero_ready(true).build() on a service whose canary runs 1 replica and receives 10%"
        fix "Leave `allow_zero_ready` off (maxUnavailable is then capped at the pods minus one and the workload rolls by surging), keep max_surge above 0, or run more replicas.";
    CM0554 DISRUPTION_BUDGET_BLOCKS_DRAINS Error "a PodDisruptionBudget that never allows an eviction"
        rule "Kubernetes PodDisruptionBudget: disruptionsAllowed = healthy pods − desired healthy pods; the eviction API refuses evictions at 0"
        why "A budget whose minAvailable is at least the pods the service runs (or the autoscaler's minimum), or whose maxUnavailable is 0, allows no eviction ever: `kubectl drain` and cluster upgrades hang on these pods until someone deletes the budget by hand."
        example "Service::builder().disruption_budget(DisruptionBudget::MinAvailable(PodCount::Pods(2))) with 2 replicas"
        fix "Use maxUnavailable 1 (the default), or a minAvailable below the fewest pods the service runs.";
    CM0555 DISRUPTION_BUDGET_ONE_POD Warning "a PodDisruptionBudget on a service that runs one pod"
        rule "Kubernetes PodDisruptionBudget with a single pod"
        why "With one pod a budget cannot keep the service up through a drain: either it allows evicting the only pod (the service is down until it is rescheduled) or it blocks the drain whenever that pod is not ready. The default budget is left out for one-pod services for this reason."
        example "Service::builder().replicas(1).disruption_budget(DisruptionBudget::MaxUnavailable(PodCount::Pods(1)))"
        fix "Run at least 2 replicas, or drop the budget (`DisruptionBudget::Auto` or `Disabled`).";
    CM0570 INVALID_IMAGE_REFERENCE Error "an image reference the container runtime refuses"
        rule "OCI distribution reference grammar (docker/distribution reference): lower-case repository path, tag `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`, digest `algorithm:hex`"
        why "The kubelet cannot parse the reference (InvalidImageName): the pods never start and the rollout hangs with the old pods still serving, until someone notices."
        example "Service::builder().name(\"order-service\").image(\"ghcr.io/MyCompany/order-service:1.0.0\")"
        fix "Write the repository in lower case, without spaces, with an optional `:tag` and `@sha256:<64 hex>` digest.";
    CM0571 UNPINNED_IMAGE Warning "an image without a tag, or tagged latest"
        rule "Kubernetes best practice (imagePullPolicy Always for :latest); Kiali none"
        why "`latest` (or no tag, which means latest) changes under you: two pods of one Deployment can run different code, a rollback rolls back nothing, and a canary compared with stable compares unknown versions."
        example "Service::builder().name(\"order-service\").image(\"ghcr.io/mycompany/order-service\")"
        fix "Pin a version tag (`:1.0.0`) or a digest (`@sha256:…`).";
    CM0572 CANARY_SAME_IMAGE Warning "a subset runs the same image as another"
        rule "library policy (a canary compares two versions)"
        why "The canary subset runs exactly the image of the stable one: the split, the header route and the canary's metrics compare a version with itself, so the rollout proves nothing. Usually the new tag was forgotten."
        example "order.add_subset(Subset::builder().name(\"canary\").image(\"ghcr.io/mycompany/order-service:1.0.0\").build()) where the service's image is the same"
        fix "Set the canary's image to the new version (e.g. `:1.1.0-rc.1`).";
    CM0573 SYSTEM_NAMESPACE Error whole_mesh "the mesh lives in a namespace where sidecars are never injected"
        rule "Istio sidecar injector: kube-system, kube-public and kube-node-lease are always excluded; istio-system holds the control plane and is not injected"
        why "No pod of the mesh gets a sidecar, so mTLS, authorization, routes, retries and splits are all void while the manifests say otherwise."
        example "Mesh::builder().namespace(\"kube-system\").build()"
        fix "Use a namespace of your own, e.g. `connectum`.";
    CM0574 MEMORY_IN_MILLIBYTES Error "a memory quantity in millibytes"
        rule "Kubernetes resource.Quantity: `m` is milli (10^-3), so `256m` memory is 0.256 bytes"
        why "`256m` parses, but means a quarter of a byte, not 256 MiB: the container is OOM-killed at start (limit) or the scheduler reserves nothing (request)."
        example "Resources::builder().memory_limit(Quantity::parse(\"256m\")?).build()"
        fix "Write `256Mi` (mebibytes) or `256M` (megabytes).";
    CM0575 CPU_IN_CORES Warning "a CPU quantity in whole cores where millicores were meant"
        rule "Kubernetes resource.Quantity: a bare CPU number is cores, so `cpu: 500` is 500 cores"
        why "No node has that many cores: a request that large leaves the pods Pending for ever (Insufficient cpu); as a limit it limits nothing. Almost always `500m` was meant."
        example "Resources::builder().cpu_request(Quantity::cores(500)).build()"
        fix "Write millicores with `m` (e.g. `500m`), or a number of cores a node has.";
    CM0576 MEMORY_TOO_SMALL Warning "too little memory to start a Node.js process"
        rule "Node.js/V8 needs tens of MiB before the first request; Connectum services load gRPC, protobuf and interceptors on top"
        why "Below 64 MiB the container is OOM-killed while Node.js starts: the pod restarts in a loop (CrashLoopBackOff, OOMKilled) and never becomes ready."
        example "Resources::builder().memory_limit(Quantity::mebibytes(32)).build()"
        fix "Give the container at least 64Mi (128Mi or more for a real service).";
    CM0577 CONFIG_MAP_TOO_LARGE Error "a service's config is over Kubernetes' 1 MiB ConfigMap limit"
        rule "Kubernetes ConfigMap validation: the data may total at most 1 MiB (1048576 bytes)"
        why "The API server refuses the ConfigMap; the Deployment's envFrom names a ConfigMap that does not exist, so its pods never start (CreateContainerConfigError)."
        example "Service::builder().name(\"order-service\").config(BTreeMap::from([(\"CATALOG\".into(), \"…2 MiB of JSON…\".into())]))"
        fix "Keep large data out of environment config: mount it from a volume or fetch it at start.";

    // ── 08xx I/O and the testing evaluator (emitted by connectum-mesh's emit and testing modules, tested there) ──
    CM0801 SERIALIZE_FAILED Error "a rendered document could not be serialized"
        rule "none: an internal error, like istioctl's IST0001 InternalError"
        why "Nothing is written, so no half-serialized manifest reaches the cluster; it means connectum-mesh rendered a value its serializer refuses, which is a bug."
        example "not reachable from a mesh that passed the checker"
        fix "Report it with the mesh that caused it.";
    CM0802 IO_FAILED Error "reading or writing the output failed"
        rule "none: the file system refused"
        why "The manifests could not be written (or read back), so what is on disk is not the mesh you described."
        example "emitting into a directory whose parent does not exist or is read-only"
        fix "Check that the parent directory exists and is writable.";
    CM0803 FOREIGN_OUTPUT Error "the output directory holds files connectum-mesh did not write"
        rule "none: connectum-mesh only replaces directories it wrote (they carry its ownership marker)"
        why "Replacing the directory would delete hand-written manifests; refusing keeps them."
        example "order-service emit --out ./k8s where k8s holds hand-written manifests"
        fix "Choose an empty or new directory, or remove this one first.";
    CM0810 TEST_UNKNOWN_HOST Error "a topology test sends a request to a host the mesh does not serve"
        rule "none: connectum_mesh::testing refuses to guess"
        why "A test that routes a request to a mistyped host would otherwise pass on an empty answer and prove nothing."
        example "Deployed::new(&mesh)?.route(\"order-servce\", &Request::grpc(\"/shop.Orders/Get\"))"
        fix "Name a service of the mesh (the error suggests the closest one).";
    CM0811 TEST_UNKNOWN_CHAIN Error "a topology test names a call chain the mesh does not have"
        rule "none: connectum_mesh::testing follows declared calls only, as the checker does"
        why "A chain with an unknown member, or a hop that is not a declared call, is not a path any request takes; its numbers would be fiction."
        example "Deployed::new(&mesh)?.chain([\"envoy-gateway\", \"order-service\", \"invntory\"])"
        fix "Name services and external callers of the mesh, each calling the next (add the call to the caller's calls).";
    CM0812 TEST_UNKNOWN_CALLER Error "a topology test asks about a caller the mesh does not declare"
        rule "none: connectum_mesh::testing refuses to guess an identity"
        why "can_call from a mistyped caller would answer for an identity nobody has."
        example "Deployed::new(&mesh)?.can_call(\"envoy-gatway\", \"order-service\")"
        fix "Name a service or external caller of the mesh, or pass Caller::account(...) or Caller::plain_text().";
    CM0813 MANIFESTS_OUT_OF_DATE Error "committed manifests differ from what the mesh emits now"
        rule "none: the GitOps check connectum_mesh::testing::assert_up_to_date runs"
        why "The cluster gets what is committed; when the code changed and the manifests were not regenerated, what was checked is not what is deployed."
        example "assert_up_to_date(&mesh, \"deploy\") after changing a route weight without regenerating deploy/"
        fix "Regenerate the directory (cargo build for a build script, or `emit --out DIR`) and commit it.";
    CM0814 TEST_NOT_MODELLED Error "a topology test meets a document the evaluator cannot read"
        rule "none: connectum_mesh::testing models what connectum-mesh emits and says where it stops"
        why "Guessing the meaning of a field the evaluator does not model could make a wrong configuration pass."
        example "a hand-edited VirtualService with a redirect, given to Deployed::from_documents"
        fix "Test what connectum-mesh renders, or leave the unmodelled field out.";
    // ── 082x–083x reading manifests (emitted by connectum-mesh's read and import modules,
    //    tested there) ─────────────────────────────────────────────────────────────────────
    CM0820 READ_FAILED Error "a manifest file or directory cannot be read"
        rule "none: the file system refused"
        why "A file that cannot be read is a part of the mesh nobody checked; going on without it would report a clean mesh that is not the one in the repository."
        example "connectum-mesh lint deploy/ where deploy/order.yaml is not readable, or deploy/ does not exist"
        fix "Check the path and its permissions.";
    CM0821 MALFORMED_MANIFEST Error "a manifest is not valid YAML or JSON"
        rule "kubectl: error converting YAML to JSON"
        why "kubectl refuses the whole file, so none of its objects reach the cluster."
        example "a tab used for indentation, an unclosed quote or flow collection"
        fix "Fix the syntax at the line shown (a YAML linter shows the same spot).";
    CM0822 NOT_AN_OBJECT Error "a document is not a Kubernetes object"
        rule "kubectl: Object 'Kind' is missing, or apiVersion / metadata.name not set"
        why "kubectl refuses a document that is not a mapping with apiVersion, kind and metadata.name."
        example "a document that is a list or a string, or a mapping without kind"
        fix "Give every document apiVersion, kind and metadata.name, or remove it.";
    CM0823 UNKNOWN_KIND Error "a kind connectum-mesh does not read"
        rule "none: the reader knows Kubernetes' workload kinds and Istio's networking, security and telemetry kinds"
        why "An object of a kind the reader does not know cannot be checked; silently skipping it would hide it from the report."
        example "apiVersion: networking.istio.io/v1, kind: VirtualServce (a typo), or a CRD of another project"
        fix "Correct the kind or apiVersion (the closest known one is suggested), or keep the object out of the files you lint.";
    CM0824 UNKNOWN_FIELD Error "a field the object's kind does not have"
        rule "kubectl --validate=strict: unknown field; Istio's CRD schemas prune unknown fields"
        why "The API server prunes or refuses fields its schema does not know: a misspelled `perTryTimout` is silently dropped and the setting you wrote never applies."
        example "spec.http[0].retries.perTryTimout: 10s"
        fix "Correct the field name (the closest known one is suggested) or remove it.";
    CM0825 WRONG_TYPE Error "a field with a value of the wrong type"
        rule "kubectl: error unmarshaling; Istio's CRD schemas: invalid type"
        why "The API server refuses the object, so the whole apply fails."
        example "spec.http[0].retries.attempts: three"
        fix "Write a value of the type the message names.";
    CM0826 DUPLICATE_OBJECT Error "two documents describe one object"
        rule "kubectl apply: the later document overwrites the earlier; Istio IST0109 for VirtualServices"
        why "Two documents with one kind, namespace and name overwrite each other in apply order: which settings the cluster runs depends on file order, and half of what you wrote never applies."
        example "virtual-service.yaml, canary-virtual-service.yaml and header-routing.yaml each define VirtualService order-service"
        fix "Merge the documents into one object (the import prints the merged mesh).";
    CM0827 NOT_MODELLED Warning "an object or field the mesh model cannot say"
        rule "none: the model covers what connectum-mesh renders"
        why "The imported mesh renders without it: applying what the mesh emits would remove it from the cluster."
        example "a Secret, a Service of type LoadBalancer, a VirtualService fault injection"
        fix "Keep the object in its own manifest next to what the mesh emits, or drop it if it is not needed.";
    CM0828 NO_MATCHING_PODS Error "a selector that matches no workload"
        rule "IST0127 / KIA0004 (policy selector matches no workload); KIA0203 / IST0173 (subset selects no pods)"
        why "A Service, subset or policy whose labels no pod carries selects nothing: traffic to it fails and policies never apply."
        example "a Service selecting app.kubernetes.io/name: order while the Deployment's pods carry order-service"
        fix "Make the selector's labels ones the workload's pod template carries.";
    CM0829 CONFLICTING_HOSTS Error "two VirtualServices route one host"
        rule "IST0109 ConflictingMeshGatewayVirtualServiceHosts; Kiali KIA1106"
        why "Istio merges VirtualServices for one host only for gateways; for sidecars it keeps one of them, by creation time, so the other's routes, retries and splits never apply."
        example "VirtualService order-service and VirtualService order-service-canary both with hosts: [order-service]"
        fix "Put all routes of a host in one VirtualService, ordered from most to least specific.";
    CM0830 AUTHORIZATION_NOT_MODELLED Error "an authorization rule the mesh model cannot say"
        rule "none: the imported mesh renders its own AuthorizationPolicy under the same name"
        why "Applying what the mesh emits replaces the hand-written policy: a `when` condition, a `notPrincipals` or a source the model cannot say would be dropped, and an ALLOW policy without it admits more than it did."
        example "an AuthorizationPolicy whose rule has when: [{key: request.headers[x-tenant], values: [a]}]"
        fix "Say the rule in the mesh if it can be said (callers, `allow`), or keep the policy out of the files you import and apply it beside the mesh under another name.";
    CM0850 DIFF_DIR_NOT_EMITTED Error "the directory to diff against was not written by connectum-mesh"
        rule "none: `diff --against` compares with what `emit --out` wrote (the directory holds its ownership marker)"
        why "Hand-written manifests name, split and label things their own way: a diff against them would list differences in spelling, not the changes you are about to deploy."
        example "order-service diff --against ./k8s where k8s holds hand-written manifests"
        fix "Diff against a directory `emit --out` wrote (e.g. the committed deploy/ directory); to compare hand-written manifests, import them first.";
    CM0851 DIFF_FOREIGN_OBJECT Error "the directory to diff against holds an object connectum-mesh does not emit"
        rule "none: `emit --out` writes only the kinds the mesh renders"
        why "An object connectum-mesh never emits (a Secret, say) was added to the directory by hand; the diff cannot say what the mesh would change about it, and applying what the mesh emits would not keep it."
        example "a secret.yaml copied into the deploy/ directory emit --out wrote"
        fix "Keep such objects outside the directory the mesh writes, and emit the directory again.";
    // ── 09xx DSL syntax (emitted by the mesh! macro, tested by its UI tests) ────────────────
    CM0901 DSL_SYNTAX Error "the text of `mesh!` is not the DSL"
        rule "a missing `:` or `,`, a block not closed, a token where a value goes"
        why "Rust would report a confusing error deep in the expansion; the macro names the token that breaks the grammar instead."
        example "mesh! { namespace connectum }"
        fix "Write `key: value` entries separated by commas, and nodes as `kind name { ... }`.";
    CM0902 DSL_UNKNOWN_KEY Error "a key that this node of `mesh!` does not have"
        rule "none: the DSL's own grammar"
        why "A misspelt key (`replica` for `replicas`) would otherwise be ignored and the default would silently apply."
        example "service order-service { image: \"order:1.0.0\", replica: 3 }"
        fix "Use the key the help suggests; the keys are the builders' setter names.";
    CM0903 DSL_MISSING_KEY Error "a key the node needs is missing"
        rule "none: the builders require the same fields"
        why "A mesh without a namespace or a service without an image cannot be rendered."
        example "service order-service { port: 5000 }"
        fix "Add the key, e.g. `image: \"ghcr.io/mycompany/order-service:1.0.0\"`.";
    CM0904 DSL_DUPLICATE_KEY Error "a key is set twice in one block, or two keys that exclude each other are both set"
        rule "none: the DSL's own grammar"
        why "Which of the two values wins would be a guess; `replicas` with `autoscale`, or `to` with `split`, describe two different things."
        example "service order-service { image: \"a\", image: \"b\" }"
        fix "Keep one of them.";
    CM0905 DSL_WRONG_VALUE Error "a value of the wrong kind"
        rule "none: the builders' types"
        why "A string where a number goes (`port: \"5000\"`) would be a type error inside the expansion."
        example "service order-service { image: \"order:1.0.0\", port: \"5000\" }"
        fix "Write the kind of value the message names, or a Rust expression in parentheses.";
    CM0906 DSL_BAD_DURATION Error "a duration that is not an Istio duration"
        rule "Istio's Go duration syntax, at least 1ms, millisecond precision (CRD CEL and webhook)"
        why "Istio refuses the resource, or reads a different duration than the one meant."
        example "route { to: stable, timeout: 30sec }"
        fix "Write it like `30s`, `250ms` or `\"1m30s\"`.";
    CM0907 DSL_BAD_QUANTITY Error "a CPU or memory quantity Kubernetes refuses"
        rule "Kubernetes resource.Quantity syntax"
        why "The API server refuses the Deployment (or the sidecar annotation), so the workload never starts."
        example "resources: { requests: { memory: 128MB } }"
        fix "Write memory like `128Mi` or `1Gi` and CPU like `100m` or `0.5`.";
    CM0908 DSL_UNKNOWN_WORD Error "a word that is not one of the allowed ones"
        rule "the enumerations of Istio's APIs (mtls mode, load balancer, retryOn, match kind)"
        why "Istio refuses the resource, or the policy is not the one meant."
        example "mtls: STRICTER"
        fix "Use one of the words listed; the closest is suggested.";
    CM0909 DSL_OUT_OF_RANGE Error "a number out of its range"
        rule "Kubernetes and Istio field ranges (a port is 1..=65535, a percentage 0..=100)"
        why "The value cannot be represented in the manifest, or Istio refuses it."
        example "service order-service { image: \"order:1.0.0\", port: 70000 }"
        fix "Write a value in the range the message gives.";
    CM0912 DSL_RENAMED_KEY Warning "an old word of a `mesh!` key that now matches its builder setter"
        rule "none: the DSL's words are the builders' setter names, and a few keys were renamed to agree"
        why "The old word still works, but code and docs read more easily when `mesh!` and the builders say the same thing (`mtls_override`, `sidecar_injection`, `host_style`, `metrics_providers`, `access_log_providers`, `sampling_percent`); old words will go in a future release."
        example "service order-service { image: \"order:1.0.0\", mtls: PERMISSIVE }"
        fix "Write the new word the warning names, e.g. `mtls_override: PERMISSIVE`.";
    CM0930 DSL_MESH_WIDE_IN_FRAGMENT Error "a mesh-wide setting in `mesh_fragment!`"
        rule "library policy (a fragment has no mesh-wide settings; the crate that composes the mesh owns them)"
        why "A fragment is one crate's part of a mesh another crate composes. A namespace, mTLS mode, retry budget or lint level written in it would either be dropped silently at `Mesh::merge` or fight with the composing crate's own, so each crate would believe in a different mesh."
        example "mesh_fragment! { namespace: shop, service inventory { image: \"inventory:1.0.0\" } }"
        fix "Remove the key from the fragment and set it where the mesh is composed (`mesh! { namespace: shop, .. }` or `Mesh::builder().namespace(\"shop\")`, before `merge`). A fragment takes `service`, `gateway`, `external`, `chain_budget` and `known_namespaces`.";
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family(code: Code) -> &'static str {
        code.as_str().get(2..4).unwrap_or_default()
    }

    #[test]
    fn codes_are_well_formed_unique_and_in_order() {
        let mut previous: Option<&str> = None;
        for info in REGISTRY {
            let text = info.code.as_str();
            assert_eq!(text.len(), 6, "{text}");
            assert!(text.starts_with("CM"), "{text}");
            assert!(text[2..].bytes().all(|b| b.is_ascii_digit()), "{text}");
            assert!(
                matches!(
                    family(info.code),
                    "01" | "02" | "03" | "04" | "05" | "08" | "09"
                ),
                "{text} is in no family"
            );
            if let Some(previous) = previous {
                assert!(previous < text, "{text} is out of order or repeated");
            }
            previous = Some(text);
        }
    }

    #[test]
    fn every_code_is_documented() {
        for info in REGISTRY {
            for (field, text) in [
                ("title", info.title),
                ("rule", info.rule),
                ("why", info.why),
                ("example", info.example),
                ("fix", info.fix),
            ] {
                assert!(!text.trim().is_empty(), "{} has no {field}", info.code);
            }
            // The docs print the example as inline code.
            assert!(
                !info.example.contains('`'),
                "{}'s example has a backtick",
                info.code
            );
        }
    }

    #[test]
    fn retired_codes_are_never_reused() {
        for retired in RETIRED {
            assert!(
                lookup(retired.code).is_none(),
                "{} is retired",
                retired.code
            );
        }
    }

    #[test]
    fn diagnostics_take_the_code_and_its_default_severity() {
        let diagnostic = RETRY_AMPLIFICATION.at(MeshPath::root(), "12 calls");
        assert_eq!(diagnostic.code, Code("CM0301"));
        assert_eq!(diagnostic.severity, Severity::Error);
        assert_eq!(lookup(Code("CM0301")), Some(&RETRY_AMPLIFICATION));
        assert_eq!(lookup(Code("CM9999")), None);
    }
}
