//! Render and emit throughput on the benchmark topology (shared/bench/topology.md: N services;
//! 3 + 7N documents with the ServiceAccounts), and the YAML serializer choice: serde-saphyr
//! against the serde_yaml forks on the same documents. Numbers are recorded in BENCHMARKS.md.

use std::hint::black_box;
use std::io;

use connectum_mesh::{RenderOptions, check, emit, render, render_lazily};
use connectum_mesh_bench::topology;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// The whole in-process pipeline (check, render, serialize into a writer) against serializing
/// the same, already rendered objects alone: the "pipeline ≤ 1.5× serialize-only".
fn pipeline(c: &mut Criterion) {
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    for n in [100, 1_000, 10_000] {
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
                    emit::write_yaml(lazy.documents(), io::sink()).is_ok()
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new("yaml only", n),
            &manifests,
            |b, manifests| {
                b.iter(|| emit::write_yaml(black_box(manifests).documents(), io::sink()).is_ok());
            },
        );
        group.bench_with_input(BenchmarkId::new("check only", n), &mesh, |b, mesh| {
            b.iter(|| check(black_box(mesh)).is_empty());
        });
    }
    group.finish();
}

fn serializers(c: &mut Criterion) {
    let manifests = render(&topology(100)).unwrap_or_else(|e| panic!("{e}"));
    let values = manifests.to_values().unwrap_or_default();
    assert_eq!(
        values.len(),
        3 + 7 * 100,
        "the topology's documents plus a ServiceAccount each"
    );
    let mut group = c.benchmark_group("yaml-serializer (703 documents)");
    group.bench_function("serde-saphyr", |b| {
        b.iter(|| {
            values
                .iter()
                .map(|v| {
                    serde_saphyr::to_string(black_box(v))
                        .unwrap_or_default()
                        .len()
                })
                .sum::<usize>()
        });
    });
    group.bench_function("serde_yaml_ng", |b| {
        b.iter(|| {
            values
                .iter()
                .map(|v| {
                    serde_yaml_ng::to_string(black_box(v))
                        .unwrap_or_default()
                        .len()
                })
                .sum::<usize>()
        });
    });
    group.bench_function("serde_norway", |b| {
        b.iter(|| {
            values
                .iter()
                .map(|v| {
                    serde_norway::to_string(black_box(v))
                        .unwrap_or_default()
                        .len()
                })
                .sum::<usize>()
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = pipeline, serializers
}
criterion_main!(benches);
