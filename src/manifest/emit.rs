//! The other direction, for `kubectl spark convert`: spark-submit options → a Kubeflow or
//! Apache `SparkApplication`, and options → a `kubectl spark submit` command line.
//!
//! Every property the options set ends up in the manifest: in the dedicated field when the
//! operator has one (and maps it back to the very same property), else in `sparkConf`, so
//! that translating the manifest back gives the same Spark configuration.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::conf::submit_args::{SubmitOptions, flag_conf_keys};
use crate::conf::{SparkConf, split_list};
use crate::error::{Error, Result};

/// The properties the options set, flags applied over `--conf` (last value wins), in first-set
/// order.
pub fn effective_conf(opts: &SubmitOptions) -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut set = |k: &str, v: &str| match out.iter_mut().find(|(key, _)| key == k) {
        Some(entry) => entry.1 = v.to_string(),
        None => out.push((k.to_string(), v.to_string())),
    };
    for raw in &opts.confs {
        let Some((k, v)) = raw.split_once('=') else {
            return Err(Error::usage(
                format!("--conf {raw}: expected key=value"),
                "write --conf spark.some.key=value",
            ));
        };
        set(k.trim(), v);
    }
    for (value, key) in flag_conf_keys(opts) {
        if let Some(v) = value {
            set(key, v);
        }
    }
    if let Some(p) = &opts.principal {
        set("spark.kerberos.principal", p);
    }
    if let Some(k) = &opts.keytab {
        set("spark.kerberos.keytab", k);
    }
    Ok(out)
}

/// What the conversion had to leave out, for the user.
pub type Notes = Vec<String>;

/// Sets the manifest's namespace from `-n` (as `spark.kubernetes.namespace`, which becomes
/// `metadata.namespace`); a different `spark.kubernetes.namespace` in the arguments is an error.
pub fn add_namespace(opts: &mut SubmitOptions, namespace: Option<&str>) -> Result<()> {
    let Some(ns) = namespace else { return Ok(()) };
    let key = "spark.kubernetes.namespace";
    match get(&effective_conf(opts)?, key) {
        Some(given) if given != ns => Err(Error::usage(
            format!("-n {ns} and --conf {key}={given} name different namespaces"),
            "pass only one of them, or the same namespace to both",
        )),
        Some(_) => Ok(()),
        None => {
            opts.confs.push(format!("{key}={ns}"));
            Ok(())
        }
    }
}

/// The note for an application file on this machine: an operator cannot read it; `submit -f`
/// uploads it when `spark.kubernetes.file.upload.path` is set (and says where).
pub fn local_file_note(opts: &SubmitOptions, conf: &SparkConf) -> Option<String> {
    let primary = opts.primary_resource.as_deref()?;
    if !crate::conf::submit_args::primary_is_local(primary) {
        return None;
    }
    let key = "spark.kubernetes.file.upload.path";
    Some(match conf.get_non_empty(key) {
        Some(dest) => format!(
            "the application file {primary} is a local path: `kubectl spark submit -f` will upload \
             it to {dest} ({key}); an operator cannot read local files: upload it yourself and \
             use that URI there"
        ),
        None => format!(
            "the application file {primary} is a local path on this machine: an operator cannot \
             read it, and `kubectl spark submit -f` can only with {key} set; use a local:// path \
             inside the image or a remote URI (s3a://, https://), or add --conf {key}=s3a://bucket/path"
        ),
    })
}

fn unrepresentable(opts: &SubmitOptions, notes: &mut Notes) -> Result<()> {
    if opts.properties_file.is_some() {
        return Err(Error::usage(
            "--properties-file: a manifest cannot name a properties file",
            "pass its entries as --conf key=value instead",
        ));
    }
    if opts.master.is_some() {
        notes.push(
            "--master is left out: an operator, and `submit -f`, use the cluster they run against"
                .into(),
        );
    }
    if opts.load_spark_defaults {
        notes.push(
            "--load-spark-defaults is left out: a manifest does not read spark-defaults.conf"
                .into(),
        );
    }
    Ok(())
}

fn required_name(opts: &SubmitOptions, conf: &[(String, String)]) -> Result<String> {
    let name = opts
        .name
        .clone()
        .or_else(|| get(conf, "spark.app.name").map(str::to_string))
        .ok_or_else(|| {
            Error::usage(
                "a manifest needs a name (metadata.name)",
                "pass --name <name> (lower-case letters, digits and '-')",
            )
        })?;
    let valid = !name.is_empty()
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if !valid {
        return Err(Error::usage(
            format!("--name {name}: not a valid Kubernetes object name (metadata.name)"),
            "use lower-case letters, digits and '-' (e.g. --name spark-pi)",
        ));
    }
    Ok(name)
}

