//! `connectum-mesh`: import existing manifests into a `mesh!{}` block, and lint them.
//!
//! ```text
//! connectum-mesh import deploy/                  # the equivalent mesh! block on stdout
//! connectum-mesh import deploy/ --builders       # the same mesh as a builder function
//! connectum-mesh lint deploy/ k8s/*.yaml         # every problem; exit 1 on errors
//! connectum-mesh lint deploy/ --format json      # for CI annotations
//! kustomize build overlays/prod | connectum-mesh lint -
//! ```
//!
//! Exit codes, as `connectum_mesh::cli` uses them: 0 clean (warnings allowed), 1 errors,
//! 2 usage (clap's message on stderr).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use connectum_mesh::import::{Import, ImportOptions, import, print};
use connectum_mesh::read::{SourceDiagnostic, read_paths};
use connectum_mesh::{AppRetry, Interceptors};

#[derive(Parser)]
#[command(
    name = "connectum-mesh",
    version,
    about = "Import Kubernetes and Istio manifests into connectum-mesh, and lint them"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the mesh the manifests describe as a mesh!{} block (or builder code), with every
    /// diagnostic located in the files on stderr.
    Import {
        #[command(flatten)]
        input: Input,
        /// Print a function that builds the mesh with the builders instead of a mesh!{} block.
        #[arg(long)]
        builders: bool,
    },
    /// Check the manifests the way `check` checks a mesh: exit 0 clean, 1 on errors.
    Lint {
        #[command(flatten)]
        input: Input,
        /// How to print the diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

#[derive(Args)]
struct Input {
    /// Files or directories of manifests (YAML, JSON, kustomize output); `-` reads stdin.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// The retries the applications' Connectum retry interceptor makes (manifests do not say);
    /// the retry budget multiplies them with the mesh's.
    #[arg(long, value_name = "N")]
    app_retries: Option<u32>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// rustc-style text.
    Human,
    /// One JSON array of diagnostics.
    Json,
}

impl Input {
    fn import(&self) -> Import {
        let mut options = ImportOptions::default();
        if let Some(retries) = self.app_retries {
            options.interceptors = Interceptors::builder()
                .retry(AppRetry::builder().max_retries(retries).build())
                .build();
        }
        import(read_paths(&self.paths), &options)
    }
}

fn json(diagnostics: &[SourceDiagnostic]) -> serde_json::Value {
    diagnostics
        .iter()
        .map(|d| {
            serde_json::json!({
                "code": d.diagnostic.code.as_str(),
                "severity": d.diagnostic.severity.to_string(),
                "message": d.diagnostic.message,
                "help": d.diagnostic.help,
                "path": d.diagnostic.path.to_string(),
                "file": d.location.as_ref().map(|l| l.file.display().to_string()),
                "line": d.location.as_ref().map(|l| l.line),
                "column": d.location.as_ref().map(|l| l.column),
            })
        })
        .collect()
}

fn human(diagnostics: &[SourceDiagnostic]) -> String {
    let mut text = String::new();
    for d in diagnostics {
        text.push_str(&format!("{d}\n\n"));
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    text.push_str(&match (errors, warnings) {
        (0, 0) => "no problems found".to_owned(),
        (e, w) => format!("{e} error(s); {w} warning(s) emitted"),
    });
    text
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    let (mut stdout, mut stderr) = (std::io::stdout().lock(), std::io::stderr().lock());
    let failed = match cli.command {
        Command::Lint { input, format } => {
            let imported = input.import();
            let printed = match format {
                Format::Human => human(&imported.diagnostics),
                Format::Json => json(&imported.diagnostics).to_string(),
            };
            let _ = writeln!(stdout, "{printed}");
            imported.has_errors()
        }
        Command::Import { input, builders } => {
            let imported = input.import();
            let _ = writeln!(stderr, "{}", human(&imported.diagnostics));
            // A file that could not be read or understood leaves the mesh incomplete: print
            // nothing rather than a mesh that silently lacks it.
            if imported.reading_failed() {
                let _ = writeln!(
                    stderr,
                    "error: nothing was printed: fix the reading errors above first"
                );
                true
            } else {
                let code = if builders {
                    print::builders(&imported.mesh)
                } else {
                    print::mesh_macro(&imported.mesh)
                };
                let _ = write!(stdout, "{code}");
                imported.has_errors()
            }
        }
    };
    ExitCode::from(u8::from(failed))
}
