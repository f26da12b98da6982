//! The low level of a submission's arguments: clap's [`SubmitArgs`] as they were typed,
//! checked for what clap cannot see, and mapped onto spark-submit's [`SubmitOptions`] (what a
//! manifest also translates to). [`crate::submit::prepare`] resolves these into a submission.

use crate::cli::{KubeFlags, SubmitArgs};
use crate::conf::submit_args::SubmitOptions;
use crate::error::{Error, Result};

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
pub fn kube_flags_text(flags: &KubeFlags) -> String {
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

/// The flags that name the application themselves, which a manifest replaces.
pub fn flags_replaced_by_manifest(args: &SubmitArgs) -> Vec<&'static str> {
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