fn get<'a>(conf: &'a [(String, String)], key: &str) -> Option<&'a str> {
    conf.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn is_positive_int(v: &str) -> Option<i64> {
    v.trim().parse::<i64>().ok().filter(|n| *n >= 1)
}

/// Options → a Kubeflow `sparkoperator.k8s.io/v1beta2` SparkApplication.
pub fn to_kubeflow(opts: &SubmitOptions, spark_version: &str) -> Result<(Value, Notes)> {
    let mut notes = Notes::new();
    unrepresentable(opts, &mut notes)?;
    let mut conf = effective_conf(opts)?;
    let name = required_name(opts, &conf)?;
    // metadata.name becomes `--name`, which wins over spark.app.name.
    conf.retain(|(k, _)| k != "spark.app.name");
    let Some(primary) = opts.primary_resource.clone() else {
        return Err(Error::usage(
            "a Kubeflow SparkApplication needs the application file (mainApplicationFile)",
            "give the jar, .py or .R file after the options (e.g. local:///opt/spark/examples/jars/spark-examples.jar)",
        ));
    };
    let mut metadata = Map::new();
    metadata.insert("name".into(), json!(name));
    let mut spec = Map::new();
    let app_type = if primary.ends_with(".py") {
        "Python"
    } else if primary.ends_with(".R") || primary.ends_with(".r") {
        "R"
    } else {
        "Scala"
    };
    spec.insert("type".into(), json!(app_type));
    spec.insert("mode".into(), json!("cluster"));
    spec.insert("sparkVersion".into(), json!(spark_version));
    if let Some(c) = &opts.class {
        spec.insert("mainClass".into(), json!(c));
    }
    spec.insert("mainApplicationFile".into(), json!(primary));
    if !opts.app_args.is_empty() {
        spec.insert("arguments".into(), json!(opts.app_args));
    }
    if let Some(u) = &opts.proxy_user {
        spec.insert("proxyUser".into(), json!(u));
    }
    let mut driver = Map::new();
    let mut executor = Map::new();
    let mut deps = Map::new();
    let mut spark_conf = BTreeMap::new();
    let mut hadoop_conf = BTreeMap::new();
    let mut node_selector = BTreeMap::new();
    let image = get(&conf, "spark.kubernetes.container.image").map(str::to_string);
    let dyn_mappable = get(&conf, "spark.dynamicAllocation.enabled") == Some("true")
        && get(&conf, "spark.dynamicAllocation.shuffleTracking.enabled")
            .is_some_and(|v| v == "true" || v == "false")
        && [
            "spark.dynamicAllocation.initialExecutors",
            "spark.dynamicAllocation.minExecutors",
            "spark.dynamicAllocation.maxExecutors",
            "spark.dynamicAllocation.shuffleTracking.timeout",
        ]
        .iter()
        .all(|k| get(&conf, k).is_none_or(|v| v.parse::<i64>().is_ok()));
    let mut dynamic = Map::new();
    let role_map = |m: &mut Map<String, Value>, field: &str, k: &str, v: &str| {
        m.entry(field.to_string())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("object")
            .insert(k.to_string(), json!(v));
    };
    for (key, value) in &conf {
        let (k, v) = (key.as_str(), value.as_str());
        let mut mapped = true;
        match k {
            "spark.kubernetes.namespace" => {
                metadata.insert("namespace".into(), json!(v));
            }
            "spark.kubernetes.container.image" => {
                spec.insert("image".into(), json!(v));
            }
            "spark.kubernetes.container.image.pullPolicy" => {
                spec.insert("imagePullPolicy".into(), json!(v));
            }
            "spark.kubernetes.container.image.pullSecrets" => {
                spec.insert("imagePullSecrets".into(), json!(split_list(v)));
            }
            "spark.kubernetes.memoryOverheadFactor" => {
                spec.insert("memoryOverheadFactor".into(), json!(v));
            }
            "spark.kubernetes.driver.container.image" => {
                if image.as_deref() != Some(v) {
                    driver.insert("image".into(), json!(v));
                }
            }
            "spark.kubernetes.executor.container.image" => {
                if image.as_deref() != Some(v) {
                    executor.insert("image".into(), json!(v));
                }
            }
            "spark.driver.cores" if is_positive_int(v).is_some() => {
                driver.insert("cores".into(), json!(is_positive_int(v)));
            }
            "spark.executor.cores" if is_positive_int(v).is_some() => {
                executor.insert("cores".into(), json!(is_positive_int(v)));
            }
            "spark.executor.instances" if is_positive_int(v).is_some() => {
                executor.insert("instances".into(), json!(is_positive_int(v)));
            }
            "spark.kubernetes.executor.deleteOnTermination" if v == "true" || v == "false" => {
                executor.insert("deleteOnTermination".into(), json!(v == "true"));
            }
            "spark.kubernetes.driver.request.cores" => {
                driver.insert("coreRequest".into(), json!(v));
            }
            "spark.kubernetes.driver.limit.cores" => {
                driver.insert("coreLimit".into(), json!(v));
            }
            "spark.kubernetes.executor.request.cores" => {
                executor.insert("coreRequest".into(), json!(v));
            }
            "spark.kubernetes.executor.limit.cores" => {
                executor.insert("coreLimit".into(), json!(v));
            }
            "spark.driver.memory" => {
                driver.insert("memory".into(), json!(v));
            }
            "spark.executor.memory" => {
                executor.insert("memory".into(), json!(v));
            }
            "spark.driver.memoryOverhead" => {
                driver.insert("memoryOverhead".into(), json!(v));
            }
            "spark.executor.memoryOverhead" => {
                executor.insert("memoryOverhead".into(), json!(v));
            }
            "spark.kubernetes.authenticate.driver.serviceAccountName" => {
                driver.insert("serviceAccount".into(), json!(v));
            }
            "spark.kubernetes.authenticate.executor.serviceAccountName" => {
                executor.insert("serviceAccount".into(), json!(v));
            }
            "spark.driver.extraJavaOptions" => {
                driver.insert("javaOptions".into(), json!(v));
            }
            "spark.executor.extraJavaOptions" => {
                executor.insert("javaOptions".into(), json!(v));
            }
            "spark.kubernetes.driver.master" => {
                driver.insert("kubernetesMaster".into(), json!(v));
            }
            "spark.kubernetes.driver.pod.name" => {
                driver.insert("podName".into(), json!(v));
            }
            "spark.jars" => {
                deps.insert("jars".into(), json!(split_list(v)));
            }
            "spark.files" => {
                deps.insert("files".into(), json!(split_list(v)));
            }
            "spark.submit.pyFiles" => {
                deps.insert("pyFiles".into(), json!(split_list(v)));
            }
            "spark.archives" => {
                deps.insert("archives".into(), json!(split_list(v)));
            }
            "spark.jars.packages" => {
                deps.insert("packages".into(), json!(split_list(v)));
            }
            "spark.jars.repositories" => {
                deps.insert("repositories".into(), json!(split_list(v)));
            }
            "spark.jars.excludes" => {
                deps.insert("excludePackages".into(), json!(split_list(v)));
            }
            "spark.dynamicAllocation.enabled" if dyn_mappable => {
                dynamic.insert("enabled".into(), json!(true));
            }
            "spark.dynamicAllocation.shuffleTracking.enabled" if dyn_mappable => {
                dynamic.insert("shuffleTrackingEnabled".into(), json!(v == "true"));
            }
            "spark.dynamicAllocation.initialExecutors"
            | "spark.dynamicAllocation.minExecutors"
            | "spark.dynamicAllocation.maxExecutors"
            | "spark.dynamicAllocation.shuffleTracking.timeout"
                if dyn_mappable =>
            {
                let field = match k.rsplit('.').next().unwrap_or_default() {
                    "timeout" => "shuffleTrackingTimeout",
                    other => other,
                };
                dynamic.insert(field.into(), json!(v.parse::<i64>().unwrap_or_default()));
            }
            _ => mapped = false,
        }
        if mapped {
            continue;
        }
        let prefixed = |p: &str| k.strip_prefix(p).filter(|rest| !rest.is_empty());
        if let Some(rest) = prefixed("spark.hadoop.") {
            hadoop_conf.insert(rest.to_string(), v.to_string());
        } else if let Some(rest) = prefixed("spark.kubernetes.node.selector.") {
            node_selector.insert(rest.to_string(), v.to_string());
        } else if let Some(rest) = prefixed("spark.kubernetes.driver.label.") {
            role_map(&mut driver, "labels", rest, v);
        } else if let Some(rest) = prefixed("spark.kubernetes.executor.label.") {
            role_map(&mut executor, "labels", rest, v);
        } else if let Some(rest) = prefixed("spark.kubernetes.driver.annotation.") {
            role_map(&mut driver, "annotations", rest, v);
        } else if let Some(rest) = prefixed("spark.kubernetes.executor.annotation.") {
            role_map(&mut executor, "annotations", rest, v);
        } else if let Some(rest) = prefixed("spark.kubernetes.driver.service.label.") {
            role_map(&mut driver, "serviceLabels", rest, v);
        } else if let Some(rest) = prefixed("spark.kubernetes.driver.service.annotation.") {
            role_map(&mut driver, "serviceAnnotations", rest, v);
        } else if let Some(rest) = prefixed("spark.kubernetes.driverEnv.") {
            role_map(&mut driver, "envVars", rest, v);
        } else if let Some(rest) = prefixed("spark.executorEnv.") {
            role_map(&mut executor, "envVars", rest, v);
        } else if let (Some(rest), Some((n, key))) = (
            prefixed("spark.kubernetes.driver.secretKeyRef."),
            v.split_once(':'),
        ) {
            insert_ref(&mut driver, rest, n, key);
        } else if let (Some(rest), Some((n, key))) = (
            prefixed("spark.kubernetes.executor.secretKeyRef."),
            v.split_once(':'),
        ) {
            insert_ref(&mut executor, rest, n, key);
        } else if let Some(rest) = prefixed("spark.kubernetes.driver.secrets.") {
            push_secret(&mut driver, rest, v);
        } else if let Some(rest) = prefixed("spark.kubernetes.executor.secrets.") {
            push_secret(&mut executor, rest, v);
        } else {
            spark_conf.insert(k.to_string(), v.to_string());
        }
    }
    if !deps.is_empty() {
        spec.insert("deps".into(), Value::Object(deps));
    }
    if !spark_conf.is_empty() {
        spec.insert("sparkConf".into(), json!(spark_conf));
    }
    if !hadoop_conf.is_empty() {
        spec.insert("hadoopConf".into(), json!(hadoop_conf));
    }
    if !node_selector.is_empty() {
        spec.insert("nodeSelector".into(), json!(node_selector));
    }
    if !dynamic.is_empty() {
        spec.insert("dynamicAllocation".into(), Value::Object(dynamic));
    }
    spec.insert("driver".into(), Value::Object(driver));
    spec.insert("executor".into(), Value::Object(executor));
    let manifest = json!({
        "apiVersion": "sparkoperator.k8s.io/v1beta2",
        "kind": "SparkApplication",
        "metadata": metadata,
        "spec": spec,
    });
    Ok((manifest, notes))
}

