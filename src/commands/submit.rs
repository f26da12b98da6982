//! `kubectl spark submit`: resolve → plan → (dry run | apply → wait) → report.

use std::time::Duration;

use crate::cli::{DryRun, KubeFlags, ObjectFormat, SubmitArgs};
use crate::conf::submit_args::{self, ArgsContext, Launch, SubmitOptions};
use crate::conf::{SparkConf, units, validate};
use crate::connect;
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

/// spark-submit options that mean nothing on Kubernetes, with why.
const NOT_FOR_KUBERNETES: &[(&str, &str)] = &[
    (
        "--supervise",
        "restarts a failed driver on Spark standalone and Mesos only; a Kubernetes driver pod is not restarted",
    ),
    (
        "--total-executor-cores",
        "applies to Spark standalone and Mesos; on Kubernetes use --num-executors and --executor-cores",
    ),
    (
        "--queue",
        "is a YARN queue; on Kubernetes use a namespace (-n) or a scheduler (spark.kubernetes.scheduler.name)",
    ),
];

/// The part of a suggested command that keeps the kube flags the user gave.
fn kube_flags_text(flags: &KubeFlags) -> String {
    let mut text = String::new();
    if let Some(k) = &flags.kubeconfig {
        text.push_str(&format!(" --kubeconfig {}", k.display()));
    }
    if let Some(c) = &flags.context {
        text.push_str(&format!(" --context {c}"));
    }
    if let Some(n) = &flags.namespace {
        text.push_str(&format!(" -n {n}"));
    }
    text
}

/// The primary resource must not be an option: clap hands an option it does not know to the
/// positional `RESOURCE [APP_ARGS]` (so that application arguments pass untouched), where
/// `--supervise` would become a local file to upload and `--kill ID` the application jar.
/// `--kill`/`--status` (what spark-submit users type) name the command to run instead; any
/// other option is an error naming it, with the nearest option of `submit`.
pub fn check_no_option_as_resource(flags: &KubeFlags, args: &SubmitArgs) -> Result<()> {
    let Some(first) = args.resource_and_args.first() else {
        return Ok(());
    };
    if !first.starts_with('-') || first == "-" {
        return Ok(());
    }
    let (option, inline) = match first.split_once('=') {
        Some((o, v)) => (o, Some(v.to_string())),
        None => (first.as_str(), None),
    };
    if let Some(command) = match option {
        "--kill" => Some("kill"),
        "--status" => Some("status"),
        _ => None,
    } {
        let app = inline
            .or_else(|| args.resource_and_args.get(1).cloned())
            .unwrap_or_else(|| "<submission id>".into());
        // A glob is quoted, so that the shell passes it on as typed.
        let app = if app.contains(['*', '?', '[']) {
            format!("'{app}'")
        } else {
            app
        };
        let spark_form = if command == "status" {
            " (-o spark prints spark-submit's status block)"
        } else {
            ""
        };
        return Err(Error::usage(
            format!(
                "spark-submit's {option} is a command of its own here: `submit` would take `{option}` for the application jar"
            ),
            format!(
                "run: kubectl spark{} {command} {app}{spark_form}",
                kube_flags_text(flags)
            ),
        ));
    }
    if let Some((_, why)) = NOT_FOR_KUBERNETES.iter().find(|(o, _)| *o == option) {
        return Err(Error::usage(
            format!("{option}: not supported on Kubernetes: spark-submit's {option} {why}"),
            "remove it; options go before the primary resource (see kubectl spark submit --help)",
        ));
    }
    use clap::CommandFactory;
    let cli = crate::cli::Cli::command();
    let known: Vec<String> = cli
        .get_arguments()
        .chain(
            cli.find_subcommand("submit")
                .into_iter()
                .flat_map(|c| c.get_arguments()),
        )
        .filter(|a| !a.is_hide_set())
        .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
        .collect();
    let candidates: Vec<&str> = known.iter().map(String::as_str).collect();
    let hint = match crate::conf::keys::closest(option, &candidates, 3) {
        Some(near) => format!("did you mean {near}? Options go before the primary resource (see kubectl spark submit --help)"),
        None => "options go before the primary resource (see kubectl spark submit --help); the application's own options go after it".into(),
    };
    Err(Error::usage(
        format!("unknown option {option} before the primary resource"),
        hint,
    ))
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
    /// `--timeout`: stop waiting after this long.
    pub timeout: Option<Duration>,
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
        .filter(|(k, v)| {
            crate::conf::is_secret_key(k) && !names_a_secret(k) && v != REDACTED && !v.is_empty()
        })
        .map(|(k, _)| (k, name.clone()))
        .collect()
}

