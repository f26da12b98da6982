//! `BasicDriverFeatureStep` (§3.1 of the spec): the driver pod's metadata, restart policy,
//! node selector, pull secrets and scheduler; the driver container's name, image, ports, env
//! and resources (§3.1.1 memory sizing); and the properties it adds, including the upload
//! rewriting of `spark.jars/files/archives/submit.pyFiles` (§4.3).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ContainerPort, EnvVar, EnvVarSource, LocalObjectReference, ObjectFieldSelector, PodSpec,
    ResourceRequirements, SecurityContext,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::app::{self, LABEL_APP_NAME, LABEL_APP_SELECTOR, LABEL_ROLE, LABEL_VERSION};
use crate::conf::versions::{self, Change};
use crate::conf::{SparkConf, SparkVersion};
use crate::error::{Error, Result};
use crate::submit::plan::{DriverSpec, Plan, ResourceType, Upload};
use crate::submit::steps::{app_name, derived, driver_pod_name};

/// Container name used when the template does not name one.
pub const DEFAULT_DRIVER_CONTAINER_NAME: &str = "spark-kubernetes-driver";
/// Spark's placeholder for "no primary resource" (and for local jars shipped via `spark.jars`).
pub const NO_RESOURCE: &str = "spark-internal";
/// `spark.kubernetes.file.upload.path`.
pub const UPLOAD_PATH_KEY: &str = "spark.kubernetes.file.upload.path";
/// Default memory overhead factor of Python/R apps when none is set.
pub const NON_JVM_MEMORY_OVERHEAD_FACTOR: f64 = 0.4;
/// Default driver RPC port.
pub const DEFAULT_DRIVER_PORT: i32 = 7078;
/// Default block manager port.
pub const DEFAULT_BLOCKMANAGER_PORT: i32 = 7079;
/// Default UI port.
pub const DEFAULT_UI_PORT: i32 = 4040;
/// Default Spark Connect gRPC port (4.1+).
pub const DEFAULT_CONNECT_PORT: i32 = 15002;

const MEMORY_OVERHEAD_FACTOR_KEY: &str = "spark.kubernetes.memoryOverheadFactor";
const DRIVER_MEMORY_OVERHEAD_FACTOR_KEY: &str = "spark.driver.memoryOverheadFactor";
const PULL_POLICIES: [&str; 3] = ["Always", "Never", "IfNotPresent"];

/// Applies this step to the driver spec.
pub fn apply(plan: &Plan, spec: &mut DriverSpec) -> Result<()> {
    let conf = &plan.conf;
    let image = driver_image(conf, &plan.spark_version)?;
    let memory = DriverMemory::resolve(conf, plan.app.resource_type, &plan.spark_version)?;
    check_driver_address_unset(conf)?;
    let pull_policy = pull_policy(conf)?;
    let labels = driver_labels(plan)?;
    let pod_name = driver_pod_name(plan);

    let metadata = &mut spec.pod.metadata;
    metadata.name = Some(pod_name.clone());
    merge_into(&mut metadata.labels, labels);
    merge_into(&mut metadata.annotations, driver_annotations(plan));
    decorate_pod_spec(conf, spec.pod.spec.get_or_insert_with(PodSpec::default));

    let container = &mut spec.container;
    if container.name.is_empty() {
        container.name = DEFAULT_DRIVER_CONTAINER_NAME.into();
    }
    container.image = Some(image);
    container.image_pull_policy = Some(pull_policy);
    container
        .ports
        .get_or_insert_with(Vec::new)
        .extend(driver_container_ports(conf, &plan.spark_version)?);
    container
        .env
        .get_or_insert_with(Vec::new)
        .extend(driver_env(plan));
    let resources = container.resources.get_or_insert_with(Default::default);
    apply_resources(conf, &memory, resources)?;
    if plan.spark_version.at_least(4, 3) {
        let escalation = allow_privilege_escalation(conf)?;
        container
            .security_context
            .get_or_insert_with(SecurityContext::default)
            .allow_privilege_escalation = Some(escalation);
    }

    let props = &mut spec.properties;
    props.set("spark.kubernetes.driver.pod.name", pod_name);
    props.set("spark.app.id", plan.ids.app_id.clone());
    props.set("spark.kubernetes.submitInDriver", "true");
    props.set(
        MEMORY_OVERHEAD_FACTOR_KEY,
        java_double_to_string(memory.default_factor),
    );
    let rewritten = rewrite_local_dependencies(plan)?;
    for (key, value) in rewritten.properties {
        props.set(key, value);
    }
    spec.uploads.extend(rewritten.uploads);
    Ok(())
}

/// Inserts every entry of `extra` into the map, creating it when absent (later wins).
fn merge_into(target: &mut Option<BTreeMap<String, String>>, extra: BTreeMap<String, String>) {
    if !extra.is_empty() {
        target.get_or_insert_with(BTreeMap::new).extend(extra);
    }
}

/// The driver image: `spark.kubernetes.driver.container.image`, else
/// `spark.kubernetes.container.image`; 4.1+ replaces `{{SPARK_VERSION}}`.
pub fn driver_image(conf: &SparkConf, version: &SparkVersion) -> Result<String> {
    let image = conf
        .get_non_empty("spark.kubernetes.driver.container.image")
        .or_else(|| conf.get_non_empty("spark.kubernetes.container.image"))
        .ok_or_else(|| {
            Error::usage(
                "Must specify the driver container image",
                "pass --conf spark.kubernetes.container.image=<image>, e.g. apache/spark:4.0.1",
            )
        })?;
    Ok(if version.at_least(4, 1) {
        image.replace("{{SPARK_VERSION}}", &version.to_string())
    } else {
        image.to_string()
    })
}

