//! `kubectl spark doctor`: the namespace-level preflight checks as a table on stdout.

use crate::cli::{DoctorArgs, KubeFlags};
use crate::error::Result;
use crate::kube;
use crate::output;
use crate::preflight::{self, Inputs, Status};

/// Runs `doctor`; exit code 1 when a check fails, 0 otherwise (warnings included).
pub async fn run(flags: &KubeFlags, args: &DoctorArgs) -> Result<u8> {
    let target = kube::resolve(flags).await?;
    let client = target.client()?;
    let inputs = Inputs::namespace_level(&target.namespace, &args.service_account);
    let checks = preflight::run_checks(&client, &inputs).await?;
    output::info(&format!(
        "Checking namespace {} on {} for Spark submissions:",
        target.namespace,
        target.server()
    ));
    output::print_data(&preflight::render(&checks))?;
    let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
    if failed > 0 {
        output::info(&format!("{failed} check(s) failed"));
        return Ok(1);
    }
    Ok(0)
}
