//! The I/O edge of a submission: reads the submitter's environment, the files a submission
//! names, the clock and the random source, once, into a pure [`Plan`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rand::Rng;

use crate::app;
use crate::conf::{SparkConf, SparkVersion};
use crate::error::{Error, Result};
use crate::store::{self, settings::StoreEnv};
use crate::submit::plan::{Ids, LocalInputs, SubmitterEnv};
use crate::submit::steps::pod_template;

/// Key of the target namespace.
pub const NAMESPACE_KEY: &str = "spark.kubernetes.namespace";

/// The namespace a submission goes to: `spark.kubernetes.namespace` if given, else `-n`,
/// else the context's namespace. `-n` with a different `spark.kubernetes.namespace` is an error.
pub fn namespace(conf: &SparkConf, flag: Option<&str>, context_namespace: &str) -> Result<String> {
    match (conf.get_non_empty(NAMESPACE_KEY), flag) {
        (Some(c), Some(f)) if c != f => Err(Error::usage(
            format!("-n {f} and --conf {NAMESPACE_KEY}={c} name different namespaces"),
            "pass only one of them, or the same namespace to both",
        )),
        (Some(c), _) => Ok(c.to_string()),
        (None, Some(f)) => Ok(f.to_string()),
        (None, None) => Ok(context_namespace.to_string()),
    }
}

/// The image settings a Spark version is read from, in order: the driver's own image, the
/// common image, then the executor image (all three are normally built from one release).
pub const VERSIONED_IMAGE_KEYS: [&str; 3] = [
    "spark.kubernetes.driver.container.image",
    "spark.kubernetes.container.image",
    "spark.kubernetes.executor.container.image",
];

/// The target Spark version: `--spark-version`, else the first image setting (driver image,
/// common image, executor image) whose tag names a version, else [`SparkVersion::DEFAULT`].
/// The second value is the warning to print (once) when only the default applies.
pub fn spark_version(
    flag: Option<&str>,
    conf: &SparkConf,
) -> Result<(SparkVersion, Option<String>)> {
    if let Some(v) = flag {
        return SparkVersion::parse(v).map(|v| (v, None));
    }
    let images: Vec<(&str, &str)> = VERSIONED_IMAGE_KEYS
        .iter()
        .filter_map(|k| conf.get_non_empty(k).map(|v| (*k, v)))
        .collect();
    if let Some(v) = images
        .iter()
        .find_map(|(_, image)| SparkVersion::from_image(image))
    {
        return Ok((v, None));
    }
    let v = SparkVersion::DEFAULT;
    let seen = if images.is_empty() {
        "no image is set".to_string()
    } else {
        let list: Vec<String> = images.iter().map(|(k, i)| format!("{k}={i}")).collect();
        format!("no image tag names a Spark version ({})", list.join(", "))
    };
    Ok((
        v.clone(),
        Some(format!(
            "{seen}; targeting Spark {v}, the default guess (labels, ports and the objects created \
             depend on it): pin the image's version with --spark-version <version>, e.g. 3.5.9"
        )),
    ))
}