fn insert_ref(role: &mut Map<String, Value>, env: &str, name: &str, key: &str) {
    role.entry("envSecretKeyRefs")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("object")
        .insert(env.to_string(), json!({"name": name, "key": key}));
}

fn push_secret(role: &mut Map<String, Value>, name: &str, path: &str) {
    role.entry("secrets")
        .or_insert_with(|| json!([]))
        .as_array_mut()
        .expect("array")
        .push(json!({"name": name, "path": path, "secretType": "Generic"}));
}

/// Options → an Apache `spark.apache.org/v1` SparkApplication.
pub fn to_apache(opts: &SubmitOptions, spark_version: &str) -> Result<(Value, Notes)> {
    let mut notes = Notes::new();
    unrepresentable(opts, &mut notes)?;
    let mut conf = effective_conf(opts)?;
    let name = required_name(opts, &conf)?;
    conf.retain(|(k, _)| k != "spark.app.name");
    let mut metadata = Map::new();
    metadata.insert("name".into(), json!(name));
    let mut spec = Map::new();
    if let Some(c) = &opts.class {
        spec.insert("mainClass".into(), json!(c));
    }
    let primary = opts.primary_resource.clone();
    match primary.as_deref() {
        Some(p) if p.ends_with(".py") => {
            spec.insert("pyFiles".into(), json!(p));
        }
        Some(p) if p.ends_with(".R") || p.ends_with(".r") => {
            spec.insert("sparkRFiles".into(), json!(p));
        }
        Some(p) if p != crate::conf::submit_args::SPARK_INTERNAL => {
            spec.insert("jars".into(), json!(p));
        }
        _ if opts.class.is_none() => {
            return Err(Error::usage(
                "an Apache SparkApplication needs the application (jars, pyFiles or sparkRFiles) or a main class",
                "give the jar, .py or .R file after the options",
            ));
        }
        _ => {}
    }
    if !opts.app_args.is_empty() {
        spec.insert("driverArgs".into(), json!(opts.app_args));
    }
    if let Some(u) = &opts.proxy_user {
        spec.insert("proxyUser".into(), json!(u));
    }
    spec.insert("deploymentMode".into(), json!("ClusterMode"));
    spec.insert(
        "runtimeVersions".into(),
        json!({"sparkVersion": spark_version}),
    );
    let mut spark_conf = BTreeMap::new();
    for (k, v) in conf {
        match k.as_str() {
            "spark.kubernetes.namespace" => {
                metadata.insert("namespace".into(), json!(v));
            }
            "spark.files" => {
                spec.insert("files".into(), json!(v));
            }
            _ => {
                spark_conf.insert(k, v);
            }
        }
    }
    if !spark_conf.is_empty() {
        spec.insert("sparkConf".into(), json!(spark_conf));
    }
    Ok((
        json!({
            "apiVersion": "spark.apache.org/v1",
            "kind": "SparkApplication",
            "metadata": metadata,
            "spec": spec,
        }),
        notes,
    ))
}

