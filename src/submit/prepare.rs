//! Resolution of a submission, in one call: the arguments of `submit` (or `connect`) → the
//! [`Prepared`] submission — the client with the submission's credentials, the namespace, the
//! `SparkConf`, the target Spark version, the wait settings, the files it reads and uploads,
//! and the finished objects — before any API call (ripgrep's low-level → high-level
//! arguments: [`crate::submit::args`] is the low level). The command files only orchestrate
//! what follows: plan → apply → wait → report.
//!
//! The `SparkConf` is built in layers, highest precedence first: `--conf`, spark-submit's
//! flags, `--properties-file`, the conf directory's `spark-defaults.conf` (all in
//! [`submit_args`]); a manifest's `sparkConf` and fields come in as `--conf`s and flags. A
//! layer below these (defaults kept in the namespace) merges into the conf in
//! [`prepare_from`] once the namespace is known, before anything reads the conf, with
//! [`SparkConf::set_if_missing`].

use std::time::Duration;

use crate::cli::{KubeFlags, SubmitArgs};
use crate::conf::submit_args::{self, ArgsContext, Launch, SubmitOptions};
use crate::conf::{SparkConf, SparkVersion, keys, units, validate};
use crate::connect;
use crate::error::{Error, Result};
use crate::kube::{self, KubeTarget};
use crate::output;
use crate::store::settings::StoreEnv;
use crate::submit::args::to_options;
use crate::submit::plan::{Plan, PostObject, Submission};
use crate::submit::retry::{Retry, RetryPolicy};
use crate::submit::steps::credentials::REDACTED;
use crate::submit::upload::{self, Uploads};
use crate::submit::{apply, manifests, resolve, steps, target};

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

/// The one call from `submit`'s arguments to its resolved submissions: every document of the
/// `-f` manifest, or the command line's one application. Contacts no server.
pub async fn prepare_all(flags: &KubeFlags, args: &SubmitArgs) -> Result<PreparedAll> {
    let flag_policy = RetryPolicy::from_flags(args.retries, args.retry_interval.as_deref())?;
    let mut all = match &args.filename {
        Some(source) => manifests::prepare_manifests(flags, args, source).await?,
        None => PreparedAll {
            submissions: vec![prepare(flags, args).await?],
            bundled: Vec::new(),
            retries: vec![Retry {
                policy: RetryPolicy::default(),
                options: to_options(args),
                templates: resolve::GivenTemplates::default(),
                spark_version: args.spark_version.clone(),
                launch: Launch::Application,
            }],
        },
    };
    if args.retries.is_some() {
        if all.submissions.iter().any(|p| !p.wait) {
            return Err(Error::usage(
                "--retries resubmits a failed application while waiting for it, but this \
                 submission does not wait (--no-wait or spark.kubernetes.submission.waitAppCompletion=false)",
                "drop --retries, or drop --no-wait / waitAppCompletion=false",
            ));
        }
        // The flag wins over a manifest's restartPolicy.
        for r in &mut all.retries {
            r.policy = flag_policy;
        }
    }
    Ok(all)
}

/// [`prepare_from`] again for attempt `attempt` of a resubmission: the same inputs, new ids
/// ([`Retry::options_for`]).
pub async fn prepare_again(
    flags: &KubeFlags,
    args: &SubmitArgs,
    r: &Retry,
    attempt: u32,
) -> Result<Prepared> {
    prepare_from(
        flags,
        args,
        &r.options_for(attempt),
        &r.templates,
        r.spark_version.as_deref(),
        r.launch,
    )
    .await
}

/// Everything `submit` resolved: the submissions, and the plain objects a `-f` file bundles
/// with them ([`crate::manifest::bundle`]), each with the namespace it goes to.
pub struct PreparedAll {
    /// One per application, in file order.
    pub submissions: Vec<Prepared>,
    /// Created first, in file order.
    pub bundled: Vec<(crate::manifest::bundle::PlainObject, String)>,
    /// How to resubmit each submission (same order).
    pub retries: Vec<Retry>,
}

/// Resolves and plans a submission; reads only the namespace defaults from the server.
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
    let now = jiff::Timestamp::now();
    let (mut target, ctx, mut resolved) = conf_and_target(flags, options, launch, now).await?;
    let namespace = resolve::namespace(
        &resolved.conf,
        flags.namespace.as_deref(),
        &target.namespace,
    )?;
    // Defaults kept in the namespace (the lowest layer), read once the namespace is known:
    // the options are resolved again with them under every other layer, so that spark-submit's
    // own processing (a Java primary appended to `spark.jars`, URIs made absolute) sees them
    // as it sees `spark-defaults.conf`.
    let found = read_namespace_defaults(&target, &resolved.conf, flags, &namespace, args).await?;
    let applied = match found.defaults() {
        Some(d) => {
            let applied = d.applied_to(&resolved.conf);
            let ctx = ArgsContext {
                namespace_defaults: d.layer(),
                ..ctx
            };
            resolved = submit_args::resolve_launch(options, &ctx, launch)?;
            applied
        }
        None => Vec::new(),
    };
    crate::defaults::cluster::announce(&found, &namespace, &applied);
    let mut conf = resolved.conf;
    let namespace = namespace_into_conf(&mut conf, flags, &target)?;
    let mut warnings = resolved.warnings;
    let near_miss = keys::explain_near_misses;
    warnings.extend(validate::validate(&conf).map_err(|e| near_miss(e, &conf))?);
    target::apply_submission_auth(&mut target, &conf, flags.request_timeout.is_some())?;
    let spark_version = target_version(spark_version, &conf, launch, &mut warnings)?;
    let waiting = Waiting::of(args, &conf)?;
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
        Launch::Application | Launch::ThriftServer => steps::build(&plan),
        Launch::ConnectServer => {
            let token = connect::supports_token(&plan.spark_version).then(connect::draw_token);
            warnings.extend(connect::configure(&mut plan, token.as_deref())?);
            connect::build(&plan, token.as_deref())
        }
        Launch::HistoryServer => {
            crate::history::configure(&mut plan)?;
            crate::history::build(&plan)
        }
    }
    .map_err(|e| near_miss(e, &plan.conf))?;
    let mut submission = submission;
    crate::defaults::mark_applied(&mut submission.pod, &applied);
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
        wait: waiting.wait,
        report_interval: waiting.report_interval,
        timeout: waiting.timeout,
        uploads,
    })
}

