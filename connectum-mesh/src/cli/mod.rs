//! A command line for infrastructure crates: `emit` and `check` for your mesh in one call.
//!
//! ```no_run
//! // src/main.rs of an infra crate
//! fn main() -> std::process::ExitCode {
//!     let mesh = connectum_mesh::Mesh::builder().namespace("shop").build(); // or your crate's mesh
//!     connectum_mesh::cli::run(mesh)
//! }
//! ```
//!
//! That binary then takes:
//!
//! ```text
//! my-infra                                    # the mesh as YAML on stdout (same as `emit`)
//! my-infra emit --out deploy/                 # one file per object + kustomization.yaml
//! my-infra emit --format json                 # a Kubernetes List
//! my-infra emit --istio-api v1beta1           # Istio < 1.22
//! my-infra check                              # every diagnostic; exit 1 on errors
//! my-infra emit --mesh none                   # without Istio: app TLS, no Istio objects
//! my-infra migration                          # the checklist from no mesh to Istio
//! my-infra graph --format mermaid|dot         # a diagram of the mesh
//! my-infra diff --against deploy/             # what changed since deploy/ was emitted
//! my-infra --help
//! ```
//!
//! Exit codes: 0 success, 1 the mesh has errors or the output could not be written, 2 the
//! command line is wrong (clap's usage error, on stderr). `diff` exits as diff(1) does: 0 no
//! changes, 1 changes, 2 nothing could be compared (a directory `emit --out` did not write,
//! manifests that cannot be read, a mesh that does not render: the coded error on stderr).
//!
//! Each subcommand is one module here (its clap arguments and its run function) and one row of
//! `SUBCOMMANDS`, so new ones are added without touching the others.
//!
//! The `cli` feature (on by default) brings in clap; a build script that only writes manifests
//! can depend on connectum-mesh with `default-features = false`.

mod check;
mod diff;
mod emit;
mod graph;
mod migration;

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches};
use connectum_mesh_core::{Mesh, MeshMode, Words};

/// Runs the command line on this process's arguments for `mesh`, printing to stdout and stderr.
///
/// Use [`Cli`] for a program name, a description or alternative meshes behind flags.
#[must_use]
pub fn run(mesh: Mesh) -> ExitCode {
    Cli::new(mesh).run()
}

/// How a command ended; converts into the process's [`ExitCode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Exit 0: done (or `--help`).
    Success,
    /// Exit 1: the mesh has errors, or the output could not be written.
    Problems,
    /// Exit 2: the command line is wrong (for `diff`: nothing could be compared).
    Usage,
}

impl Exit {
    /// The process exit code: 0, 1 or 2.
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Problems => 1,
            Self::Usage => 2,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        Self::from(exit.code())
    }
}

/// A mesh selected by a flag instead of the main one (e.g. `--as-published`).
struct Variant {
    flag: String,
    help: String,
    mesh: Mesh,
}

/// The command line with options: the program's description and alternative meshes.
///
/// ```
/// use connectum_mesh::cli::{Cli, Exit};
/// use connectum_mesh::{Mesh, Service};
///
/// let cart = |tag: &str| Service::builder().name("cart").image(format!("cart:{tag}")).build();
/// let mesh = Mesh::builder().namespace("shop").services([cart("1.0.0")]).build();
/// // Two services named `cart` (CM0101): the builder takes them, the checker refuses them.
/// let broken = Mesh::builder().namespace("shop").services([cart("1.0.0"), cart("2.0.0")]).build();
///
/// let cli = Cli::new(mesh).about("The shop's mesh").variant("broken", "Check a broken copy", broken);
/// let (mut out, mut err) = (Vec::new(), Vec::new());
/// let exit = cli.run_from(["shop", "check", "--broken"], &mut out, &mut err);
/// assert_eq!(exit, Exit::Problems);
/// assert!(String::from_utf8_lossy(&out).contains("error[CM0101]"));
/// ```
pub struct Cli {
    name: Option<String>,
    about: Option<String>,
    mesh: Mesh,
    variants: Vec<Variant>,
}

/// What a subcommand gets: the mesh the flags selected and where to print.
pub(crate) struct Context<'a> {
    pub(crate) mesh: &'a Mesh,
    pub(crate) out: &'a mut dyn Write,
    pub(crate) err: &'a mut dyn Write,
}

impl Context<'_> {
    /// Prints a line on stderr; a failing stderr has nowhere left to report to.
    pub(crate) fn report(&mut self, text: impl std::fmt::Display) {
        let _ = writeln!(self.err, "{text}");
    }
}