/// Quotes an argument for a POSIX shell when it needs it.
pub fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// Options → the argument list of `kubectl spark submit` (without the command itself).
pub fn to_args(opts: &SubmitOptions) -> Vec<String> {
    let mut a = Vec::new();
    let mut flag = |name: &str, v: &Option<String>| {
        if let Some(v) = v {
            a.push(name.to_string());
            a.push(v.clone());
        }
    };
    flag("--master", &opts.master);
    flag("--deploy-mode", &opts.deploy_mode);
    flag("--name", &opts.name);
    flag("--class", &opts.class);
    flag("--jars", &opts.jars);
    flag("--packages", &opts.packages);
    flag("--exclude-packages", &opts.exclude_packages);
    flag("--repositories", &opts.repositories);
    flag("--py-files", &opts.py_files);
    flag("--files", &opts.files);
    flag("--archives", &opts.archives);
    flag("--driver-memory", &opts.driver_memory);
    flag("--driver-cores", &opts.driver_cores);
    flag("--executor-memory", &opts.executor_memory);
    flag("--executor-cores", &opts.executor_cores);
    flag("--num-executors", &opts.num_executors);
    flag("--driver-java-options", &opts.driver_java_options);
    flag("--driver-class-path", &opts.driver_class_path);
    flag("--driver-library-path", &opts.driver_library_path);
    flag("--proxy-user", &opts.proxy_user);
    flag("--principal", &opts.principal);
    flag("--keytab", &opts.keytab);
    let props = opts
        .properties_file
        .as_ref()
        .map(|p| p.to_string_lossy().into_owned());
    flag("--properties-file", &props);
    for c in &opts.confs {
        a.push("--conf".into());
        a.push(c.clone());
    }
    if opts.load_spark_defaults {
        a.push("--load-spark-defaults".into());
    }
    if let Some(p) = &opts.primary_resource {
        a.push(p.clone());
        a.extend(opts.app_args.iter().cloned());
    }
    a
}

