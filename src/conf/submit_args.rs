//! spark-submit's command line mapped onto a [`SparkConf`] (§1.1 and §2.1 of the spec): the
//! properties files, `--conf`, the flag → key table, master URL normalisation, deploy mode,
//! app name, primary resource and URI resolution — what `SparkSubmitArguments` and
//! `SparkSubmit.prepareSubmitEnvironment` do before the Kubernetes client runs.
//!
//! Everything here is pure apart from reading the properties files: the environment comes
//! in through [`ArgsContext`].

use std::path::{Path, PathBuf};

use crate::conf::units::{self, ByteUnit};
use crate::conf::{SparkConf, properties};
use crate::error::{Error, Result};
use crate::submit::plan::{AppSpec, ResourceType};

/// The primary resource spark-submit uses for "no resource": the main class is already on
/// the image's classpath.
pub const SPARK_INTERNAL: &str = "spark-internal";

/// spark-submit's options, as plain data (the CLI layer fills this from its flags). Every
/// value is kept as the user wrote it; [`resolve`] interprets them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubmitOptions {
    /// `--master`.
    pub master: Option<String>,
    /// `--deploy-mode` (only `cluster` is accepted).
    pub deploy_mode: Option<String>,
    /// `--name`.
    pub name: Option<String>,
    /// `--class`.
    pub class: Option<String>,
    /// `--conf`/`-c` values in command-line order, each raw `key=value`.
    pub confs: Vec<String>,
    /// `--properties-file` (relative paths are read from [`ArgsContext::cwd`]).
    pub properties_file: Option<PathBuf>,
    /// `--load-spark-defaults` (Spark 4.0+): also load `spark-defaults.conf` when
    /// `--properties-file` is given (the explicit file wins).
    pub load_spark_defaults: bool,
    /// `--jars`, comma-separated.
    pub jars: Option<String>,
    /// `--files`, comma-separated.
    pub files: Option<String>,
    /// `--archives`, comma-separated (`#name` fragments allowed).
    pub archives: Option<String>,
    /// `--py-files`, comma-separated.
    pub py_files: Option<String>,
    /// `--packages`, comma-separated Maven coordinates. Written to `spark.jars.packages` for
    /// the driver to resolve (Spark 4.0+ behaviour). Spark 3.5's spark-submit also resolved
    /// them with Ivy on the submitting machine and merged the jar paths into `spark.jars`
    /// (and `spark.submit.pyFiles` for Python), uploading them; that needs Ivy, which we do
    /// not have, so the caller warns when targeting 3.5.
    pub packages: Option<String>,
    /// `--repositories`, comma-separated.
    pub repositories: Option<String>,
    /// `--exclude-packages`, comma-separated `group:artifact`.
    pub exclude_packages: Option<String>,
    /// `--driver-memory`.
    pub driver_memory: Option<String>,
    /// `--driver-cores`.
    pub driver_cores: Option<String>,
    /// `--executor-memory`.
    pub executor_memory: Option<String>,
    /// `--executor-cores`.
    pub executor_cores: Option<String>,
    /// `--num-executors`.
    pub num_executors: Option<String>,
    /// `--driver-java-options`.
    pub driver_java_options: Option<String>,
    /// `--driver-class-path`.
    pub driver_class_path: Option<String>,
    /// `--driver-library-path`.
    pub driver_library_path: Option<String>,
    /// `--proxy-user`.
    pub proxy_user: Option<String>,
    /// `--principal`.
    pub principal: Option<String>,
    /// `--keytab`.
    pub keytab: Option<String>,
    /// The primary resource (jar, `.py`, `.R`, or `spark-internal`), if given.
    pub primary_resource: Option<String>,
    /// Arguments after the primary resource, passed to the application untouched.
    pub app_args: Vec<String>,
}

/// Inputs [`resolve`] takes from the environment, read by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgsContext {
    /// The directory holding `spark-defaults.conf`: `SPARK_CONF_DIR`, else
    /// `$SPARK_HOME/conf`, else none (Spark's `Utils.getDefaultPropertiesFile`).
    pub spark_conf_dir: Option<PathBuf>,
    /// The API server URL of the kubeconfig context in use (e.g. `https://10.0.0.1:6443`),
    /// used as `k8s://<url>` when neither `--master` nor `spark.master` is given.
    pub default_master: Option<String>,
    /// The current directory: relative paths become absolute against it.
    pub cwd: PathBuf,
    /// The clock, in epoch milliseconds (for `spark.app.submitTime`).
    pub now_millis: i64,
    /// The namespace's Spark defaults ([`crate::defaults`]): the lowest layer, filling only
    /// keys that no file, flag or `--conf` set. Empty without defaults.
    pub namespace_defaults: SparkConf,
}

/// The result of [`resolve`]: the submitting configuration and the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedArgs {
    /// The SparkConf after spark-submit's processing (§2.1): the content of
    /// `spark.properties` before the Kubernetes steps add their keys.
    pub conf: SparkConf,
    /// The application. Its `primary_resource` is the *resolved* URI, as spark-submit hands
    /// it on (`./app.py` → `file:/abs/app.py`; `local://…`, `s3a://…` unchanged); `None` for
    /// `spark-internal`. `main_class` is set for Java apps only.
    pub app: AppSpec,
    /// Warnings Spark would log (`Ignoring non-Spark config property: …`, HTTP master).
    pub warnings: Vec<String>,
    /// Informational lines Spark would log (which properties files were read, master URL
    /// defaulted to https).
    pub infos: Vec<String>,
}

/// The normalised Kubernetes master URL and what Spark logs while normalising it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalisedMaster {
    /// `k8s://https://…` (or `k8s://http://…`): the value of `spark.master`.
    pub url: String,
    /// The info line Spark logs when it added `https://`.
    pub info: Option<String>,
    /// The warning Spark logs for an `http://` URL.
    pub warning: Option<String>,
}

impl NormalisedMaster {
    /// The API server URL: the master without `k8s://` (§1.1 step 5).
    pub fn api_server(&self) -> &str {
        &self.url["k8s://".len()..]
    }
}