/// Draws the random ids of one submission.
pub fn draw_ids(now_millis: i64) -> Ids {
    let mut rng = rand::rng();
    Ids {
        app_id: app::new_app_id(),
        prefix_unique_id: app::unique_id(rng.random(), now_millis),
        conf_map_unique_id: app::unique_id(rng.random(), now_millis),
        service_unique_id: app::unique_id(rng.random(), now_millis),
        seed: rng.random(),
    }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The OS login name of the current user (what Hadoop's `UserGroupInformation` reports).
fn login_name() -> String {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").map(|m| m.uid()).ok();
    if let (Some(uid), Ok(passwd)) = (uid, std::fs::read_to_string("/etc/passwd")) {
        for line in passwd.lines() {
            let fields: Vec<&str> = line.split(':').collect();
            if fields.len() > 2 && fields[2].parse::<u32>().ok() == Some(uid) {
                return fields[0].to_string();
            }
        }
    }
    env_var("USER")
        .or_else(|| env_var("LOGNAME"))
        .unwrap_or_else(|| "unknown".into())
}

/// Whether a conf-dir file name is shipped in the driver ConfigMap (§3.2).
pub fn conf_dir_file_eligible(name: &str) -> bool {
    let is_template = name.ends_with(".template");
    let is_spark_conf =
        name.starts_with("spark") && (name.ends_with("conf") || name.ends_with("properties"));
    let is_archive = [".gz", ".zip", ".jar", ".tar"]
        .iter()
        .any(|s| name.ends_with(s));
    !(is_template || is_spark_conf || is_archive)
}

/// Reads the regular files of `dir` (name → UTF-8 text) accepted by `keep`; undecodable files
/// are skipped with a warning.
fn read_dir_files(
    dir: &Path,
    keep: fn(&str) -> bool,
    warnings: &mut Vec<String>,
) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        if !path.is_file() || !keep(&name) {
            continue;
        }
        match std::fs::read(&path).map(String::from_utf8) {
            Ok(Ok(text)) => {
                files.insert(name, text);
            }
            _ => warnings.push(format!(
                "skipped {} in the conf directory: not a readable UTF-8 file",
                path.display()
            )),
        }
    }
    files
}

/// The submitter's Spark conf directory: `SPARK_CONF_DIR`, else `$SPARK_HOME/conf` (what
/// Spark's launcher exports).
pub fn spark_conf_dir() -> Option<PathBuf> {
    env_var("SPARK_CONF_DIR")
        .map(PathBuf::from)
        .or_else(|| env_var("SPARK_HOME").map(|h| Path::new(&h).join("conf")))
}

/// Captures what Spark takes from the submitter's environment.
pub fn capture_env(conf: &SparkConf, warnings: &mut Vec<String>) -> SubmitterEnv {
    let spark_user_var = env_var("SPARK_USER");
    let spark_user = spark_user_var
        .clone()
        .or_else(|| env_var("HADOOP_USER_NAME"))
        .unwrap_or_else(login_name);
    let conf_dir = env_var("SPARK_CONF_DIR").map(PathBuf::from).or_else(|| {
        conf.get_non_empty("spark.home")
            .map(|h| Path::new(h).join("conf"))
    });
    let conf_dir_files = conf_dir
        .map(|d| read_dir_files(&d, conf_dir_file_eligible, warnings))
        .unwrap_or_default();
    let hadoop_conf_files = env_var("HADOOP_CONF_DIR")
        .map(PathBuf::from)
        .filter(|d| d.is_dir())
        .map(|d| read_dir_files(&d, |_| true, warnings));
    SubmitterEnv {
        spark_user,
        spark_user_var,
        spark_local_dirs: env_var("SPARK_LOCAL_DIRS"),
        pyspark_python: env_var("PYSPARK_PYTHON"),
        pyspark_driver_python: env_var("PYSPARK_DRIVER_PYTHON"),
        conf_dir_files,
        hadoop_conf_files,
    }
}

/// A local path from a conf value: plain paths and `file:` URIs.
fn local_path(value: &str) -> Option<PathBuf> {
    if let Some(rest) = value.strip_prefix("file://") {
        return Some(PathBuf::from(rest));
    }
    if let Some(rest) = value.strip_prefix("file:") {
        return Some(PathBuf::from(rest));
    }
    (!value.contains("://")).then(|| PathBuf::from(value))
}

fn read_required(key: &str, value: &str, what: &str) -> Result<Vec<u8>> {
    let path = local_path(value).ok_or_else(|| {
        Error::usage(
            format!("{key}={value}: only local files can be read here"),
            format!("point {key} at a file on this machine"),
        )
    })?;
    if !path.is_file() {
        return Err(Error::usage(
            format!(
                "{what} provided at {} does not exist or is not a file.",
                path.display()
            ),
            format!("fix {key} to name an existing file"),
        ));
    }
    std::fs::read(&path).map_err(|e| {
        Error::usage(
            format!("{key}: cannot read {}: {e}", path.display()),
            format!("make {} readable", path.display()),
        )
    })
}

