//! `submit -f`: the manifest front door. Reads the manifest source, translates every
//! document ([`crate::manifest`]) into spark-submit options and pod templates, then resolves
//! each like a command line ([`prepare::prepare_from`]), all before anything is created.

use crate::cli::{KubeFlags, ObjectFormat, SubmitArgs};
use crate::conf::SparkConf;
use crate::error::{Error, Result};
use crate::manifest::bundle;
use crate::output;
use crate::store::settings::StoreEnv;
use crate::submit::args::flags_replaced_by_manifest;
use crate::submit::bundled;
use crate::submit::prepare::{self, PreparedAll};
use crate::submit::resolve;
use crate::submit::retry::Retry;

/// Reads and translates the manifest(s) named by `-f`, then prepares every document before
/// anything is created: one bad document fails them all.
pub async fn prepare_manifests(
    flags: &KubeFlags,
    args: &SubmitArgs,
    source: &str,
) -> Result<PreparedAll> {
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
    let text = crate::manifest::read_source(source).await?;
    let now = jiff::Timestamp::now();
    let file = bundle::read(&text, source, now.as_nanosecond())?;
    let docs = file.apps;
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
    let mut retries = Vec::new();
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
        let launch = crate::manifest::servers::launch_of(&mut options, &doc.label)?;
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
        let mut p =
            prepare::prepare_from(flags, args, &options, &given, version.as_deref(), launch)
                .await?;
        let in_place =
            crate::manifest::servers::restart_in_place(&mut p.submission.pod, launch, &doc.restart);
        if in_place {
            output::info(&format!(
                "{}: a History Server is not resubmitted after an end: as its restart policy \
                 asks, the kubelet restarts it in its pod whenever it exits (restartPolicy: Always)",
                doc.label
            ));
        } else if doc.restart.retries() && !p.wait && args.retries.is_none() {
            output::warn(&format!(
                "{}: spec.restartPolicy is honoured only while `submit` waits for the driver \
                 (it resubmits a failed application); with --no-wait nothing retries it: rerun \
                 `kubectl spark submit -f` (its exit code says whether the driver failed)",
                doc.label
            ));
        }
        retries.push(Retry {
            policy: doc.restart,
            options,
            templates: given,
            spark_version: version,
            launch,
        });
        prepared.push(p);
    }
    // Objects without a namespace go where the (first) application goes.
    let app_ns = prepared
        .first()
        .map(|p| p.submission.namespace.clone())
        .unwrap_or_default();
    let bundled = file
        .objects
        .into_iter()
        .map(|o| {
            let ns = bundled::namespace_of(&o, flags.namespace.as_deref(), &app_ns)?;
            Ok((o, ns))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(PreparedAll {
        submissions: prepared,
        bundled,
        retries,
    })
}