/// The spark-submit flags that set one Spark property each, with that property (flags win
/// over `--conf`).
pub fn flag_conf_keys(opts: &SubmitOptions) -> [(&Option<String>, &'static str); 15] {
    [
        (&opts.driver_memory, "spark.driver.memory"),
        (&opts.driver_cores, "spark.driver.cores"),
        (&opts.executor_memory, "spark.executor.memory"),
        (&opts.executor_cores, "spark.executor.cores"),
        (&opts.num_executors, "spark.executor.instances"),
        (&opts.driver_class_path, "spark.driver.extraClassPath"),
        (&opts.driver_java_options, "spark.driver.extraJavaOptions"),
        (&opts.driver_library_path, "spark.driver.extraLibraryPath"),
        (&opts.packages, "spark.jars.packages"),
        (&opts.repositories, "spark.jars.repositories"),
        (&opts.exclude_packages, "spark.jars.excludes"),
        (&opts.jars, "spark.jars"),
        (&opts.files, "spark.files"),
        (&opts.archives, "spark.archives"),
        (&opts.py_files, "spark.submit.pyFiles"),
    ]
}

/// Resolves spark-submit's options into the submitting configuration (§2.1, §1.1):
///
/// 1. `--conf` pairs, then the properties file fills keys `--conf` did not set
///    (`--properties-file`, else `spark_conf_dir/spark-defaults.conf`; with
///    `--load-spark-defaults` both, the explicit file first); file values are trimmed;
///    non-`spark.` keys are dropped with Spark's warning;
/// 2. explicit flags win over the configuration (`--driver-memory` over `spark.driver.memory`);
/// 3. master: `--master`, else `spark.master`, else `k8s://` + the kubeconfig server, then
///    normalised ([`normalise_master`]); only Kubernetes masters and cluster mode are
///    accepted;
/// 4. app name: `--name`, `spark.app.name`, `--class`, else the primary resource's file name;
/// 5. a Java primary resource is appended to `spark.jars`; `spark.jars`, `spark.files`,
///    `spark.archives` and `spark.submit.pyFiles` entries become absolute URIs
///    ([`resolve_uri`]); `spark.submit.pyFiles` is always written; `spark.driver.host` is
///    removed; `spark.app.submitTime` is set if absent.
pub fn resolve(opts: &SubmitOptions, ctx: &ArgsContext) -> Result<ResolvedArgs> {
    resolve_launch(opts, ctx, Launch::Application)
}

/// What the driver pod runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Launch {
    /// The user's application: a primary resource and/or `--class` (`submit`).
    #[default]
    Application,
    /// Spark's Connect server (`kubectl spark connect`): the class is fixed, there is no
    /// primary resource, and the app name defaults to `spark-connect`.
    ConnectServer,
    /// Spark's Thrift server ([`THRIFT_SERVER_CLASS`]) from an operator manifest: like an
    /// application, but the class spark-submit refuses in cluster mode is accepted, because
    /// the driver pod runs it in client mode (as the operators do).
    ThriftServer,
    /// Spark's History Server (`kubectl spark history`, [`crate::history`]): the class is
    /// fixed, there is no primary resource, the app name defaults to `spark-history-server`.
    HistoryServer,
}

/// The Spark Thrift server's main class.
pub const THRIFT_SERVER_CLASS: &str = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2";

/// The Spark Connect server's main class.
pub const CONNECT_SERVER_CLASS: &str = "org.apache.spark.sql.connect.service.SparkConnectServer";
/// The app name of a Connect server when none is given.
pub const CONNECT_DEFAULT_NAME: &str = "spark-connect";

/// [`resolve`] for what `launch` says the driver runs. For a Connect server the options that
/// name an application (`--class`, a primary resource, application arguments) and client
/// deploy mode are errors, and the class is [`CONNECT_SERVER_CLASS`].
pub fn resolve_launch(
    opts: &SubmitOptions,
    ctx: &ArgsContext,
    launch: Launch,
) -> Result<ResolvedArgs> {
    if launch == Launch::ConnectServer {
        check_connect_options(opts)?;
        let mut server = opts.clone();
        server.class = Some(CONNECT_SERVER_CLASS.to_string());
        return resolve_any(&server, ctx, launch);
    }
    if launch == Launch::HistoryServer {
        // Built by `history` itself: never an application, a class or client mode.
        let mut server = opts.clone();
        server.class = Some(crate::history::HISTORY_SERVER_CLASS.to_string());
        server.primary_resource = None;
        server.app_args.clear();
        server.deploy_mode = None;
        return resolve_any(&server, ctx, launch);
    }
    resolve_any(opts, ctx, launch)
}

/// What makes no sense for a Connect server: an application, or the driver on this machine.
fn check_connect_options(opts: &SubmitOptions) -> Result<()> {
    if let Some(class) = &opts.class {
        return Err(Error::usage(
            format!(
                "--class {class}: `kubectl spark connect` always runs Spark's Connect server ({CONNECT_SERVER_CLASS})"
            ),
            "leave out --class; to run an application of your own use `kubectl spark submit`",
        ));
    }
    if let Some(resource) = &opts.primary_resource {
        let args = if opts.app_args.is_empty() {
            String::new()
        } else {
            format!(" {}", opts.app_args.join(" "))
        };
        return Err(Error::usage(
            format!(
                "unexpected `{resource}{args}`: `kubectl spark connect [NAME]` takes no application or arguments"
            ),
            "give the server's code with --jars, --packages or --py-files; clients send their own code; run applications with `kubectl spark submit`",
        ));
    }
    if let Some(mode) = opts.deploy_mode.as_deref().filter(|m| *m != "cluster") {
        return Err(Error::usage(
            format!(
                "--deploy-mode {mode}: a Connect server started by `kubectl spark connect` always runs in a pod (spark-submit's client mode inside that pod); nothing runs on this machine but the tunnel"
            ),
            "leave out --deploy-mode",
        ));
    }
    Ok(())
}

/// Step 1 of [`resolve`] alone: `--conf`, then the properties files for the keys `--conf` did
/// not set, without non-`spark.` keys. Returns the properties, warnings and infos. Also what
/// `doctor --conf` reads, so that it sees the settings a submission would.
pub fn layered_properties(
    opts: &SubmitOptions,
    ctx: &ArgsContext,
) -> Result<(SparkConf, Vec<String>, Vec<String>)> {
    let mut warnings = Vec::new();
    let mut infos = Vec::new();
    // --conf, then the properties files for the keys --conf did not set.
    let mut props = SparkConf::new();
    for raw in &opts.confs {
        let (key, value) = parse_conf(raw)?;
        props.set(key, value);
    }
    if let Some(file) = &opts.properties_file {
        let path = absolute(&ctx.cwd, file);
        infos.push(format!("Using properties file: {}", path.display()));
        merge_missing(&mut props, properties::read_file(&path)?);
    }
    if (opts.properties_file.is_none() || opts.load_spark_defaults)
        && let Some(dir) = &ctx.spark_conf_dir
    {
        let path = absolute(&ctx.cwd, &dir.join("spark-defaults.conf"));
        if path.is_file() {
            infos.push(format!("Using properties file: {}", path.display()));
            merge_missing(
                &mut props,
                properties::read_named(&path, "spark-defaults.conf")?,
            );
        }
    }
    crate::defaults::merge_under(&mut props, &ctx.namespace_defaults);
    let non_spark: Vec<String> = props
        .iter()
        .filter(|(k, _)| !k.starts_with("spark."))
        .map(|(k, _)| k.to_string())
        .collect();
    for key in non_spark {
        props.remove(&key);
        warnings.push(format!("Ignoring non-Spark config property: {key}"));
    }
    Ok((props, warnings, infos))
}

