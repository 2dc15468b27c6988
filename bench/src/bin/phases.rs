//! `phases N [RUNS]`: the in-process phases of gen-mesh for N services, best of RUNS (default 5)
//! each, in milliseconds: the checker alone, serializing already rendered objects alone
//! (`yaml-only`), and the whole pipeline (check, render and serialize one object at a time);
//! then the pipeline's ratio to `yaml-only`. Writes to a sink: no disk in the figures. The
//! criterion benchmarks (`cargo bench -p connectum-mesh-bench`) measure the same with statistics.

use std::hint::black_box;
use std::io;
use std::time::{Duration, Instant};

use connectum_mesh::render::Versioned;
use connectum_mesh::{RenderOptions, check, emit, render, render_lazily};
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
    let check_only = best(runs, || {
        black_box(check(&mesh));
    });
    let yaml_only = best(runs, || {
        let documents = objects.iter().map(|o| Versioned::new(o, api));
        black_box(emit::write_yaml(documents, io::sink()).is_ok());
    });
    let pipeline = best(runs, || {
        let Ok(lazy) = render_lazily(&mesh, &RenderOptions::default()) else {
            return;
        };
        let documents = lazy
            .objects()
            .filter_map(as_topology)
            .map(|o| Versioned::owned(o, api));
        black_box(emit::write_yaml(documents, io::sink()).is_ok());
    });
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "n={n} check={:.1}ms yaml-only={:.1}ms check+render+yaml={:.1}ms ratio={:.2}",
        ms(check_only),
        ms(yaml_only),
        ms(pipeline),
        pipeline.as_secs_f64() / yaml_only.as_secs_f64()
    );
}