#[cfg(test)]
mod namespace_and_local_file_tests {
    use super::*;

    fn opts(primary: &str) -> SubmitOptions {
        SubmitOptions {
            name: Some("pi".into()),
            primary_resource: Some(primary.into()),
            ..SubmitOptions::default()
        }
    }

    #[test]
    fn the_namespace_of_n_becomes_metadata_namespace() {
        let mut o = opts("local:///opt/app.py");
        add_namespace(&mut o, Some("team-a")).unwrap();
        let (m, _) = to_kubeflow(&o, "4.0.1").unwrap();
        assert_eq!(m["metadata"]["namespace"], "team-a");
        let (m, _) = to_apache(&o, "4.0.1").unwrap();
        assert_eq!(m["metadata"]["namespace"], "team-a");
        let mut same = opts("local:///opt/app.py");
        same.confs.push("spark.kubernetes.namespace=team-a".into());
        add_namespace(&mut same, Some("team-a")).unwrap();
        assert_eq!(same.confs.len(), 1);
        let mut other = opts("local:///opt/app.py");
        other.confs.push("spark.kubernetes.namespace=b".into());
        assert!(add_namespace(&mut other, Some("team-a")).is_err());
        let mut none = opts("local:///opt/app.py");
        add_namespace(&mut none, None).unwrap();
        assert!(none.confs.is_empty());
    }

    #[test]
    fn a_local_application_file_is_named_with_what_happens_to_it() {
        let conf = SparkConf::new();
        assert_eq!(local_file_note(&opts("local:///opt/app.py"), &conf), None);
        assert_eq!(local_file_note(&opts("s3a://b/app.py"), &conf), None);
        let note = local_file_note(&opts("/home/me/app.py"), &conf).unwrap();
        assert!(
            note.contains("/home/me/app.py") && note.contains("operator cannot read it"),
            "{note}"
        );
        let upload = SparkConf::from_pairs(&[("spark.kubernetes.file.upload.path", "s3a://b/up")]);
        let note = local_file_note(&opts("app.py"), &upload).unwrap();
        assert!(note.contains("will upload it to s3a://b/up"), "{note}");
    }
}
