//! One thin module per subcommand: glue between the CLI, resolution, planning, applying and
//! reporting. [`main`] parses argv, sets up logging on stderr, runs, and maps errors to exit
//! codes.

pub mod cleanup;
pub mod client_setup;
pub mod completion;
pub mod connect;
pub mod convert;
pub mod describe;
pub mod doctor;
pub mod history;
pub mod kill;
pub mod list;
pub mod logs;
pub mod setup;
pub mod status;
pub mod submit;
pub mod ui;
pub mod version;
pub mod wait;

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::error::{Report, Result};

/// Runs the program and returns its exit code.
pub fn main() -> ExitCode {
    let cli = match crate::cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    init_logging(cli.verbose);
    // One TLS crypto provider for every client (kube, object stores, template downloads): ring.
    crate::store::ensure_crypto_provider();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("{}", Report(&e));
            ExitCode::from(e.exit_code())
        }
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info,kube=warn",
        2 => "debug,hyper=info,rustls=info",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("KUBECTL_SPARK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(crate::output::color_allowed(crate::output::stderr_is_tty()))
        .with_target(false)
        .try_init();
}

/// Runs one parsed command; returns the exit code on success.
pub async fn run(cli: Cli) -> Result<u8> {
    let kube = cli.kube;
    match cli.command {
        Command::Submit(args) => submit::run(&kube, *args).await,
        Command::Version(args) => version::run(&kube, &args).await,
        Command::Completion(args) => completion::run(&args),
        Command::Status(args) => status::run(&kube, &args).await,
        Command::List(args) => list::run(&kube, &args).await,
        Command::Describe(args) => describe::run(&kube, &args).await,
        Command::Logs(args) => logs::run(&kube, &args).await,
        Command::Ui(args) => ui::run(&kube, &args).await,
        Command::Connect(args) => connect::run(&kube, *args).await,
        Command::Wait(args) => wait::run(&kube, &args).await,
        Command::Kill(args) => kill::run(&kube, &args).await,
        Command::Cleanup(args) => cleanup::run(&kube, &args).await,
        Command::History(args) => history::run(&kube, &args).await,
        Command::Setup(args) => setup::run(&kube, &args).await,
        Command::Doctor(args) => doctor::run(&kube, &args).await,
        Command::ClientSetup(args) => client_setup::run(&kube, &args).await,
        Command::Convert(args) => convert::run(&kube, &args).await,
    }
}
