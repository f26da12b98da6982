//! clap definitions only: the kube flags every subcommand shares, and one struct per command.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Run Apache Spark applications on Kubernetes, without a JVM.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl-spark",
    bin_name = "kubectl spark",
    version,
    about = "Run Apache Spark applications on Kubernetes like spark-submit --deploy-mode cluster, without a JVM",
    long_about = "Run Apache Spark applications on Kubernetes like `spark-submit --master k8s://… \
--deploy-mode cluster`, without a JVM or a Spark install.\n\nkubectl-spark creates the driver Pod, its \
ConfigMap and headless Service (and whatever else Spark creates) so that the stock apache/spark image \
runs unchanged, then follows the application.",
    propagate_version = true,
    disable_help_subcommand = false
)]
pub struct Cli {
    /// More logging on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Kubernetes connection flags shared by every command (listed last, under their own
    /// heading).
    #[command(flatten)]
    pub kube: KubeFlags,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The flags every kubectl plugin honours, resolved exactly like kubectl. They sit under their
/// own heading, after each command's own options.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = KUBE_HEADING)]
pub struct KubeFlags {
    /// Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster).
    #[arg(long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,

    /// The name of the kubeconfig context to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,

    /// The name of the kubeconfig cluster to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub cluster: Option<String>,

    /// The name of the kubeconfig user to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,

    /// The namespace scope for this request (default: the context's namespace, else `default`).
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// The address and port of the Kubernetes API server (overrides the kubeconfig's).
    #[arg(short = 's', long, global = true, value_name = "URL")]
    pub server: Option<String>,

    /// Bearer token for authentication to the API server (overrides the kubeconfig user's credentials).
    #[arg(long, global = true, value_name = "TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    /// Username to impersonate for the operation (a user or a service account, system:serviceaccount:NS:NAME).
    #[arg(long = "as", global = true, value_name = "USER")]
    pub as_user: Option<String>,

    /// Group to impersonate for the operation (repeatable).
    #[arg(long = "as-group", global = true, value_name = "GROUP")]
    pub as_group: Vec<String>,

    /// Path to a CA certificate file (PEM) for the API server's TLS certificate.
    #[arg(long, global = true, value_name = "PATH")]
    pub certificate_authority: Option<PathBuf>,

    /// Do not check the API server's certificate (insecure: for test clusters only).
    #[arg(long, global = true)]
    pub insecure_skip_tls_verify: bool,

    /// How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit).
    #[arg(long, global = true, value_name = "DURATION")]
    pub request_timeout: Option<String>,
}

/// The help heading of the kube connection flags.
pub const KUBE_HEADING: &str = "Kubernetes connection options";

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Submit a Spark application in cluster mode (same arguments as spark-submit).
    Submit(Box<SubmitArgs>),
    /// Show the state of one or more applications.
    Status(StatusArgs),
    /// List Spark applications.
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Explain one application: driver, executors, events.
    Describe(AppRefArgs),
    /// Print the logs of an application's driver or executors.
    Logs(LogsArgs),
    /// Port-forward to an application's Spark UI.
    Ui(UiArgs),
    /// Start a Spark Connect server on the cluster and tunnel to it (sc://localhost:15002).
    Connect(Box<ConnectArgs>),
    /// Wait for applications to end and exit with their result (0 succeeded, 3 failed, 4 --timeout).
    Wait(WaitArgs),
    /// Stop one or more applications.
    Kill(KillArgs),
    /// Delete finished applications and their leftovers.
    Cleanup(CleanupArgs),
    /// List finished applications from the namespace's Spark History Server (started on first
    /// use), open its UI, or stop it.
    History(HistoryArgs),
    /// Create the driver's ServiceAccount and permissions.
    Setup(SetupArgs),
    /// Check that submissions can work: access, permissions, referenced objects.
    Doctor(DoctorArgs),
    /// Prepare a pod to act as a client-mode driver.
    ClientSetup(ClientSetupArgs),
    /// Print the plugin, server and supported Spark versions.
    Version(VersionArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell) or kubectl's plugin completion helper.
    Completion(CompletionArgs),
    /// Convert between SparkApplication manifests and submit arguments.
    Convert(ConvertArgs),
}

/// `-o` formats for object output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ObjectFormat {
    /// JSON.
    Json,
    /// YAML.
    Yaml,
}

/// `--dry-run` strategies (as kubectl).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DryRun {
    /// Print the objects without contacting the API server.
    Client,
    /// Send the objects with dryRun=All: validated by the server, nothing persisted.
    Server,
    /// No dry run.
    None,
}

/// What `submit -h` and `--help` say right after the command's summary (and its man page in
/// its description): the two settings almost every submission needs.
pub const SUBMIT_NEEDS: &str = "Almost every submission needs two settings: the image, \
`--conf spark.kubernetes.container.image=apache/spark:4.0.1` (or your own image built on it), and the \
driver's service account, `--conf spark.kubernetes.authenticate.driver.serviceAccountName=spark` \
(create it once per namespace with `kubectl spark setup -n NS`). Everything else has Spark's defaults.";