/// Reads a pod template: a local path, or a remote one (`s3a://`, `s3://`, `gs://`,
/// `abfs(s)://`, `http(s)://`) downloaded as Spark does through Hadoop's file systems.
pub async fn read_template(
    key: &str,
    value: &str,
    conf: &SparkConf,
    env: &StoreEnv,
) -> Result<String> {
    let bytes = match local_path(value) {
        Some(path) => std::fs::read(&path).map_err(|e| {
            Error::usage(
                format!(
                    "Could not load pod from template file. {key}: cannot read {}: {e}",
                    path.display()
                ),
                format!("fix {key} to name a readable YAML or JSON Pod file"),
            )
        })?,
        None => store::fetch(value, conf, env, key).await?,
    };
    String::from_utf8(bytes).map_err(|_| {
        Error::usage(
            format!("Could not load pod from template file. {key}={value} is not UTF-8 text"),
            format!("point {key} at a YAML or JSON Pod file"),
        )
    })
}

fn file_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// Pod templates already in memory (generated from a manifest): used instead of reading the
/// file their `spark.kubernetes.*.podTemplateFile` key names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GivenTemplates {
    /// The driver's template.
    pub driver: Option<k8s_openapi::api::core::v1::Pod>,
    /// The executors' template, as the YAML text shipped to the driver.
    pub executor: Option<String>,
}

/// Reads every file the submission names (templates, local or remote; credentials, Kerberos
/// files).
pub async fn read_inputs(conf: &SparkConf, env: &StoreEnv) -> Result<LocalInputs> {
    read_inputs_with(conf, env, &GivenTemplates::default()).await
}