/// Keys whose values name a Kubernetes Secret (`<secret>:<key>`, or a mount path) rather than
/// hold one, e.g. `spark.kubernetes.driver.secretKeyRef.AWS_SECRET_ACCESS_KEY`.
fn names_a_secret(key: &str) -> bool {
    ["driver", "executor"].iter().any(|role| {
        key.starts_with(&format!("spark.kubernetes.{role}.secretKeyRef."))
            || key.starts_with(&format!("spark.kubernetes.{role}.secrets."))
    })
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
    prepare_as(flags, args, Launch::Application).await
}

/// [`prepare`] for what `launch` says the driver runs: an application, or a Spark Connect
/// server ([`crate::connect`]: its properties, objects and token, drawn here).
pub async fn prepare_as(flags: &KubeFlags, args: &SubmitArgs, launch: Launch) -> Result<Prepared> {
    let mut target = kube::resolve(flags).await?;
    let now = jiff::Timestamp::now();
    let cwd = std::env::current_dir().map_err(|e| Error::io("reading the current directory", e))?;
    let ctx = ArgsContext {
        spark_conf_dir: resolve::spark_conf_dir(),
        default_master: Some(target.server()),
        cwd,
        now_millis: now.as_millisecond(),
    };
    let resolved = submit_args::resolve_launch(&to_options(args), &ctx, launch)?;
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
    if launch == Launch::ConnectServer && version_info.is_some() {
        let image = conf
            .get_non_empty("spark.kubernetes.container.image")
            .unwrap_or("(none)");
        if let Some(old) = connect::unsupported_image_version(image) {
            return Err(Error::usage(
                format!(
                    "image {image} is Spark {old}: `kubectl spark connect` needs Spark 3.5 or newer"
                ),
                "use an image of Spark 3.5 or 4.x, e.g. apache/spark:4.0.1",
            ));
        }
        return Err(Error::usage(
            format!(
                "cannot tell the Spark version of image {image}: a Connect server needs it (3.5 downloads the Connect jar, 4.0+ checks a token)"
            ),
            "pass --spark-version with the image's Spark version, e.g. --spark-version 4.0.5, or use an image whose tag starts with it",
        ));
    }
    let wait =
        !args.no_wait && conf.get_bool("spark.kubernetes.submission.waitAppCompletion", true)?;
    let timeout = wait_timeout(args.timeout.as_deref(), wait)?;
    let report_ms = match conf.get("spark.kubernetes.report.interval") {
        Some(v) => units::parse_duration_ms(v, 1)
            .map_err(|e| e.for_key("spark.kubernetes.report.interval"))?,
        None => 1000,
    };
    let env = resolve::capture_env(&conf, &mut warnings);
    let store_env = StoreEnv::capture();
    let inputs = resolve::read_inputs(&conf, &store_env).await?;
    let mut plan = Plan {
        ids: resolve::draw_ids(now.as_millisecond()),
        conf,
        namespace,
        spark_version,
        app: resolved.app,
        env,
        inputs,
        now,
    };
    let submission = match launch {
        Launch::Application => steps::build(&plan)?,
        Launch::ConnectServer => {
            let token = connect::supports_token(&plan.spark_version).then(connect::draw_token);
            warnings.extend(connect::configure(&mut plan, token.as_deref())?);
            connect::build(&plan, token.as_deref())?
        }
    };
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
        timeout,
        uploads,
    })
}