/// `kubectl spark submit`: spark-submit's options for Kubernetes cluster mode, then our own.
#[derive(Debug, Args)]
#[command(
    before_help = SUBMIT_NEEDS,
    help_template = "{about-with-newline}\n{before-help}{usage-heading} {usage}\n\n{all-args}{after-help}",
    after_help = "Namespace: spark.kubernetes.namespace if given, else -n, else the kubeconfig context's \
namespace, else `default`.\nExit code: 0 when the driver succeeded, 3 when it failed or was deleted, 4 when --timeout \
ended the wait, 2 for bad input (use --spark-exit-code to always exit 0 like spark-submit)."
)]
pub struct SubmitArgs {
    /// Kubernetes master, k8s://https://host:port (default: the kubeconfig context's server).
    #[arg(long, value_name = "URL", help_heading = "Spark options")]
    pub master: Option<String>,
    /// Only `cluster` is supported.
    #[arg(long, value_name = "MODE", help_heading = "Spark options")]
    pub deploy_mode: Option<String>,
    /// Application name (spark.app.name).
    #[arg(long, value_name = "NAME", help_heading = "Spark options")]
    pub name: Option<String>,
    /// Main class of a Java/Scala application.
    #[arg(long, value_name = "CLASS", help_heading = "Spark options")]
    pub class: Option<String>,
    /// A Spark property, key=value (repeatable).
    #[arg(
        short = 'c',
        long = "conf",
        value_name = "KEY=VALUE",
        help_heading = "Spark options"
    )]
    pub conf: Vec<String>,
    /// File of extra properties (default: $SPARK_CONF_DIR/spark-defaults.conf).
    #[arg(long, value_name = "FILE", help_heading = "Spark options")]
    pub properties_file: Option<PathBuf>,
    /// Load spark-defaults.conf even when --properties-file is given.
    #[arg(long, help_heading = "Spark options")]
    pub load_spark_defaults: bool,
    /// Comma-separated jars for the driver and executor classpaths.
    #[arg(long, value_name = "JARS", help_heading = "Spark options")]
    pub jars: Option<String>,
    /// Comma-separated files placed in each executor's working directory.
    #[arg(long, value_name = "FILES", help_heading = "Spark options")]
    pub files: Option<String>,
    /// Comma-separated archives extracted into each executor's working directory.
    #[arg(long, value_name = "ARCHIVES", help_heading = "Spark options")]
    pub archives: Option<String>,
    /// Comma-separated .zip, .egg or .py files for Python apps.
    #[arg(long, value_name = "PY_FILES", help_heading = "Spark options")]
    pub py_files: Option<String>,
    /// Comma-separated Maven coordinates (resolved by the driver).
    #[arg(long, value_name = "COORDS", help_heading = "Spark options")]
    pub packages: Option<String>,
    /// Comma-separated extra Maven repositories.
    #[arg(long, value_name = "URLS", help_heading = "Spark options")]
    pub repositories: Option<String>,
    /// Comma-separated groupId:artifactId to exclude from --packages.
    #[arg(long, value_name = "COORDS", help_heading = "Spark options")]
    pub exclude_packages: Option<String>,
    /// Driver memory, e.g. 1g.
    #[arg(long, value_name = "MEM", help_heading = "Spark options")]
    pub driver_memory: Option<String>,
    /// Driver cores.
    #[arg(long, value_name = "NUM", help_heading = "Spark options")]
    pub driver_cores: Option<String>,
    /// Executor memory, e.g. 2g.
    #[arg(long, value_name = "MEM", help_heading = "Spark options")]
    pub executor_memory: Option<String>,
    /// Executor cores.
    #[arg(long, value_name = "NUM", help_heading = "Spark options")]
    pub executor_cores: Option<String>,
    /// Number of executors.
    #[arg(long, value_name = "NUM", help_heading = "Spark options")]
    pub num_executors: Option<String>,
    /// Extra Java options for the driver.
    #[arg(
        long,
        value_name = "OPTS",
        allow_hyphen_values = true,
        help_heading = "Spark options"
    )]
    pub driver_java_options: Option<String>,
    /// Extra driver classpath entries.
    #[arg(long, value_name = "PATH", help_heading = "Spark options")]
    pub driver_class_path: Option<String>,
    /// Extra driver library path entries.
    #[arg(long, value_name = "PATH", help_heading = "Spark options")]
    pub driver_library_path: Option<String>,
    /// User to impersonate when running the application.
    #[arg(long, value_name = "USER", help_heading = "Spark options")]
    pub proxy_user: Option<String>,
    /// Kerberos principal.
    #[arg(long, value_name = "PRINCIPAL", help_heading = "Spark options")]
    pub principal: Option<String>,
    /// Kerberos keytab file.
    #[arg(long, value_name = "FILE", help_heading = "Spark options")]
    pub keytab: Option<String>,
    /// spark-submit's --verbose (accepted; use -v for our own logging).
    #[arg(long = "spark-verbose", hide = true, help_heading = "Spark options")]
    pub spark_verbose: bool,

    /// Target Spark version (3.5 to 4.3); default: the image tag's version, else 4.0.1.
    #[arg(long, value_name = "VERSION")]
    pub spark_version: Option<String>,
    /// Print (client) or server-validate (server) the objects instead of creating them. The
    /// strategy goes after `=` (as kubectl): `--dry-run local:///app.jar` is `--dry-run=client`
    /// then the resource.
    #[arg(long, value_enum, value_name = "STRATEGY", num_args = 0..=1, require_equals = true, default_missing_value = "client")]
    pub dry_run: Option<DryRun>,
    /// Output format for --dry-run.
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
    pub output: Option<ObjectFormat>,
    /// Return right after creating the objects (spark.kubernetes.submission.waitAppCompletion=false).
    #[arg(long)]
    pub no_wait: bool,
    /// Exit 0 whatever the driver's fate, like spark-submit.
    #[arg(long)]
    pub spark_exit_code: bool,
    /// Skip the preflight checks.
    #[arg(long)]
    pub skip_preflight: bool,
    /// Stop waiting after this long (e.g. 30s, 10m, 2h) and exit 4; the application keeps running.
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Raw lines of the driver's log printed when it fails, after the error found in it (0:
    /// none; default: none when an error was found in the log, otherwise 20).
    #[arg(long, value_name = "N")]
    pub log_tail: Option<u32>,
    /// Submit the SparkApplication manifest(s) in FILE, at URL, or on stdin (-): Kubeflow
    /// v1beta2 (also ScheduledSparkApplication, run once now) or Apache v1/v1beta1.
    #[arg(short = 'f', long = "filename", value_name = "FILE|URL|-")]
    pub filename: Option<String>,
    /// With -f: fail on manifest fields only an operator acts on, instead of warning.
    #[arg(long, requires = "filename")]
    pub strict: bool,
    /// Resubmit a failed application up to N times (a new driver each time) while waiting, as
    /// an operator's restartPolicy OnFailure does; exit with the last attempt's code.
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
    /// Pause before each retry (e.g. 10s, 1m; default 5s).
    #[arg(long, value_name = "DURATION", requires = "retries")]
    pub retry_interval: Option<String>,

    /// The primary resource (jar, .py, .R; local://, s3a://, … or a local file), then the
    /// application's own arguments, passed through untouched.
    #[arg(
        value_name = "RESOURCE [APP_ARGS]",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub resource_and_args: Vec<String>,
}

