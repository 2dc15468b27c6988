//! The order-service CLI: prints, writes or checks the order-service mesh.
//!
//! ```text
//! order-service                                   # YAML to stdout
//! order-service emit --out DIR                    # one file per object + kustomization.yaml
//! order-service emit --format json                # a Kubernetes List as JSON
//! order-service emit --istio-api v1beta1 --out DIR
//! order-service check [--as-published]           # exit 0 clean, 1 on errors
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use connectum_mesh::emit::{self, Format};
use connectum_mesh::{IstioApi, Mesh, RenderOptions, render_with};

#[derive(Parser)]
#[command(
    name = "order-service",
    about = "Emit or check the order-service Istio mesh"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Render the mesh: YAML to stdout, or a directory with --out.
    Emit {
        /// Write one file per object and a kustomization.yaml into DIR (replaced atomically).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = FormatArg::Yaml)]
        format: FormatArg,
        /// Istio API versions: v1 (Istio 1.22+) or v1beta1 (older clusters).
        #[arg(long, value_enum, default_value_t = IstioApiArg::V1)]
        istio_api: IstioApiArg,
        /// Render the values the guide's manifests ship (refused by the checker).
        #[arg(long)]
        as_published: bool,
    },
    /// Check the mesh and print every diagnostic; exit 1 when there are errors.
    Check {
        /// Check the values the guide's manifests ship instead of the intended ones.
        #[arg(long)]
        as_published: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Yaml,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum IstioApiArg {
    V1,
    V1beta1,
}

fn select(as_published: bool) -> Mesh {
    if as_published {
        order_service::published_mesh()
    } else {
        order_service::mesh()
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Emit {
        out: None,
        format: FormatArg::Yaml,
        istio_api: IstioApiArg::V1,
        as_published: false,
    }) {
        Command::Check { as_published } => check(&select(as_published)),
        Command::Emit {
            out,
            format,
            istio_api,
            as_published,
        } => {
            let format = match format {
                FormatArg::Yaml => Format::Yaml,
                FormatArg::Json => Format::Json,
            };
            let istio_api = match istio_api {
                IstioApiArg::V1 => IstioApi::V1,
                IstioApiArg::V1beta1 => IstioApi::V1beta1,
            };
            run_emit(&select(as_published), out, format, istio_api)
        }
    }
}

fn check(mesh: &Mesh) -> ExitCode {
    let diagnostics = connectum_mesh::check(mesh);
    println!("{diagnostics}");
    if diagnostics.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn run_emit(mesh: &Mesh, out: Option<PathBuf>, format: Format, istio_api: IstioApi) -> ExitCode {
    let manifests = match render_with(mesh, &RenderOptions { istio_api }) {
        Ok(manifests) => manifests,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    if !manifests.warnings().is_empty() {
        eprintln!("{}", manifests.warnings());
    }
    let result = match out {
        Some(dir) => emit::write_dir(&manifests, &dir, format).map(|files| {
            eprintln!(
                "wrote {} objects and kustomization.yaml to {}",
                files.len(),
                dir.display()
            );
        }),
        // Each document is serialized straight into stdout, never the whole stream as one text.
        None => match format {
            Format::Yaml => emit::write_yaml(manifests.documents(), std::io::stdout().lock()),
            Format::Json => emit::write_json(manifests.documents(), std::io::stdout().lock()),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
