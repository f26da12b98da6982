//! `kubectl spark convert`: a manifest → the equivalent `kubectl spark submit` command line
//! (`--to args`), or submit arguments → a Kubeflow or Apache SparkApplication
//! (`--to kubeflow|apache`). Contacts no cluster.

use std::path::Path;

use clap::Parser;

use crate::cli::{Cli, Command, ConvertArgs, ConvertTarget, KubeFlags, ObjectFormat};
use crate::conf::SparkConf;
use crate::error::{Error, Result};
use crate::manifest::{self, Role, emit, read_source};
use crate::output;
use crate::submit::args::to_options;

/// Runs `convert`; returns the exit code.
pub async fn run(flags: &KubeFlags, args: &ConvertArgs) -> Result<u8> {
    match args.to {
        ConvertTarget::Args => to_args(args).await,
        ConvertTarget::Kubeflow | ConvertTarget::Apache => to_manifest(flags, args),
    }
}

async fn to_args(args: &ConvertArgs) -> Result<u8> {
    let Some(source) = &args.filename else {
        return Err(Error::usage(
            "--to args converts a manifest: -f is missing",
            "pass -f app.yaml (or --to kubeflow|apache -- <submit arguments> for the other direction)",
        ));
    };
    if !args.submit_args.is_empty() {
        return Err(Error::usage(
            "--to args takes a manifest (-f), not submit arguments",
            "drop the arguments after --, or use --to kubeflow|apache",
        ));
    }
    let text = read_source(source).await?;
    let now = jiff::Timestamp::now();
    let docs = manifest::translate_all(&text, source, now.as_nanosecond())?;
    let mut out = String::new();
    for doc in &docs {
        for w in &doc.warnings {
            output::warn(w);
        }
        let mut options = doc.options.clone();
        for role in [Role::Driver, Role::Executor] {
            if !doc.needs_template(role) {
                continue;
            }
            let key = role.template_file_key();
            if doc.template(role).inline.is_none() && doc.conf_value(&key).is_some() {
                return Err(Error::usage(
                    format!(
                        "{}: {} are merged into the template file sparkConf names ({key}); \
                         convert cannot rewrite that file",
                        doc.label,
                        doc.template(role).overlay.fields.join(", ")
                    ),
                    "submit the manifest directly with `kubectl spark submit -f`",
                ));
            }
            let Some(dir) = &args.template_dir else {
                let fields = match &doc.template(role).inline {
                    Some(_) => format!("spec.{}.template", role.as_str()),
                    None => doc.template(role).overlay.fields.join(", "),
                };
                return Err(Error::usage(
                    format!(
                        "{}: {fields} need a {} pod template file on the command line",
                        doc.label,
                        role.as_str()
                    ),
                    "pass --template-dir DIR to write the templates there",
                ));
            };
            let built = manifest::build_template(doc, role, None).expect("needs a template");
            let path = dir.join(format!("{}-{}-pod-template.yaml", doc.name, role.as_str()));
            write_template(&path, &built.pod)?;
            let built = manifest::BuiltTemplate {
                file: path.to_string_lossy().into_owned(),
                ..built
            };
            manifest::add_template_confs(&mut options, role, &built);
        }
        let mut line = vec!["kubectl".to_string(), "spark".into(), "submit".into()];
        if let Some(v) = &doc.spark_version
            && crate::conf::SparkVersion::parse(v).is_ok()
        {
            line.push("--spark-version".into());
            line.push(v.clone());
        }
        line.extend(emit::to_args(&options));
        let quoted: Vec<String> = line.iter().map(|a| emit::shell_quote(a)).collect();
        out.push_str(&quoted.join(" "));
        out.push('\n');
    }
    output::print_data(&out)?;
    Ok(0)
}

fn write_template(path: &Path, pod: &k8s_openapi::api::core::v1::Pod) -> Result<()> {
    let mut value = serde_json::to_value(pod).map_err(|e| Error::Other(e.to_string()))?;
    if let Some(obj) = value.as_object_mut() {
        obj.insert("apiVersion".into(), "v1".into());
        obj.insert("kind".into(), "Pod".into());
    }
    let text = output::render(&value, ObjectFormat::Yaml)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    }
    std::fs::write(path, text).map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    output::info(&format!("wrote {}", path.display()));
    Ok(())
}

fn to_manifest(flags: &KubeFlags, args: &ConvertArgs) -> Result<u8> {
    if args.filename.is_some() {
        return Err(Error::usage(
            "--to kubeflow|apache converts submit arguments, not a manifest (-f)",
            "pass the arguments after --, e.g. convert --to kubeflow -- --name pi --class Main app.jar",
        ));
    }
    if args.submit_args.is_empty() {
        return Err(Error::usage(
            "no submit arguments to convert",
            "pass them after --, e.g. convert --to kubeflow -- --name pi --class Main local:///app.jar",
        ));
    }
    let argv = ["kubectl-spark", "submit"]
        .into_iter()
        .map(str::to_string)
        .chain(args.submit_args.iter().cloned());
    let cli = Cli::try_parse_from(argv).map_err(|e| {
        Error::usage(
            format!(
                "the submit arguments: {}",
                e.to_string().lines().next().unwrap_or_default()
            ),
            "pass the same arguments as to `kubectl spark submit`",
        )
    })?;
    let Command::Submit(submit) = cli.command else {
        unreachable!("parsed as submit");
    };
    let mut options = to_options(&submit);
    // `-n` (before `convert` or among the submit arguments) is the manifest's namespace.
    let namespace = cli.kube.namespace.as_deref().or(flags.namespace.as_deref());
    emit::add_namespace(&mut options, namespace)?;
    let version_flag = args
        .spark_version
        .clone()
        .or_else(|| submit.spark_version.clone());
    let mut conf = SparkConf::new();
    for (k, v) in emit::effective_conf(&options)? {
        conf.set(k, v);
    }
    let (version, _) = crate::submit::resolve::spark_version(version_flag.as_deref(), &conf)?;
    let (manifest, notes) = match args.to {
        ConvertTarget::Kubeflow => emit::to_kubeflow(&options, &version.to_string())?,
        _ => emit::to_apache(&options, &version.to_string())?,
    };
    for n in notes
        .into_iter()
        .chain(emit::local_file_note(&options, &conf))
    {
        output::warn(&n);
    }
    let mut text = output::render(&manifest, ObjectFormat::Yaml)?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    output::print_data(&text)?;
    Ok(0)
}