/// Output formats for status-like commands (`-o`), as kubectl spells them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusFormat {
    /// Table (default).
    Table,
    /// Table with more columns.
    Wide,
    /// JSON.
    Json,
    /// YAML.
    Yaml,
    /// spark-submit's status block.
    Spark,
    /// Submission ids only.
    Name,
    /// `jsonpath=TEMPLATE`: kubectl's JSONPath template over the list of applications.
    JsonPath(String),
    /// `custom-columns=HEADER:PATH,…`: a table of the columns given.
    CustomColumns(String),
}

impl StatusFormat {
    /// The fixed formats and the prefixes of the templated ones, with their help.
    const CHOICES: [(&'static str, &'static str); 8] = [
        ("table", "Table (default)"),
        ("wide", "Table with more columns"),
        ("json", "JSON"),
        ("yaml", "YAML"),
        ("spark", "spark-submit's status block"),
        ("name", "Submission ids only"),
        (
            "jsonpath=",
            "kubectl's JSONPath template, e.g. jsonpath={.items[*].submissionId}",
        ),
        (
            "custom-columns=",
            "Columns HEADER:PATH,…, e.g. custom-columns=NAME:.appName,STATE:.state",
        ),
    ];

    /// Parses `-o`'s value.
    pub fn parse(text: &str) -> std::result::Result<StatusFormat, String> {
        let templated = |prefix: &str| {
            text.strip_prefix(prefix)
                .and_then(|rest| rest.strip_prefix('='))
                .map(str::to_string)
        };
        if let Some(t) = templated("jsonpath") {
            return if t.trim().is_empty() {
                Err(
                    "jsonpath= needs a template, e.g. -o jsonpath='{.items[*].submissionId}'"
                        .into(),
                )
            } else {
                Ok(StatusFormat::JsonPath(t))
            };
        }
        if let Some(t) = templated("custom-columns") {
            return if t.trim().is_empty() {
                Err("custom-columns= needs columns, e.g. -o custom-columns=NAME:.appName,STATE:.state".into())
            } else {
                Ok(StatusFormat::CustomColumns(t))
            };
        }
        Ok(match text {
            "table" => StatusFormat::Table,
            "wide" => StatusFormat::Wide,
            "json" => StatusFormat::Json,
            "yaml" => StatusFormat::Yaml,
            "spark" => StatusFormat::Spark,
            "name" => StatusFormat::Name,
            other => {
                return Err(format!(
                    "`{other}` is not an output format: use table, wide, json, yaml, spark, name, \
                     jsonpath=TEMPLATE or custom-columns=SPEC"
                ));
            }
        })
    }

    /// Whether the format prints a table (for `--no-headers`).
    pub fn is_table(&self) -> bool {
        matches!(
            self,
            StatusFormat::Table | StatusFormat::Wide | StatusFormat::CustomColumns(_)
        )
    }
}

/// clap's parser for [`StatusFormat`]: validates, and lists the choices for help and completion.
#[derive(Debug, Clone, Copy)]
pub struct StatusFormatParser;

impl clap::builder::TypedValueParser for StatusFormatParser {
    type Value = StatusFormat;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> std::result::Result<StatusFormat, clap::Error> {
        let text = value.to_string_lossy();
        StatusFormat::parse(&text).map_err(|reason| {
            let name = arg.map(|a| a.to_string()).unwrap_or_else(|| "-o".into());
            clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!("invalid value '{text}' for '{name}': {reason}\n"),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(StatusFormat::CHOICES.iter().map(
            |(name, help)| clap::builder::PossibleValue::new(*name).help(*help),
        )))
    }
}

/// The flags `status` and `list` share with `kubectl get`.
#[derive(Debug, Clone, Args)]
pub struct GetFlags {
    /// Output format: table, wide, json, yaml, spark, name, jsonpath=TEMPLATE, custom-columns=SPEC.
    #[arg(short = 'o', long, value_name = "FORMAT", value_parser = StatusFormatParser, default_value = "table", hide_possible_values = true)]
    pub output: StatusFormat,
    /// Do not print the header row of tables.
    #[arg(long)]
    pub no_headers: bool,
    /// Only applications whose driver pod matches this label selector (e.g. -l team=etl,tier!=dev).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
    /// Sort by a field of the JSON output, as a JSONPath (e.g. --sort-by=.created, .state, .appName).
    #[arg(long, value_name = "PATH")]
    pub sort_by: Option<String>,
    /// After printing, watch for changes and print each application again when its state changes
    /// (exits 0 whatever their fate, as kubectl get -w; `kubectl spark wait` exits with it).
    #[arg(short = 'w', long)]
    pub watch: bool,
}

/// Naming one application.
#[derive(Debug, Args)]
pub struct AppRefArgs {
    /// Submission id (ns:pod), driver pod name, app name, app id, or glob.
    #[arg(value_name = "APP")]
    pub app: String,
    /// When APP names several runs (an app name submitted many times), take the newest.
    #[arg(long)]
    pub latest: bool,
    /// Look in every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
}

/// `kubectl spark status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Submission ids, driver pod names, app names, app ids or globs; none: every application
    /// of the namespace (-A: of every namespace), as `kubectl get` lists without a name.
    #[arg(value_name = "APP")]
    pub apps: Vec<String>,
    /// When an APP names several runs, show only the newest.
    #[arg(long)]
    pub latest: bool,
    /// Look in every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Also finished applications whose driver pods are gone, as the namespace's History
    /// Server (`kubectl spark history`) knows them: STATE `completed (pod gone)`.
    #[arg(long)]
    pub all: bool,
    /// kubectl's output flags.
    #[command(flatten)]
    pub get: GetFlags,
}

/// Application states to filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AppState {
    /// Driver not running yet.
    Pending,
    /// Driver running.
    Running,
    /// Driver succeeded.
    Succeeded,
    /// Driver failed.
    Failed,
    /// Ended in any way: succeeded, failed, or known only to the History Server (its driver
    /// pod is gone, with --all).
    Completed,
}

