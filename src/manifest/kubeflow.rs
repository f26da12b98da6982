//! Kubeflow's `sparkoperator.k8s.io/v1beta2` `SparkApplication` (and the `template` of a
//! `ScheduledSparkApplication`) → spark-submit options, in the order and with the keys the
//! operator's `buildSparkSubmitArgs` uses (internal/controller/sparkapplication/submission.go),
//! plus the pod-template overlay for what its mutating webhook patches into the pods
//! (internal/webhook/sparkpod_defaulter.go).
//!
//! Left out on purpose: the operator's bookkeeping labels (`sparkoperator.k8s.io/*`: no
//! operator launched these pods, and one installed in the cluster must not adopt them),
//! `--master`/`--deploy-mode` (the kubeconfig decides, as for every submit),
//! `spark.kubernetes.submission.waitAppCompletion=false` (`--no-wait` decides), and the
//! operator's default driver pod name `<name>-driver` (Spark's unique default is kept, so the
//! same manifest can be submitted again; `spec.driver.podName` still sets it).

use k8s_openapi::api::core::v1::{
    ConfigMapVolumeSource, ContainerPort, EnvVar, ResourceRequirements, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::template::Overlay;
use super::yaml::{Obj, Val, with_obj};
use super::{Flavor, RoleTemplate, Translated, metadata};
use crate::conf::submit_args::SubmitOptions;
use crate::error::Result;
use crate::submit::retry::RetryPolicy;

const SPEC_FIELDS: &[&str] = &[
    "type",
    "sparkVersion",
    "mode",
    "proxyUser",
    "image",
    "imagePullPolicy",
    "imagePullSecrets",
    "mainClass",
    "mainApplicationFile",
    "arguments",
    "sparkConf",
    "hadoopConf",
    "sparkConfigMap",
    "hadoopConfigMap",
    "volumes",
    "driver",
    "executor",
    "deps",
    "restartPolicy",
    "nodeSelector",
    "failureRetries",
    "retryInterval",
    "pythonVersion",
    "memoryOverheadFactor",
    "monitoring",
    "batchScheduler",
    "timeToLiveSeconds",
    "batchSchedulerOptions",
    "sparkUIOptions",
    "driverIngressOptions",
    "dynamicAllocation",
    "kerberos",
    "suspend",
];

const POD_FIELDS: &[&str] = &[
    "template",
    "cores",
    "coreLimit",
    "memory",
    "memoryOverhead",
    "gpu",
    "image",
    "configMaps",
    "secrets",
    "env",
    "envVars",
    "envFrom",
    "envSecretKeyRefs",
    "labels",
    "annotations",
    "volumeMounts",
    "affinity",
    "tolerations",
    "podSecurityContext",
    "securityContext",
    "schedulerName",
    "sidecars",
    "initContainers",
    "hostNetwork",
    "nodeSelector",
    "dnsConfig",
    "terminationGracePeriodSeconds",
    "serviceAccount",
    "hostAliases",
    "shareProcessNamespace",
    "runtimeClassName",
    "coreRequest",
    "javaOptions",
    "lifecycle",
    "ports",
    "priorityClassName",
];
const DRIVER_ONLY: &[&str] = &[
    "podName",
    "kubernetesMaster",
    "serviceAnnotations",
    "serviceLabels",
];
const EXECUTOR_ONLY: &[&str] = &["instances", "deleteOnTermination"];

/// The volume-name prefix Spark reserves for local directories; the operator passes these
/// volumes as Spark properties and every other volume through its webhook.
pub const LOCAL_DIR_PREFIX: &str = "spark-local-dir-";

/// Accumulates spark-submit options in the operator's order.
struct Args {
    opts: SubmitOptions,
}

impl Args {
    fn conf(&mut self, key: impl std::fmt::Display, value: impl std::fmt::Display) {
        self.opts.confs.push(format!("{key}={value}"));
    }
}

/// Translates a Kubeflow document (`scheduled`: a ScheduledSparkApplication, whose
/// `spec.template` is run once now, named `<name>-<unix nanos>` as its controller names runs).
pub fn translate(
    root: &Obj<'_>,
    label: String,
    scheduled: bool,
    now_nanos: i128,
) -> Result<Translated> {
    root.deny_unknown(&["apiVersion", "kind", "metadata", "spec", "status"])?;
    let meta = metadata(root)?;
    let mut warnings = Vec::new();
    let Some(spec_val) = root.get("spec") else {
        return Err(root.at().error(
            "missing required field `spec`",
            "add the application's `spec:`",
        ));
    };
    let spec_outer = spec_val.obj("spec")?;
    let (name, spec_path) = if scheduled {
        spec_outer.deny_unknown(&[
            "schedule",
            "timeZone",
            "template",
            "suspend",
            "concurrencyPolicy",
            "successfulRunHistoryLimit",
            "failedRunHistoryLimit",
        ])?;
        for (key, _) in spec_outer.keys() {
            if key == "suspend" && spec_outer.bool("suspend")? != Some(true) {
                continue;
            }
            if key != "template" {
                let at = spec_outer.get(key).map(|v| v.at.describe());
                if let Some(at) = at {
                    warnings.push(format!(
                        "{at}: not emulated: the template runs once, now; to run it on a \
                         schedule, run `kubectl spark submit -f` from a Kubernetes CronJob or \
                         your CI scheduler"
                    ));
                }
            }
        }
        (
            format!("{}-{now_nanos}", meta.name),
            "spec.template".to_string(),
        )
    } else {
        (meta.name.clone(), "spec".to_string())
    };
    let spec = if scheduled {
        match spec_outer.get("template") {
            Some(v) => v.obj(&spec_path)?,
            None => {
                return Err(spec_outer.at().error(
                    "missing required field `spec.template`",
                    "a ScheduledSparkApplication needs the SparkApplication spec under `template:`",
                ));
            }
        }
    } else {
        spec_outer
    };
    // `spec` borrows `spec_path` when scheduled; keep it alive to the end.
    let _ = &spec_path;
    translate_spec(&spec, label, name, meta, warnings, scheduled)
}

fn translate_spec(
    spec: &Obj<'_>,
    label: String,
    name: String,
    meta: super::Metadata,
    mut warnings: Vec<String>,
    scheduled: bool,
) -> Result<Translated> {
    spec.deny_unknown(SPEC_FIELDS)?;
    let restart = controller_warnings(spec, &mut warnings)?;
    if let Some(v) = spec.get("type") {
        let t = v.str()?;
        if !["Java", "Scala", "Python", "R"].contains(&t.as_str()) {
            return Err(v.at.error(
                format!("unsupported value `{t}`"),
                "use one of Java, Scala, Python, R",
            ));
        }
    }
    if let Some(v) = spec.get("mode") {
        let mode = v.str()?;
        if mode != "cluster" {
            return Err(v.at.error(
                format!("mode `{mode}` is not supported"),
                "kubectl-spark submits in cluster mode only: use `mode: cluster` (or leave it out)",
            ));
        }
    }
    let spark_version = spec.str("sparkVersion")?;
    let mut a = Args {
        opts: SubmitOptions::default(),
    };
    if let Some(class) = spec.str("mainClass")? {
        a.opts.class = Some(class);
    }
    a.opts.name = Some(name.clone());
    with_obj(spec, "deps", |deps| {
        let Some(deps) = deps else { return Ok(()) };
        deps.deny_unknown(&[
            "jars",
            "files",
            "pyFiles",
            "packages",
            "excludePackages",
            "repositories",
            "archives",
        ])?;
        let join = |key: &str| -> Result<Option<String>> {
            let list = deps.str_list(key)?;
            Ok((!list.is_empty()).then(|| list.join(",")))
        };
        a.opts.jars = join("jars")?;
        a.opts.packages = join("packages")?;
        a.opts.exclude_packages = join("excludePackages")?;
        a.opts.repositories = join("repositories")?;
        a.opts.py_files = join("pyFiles")?;
        a.opts.files = join("files")?;
        a.opts.archives = join("archives")?;
        Ok(())
    })?;
    if let Some(ns) = &meta.namespace {
        a.conf("spark.kubernetes.namespace", ns);
    }
    let image = spec.str("image")?.filter(|s| !s.is_empty());
    if let Some(image) = &image {
        a.conf("spark.kubernetes.container.image", image);
    }
    if let Some(p) = spec.str("imagePullPolicy")?.filter(|s| !s.is_empty()) {
        a.conf("spark.kubernetes.container.image.pullPolicy", p);
    }
    let secrets = spec.str_list("imagePullSecrets")?;
    if !secrets.is_empty() {
        a.conf(
            "spark.kubernetes.container.image.pullSecrets",
            secrets.join(","),
        );
    }
    if let Some(v) = spec.str("pythonVersion")?.filter(|s| !s.is_empty()) {
        a.conf("spark.kubernetes.pyspark.pythonVersion", v);
    }
    if let Some(v) = spec.str("memoryOverheadFactor")?.filter(|s| !s.is_empty()) {
        a.conf("spark.kubernetes.memoryOverheadFactor", v);
    }
    let spark_conf = spec.str_map("sparkConf")?;
    for (k, v) in &spark_conf {
        a.conf(k, v);
    }
    for (k, v) in spec.str_map("hadoopConf")? {
        a.conf(format!("spark.hadoop.{k}"), v);
    }
    let conf_has = |key: &str| spark_conf.iter().any(|(k, _)| k == key);
    if image.is_none() && !conf_has("spark.kubernetes.container.image") {
        let driver_image = spec
            .get("driver")
            .and_then(|d| d.obj("spec.driver").ok()?.str("image").ok()?);
        let executor_image = spec
            .get("executor")
            .and_then(|d| d.obj("spec.executor").ok()?.str("image").ok()?);
        if driver_image.is_none() || executor_image.is_none() {
            return Err(spec.at().error(
                format!("missing required field `{}.image`", spec.path()),
                "add `image:` (e.g. apache/spark:4.0.1), or both driver.image and executor.image",
            ));
        }
    }
    let volumes: Vec<Volume> = spec.k8s_list("volumes", "Volume")?;
    let spec_node_selector = spec.str_map("nodeSelector")?;

    let mut driver = RoleTemplate::default();
    let mut executor = RoleTemplate::default();
    let Some(driver_val) = spec.get("driver") else {
        return Err(spec.at().error(
            format!("missing required field `{}.driver`", spec.path()),
            "add `driver:` (e.g. with cores, memory, serviceAccount)",
        ));
    };
    let driver_path = driver_val.at.path.clone();
    let d = driver_val.obj(&driver_path)?;
    let executor_val = spec.get("executor");
    let executor_path = executor_val
        .as_ref()
        .map(|v| v.at.path.clone())
        .unwrap_or_default();
    let e = executor_val
        .as_ref()
        .map(|v| v.obj(&executor_path))
        .transpose()?;

    // driverPodTemplateOption
    d.deny_unknown(&[POD_FIELDS, DRIVER_ONLY].concat())?;
    driver.inline = pod_template(&d)?;
    // driverPodNameOption: only when the manifest names the pod (see the module comment).
    if let Some(pod_name) = d.str("podName")? {
        a.conf("spark.kubernetes.driver.pod.name", pod_name);
    }
    // driverConfOption
    let driver_image = d.str("image")?.filter(|s| !s.is_empty()).or(image.clone());
    if let Some(i) = &driver_image {
        a.conf("spark.kubernetes.driver.container.image", i);
    }
    if let Some(c) = d.int("cores")? {
        a.conf("spark.driver.cores", c);
    }
    for (field, key) in [
        ("coreRequest", "spark.kubernetes.driver.request.cores"),
        ("coreLimit", "spark.kubernetes.driver.limit.cores"),
        ("memory", "spark.driver.memory"),
        ("memoryOverhead", "spark.driver.memoryOverhead"),
        (
            "serviceAccount",
            "spark.kubernetes.authenticate.driver.serviceAccountName",
        ),
        ("javaOptions", "spark.driver.extraJavaOptions"),
        ("kubernetesMaster", "spark.kubernetes.driver.master"),
    ] {
        if let Some(v) = d.str(field)? {
            a.conf(key, v);
        }
    }
    for (k, v) in &meta.labels {
        a.conf(format!("spark.kubernetes.driver.label.{k}"), v);
    }
    role_maps(&mut a, &d, "driver")?;
    for (k, v) in d.str_map("serviceLabels")? {
        a.conf(format!("spark.kubernetes.driver.service.label.{k}"), v);
    }
    for (k, v) in d.str_map("serviceAnnotations")? {
        a.conf(format!("spark.kubernetes.driver.service.annotation.{k}"), v);
    }
    env_secret_key_refs(&mut a, &d, "spark.kubernetes.driver.secretKeyRef.")?;
    // driverEnvOption
    for (k, v) in d.str_map("envVars")? {
        a.conf(format!("spark.kubernetes.driverEnv.{k}"), v);
    }
    // driverSecretOption
    secrets_option(&mut a, &d, "driver", "spark.kubernetes.driverEnv.")?;
    // driverVolumeMountsOption
    local_dir_mounts(&mut a, &d, &volumes, "driver")?;

    // executorPodTemplateOption, executorConfOption
    if let Some(e) = &e {
        e.deny_unknown(&[POD_FIELDS, EXECUTOR_ONLY].concat())?;
        executor.inline = pod_template(e)?;
        if let Some(n) = e.int("instances")? {
            a.conf("spark.executor.instances", n);
        }
    }
    let executor_image = match &e {
        Some(e) => e.str("image")?.filter(|s| !s.is_empty()).or(image.clone()),
        None => image.clone(),
    };
    if let Some(i) = &executor_image {
        a.conf("spark.kubernetes.executor.container.image", i);
    }
    if let Some(e) = &e {
        if let Some(c) = e.int("cores")? {
            a.conf("spark.executor.cores", c);
        }
        for (field, key) in [
            ("coreRequest", "spark.kubernetes.executor.request.cores"),
            ("coreLimit", "spark.kubernetes.executor.limit.cores"),
            ("memory", "spark.executor.memory"),
            ("memoryOverhead", "spark.executor.memoryOverhead"),
            (
                "serviceAccount",
                "spark.kubernetes.authenticate.executor.serviceAccountName",
            ),
        ] {
            if let Some(v) = e.str(field)? {
                a.conf(key, v);
            }
        }
        if let Some(b) = e.bool("deleteOnTermination")? {
            a.conf("spark.kubernetes.executor.deleteOnTermination", b);
        }
    }
    for (k, v) in &meta.labels {
        a.conf(format!("spark.kubernetes.executor.label.{k}"), v);
    }
    if let Some(e) = &e {
        role_maps(&mut a, e, "executor")?;
        env_secret_key_refs(&mut a, e, "spark.kubernetes.executor.secretKeyRef.")?;
        if let Some(v) = e.str("javaOptions")? {
            a.conf("spark.executor.extraJavaOptions", v);
        }
        // executorEnvOption, executorSecretOption, executorVolumeMountsOption
        for (k, v) in e.str_map("envVars")? {
            a.conf(format!("spark.executorEnv.{k}"), v);
        }
        secrets_option(&mut a, e, "executor", "spark.executorEnv.")?;
        local_dir_mounts(&mut a, e, &volumes, "executor")?;
    }
    // nodeSelectorOption
    for (k, v) in &spec_node_selector {
        a.conf(format!("spark.kubernetes.node.selector.{k}"), v);
    }
    dynamic_allocation(&mut a, spec)?;
    if let Some(u) = spec.str("proxyUser")?.filter(|s| !s.is_empty()) {
        a.opts.proxy_user = Some(u);
    }
    a.opts.primary_resource = Some(spec.required_str("mainApplicationFile")?);
    a.opts.app_args = spec.str_list("arguments")?;

    // What the webhook would patch in.
    let spark_cm = spec.str("sparkConfigMap")?;
    if let Some(v) = spec.get("sparkConfigMap") {
        warnings.push(format!(
            "{}: mounted at /etc/spark/conf with SPARK_CONF_DIR, as the operator's webhook does, \
             but Spark's own SPARK_CONF_DIR=/opt/spark/conf follows it in the container and \
             wins; to ship log4j2.properties and other conf files, put them in the submitter's \
             SPARK_CONF_DIR (kubectl-spark sends them to the driver like spark-submit)",
            v.at.describe()
        ));
    }
    let hadoop_cm = spec.str("hadoopConfigMap")?;
    driver.overlay = webhook_overlay(
        &d,
        spec,
        &volumes,
        spark_cm.as_deref(),
        hadoop_cm.as_deref(),
    )?;
    if let Some(e) = &e {
        executor.overlay =
            webhook_overlay(e, spec, &volumes, spark_cm.as_deref(), hadoop_cm.as_deref())?;
    } else {
        executor.overlay =
            webhook_overlay_spec_only(spec, spark_cm.as_deref(), hadoop_cm.as_deref());
    }
    let mounted: Vec<String> = [Some(&d), e.as_ref()]
        .into_iter()
        .flatten()
        .flat_map(|o| {
            o.k8s_list::<VolumeMount>("volumeMounts", "VolumeMount")
                .unwrap_or_default()
        })
        .map(|m| m.name)
        .collect();
    for v in &volumes {
        if !mounted.contains(&v.name) {
            warnings.push(format!(
                "{}.volumes: volume `{}` is mounted by neither driver.volumeMounts nor \
                 executor.volumeMounts: ignored, as by the operator",
                spec.path(),
                v.name
            ));
        }
    }
    Ok(Translated {
        label,
        flavor: if scheduled {
            Flavor::KubeflowScheduled
        } else {
            Flavor::Kubeflow
        },
        name,
        namespace: meta.namespace,
        spark_version,
        options: a.opts,
        driver,
        executor,
        warnings,
        restart,
    })
}

/// `spec.<role>.template`: a PodTemplateSpec (metadata + spec) → a Pod.
fn pod_template(o: &Obj<'_>) -> Result<Option<k8s_openapi::api::core::v1::Pod>> {
    let Some(v) = o.get("template") else {
        return Ok(None);
    };
    let t: k8s_openapi::api::core::v1::PodTemplateSpec = v.k8s("PodTemplateSpec")?;
    Ok(Some(k8s_openapi::api::core::v1::Pod {
        metadata: t.metadata.unwrap_or_default(),
        spec: Some(t.spec.unwrap_or_default()),
        status: None,
    }))
}

fn role_maps(a: &mut Args, o: &Obj<'_>, role: &str) -> Result<()> {
    for (k, v) in o.str_map("labels")? {
        a.conf(format!("spark.kubernetes.{role}.label.{k}"), v);
    }
    for (k, v) in o.str_map("annotations")? {
        a.conf(format!("spark.kubernetes.{role}.annotation.{k}"), v);
    }
    Ok(())
}

fn env_secret_key_refs(a: &mut Args, o: &Obj<'_>, prefix: &str) -> Result<()> {
    let Some(refs) = o.get("envSecretKeyRefs") else {
        return Ok(());
    };
    let path = refs.at.path.clone();
    let refs = refs.obj(&path)?;
    for (env, _) in refs.keys().collect::<Vec<_>>() {
        let v = refs.get(env).expect("key listed");
        let p = v.at.path.clone();
        let r = v.obj(&p)?;
        r.deny_unknown(&["name", "key"])?;
        a.conf(
            format!("{prefix}{env}"),
            format!("{}:{}", r.required_str("name")?, r.required_str("key")?),
        );
    }
    Ok(())
}

fn secrets_option(a: &mut Args, o: &Obj<'_>, role: &str, env_prefix: &str) -> Result<()> {
    let Some(list) = o.get("secrets") else {
        return Ok(());
    };
    for item in list.items()? {
        let p = item.at.path.clone();
        let s = item.obj(&p)?;
        s.deny_unknown(&["name", "path", "secretType"])?;
        let name = s.required_str("name")?;
        let path = s.required_str("path")?;
        a.conf(format!("spark.kubernetes.{role}.secrets.{name}"), &path);
        let file = |f: &str| format!("{}/{f}", path.trim_end_matches('/'));
        match s.str("secretType")?.as_deref() {
            Some("GCPServiceAccount") => a.conf(
                format!("{env_prefix}GOOGLE_APPLICATION_CREDENTIALS"),
                file("key.json"),
            ),
            Some("HadoopDelegationToken") => a.conf(
                format!("{env_prefix}HADOOP_TOKEN_FILE_LOCATION"),
                file("hadoop.token"),
            ),
            Some("Generic") | None => {}
            Some(other) => {
                let at = s.get("secretType").expect("present").at;
                return Err(at.error(
                    format!("unsupported secretType `{other}`"),
                    "use GCPServiceAccount, HadoopDelegationToken or Generic",
                ));
            }
        }
    }
    Ok(())
}

/// `spark-local-dir-*` volumes are passed as Spark volume properties (driverVolumeMountsOption).
fn local_dir_mounts(a: &mut Args, o: &Obj<'_>, volumes: &[Volume], role: &str) -> Result<()> {
    let mounts: Vec<VolumeMount> = o.k8s_list("volumeMounts", "VolumeMount")?;
    for m in mounts
        .iter()
        .filter(|m| m.name.starts_with(LOCAL_DIR_PREFIX))
    {
        let Some(v) = volumes.iter().find(|v| v.name == m.name) else {
            return Err(o.at().error(
                format!("volumeMounts: volume {} not found in spec.volumes", m.name),
                "declare the volume under spec.volumes",
            ));
        };
        let (kind, options): (&str, Vec<(&str, String)>) = if let Some(e) = &v.empty_dir {
            (
                "emptyDir",
                e.size_limit
                    .iter()
                    .map(|q| ("sizeLimit", q.0.clone()))
                    .collect(),
            )
        } else if let Some(h) = &v.host_path {
            let mut opts = vec![("path", h.path.clone())];
            if let Some(t) = &h.type_ {
                opts.push(("type", t.clone()));
            }
            ("hostPath", opts)
        } else if let Some(n) = &v.nfs {
            let mut opts = vec![("path", n.path.clone()), ("server", n.server.clone())];
            if n.read_only == Some(true) {
                opts.push(("readOnly", "true".into()));
            }
            ("nfs", opts)
        } else if let Some(p) = &v.persistent_volume_claim {
            let mut opts = vec![("claimName", p.claim_name.clone())];
            if p.read_only == Some(true) {
                opts.push(("readOnly", "true".into()));
            }
            ("persistentVolumeClaim", opts)
        } else {
            return Err(o.at().error(
                format!(
                    "volume {}: unsupported volume type for a local directory",
                    m.name
                ),
                "use emptyDir, hostPath, nfs or persistentVolumeClaim",
            ));
        };
        let base = format!("spark.kubernetes.{role}.volumes.{kind}.{}", m.name);
        if !m.mount_path.is_empty() {
            a.conf(format!("{base}.mount.path"), &m.mount_path);
        }
        if let Some(sub) = m.sub_path.as_ref().filter(|s| !s.is_empty()) {
            a.conf(format!("{base}.mount.subPath"), sub);
        }
        if m.read_only == Some(true) {
            a.conf(format!("{base}.mount.readOnly"), "true");
        }
        for (k, v) in options {
            a.conf(format!("{base}.options.{k}"), v);
        }
    }
    Ok(())
}

fn dynamic_allocation(a: &mut Args, spec: &Obj<'_>) -> Result<()> {
    with_obj(spec, "dynamicAllocation", |da| {
        let Some(da) = da else { return Ok(()) };
        da.deny_unknown(&[
            "enabled",
            "initialExecutors",
            "minExecutors",
            "maxExecutors",
            "shuffleTrackingEnabled",
            "shuffleTrackingTimeout",
        ])?;
        if da.bool("enabled")? != Some(true) {
            return Ok(());
        }
        a.conf("spark.dynamicAllocation.enabled", "true");
        for (field, key) in [
            (
                "initialExecutors",
                "spark.dynamicAllocation.initialExecutors",
            ),
            ("minExecutors", "spark.dynamicAllocation.minExecutors"),
            ("maxExecutors", "spark.dynamicAllocation.maxExecutors"),
        ] {
            if let Some(n) = da.int(field)? {
                a.conf(key, n);
            }
        }
        a.conf(
            "spark.dynamicAllocation.shuffleTracking.enabled",
            da.bool("shuffleTrackingEnabled")?.unwrap_or(true),
        );
        if let Some(n) = da.int("shuffleTrackingTimeout")? {
            a.conf("spark.dynamicAllocation.shuffleTracking.timeout", n);
        }
        Ok(())
    })
}

/// Warnings for what only the operator's controller does; returns the `restartPolicy`, which
/// `submit -f` honours while it waits ([`RetryPolicy`]).
fn controller_warnings(spec: &Obj<'_>, warnings: &mut Vec<String>) -> Result<RetryPolicy> {
    let mut restart = RetryPolicy::default();
    const RERUN: &str = "nothing restarts or retries the application without an operator; \
                         rerun `kubectl spark submit -f` (its exit code says whether the driver \
                         failed), e.g. from a Kubernetes Job with a backoffLimit or your CI";
    if let Some(rp) = spec.get("restartPolicy") {
        let p = rp.at.path.clone();
        let o = rp.obj(&p)?;
        o.deny_unknown(&[
            "type",
            "onSubmissionFailureRetries",
            "onFailureRetries",
            "onSubmissionFailureRetryInterval",
            "onFailureRetryInterval",
        ])?;
        let ty = o.str("type")?;
        let seconds = |key: &str| -> Result<std::time::Duration> {
            Ok(match o.int(key)? {
                Some(s) if s >= 0 => std::time::Duration::from_secs(s as u64),
                Some(_) => {
                    return Err(o.at().error(
                        format!("{key} must not be negative"),
                        "give the pause between attempts in seconds",
                    ));
                }
                None => crate::submit::retry::DEFAULT_INTERVAL,
            })
        };
        let count = |key: &str| -> Result<u32> {
            Ok(o.int(key)?.unwrap_or(0).clamp(0, i64::from(u32::MAX)) as u32)
        };
        match ty.as_deref() {
            Some("OnFailure" | "Always") => {
                restart = RetryPolicy {
                    on_failure: count("onFailureRetries")?,
                    on_failure_interval: seconds("onFailureRetryInterval")?,
                    on_submission_failure: count("onSubmissionFailureRetries")?,
                    on_submission_failure_interval: seconds("onSubmissionFailureRetryInterval")?,
                };
                if ty.as_deref() == Some("Always") {
                    warnings.push(format!(
                        "{}: Always also restarts a succeeded application under the operator; \
                         `submit -f` retries failures only (onFailureRetries, \
                         onSubmissionFailureRetries) and stops at success",
                        rp.at.describe()
                    ));
                }
            }
            Some("Never") | None if !o.keys().any(|(k, _)| k != "type") => {}
            _ => warnings.push(format!("{}: not emulated: {RERUN}", rp.at.describe())),
        }
    }
    let advice: &[(&str, &str)] = &[
        ("failureRetries", RERUN),
        ("retryInterval", RERUN),
        (
            "timeToLiveSeconds",
            "nothing deletes the finished application after a delay; run `kubectl spark \
             cleanup --older-than <duration>` (e.g. from a CronJob)",
        ),
        (
            "monitoring",
            "no Prometheus JMX exporter is added; Spark's own PrometheusServlet works through \
             sparkConf (spark.ui.prometheus.enabled=true, spark.metrics.conf.*)",
        ),
        (
            "sparkUIOptions",
            "no UI Service or Ingress is created; open the UI with `kubectl spark ui <app>`",
        ),
        (
            "driverIngressOptions",
            "no Service or Ingress is created; reach driver ports with `kubectl spark ui <app>` \
             or `kubectl port-forward`",
        ),
        (
            "batchScheduler",
            "no PodGroup is created; use Spark's own support (spark.kubernetes.scheduler.name, \
             spark.kubernetes.scheduler.volcano.podGroupTemplateFile) in sparkConf",
        ),
        (
            "batchSchedulerOptions",
            "no PodGroup is created; use Spark's own support (spark.kubernetes.scheduler.name, \
             spark.kubernetes.scheduler.volcano.podGroupTemplateFile) in sparkConf",
        ),
        (
            "suspend",
            "the application is submitted now; leave it out of the manifest, or do not run it",
        ),
        (
            "kerberos",
            "not translated; set spark.kerberos.principal, spark.kerberos.keytab and \
             spark.kubernetes.kerberos.* in sparkConf",
        ),
    ];
    for (field, what) in advice {
        if let Some(v) = spec.get(field) {
            if *field == "suspend" && !v.bool()? {
                continue;
            }
            warnings.push(format!("{}: not emulated: {what}", v.at.describe()));
        }
    }
    Ok(restart)
}

fn env_var(name: &str, value: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        ..EnvVar::default()
    }
}

