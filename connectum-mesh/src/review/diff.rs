//! The semantic diff: two meshes' facts compared, one line per change, grouped by whose it is.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use connectum_mesh_core::Mesh;
use serde::Serialize;

use super::facts::{CHAINS_SCOPE, Fact, GATEWAY_ITEM, Kind, SERVICE_ITEM, facts};

/// One reviewable change: what changed, where, from what to what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Change {
    /// Whose it is: `mesh`, `service order-service`, `worst-case calls per chain`.
    pub scope: String,
    /// What changed within the scope: `route default › traffic`, `allowed callers`.
    pub item: String,
    /// The value before; `None` when the item is new.
    pub before: Option<String>,
    /// The value after; `None` when the item is gone.
    pub after: Option<String>,
}

impl fmt::Display for Change {
    /// `route default › traffic: stable 90% · canary 10% → stable 75% · canary 25%`,
    /// `subset blue: added (image …)`, `route old: removed (was …)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.before, &self.after) {
            (Some(before), Some(after)) => write!(f, "{}: {before} → {after}", self.item),
            (None, Some(after)) => write!(f, "{}: added ({after})", self.item),
            (Some(before), None) => write!(f, "{}: removed (was {before})", self.item),
            (None, None) => write!(f, "{}: unchanged", self.item),
        }
    }
}

/// What changed between two versions of a mesh, in the words a reviewer reads: traffic shares
/// per subset, routes added, removed or reordered, matches, timeouts and mesh retries, app
/// retries and timeouts, worst-case calls per call chain (the checker's numbers), allowed
/// callers, mTLS modes, replicas, resources and images, each with its value before and after,
/// grouped per service.
///
/// Two versions that mean the same give an empty diff, which prints as nothing.
///
/// ```
/// use connectum_mesh::review::MeshDiff;
/// use connectum_mesh::{Mesh, MtlsMode, Service};
///
/// let before = Mesh::builder()
///     .namespace("connectum")
///     .services([Service::builder().name("order-service").image("order:1.0.0").build()])
///     .build();
/// let mut after = before.clone();
/// assert!(MeshDiff::between(&before, &after).is_empty());
///
/// after.services[0].mtls_override = Some(MtlsMode::Permissive);
/// let diff = MeshDiff::between(&before, &after);
/// assert_eq!(diff.to_string(), "service order-service\n  mTLS: STRICT → PERMISSIVE\n");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MeshDiff {
    changes: Vec<Change>,
}

/// Where a fact is: (scope, item).
type Key = (String, String);

/// Facts by (scope, item); a repeated key (two services sharing a name, CM0101) gets `#2`.
fn keyed(facts: Vec<Fact>) -> (Vec<Key>, BTreeMap<Key, Fact>) {
    let mut order = Vec::new();
    let mut map = BTreeMap::new();
    for mut fact in facts {
        let mut key = (fact.scope.clone(), fact.item.clone());
        let mut copy = 1;
        while map.contains_key(&key) {
            copy += 1;
            key.1 = format!("{} #{copy}", fact.item);
        }
        fact.item.clone_from(&key.1);
        order.push(key.clone());
        map.insert(key, fact);
    }
    (order, map)
}

/// Whether the names both orders share come in the same relative order.
fn same_relative_order(before: &str, after: &str) -> bool {
    let before: Vec<&str> = before.split(" → ").collect();
    let after: Vec<&str> = after.split(" → ").collect();
    let shared = |list: &[&str], other: &[&str]| -> Vec<String> {
        list.iter()
            .filter(|name| other.contains(name))
            .map(|name| (*name).to_owned())
            .collect()
    };
    shared(&before, &after) == shared(&after, &before)
}

impl MeshDiff {
    /// The changes from `before` to `after`.
    #[must_use]
    pub fn between(before: &Mesh, after: &Mesh) -> Self {
        Self::of_facts(facts(before), facts(after))
    }

    /// The changes between two lists of facts.
    pub(crate) fn of_facts(before: Vec<Fact>, after: Vec<Fact>) -> Self {
        let (before_order, before) = keyed(before);
        let (after_order, after) = keyed(after);
        // Existence facts that came or went: their own facts are not listed one by one.
        let appeared_or_gone: BTreeSet<(String, String)> = before
            .iter()
            .chain(after.iter())
            .filter(|(key, fact)| {
                fact.kind == Kind::Exists && (before.contains_key(*key) != after.contains_key(*key))
            })
            .map(|(key, _)| key.clone())
            .collect();
        let mut keys: Vec<&(String, String)> = after_order.iter().collect();
        keys.extend(before_order.iter().filter(|key| !after.contains_key(*key)));
        // Group per scope, scopes in the order they first appear (one pass, with an index of
        // the scopes seen: a search per key made large meshes quadratic).
        let mut scopes: Vec<(&str, Vec<&Key>)> = Vec::new();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for key in keys {
            let index = *seen.entry(key.0.as_str()).or_insert_with(|| {
                scopes.push((key.0.as_str(), Vec::new()));
                scopes.len() - 1
            });
            scopes[index].1.push(key);
        }
        // Chains cross services: they come after every service, removed ones included.
        scopes.sort_by_key(|(scope, _)| *scope == CHAINS_SCOPE);
        let mut changes = Vec::new();
        for (_, keys) in scopes {
            for key in keys {
                let old = before.get(key);
                let new = after.get(key);
                let fact = new.or(old);
                // A service or gateway that came or went is one line, not one per fact.
                let whole_gone = [SERVICE_ITEM, GATEWAY_ITEM].iter().any(|whole| {
                    key.1 != *whole
                        && appeared_or_gone.contains(&(key.0.clone(), (*whole).to_owned()))
                });
                if whole_gone {
                    continue;
                }
                if let Some(owner) = fact.and_then(|f| f.owner.as_ref())
                    && appeared_or_gone.contains(&(key.0.clone(), owner.clone()))
                {
                    continue;
                }
                let (old_value, new_value) = (old.map(|f| &f.value), new.map(|f| &f.value));
                if old_value == new_value {
                    continue;
                }
                if let (Some(Kind::Order), Some(a), Some(b)) =
                    (fact.map(|f| f.kind), old_value, new_value)
                    && same_relative_order(a, b)
                {
                    continue;
                }
                if fact.is_some_and(|f| f.kind == Kind::Exists && old.is_some() && new.is_some()) {
                    continue; // what it consists of is compared fact by fact
                }
                changes.push(Change {
                    scope: key.0.clone(),
                    item: key.1.clone(),
                    before: old_value.cloned(),
                    after: new_value.cloned(),
                });
            }
        }
        Self { changes }
    }

    /// Whether nothing changed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The changes, grouped by scope: the mesh, the services (in the new version's order, then
    /// removed ones), then the worst-case calls per call chain.
    #[must_use]
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// The changes as pretty JSON, `{"changes": [{"scope", "item", "before", "after"}]}` with a
    /// final newline; `before` is null for an added item, `after` for a removed one.
    ///
    /// # Errors
    /// Never in practice: the changes are plain strings.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self).map(|text| text + "\n")
    }
}

impl fmt::Display for MeshDiff {
    /// One block per scope: its name, then one indented line per change. Nothing at all when
    /// nothing changed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut scope: Option<&str> = None;
        for change in &self.changes {
            if scope != Some(change.scope.as_str()) {
                writeln!(f, "{}", change.scope)?;
                scope = Some(&change.scope);
            }
            writeln!(f, "  {change}")?;
        }
        Ok(())
    }
}