/// `--timeout`: a duration (0: no limit), only meaningful while waiting.
fn wait_timeout(text: Option<&str>, wait: bool) -> Result<Option<Duration>> {
    let Some(text) = text else { return Ok(None) };
    let timeout = crate::operate::duration::parse_flag("--timeout", text)?;
    if !wait {
        return Err(Error::usage(
            "--timeout limits the wait for the driver, but this submission does not wait \
             (--no-wait or spark.kubernetes.submission.waitAppCompletion=false)",
            "drop --timeout, or drop --no-wait / waitAppCompletion=false",
        ));
    }
    Ok((!timeout.is_zero()).then_some(timeout))
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
    check_no_option_as_resource(flags, &args)?;
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
    if !create(&client, &prepared).await? {
        return Ok(130);
    }
    let id = sub.submission_id();
    // On stdout as soon as the driver exists, waiting or not: a script captures it and still
    // gets the driver's exit code.
    output::print_data(&format!("{id}\n"))?;
    if !prepared.wait {
        output::info(&format!(
            "Deployed Spark application {} with application ID {} and submission ID {id} into Kubernetes",
            sub.app_name, sub.app_id
        ));
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
        timeout: prepared.timeout,
    };
    let (outcome, last) = wait::wait(&client, &target).await;
    let log_tail = match (&outcome, &last) {
        (Outcome::Failed, Some(pod)) if args.log_tail > 0 => Some(
            wait::driver_log_tail(&client, &sub.namespace, pod, args.log_tail)
                .await
                .map(|log| wait::render_log_tail(args.log_tail, &id, &log)),
        ),
        _ => None,
    };
    report_outcome(
        sub,
        &outcome,
        last.as_ref(),
        log_tail,
        args.spark_exit_code,
        args.timeout.as_deref(),
    )
}

/// The commands that follow an application still running.
fn follow_hint(id: &str) -> String {
    format!(
        "Follow it with:\n  kubectl spark status {id}\n  kubectl spark logs -f {id}\n  \
         kubectl spark kill {id}   # to stop it"
    )
}

/// Uploads the local files (Ctrl-C stops and deletes what was uploaded), then creates the
/// objects (a failure deletes the uploads again). Returns false when interrupted (nothing was
/// created then, and that was said).
pub async fn create(client: &::kube::Client, prepared: &Prepared) -> Result<bool> {
    let sub = &prepared.submission;
    if let Some(up) = &prepared.uploads {
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        tokio::select! {
            r = up.run() => r?,
            _ = &mut ctrl_c => {
                let e = Error::Other("interrupted while uploading; nothing was created in Kubernetes".into());
                output::info(&crate::error::Report(&up.with_rollback(e).await).to_string());
                return Ok(false);
            }
        }
    }
    if let Err(e) = apply::apply(client, sub, false).await {
        return Err(match &prepared.uploads {
            Some(up) => up.with_rollback(e).await,
            None => e,
        });
    }
    Ok(true)
}

fn report_outcome(
    sub: &Submission,
    outcome: &Outcome,
    last: Option<&k8s_openapi::api::core::v1::Pod>,
    log_tail: Option<std::result::Result<String, String>>,
    spark_exit_code: bool,
    timeout: Option<&str>,
) -> Result<u8> {
    let id = sub.submission_id();
    let ns = &sub.namespace;
    let pod = &sub.driver_pod_name;
    if *outcome == Outcome::Detached {
        output::info(&format!(
            "\nStopped watching; the application keeps running. {}",
            follow_hint(&id)
        ));
        return Ok(130);
    }
    if *outcome == Outcome::TimedOut {
        let state = match last.and_then(wait::driver_why) {
            Some(why) => format!("{} ({why})", wait::phase(last)),
            None => wait::phase(last).to_string(),
        };
        output::info(&format!(
            "\nStopped waiting; the application keeps running. {}",
            follow_hint(&id)
        ));
        return Err(Error::TimedOut(format!(
            "--timeout {}: the driver pod {ns}/{pod} is still {state}; the application keeps running",
            timeout.unwrap_or_default()
        )));
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
    match log_tail {
        Some(Ok(tail)) => output::info(&tail),
        Some(Err(e)) => output::warn(&format!("could not read the driver log: {e}")),
        None => {}
    }
    let (verdict, see) = match outcome {
        Outcome::Succeeded => return Ok(0),
        Outcome::Failed => (
            format!("the driver pod {ns}/{pod} failed"),
            format!("see `kubectl spark logs {id}` and `kubectl spark describe {id}`"),
        ),
        _ => (
            format!("the driver pod {ns}/{pod} was deleted before it finished"),
            // The pod and its log are gone: only the events (kept about an hour) remain.
            format!(
                "its log went with it; `kubectl get events -n {ns} --field-selector involvedObject.name={pod}` \
                 shows what happened to it"
            ),
        ),
    };
    if spark_exit_code {
        output::warn(&format!("{verdict} ({see})"));
        return Ok(0);
    }
    Err(Error::AppFailed(format!(
        "{verdict} ({see}; pass --spark-exit-code to exit 0 like spark-submit)"
    )))
}