fn config_map_volume(o: &mut Overlay, cm: &str, volume: &str, path: &str) {
    o.pod.volumes.get_or_insert_with(Vec::new).push(Volume {
        name: volume.into(),
        config_map: Some(ConfigMapVolumeSource {
            name: cm.into(),
            ..ConfigMapVolumeSource::default()
        }),
        ..Volume::default()
    });
    o.container
        .volume_mounts
        .get_or_insert_with(Vec::new)
        .push(VolumeMount {
            name: volume.into(),
            mount_path: path.into(),
            read_only: Some(true),
            ..VolumeMount::default()
        });
}

/// Only spec-level fields (sparkConfigMap, hadoopConfigMap) apply to executors without an
/// `executor:` section.
fn webhook_overlay_spec_only(
    spec: &Obj<'_>,
    spark_cm: Option<&str>,
    hadoop_cm: Option<&str>,
) -> Overlay {
    let mut o = Overlay::default();
    conf_maps(&mut o, spec, spark_cm, hadoop_cm);
    o
}

fn conf_maps(o: &mut Overlay, spec: &Obj<'_>, spark_cm: Option<&str>, hadoop_cm: Option<&str>) {
    // The webhook's order: hadoopConfigMap, then sparkConfigMap.
    if let Some(cm) = hadoop_cm {
        config_map_volume(o, cm, "hadoop-configmap-volume", "/etc/hadoop/conf");
        o.container
            .env
            .get_or_insert_with(Vec::new)
            .push(env_var("HADOOP_CONF_DIR", "/etc/hadoop/conf"));
        o.note(format!("{}.hadoopConfigMap", spec.path()));
    }
    if let Some(cm) = spark_cm {
        config_map_volume(o, cm, "spark-configmap-volume", "/etc/spark/conf");
        o.container
            .env
            .get_or_insert_with(Vec::new)
            .push(env_var("SPARK_CONF_DIR", "/etc/spark/conf"));
        o.note(format!("{}.sparkConfigMap", spec.path()));
    }
}