/// `kubectl spark list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Look in every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Also finished applications whose driver pods are gone, as the namespace's History
    /// Server (`kubectl spark history`) knows them: STATE `completed (pod gone)`.
    #[arg(long)]
    pub all: bool,
    /// Only applications in these states (comma-separated or repeated, e.g. --state running,pending).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub state: Vec<AppState>,
    /// kubectl's output flags.
    #[command(flatten)]
    pub get: GetFlags,
}

/// `kubectl spark logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The application: submission id (ns:pod), driver pod name, app name, app id, or a glob
    /// naming one.
    #[arg(value_name = "APP")]
    pub app: String,
    /// One executor by id (e.g. 1).
    #[arg(long, value_name = "ID", conflicts_with = "all_executors")]
    pub executor: Option<String>,
    /// All executors, multiplexed with a prefix per pod.
    #[arg(long)]
    pub all_executors: bool,
    /// Follow the log.
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Lines from the end to show (-1, the default, shows all).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub tail: Option<i64>,
    /// Only logs newer than a duration, e.g. 5m.
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// Prefix lines with timestamps.
    #[arg(long)]
    pub timestamps: bool,
    /// When APP names several runs, take the newest.
    #[arg(long)]
    pub latest: bool,
    /// Logs of the previous container instance.
    #[arg(short = 'p', long)]
    pub previous: bool,
    /// Look in every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
}

/// `kubectl spark ui`.
#[derive(Debug, Args)]
pub struct UiArgs {
    /// The application: submission id (ns:pod), driver pod name, app name, app id, or a glob
    /// naming one.
    #[arg(value_name = "APP")]
    pub app: String,
    /// Local port (default: 4040, or the next free one when taken; 0 picks any free port).
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Local address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub address: String,
    /// Open the UI in a browser.
    #[arg(long)]
    pub open: bool,
    /// When APP names several runs, take the newest.
    #[arg(long)]
    pub latest: bool,
    /// Look in every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
}

/// `kubectl spark connect`: a Spark Connect server in a pod, reached through a port-forward.
/// Takes `submit`'s Spark options (those naming an application are refused).
#[derive(Debug, Args)]
#[command(
    after_help = "The server listens on the pod's loopback only (Spark 4.0+) and checks a token kept in a \
Secret; it is reachable only through this command's tunnel (pods/portforward). Ctrl-C deletes it (and \
its executors) unless --detach; --attach NAME reopens the tunnel.\n\
Exit code: 0 after Ctrl-C, 3 when the server failed or was deleted, 4 when it was not ready within \
--timeout, 2 for bad input.",
    mut_arg("resource_and_args", |a| a.hide(true)),
    mut_arg("class", |a| a.hide(true)),
    mut_arg("deploy_mode", |a| a.hide(true)),
    mut_arg("no_wait", |a| a.hide(true)),
    mut_arg("spark_exit_code", |a| a.hide(true)),
    mut_arg("filename", |a| a.hide(true)),
    mut_arg("strict", |a| a.hide(true)),
    mut_arg("retries", |a| a.hide(true)),
    mut_arg("retry_interval", |a| a.hide(true)),
    mut_arg("timeout", |a| a.help("How long to wait for the server to be ready (e.g. 90s, 10m; default 5m); then it is deleted and the exit code is 4")),
    mut_arg("log_tail", |a| a.help("Raw lines of the server's log printed when it fails to start, after the error found in it (0: none; default: none when an error was found, otherwise 20)"))
)]
pub struct ConnectArgs {
    /// The server's name (spark.app.name; default spark-connect); with --attach, the running
    /// server: submission id (ns:pod), driver pod name, app name, or a glob naming one.
    #[arg(value_name = "NAME")]
    pub server_name: Option<String>,
    /// Create the server, wait until it is ready, and return, leaving it running.
    #[arg(long, conflicts_with = "attach")]
    pub detach: bool,
    /// Reopen the tunnel to a running server (NAME); it keeps running after Ctrl-C.
    #[arg(long, requires = "server_name")]
    pub attach: bool,
    /// Local port for Spark Connect (default: 15002, or the next free one; 0 picks any).
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Local port for the Spark UI (default: 4040, or the next free one; 0 picks any).
    #[arg(long, value_name = "PORT")]
    pub ui_port: Option<u16>,
    /// Local address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub address: String,
    /// With --attach: look in every namespace.
    #[arg(short = 'A', long, requires = "attach")]
    pub all_namespaces: bool,
    /// Spark options, as for `submit`.
    #[command(flatten)]
    pub spark: SubmitArgs,
}

/// `kubectl spark wait`: waits for existing applications (finished ones too) and exits as
/// `submit` would.
#[derive(Debug, Args)]
#[command(
    after_help = "Prints what `submit` prints while it waits (phase changes, why the driver or executors \
are not running, executors lost) and, at the end, the final status and the failure report.\n\
Exit code: 0 when every application succeeded, 3 when one failed or was deleted, 4 when --timeout \
ended the wait (the applications keep running), 130 on Ctrl-C, 2 for bad input."
)]
pub struct WaitArgs {
    /// Submission ids, driver pod names, app names, app ids or globs.
    #[arg(value_name = "APP", required_unless_present_any = ["all", "selector"], conflicts_with = "all")]
    pub apps: Vec<String>,
    /// Wait for every application of the namespace (every namespace with -A).
    #[arg(long)]
    pub all: bool,
    /// Only applications whose driver pod matches this label selector (e.g. -l team=etl).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
    /// When an APP names several runs, wait only for the newest.
    #[arg(long)]
    pub latest: bool,
    /// Stop waiting after this long (e.g. 30s, 10m, 2h) and exit 4; the applications keep running.
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Raw lines of the driver's log printed when it failed, after the error found in it (0:
    /// none; default: none when an error was found in the log, otherwise 20).
    #[arg(long, value_name = "N")]
    pub log_tail: Option<u32>,
    /// Spark properties, as `submit` takes them: spark.kubernetes.report.interval paces the
    /// progress lines on a pipe (default 1s; e.g. 30s in CI logs).
    #[arg(short = 'c', long = "conf", value_name = "KEY=VALUE")]
    pub conf: Vec<String>,
    /// Look in every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
}