fn resolve_any(opts: &SubmitOptions, ctx: &ArgsContext, launch: Launch) -> Result<ResolvedArgs> {
    // 1. --conf, then the properties files for the keys --conf did not set.
    let (props, mut warnings, mut infos) = layered_properties(opts, ctx)?;

    // 3. Master and deploy mode.
    let (raw_master, master_src) = match (&opts.master, props.get("spark.master")) {
        (Some(m), _) => (m.clone(), "--master"),
        (None, Some(m)) => (m.to_string(), "spark.master"),
        (None, None) => match &ctx.default_master {
            Some(server) => (
                format!("k8s://{server}"),
                "the current kubeconfig context's server",
            ),
            None => {
                return Err(Error::usage(
                    "no Kubernetes master: --master is not given, spark.master is not set, and the kubeconfig has no current cluster",
                    "pass --master k8s://https://<api-server-host>:<port>, or use a kubeconfig whose current context names a cluster",
                ));
            }
        },
    };
    let master = normalise_master(&raw_master, master_src)?;
    infos.extend(master.info.clone());
    warnings.extend(master.warning.clone());

    check_deploy_mode(opts, &props, launch)?;

    // Primary resource, application type, main class.
    let raw_primary = opts
        .primary_resource
        .as_deref()
        .filter(|p| *p != SPARK_INTERNAL);
    if let Some(p) = raw_primary
        && matches!(p, "spark-shell" | "pyspark-shell" | "sparkr-shell")
    {
        return Err(Error::usage(
            format!("`{p}`: Cluster deploy mode is not applicable to Spark shells."),
            "submit an application file (a jar, .py or .R file); for an interactive session in a pod, prepare the pod with `kubectl spark client-setup --pod POD`",
        ));
    }
    let resource_type = match raw_primary {
        Some(p) if p.ends_with(".py") => ResourceType::Python,
        Some(p) if p.ends_with(".R") || p.ends_with(".r") => ResourceType::R,
        _ => ResourceType::Java,
    };
    let primary = raw_primary.map(|p| resolve_uri(p, &ctx.cwd));
    if launch == Launch::Application {
        check_main_class(opts, resource_type, raw_primary)?;
    }

    let py_files = pick(&opts.py_files, "--py-files", &props, "spark.submit.pyFiles");
    if resource_type != ResourceType::Python
        && let Some((value, src)) = &py_files
        && !crate::conf::split_list(value).is_empty()
    {
        return Err(Error::usage(
            format!("{src} given but primary resource is not a Python script"),
            format!("remove {src}, or submit a .py file as the primary resource"),
        ));
    }

    let principal = pick(
        &opts.principal,
        "--principal",
        &props,
        "spark.kerberos.principal",
    )
    .or_else(|| pick(&None, "", &props, "spark.yarn.principal"));
    let keytab = pick(&opts.keytab, "--keytab", &props, "spark.kerberos.keytab")
        .or_else(|| pick(&None, "", &props, "spark.yarn.keytab"));
    if opts.proxy_user.is_some() && principal.is_some() {
        return Err(Error::usage(
            "Only one of --proxy-user or --principal can be provided.",
            "drop --proxy-user, or drop --principal/--keytab (and spark.kerberos.principal)",
        ));
    }

    check_submit_values(opts, &props)?;

    // App name.
    let name = opts
        .name
        .clone()
        .or_else(|| props.get("spark.app.name").map(str::to_string))
        .or_else(|| match launch {
            Launch::Application | Launch::ThriftServer => opts.class.clone(),
            Launch::ConnectServer => Some(CONNECT_DEFAULT_NAME.to_string()),
            Launch::HistoryServer => Some(crate::history::DEFAULT_NAME.to_string()),
        })
        .or_else(|| primary.as_deref().map(file_name));

    // 2. Flags onto keys (flags win).
    let mut conf = props;
    conf.set("spark.master", master.url.clone());
    conf.set("spark.submit.deployMode", "cluster");
    if let Some(name) = name {
        conf.set("spark.app.name", name);
    }
    let flag_keys = flag_conf_keys(opts);
    for (value, key) in flag_keys {
        if let Some(v) = value {
            conf.set(key, v.clone());
        }
    }
    if let Some((p, _)) = principal {
        conf.set("spark.kerberos.principal", p);
    }
    if let Some((k, _)) = keytab {
        conf.set("spark.kerberos.keytab", k);
    }

    // 5. Primary jar, URI resolution, removed and stamped keys.
    if resource_type == ResourceType::Java {
        let mut jars = conf.get_list("spark.jars");
        jars.extend(primary.clone());
        conf.set("spark.jars", jars.join(","));
    }
    conf.remove("spark.driver.host");
    for key in [
        "spark.jars",
        "spark.files",
        "spark.archives",
        "spark.yarn.dist.files",
        "spark.yarn.dist.archives",
        "spark.yarn.dist.jars",
    ] {
        if let Some(v) = conf.get(key) {
            let resolved = resolve_uris(v, &ctx.cwd);
            conf.set(key, resolved);
        }
    }
    let py = conf.get_list("spark.submit.pyFiles").join(",");
    conf.set("spark.submit.pyFiles", resolve_uris(&py, &ctx.cwd));
    conf.set_if_missing("spark.app.submitTime", ctx.now_millis.to_string());

    let app = AppSpec {
        primary_resource: primary,
        main_class: match resource_type {
            ResourceType::Java => opts.class.clone(),
            ResourceType::Python | ResourceType::R => None,
        },
        app_args: opts.app_args.clone(),
        proxy_user: opts.proxy_user.clone(),
        resource_type,
    };
    Ok(ResolvedArgs {
        conf,
        app,
        warnings,
        infos,
    })
}

/// Normalises a master URL as spark-submit does (§1.1). `source` names where it came from
/// (`--master`, `spark.master`, …) for error messages. Errors for non-Kubernetes masters
/// (kubectl spark only submits to Kubernetes), for `k8s` without `k8s://`, and for schemes
/// other than `https`/`http`.
pub fn normalise_master(raw: &str, source: &str) -> Result<NormalisedMaster> {
    let flag_hint = if source == "spark.master" {
        "--conf spark.master="
    } else {
        "--master "
    };
    if !raw.starts_with("k8s") {
        let hint = if raw.starts_with("https://") || raw.starts_with("http://") {
            format!("write it as {flag_hint}k8s://{raw}")
        } else {
            format!(
                "use {flag_hint}k8s://https://<api-server-host>:<port>, or leave the master out to use the API server of the current kubeconfig context"
            )
        };
        return Err(Error::usage(
            format!(
                "{source} `{raw}` is not a Kubernetes master: kubectl spark only submits to Kubernetes (k8s://…); local, standalone (spark://) and YARN masters need spark-submit"
            ),
            hint,
        ));
    }
    let Some(rest) = raw.strip_prefix("k8s://") else {
        return Err(Error::usage(
            format!(
                "{source} `{raw}`: requirement failed: Kubernetes master URL must start with k8s://."
            ),
            format!("write it as {flag_hint}k8s://https://<api-server-host>:<port>"),
        ));
    };
    let defaulted = |rest: &str| {
        let resolved = format!("https://{rest}");
        NormalisedMaster {
            url: format!("k8s://{resolved}"),
            info: Some(format!(
                "No scheme specified for kubernetes master URL, so defaulting to https. Resolved URL is {resolved}."
            )),
            warning: None,
        }
    };
    if !rest.contains("://") {
        return Ok(defaulted(rest));
    }
    let scheme = match java_scheme(rest) {
        Ok(s) => s,
        Err(()) => {
            return Err(Error::usage(
                format!("{source} `{raw}`: `{rest}` is not a valid URL"),
                format!("write it as {flag_hint}k8s://https://<api-server-host>:<port>"),
            ));
        }
    };
    match scheme.map(str::to_ascii_lowercase).as_deref() {
        Some("https") => Ok(NormalisedMaster {
            url: raw.to_string(),
            info: None,
            warning: None,
        }),
        Some("http") => Ok(NormalisedMaster {
            url: raw.to_string(),
            info: None,
            warning: Some("Kubernetes master URL uses HTTP instead of HTTPS.".to_string()),
        }),
        None => Ok(defaulted(rest)),
        Some(_) => Err(Error::usage(
            format!(
                "{source} `{raw}`: Invalid Kubernetes master scheme: {} found in URL: {rest}",
                scheme.unwrap_or_default()
            ),
            format!(
                "the API server URL after k8s:// must use https:// (or http://), e.g. {flag_hint}k8s://https://10.0.0.1:6443"
            ),
        )),
    }
}