/// One subcommand: its name, its clap definition and what it does.
struct Subcommand {
    name: &'static str,
    command: fn() -> clap::Command,
    run: fn(&mut Context<'_>, &ArgMatches) -> Exit,
}

/// Every subcommand; the first is what runs without one.
const SUBCOMMANDS: &[Subcommand] = &[
    emit::SUBCOMMAND,
    check::SUBCOMMAND,
    migration::SUBCOMMAND,
    graph::SUBCOMMAND,
    diff::SUBCOMMAND,
];

/// clap's parser for an option whose values are a library type's [`Words`]: `--help` lists
/// them and a wrong one is refused with them, so the CLI has no second copy of any spelling.
#[derive(Clone, Copy)]
pub(crate) struct WordParser<T>(std::marker::PhantomData<T>);

impl<T: Words + Send + Sync> WordParser<T> {
    pub(crate) fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

impl<T: Words + Send + Sync> clap::builder::TypedValueParser for WordParser<T> {
    type Value = T;

    fn parse_ref(
        &self,
        command: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        let words = clap::builder::PossibleValuesParser::new(T::words());
        let word = words.parse_ref(command, arg, value)?;
        T::from_word(&word).map_err(|_| clap::Error::new(clap::error::ErrorKind::InvalidValue))
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(T::words().map(clap::builder::PossibleValue::new)))
    }
}

/// `mesh` in the mode `--mesh` chose, or as it is.
pub(crate) fn in_mode(mesh: &Mesh, mode: Option<MeshMode>) -> Mesh {
    let mut mesh = mesh.clone();
    if let Some(mode) = mode {
        mesh.mode = mode;
    }
    mesh
}

impl Cli {
    /// The command line for `mesh`.
    #[must_use]
    pub fn new(mesh: Mesh) -> Self {
        Self {
            name: None,
            about: None,
            mesh,
            variants: Vec::new(),
        }
    }

    /// The program name `--help` and errors show (default: the name the binary was run by).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The one-line description `--help` shows.
    #[must_use]
    pub fn about(mut self, about: impl Into<String>) -> Self {
        self.about = Some(about.into());
        self
    }

    /// An alternative mesh that `--<flag>` selects on every subcommand, e.g. the values a guide
    /// ships (`--as-published`) or a staging variant.
    #[must_use]
    pub fn variant(mut self, flag: impl Into<String>, help: impl Into<String>, mesh: Mesh) -> Self {
        self.variants.push(Variant {
            flag: flag.into(),
            help: help.into(),
            mesh,
        });
        self
    }

    fn command(&self) -> clap::Command {
        let mut command = clap::Command::new("connectum-mesh");
        if let Some(about) = &self.about {
            command = command.about(about.clone());
        }
        if let Some(name) = &self.name {
            command = command.name(name.clone()).bin_name(name.clone());
        }
        for subcommand in SUBCOMMANDS {
            let mut sub = (subcommand.command)();
            for variant in &self.variants {
                let others: Vec<String> = self
                    .variants
                    .iter()
                    .filter(|v| v.flag != variant.flag)
                    .map(|v| v.flag.clone())
                    .collect();
                sub = sub.arg(
                    Arg::new(variant.flag.clone())
                        .long(variant.flag.clone())
                        .help(variant.help.clone())
                        .action(ArgAction::SetTrue)
                        .conflicts_with_all(others),
                );
            }
            command = command.subcommand(sub);
        }
        command
    }

    /// Runs on this process's arguments, printing to stdout and stderr.
    #[must_use]
    pub fn run(self) -> ExitCode {
        let stdout = std::io::stdout();
        let stderr = std::io::stderr();
        self.run_from(std::env::args_os(), &mut stdout.lock(), &mut stderr.lock())
            .into()
    }

    /// Runs on `args` (the program name first, as in `std::env::args_os`), printing to `out`
    /// and `err`: what tests and wrapping programs call.
    pub fn run_from<I, T>(self, args: I, out: &mut dyn Write, err: &mut dyn Write) -> Exit
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let mut command = self.command();
        let matches = match command.try_get_matches_from_mut(args) {
            Ok(matches) => matches,
            Err(error) => {
                let text = error.render().to_string();
                return if error.use_stderr() {
                    let _ = write!(err, "{text}");
                    Exit::Usage
                } else {
                    let _ = write!(out, "{text}");
                    Exit::Success
                };
            }
        };
        let (name, sub_matches) = match matches.subcommand() {
            Some((name, sub_matches)) => (name.to_owned(), sub_matches.clone()),
            None => {
                let default = &SUBCOMMANDS[0];
                match (default.command)().try_get_matches_from([default.name]) {
                    Ok(defaults) => (default.name.to_owned(), defaults),
                    Err(error) => {
                        let _ = write!(err, "{}", error.render());
                        return Exit::Usage;
                    }
                }
            }
        };
        let mesh = self
            .variants
            .iter()
            .find(|v| {
                sub_matches
                    .try_get_one::<bool>(&v.flag)
                    .ok()
                    .flatten()
                    .copied()
                    .unwrap_or(false)
            })
            .map_or(&self.mesh, |v| &v.mesh);
        let mut context = Context { mesh, out, err };
        SUBCOMMANDS
            .iter()
            .find(|s| s.name == name)
            .map_or(Exit::Usage, |s| (s.run)(&mut context, &sub_matches))
    }
}

#[cfg(test)]
mod tests;
