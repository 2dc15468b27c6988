//! `gen-mesh N OUT.yaml`: builds the benchmark topology for N services with the public builders,
//! checks and renders it, and writes one YAML stream to OUT.yaml. The whole-process benchmark
//! (`BENCHMARKS.md`): the same work a user's generator binary does, timed from process start.
//!
//! Exit codes: 0 written, 1 the mesh was refused or the file could not be written, 2 usage.

use std::process::ExitCode;

use connectum_mesh::render::Versioned;
use connectum_mesh::{RenderOptions, emit, render_lazily};

const USAGE: &str =
    "usage: gen-mesh N OUT.yaml   (N services, one YAML stream written to OUT.yaml)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (services, out) = match args.as_slice() {
        [n, out] => match n.parse::<usize>() {
            Ok(n) => (n, std::path::PathBuf::from(out)),
            Err(_) => {
                eprintln!("error: N must be a number of services, not `{n}`\n{USAGE}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mesh = connectum_mesh_bench::topology(services);
    // Checked once, then each object rendered, fitted to the topology and written in turn:
    // memory holds one object at a time.
    let manifests = match render_lazily(&mesh, &RenderOptions::default()) {
        Ok(manifests) => manifests,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let file = match std::fs::File::create(&out) {
        Ok(file) => file,
        Err(error) => {
            eprintln!("error: could not create {}: {error}", out.display());
            return ExitCode::FAILURE;
        }
    };
    let api = manifests.istio_api();
    let documents = manifests
        .objects()
        .filter_map(connectum_mesh_bench::as_topology)
        .map(|object| Versioned::owned(object, api));
    match emit::write_yaml(documents, file) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