/// Whether a (resolved) primary resource is on the submitting machine: no scheme or `file:`,
/// and not `spark-internal` (Spark's `isLocalAndResolvable`). Such a Python file is uploaded;
/// such a jar reaches the driver through `spark.jars`.
pub fn primary_is_local(uri: &str) -> bool {
    uri != SPARK_INTERNAL && matches!(uri_scheme(uri), None | Some("file"))
}

/// The URI scheme of `uri` as Java's `URI` parses it: the text before the first `:` when that
/// comes before any `/`, `?` or `#` and is a valid scheme (`local`, `s3a`, `file` …); else
/// `None` (a plain path).
pub fn uri_scheme(uri: &str) -> Option<&str> {
    java_scheme(uri).ok().flatten()
}

/// Spark's `Utils.resolveURI`: a URI with a scheme is kept verbatim; a path becomes an
/// absolute `file:` URI in Java's single-slash form (`file:/abs/path`), relative to `cwd`,
/// with `.`/`..` resolved and characters outside URI syntax percent-encoded (`a b` →
/// `a%20b`); a `#fragment` is kept (`env.zip#env` → `file:/cwd/env.zip#env`).
///
/// Unlike Java's `getCanonicalFile` this does not follow symlinks, and directories get no
/// trailing `/` (both would need the file system).
pub fn resolve_uri(path: &str, cwd: &Path) -> String {
    match parse_java_uri(path) {
        Some(uri) if uri.has_scheme => path.to_string(),
        Some(JavaUri {
            path: uri_path,
            fragment: Some(fragment),
            ..
        }) => {
            let abs = absolute_str(&percent_decode(uri_path), cwd, false);
            format!(
                "file:{}#{}",
                quote(&abs, PATH_CHARS),
                quote(&percent_decode(fragment), URIC_CHARS)
            )
        }
        _ => format!("file:{}", quote(&absolute_str(path, cwd, true), PATH_CHARS)),
    }
}

/// [`resolve_uri`] over a comma-separated list: entries trimmed, empty ones dropped, joined
/// with `,` (Spark's `Utils.resolveURIs`, except that Spark does not trim, which turns
/// `a.jar, b.jar` into a path starting with a space).
pub fn resolve_uris(list: &str, cwd: &Path) -> String {
    list.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| resolve_uri(p, cwd))
        .collect::<Vec<_>>()
        .join(",")
}

/// `--conf k=v` → (k, v), split on the first `=` (Spark's `parseSparkConfProperty`).
fn parse_conf(raw: &str) -> Result<(String, String)> {
    match raw.split_once('=') {
        Some((k, v)) => Ok((k.to_string(), v.to_string())),
        None => Err(Error::usage(
            format!("--conf `{raw}` has no value: Spark config without '=': {raw}"),
            format!("write each setting as --conf key=value, e.g. --conf {raw}=<value>"),
        )),
    }
}

/// Adds the entries of a properties file for keys not already set (the file's own duplicates:
/// last wins), with values trimmed as Spark's `getPropertiesFromFile` does.
fn merge_missing(props: &mut SparkConf, entries: Vec<(String, String)>) {
    let file: SparkConf = entries
        .into_iter()
        .map(|(k, v)| {
            let v = properties::trim_except_crlf(&v).to_string();
            (k, v)
        })
        .collect();
    for (k, v) in file.iter() {
        props.set_if_missing(k, v);
    }
}

/// The explicit flag value, else the configuration's value, with the name of its source.
fn pick(
    flag: &Option<String>,
    flag_name: &str,
    props: &SparkConf,
    key: &str,
) -> Option<(String, String)> {
    match flag {
        Some(v) => Some((v.clone(), flag_name.to_string())),
        None => props.get(key).map(|v| (v.to_string(), key.to_string())),
    }
}

fn check_deploy_mode(opts: &SubmitOptions, props: &SparkConf, launch: Launch) -> Result<()> {
    let Some((mode, src)) = pick(
        &opts.deploy_mode,
        "--deploy-mode",
        props,
        "spark.submit.deployMode",
    ) else {
        return Ok(());
    };
    let drop_it = if src == "--deploy-mode" {
        "leave out --deploy-mode (kubectl spark always submits in cluster mode)".to_string()
    } else {
        format!("remove {src}=client from --conf and the properties file")
    };
    match mode.as_str() {
        "cluster" => Ok(()),
        "client" if launch == Launch::ConnectServer => Err(Error::usage(
            format!(
                "{src} client: a Connect server started by `kubectl spark connect` always runs in a pod; nothing runs on this machine but the tunnel"
            ),
            drop_it.replace(
                "kubectl spark always submits in cluster mode",
                "the server always runs in a pod",
            ),
        )),
        "client" => Err(Error::usage(
            format!(
                "{src} client is not supported: in client mode the Spark driver runs on this machine, which needs a JVM; kubectl spark submits in cluster mode, where the driver runs in a pod"
            ),
            format!(
                "{drop_it}; to run a client-mode driver in a pod of your own (e.g. a notebook), prepare that pod with `kubectl spark client-setup --pod POD`"
            ),
        )),
        other => Err(Error::usage(
            format!("{src} `{other}`: Deploy mode must be either client or cluster"),
            drop_it,
        )),
    }
}

fn check_main_class(
    opts: &SubmitOptions,
    resource_type: ResourceType,
    primary: Option<&str>,
) -> Result<()> {
    if let Some(class) = opts.class.as_deref() {
        let what = match class {
            "org.apache.spark.sql.hive.thriftserver.SparkSQLCLIDriver" => Some("Spark SQL shell"),
            "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2" => {
                Some("Spark Thrift server")
            }
            "org.apache.spark.sql.connect.service.SparkConnectServer" => {
                Some("Spark Connect server")
            }
            _ => None,
        };
        if class == CONNECT_SERVER_CLASS {
            return Err(Error::usage(
                format!(
                    "--class {class}: Cluster deploy mode is not applicable to Spark Connect server."
                ),
                "start a Connect server with `kubectl spark connect [NAME]`: it runs the server in the driver pod (client mode there) and opens a tunnel to it",
            ));
        }
        if let Some(what) = what {
            return Err(Error::usage(
                format!("--class {class}: Cluster deploy mode is not applicable to {what}."),
                "run it with spark-submit in client mode, or in a pod prepared with `kubectl spark client-setup --pod POD`",
            ));
        }
    }
    if resource_type != ResourceType::Java || opts.class.is_some() {
        return Ok(());
    }
    Err(match primary {
        Some(p) => Error::usage(
            format!(
                "--class is required for the Java/Scala application `{p}`: spark-submit would read Main-Class from the jar's manifest, which kubectl spark does not open (and Spark cannot either for local:// jars)"
            ),
            "pass the application's main class, e.g. --class org.apache.spark.examples.SparkPi",
        ),
        None => Error::usage(
            "--class is required when no primary resource is given (the application then runs from classes already in the image)",
            "pass --class <main class>, or give the application's jar, .py or .R file after the options",
        ),
    })
}