/// `kubectl spark kill`.
#[derive(Debug, Args)]
pub struct KillArgs {
    /// Submission ids, driver pod names, app names, app ids or globs.
    #[arg(value_name = "APP", required = true)]
    pub apps: Vec<String>,
    /// Seconds to wait before the driver is killed (default: spark.kubernetes.appKillPodDeletionGracePeriod, else the pod's).
    #[arg(long, value_name = "SECONDS")]
    pub grace_period: Option<i64>,
    /// Spark properties (e.g. spark.kubernetes.appKillPodDeletionGracePeriod).
    #[arg(short = 'c', long = "conf", value_name = "KEY=VALUE")]
    pub conf: Vec<String>,
    /// Wait until the driver and what it owns are gone.
    #[arg(long)]
    pub wait: bool,
    /// When an APP names several runs, kill only the newest.
    #[arg(long)]
    pub latest: bool,
    /// List what would be deleted; delete nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Kill several applications without asking (needed when stdin is not a terminal).
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Look in every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
}

/// `kubectl spark cleanup`.
#[derive(Debug, Args)]
pub struct CleanupArgs {
    /// Only applications finished longer ago than this, e.g. 24h.
    #[arg(long, value_name = "DURATION", default_value = "24h")]
    pub older_than: String,
    /// Only applications in these end states: succeeded, failed (comma list or repeated;
    /// default both).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "STATE")]
    pub state: Vec<AppState>,
    /// Only applications whose driver matches this label selector, e.g. -l team=etl.
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
    /// Leave the files the applications uploaded (spark-upload-*) in the object store.
    #[arg(long)]
    pub keep_uploads: bool,
    /// List what would be deleted; delete nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Delete several applications without asking (needed when stdin is not a terminal).
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Look in every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
}

/// `-o` of `history`'s listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    /// JSON array of applications.
    Json,
    /// YAML list of applications.
    Yaml,
    /// One application id per line.
    Name,
}

/// `kubectl spark history`.
#[derive(Debug, Args)]
#[command(
    after_help = "The History Server reads the event logs that drivers write (spark.eventLog.dir, set for a \
namespace by `kubectl spark setup --event-log-dir`). It runs as a pod labelled \
kubectl-spark.io/history-server=true (never an application for list/kill/cleanup), is created on first use \
and reused after; --stop removes it. Its UI is reached through the same tunnel as `ui`."
)]
pub struct HistoryArgs {
    /// Stop the History Server and remove everything it created.
    #[arg(long, conflicts_with_all = ["open", "port", "output"])]
    pub stop: bool,
    /// Forward the UI and open it in a browser (prints the URL on stdout; Ctrl-C stops).
    #[arg(long)]
    pub open: bool,
    /// Forward the UI on this local port (default: 18080, or the next free one; 0 picks any).
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Local address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub address: String,
    /// Output format of the listing: json, yaml or name (default: a table).
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
    pub output: Option<HistoryFormat>,
    /// A Spark property for a new server, over the namespace defaults (repeatable), e.g.
    /// spark.history.fs.logDirectory=s3a://bucket/events.
    #[arg(short = 'c', long = "conf", value_name = "KEY=VALUE")]
    pub conf: Vec<String>,
    /// How long a new server may take to be ready (default 5m).
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
}

/// `kubectl spark setup`.
#[derive(Debug, Args)]
pub struct SetupArgs {
    /// ServiceAccount name for the driver.
    #[arg(long, default_value = "spark")]
    pub service_account: String,
    /// Bind this existing ClusterRole instead of creating a Role.
    #[arg(long, value_name = "NAME")]
    pub cluster_role: Option<String>,
    /// Use a ClusterRoleBinding.
    #[arg(long)]
    pub cluster_wide: bool,
    /// Create the namespace if missing.
    #[arg(long)]
    pub create_namespace: bool,
    /// Also grant an identity what submitting needs (repeatable). Accepted forms: User:NAME,
    /// Group:NAME, ServiceAccount:NAMESPACE:NAME, or system:serviceaccount:NAMESPACE:NAME as
    /// Kubernetes names service accounts (the kind is case-insensitive).
    #[arg(long, value_name = "KIND:NAME")]
    pub submitter: Vec<String>,
    /// Target Spark version.
    #[arg(long, value_name = "VERSION")]
    pub spark_version: Option<String>,
    /// Print the objects instead of applying them.
    #[arg(long)]
    pub dry_run: bool,
    /// Output format for --dry-run.
    #[arg(short = 'o', long, value_enum)]
    pub output: Option<ObjectFormat>,
    /// Remove what setup created.
    #[arg(long)]
    pub delete: bool,
    /// Namespace default: write event logs here (spark.eventLog.enabled=true and
    /// spark.eventLog.dir), any Hadoop URI the image reads (s3a://, gs://, abfs://, hdfs://) or a
    /// path on a volume mounted in drivers and the History Server.
    #[arg(long, value_name = "URI")]
    pub event_log_dir: Option<String>,
    /// Namespace default: the container image (spark.kubernetes.container.image).
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<String>,
    /// Namespace default: a Spark property applied by submit/connect/history below every
    /// setting they are given (repeatable). Secret values (keys, passwords, tokens) go into the
    /// Secret kubectl-spark-defaults, never into the ConfigMap.
    #[arg(short = 'c', long = "conf", value_name = "KEY=VALUE")]
    pub conf: Vec<String>,
}

/// `kubectl spark doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Service account the driver will use (default:
    /// spark.kubernetes.authenticate.driver.serviceAccountName, else spark).
    #[arg(long)]
    pub service_account: Option<String>,
    /// The submission's Spark properties, as `submit` takes them: the permissions checked
    /// follow from them (the statefulset allocator needs StatefulSets, OnDemand claims PVCs…).
    #[arg(
        short = 'c',
        long = "conf",
        value_name = "KEY=VALUE",
        help_heading = "Spark options"
    )]
    pub conf: Vec<String>,
    /// File of extra properties (default: $SPARK_CONF_DIR/spark-defaults.conf).
    #[arg(long, value_name = "FILE", help_heading = "Spark options")]
    pub properties_file: Option<PathBuf>,
    /// Load spark-defaults.conf even when --properties-file is given.
    #[arg(long, help_heading = "Spark options")]
    pub load_spark_defaults: bool,
    /// Target Spark version; default: the image tag's version, else 4.0.1.
    #[arg(long, value_name = "VERSION")]
    pub spark_version: Option<String>,
}