/// `spark.kubernetes.container.image.pullPolicy` (default `IfNotPresent`), checked against
/// Kubernetes' three values.
fn pull_policy(conf: &SparkConf) -> Result<String> {
    let key = "spark.kubernetes.container.image.pullPolicy";
    let policy = conf.get(key).unwrap_or("IfNotPresent");
    if PULL_POLICIES.contains(&policy) {
        Ok(policy.to_string())
    } else {
        Err(Error::usage(
            format!(
                "The value of {key} should be one of {}, but was {policy}",
                PULL_POLICIES.join(", ")
            ),
            format!("use --conf {key}=IfNotPresent (or Always, Never)"),
        ))
    }
}

/// Spark manages the driver's bind address and host itself; either key set is an error.
pub fn check_driver_address_unset(conf: &SparkConf) -> Result<()> {
    if conf.contains("spark.driver.bindAddress") {
        return Err(Error::usage(
            "spark.driver.bindAddress is not supported in Kubernetes mode, as the driver's bind address is managed and set to the driver pod's IP address.",
            "remove spark.driver.bindAddress from --conf and the properties file",
        ));
    }
    if conf.contains("spark.driver.host") {
        return Err(Error::usage(
            "spark.driver.host is not supported in Kubernetes mode, as the driver's hostname will be managed via a Kubernetes service.",
            "remove spark.driver.host from --conf and the properties file",
        ));
    }
    Ok(())
}

/// Spark's `substituteAppNExecIds` for driver objects: `{{APP_ID}}` → appId,
/// `{{EXECUTOR_ID}}` → "".
pub fn substitute_app_ids(value: &str, app_id: &str) -> String {
    value
        .replace("{{APP_ID}}", app_id)
        .replace("{{EXECUTOR_ID}}", "")
}

/// The driver pod labels computed from configuration (also the Service selector):
/// `spark.kubernetes.driver.label.*` (4.0+ with `{{APP_ID}}` substitution) plus the four
/// reserved labels, which users may not set.
pub fn driver_labels(plan: &Plan) -> Result<BTreeMap<String, String>> {
    let prefix = "spark.kubernetes.driver.label.";
    let substitute = plan.spark_version.at_least(4, 0);
    let mut labels: BTreeMap<String, String> = plan
        .conf
        .with_prefix(prefix)
        .map(|(k, v)| {
            let v = if substitute {
                substitute_app_ids(v, &plan.ids.app_id)
            } else {
                v.to_string()
            };
            (k.to_string(), v)
        })
        .collect();
    let reserved = [
        (LABEL_VERSION, plan.spark_version.to_string()),
        (LABEL_APP_SELECTOR, plan.ids.app_id.clone()),
        (LABEL_APP_NAME, app::app_name_label(app_name(plan))),
        (LABEL_ROLE, "driver".to_string()),
    ];
    for (key, _) in &reserved {
        if labels.contains_key(*key) {
            return Err(Error::usage(
                format!(
                    "Label with key {key} is not allowed as it is reserved for Spark bookkeeping operations."
                ),
                format!("remove --conf {prefix}{key}; Spark sets this label itself"),
            ));
        }
    }
    labels.extend(reserved.map(|(k, v)| (k.to_string(), v)));
    Ok(labels)
}

/// `spark.kubernetes.driver.annotation.*` with `{{APP_ID}}` substitution (all versions).
fn driver_annotations(plan: &Plan) -> BTreeMap<String, String> {
    plan.conf
        .with_prefix("spark.kubernetes.driver.annotation.")
        .map(|(k, v)| (k.to_string(), substitute_app_ids(v, &plan.ids.app_id)))
        .collect()
}

/// Restart policy, node selector (common then driver-only, later wins), pull secrets
/// (appended) and scheduler name.
fn decorate_pod_spec(conf: &SparkConf, spec: &mut PodSpec) {
    spec.restart_policy = Some("Never".into());
    let selector: BTreeMap<String, String> = conf
        .with_prefix("spark.kubernetes.node.selector.")
        .chain(conf.with_prefix("spark.kubernetes.driver.node.selector."))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    merge_into(&mut spec.node_selector, selector);
    let secrets = conf.get_list("spark.kubernetes.container.image.pullSecrets");
    if !secrets.is_empty() {
        spec.image_pull_secrets.get_or_insert_with(Vec::new).extend(
            secrets
                .into_iter()
                .map(|name| LocalObjectReference { name }),
        );
    }
    if let Some(name) = conf
        .get("spark.kubernetes.driver.scheduler.name")
        .or_else(|| conf.get("spark.kubernetes.scheduler.name"))
    {
        spec.scheduler_name = Some(name.to_string());
    }
}

/// A port key read as an integer, or `default`.
pub fn conf_port(conf: &SparkConf, key: &str, default: i32) -> Result<i32> {
    let port = conf.get_i64(key, default.into())?;
    i32::try_from(port).map_err(|_| {
        Error::usage(
            format!("{key} should be a port number, but was `{port}`"),
            format!("use --conf {key}=<port>, e.g. {default}"),
        )
    })
}

/// `spark.driver.port` or 7078.
pub fn driver_port(conf: &SparkConf) -> Result<i32> {
    conf_port(conf, "spark.driver.port", DEFAULT_DRIVER_PORT)
}

/// `spark.ui.port` or 4040.
pub fn ui_port(conf: &SparkConf) -> Result<i32> {
    conf_port(conf, "spark.ui.port", DEFAULT_UI_PORT)
}

/// `spark.connect.grpc.binding.port` or 15002.
pub fn connect_port(conf: &SparkConf) -> Result<i32> {
    conf_port(
        conf,
        "spark.connect.grpc.binding.port",
        DEFAULT_CONNECT_PORT,
    )
}