/// [`read_inputs`], with templates given in memory taking the place of their files.
pub async fn read_inputs_with(
    conf: &SparkConf,
    env: &StoreEnv,
    given: &GivenTemplates,
) -> Result<LocalInputs> {
    let mut inputs = LocalInputs::default();
    const TEMPLATE: &str = "spark.kubernetes.driver.podTemplateFile";
    if let Some(pod) = &given.driver {
        inputs.driver_template = Some(pod.clone());
    } else if let Some(v) = conf.get_non_empty(TEMPLATE) {
        let text = read_template(TEMPLATE, v, conf, env).await?;
        inputs.driver_template = Some(pod_template::parse_template(&text, TEMPLATE)?);
    }
    const EXEC_TEMPLATE: &str = "spark.kubernetes.executor.podTemplateFile";
    if let Some(text) = &given.executor {
        inputs.executor_template = Some(text.clone());
    } else if let Some(v) = conf.get_non_empty(EXEC_TEMPLATE) {
        inputs.executor_template = Some(read_template(EXEC_TEMPLATE, v, conf, env).await?);
    }
    let auth = "spark.kubernetes.authenticate.driver.";
    let files: [(&str, &str, &mut Option<Vec<u8>>); 3] = [
        (
            "caCertFile",
            "Driver CA cert file",
            &mut inputs.driver_ca_cert,
        ),
        (
            "clientKeyFile",
            "Driver client key file",
            &mut inputs.driver_client_key,
        ),
        (
            "clientCertFile",
            "Driver client cert file",
            &mut inputs.driver_client_cert,
        ),
    ];
    for (suffix, what, slot) in files {
        let key = format!("{auth}{suffix}");
        if let Some(v) = conf.get_non_empty(&key) {
            *slot = Some(read_required(&key, v, what)?);
        }
    }
    const KRB5: &str = "spark.kubernetes.kerberos.krb5.path";
    if let Some(v) = conf.get_non_empty(KRB5) {
        let bytes = read_required(KRB5, v, "krb5.conf file")?;
        let text = String::from_utf8(bytes).map_err(|_| {
            Error::usage(
                format!("{KRB5}: {v} is not a UTF-8 text file"),
                "point it at a krb5.conf text file",
            )
        })?;
        inputs.krb5_conf = Some((file_name(v), text));
    }
    const KEYTAB: &str = "spark.kerberos.keytab";
    if let Some(v) = conf.get_non_empty(KEYTAB)
        && !v.starts_with("local:")
    {
        inputs.keytab = Some((file_name(v), read_required(KEYTAB, v, "Keytab file")?));
    }
    Ok(inputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_precedence() {
        let mut c = SparkConf::new();
        assert_eq!(namespace(&c, None, "ctx").unwrap(), "ctx");
        assert_eq!(namespace(&c, Some("flag"), "ctx").unwrap(), "flag");
        c.set(NAMESPACE_KEY, "conf");
        assert_eq!(namespace(&c, None, "ctx").unwrap(), "conf");
        assert_eq!(namespace(&c, Some("conf"), "ctx").unwrap(), "conf");
        let err = namespace(&c, Some("flag"), "ctx").unwrap_err().to_string();
        assert!(
            err.contains("-n flag") && err.contains(NAMESPACE_KEY),
            "{err}"
        );
    }

    #[test]
    fn version_from_image_or_default() {
        let mut c = SparkConf::new();
        c.set("spark.kubernetes.container.image", "apache/spark:3.5.9");
        assert_eq!(spark_version(None, &c).unwrap().0.to_string(), "3.5.9");
        assert_eq!(
            spark_version(Some("4.2.1"), &c).unwrap().0.to_string(),
            "4.2.1"
        );
        c.set("spark.kubernetes.container.image", "my/spark:latest");
        let (v, warning) = spark_version(None, &c).unwrap();
        assert_eq!(v, SparkVersion::DEFAULT);
        let warning = warning.unwrap();
        assert!(
            warning.contains("--spark-version") && warning.contains("my/spark:latest"),
            "{warning}"
        );
    }

    #[test]
    fn version_from_the_first_image_that_names_one() {
        let version = |pairs: &[(&str, &str)]| {
            let (v, warning) = spark_version(None, &SparkConf::from_pairs(pairs)).unwrap();
            assert!(warning.is_none(), "{pairs:?}");
            v.to_string()
        };
        let driver = "spark.kubernetes.driver.container.image";
        let common = "spark.kubernetes.container.image";
        let executor = "spark.kubernetes.executor.container.image";
        // A driver image without a version does not hide the common image's.
        assert_eq!(
            version(&[
                (driver, "myrepo/etl-driver:prod"),
                (common, "apache/spark:3.5.4")
            ]),
            "3.5.4"
        );
        assert_eq!(
            version(&[
                (driver, "apache/spark:4.1.2"),
                (common, "apache/spark:3.5.4")
            ]),
            "4.1.2"
        );
        assert_eq!(
            version(&[
                (driver, "myrepo/etl-driver:prod"),
                (common, "myrepo/spark:{{SPARK_VERSION}}"),
                (executor, "apache/spark:4.3.0-python3")
            ]),
            "4.3.0"
        );
    }

    #[test]
    fn conf_dir_filter() {
        assert!(conf_dir_file_eligible("log4j2.properties"));
        assert!(conf_dir_file_eligible("spark-env.sh"));
        assert!(!conf_dir_file_eligible("spark-defaults.conf"));
        assert!(!conf_dir_file_eligible("log4j2.properties.template"));
        assert!(!conf_dir_file_eligible("x.jar"));
    }

    #[tokio::test]
    async fn missing_credential_file_uses_sparks_message() {
        let mut c = SparkConf::new();
        c.set(
            "spark.kubernetes.authenticate.driver.caCertFile",
            "/nonexistent/ca.crt",
        );
        let err = read_inputs(&c, &StoreEnv::default())
            .await
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "Driver CA cert file provided at /nonexistent/ca.crt does not exist or is not a file."
        );
    }
}