/// The kube target of the flags and the spark-submit options resolved into a `SparkConf`
/// (the layers of the module comment); `spark.kubernetes.context` picks the target's context
/// when `--context` does not.
async fn conf_and_target(
    flags: &KubeFlags,
    options: &SubmitOptions,
    launch: Launch,
    now: jiff::Timestamp,
) -> Result<(KubeTarget, ArgsContext, submit_args::ResolvedArgs)> {
    let mut target = kube::resolve(flags).await?;
    let cwd = std::env::current_dir().map_err(|e| Error::io("reading the current directory", e))?;
    let ctx = ArgsContext {
        spark_conf_dir: resolve::spark_conf_dir(),
        default_master: Some(target.server()),
        cwd,
        now_millis: now.as_millisecond(),
        namespace_defaults: SparkConf::new(),
    };
    let resolved = submit_args::resolve_launch(options, &ctx, launch)?;
    if let Some(ctx_name) = resolved.conf.get_non_empty("spark.kubernetes.context")
        && flags.context.is_none()
    {
        let mut f = flags.clone();
        f.context = Some(ctx_name.to_string());
        target = kube::resolve(&f).await?;
    }
    Ok((target, ctx, resolved))
}

/// Reads the namespace's defaults with the submission's own credentials. A client dry run
/// reads them too (it shows what a submission would create), but quietly goes on without them
/// when the server cannot be asked.
async fn read_namespace_defaults(
    target: &KubeTarget,
    conf: &SparkConf,
    flags: &KubeFlags,
    namespace: &str,
    args: &SubmitArgs,
) -> Result<crate::defaults::cluster::Found> {
    use crate::defaults::cluster::{self, Found};
    let mut reader = target.clone();
    target::apply_submission_auth(&mut reader, conf, flags.request_timeout.is_some())?;
    let client_dry_run = args.dry_run == Some(crate::cli::DryRun::Client);
    if client_dry_run {
        reader.config.connect_timeout = Some(Duration::from_secs(2));
        reader.config.read_timeout = Some(Duration::from_secs(2));
    }
    let client = reader.client()?;
    Ok(match cluster::read(&client, namespace).await {
        Ok(Found::Unreadable(why)) if client_dry_run => {
            tracing::info!("namespace defaults not read for the dry run: {why}");
            Found::None
        }
        Err(e) if client_dry_run => {
            tracing::info!("namespace defaults not read for the dry run: {e}");
            Found::None
        }
        // No server at all: bad input is still reported as such (exit 2) by the validation
        // that follows, and the next API call (preflight, create) gives the one-line error.
        Err(e @ crate::error::Error::Api { code: None, .. }) => {
            tracing::info!("namespace defaults not read: {e}");
            Found::None
        }
        other => other?,
    })
}

/// The submission's namespace ([`resolve::namespace`]), written into the conf: the driver
/// reads its namespace from `spark.kubernetes.namespace` (default `default`), so a namespace
/// chosen by `-n` or the context must reach it.
fn namespace_into_conf(
    conf: &mut SparkConf,
    flags: &KubeFlags,
    target: &KubeTarget,
) -> Result<String> {
    let namespace = resolve::namespace(conf, flags.namespace.as_deref(), &target.namespace)?;
    if conf.get_non_empty(resolve::NAMESPACE_KEY).is_none() && namespace != "default" {
        conf.set(resolve::NAMESPACE_KEY, namespace.clone());
    }
    Ok(namespace)
}

/// The target Spark version ([`resolve::spark_version`]); a guess is a warning for an
/// application and an error for a Connect server (which cannot be configured without it).
fn target_version(
    flag: Option<&str>,
    conf: &SparkConf,
    launch: Launch,
    warnings: &mut Vec<String>,
) -> Result<SparkVersion> {
    let (spark_version, version_guess) = resolve::spark_version(flag, conf)?;
    if launch == Launch::ConnectServer && version_guess.is_some() {
        return Err(connect_version_unknown(conf));
    }
    warnings.extend(version_guess);
    Ok(spark_version)
}

/// How `submit` waits for the driver.
struct Waiting {
    wait: bool,
    timeout: Option<Duration>,
    report_interval: Duration,
}

impl Waiting {
    /// `--no-wait`, `--timeout` and Spark's `waitAppCompletion` and `report.interval`.
    fn of(args: &SubmitArgs, conf: &SparkConf) -> Result<Waiting> {
        let wait = !args.no_wait
            && conf.get_bool("spark.kubernetes.submission.waitAppCompletion", true)?;
        let timeout = wait_timeout(args.timeout.as_deref(), wait)?;
        let report_ms = match conf.get("spark.kubernetes.report.interval") {
            Some(v) => units::parse_duration_ms(v, 1)
                .map_err(|e| e.for_key("spark.kubernetes.report.interval"))?,
            None => 1000,
        };
        Ok(Waiting {
            wait,
            timeout,
            report_interval: Duration::from_millis(report_ms.max(1) as u64),
        })
    }
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
