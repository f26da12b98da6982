//! Entry point: parse argv, set up logging on stderr, run, map errors to exit codes.

use std::process::ExitCode;

fn main() -> ExitCode {
    kubectl_spark::commands::main()
}
