//! `kubectl spark submit`: resolve → plan → (dry run | apply → wait) → report.

use std::time::Duration;

use crate::cli::{DryRun, KubeFlags, ObjectFormat, SubmitArgs};
use crate::conf::submit_args::{self, ArgsContext, Launch, SubmitOptions};
use crate::conf::{SparkConf, keys, units, validate};
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
fn apply_submission_auth(
    target: &mut KubeTarget,
    conf: &SparkConf,
    request_timeout_flag: bool,
) -> Result<()> {
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
            // --request-timeout, when given and shorter, still bounds connecting.
            target.config.connect_timeout = match (d, target.config.connect_timeout) {
                (Some(d), Some(flag)) if request_timeout_flag => Some(d.min(flag)),
                (None, flag) if request_timeout_flag => flag,
                _ => d,
            };
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
    prepare_as(flags, args, Launch::Application).await
}

/// [`prepare`] for what `launch` says the driver runs: an application, or a Spark Connect
/// server ([`crate::connect`]: its properties, objects and token, drawn here).
pub async fn prepare_as(flags: &KubeFlags, args: &SubmitArgs, launch: Launch) -> Result<Prepared> {
    prepare_from(
        flags,
        args,
        &to_options(args),
        &resolve::GivenTemplates::default(),
        args.spark_version.as_deref(),
        launch,
    )
    .await
}

/// [`prepare`] from spark-submit options built elsewhere (a manifest), with pod templates
/// given in memory and the target Spark version to use when `--spark-version` is absent.
pub async fn prepare_from(
    flags: &KubeFlags,
    args: &SubmitArgs,
    options: &SubmitOptions,
    templates: &resolve::GivenTemplates,
    spark_version: Option<&str>,
    launch: Launch,
) -> Result<Prepared> {
    let mut target = kube::resolve(flags).await?;
    let now = jiff::Timestamp::now();
    let cwd = std::env::current_dir().map_err(|e| Error::io("reading the current directory", e))?;
    let ctx = ArgsContext {
        spark_conf_dir: resolve::spark_conf_dir(),
        default_master: Some(target.server()),
        cwd,
        now_millis: now.as_millisecond(),
    };
    let resolved = submit_args::resolve_launch(options, &ctx, launch)?;
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
    let near_miss = keys::explain_near_misses;
    warnings.extend(validate::validate(&conf).map_err(|e| near_miss(e, &conf))?);
    apply_submission_auth(&mut target, &conf, flags.request_timeout.is_some())?;
    let (spark_version, version_guess) = resolve::spark_version(spark_version, &conf)?;
    if launch == Launch::ConnectServer && version_guess.is_some() {
        return Err(connect_version_unknown(&conf));
    }
    warnings.extend(version_guess);
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
    let inputs = resolve::read_inputs_with(&conf, &store_env, templates)
        .await
        .map_err(|e| near_miss(e, &conf))?;
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
        Launch::Application => steps::build(&plan),
        Launch::ConnectServer => {
            let token = connect::supports_token(&plan.spark_version).then(connect::draw_token);
            warnings.extend(connect::configure(&mut plan, token.as_deref())?);
            connect::build(&plan, token.as_deref())
        }
    }
    .map_err(|e| near_miss(e, &plan.conf))?;
    let uploads = upload::check(&submission.uploads, &plan.conf, &store_env)
        .map_err(|e| near_miss(e, &plan.conf))?;
    warnings.extend(configmap_secret_warning(&submission));
    for info in &resolved.infos {
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
    let prepared = match &args.filename {
        Some(source) => prepare_manifests(flags, &args, source).await?,
        None => vec![prepare(flags, &args).await?],
    };
    run_prepared(&prepared, &args, dry_run).await
}

