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
    /// Kubernetes connection flags shared by every command.
    #[command(flatten)]
    pub kube: KubeFlags,

    /// More logging on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The flags every kubectl plugin honours, resolved exactly like kubectl.
#[derive(Debug, Clone, Default, Args)]
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

    /// How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit).
    #[arg(long, global = true, value_name = "DURATION")]
    pub request_timeout: Option<String>,
}

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
    /// Stop one or more applications.
    Kill(KillArgs),
    /// Delete finished applications and their leftovers.
    Cleanup(CleanupArgs),
    /// Create the driver's ServiceAccount and permissions.
    Setup(SetupArgs),
    /// Check that submissions can work: access, permissions, referenced objects.
    Doctor(DoctorArgs),
    /// Prepare a pod to act as a client-mode driver.
    ClientSetup(ClientSetupArgs),
    /// Print the plugin, server and supported Spark versions.
    Version,
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

/// `kubectl spark submit`: spark-submit's options for Kubernetes cluster mode, then our own.
#[derive(Debug, Args)]
#[command(
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
    /// Print (client) or server-validate (server) the objects instead of creating them.
    #[arg(long, value_enum, value_name = "STRATEGY", num_args = 0..=1, default_missing_value = "client")]
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
    /// Lines of the driver's log printed when it fails (0: none).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub log_tail: u32,
    /// Submit the SparkApplication manifest(s) in FILE, at URL, or on stdin (-): Kubeflow
    /// v1beta2 (also ScheduledSparkApplication, run once now) or Apache v1/v1beta1.
    #[arg(short = 'f', long = "filename", value_name = "FILE|URL|-")]
    pub filename: Option<String>,
    /// With -f: fail on manifest fields only an operator acts on, instead of warning.
    #[arg(long, requires = "filename")]
    pub strict: bool,

    /// The primary resource (jar, .py, .R; local://, s3a://, … or a local file), then the
    /// application's own arguments, passed through untouched.
    #[arg(
        value_name = "RESOURCE [APP_ARGS]",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub resource_and_args: Vec<String>,
}

/// Output formats for status-like commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
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
}

/// Naming one application.
#[derive(Debug, Args)]
pub struct AppRefArgs {
    /// Submission id (ns:pod), driver pod name, app name, app id, or glob.
    #[arg(value_name = "APP")]
    pub app: String,
    /// Look in every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
}

/// `kubectl spark status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Submission ids, driver pod names, app names, app ids or globs.
    #[arg(value_name = "APP", required = true)]
    pub apps: Vec<String>,
    /// Look in every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: StatusFormat,
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
}

/// `kubectl spark list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Look in every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Only applications in this state (repeatable).
    #[arg(long, value_enum)]
    pub state: Vec<AppState>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: StatusFormat,
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
    /// Lines from the end to show.
    #[arg(long, value_name = "N")]
    pub tail: Option<i64>,
    /// Only logs newer than a duration, e.g. 5m.
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// Prefix lines with timestamps.
    #[arg(long)]
    pub timestamps: bool,
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
    /// List what would be deleted.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask before killing several applications.
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
    /// List what would be deleted.
    #[arg(long)]
    pub dry_run: bool,
    /// Look in every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
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
    /// Also grant a user or group what submitting needs (User:NAME or Group:NAME).
    #[arg(long, value_name = "USER|GROUP")]
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
}

/// `kubectl spark doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Service account the driver will use.
    #[arg(long, default_value = "spark")]
    pub service_account: String,
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
#[command(
    after_help = "Examples:\n  kubectl spark convert -f app.yaml    # manifest -> submit command line\n  \
kubectl spark convert --to kubeflow -- --name pi --class Main \\\n    \
-c spark.kubernetes.container.image=apache/spark:4.0.1 local:///opt/app.jar"
)]
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
