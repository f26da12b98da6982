//! `kubectl spark submit`: resolve → plan → (dry run | apply → wait) → report.

use std::time::Duration;

use crate::cli::{DryRun, KubeFlags, ObjectFormat, SubmitArgs};
use crate::conf::submit_args::{self, ArgsContext, SubmitOptions};
use crate::conf::{SparkConf, units, validate};
use crate::error::{Error, Result};
use crate::kube::{self, KubeTarget};
use crate::output;
use crate::store::settings::StoreEnv;
use crate::submit::plan::{Plan, PostObject, Submission};
use crate::submit::steps::credentials::REDACTED;
use crate::submit::upload::{self, Uploads};
use crate::submit::wait::{self, Outcome, WaitTarget};
use crate::submit::{apply, resolve, steps};

/// Maps clap's arguments onto spark-submit's options.
pub fn to_options(args: &SubmitArgs) -> SubmitOptions {
    let mut rest = args.resource_and_args.iter().cloned();
    SubmitOptions {
        master: args.master.clone(),
        deploy_mode: args.deploy_mode.clone(),
        name: args.name.clone(),
        class: args.class.clone(),
        confs: args.conf.clone(),
        properties_file: args.properties_file.clone(),
        load_spark_defaults: args.load_spark_defaults,
        jars: args.jars.clone(),
        files: args.files.clone(),
        archives: args.archives.clone(),
        py_files: args.py_files.clone(),
        packages: args.packages.clone(),
        repositories: args.repositories.clone(),
        exclude_packages: args.exclude_packages.clone(),
        driver_memory: args.driver_memory.clone(),
        driver_cores: args.driver_cores.clone(),
        executor_memory: args.executor_memory.clone(),
        executor_cores: args.executor_cores.clone(),
        num_executors: args.num_executors.clone(),
        driver_java_options: args.driver_java_options.clone(),
        driver_class_path: args.driver_class_path.clone(),
        driver_library_path: args.driver_library_path.clone(),
        proxy_user: args.proxy_user.clone(),
        principal: args.principal.clone(),
        keytab: args.keytab.clone(),
        primary_resource: rest.next(),
        app_args: rest.collect(),
    }
}

/// Applies `spark.kubernetes.authenticate.submission.*`, `spark.kubernetes.trust.certificates`
/// and the master URL (which always overrides the kubeconfig's server, §1.2) to the client.
fn apply_submission_auth(target: &mut KubeTarget, conf: &SparkConf) -> Result<()> {
    const P: &str = "spark.kubernetes.authenticate.submission.";
    if let Some(master) = conf.get("spark.master") {
        let url = master.strip_prefix("k8s://").unwrap_or(master);
        if url.trim_end_matches('/') != target.server() {
            target.config.cluster_url = url.parse().map_err(|e| {
                Error::usage(
                    format!("--master {master}: not a valid URL ({e})"),
                    "use --master k8s://https://<host>:<port>",
                )
            })?;
        }
    }
    if let Some(token) = conf.get_non_empty(&format!("{P}oauthToken")) {
        target.config.auth_info.token = Some(token.to_string().into());
        target.config.auth_info.token_file = None;
    }
    if let Some(file) = conf.get_non_empty(&format!("{P}oauthTokenFile")) {
        target.config.auth_info.token = None;
        target.config.auth_info.token_file = Some(file.to_string());
    }
    if let Some(file) = conf.get_non_empty(&format!("{P}caCertFile")) {
        target.config.root_cert = None;
        target.config.root_cert_file = Some(file.into());
    }
    if let Some(file) = conf.get_non_empty(&format!("{P}clientCertFile")) {
        target.config.auth_info.client_certificate = Some(file.to_string());
        target.config.auth_info.client_certificate_data = None;
    }
    if let Some(file) = conf.get_non_empty(&format!("{P}clientKeyFile")) {
        target.config.auth_info.client_key = Some(file.to_string());
        target.config.auth_info.client_key_data = None;
    }
    if conf.get_bool("spark.kubernetes.trust.certificates", false)? {
        target.config.accept_invalid_certs = true;
    }
    for (key, default_ms) in [
        ("spark.kubernetes.submission.requestTimeout", 10_000),
        ("spark.kubernetes.submission.connectionTimeout", 10_000),
    ] {
        let ms = conf.get_i64(key, default_ms)?;
        let d = (ms > 0).then(|| Duration::from_millis(ms as u64));
        if key.ends_with("connectionTimeout") {
            target.config.connect_timeout = d;
        } else if conf.contains(key) {
            target.config.read_timeout = d;
        }
    }
    Ok(())
}

/// Everything a submission resolved to before any API call.
pub struct Prepared {
    /// The finished objects.
    pub submission: Submission,
    /// Where they go.
    pub target: KubeTarget,
    /// Whether to wait for the driver.
    pub wait: bool,
    /// Status line period.
    pub report_interval: Duration,
    /// Local files to upload, checked (None: nothing to upload).
    pub uploads: Option<Uploads>,
}