/// What the webhook patches into a role's pod, in its order (`mutateSparkPod`).
fn webhook_overlay(
    r: &Obj<'_>,
    spec: &Obj<'_>,
    volumes: &[Volume],
    spark_cm: Option<&str>,
    hadoop_cm: Option<&str>,
) -> Result<Overlay> {
    let mut o = Overlay::default();
    let note = |o: &mut Overlay, field: &str| o.note(format!("{}.{field}", r.path()));
    // addEnvVars, addEnvFrom
    let env: Vec<EnvVar> = r.k8s_list("env", "EnvVar")?;
    if !env.is_empty() {
        o.container.env = Some(env);
        note(&mut o, "env");
    }
    let env_from = r.k8s_list("envFrom", "EnvFromSource")?;
    if !env_from.is_empty() {
        o.container.env_from = Some(env_from);
        note(&mut o, "envFrom");
    }
    conf_maps(&mut o, spec, spark_cm, hadoop_cm);
    // addGeneralConfigMaps
    if let Some(list) = r.get("configMaps") {
        for item in list.items()? {
            let p = item.at.path.clone();
            let cm = item.obj(&p)?;
            cm.deny_unknown(&["name", "path"])?;
            let name = cm.required_str("name")?;
            let mut volume = format!("{name}-vol");
            volume.truncate(63);
            config_map_volume(&mut o, &name, &volume, &cm.required_str("path")?);
        }
        note(&mut o, "configMaps");
    }
    // addVolumes: each mounted volume once, then its mounts (local dirs go through Spark).
    let mounts: Vec<VolumeMount> = r.k8s_list("volumeMounts", "VolumeMount")?;
    let mut added: Vec<String> = Vec::new();
    for m in mounts
        .iter()
        .filter(|m| !m.name.starts_with(LOCAL_DIR_PREFIX))
    {
        let Some(v) = volumes.iter().find(|v| v.name == m.name) else {
            let at = r.get("volumeMounts").expect("present").at;
            return Err(at.error(
                format!("volume `{}` is not declared in spec.volumes", m.name),
                "add it under spec.volumes, or fix the mount's name",
            ));
        };
        if !added.contains(&m.name) {
            o.pod.volumes.get_or_insert_with(Vec::new).push(v.clone());
            added.push(m.name.clone());
        }
        o.container
            .volume_mounts
            .get_or_insert_with(Vec::new)
            .push(m.clone());
    }
    if !added.is_empty() {
        note(&mut o, "volumeMounts");
    }
    // addContainerPorts
    if let Some(list) = r.get("ports") {
        let mut ports = Vec::new();
        for item in list.items()? {
            let p = item.at.path.clone();
            let port = item.obj(&p)?;
            port.deny_unknown(&["name", "protocol", "containerPort"])?;
            let number = port.int("containerPort")?.unwrap_or_default();
            ports.push(ContainerPort {
                name: port.str("name")?,
                protocol: port.str("protocol")?,
                container_port: i32::try_from(number).unwrap_or_default(),
                ..ContainerPort::default()
            });
        }
        o.container.ports = Some(ports);
        note(&mut o, "ports");
    }
    set(r, "hostNetwork", &mut o, |v, o| {
        o.pod.host_network = Some(v.bool()?);
        Ok(())
    })?;
    set(r, "hostAliases", &mut o, |v, o| {
        o.pod.host_aliases = Some(v.k8s("list of HostAlias")?);
        Ok(())
    })?;
    set(r, "initContainers", &mut o, |v, o| {
        o.pod.init_containers = Some(v.k8s("list of Container")?);
        Ok(())
    })?;
    set(r, "sidecars", &mut o, |v, o| {
        o.pod.containers = v.k8s("list of Container")?;
        Ok(())
    })?;
    set(r, "dnsConfig", &mut o, |v, o| {
        o.pod.dns_config = Some(v.k8s("PodDNSConfig")?);
        Ok(())
    })?;
    set(r, "priorityClassName", &mut o, |v, o| {
        o.pod.priority_class_name = Some(v.str()?);
        Ok(())
    })?;
    set(r, "schedulerName", &mut o, |v, o| {
        o.pod.scheduler_name = Some(v.str()?);
        Ok(())
    })?;
    set(r, "nodeSelector", &mut o, |v, o| {
        o.pod.node_selector = Some(v.str_map()?.into_iter().collect());
        Ok(())
    })?;
    set(r, "affinity", &mut o, |v, o| {
        o.pod.affinity = Some(v.k8s("Affinity")?);
        Ok(())
    })?;
    set(r, "tolerations", &mut o, |v, o| {
        o.pod.tolerations = Some(v.k8s("list of Toleration")?);
        Ok(())
    })?;
    set(r, "gpu", &mut o, |v, o| {
        let p = v.at.path.clone();
        let g = v.obj(&p)?;
        g.deny_unknown(&["name", "quantity"])?;
        let name = g.required_str("name")?;
        let quantity = g.int("quantity")?.unwrap_or_default();
        if quantity > 0 {
            o.container.resources = Some(ResourceRequirements {
                limits: Some([(name, Quantity(quantity.to_string()))].into()),
                ..ResourceRequirements::default()
            });
        }
        Ok(())
    })?;
    set(r, "securityContext", &mut o, |v, o| {
        o.container.security_context = Some(v.k8s("SecurityContext")?);
        Ok(())
    })?;
    set(r, "podSecurityContext", &mut o, |v, o| {
        o.pod.security_context = Some(v.k8s("PodSecurityContext")?);
        Ok(())
    })?;
    set(r, "terminationGracePeriodSeconds", &mut o, |v, o| {
        o.pod.termination_grace_period_seconds = Some(v.int()?);
        Ok(())
    })?;
    set(r, "lifecycle", &mut o, |v, o| {
        o.container.lifecycle = Some(v.k8s("Lifecycle")?);
        Ok(())
    })?;
    set(r, "shareProcessNamespace", &mut o, |v, o| {
        o.pod.share_process_namespace = Some(v.bool()?);
        Ok(())
    })?;
    set(r, "runtimeClassName", &mut o, |v, o| {
        o.pod.runtime_class_name = Some(v.str()?);
        Ok(())
    })?;
    Ok(o)
}

/// Applies `f` to the field if present and records it as a template field.
fn set(
    r: &Obj<'_>,
    field: &str,
    o: &mut Overlay,
    f: impl FnOnce(&Val<'_>, &mut Overlay) -> Result<()>,
) -> Result<()> {
    if let Some(v) = r.get(field) {
        f(&v, o)?;
        o.note(v.at.path.clone());
    }
    Ok(())
}