fn tcp_port(name: &str, port: i32) -> ContainerPort {
    ContainerPort {
        name: Some(name.into()),
        container_port: port,
        protocol: Some("TCP".into()),
        ..ContainerPort::default()
    }
}

/// The driver container's ports: RPC, block manager (driver key, then the common key), UI,
/// and 4.1+ Spark Connect.
fn driver_container_ports(conf: &SparkConf, version: &SparkVersion) -> Result<Vec<ContainerPort>> {
    let block_manager_default =
        conf_port(conf, "spark.blockManager.port", DEFAULT_BLOCKMANAGER_PORT)?;
    let block_manager = conf_port(
        conf,
        "spark.driver.blockManager.port",
        block_manager_default,
    )?;
    let mut ports = vec![
        tcp_port("driver-rpc-port", driver_port(conf)?),
        tcp_port("blockmanager", block_manager),
        tcp_port("spark-ui", ui_port(conf)?),
    ];
    if version.at_least(4, 1) {
        ports.push(tcp_port("spark-connect", connect_port(conf)?));
    }
    Ok(ports)
}

fn env_value(name: &str, value: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        ..EnvVar::default()
    }
}

/// `SPARK_USER`, `SPARK_APPLICATION_ID`, `spark.kubernetes.driverEnv.*`, and
/// `SPARK_DRIVER_BIND_ADDRESS` from the pod IP. `SPARK_USER` with `--proxy-user`: the proxy
/// user from 4.3.0; before, what `Utils.getCurrentUserName()` gives inside the proxy user's
/// `doAs` — the submitter's own `SPARK_USER` variable when exported, else the proxy user.
fn driver_env(plan: &Plan) -> Vec<EnvVar> {
    let user = match &plan.app.proxy_user {
        Some(proxy) if versions::has(&plan.spark_version, Change::SparkUserIsProxyUser) => {
            proxy.as_str()
        }
        Some(proxy) => plan.env.spark_user_var.as_deref().unwrap_or(proxy),
        None => plan.env.spark_user.as_str(),
    };
    let mut env = vec![
        env_value("SPARK_USER", user),
        env_value("SPARK_APPLICATION_ID", &plan.ids.app_id),
    ];
    env.extend(
        plan.conf
            .with_prefix("spark.kubernetes.driverEnv.")
            .map(|(k, v)| env_value(k, v)),
    );
    env.push(EnvVar {
        name: "SPARK_DRIVER_BIND_ADDRESS".into(),
        value_from: Some(EnvVarSource {
            field_ref: Some(ObjectFieldSelector {
                api_version: Some("v1".into()),
                field_path: "status.podIP".into(),
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    });
    env
}

/// The driver's memory sizing (§3.1.1).
#[derive(Debug, Clone, PartialEq)]
pub struct DriverMemory {
    /// `spark.driver.memory` in MiB.
    pub memory_mib: i64,
    /// Non-heap overhead in MiB.
    pub overhead_mib: i64,
    /// The default overhead factor, written back to `spark.kubernetes.memoryOverheadFactor`.
    pub default_factor: f64,
}

impl DriverMemory {
    /// Resolves memory, factor and overhead from configuration and the kind of app.
    pub fn resolve(conf: &SparkConf, kind: ResourceType, version: &SparkVersion) -> Result<Self> {
        let memory_mib = conf.get_mib("spark.driver.memory", 1024)?;
        let default_factor = match kind {
            ResourceType::Python | ResourceType::R
                if !conf.contains(MEMORY_OVERHEAD_FACTOR_KEY) =>
            {
                NON_JVM_MEMORY_OVERHEAD_FACTOR
            }
            _ => conf.get_f64(MEMORY_OVERHEAD_FACTOR_KEY, 0.1)?,
        };
        if default_factor < 0.0 || default_factor.is_nan() {
            return Err(Error::usage(
                format!(
                    "{MEMORY_OVERHEAD_FACTOR_KEY} is {default_factor}: Ensure that memory overhead is non-negative"
                ),
                format!("use --conf {MEMORY_OVERHEAD_FACTOR_KEY}=<factor ≥ 0>, e.g. 0.1"),
            ));
        }
        let factor = if conf.contains(DRIVER_MEMORY_OVERHEAD_FACTOR_KEY) {
            let f = conf.get_f64(DRIVER_MEMORY_OVERHEAD_FACTOR_KEY, 0.1)?;
            if f <= 0.0 || f.is_nan() {
                return Err(Error::usage(
                    format!(
                        "{DRIVER_MEMORY_OVERHEAD_FACTOR_KEY} is {f}: Ensure that memory overhead is a double greater than 0"
                    ),
                    format!(
                        "use --conf {DRIVER_MEMORY_OVERHEAD_FACTOR_KEY}=<factor > 0>, e.g. 0.1"
                    ),
                ));
            }
            f
        } else {
            default_factor
        };
        let min_overhead = if version.at_least(4, 0) {
            conf.get_mib("spark.driver.minMemoryOverhead", 384)?
        } else {
            384
        };
        let overhead_mib = match conf.get("spark.driver.memoryOverhead") {
            Some(_) => conf.get_mib("spark.driver.memoryOverhead", 0)?,
            // Scala's Double.toInt truncates toward zero and saturates, as `as` does.
            None => ((factor * memory_mib as f64) as i32 as i64).max(min_overhead),
        };
        Ok(Self {
            memory_mib,
            overhead_mib,
            default_factor,
        })
    }

    /// The container memory request and limit, e.g. `1408Mi`.
    pub fn quantity(&self) -> Quantity {
        Quantity(format!("{}Mi", self.memory_mib + self.overhead_mib))
    }
}

/// Sets cpu request, optional cpu limit, memory request = limit, and vendor resources,
/// keeping other entries (e.g. from a template).
fn apply_resources(
    conf: &SparkConf,
    memory: &DriverMemory,
    resources: &mut ResourceRequirements,
) -> Result<()> {
    let cpu = match conf.get("spark.kubernetes.driver.request.cores") {
        Some(cores) => cores.to_string(),
        None => conf.get_i64("spark.driver.cores", 1)?.to_string(),
    };
    let requests = resources.requests.get_or_insert_with(BTreeMap::new);
    requests.insert("cpu".into(), Quantity(cpu));
    requests.insert("memory".into(), memory.quantity());
    let limits = resources.limits.get_or_insert_with(BTreeMap::new);
    if let Some(limit) = conf.get("spark.kubernetes.driver.limit.cores") {
        limits.insert("cpu".into(), Quantity(limit.to_string()));
    }
    limits.insert("memory".into(), memory.quantity());
    limits.extend(custom_resource_limits(conf)?);
    Ok(())
}

/// `spark.driver.resource.<name>.amount` → limit `<vendor>/<name>: <amount>`; every named
/// resource needs an amount and a vendor.
pub fn custom_resource_limits(conf: &SparkConf) -> Result<BTreeMap<String, Quantity>> {
    let prefix = "spark.driver.resource.";
    let mut names: Vec<&str> = conf
        .with_prefix(prefix)
        .filter_map(|(rest, _)| rest.split_once('.').map(|(name, _)| name))
        .collect();
    names.dedup();
    let mut limits = BTreeMap::new();
    for name in names {
        let amount_key = format!("{prefix}{name}.amount");
        let amount = conf.get(&amount_key).ok_or_else(|| {
            Error::usage(
                format!("You must specify an amount for {name}"),
                format!("pass --conf {amount_key}=<count>"),
            )
        })?;
        let amount: i32 = amount.trim().parse().map_err(|_| {
            Error::usage(
                format!("{amount_key} should be an integer, but was `{amount}`"),
                format!("use --conf {amount_key}=<count>, e.g. 1"),
            )
        })?;
        let vendor_key = format!("{prefix}{name}.vendor");
        let vendor = conf.get(&vendor_key).ok_or_else(|| {
            Error::usage(
                format!("Resource: {name} was requested, but vendor was not specified."),
                format!("pass --conf {vendor_key}=<vendor domain>, e.g. nvidia.com"),
            )
        })?;
        limits.insert(format!("{vendor}/{name}"), Quantity(amount.to_string()));
    }
    Ok(limits)
}

/// 4.3+: `spark.kubernetes.driver.securityContext.allowPrivilegeEscalation`, else the common
/// key, else false.
fn allow_privilege_escalation(conf: &SparkConf) -> Result<bool> {
    let common = conf.get_bool(
        "spark.kubernetes.securityContext.allowPrivilegeEscalation",
        false,
    )?;
    conf.get_bool(
        "spark.kubernetes.driver.securityContext.allowPrivilegeEscalation",
        common,
    )
}

/// Java's `Double.toString`: plain decimal with at least one fractional digit for
/// 10⁻³ ≤ |d| < 10⁷, otherwise `d.dddE±n`.
pub fn java_double_to_string(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let sign = if d.is_sign_negative() { "-" } else { "" };
    if d == 0.0 {
        return format!("{sign}0.0");
    }
    let sci = format!("{:e}", d.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits = mantissa.replace('.', "");
    if (-3..7).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() > int_len {
                format!("{sign}{}.{}", &digits[..int_len], &digits[int_len..])
            } else {
                format!("{sign}{digits:0<int_len$}.0")
            }
        } else {
            let zeros = "0".repeat((-exp - 1) as usize);
            format!("{sign}0.{zeros}{digits}")
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        format!("{sign}{first}.{rest}E{exp}")
    }
}

/// The URI scheme of `uri`, as `java.net.URI` sees it (letters, digits, `+-.` before the
/// first `:`, starting with a letter, and no `/?#` before it).
pub fn uri_scheme(uri: &str) -> Option<&str> {
    let (scheme, _) = uri.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// Spark's `isLocalAndResolvable`: no scheme or `file:`, and not `spark-internal`.
pub fn is_local_and_resolvable(uri: &str) -> bool {
    uri != NO_RESOURCE && matches!(uri_scheme(uri), None | Some("file"))
}

/// Splits `uri#fragment` into the part before `#` and the raw fragment.
fn split_fragment(uri: &str) -> (&str, Option<&str>) {
    match uri.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (uri, None),
    }
}

/// Decodes `%XX` escapes (what `URI.getPath` does); invalid escapes are kept verbatim.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The local file path of a local URI (`file:/a`, `file:///a`, `file://host/a` → `/a`;
/// a plain path stays as is), without query or fragment.
pub fn local_path(uri: &str) -> String {
    let (base, _) = split_fragment(uri);
    match uri_scheme(base) {
        Some(scheme) => {
            let rest = &base[scheme.len() + 1..];
            let rest = rest.split('?').next().unwrap_or(rest);
            let path = match rest.strip_prefix("//") {
                Some(authority_and_path) => authority_and_path
                    .find('/')
                    .map_or("", |i| &authority_and_path[i..]),
                None => rest,
            };
            percent_decode(path)
        }
        None => base.to_string(),
    }
}

/// Spark's `uploadFileUri`: the upload of one local file to
/// `<uploadPath>/spark-upload-<uuid>/<file name>` (strings joined with `/`, no normalisation).
pub fn upload_for(conf: &SparkConf, key: &str, uri: &str, uuid: &str) -> Result<Upload> {
    let upload_path = conf.get(UPLOAD_PATH_KEY).ok_or_else(|| {
        Error::usage(
            "Please specify spark.kubernetes.file.upload.path property.",
            format!(
                "local file {uri} must be uploaded for the driver to see it: pass --conf {UPLOAD_PATH_KEY}=<a directory in a store kubectl-spark uploads to: {SUPPORTED_SCHEMES}>, or refer to the file with local:// if the image already has it",
                SUPPORTED_SCHEMES = crate::store::uri::SUPPORTED_SCHEMES
            ),
        )
    })?;
    let path = local_path(uri);
    let file_name = path.split('/').rev().find(|s| !s.is_empty()).unwrap_or("");
    Ok(Upload {
        key: key.to_string(),
        target: format!("{upload_path}/spark-upload-{uuid}/{file_name}"),
        local_path: path,
    })
}

/// The four list keys whose local entries are uploaded, in Spark's order.
pub const UPLOADED_LIST_KEYS: [&str; 4] = [
    "spark.jars",
    "spark.files",
    "spark.archives",
    "spark.submit.pyFiles",
];

/// The outcome of §4.3 for `spark.jars/files/archives/submit.pyFiles`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RewrittenDependencies {
    /// (key, new value) for each list key that had local entries.
    pub properties: Vec<(String, String)>,
    /// The uploads, in order.
    pub uploads: Vec<Upload>,
}

/// §4.3: for each list key with local entries, the rewritten value (uploaded entries first,
/// archives keeping their fragment, then remote entries) and the uploads, in order.
pub fn rewrite_local_dependencies(plan: &Plan) -> Result<RewrittenDependencies> {
    let mut rewritten = Vec::new();
    let mut uploads = Vec::new();
    for key in UPLOADED_LIST_KEYS {
        let entries = plan.conf.get_list(key);
        let (local, remote): (Vec<String>, Vec<String>) = entries
            .into_iter()
            .partition(|e| is_local_and_resolvable(e));
        if local.is_empty() {
            continue;
        }
        let mut values = Vec::with_capacity(local.len() + remote.len());
        for entry in &local {
            let uuid = plan
                .ids
                .derived_uuid(derived::UPLOAD_UUID_BASE + uploads.len() as u64);
            let upload = upload_for(&plan.conf, key, entry, &uuid)?;
            let value = match split_fragment(entry) {
                (_, Some(fragment)) if key == "spark.archives" => {
                    format!("{}#{fragment}", upload.target)
                }
                _ => upload.target.clone(),
            };
            values.push(value);
            uploads.push(upload);
        }
        values.extend(remote);
        rewritten.push((key.to_string(), values.join(",")));
    }
    Ok(RewrittenDependencies {
        properties: rewritten,
        uploads,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submit::steps::fixtures::{APP_ID, PREFIX, empty_spec, test_plan, test_plan_with};

    fn run(plan: &Plan) -> Result<DriverSpec> {
        let mut spec = empty_spec(plan);
        apply(plan, &mut spec).map(|_| spec)
    }

    fn memory(kind: ResourceType, version: &str, conf: &[(&str, &str)]) -> DriverMemory {
        let plan = test_plan_with(version, conf);
        DriverMemory::resolve(&plan.conf, kind, &plan.spark_version).unwrap()
    }

    #[test]
    fn memory_examples_of_the_spec() {
        let m = memory(ResourceType::Java, "4.0.1", &[]);
        assert_eq!(m.quantity().0, "1408Mi");
        assert_eq!(java_double_to_string(m.default_factor), "0.1");
        let m = memory(ResourceType::Python, "4.0.1", &[]);
        assert_eq!(m.quantity().0, "1433Mi");
        assert_eq!(java_double_to_string(m.default_factor), "0.4");
        let m = memory(
            ResourceType::Java,
            "3.5.9",
            &[("spark.driver.memory", "8g")],
        );
        assert_eq!(m.quantity().0, "9011Mi");
    }

    #[test]
    fn memory_factors_and_minimum() {
        // explicit common factor wins for Python too
        let m = memory(
            ResourceType::R,
            "4.0.1",
            &[("spark.kubernetes.memoryOverheadFactor", "0.2")],
        );
        assert_eq!((m.default_factor, m.overhead_mib), (0.2, 384));
        // driver factor wins over the default but is not written back
        let m = memory(
            ResourceType::Python,
            "4.0.1",
            &[
                ("spark.driver.memoryOverheadFactor", "0.5"),
                ("spark.driver.memory", "2g"),
            ],
        );
        assert_eq!((m.default_factor, m.overhead_mib), (0.4, 1024));
        // 4.0+ minimum overhead is configurable, 3.5 is fixed at 384
        let conf = [("spark.driver.minMemoryOverhead", "1g")];
        assert_eq!(
            memory(ResourceType::Java, "4.0.1", &conf).overhead_mib,
            1024
        );
        assert_eq!(memory(ResourceType::Java, "3.5.9", &conf).overhead_mib, 384);
        // explicit overhead wins over everything
        let m = memory(
            ResourceType::Java,
            "4.0.1",
            &[("spark.driver.memoryOverhead", "100")],
        );
        assert_eq!(m.quantity().0, "1124Mi");
        let plan = test_plan_with("4.0.1", &[("spark.kubernetes.memoryOverheadFactor", "-1")]);
        assert!(
            DriverMemory::resolve(&plan.conf, ResourceType::Java, &plan.spark_version).is_err()
        );
    }

    #[test]
    fn java_doubles() {
        for (d, s) in [
            (0.1, "0.1"),
            (0.4, "0.4"),
            (1.0, "1.0"),
            (0.0, "0.0"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1.5e7, "1.5E7"),
            (1234567.0, "1234567.0"),
            (12.25, "12.25"),
            (100.0, "100.0"),
        ] {
            assert_eq!(java_double_to_string(d), s, "{d}");
        }
    }

    #[test]
    fn worked_example_pod_and_properties() {
        let plan = test_plan("4.0.1");
        let spec = run(&plan).unwrap();
        let meta = &spec.pod.metadata;
        assert_eq!(
            meta.name.as_deref(),
            Some(format!("{PREFIX}-driver").as_str())
        );
        let labels = meta.labels.clone().unwrap();
        assert_eq!(labels["spark-app-name"], "spark-pi");
        assert_eq!(labels["spark-app-selector"], APP_ID);
        assert_eq!(labels["spark-role"], "driver");
        assert_eq!(labels["spark-version"], "4.0.1");
        assert_eq!(meta.annotations, None);
        let pod_spec = spec.pod.spec.as_ref().unwrap();
        assert_eq!(pod_spec.restart_policy.as_deref(), Some("Never"));
        assert_eq!(pod_spec.node_selector, None);
        let c = &spec.container;
        assert_eq!(c.name, "spark-kubernetes-driver");
        assert_eq!(c.image.as_deref(), Some("apache/spark:4.0.1"));
        assert_eq!(c.image_pull_policy.as_deref(), Some("IfNotPresent"));
        let ports: Vec<_> = c
            .ports
            .iter()
            .flatten()
            .map(|p| {
                (
                    p.name.clone().unwrap(),
                    p.container_port,
                    p.protocol.clone().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            ports,
            vec![
                ("driver-rpc-port".into(), 7078, "TCP".into()),
                ("blockmanager".into(), 7079, "TCP".into()),
                ("spark-ui".into(), 4040, "TCP".into()),
            ]
        );
        let env: Vec<_> = c.env.iter().flatten().map(|e| e.name.as_str()).collect();
        assert_eq!(
            env,
            [
                "SPARK_USER",
                "SPARK_APPLICATION_ID",
                "SPARK_DRIVER_BIND_ADDRESS"
            ]
        );
        let bind = &c.env.as_ref().unwrap()[2];
        let field = bind
            .value_from
            .as_ref()
            .unwrap()
            .field_ref
            .as_ref()
            .unwrap();
        assert_eq!(
            (field.api_version.as_deref(), field.field_path.as_str()),
            (Some("v1"), "status.podIP")
        );
        let res = c.resources.as_ref().unwrap();
        let req = res.requests.as_ref().unwrap();
        assert_eq!(
            (req["cpu"].0.as_str(), req["memory"].0.as_str()),
            ("1", "1408Mi")
        );
        let lim = res.limits.as_ref().unwrap();
        assert_eq!(lim.len(), 1);
        assert_eq!(lim["memory"].0, "1408Mi");
        assert_eq!(c.security_context, None);

        let p = &spec.properties;
        assert_eq!(
            p.get("spark.kubernetes.driver.pod.name"),
            Some(format!("{PREFIX}-driver").as_str())
        );
        assert_eq!(p.get("spark.app.id"), Some(APP_ID));
        assert_eq!(p.get("spark.kubernetes.submitInDriver"), Some("true"));
        assert_eq!(p.get("spark.kubernetes.memoryOverheadFactor"), Some("0.1"));
        assert_eq!(
            p.get("spark.jars"),
            Some("local:///opt/spark/examples/jars/spark-examples.jar")
        );
        assert!(spec.uploads.is_empty());
    }

    #[test]
    fn version_dependent_fields() {
        let c = run(&test_plan("4.1.0")).unwrap().container;
        let last = c.ports.unwrap().pop().unwrap();
        assert_eq!(
            (last.name.as_deref(), last.container_port),
            (Some("spark-connect"), 15002)
        );
        let c = run(&test_plan("4.3.0")).unwrap().container;
        assert_eq!(
            c.security_context.unwrap().allow_privilege_escalation,
            Some(false)
        );
        let plan = test_plan_with(
            "4.3.0",
            &[(
                "spark.kubernetes.securityContext.allowPrivilegeEscalation",
                "true",
            )],
        );
        let c = run(&plan).unwrap().container;
        assert_eq!(
            c.security_context.unwrap().allow_privilege_escalation,
            Some(true)
        );
        let plan = test_plan_with(
            "4.3.0",
            &[
                (
                    "spark.kubernetes.securityContext.allowPrivilegeEscalation",
                    "true",
                ),
                (
                    "spark.kubernetes.driver.securityContext.allowPrivilegeEscalation",
                    "false",
                ),
            ],
        );
        let c = run(&plan).unwrap().container;
        assert_eq!(
            c.security_context.unwrap().allow_privilege_escalation,
            Some(false)
        );
    }

    #[test]
    fn image_placeholder_and_errors() {
        let conf = [(
            "spark.kubernetes.driver.container.image",
            "apache/spark:{{SPARK_VERSION}}-python3",
        )];
        let image = |v: &str| {
            run(&test_plan_with(v, &conf))
                .unwrap()
                .container
                .image
                .unwrap()
        };
        assert_eq!(image("4.1.0"), "apache/spark:4.1.0-python3");
        assert_eq!(image("4.0.1"), "apache/spark:{{SPARK_VERSION}}-python3");
        let mut plan = test_plan("4.0.1");
        plan.conf.remove("spark.kubernetes.container.image");
        let err = run(&plan).unwrap_err();
        assert_eq!(err.to_string(), "Must specify the driver container image");
        assert!(
            err.hint()
                .unwrap()
                .contains("spark.kubernetes.container.image")
        );
        let err = run(&test_plan_with(
            "4.0.1",
            &[("spark.kubernetes.container.image.pullPolicy", "Sometimes")],
        ))
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("should be one of Always, Never, IfNotPresent")
        );
    }

    #[test]
    fn bind_address_and_host_are_rejected() {
        let err = run(&test_plan_with(
            "4.0.1",
            &[("spark.driver.bindAddress", "0.0.0.0")],
        ))
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("spark.driver.bindAddress is not supported in Kubernetes mode")
        );
        let err = run(&test_plan_with("4.0.1", &[("spark.driver.host", "h")])).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("spark.driver.host is not supported in Kubernetes mode")
        );
    }

    #[test]
    fn labels_annotations_and_reserved_keys() {
        let conf = [
            ("spark.kubernetes.driver.label.team", "data"),
            (
                "spark.kubernetes.driver.label.app",
                "x-{{APP_ID}}{{EXECUTOR_ID}}",
            ),
            ("spark.kubernetes.driver.annotation.note", "{{APP_ID}}"),
        ];
        let spec = run(&test_plan_with("4.0.1", &conf)).unwrap();
        let labels = spec.pod.metadata.labels.unwrap();
        assert_eq!(labels["team"], "data");
        assert_eq!(labels["app"], format!("x-{APP_ID}"));
        assert_eq!(spec.pod.metadata.annotations.unwrap()["note"], APP_ID);
        // 3.5 does not substitute labels, but does substitute annotations
        let spec = run(&test_plan_with("3.5.9", &conf)).unwrap();
        assert_eq!(
            spec.pod.metadata.labels.unwrap()["app"],
            "x-{{APP_ID}}{{EXECUTOR_ID}}"
        );
        assert_eq!(spec.pod.metadata.annotations.unwrap()["note"], APP_ID);

        let err = run(&test_plan_with(
            "4.0.1",
            &[("spark.kubernetes.driver.label.spark-role", "x")],
        ))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Label with key spark-role is not allowed as it is reserved for Spark bookkeeping operations."
        );
    }

    #[test]
    fn template_values_are_merged() {
        let plan = test_plan_with(
            "4.0.1",
            &[
                ("spark.kubernetes.node.selector.zone", "a"),
                ("spark.kubernetes.node.selector.disk", "ssd"),
                ("spark.kubernetes.driver.node.selector.zone", "b"),
                ("spark.kubernetes.container.image.pullSecrets", "one, two"),
                ("spark.kubernetes.scheduler.name", "common"),
                ("spark.kubernetes.driver.scheduler.name", "volcano"),
            ],
        );
        let mut spec = empty_spec(&plan);
        spec.container.name = "main".into();
        spec.pod.metadata.labels = Some(
            [
                ("spark-role".to_string(), "t".to_string()),
                ("t".into(), "1".into()),
            ]
            .into(),
        );
        let pod_spec = spec.pod.spec.get_or_insert_with(Default::default);
        pod_spec.image_pull_secrets = Some(vec![LocalObjectReference { name: "tpl".into() }]);
        pod_spec.node_selector = Some([("zone".to_string(), "t".to_string())].into());
        apply(&plan, &mut spec).unwrap();
        assert_eq!(spec.container.name, "main");
        let labels = spec.pod.metadata.labels.unwrap();
        assert_eq!(
            (labels["spark-role"].as_str(), labels["t"].as_str()),
            ("driver", "1")
        );
        let pod_spec = spec.pod.spec.unwrap();
        let selector = pod_spec.node_selector.unwrap();
        assert_eq!(
            (selector["zone"].as_str(), selector["disk"].as_str()),
            ("b", "ssd")
        );
        let secrets: Vec<_> = pod_spec
            .image_pull_secrets
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(secrets, ["tpl", "one", "two"]);
        assert_eq!(pod_spec.scheduler_name.as_deref(), Some("volcano"));
    }

    #[test]
    fn env_user_and_driver_env() {
        let mut plan = test_plan_with(
            "4.2.0",
            &[
                ("spark.kubernetes.driverEnv.B", "2"),
                ("spark.kubernetes.driverEnv.A", "1"),
            ],
        );
        plan.app.proxy_user = Some("alice".into());
        let env = run(&plan).unwrap().container.env.unwrap();
        let pairs: Vec<_> = env
            .iter()
            .map(|e| (e.name.as_str(), e.value.as_deref()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("SPARK_USER", Some("alice")),
                ("SPARK_APPLICATION_ID", Some(APP_ID)),
                ("A", Some("1")),
                ("B", Some("2")),
                ("SPARK_DRIVER_BIND_ADDRESS", None),
            ]
        );
        plan.spark_version = SparkVersion::parse("3.5.9").unwrap();
        let env = run(&plan).unwrap().container.env.unwrap();
        assert_eq!(env[0].value.as_deref(), Some("alice"));
        plan.app.proxy_user = None;
        let env = run(&plan).unwrap().container.env.unwrap();
        assert_eq!(env[0].value.as_deref(), Some("spark"));
    }

    #[test]
    fn spark_user_with_a_proxy_user_by_full_version() {
        let spark_user = |version: &str, exported: Option<&str>| {
            let mut plan = test_plan(version);
            plan.app.proxy_user = Some("alice".into());
            plan.env.spark_user_var = exported.map(str::to_string);
            if let Some(user) = exported {
                plan.env.spark_user = user.to_string();
            }
            let env = run(&plan).unwrap().container.env.unwrap();
            env[0].value.clone().unwrap()
        };
        // The submitter's exported SPARK_USER wins over --proxy-user before 4.3.0 …
        for version in ["3.5.7", "3.5.9", "4.0.1", "4.0.5", "4.1.2", "4.2.1"] {
            assert_eq!(spark_user(version, Some("bob")), "bob", "{version}");
            assert_eq!(spark_user(version, None), "alice", "{version}");
        }
        // … and not from 4.3.0 (SPARK-58926).
        assert_eq!(spark_user("4.3.0", Some("bob")), "alice");
        assert_eq!(spark_user("4.3.0", None), "alice");
    }

    #[test]
    fn resources_cores_and_vendor_resources() {
        let plan = test_plan_with(
            "4.0.1",
            &[
                ("spark.driver.cores", "2"),
                ("spark.kubernetes.driver.limit.cores", "3"),
                ("spark.driver.resource.gpu.amount", "1"),
                ("spark.driver.resource.gpu.vendor", "nvidia.com"),
            ],
        );
        let res = run(&plan).unwrap().container.resources.unwrap();
        assert_eq!(res.requests.unwrap()["cpu"].0, "2");
        let limits = res.limits.unwrap();
        assert_eq!(limits["cpu"].0, "3");
        assert_eq!(limits["nvidia.com/gpu"].0, "1");
        let plan = test_plan_with(
            "4.0.1",
            &[
                ("spark.driver.cores", "2"),
                ("spark.kubernetes.driver.request.cores", "500m"),
            ],
        );
        let res = run(&plan).unwrap().container.resources.unwrap();
        assert_eq!(res.requests.unwrap()["cpu"].0, "500m");
        let err = run(&test_plan_with(
            "4.0.1",
            &[("spark.driver.resource.gpu.amount", "1")],
        ))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Resource: gpu was requested, but vendor was not specified."
        );
        assert!(
            err.hint()
                .unwrap()
                .contains("spark.driver.resource.gpu.vendor")
        );
        let err = run(&test_plan_with(
            "4.0.1",
            &[("spark.driver.resource.fpga.vendor", "x.com")],
        ))
        .unwrap_err();
        assert_eq!(err.to_string(), "You must specify an amount for fpga");
    }

    #[test]
    fn uri_helpers() {
        assert_eq!(uri_scheme("local:///a"), Some("local"));
        assert_eq!(uri_scheme("/a:b"), None);
        assert_eq!(uri_scheme("s3a://b/k"), Some("s3a"));
        assert!(is_local_and_resolvable("file:/tmp/a.jar"));
        assert!(is_local_and_resolvable("/tmp/a.jar"));
        assert!(!is_local_and_resolvable("spark-internal"));
        assert!(!is_local_and_resolvable("local:///a.jar"));
        assert_eq!(local_path("file:/tmp/a%20b.jar"), "/tmp/a b.jar");
        assert_eq!(local_path("file:///tmp/a.zip#env"), "/tmp/a.zip");
        assert_eq!(local_path("file://host/tmp/a.py"), "/tmp/a.py");
        assert_eq!(local_path("/tmp/x.jar"), "/tmp/x.jar");
    }

    #[test]
    fn local_files_are_uploaded_and_listed_first() {
        let plan = test_plan_with(
            "4.0.1",
            &[
                ("spark.kubernetes.file.upload.path", "s3a://bucket/up"),
                (
                    "spark.jars",
                    "local:///opt/a.jar,file:/home/me/b.jar#frag,s3a://x/c.jar",
                ),
                ("spark.files", "local:///etc/f"),
                (
                    "spark.archives",
                    "s3a://x/r.zip#r,file:/home/me/env.tar.gz#env",
                ),
                ("spark.submit.pyFiles", ""),
            ],
        );
        let spec = run(&plan).unwrap();
        let u0 = plan.ids.derived_uuid(derived::UPLOAD_UUID_BASE);
        let u1 = plan.ids.derived_uuid(derived::UPLOAD_UUID_BASE + 1);
        assert_ne!(u0, u1);
        assert_eq!(
            spec.properties.get("spark.jars").unwrap(),
            format!("s3a://bucket/up/spark-upload-{u0}/b.jar,local:///opt/a.jar,s3a://x/c.jar")
        );
        assert_eq!(spec.properties.get("spark.files"), Some("local:///etc/f"));
        assert_eq!(
            spec.properties.get("spark.archives").unwrap(),
            format!("s3a://bucket/up/spark-upload-{u1}/env.tar.gz#env,s3a://x/r.zip#r")
        );
        assert_eq!(spec.properties.get("spark.submit.pyFiles"), Some(""));
        assert_eq!(
            spec.uploads,
            vec![
                Upload {
                    key: "spark.jars".into(),
                    local_path: "/home/me/b.jar".into(),
                    target: format!("s3a://bucket/up/spark-upload-{u0}/b.jar"),
                },
                Upload {
                    key: "spark.archives".into(),
                    local_path: "/home/me/env.tar.gz".into(),
                    target: format!("s3a://bucket/up/spark-upload-{u1}/env.tar.gz"),
                },
            ]
        );
    }

    #[test]
    fn local_files_need_an_upload_path() {
        let err = run(&test_plan_with(
            "4.0.1",
            &[("spark.files", "file:/tmp/data.csv")],
        ))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Please specify spark.kubernetes.file.upload.path property."
        );
        let hint = err.hint().unwrap();
        assert!(hint.contains("spark.kubernetes.file.upload.path"), "{hint}");
        // Only stores an upload can go to are offered (hdfs:// is refused at upload).
        assert!(hint.contains("s3a://") && hint.contains("gs://"), "{hint}");
        assert!(!hint.contains("hdfs"), "{hint}");
    }
}
