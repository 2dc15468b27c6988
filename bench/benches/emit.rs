//! In-process timings on the benchmark topology (`BENCHMARKS.md`): the whole pipeline (check,
//! render, serialize one object at a time into a writer) against serializing the same, already
//! rendered objects alone; the checker alone, on the topology and on a secure-by-default variant
//! whose policies come from the call graph (a quadratic rule shows as a 10× larger mesh taking
//! far more than 10× as long); the review (diagram and diff), which asks who may call each
//! service (a rule asked per service over the whole mesh was quadratic); and the YAML
//! serializer choice.

use std::hint::black_box;
use std::io;

use connectum_mesh::render::Versioned;
use connectum_mesh::review::{DiagramFormat, MeshDiff, diagram};
use connectum_mesh::{Mesh, RenderOptions, check, emit, render, render_lazily};
use connectum_mesh_bench::{as_topology, secure_by_default, topology};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const SIZES: [usize; 2] = [1_000, 10_000];

/// A mesh of n services.
type Build = fn(usize) -> Mesh;
/// A YAML serializer: the length of one document's text.
type Serialize = fn(&serde_json::Value) -> usize;

/// The whole in-process pipeline against serializing alone: the "≤ 1.5× serialize-only".
fn pipeline(c: &mut Criterion) {
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    for n in SIZES {
        let mesh = topology(n);
        let manifests = render(&mesh).unwrap_or_else(|e| panic!("{e}"));
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(
            BenchmarkId::new("check+render+yaml", n),
            &mesh,
            |b, mesh| {
                b.iter(|| {
                    let lazy = render_lazily(black_box(mesh), &RenderOptions::default())
                        .unwrap_or_else(|e| panic!("{e}"));
                    let documents = lazy
                        .objects()
                        .filter_map(as_topology)
                        .map(|o| Versioned::owned(o, lazy.istio_api()));
                    emit::write_yaml(documents, io::sink()).is_ok()
                });
            },
        );
        let objects: Vec<_> = manifests
            .objects()
            .iter()
            .cloned()
            .filter_map(as_topology)
            .collect();
        group.bench_with_input(BenchmarkId::new("yaml only", n), &objects, |b, objects| {
            b.iter(|| {
                let documents = objects
                    .iter()
                    .map(|o| Versioned::new(o, manifests.istio_api()));
                emit::write_yaml(black_box(documents), io::sink()).is_ok()
            });
        });
    }
    group.finish();
}

/// The checker alone, on the topology and on its secure-by-default variant.
fn checker(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    let variants: [(&str, Build); 2] = [
        ("topology", topology),
        ("secure-by-default", secure_by_default),
    ];
    for n in SIZES {
        group.throughput(Throughput::Elements(n as u64));
        for (name, build) in variants {
            let mesh = build(n);
            assert!(!check(&mesh).has_errors(), "{name} {n} checks clean");
            group.bench_with_input(BenchmarkId::new(name, n), &mesh, |b, mesh| {
                b.iter(|| check(black_box(mesh)).has_errors());
            });
        }
    }
    group.finish();
}

/// The review on the secure-by-default variant (every policy derived from the call graph): the
/// Mermaid diagram, and the diff of the mesh against itself. Both say whom each service admits
/// (`review/words.rs`); 10× the services should take about 10× as long.
fn review(c: &mut Criterion) {
    let mut group = c.benchmark_group("review");
    group.sample_size(10);
    for n in SIZES {
        let mesh = secure_by_default(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("diagram", n), &mesh, |b, mesh| {
            b.iter(|| diagram(black_box(mesh), DiagramFormat::Mermaid).len());
        });
        group.bench_with_input(BenchmarkId::new("diff", n), &mesh, |b, mesh| {
            b.iter(|| MeshDiff::between(black_box(mesh), mesh).is_empty());
        });
    }
    group.finish();
}

fn serializers(c: &mut Criterion) {
    let manifests = render(&topology(100)).unwrap_or_else(|e| panic!("{e}"));
    let values: Vec<serde_json::Value> = manifests
        .objects()
        .iter()
        .cloned()
        .filter_map(as_topology)
        .map(|o| serde_json::to_value(Versioned::owned(o, manifests.istio_api())))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(values.len(), 3 + 7 * 100, "the topology's documents");
    let candidates: [(&str, Serialize); 3] = [
        ("serde-saphyr", |v| {
            serde_saphyr::to_string(v).map_or(0, |t| t.len())
        }),
        ("serde_yaml_ng", |v| {
            serde_yaml_ng::to_string(v).map_or(0, |t| t.len())
        }),
        ("serde_norway", |v| {
            serde_norway::to_string(v).map_or(0, |t| t.len())
        }),
    ];
    let mut group = c.benchmark_group("yaml-serializer (703 documents)");
    for (name, serialize) in candidates {
        group.bench_function(name, |b| {
            b.iter(|| {
                values
                    .iter()
                    .map(|v| serialize(black_box(v)))
                    .sum::<usize>()
            });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = pipeline, checker, review, serializers
}
criterion_main!(benches);