/// Creates (or dry-runs) every prepared submission, then waits for each in turn.
async fn run_prepared(all: &[Prepared], args: &SubmitArgs, dry_run: DryRun) -> Result<u8> {
    if dry_run != DryRun::None {
        for up in all.iter().filter_map(|p| p.uploads.as_ref()) {
            output::info(&format!(
                "dry run: {} local file(s) ({}) would be uploaded to {}; nothing was uploaded",
                up.len(),
                indicatif::HumanBytes(up.total_bytes()),
                up.destination()
            ));
        }
    }
    let list = || -> Result<serde_json::Value> {
        let mut items = Vec::new();
        for p in all {
            if let Some(serde_json::Value::Array(more)) = objects_list(&p.submission)?.get("items")
            {
                items.extend(more.iter().cloned());
            }
        }
        output::object_list(&items)
    };
    if dry_run == DryRun::Client {
        let format = args.output.unwrap_or(ObjectFormat::Yaml);
        output::print_data(&output::render(&list()?, format)?)?;
        return Ok(0);
    }
    let clients = all
        .iter()
        .map(|p| p.target.client())
        .collect::<Result<Vec<_>>>()?;
    if dry_run == DryRun::Server {
        for (p, client) in all.iter().zip(&clients) {
            let sub = &p.submission;
            apply::apply(client, sub, true).await?;
            output::info(&format!(
                "server dry run: the API server accepted {} object(s) for {}; nothing was created",
                sub.post.len() + 1,
                sub.submission_id()
            ));
        }
        if let Some(format) = args.output {
            output::print_data(&output::render(&list()?, format)?)?;
        }
        return Ok(0);
    }
    if !args.skip_preflight {
        for (p, client) in all.iter().zip(&clients) {
            crate::preflight::check(client, &p.target, &p.submission).await?;
        }
    }
    for (p, client) in all.iter().zip(&clients) {
        if let Some(code) = create_and_announce(p, client).await? {
            return Ok(code);
        }
    }
    let mut worst: Result<u8> = Ok(0);
    for (p, client) in all.iter().zip(&clients) {
        let sub = &p.submission;
        let id = sub.submission_id();
        if !p.wait {
            output::info(&format!(
                "Deployed Spark application {} with application ID {} and submission ID {id} into Kubernetes",
                sub.app_name, sub.app_id
            ));
            continue;
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
            report_interval: p.report_interval,
            timeout: p.timeout,
        };
        let (outcome, last) = wait::wait(client, &target).await;
        let log_tail = match (&outcome, &last) {
            (Outcome::Failed, Some(pod)) if args.log_tail > 0 => Some(
                wait::driver_log_tail(client, &sub.namespace, pod, args.log_tail)
                    .await
                    .map(|log| wait::render_log_tail(args.log_tail, &id, &log)),
            ),
            _ => None,
        };
        match report_outcome(
            sub,
            &outcome,
            last.as_ref(),
            log_tail,
            args.spark_exit_code,
            args.timeout.as_deref(),
        ) {
            Ok(130) => return Ok(130),
            Ok(_) => {}
            Err(e) if all.len() == 1 => return Err(e),
            // The first failure is the command's error (printed last); later ones are warned.
            Err(e) if worst.is_err() => output::warn(&e.to_string()),
            Err(e) => worst = Err(e),
        }
    }
    worst
}

/// Uploads a submission's local files and creates its objects, then prints its submission id
/// on stdout. `Some(code)` when interrupted.
async fn create_and_announce(p: &Prepared, client: &::kube::Client) -> Result<Option<u8>> {
    if !create(client, p).await? {
        return Ok(Some(130));
    }
    // On stdout as soon as the driver exists, waiting or not: a script captures it and still
    // gets the driver's exit code.
    output::print_data(&format!("{}\n", p.submission.submission_id()))?;
    Ok(None)
}

/// Uploads the local files (Ctrl-C stops and deletes what was uploaded), then creates the
/// objects (a failure deletes the uploads again). Returns false when interrupted (nothing was
/// created then, and that was said).
pub async fn create(client: &::kube::Client, p: &Prepared) -> Result<bool> {
    let sub = &p.submission;
    if let Some(up) = &p.uploads {
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
        return Err(match &p.uploads {
            Some(up) => up.with_rollback(e).await,
            None => e,
        });
    }
    Ok(true)
}

/// The error when a Connect server's Spark version cannot be told from its image.
fn connect_version_unknown(conf: &SparkConf) -> Error {
    let image = conf
        .get_non_empty("spark.kubernetes.container.image")
        .unwrap_or("(none)");
    if let Some(old) = connect::unsupported_image_version(image) {
        return Error::usage(
            format!(
                "image {image} is Spark {old}: `kubectl spark connect` needs Spark 3.5 or newer"
            ),
            "use an image of Spark 3.5 or 4.x, e.g. apache/spark:4.0.1",
        );
    }
    Error::usage(
        format!(
            "cannot tell the Spark version of image {image}: a Connect server needs it (3.5 downloads the Connect jar, 4.0+ checks a token)"
        ),
        "pass --spark-version with the image's Spark version, e.g. --spark-version 4.0.5, or use an image whose tag starts with it",
    )
}