/// `kubectl spark client-setup`.
#[derive(Debug, Args)]
pub struct ClientSetupArgs {
    /// The pod that runs the client-mode driver.
    #[arg(long, value_name = "POD")]
    pub pod: String,
    /// Write the confs as a properties file here.
    #[arg(long, value_name = "FILE")]
    pub properties_file: Option<PathBuf>,
}

/// `kubectl spark version`.
#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Print the plugin's version only; do not contact the API server.
    #[arg(long)]
    pub client: bool,
    /// Output format: json or yaml (default: text).
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
    pub output: Option<ObjectFormat>,
}

/// What `kubectl spark convert` produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConvertTarget {
    /// A `kubectl spark submit` command line (from a manifest).
    Args,
    /// A Kubeflow `sparkoperator.k8s.io/v1beta2` SparkApplication (from submit arguments).
    Kubeflow,
    /// An Apache `spark.apache.org/v1` SparkApplication (from submit arguments).
    Apache,
}

/// `kubectl spark convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The manifest(s) to convert to a command line: FILE, URL, or - for stdin.
    #[arg(short = 'f', long = "filename", value_name = "FILE|URL|-")]
    pub filename: Option<String>,
    /// What to produce.
    #[arg(long, value_enum, default_value = "args")]
    pub to: ConvertTarget,
    /// With --to args: write the pod templates a manifest needs into this directory.
    #[arg(long, value_name = "DIR")]
    pub template_dir: Option<PathBuf>,
    /// With --to kubeflow|apache: the manifest's Spark version (default: the image tag's).
    #[arg(long, value_name = "VERSION")]
    pub spark_version: Option<String>,
    /// With --to kubeflow|apache: the `kubectl spark submit` arguments, after `--`.
    #[arg(last = true, value_name = "SUBMIT_ARGS")]
    pub submit_args: Vec<String>,
}

/// `kubectl spark completion`.
#[derive(Debug, Args)]
#[command(
    after_help = "Load in the current bash session: source <(kubectl-spark completion bash)\n\
`kubectl spark <TAB>` goes through kubectl's own completion (kubectl 1.26+), which runs the \
`kubectl_complete-spark` helper from PATH: install it with\n  \
kubectl spark completion kubectl > ~/.local/bin/kubectl_complete-spark && chmod +x ~/.local/bin/kubectl_complete-spark"
)]
pub struct CompletionArgs {
    /// The shell, or `kubectl` for the `kubectl_complete-spark` helper.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: CompletionShell,
}

/// What `kubectl spark completion` prints a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
    /// PowerShell.
    Powershell,
    /// The `kubectl_complete-spark` helper kubectl runs to complete `kubectl spark …`.
    Kubectl,
}

/// Examples for each command, shown under `Examples:` in its help and under EXAMPLES in its
/// man page: `(command name, examples)`, the root command as `""`. Each example is a comment
/// line (`# …`) followed by the command.
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "",
        "# Let the driver create pods in a namespace (once per namespace)
kubectl spark setup -n spark

# Submit SparkPi and follow it to the end
kubectl spark submit -n spark --name spark-pi --class org.apache.spark.examples.SparkPi \\
  --conf spark.kubernetes.container.image=apache/spark:4.0.1 \\
  --conf spark.kubernetes.authenticate.driver.serviceAccountName=spark \\
  local:///opt/spark/examples/jars/spark-examples.jar 1000

