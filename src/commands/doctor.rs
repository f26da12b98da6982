//! `kubectl spark doctor`: the namespace-level preflight checks as a table on stdout. With a
//! submission's `--conf`s (read as `submit` reads them), the permissions checked are those
//! these settings need ([`crate::preflight::permissions`]).

use crate::cli::{DoctorArgs, KubeFlags};
use crate::conf::submit_args::{self, ArgsContext, SubmitOptions};
use crate::error::{Error, Result};
use crate::kube;
use crate::output;
use crate::preflight::{self, Inputs, Status};
use crate::submit::resolve;

/// `spark.kubernetes.authenticate.driver.serviceAccountName`.
const SERVICE_ACCOUNT_KEY: &str = "spark.kubernetes.authenticate.driver.serviceAccountName";

/// Runs `doctor`; exit code 1 when a check fails, 0 otherwise (warnings included).
pub async fn run(flags: &KubeFlags, args: &DoctorArgs) -> Result<u8> {
    let target = kube::resolve(flags).await?;
    let client = target.client()?;
    let options = SubmitOptions {
        confs: args.conf.clone(),
        properties_file: args.properties_file.clone(),
        load_spark_defaults: args.load_spark_defaults,
        ..SubmitOptions::default()
    };
    let ctx = ArgsContext {
        spark_conf_dir: resolve::spark_conf_dir(),
        default_master: Some(target.server()),
        cwd: std::env::current_dir().map_err(|e| Error::io("reading the current directory", e))?,
        now_millis: 0,
        namespace_defaults: Default::default(),
    };
    let (mut conf, mut warnings, _) = submit_args::layered_properties(&options, &ctx)?;
    // The namespace's defaults are a layer of what a submission there would use.
    let ns = resolve::namespace(&conf, flags.namespace.as_deref(), &target.namespace)?;
    if let Ok(crate::defaults::cluster::Found::Defaults(d)) =
        crate::defaults::cluster::read(&client, &ns).await
    {
        let ctx = ArgsContext {
            namespace_defaults: d.layer(),
            ..ctx
        };
        (conf, warnings, _) = submit_args::layered_properties(&options, &ctx)?;
    }
    for w in &warnings {
        output::warn(w);
    }
    let namespace = resolve::namespace(&conf, flags.namespace.as_deref(), &target.namespace)?;
    let (version, _) = resolve::spark_version(args.spark_version.as_deref(), &conf)?;
    let service_account = args
        .service_account
        .clone()
        .or_else(|| conf.get_non_empty(SERVICE_ACCOUNT_KEY).map(str::to_string))
        .unwrap_or_else(|| "spark".into());
    let inputs = Inputs::namespace_level(&namespace, &service_account, &conf, &version);
    let mut checks = preflight::run_checks(&client, &inputs).await?;
    checks.push(crate::defaults::cluster::doctor_check(&client, &namespace).await);
    output::info(&format!(
        "Checking namespace {namespace} on {} for Spark {version} submissions:",
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
