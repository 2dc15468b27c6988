//! `phases N [RUNS]`: the in-process phases of emitting the benchmark mesh of N services, best
//! of RUNS (default 5) each, in milliseconds: the checker alone, serializing already rendered
//! objects alone (`yaml-only`), and the whole pipeline (check, render and serialize one object
//! at a time); then the pipeline's ratio to `yaml-only`. Writes to a sink: no disk in the
//! figures. The criterion benchmarks (`cargo bench -p connectum-mesh-bench`) measure the
//! `topology-*` pair below with statistics.
//!
//! Both sides handle the same documents, every one a user's `emit` writes (`render_lazily`,
//! then `emit::write_yaml` of its documents): the pipeline pays for rendering, checking and
//! dropping each object, nothing else. The `topology-*` pair is the same measure on the
//! documents fitted to the frozen benchmark topology (`as_topology`: no ConfigMaps, four newer
//! defaults removed), as `gen-mesh` writes them for the side-by-side runs; until stop 20 it was
//! the only pair, and its pipeline rendered 1,000 ConfigMaps that its `yaml-only` never wrote.
//!
//! Then, for scale, the same objects serialized as compact JSON with serde_json (`json-only`):
//! what walking the objects through serde costs with a fast writer, the floor for any YAML
//! emitter driven by the objects' `Serialize` impls.
//!
//! Each phase is a function of its own (`phase_check`, `phase_yaml_only`, `phase_pipeline`,
//! `phase_json_only`, `phase_topology_yaml_only`, `phase_topology_pipeline`, never inlined), so
//! `bench/scripts/callgrind-phases.sh` can count each one's instructions under callgrind: a
//! measure the load of a shared machine does not disturb.

use std::hint::black_box;
use std::io;
use std::time::{Duration, Instant};

use connectum_mesh::render::{IstioApi, Versioned};
use connectum_mesh::{Mesh, Object, RenderOptions, check, emit, render, render_lazily};
use connectum_mesh_bench::{as_topology, topology};

fn best(runs: usize, mut work: impl FnMut()) -> Duration {
    (0..runs.max(1))
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// The checker alone.
#[inline(never)]
fn phase_check(mesh: &Mesh) {
    black_box(check(mesh).has_errors());
}

/// Serializing already rendered objects alone: every document a user's emit writes.
#[inline(never)]
fn phase_yaml_only(objects: &[Object], api: IstioApi) {
    serialize(objects, api);
}

/// The body of both `yaml-only` phases, inlined into each so callgrind counts each apart.
#[inline(always)]
fn serialize(objects: &[Object], api: IstioApi) {
    let documents = objects.iter().map(|o| Versioned::new(o, api));
    black_box(emit::write_yaml(documents, io::sink()).is_ok());
}

/// The same objects as compact JSON, one document at a time, into a buffered sink.
#[inline(never)]
fn phase_json_only(objects: &[Object], api: IstioApi) {
    let mut out = io::BufWriter::new(io::sink());
    for object in objects {
        black_box(serde_json::to_writer(&mut out, &Versioned::new(object, api)).is_ok());
    }
}

/// The whole pipeline as a user's emit runs it: check, then render and serialize one object at
/// a time.
#[inline(never)]
fn phase_pipeline(mesh: &Mesh) {
    let Ok(lazy) = render_lazily(mesh, &RenderOptions::default()) else {
        return;
    };
    black_box(emit::write_yaml(lazy.documents(), io::sink()).is_ok());
}

/// [`phase_yaml_only`] on the documents fitted to the benchmark topology.
#[inline(never)]
fn phase_topology_yaml_only(objects: &[Object], api: IstioApi) {
    // A body of its own: two identical functions are merged into one symbol, and callgrind
    // would count both phases under one name.
    black_box("topology");
    serialize(objects, api);
}

/// The pipeline as `gen-mesh` runs it: each object fitted to the benchmark topology before it
/// is serialized (the ConfigMaps rendered, then dropped).
#[inline(never)]
fn phase_topology_pipeline(mesh: &Mesh) {
    let Ok(lazy) = render_lazily(mesh, &RenderOptions::default()) else {
        return;
    };
    let api = lazy.istio_api();
    let documents = lazy
        .objects()
        .filter_map(as_topology)
        .map(|o| Versioned::owned(o, api));
    black_box(emit::write_yaml(documents, io::sink()).is_ok());
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (n, runs) = match args.as_slice() {
        [n] => (*n, 5),
        [n, runs] => (*n, *runs),
        _ => {
            eprintln!("usage: phases N [RUNS]");
            std::process::exit(2);
        }
    };
    let mesh = topology(n);
    let Ok(manifests) = render(&mesh) else {
        eprintln!("the benchmark mesh does not check");
        std::process::exit(1);
    };
    let api = manifests.istio_api();
    let objects = manifests.objects();
    let fitted: Vec<_> = objects.iter().cloned().filter_map(as_topology).collect();
    let check_only = best(runs, || phase_check(&mesh));
    let yaml_only = best(runs, || phase_yaml_only(objects, api));
    let pipeline = best(runs, || phase_pipeline(&mesh));
    let json_only = best(runs, || phase_json_only(objects, api));
    let topology_yaml_only = best(runs, || phase_topology_yaml_only(&fitted, api));
    let topology_pipeline = best(runs, || phase_topology_pipeline(&mesh));
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!(
        "n={n} check={:.1}ms yaml-only={:.1}ms check+render+yaml={:.1}ms ratio={:.2} json-only={:.1}ms \
         topology: yaml-only={:.1}ms check+render+yaml={:.1}ms ratio={:.2}",
        ms(check_only),
        ms(yaml_only),
        ms(pipeline),
        ratio(pipeline, yaml_only),
        ms(json_only),
        ms(topology_yaml_only),
        ms(topology_pipeline),
        ratio(topology_pipeline, topology_yaml_only),
    );
}