# See what runs, then the newest run's log
kubectl spark list -n spark
kubectl spark logs -n spark spark-pi --latest",
    ),
    (
        "submit",
        "# Submit and wait for the driver to end (exit 0 succeeded, 3 failed)
kubectl spark submit -n spark --name spark-pi --class org.apache.spark.examples.SparkPi \\
  --conf spark.kubernetes.container.image=apache/spark:4.0.1 \\
  --conf spark.kubernetes.authenticate.driver.serviceAccountName=spark \\
  local:///opt/spark/examples/jars/spark-examples.jar 1000

# A Python application from a local file (uploaded to spark.kubernetes.file.upload.path)
kubectl spark submit -n spark --conf spark.kubernetes.container.image=apache/spark-py:4.0.1 \\
  --conf spark.kubernetes.file.upload.path=s3a://bucket/uploads ./job.py --date 2025-01-01

# Print the objects instead of creating them (nothing is sent to the server)
kubectl spark submit --dry-run -o yaml --class Main \\
  --conf spark.kubernetes.container.image=apache/spark:4.0.1 local:///app.jar

# Return as soon as the driver exists; stdout is the submission id
id=$(kubectl spark submit --no-wait ... local:///app.jar)",
    ),
    (
        "status",
        "# The state of every run of an application
kubectl spark status spark-pi

# Only the newest run, as spark-submit --status prints it
kubectl spark status spark-pi --latest -o spark

# One field for scripts, kubectl style
kubectl spark status spark:spark-pi-1a2b3c-driver -o jsonpath='{.items[0].state}'

# Watch until every named application has ended
kubectl spark status 'nightly-*' -w

# An application whose driver pod was deleted, from the History Server
kubectl spark status --all spark-8f2c0e6d4b1a4f7e9c3d2b1a0f9e8d7c",
    ),
    (
        "list",
        "# Applications in the current namespace, newest first
kubectl spark list

# Everywhere, only those running or pending
kubectl spark list -A --state running,pending

# Failed runs of one team, as submission ids
kubectl spark list -l team=etl --state failed -o name

# Chosen columns, sorted, without the header
kubectl spark list -o custom-columns=ID:.submissionId,STATE:.state --sort-by=.created --no-headers

# Print changes as they happen
kubectl spark list -w

# Also the finished applications whose pods are gone (kubectl spark history runs)
kubectl spark list --all",
    ),
    (
        "describe",
        "# Everything about one application: state, why it is pending, resources, events
kubectl spark describe spark:spark-pi-1a2b3c-driver

# The newest run of an application submitted many times
kubectl spark describe spark-pi --latest",
    ),
    (
        "logs",
        "# The driver's log
kubectl spark logs spark-pi --latest

# Follow the log of executor 1
kubectl spark logs spark:spark-pi-1a2b3c-driver --executor 1 -f

# The last 100 lines of every executor, prefixed by pod
kubectl spark logs spark-pi --latest --all-executors --tail 100",
    ),
    (
        "ui",
        "# Forward the Spark UI to http://127.0.0.1:4040 and open it
kubectl spark ui spark-pi --latest --open

# Another local port
kubectl spark ui spark:spark-pi-1a2b3c-driver --port 8080",
    ),
    (
        "wait",
        "# Wait again for an application submitted with --no-wait (or after Ctrl-C); exits 0, 3 or 4
kubectl spark wait spark:spark-pi-1a2b3c-driver --timeout 30m

# In CI: wait for every run of a nightly batch, exit 3 if any failed
kubectl spark wait 'nightly-*'

# Every application of the namespace, or of a team
kubectl spark wait --all
kubectl spark wait -l team=etl

# A progress line every 30 s at most in a CI log (as submit's --conf)
kubectl spark wait 'nightly-*' -c spark.kubernetes.report.interval=30s",
    ),
    (
        "history",
        "# Event logs for every application of the namespace (once), then a History Server
kubectl spark setup -n spark --event-log-dir s3a://spark-logs/events \\
  -c spark.hadoop.fs.s3a.endpoint=https://s3.example.com
kubectl spark history -n spark

# Its UI forwarded to localhost (the URL on stdout), or the finished applications as JSON
kubectl spark history -n spark --open
kubectl spark history -n spark -o json

# Stop it (the event logs stay)
kubectl spark history -n spark --stop",
    ),
    (
        "kill",
        "# Kill one application (its executors, Service and ConfigMaps go with the driver)
kubectl spark kill spark:spark-pi-1a2b3c-driver

# See what a glob would kill, then kill without asking
kubectl spark kill 'nightly-*' --dry-run
kubectl spark kill 'nightly-*' --yes

# Kill the newest run of a name and wait until everything it owns is gone
kubectl spark kill spark-pi --latest --wait",
    ),
    (
        "cleanup",
        "# What would be deleted: applications that ended more than a day ago
kubectl spark cleanup --dry-run

# Delete those that ended more than an hour ago, in every namespace, without asking
kubectl spark cleanup -A --older-than 1h --yes",
    ),
    (
        "setup",
        "# The driver's service account and role in a namespace
kubectl spark setup -n spark

# Also create the namespace and let a group and a CI service account submit
kubectl spark setup -n spark --create-namespace --submitter Group:data-engineers \\
  --submitter ServiceAccount:ci:runner

# Review the objects first; remove them later
kubectl spark setup -n spark --dry-run -o yaml
kubectl spark setup -n spark --delete",
    ),
    (
        "doctor",
        "# Can submissions work in this namespace?
kubectl spark doctor -n spark

# With another driver service account
kubectl spark doctor -n spark --service-account etl-driver",
    ),
    (
        "client-setup",
        "# Make a notebook pod a client-mode driver and print the --conf lines
kubectl spark client-setup -n spark --pod jupyter-0

# Write them as a properties file instead
kubectl spark client-setup -n spark --pod jupyter-0 --properties-file spark-client.conf",
    ),
    (
        "version",
        "# Plugin, server and Spark versions
kubectl spark version

# The plugin only, as JSON
kubectl spark version --client -o json",
    ),
    (
        "convert",
        "# A SparkApplication manifest as a kubectl spark submit command line
kubectl spark convert -f app.yaml

# Submit arguments as a Kubeflow SparkApplication manifest
kubectl spark convert --to kubeflow -- --name pi --class org.apache.spark.examples.SparkPi \\
  -c spark.kubernetes.container.image=apache/spark:4.0.1 local:///opt/app.jar",
    ),
    (
        "connect",
        "# A Spark Connect server on the cluster, tunnelled to localhost:15002 until Ctrl-C
kubectl spark connect -n spark \\
  -c spark.kubernetes.container.image=apache/spark:4.0.1 \\
  -c spark.kubernetes.authenticate.driver.serviceAccountName=spark

# In another terminal: the connection string it printed on stdout, with its token
pyspark --remote 'sc://localhost:15002/;token=...'

# Leave it running, reopen the tunnel later, delete it
kubectl spark connect -n spark bi --detach -c spark.kubernetes.container.image=apache/spark:4.0.1
kubectl spark connect -n spark --attach bi
kubectl spark kill -n spark bi",
    ),
    (
        "completion",
        "# Complete `kubectl spark <TAB>` through kubectl (1.26+)
kubectl spark completion kubectl > ~/.local/bin/kubectl_complete-spark
chmod +x ~/.local/bin/kubectl_complete-spark

# Complete kubectl-spark itself in bash
source <(kubectl-spark completion bash)",
    ),
];

/// The examples of a command (`""` for the root).
pub fn examples(command: &str) -> Option<&'static str> {
    EXAMPLES
        .iter()
        .find(|(name, _)| *name == command)
        .map(|(_, text)| *text)
}

/// The examples as help text: an `Examples:` heading styled like clap's own, then each
/// line indented.
fn examples_help(text: &str) -> clap::builder::StyledStr {
    let header = clap::builder::Styles::default().get_header().to_owned();
    let mut help = clap::builder::StyledStr::new();
    use std::fmt::Write as _;
    let _ = write!(help, "{header}Examples:{header:#}");
    for line in text.lines() {
        if line.is_empty() {
            help.push_str("\n");
        } else {
            let _ = write!(help, "\n  {line}");
        }
    }
    help
}