/// spark-submit's `validateSubmitArguments` checks on the values it reads (flag, else conf).
fn check_submit_values(opts: &SubmitOptions, props: &SparkConf) -> Result<()> {
    let sizes = [
        (
            pick(
                &opts.driver_memory,
                "--driver-memory",
                props,
                "spark.driver.memory",
            ),
            "Driver memory must be a positive number",
            "--driver-memory 2g",
        ),
        (
            pick(
                &opts.executor_memory,
                "--executor-memory",
                props,
                "spark.executor.memory",
            ),
            "Executor memory must be a positive number",
            "--executor-memory 4g",
        ),
    ];
    for (value, spark_message, example) in sizes {
        if let Some((v, src)) = value
            && !units::parse_bytes_as(&v, ByteUnit::Byte).is_ok_and(|b| b > 0)
        {
            return Err(Error::usage(
                format!("{src} `{v}`: {spark_message}"),
                format!(
                    "write a size with a unit, e.g. {example} (a bare number is read as MiB by Spark)"
                ),
            ));
        }
    }
    let counts = [
        (
            pick(
                &opts.driver_cores,
                "--driver-cores",
                props,
                "spark.driver.cores",
            ),
            "Driver cores must be a positive number",
            "--driver-cores 2 (for a fractional CPU request use --conf spark.kubernetes.driver.request.cores=500m)",
        ),
        (
            pick(
                &opts.executor_cores,
                "--executor-cores",
                props,
                "spark.executor.cores",
            ),
            "Executor cores must be a positive number",
            "--executor-cores 2 (for a fractional CPU request use --conf spark.kubernetes.executor.request.cores=500m)",
        ),
    ];
    for (value, spark_message, example) in counts {
        if let Some((v, src)) = value
            && !positive_int(&v)
        {
            return Err(Error::usage(
                format!("{src} `{v}`: {spark_message}"),
                format!("use a whole number, e.g. {example}"),
            ));
        }
    }
    let dynamic_allocation = props
        .get("spark.dynamicAllocation.enabled")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if !dynamic_allocation
        && let Some((v, src)) = pick(
            &opts.num_executors,
            "--num-executors",
            props,
            "spark.executor.instances",
        )
        && !positive_int(&v)
    {
        return Err(Error::usage(
            format!("{src} `{v}`: Number of executors must be a positive number"),
            "use --num-executors N with N ≥ 1, or enable dynamic allocation with --conf spark.dynamicAllocation.enabled=true",
        ));
    }
    Ok(())
}

fn positive_int(value: &str) -> bool {
    value.trim().parse::<i32>().is_ok_and(|n| n > 0)
}

/// `new File(uri).getName()`: the last non-empty path segment.
fn file_name(uri: &str) -> String {
    uri.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(uri)
        .to_string()
}

fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    }
}

/// An absolute path string as Java's `File` forms it: joined to `cwd` when relative,
/// repeated and trailing `/` removed; with `canonical`, `.` and `..` resolved lexically.
fn absolute_str(path: &str, cwd: &Path, canonical: bool) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{path}", cwd.to_string_lossy())
    };
    let mut parts: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" => {}
            "." if canonical => {}
            ".." if canonical => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

/// What Java's `new URI(text)` sees in a string, when it parses.
struct JavaUri<'a> {
    has_scheme: bool,
    /// For a relative URI: the path (before `?`/`#`), still percent-encoded.
    path: &'a str,
    fragment: Option<&'a str>,
}

/// Characters Java's URI class allows unescaped (besides ASCII letters and digits and
/// non-ASCII characters that are neither spaces nor controls).
const MARK_CHARS: &str = "_-!.~'()*";
/// In a path: marks, `pchar` punctuation and `/`.
const PATH_CHARS: &str = "_-!.~'()*;:@&=+$,/";
/// Anywhere in a URI (scheme-specific part, query, fragment): marks and reserved.
const URIC_CHARS: &str = "_-!.~'()*;/?:@&=+$,[]";

fn parse_java_uri(text: &str) -> Option<JavaUri<'_>> {
    let (before, fragment) = match text.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (text, None),
    };
    if fragment.is_some_and(|f| !legal(f, URIC_CHARS)) {
        return None;
    }
    match java_scheme(text) {
        Err(()) => None,
        Ok(Some(_)) => Some(JavaUri {
            has_scheme: true,
            path: before,
            fragment,
        }),
        Ok(None) => {
            let (path, query) = match before.split_once('?') {
                Some((p, q)) => (p, Some(q)),
                None => (before, None),
            };
            if !legal(path, PATH_CHARS) || query.is_some_and(|q| !legal(q, URIC_CHARS)) {
                return None;
            }
            Some(JavaUri {
                has_scheme: false,
                path,
                fragment,
            })
        }
    }
}

/// The scheme Java's URI parser finds: `Ok(None)` for a relative reference, `Err` when the
/// text before the first `:` cannot be a scheme (Java throws `URISyntaxException`).
fn java_scheme(text: &str) -> std::result::Result<Option<&str>, ()> {
    let Some(end) = text.find([':', '/', '?', '#']) else {
        return Ok(None);
    };
    if !text[end..].starts_with(':') {
        return Ok(None);
    }
    let scheme = &text[..end];
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let rest = &text[end + 1..];
    if !valid || rest.is_empty() || rest.starts_with('#') {
        return Err(());
    }
    Ok(Some(scheme))
}

fn legal(text: &str, allowed: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    for (pos, c) in text.char_indices() {
        if pos < i {
            continue;
        }
        if c == '%' {
            let ok = bytes.len() >= pos + 3
                && bytes[pos + 1].is_ascii_hexdigit()
                && bytes[pos + 2].is_ascii_hexdigit();
            if !ok {
                return false;
            }
            i = pos + 3;
            continue;
        }
        let ok = if c.is_ascii() {
            c.is_ascii_alphanumeric() || allowed.contains(c)
        } else {
            !c.is_whitespace() && !c.is_control()
        };
        if !ok {
            return false;
        }
    }
    true
}