/// The secret-looking keys that `spark.properties` in the driver ConfigMap would hold in plain
/// text (Spark writes every conf there; only `*oauthToken` values are redacted).
pub fn secrets_in_configmap(submission: &Submission) -> Vec<(String, String)> {
    let Some(PostObject::ConfigMap(cm)) = submission.post.last() else {
        return Vec::new();
    };
    let name = cm.metadata.name.clone().unwrap_or_default();
    let text = cm
        .data
        .as_ref()
        .and_then(|d| d.get("spark.properties"))
        .cloned()
        .unwrap_or_default();
    crate::conf::properties::parse(&text)
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, v)| crate::conf::is_secret_key(k) && v != REDACTED && !v.is_empty())
        .map(|(k, _)| (k, name.clone()))
        .collect()
}

/// The warning for [`secrets_in_configmap`], or None.
pub fn configmap_secret_warning(submission: &Submission) -> Option<String> {
    let found = secrets_in_configmap(submission);
    let (_, cm) = found.first()?;
    let keys: Vec<&str> = found.iter().map(|(k, _)| k.as_str()).collect();
    Some(format!(
        "{} will be stored in plain text in ConfigMap {}/{cm} (spark.properties), readable by \
         anyone who may read ConfigMaps in namespace {}. Safer: keep credentials in a Kubernetes \
         Secret and pass them as env vars (--conf spark.kubernetes.driver.secretKeyRef.AWS_ACCESS_KEY_ID=<secret>:<key>, \
         same for executors and AWS_SECRET_ACCESS_KEY), or use workload identity (IRSA, GKE/Azure workload identity)",
        keys.join(", "),
        submission.namespace,
        submission.namespace
    ))
}

/// Resolves and plans a submission; contacts no server.
pub async fn prepare(flags: &KubeFlags, args: &SubmitArgs) -> Result<Prepared> {
    let mut target = kube::resolve(flags).await?;
    let now = jiff::Timestamp::now();
    let cwd = std::env::current_dir().map_err(|e| Error::io("reading the current directory", e))?;
    let ctx = ArgsContext {
        spark_conf_dir: resolve::spark_conf_dir(),
        default_master: Some(target.server()),
        cwd,
        now_millis: now.as_millisecond(),
    };
    let resolved = submit_args::resolve(&to_options(args), &ctx)?;
    let mut conf = resolved.conf;
    if let Some(ctx_name) = conf.get_non_empty("spark.kubernetes.context")
        && flags.context.is_none()
    {
        let mut f = flags.clone();
        f.context = Some(ctx_name.to_string());
        target = kube::resolve(&f).await?;
    }
    let flag_ns = flags.namespace.as_deref();
    let namespace = resolve::namespace(&conf, flag_ns, &target.namespace)?;
    // The driver reads its namespace from spark.kubernetes.namespace (default `default`), so a
    // namespace chosen by -n or the context must reach it.
    if conf.get_non_empty(resolve::NAMESPACE_KEY).is_none() && namespace != "default" {
        conf.set(resolve::NAMESPACE_KEY, namespace.clone());
    }
    let mut warnings = resolved.warnings;
    warnings.extend(validate::validate(&conf)?);
    apply_submission_auth(&mut target, &conf)?;
    let (spark_version, version_info) =
        resolve::spark_version(args.spark_version.as_deref(), &conf)?;
    let wait =
        !args.no_wait && conf.get_bool("spark.kubernetes.submission.waitAppCompletion", true)?;
    let report_ms = match conf.get("spark.kubernetes.report.interval") {
        Some(v) => units::parse_duration_ms(v, 1)
            .map_err(|e| e.for_key("spark.kubernetes.report.interval"))?,
        None => 1000,
    };
    let env = resolve::capture_env(&conf, &mut warnings);
    let store_env = StoreEnv::capture();
    let inputs = resolve::read_inputs(&conf, &store_env).await?;
    let plan = Plan {
        ids: resolve::draw_ids(now.as_millisecond()),
        conf,
        namespace,
        spark_version,
        app: resolved.app,
        env,
        inputs,
        now,
    };
    let submission = steps::build(&plan)?;
    let uploads = upload::check(&submission.uploads, &plan.conf, &store_env)?;
    warnings.extend(configmap_secret_warning(&submission));
    for info in resolved.infos.iter().chain(version_info.iter()) {
        tracing::info!("{info}");
    }
    for w in warnings.iter().chain(submission.warnings.iter()) {
        output::warn(w);
    }
    Ok(Prepared {
        submission,
        target,
        wait,
        report_interval: Duration::from_millis(report_ms.max(1) as u64),
        uploads,
    })
}

