//! `phases N [RUNS]`: the in-process phases of gen-mesh for N services, best of RUNS (default 5)
//! each, in milliseconds: the checker alone, serializing already rendered objects alone
//! (`yaml-only`), and the whole pipeline (check, render and serialize one object at a time);
//! then the pipeline's ratio to `yaml-only`. Writes to a sink: no disk in the figures. The
//! criterion benchmarks (`cargo bench -p connectum-mesh-bench`) measure the same with statistics.
//!
//! Then, for scale, the same objects serialized as compact JSON with serde_json (`json-only`):
//! what walking the objects through serde costs with a fast writer, the floor for any YAML
//! emitter driven by the objects' `Serialize` impls.
//!
//! Each phase is a function of its own (`phase_check`, `phase_yaml_only`, `phase_pipeline`,
//! `phase_json_only`, never inlined), so `bench/scripts/callgrind-phases.sh` can count each
//! one's instructions under callgrind: a measure the load of a shared machine does not disturb.

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

/// Serializing already rendered (and fitted) objects alone.
#[inline(never)]
fn phase_yaml_only(objects: &[Object], api: IstioApi) {
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

/// The whole pipeline: check, then render, fit and serialize one object at a time.
#[inline(never)]
fn phase_pipeline(mesh: &Mesh) {
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
    let objects: Vec<_> = manifests
        .objects()
        .iter()
        .cloned()
        .filter_map(as_topology)
        .collect();
    let check_only = best(runs, || phase_check(&mesh));
    let yaml_only = best(runs, || phase_yaml_only(&objects, api));
    let pipeline = best(runs, || phase_pipeline(&mesh));
    let json_only = best(runs, || phase_json_only(&objects, api));
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "n={n} check={:.1}ms yaml-only={:.1}ms check+render+yaml={:.1}ms ratio={:.2} json-only={:.1}ms",
        ms(check_only),
        ms(yaml_only),
        ms(pipeline),
        pipeline.as_secs_f64() / yaml_only.as_secs_f64(),
        ms(json_only),
    );
}
