//! The composition point's tests: the composed mesh is clean and behaves as the crates meant,
//! and what only the whole can show (chains across crates, calls to a crate that is missing,
//! two crates defining one thing) is caught here.

use connectum_mesh::testing::Deployed;
use connectum_mesh::{
    ChainBudget, ExternalCaller, MeshFragment, RetryBudget, ServiceAccountRef, check,
};
use monorepo_checkout as checkout;
use monorepo_infra::{GATEWAY, NAMESPACE, compose, mesh, parts, settings};
use monorepo_inventory as inventory;

#[test]
fn the_composed_mesh_checks_clean_and_renders() {
    let mesh = mesh().unwrap();
    assert!(check(&mesh).is_empty(), "{}", check(&mesh));
    assert_eq!(mesh.services.len(), 2);
    assert!(connectum_mesh::render(&mesh).is_ok());
}

#[test]
fn each_crates_fragment_is_clean_on_its_own_and_leaves_the_rest_to_the_whole() {
    // What mesh_fragment! checked while each crate compiled, at run time: checkout's call to
    // a service it does not define is not the fragment's to judge.
    for part in parts() {
        assert!(part.check().is_empty(), "{}", part.check());
    }
}

#[test]
fn two_crates_budgeting_one_chain_differently_is_a_coded_conflict() {
    let budget = |calls| {
        MeshFragment::builder()
            .chain_budgets([ChainBudget::new(
                [GATEWAY, checkout::SERVICE.name(), inventory::SERVICE.name()],
                RetryBudget::calls(calls),
            )])
            .build()
    };
    let same = compose(settings(), [budget(12), budget(12)]).unwrap();
    assert_eq!(same.chain_budgets.len(), 1, "identical budgets: kept once");
    let conflicts = compose(settings(), [budget(12), budget(30)]).unwrap_err();
    assert_eq!(conflicts.codes(), ["CM0130"], "{conflicts}");
}

#[test]
fn checkout_calls_inventory_by_the_name_inventory_defines() {
    let mesh = mesh().unwrap();
    let checkout = mesh.service(checkout::SERVICE.name()).unwrap();
    assert_eq!(
        checkout.calls,
        [inventory::fragment().services[0].name.clone()]
    );
}

#[test]
fn the_chain_across_crates_and_who_may_call_whom() {
    let deployed = Deployed::new(&mesh().unwrap()).unwrap();
    let chain = deployed
        .chain([GATEWAY, checkout::SERVICE.name(), inventory::SERVICE.name()])
        .unwrap();
    // The gateway retries once and checkout's app once: 2 × 2; inventory's sidecar retry: × 2.
    assert_eq!(chain.worst_case_calls(), 8);
    assert!(chain.within_budget());
    // deny_by_default: inventory admits its caller checkout, not the gateway.
    let checkout_calls = deployed.can_call(checkout::SERVICE, inventory::SERVICE);
    assert!(checkout_calls.unwrap().allowed);
    let gateway_calls = deployed.can_call(GATEWAY, inventory::SERVICE).unwrap();
    assert!(!gateway_calls.allowed, "{}", gateway_calls.reason);
}

#[test]
fn a_chain_over_budget_across_crates_is_caught_where_the_mesh_is_composed() {
    // The inventory team adds two app retries; its service alone is fine…
    let retrying = inventory::fragment_with_app_retries(2);
    let mut alone = settings();
    alone.gateways.clear();
    alone.merge(retrying.clone()).unwrap();
    assert!(
        !check(&alone).codes().contains(&"CM0301"),
        "{}",
        check(&alone)
    );
    // …but behind checkout a failing request becomes 2 × 2 × (2 × 3) = 24 calls.
    let composed = compose(settings(), [retrying, checkout::fragment()]).unwrap();
    let diagnostics = check(&composed);
    let over = diagnostics.errors().find(|d| d.code.as_str() == "CM0301");
    let over = over.map(ToString::to_string).unwrap_or_default();
    assert!(over.contains("24"), "{diagnostics}");
    assert!(
        over.contains("checkout-service → inventory-service"),
        "{over}"
    );
}

#[test]
fn a_call_to_a_service_no_crate_defines_is_caught_where_the_mesh_is_composed() {
    let without_inventory = compose(settings(), [checkout::fragment()]).unwrap();
    let diagnostics = check(&without_inventory);
    assert!(diagnostics.codes().contains(&"CM0103"), "{diagnostics}");
    assert!(
        diagnostics.to_string().contains("inventory-service"),
        "{diagnostics}"
    );
}

#[test]
fn a_service_two_crates_define_is_a_coded_conflict_and_nothing_is_merged() {
    let conflicts = compose(settings(), parts().into_iter().chain(parts())).unwrap_err();
    assert_eq!(conflicts.codes(), ["CM0101", "CM0101"], "{conflicts}");
    let text = conflicts.to_string();
    assert!(
        text.contains("service `inventory-service` is defined by both"),
        "{text}"
    );
    assert!(
        text.contains("service `checkout-service` is defined by both"),
        "{text}"
    );
}

#[test]
fn two_crates_defining_one_caller_differently_is_a_coded_conflict() {
    let batch = |account: &str| {
        MeshFragment::builder()
            .external_callers([ExternalCaller::builder()
                .name("nightly-restock")
                .service_account(ServiceAccountRef::new(NAMESPACE, account))
                .calls([inventory::SERVICE])
                .build()])
            .build()
    };
    let same = compose(settings(), [batch("restock"), batch("restock")]).unwrap();
    assert_eq!(
        same.external_callers.len(),
        1,
        "declared identically: kept once"
    );
    let conflicts = compose(settings(), [batch("restock"), batch("cron")]).unwrap_err();
    assert_eq!(conflicts.codes(), ["CM0106"], "{conflicts}");
    assert!(
        conflicts.to_string().contains("nightly-restock"),
        "{conflicts}"
    );
}

#[test]
fn a_crate_declaring_a_stand_in_caller_for_a_service_of_another_is_a_coded_conflict() {
    // Before composition existed, a crate declared its callers as external callers.
    let stand_in = MeshFragment::builder()
        .external_callers([ExternalCaller::builder()
            .name(checkout::SERVICE)
            .service_account(ServiceAccountRef::new(NAMESPACE, "checkout-service"))
            .calls([inventory::SERVICE])
            .build()])
        .build();
    let conflicts = compose(settings(), parts().into_iter().chain([stand_in])).unwrap_err();
    assert_eq!(conflicts.codes(), ["CM0106"], "{conflicts}");
}