/// The objects of a submission in creation order, as one `v1` `List`.
pub fn objects_list(submission: &Submission) -> Result<serde_json::Value> {
    let mut items =
        vec![serde_json::to_value(&submission.pod).map_err(|e| Error::Other(e.to_string()))?];
    for o in &submission.post {
        items.push(serde_json::to_value(o).map_err(|e| Error::Other(e.to_string()))?);
    }
    output::object_list(&items)
}

/// Runs `submit`; returns the exit code.
pub async fn run(flags: &KubeFlags, args: SubmitArgs) -> Result<u8> {
    let dry_run = args.dry_run.unwrap_or(DryRun::None);
    if args.output.is_some() && dry_run == DryRun::None {
        return Err(Error::usage(
            "-o/--output only applies to a dry run",
            "add --dry-run=client or --dry-run=server",
        ));
    }
    let prepared = prepare(flags, &args).await?;
    let sub = &prepared.submission;
    if dry_run != DryRun::None
        && let Some(up) = &prepared.uploads
    {
        output::info(&format!(
            "dry run: {} local file(s) ({}) would be uploaded to {}; nothing was uploaded",
            up.len(),
            indicatif::HumanBytes(up.total_bytes()),
            up.destination()
        ));
    }
    if dry_run == DryRun::Client {
        let format = args.output.unwrap_or(ObjectFormat::Yaml);
        output::print_data(&output::render(&objects_list(sub)?, format)?)?;
        return Ok(0);
    }
    let client = prepared.target.client()?;
    if dry_run == DryRun::Server {
        apply::apply(&client, sub, true).await?;
        output::info(&format!(
            "server dry run: the API server accepted {} object(s) for {}; nothing was created",
            sub.post.len() + 1,
            sub.submission_id()
        ));
        if let Some(format) = args.output {
            output::print_data(&output::render(&objects_list(sub)?, format)?)?;
        }
        return Ok(0);
    }
    if !args.skip_preflight {
        crate::preflight::check(&client, sub).await?;
    }
    if let Some(up) = &prepared.uploads {
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        tokio::select! {
            r = up.run() => r?,
            _ = &mut ctrl_c => {
                let e = Error::Other("interrupted while uploading; nothing was created in Kubernetes".into());
                output::info(&crate::error::Report(&up.with_rollback(e).await).to_string());
                return Ok(130);
            }
        }
    }
    if let Err(e) = apply::apply(&client, sub, false).await {
        return Err(match &prepared.uploads {
            Some(up) => up.with_rollback(e).await,
            None => e,
        });
    }
    let id = sub.submission_id();
    if !prepared.wait {
        output::info(&format!(
            "Deployed Spark application {} with application ID {} and submission ID {id} into Kubernetes",
            sub.app_name, sub.app_id
        ));
        output::print_data(&format!("{id}\n"))?;
        return Ok(0);
    }
    output::info(&format!(
        "Waiting for application {} with application ID {} and submission ID {id} to finish...",
        sub.app_name, sub.app_id
    ));
    let target = WaitTarget {
        namespace: &sub.namespace,
        pod_name: &sub.driver_pod_name,
        app_id: &sub.app_id,
        app_name: &sub.app_name,
        report_interval: prepared.report_interval,
    };
    let (outcome, last) = wait::wait(&client, &target).await;
    report_outcome(sub, &outcome, last.as_ref(), args.spark_exit_code)
}

fn report_outcome(
    sub: &Submission,
    outcome: &Outcome,
    last: Option<&k8s_openapi::api::core::v1::Pod>,
    spark_exit_code: bool,
) -> Result<u8> {
    let id = sub.submission_id();
    let ns = &sub.namespace;
    if *outcome == Outcome::Detached {
        output::info(&format!(
            "\nStopped watching; the application keeps running. Follow it with:\n  kubectl spark status {id}\n  \
             kubectl spark logs -f {id}\n  kubectl spark kill {id}   # to stop it"
        ));
        return Ok(130);
    }
    let statuses = last
        .map(|p| output::container_statuses(p, 1))
        .unwrap_or_default();
    if statuses.is_empty() {
        output::info("Container final statuses:\n\nNo containers were found in the driver pod.");
    } else {
        output::info(&format!("Container final statuses:\n{statuses}"));
    }
    output::info(&format!(
        "Application {} with application ID {} and submission ID {id} finished",
        sub.app_name, sub.app_id
    ));
    let verdict = match outcome {
        Outcome::Succeeded => return Ok(0),
        Outcome::Failed => format!("the driver pod {ns}/{} failed", sub.driver_pod_name),
        _ => format!(
            "the driver pod {ns}/{} was deleted before it finished",
            sub.driver_pod_name
        ),
    };
    if spark_exit_code {
        output::warn(&verdict);
        return Ok(0);
    }
    Err(Error::AppFailed(format!(
        "{verdict} (see `kubectl spark logs {id}`; pass --spark-exit-code to exit 0 like spark-submit)"
    )))
}
