//! Entry point: parse argv, set up logging on stderr, run, map errors to exit codes.

use std::process::ExitCode;

fn main() -> ExitCode {
    // `__complete` (kubectl's plugin completion), `__man`, and running as
    // `kubectl_complete-spark` bypass clap: see `commands::completion`.
    if let Some(code) = kubectl_spark::commands::completion::hidden_entry() {
        return code;
    }
    kubectl_spark::commands::main()
}