/// The commands that follow an application still running.
fn follow_hint(id: &str) -> String {
    format!(
        "Follow it with:\n  kubectl spark status {id}\n  kubectl spark logs -f {id}\n  \
         kubectl spark kill {id}   # to stop it"
    )
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

/// The flags that name the application themselves, which a manifest replaces.
fn flags_replaced_by_manifest(args: &SubmitArgs) -> Vec<&'static str> {
    let given: [(&'static str, bool); 23] = [
        ("--name", args.name.is_some()),
        ("--class", args.class.is_some()),
        ("--properties-file", args.properties_file.is_some()),
        ("--load-spark-defaults", args.load_spark_defaults),
        ("--jars", args.jars.is_some()),
        ("--files", args.files.is_some()),
        ("--archives", args.archives.is_some()),
        ("--py-files", args.py_files.is_some()),
        ("--packages", args.packages.is_some()),
        ("--repositories", args.repositories.is_some()),
        ("--exclude-packages", args.exclude_packages.is_some()),
        ("--driver-memory", args.driver_memory.is_some()),
        ("--driver-cores", args.driver_cores.is_some()),
        ("--executor-memory", args.executor_memory.is_some()),
        ("--executor-cores", args.executor_cores.is_some()),
        ("--num-executors", args.num_executors.is_some()),
        ("--driver-java-options", args.driver_java_options.is_some()),
        ("--driver-class-path", args.driver_class_path.is_some()),
        ("--driver-library-path", args.driver_library_path.is_some()),
        ("--proxy-user", args.proxy_user.is_some()),
        ("--principal", args.principal.is_some()),
        ("--keytab", args.keytab.is_some()),
        ("RESOURCE [APP_ARGS]", !args.resource_and_args.is_empty()),
    ];
    given
        .into_iter()
        .filter(|(_, set)| *set)
        .map(|(f, _)| f)
        .collect()
}

/// Reads and translates the manifest(s) named by `-f`, then prepares every document before
/// anything is created: one bad document fails them all.
async fn prepare_manifests(
    flags: &KubeFlags,
    args: &SubmitArgs,
    source: &str,
) -> Result<Vec<Prepared>> {
    let replaced = flags_replaced_by_manifest(args);
    if !replaced.is_empty() {
        return Err(Error::usage(
            format!(
                "-f {source}: the manifest describes the application; {} cannot be combined with it",
                replaced.join(", ")
            ),
            "put the setting in the manifest (or pass it as --conf key=value, which is applied \
             after the manifest's own properties)",
        ));
    }
    let text = crate::commands::convert::read_source(source).await?;
    let now = jiff::Timestamp::now();
    let docs = crate::manifest::translate_all(&text, source, now.as_nanosecond())?;
    let warnings: Vec<String> = docs
        .iter()
        .flat_map(|d| d.warnings.iter().cloned())
        .collect();
    if args.strict && !warnings.is_empty() {
        return Err(Error::usage(
            format!(
                "--strict: the manifest uses fields only an operator acts on:\n  {}",
                warnings.join("\n  ")
            ),
            "remove these fields, or drop --strict to submit with warnings",
        ));
    }
    for w in &warnings {
        output::warn(w);
    }
    let store_env = StoreEnv::capture();
    let mut prepared = Vec::new();
    for doc in &docs {
        if let (Some(flag), Some(ns)) = (&flags.namespace, &doc.namespace)
            && flag != ns
        {
            return Err(Error::usage(
                format!("{}: metadata.namespace is {ns} but -n is {flag}", doc.label),
                "drop -n, or change metadata.namespace (like kubectl apply -f, the two must agree)",
            ));
        }
        let mut options = doc.options.clone();
        let mut given = resolve::GivenTemplates::default();
        for role in [
            crate::manifest::Role::Driver,
            crate::manifest::Role::Executor,
        ] {
            if !doc.needs_template(role) {
                continue;
            }
            let key = role.template_file_key();
            let named = match (&doc.template(role).inline, doc.conf_value(&key)) {
                (None, Some(file)) if !file.is_empty() => {
                    let text =
                        resolve::read_template(&key, &file, &SparkConf::new(), &store_env).await?;
                    Some(crate::submit::steps::pod_template::parse_template(
                        &text, &key,
                    )?)
                }
                _ => None,
            };
            let Some(built) = crate::manifest::build_template(doc, role, named) else {
                continue;
            };
            crate::manifest::add_template_confs(&mut options, role, &built);
            match role {
                crate::manifest::Role::Driver => given.driver = Some(built.pod),
                crate::manifest::Role::Executor => {
                    let mut value = serde_json::to_value(&built.pod)
                        .map_err(|e| Error::Other(e.to_string()))?;
                    // The Pod type always writes `containers`; a template without any leaves
                    // it out, as the operators write it.
                    if let Some(spec) = value.get_mut("spec").and_then(|s| s.as_object_mut())
                        && spec.get("containers") == Some(&serde_json::json!([]))
                    {
                        spec.remove("containers");
                    }
                    given.executor = Some(output::render(&value, ObjectFormat::Yaml)?);
                }
            }
        }
        options.master = args.master.clone();
        options.deploy_mode = args.deploy_mode.clone();
        options.confs.extend(args.conf.iter().cloned());
        let version = match (&args.spark_version, &doc.spark_version) {
            (Some(v), _) => Some(v.clone()),
            (None, Some(v)) => match crate::conf::SparkVersion::parse(v) {
                Ok(_) => Some(v.clone()),
                Err(_) => {
                    output::warn(&format!(
                        "{}: Spark {v} (the manifest's Spark version) is not a version \
                         kubectl-spark targets; using the image tag's version instead",
                        doc.label
                    ));
                    None
                }
            },
            (None, None) => None,
        };
        prepared.push(
            prepare_from(
                flags,
                args,
                &options,
                &given,
                version.as_deref(),
                Launch::Application,
            )
            .await?,
        );
    }
    Ok(prepared)
}
