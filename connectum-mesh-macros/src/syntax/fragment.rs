//! The top of `mesh_fragment!`: one crate's part of a mesh. It has the mesh's nodes (`service`,
//! `gateway`, `external`, `chain_budget`) and `known_namespaces`, and refuses every mesh-wide
//! key at its token (CM0930): those belong to the crate that composes the mesh.

use super::Fields;
use super::mesh::{MESH, MeshNode, chain_budgets, members};
use super::record::{Kind, Record, table};
use super::tree::{Block, Entry};
use crate::errors::{Codes, Errors};

table! {
    /// The keys of `mesh_fragment!` that map onto the model: only `known_namespaces` (a
    /// `MeshFragment` field), read into the mesh's record so lowering treats it as the mesh's.
    pub FRAGMENT for connectum_mesh_core::Mesh {
        known_namespaces: Kind::Names;
    }
}

/// The mesh-wide key `written` is (as its static word, and the key's own word for an old one),
/// if it is one: every key of the [`MESH`] table but `known_namespaces`.
fn mesh_wide(written: &str) -> Option<(&'static str, &'static str)> {
    MESH.iter()
        .filter(|key| key.word != "known_namespaces")
        .find_map(|key| {
            std::iter::once(key.word)
                .chain(key.was.iter().copied())
                .find(|word| *word == written)
                .map(|word| (word, key.word))
        })
}

/// Reads the macro input as a fragment: the mesh's nodes, with no mesh-wide setting.
pub fn fragment(block: &Block, errors: &mut Errors) -> MeshNode {
    let mut fields = Fields::new(block, "fragment");
    let mut taken = Vec::new();
    for entry in &block.entries {
        let (key, word) = match entry {
            Entry::Field { key, .. } => match mesh_wide(&key.text) {
                Some((written, word)) => {
                    // Taken, so it is not also reported as an unknown key.
                    if !taken.contains(&written) {
                        taken.push(written);
                        fields.take(written, errors);
                    }
                    (key, word)
                }
                None => continue,
            },
            Entry::Node { kind, .. } if kind.text == "telemetry" => {
                fields.nodes("telemetry");
                (kind, "telemetry")
            }
            // A broken entry was reported where it broke.
            Entry::Node { .. } | Entry::Broken { .. } => continue,
        };
        errors.at_with_help(
            key.span,
            Codes::MESH_WIDE_IN_FRAGMENT,
            format!(
                "`{}` is a mesh-wide setting, and a fragment has none",
                key.text
            ),
            format!(
                "set `{word}` where the mesh is composed (in its `mesh! {{ .. }}` or \
                 `Mesh::builder()`, which merges this fragment with `Mesh::merge`); a fragment \
                 takes `service`, `gateway`, `external`, `chain_budget` and `known_namespaces`"
            ),
        );
    }
    let keys: Record = fields.record(FRAGMENT, errors);
    let chain_budgets = chain_budgets(&mut fields, errors);
    let (externals, services, gateways) = members(&mut fields, errors);
    fields.finish(errors);
    MeshNode {
        fields: keys,
        chain_budgets,
        telemetry: None,
        externals,
        services,
        gateways,
    }
}