/// Java's `URI` quoting in its multi-argument constructors: characters outside `allowed`
/// (ASCII letters and digits always allowed) become `%XX` of their UTF-8 bytes; `%` is
/// always quoted; non-ASCII characters stay unless they are spaces or controls.
fn quote(text: &str, allowed: &str) -> String {
    debug_assert!(MARK_CHARS.chars().all(|c| allowed.contains(c)));
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let keep = if c.is_ascii() {
            c.is_ascii_alphanumeric() || (c != '%' && allowed.contains(c))
        } else {
            !c.is_whitespace() && !c.is_control()
        };
        if keep {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
            && let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ArgsContext {
        ArgsContext {
            spark_conf_dir: None,
            default_master: Some("https://127.0.0.1:6443".to_string()),
            cwd: PathBuf::from("/home/me/app"),
            now_millis: 1_700_000_000_000,
            namespace_defaults: SparkConf::new(),
        }
    }

    #[test]
    fn connect_server_launch() {
        let opts = SubmitOptions {
            confs: vec!["spark.executor.instances=2".into()],
            ..SubmitOptions::default()
        };
        let r = resolve_launch(&opts, &ctx(), Launch::ConnectServer).unwrap();
        assert_eq!(r.app.main_class.as_deref(), Some(CONNECT_SERVER_CLASS));
        assert_eq!(r.app.primary_resource, None);
        assert_eq!(r.app.resource_type, ResourceType::Java);
        assert_eq!(r.conf.get("spark.app.name"), Some(CONNECT_DEFAULT_NAME));
        assert_eq!(r.conf.get("spark.submit.deployMode"), Some("cluster"));
        // A name from --conf wins over the default, --name over both.
        let named = SubmitOptions {
            confs: vec!["spark.app.name=from-conf".into()],
            ..SubmitOptions::default()
        };
        let r = resolve_launch(&named, &ctx(), Launch::ConnectServer).unwrap();
        assert_eq!(r.conf.get("spark.app.name"), Some("from-conf"));
        let named = SubmitOptions {
            name: Some("bi".into()),
            ..named
        };
        let r = resolve_launch(&named, &ctx(), Launch::ConnectServer).unwrap();
        assert_eq!(r.conf.get("spark.app.name"), Some("bi"));
        // `submit --class SparkConnectServer` is still refused.
        let submit = SubmitOptions {
            class: Some(CONNECT_SERVER_CLASS.into()),
            ..SubmitOptions::default()
        };
        assert!(resolve(&submit, &ctx()).is_err());
    }

    #[test]
    fn connect_server_refuses_application_options() {
        let err = |opts: SubmitOptions| {
            resolve_launch(&opts, &ctx(), Launch::ConnectServer)
                .unwrap_err()
                .to_string()
        };
        let e = err(SubmitOptions {
            class: Some("a.Main".into()),
            ..SubmitOptions::default()
        });
        assert!(e.contains("--class a.Main"), "{e}");
        let e = err(SubmitOptions {
            primary_resource: Some("app.jar".into()),
            app_args: vec!["1".into()],
            ..SubmitOptions::default()
        });
        assert!(
            e.contains("`app.jar 1`") && e.contains("takes no application"),
            "{e}"
        );
        let e = err(SubmitOptions {
            deploy_mode: Some("client".into()),
            ..SubmitOptions::default()
        });
        assert!(e.starts_with("--deploy-mode client"), "{e}");
        let e = err(SubmitOptions {
            confs: vec!["spark.submit.deployMode=client".into()],
            ..SubmitOptions::default()
        });
        assert!(
            e.starts_with("spark.submit.deployMode client: a Connect server"),
            "{e}"
        );
    }

    fn pi() -> SubmitOptions {
        SubmitOptions {
            master: Some("k8s://https://10.0.0.1:6443".into()),
            deploy_mode: Some("cluster".into()),
            name: Some("spark-pi".into()),
            class: Some("org.apache.spark.examples.SparkPi".into()),
            confs: vec!["spark.kubernetes.container.image=apache/spark:4.0.1".into()],
            primary_resource: Some("local:///opt/spark/examples/jars/spark-examples.jar".into()),
            app_args: vec!["1000".into()],
            ..Default::default()
        }
    }

    fn entries(conf: &SparkConf) -> Vec<(String, String)> {
        conf.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn kv(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    fn error_text(opts: &SubmitOptions, ctx: &ArgsContext) -> String {
        let e = resolve(opts, ctx).unwrap_err();
        format!("{e} | {}", e.hint().unwrap_or(""))
    }

    #[test]
    fn worked_example() {
        let r = resolve(&pi(), &ctx()).unwrap();
        assert_eq!(
            entries(&r.conf),
            vec![
                kv("spark.app.name", "spark-pi"),
                kv("spark.app.submitTime", "1700000000000"),
                kv(
                    "spark.jars",
                    "local:///opt/spark/examples/jars/spark-examples.jar"
                ),
                kv("spark.kubernetes.container.image", "apache/spark:4.0.1"),
                kv("spark.master", "k8s://https://10.0.0.1:6443"),
                kv("spark.submit.deployMode", "cluster"),
                kv("spark.submit.pyFiles", ""),
            ]
        );
        assert_eq!(
            r.app,
            AppSpec {
                primary_resource: Some(
                    "local:///opt/spark/examples/jars/spark-examples.jar".into()
                ),
                main_class: Some("org.apache.spark.examples.SparkPi".into()),
                app_args: vec!["1000".into()],
                proxy_user: None,
                resource_type: ResourceType::Java,
            }
        );
        assert!(r.warnings.is_empty() && r.infos.is_empty());
    }

    #[test]
    fn master_without_scheme_defaults_to_https() {
        let m = normalise_master("k8s://10.0.0.1:6443", "--master").unwrap();
        assert_eq!(m.url, "k8s://https://10.0.0.1:6443");
        assert_eq!(m.api_server(), "https://10.0.0.1:6443");
        assert_eq!(
            m.info.as_deref(),
            Some(
                "No scheme specified for kubernetes master URL, so defaulting to https. Resolved URL is https://10.0.0.1:6443."
            )
        );
    }

    #[test]
    fn master_http_warns_and_keeps_case() {
        let m = normalise_master("k8s://HTTP://host:8080", "--master").unwrap();
        assert_eq!(m.url, "k8s://HTTP://host:8080");
        assert_eq!(
            m.warning.as_deref(),
            Some("Kubernetes master URL uses HTTP instead of HTTPS.")
        );
        let m = normalise_master("k8s://https://host", "--master").unwrap();
        assert_eq!(
            (m.url.as_str(), m.info, m.warning),
            ("k8s://https://host", None, None)
        );
    }

    #[test]
    fn master_errors() {
        let e = normalise_master("k8s://ftp://host", "--master").unwrap_err();
        assert!(
            e.to_string()
                .contains("Invalid Kubernetes master scheme: ftp found in URL: ftp://host"),
            "{e}"
        );
        let e = normalise_master("k8s:/host", "--master").unwrap_err();
        assert!(
            e.to_string()
                .contains("requirement failed: Kubernetes master URL must start with k8s://."),
            "{e}"
        );
        let e = normalise_master("local[*]", "--master").unwrap_err();
        assert!(e.to_string().contains("only submits to Kubernetes"), "{e}");
        let e = normalise_master("https://host:6443", "spark.master").unwrap_err();
        assert_eq!(
            e.hint(),
            Some("write it as --conf spark.master=k8s://https://host:6443")
        );
        assert!(normalise_master("k8s://1http://x", "--master").is_err());
    }

    #[test]
    fn master_from_conf_then_kubeconfig() {
        let mut o = pi();
        o.master = None;
        o.confs.push("spark.master=k8s://https://conf:1".into());
        assert_eq!(
            resolve(&o, &ctx()).unwrap().conf.get("spark.master"),
            Some("k8s://https://conf:1")
        );
        o.confs.pop();
        assert_eq!(
            resolve(&o, &ctx()).unwrap().conf.get("spark.master"),
            Some("k8s://https://127.0.0.1:6443")
        );
        let mut c = ctx();
        c.default_master = None;
        assert!(error_text(&o, &c).contains("--master k8s://"));
    }

    #[test]
    fn client_mode_is_refused() {
        let mut o = pi();
        o.deploy_mode = Some("client".into());
        let e = error_text(&o, &ctx());
        assert!(
            e.contains("--deploy-mode client") && e.contains("JVM"),
            "{e}"
        );
        assert!(e.contains("kubectl spark client-setup --pod POD"), "{e}");

        o.deploy_mode = None;
        o.confs.push("spark.submit.deployMode=client".into());
        let e = error_text(&o, &ctx());
        assert!(e.contains("spark.submit.deployMode client"), "{e}");

        o.deploy_mode = Some("Cluster".into());
        assert!(error_text(&o, &ctx()).contains("Deploy mode must be either client or cluster"));
    }

    #[test]
    fn no_deploy_mode_means_cluster() {
        let mut o = pi();
        o.deploy_mode = None;
        assert_eq!(
            resolve(&o, &ctx())
                .unwrap()
                .conf
                .get("spark.submit.deployMode"),
            Some("cluster")
        );
    }

    #[test]
    fn malformed_conf() {
        let mut o = pi();
        o.confs.push("spark.executor.instances".into());
        let e = error_text(&o, &ctx());
        assert!(e.contains("--conf `spark.executor.instances`"), "{e}");
        assert!(e.contains("--conf spark.executor.instances=<value>"), "{e}");
        // Only the first `=` splits.
        let mut o = pi();
        o.confs.push("spark.driver.extraJavaOptions=-Da=b".into());
        assert_eq!(
            resolve(&o, &ctx())
                .unwrap()
                .conf
                .get("spark.driver.extraJavaOptions"),
            Some("-Da=b")
        );
    }

    #[test]
    fn non_spark_conf_keys_are_ignored_with_a_warning() {
        let mut o = pi();
        o.confs.push("hadoop.thing=1".into());
        let r = resolve(&o, &ctx()).unwrap();
        assert!(!r.conf.contains("hadoop.thing"));
        assert_eq!(
            r.warnings,
            vec!["Ignoring non-Spark config property: hadoop.thing"]
        );
    }

    #[test]
    fn flags_win_over_conf() {
        let mut o = pi();
        o.confs.push("spark.driver.memory=2g".into());
        o.confs.push("spark.executor.instances=3".into());
        o.driver_memory = Some("4g".into());
        let r = resolve(&o, &ctx()).unwrap();
        assert_eq!(r.conf.get("spark.driver.memory"), Some("4g"));
        assert_eq!(r.conf.get("spark.executor.instances"), Some("3"));
    }

    #[test]
    fn flag_mapping_table() {
        let mut o = pi();
        o.driver_cores = Some("2".into());
        o.executor_memory = Some("3g".into());
        o.executor_cores = Some("4".into());
        o.num_executors = Some("5".into());
        o.driver_class_path = Some("/x/*".into());
        o.driver_java_options = Some("-Dk=v".into());
        o.driver_library_path = Some("/lib".into());
        o.packages = Some("org.apache.hadoop:hadoop-aws:3.4.1".into());
        o.repositories = Some("https://repo.example".into());
        o.exclude_packages = Some("com.x:y".into());
        o.files = Some("data.csv".into());
        o.archives = Some("env.tar.gz#env".into());
        o.principal = Some("me@EXAMPLE.COM".into());
        o.keytab = Some("/etc/me.keytab".into());
        let c = resolve(&o, &ctx()).unwrap().conf;
        for (k, v) in [
            ("spark.driver.cores", "2"),
            ("spark.executor.memory", "3g"),
            ("spark.executor.cores", "4"),
            ("spark.executor.instances", "5"),
            ("spark.driver.extraClassPath", "/x/*"),
            ("spark.driver.extraJavaOptions", "-Dk=v"),
            ("spark.driver.extraLibraryPath", "/lib"),
            ("spark.jars.packages", "org.apache.hadoop:hadoop-aws:3.4.1"),
            ("spark.jars.repositories", "https://repo.example"),
            ("spark.jars.excludes", "com.x:y"),
            ("spark.files", "file:/home/me/app/data.csv"),
            ("spark.archives", "file:/home/me/app/env.tar.gz#env"),
            ("spark.kerberos.principal", "me@EXAMPLE.COM"),
            ("spark.kerberos.keytab", "/etc/me.keytab"),
        ] {
            assert_eq!(c.get(k), Some(v), "{k}");
        }
        // 4.x: packages are not merged into spark.jars.
        assert_eq!(
            c.get("spark.jars"),
            Some("local:///opt/spark/examples/jars/spark-examples.jar")
        );
    }

    #[test]
    fn yarn_kerberos_keys_fall_back() {
        let mut o = pi();
        o.confs.push("spark.yarn.principal=p@R".into());
        o.confs.push("spark.yarn.keytab=/k".into());
        let c = resolve(&o, &ctx()).unwrap().conf;
        assert_eq!(c.get("spark.kerberos.principal"), Some("p@R"));
        assert_eq!(c.get("spark.kerberos.keytab"), Some("/k"));
    }

    #[test]
    fn proxy_user_and_principal_conflict() {
        let mut o = pi();
        o.proxy_user = Some("alice".into());
        assert_eq!(
            resolve(&o, &ctx()).unwrap().app.proxy_user.as_deref(),
            Some("alice")
        );
        o.principal = Some("me@R".into());
        assert!(
            error_text(&o, &ctx())
                .contains("Only one of --proxy-user or --principal can be provided.")
        );
    }

    #[test]
    fn properties_file_and_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let conf_dir = dir.path().join("conf");
        std::fs::create_dir(&conf_dir).unwrap();
        std::fs::write(
            conf_dir.join("spark-defaults.conf"),
            "spark.from.defaults  yes\nspark.shared=defaults\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("my.conf"),
            "spark.from.file = yes  \nspark.shared=file\nspark.kubernetes.namespace=file\nother.key=1\nspark.dup=1\nspark.dup=2\n",
        )
        .unwrap();
        let mut c = ctx();
        c.cwd = dir.path().to_path_buf();
        c.spark_conf_dir = Some(conf_dir.clone());

        // Defaults alone.
        let r = resolve(&pi(), &c).unwrap();
        assert_eq!(r.conf.get("spark.from.defaults"), Some("yes"));
        assert_eq!(r.infos.len(), 1);

        // An explicit file replaces the defaults; --conf wins over it; values are trimmed.
        let mut o = pi();
        o.properties_file = Some(PathBuf::from("my.conf"));
        o.confs.push("spark.kubernetes.namespace=cli".into());
        let r = resolve(&o, &c).unwrap();
        assert_eq!(r.conf.get("spark.from.file"), Some("yes"));
        assert_eq!(r.conf.get("spark.from.defaults"), None);
        assert_eq!(r.conf.get("spark.kubernetes.namespace"), Some("cli"));
        assert_eq!(r.conf.get("spark.dup"), Some("2"));
        assert_eq!(
            r.warnings,
            vec!["Ignoring non-Spark config property: other.key"]
        );

        // --load-spark-defaults: both, the explicit file winning.
        o.load_spark_defaults = true;
        let r = resolve(&o, &c).unwrap();
        assert_eq!(r.conf.get("spark.from.defaults"), Some("yes"));
        assert_eq!(r.conf.get("spark.shared"), Some("file"));
        assert_eq!(r.infos.len(), 2);

        // A missing explicit file is an error naming the flag.
        o.properties_file = Some(PathBuf::from("missing.conf"));
        let e = error_text(&o, &c);
        assert!(
            e.contains("--properties-file") && e.contains("missing.conf"),
            "{e}"
        );
    }

    #[test]
    fn python_application() {
        let o = SubmitOptions {
            master: Some("k8s://https://h:1".into()),
            primary_resource: Some("jobs/pi.py".into()),
            py_files: Some("lib.zip, s3a://b/dep.py".into()),
            jars: Some("extra.jar".into()),
            app_args: vec!["--n".into(), "10".into()],
            ..Default::default()
        };
        let r = resolve(&o, &ctx()).unwrap();
        assert_eq!(r.conf.get("spark.app.name"), Some("pi.py"));
        assert_eq!(
            r.conf.get("spark.jars"),
            Some("file:/home/me/app/extra.jar")
        );
        assert_eq!(
            r.conf.get("spark.submit.pyFiles"),
            Some("file:/home/me/app/lib.zip,s3a://b/dep.py")
        );
        assert_eq!(r.app.resource_type, ResourceType::Python);
        assert_eq!(
            r.app.primary_resource.as_deref(),
            Some("file:/home/me/app/jobs/pi.py")
        );
        assert_eq!(r.app.main_class, None);
        assert_eq!(r.app.app_args, vec!["--n", "10"]);
    }

    #[test]
    fn python_without_jars_writes_no_spark_jars() {
        let o = SubmitOptions {
            master: Some("k8s://https://h:1".into()),
            primary_resource: Some("local:///opt/app/main.py".into()),
            ..Default::default()
        };
        let r = resolve(&o, &ctx()).unwrap();
        assert_eq!(r.conf.get("spark.jars"), None);
        assert_eq!(r.conf.get("spark.submit.pyFiles"), Some(""));
        assert_eq!(r.conf.get("spark.app.name"), Some("main.py"));
    }

    #[test]
    fn r_application() {
        for file in ["a.R", "b.r"] {
            let o = SubmitOptions {
                master: Some("k8s://https://h:1".into()),
                primary_resource: Some(format!("local:///{file}")),
                ..Default::default()
            };
            let r = resolve(&o, &ctx()).unwrap();
            assert_eq!(r.app.resource_type, ResourceType::R);
            assert_eq!(r.conf.get("spark.jars"), None);
        }
    }

    #[test]
    fn java_needs_a_class() {
        let mut o = pi();
        o.class = None;
        let e = error_text(&o, &ctx());
        assert!(
            e.contains("--class is required") && e.contains("spark-examples.jar"),
            "{e}"
        );
        o.primary_resource = None;
        assert!(error_text(&o, &ctx()).contains("--class is required when no primary resource"));
    }

    #[test]
    fn spark_internal_java_app() {
        let mut o = pi();
        o.primary_resource = Some(SPARK_INTERNAL.into());
        o.name = None;
        let r = resolve(&o, &ctx()).unwrap();
        assert_eq!(r.app.primary_resource, None);
        assert_eq!(r.conf.get("spark.jars"), Some(""));
        assert_eq!(
            r.conf.get("spark.app.name"),
            Some("org.apache.spark.examples.SparkPi")
        );
    }

    #[test]
    fn app_name_precedence() {
        let mut o = pi();
        o.name = None;
        o.confs.push("spark.app.name=from-conf".into());
        assert_eq!(
            resolve(&o, &ctx()).unwrap().conf.get("spark.app.name"),
            Some("from-conf")
        );
        o.confs.pop();
        assert_eq!(
            resolve(&o, &ctx()).unwrap().conf.get("spark.app.name"),
            Some("org.apache.spark.examples.SparkPi")
        );
    }

    #[test]
    fn local_jar_is_appended_and_resolved() {
        let mut o = pi();
        o.primary_resource = Some("target/app.jar".into());
        o.jars = Some("lib/a.jar, ,/opt/b.jar,hdfs:///c.jar".into());
        let r = resolve(&o, &ctx()).unwrap();
        assert_eq!(
            r.conf.get("spark.jars"),
            Some(
                "file:/home/me/app/lib/a.jar,file:/opt/b.jar,hdfs:///c.jar,file:/home/me/app/target/app.jar"
            )
        );
        assert!(primary_is_local(r.app.primary_resource.as_deref().unwrap()));
    }

    #[test]
    fn py_files_for_java_is_an_error() {
        let mut o = pi();
        o.py_files = Some("x.py".into());
        assert!(
            error_text(&o, &ctx())
                .contains("--py-files given but primary resource is not a Python script")
        );
        let mut o = pi();
        o.confs.push("spark.submit.pyFiles=x.py".into());
        assert!(error_text(&o, &ctx()).contains("spark.submit.pyFiles given"));
        // An empty value is harmless.
        let mut o = pi();
        o.confs.push("spark.submit.pyFiles=".into());
        assert!(resolve(&o, &ctx()).is_ok());
    }

    #[test]
    fn shells_and_server_classes_are_refused() {
        let mut o = pi();
        o.primary_resource = Some("pyspark-shell".into());
        assert!(error_text(&o, &ctx()).contains("not applicable to Spark shells"));
        let mut o = pi();
        o.class = Some("org.apache.spark.sql.hive.thriftserver.HiveThriftServer2".into());
        assert!(error_text(&o, &ctx()).contains("Spark Thrift server"));
    }

    #[test]
    fn submit_value_checks() {
        let mut o = pi();
        o.driver_memory = Some("0".into());
        assert!(
            error_text(&o, &ctx())
                .contains("--driver-memory `0`: Driver memory must be a positive number")
        );
        let mut o = pi();
        o.confs.push("spark.executor.memory=lots".into());
        assert!(error_text(&o, &ctx()).contains("spark.executor.memory `lots`: Executor memory"));
        let mut o = pi();
        o.driver_cores = Some("0.5".into());
        assert!(error_text(&o, &ctx()).contains("Driver cores must be a positive number"));
        let mut o = pi();
        o.executor_cores = Some("-1".into());
        assert!(error_text(&o, &ctx()).contains("Executor cores must be a positive number"));
        let mut o = pi();
        o.num_executors = Some("0".into());
        assert!(error_text(&o, &ctx()).contains("Number of executors must be a positive number"));
        o.confs.push("spark.dynamicAllocation.enabled=true".into());
        assert!(resolve(&o, &ctx()).is_ok());
    }

    #[test]
    fn driver_host_removed_and_submit_time_kept() {
        let mut o = pi();
        o.confs.push("spark.driver.host=me".into());
        o.confs.push("spark.app.submitTime=42".into());
        let c = resolve(&o, &ctx()).unwrap().conf;
        assert!(!c.contains("spark.driver.host"));
        assert_eq!(c.get("spark.app.submitTime"), Some("42"));
    }

    #[test]
    fn uri_resolution() {
        let cwd = Path::new("/work/dir");
        assert_eq!(resolve_uri("a.jar", cwd), "file:/work/dir/a.jar");
        assert_eq!(resolve_uri("./x/../b.jar", cwd), "file:/work/dir/b.jar");
        assert_eq!(resolve_uri("/abs//c.jar", cwd), "file:/abs/c.jar");
        assert_eq!(resolve_uri("../up.jar", cwd), "file:/work/up.jar");
        assert_eq!(resolve_uri("local:///opt/x.jar", cwd), "local:///opt/x.jar");
        assert_eq!(resolve_uri("file:///opt/x.jar", cwd), "file:///opt/x.jar");
        assert_eq!(resolve_uri("s3a://b/k.zip#env", cwd), "s3a://b/k.zip#env");
        assert_eq!(
            resolve_uri("env.zip#env", cwd),
            "file:/work/dir/env.zip#env"
        );
        assert_eq!(
            resolve_uri("my file.jar", cwd),
            "file:/work/dir/my%20file.jar"
        );
        assert_eq!(resolve_uri("100%.jar", cwd), "file:/work/dir/100%25.jar");
        assert_eq!(
            resolve_uri("a%20b.zip#x", cwd),
            "file:/work/dir/a%20b.zip#x"
        );
        assert_eq!(
            resolve_uri("données.csv", cwd),
            "file:/work/dir/données.csv"
        );
        assert_eq!(resolve_uri("a[1].jar", cwd), "file:/work/dir/a%5B1%5D.jar");
        assert_eq!(resolve_uri("1x:y", cwd), "file:/work/dir/1x:y");
        assert_eq!(
            resolve_uris(" a.jar ,, local:///b.jar", cwd),
            "file:/work/dir/a.jar,local:///b.jar"
        );
    }

    #[test]
    fn locality() {
        assert!(primary_is_local("file:/a/b.py"));
        assert!(primary_is_local("/a/b.py"));
        assert!(!primary_is_local("local:///a/b.py"));
        assert!(!primary_is_local("s3a://b/c.py"));
        assert!(!primary_is_local(SPARK_INTERNAL));
        assert_eq!(uri_scheme("hdfs://nn/x"), Some("hdfs"));
        assert_eq!(uri_scheme("dir/with:colon"), None);
    }
}