/// Adds the examples after a command's own closing notes.
fn with_examples(cmd: clap::Command, name: &str) -> clap::Command {
    let Some(text) = examples(name) else {
        return cmd;
    };
    let mut after = clap::builder::StyledStr::new();
    if let Some(notes) = cmd.get_after_help() {
        after.push_str(&notes.ansi().to_string());
        after.push_str("\n\n");
    }
    use std::fmt::Write as _;
    let _ = write!(after, "{}", examples_help(text).ansi());
    cmd.after_help(after)
}

/// The whole command line definition, with the examples attached to every command.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let mut root = with_examples(Cli::command(), "");
    let names: Vec<String> = root
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        root = root.mut_subcommand(&name, |sub| with_examples(sub, &name));
    }
    root
}

/// Parses argv with [`command`].
pub fn try_parse() -> std::result::Result<Cli, clap::Error> {
    use clap::FromArgMatches;
    let mut cmd = command();
    let matches = cmd.try_get_matches_from_mut(std::env::args_os())?;
    Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut cmd))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn app_args_are_passed_through_untouched() {
        let cli = Cli::try_parse_from([
            "kubectl-spark",
            "submit",
            "--class",
            "Main",
            "-c",
            "spark.a=b",
            "local:///app.jar",
            "--conf",
            "x",
            "-n",
        ])
        .unwrap();
        let Command::Submit(s) = cli.command else {
            panic!()
        };
        assert_eq!(s.conf, vec!["spark.a=b"]);
        assert_eq!(
            s.resource_and_args,
            vec!["local:///app.jar", "--conf", "x", "-n"]
        );
    }

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        let mut argv = vec!["kubectl-spark"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv)
    }

    #[test]
    fn dry_run_takes_its_value_only_after_equals() {
        let Command::Submit(s) = parse(&["submit", "--dry-run", "local:///app.jar", "1"])
            .unwrap()
            .command
        else {
            panic!()
        };
        assert_eq!(s.dry_run, Some(DryRun::Client));
        assert_eq!(s.resource_and_args, ["local:///app.jar", "1"]);
        let Command::Submit(s) = parse(&["submit", "--dry-run=server", "a.jar"])
            .unwrap()
            .command
        else {
            panic!()
        };
        assert_eq!(s.dry_run, Some(DryRun::Server));
    }

    #[test]
    fn kubectl_get_conventions_parse() {
        let Command::List(l) = parse(&[
            "list",
            "--state",
            "running,pending",
            "--state",
            "failed",
            "-l",
            "team=etl",
            "--sort-by=.created",
            "--no-headers",
            "-w",
            "-o",
            "jsonpath={.items[*].state}",
        ])
        .unwrap()
        .command
        else {
            panic!()
        };
        assert_eq!(
            l.state,
            [AppState::Running, AppState::Pending, AppState::Failed]
        );
        assert_eq!(l.get.selector.as_deref(), Some("team=etl"));
        assert_eq!(l.get.sort_by.as_deref(), Some(".created"));
        assert!(l.get.no_headers && l.get.watch);
        assert_eq!(
            l.get.output,
            StatusFormat::JsonPath("{.items[*].state}".into())
        );
        let Command::Status(s) = parse(&["status", "-l", "a=b", "-o", "custom-columns=A:.b"])
            .unwrap()
            .command
        else {
            panic!()
        };
        assert!(s.apps.is_empty());
        assert_eq!(s.get.output, StatusFormat::CustomColumns("A:.b".into()));
        // Without a name, status lists the namespace's applications (as kubectl get does).
        assert!(parse(&["status"]).is_ok());
        assert!(parse(&["list", "-o", "jsonpath="]).is_err());
        assert!(parse(&["list", "-o", "bogus"]).is_err());
        let Command::Logs(l) = parse(&["logs", "app", "--tail", "-1"]).unwrap().command else {
            panic!()
        };
        assert_eq!(l.tail, Some(-1));
        let Command::Version(v) = parse(&["version", "--client", "-o", "yaml"])
            .unwrap()
            .command
        else {
            panic!()
        };
        assert!(v.client);
        assert_eq!(v.output, Some(ObjectFormat::Yaml));
    }

    #[test]
    fn connection_overrides_are_global() {
        let cli = parse(&[
            "list",
            "-s",
            "https://h:6443",
            "--token",
            "t",
            "--as",
            "alice",
            "--as-group",
            "a",
            "--as-group",
            "b",
            "--certificate-authority",
            "ca.crt",
            "--insecure-skip-tls-verify",
        ])
        .unwrap();
        assert_eq!(cli.kube.server.as_deref(), Some("https://h:6443"));
        assert_eq!(cli.kube.token.as_deref(), Some("t"));
        assert_eq!(cli.kube.as_user.as_deref(), Some("alice"));
        assert_eq!(cli.kube.as_group, ["a", "b"]);
        assert!(cli.kube.insecure_skip_tls_verify);
    }

    #[test]
    fn connect_name_is_not_the_global_server_flag() {
        let cli = Cli::try_parse_from([
            "kubectl-spark",
            "connect",
            "--attach",
            "bi",
            "-s",
            "https://h:1",
        ])
        .unwrap();
        assert_eq!(cli.kube.server.as_deref(), Some("https://h:1"));
        let Command::Connect(c) = cli.command else {
            panic!()
        };
        assert_eq!(c.server_name.as_deref(), Some("bi"));
        let cli = Cli::try_parse_from(["kubectl-spark", "connect", "bi"]).unwrap();
        assert_eq!(cli.kube.server, None);
    }

    #[test]
    fn every_command_has_examples() {
        let cmd = command();
        assert!(examples("").is_some());
        for sub in cmd
            .get_subcommands()
            .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        {
            assert!(
                examples(sub.get_name()).is_some(),
                "{} has no examples",
                sub.get_name()
            );
            let after = sub.get_after_help().unwrap().to_string();
            assert!(after.contains("Examples:"), "{}", sub.get_name());
        }
    }

    #[test]
    fn kube_flags_are_global() {
        let cli = Cli::try_parse_from([
            "kubectl-spark",
            "status",
            "app",
            "-n",
            "ns",
            "--context",
            "c",
        ])
        .unwrap();
        assert_eq!(cli.kube.namespace.as_deref(), Some("ns"));
        assert_eq!(cli.kube.context.as_deref(), Some("c"));
    }
}
