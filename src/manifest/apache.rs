//! Apache's `spark.apache.org/v1` (and `v1beta1`) `SparkApplication` → spark-submit options,
//! as its `SparkAppSubmissionWorker.buildDriverConf` builds the driver: `sparkConf` as given,
//! the namespace from `metadata.namespace`, `jars` (else `pyFiles`, else `sparkRFiles`) as the
//! primary resource, `mainClass`, `driverArgs`, `proxyUser`, and `driverSpec` /
//! `executorSpec.podTemplateSpec` as the pod templates (the operator writes them to
//! `spark.kubernetes.{driver,executor}.podTemplateFile` unless `sparkConf` names one).
//!
//! Differences, on purpose: a comma-separated `jars`/`pyFiles` uses its first entry as the
//! primary resource and the rest as `--jars`/`--py-files` (the operator would hand the whole
//! list to Spark as one path); `files` becomes `--files`; the application id and resource names
//! are drawn per run as spark-submit does (the operator derives `<name>-<attempt>`), so the
//! same manifest can be submitted again.

use super::yaml::{Obj, with_obj};
use super::{Flavor, RoleTemplate, Translated, metadata};
use crate::conf::split_list;
use crate::conf::submit_args::SubmitOptions;
use crate::error::Result;
use crate::submit::retry::RetryPolicy;

/// Translates an Apache operator document.
pub fn translate(root: &Obj<'_>, label: String) -> Result<Translated> {
    root.deny_unknown(&["apiVersion", "kind", "metadata", "spec", "status"])?;
    let meta = metadata(root)?;
    let Some(spec) = root.get("spec") else {
        return Err(root.at().error(
            "missing required field `spec`",
            "add the application's `spec:`",
        ));
    };
    let spec = spec.obj("spec")?;
    spec.deny_unknown(&[
        "mainClass",
        "runtimeVersions",
        "jars",
        "pyFiles",
        "sparkRFiles",
        "files",
        "deploymentMode",
        "proxyUser",
        "driverArgs",
        "applicationTolerations",
        "driverSpec",
        "executorSpec",
        "driverServiceIngressList",
        "configMapSpecs",
        "sparkConf",
    ])?;
    let mut warnings = Vec::new();
    if let Some(v) = spec.get("deploymentMode") {
        let mode = v.str()?;
        if mode != "ClusterMode" {
            return Err(v.at.error(
                format!("deploymentMode `{mode}` is not supported"),
                "kubectl-spark submits in cluster mode only: use ClusterMode (or leave it out)",
            ));
        }
    }
    let spark_version = with_obj(&spec, "runtimeVersions", |rv| {
        let Some(rv) = rv else { return Ok(None) };
        rv.deny_unknown(&["sparkVersion", "scalaVersion", "jdkVersion"])?;
        rv.str("sparkVersion")
    })?;
    let mut opts = SubmitOptions {
        name: Some(meta.name.clone()),
        class: spec.str("mainClass")?,
        ..SubmitOptions::default()
    };
    for (k, v) in spec.str_map("sparkConf")? {
        opts.confs.push(format!("{k}={v}"));
    }
    if let Some(ns) = &meta.namespace {
        opts.confs.push(format!("spark.kubernetes.namespace={ns}"));
    }
    let jars = spec
        .str("jars")?
        .map(|s| split_list(&s))
        .unwrap_or_default();
    let py = spec
        .str("pyFiles")?
        .map(|s| split_list(&s))
        .unwrap_or_default();
    let r = spec
        .str("sparkRFiles")?
        .map(|s| split_list(&s))
        .unwrap_or_default();
    if let Some((first, rest)) = jars.split_first() {
        opts.primary_resource = Some(first.clone());
        opts.jars = (!rest.is_empty()).then(|| rest.join(","));
        if !py.is_empty() {
            opts.py_files = Some(py.join(","));
        }
    } else if let Some((first, rest)) = py.split_first() {
        opts.primary_resource = Some(first.clone());
        opts.py_files = (!rest.is_empty()).then(|| rest.join(","));
    } else if let Some(first) = r.first() {
        opts.primary_resource = Some(first.clone());
    } else if opts.class.is_none() {
        return Err(spec.at().error(
            "none of spec.jars, spec.pyFiles, spec.sparkRFiles or spec.mainClass is given",
            "name the application: spec.jars (with spec.mainClass), spec.pyFiles or spec.sparkRFiles",
        ));
    }
    opts.files = spec.str("files")?.filter(|s| !s.is_empty());
    opts.proxy_user = spec.str("proxyUser")?.filter(|s| !s.is_empty());
    opts.app_args = spec.str_list("driverArgs")?;
    let has_image = opts.confs.iter().any(|c| {
        c.starts_with("spark.kubernetes.container.image=")
            || c.starts_with("spark.kubernetes.driver.container.image=")
    });
    if !has_image {
        return Err(spec.at().error(
            "missing required field `spec.sparkConf.spark.kubernetes.container.image`",
            "add `spark.kubernetes.container.image: apache/spark:<version>` under spec.sparkConf",
        ));
    }
    let mut driver = RoleTemplate::default();
    let mut executor = RoleTemplate::default();
    for (field, slot) in [("driverSpec", &mut driver), ("executorSpec", &mut executor)] {
        with_obj(&spec, field, |s| {
            let Some(s) = s else { return Ok(()) };
            s.deny_unknown(&["podTemplateSpec"])?;
            if let Some(t) = s.get("podTemplateSpec") {
                let t: k8s_openapi::api::core::v1::PodTemplateSpec = t.k8s("PodTemplateSpec")?;
                slot.inline = Some(k8s_openapi::api::core::v1::Pod {
                    metadata: t.metadata.unwrap_or_default(),
                    spec: Some(t.spec.unwrap_or_default()),
                    status: None,
                });
            }
            Ok(())
        })?;
    }
    // A template file named in sparkConf wins over the inline one, as in the operator.
    for (role, slot) in [("driver", &mut driver), ("executor", &mut executor)] {
        let key = format!("spark.kubernetes.{role}.podTemplateFile=");
        if opts.confs.iter().any(|c| c.starts_with(&key)) {
            slot.inline = None;
        }
    }
    let advice: &[(&str, &str)] = &[
        (
            "applicationTolerations",
            "restarts, timeouts, executor-count tolerations and resource retention are the \
             operator's; rerun `kubectl spark submit -f` to retry, `kubectl spark cleanup \
             --older-than <duration>` to remove finished applications",
        ),
        (
            "driverServiceIngressList",
            "no Service or Ingress is created; open the UI with `kubectl spark ui <app>`",
        ),
        (
            "configMapSpecs",
            "no ConfigMap is created; create it with `kubectl create configmap` and mount it \
             through spec.driverSpec.podTemplateSpec",
        ),
    ];
    let restart = restart_config(&spec, &mut warnings)?;
    for (field, what) in advice {
        if let Some(v) = spec.get(field) {
            // Only restartConfig, honoured: nothing to warn about.
            if *field == "applicationTolerations"
                && restart.retries()
                && v.obj(field)?.keys().all(|(k, _)| k == "restartConfig")
            {
                continue;
            }
            warnings.push(format!("{}: not emulated: {what}", v.at.describe()));
        }
    }
    Ok(Translated {
        label,
        flavor: Flavor::Apache,
        name: meta.name,
        namespace: meta.namespace,
        spark_version,
        options: opts,
        driver,
        executor,
        warnings,
        restart,
    })
}

/// `spec.applicationTolerations.restartConfig`: `OnFailure` and `Always` (failures only: a
/// success ends it) become the policy `submit` honours while it waits, with
/// `maxRestartAttempts` (default 3) and `restartBackoffMillis` (default 30 s) for driver and
/// submission failures alike; `OnInfrastructureFailure` is warned about.
fn restart_config(spec: &Obj<'_>, warnings: &mut Vec<String>) -> Result<RetryPolicy> {
    let Some(tolerations) = spec.get("applicationTolerations") else {
        return Ok(RetryPolicy::default());
    };
    let tolerations = tolerations.obj("applicationTolerations")?;
    let Some(rc) = tolerations.get("restartConfig") else {
        return Ok(RetryPolicy::default());
    };
    let at = rc.at.describe();
    let rc = rc.obj("restartConfig")?;
    let attempts = rc
        .int("maxRestartAttempts")?
        .unwrap_or(3)
        .clamp(0, i64::from(u32::MAX)) as u32;
    let backoff = std::time::Duration::from_millis(
        rc.int("restartBackoffMillis")?.unwrap_or(30_000).max(0) as u64,
    );
    match rc.str("restartPolicy")?.as_deref() {
        Some("OnFailure" | "Always") => Ok(RetryPolicy {
            on_failure: attempts,
            on_failure_interval: backoff,
            on_submission_failure: attempts,
            on_submission_failure_interval: backoff,
        }),
        Some("Never") | None => Ok(RetryPolicy::default()),
        Some(other) => {
            warnings.push(format!(
                "{at}: restartPolicy {other}: not emulated (only OnFailure and Always are); \
                 rerun `kubectl spark submit -f` to retry"
            ));
            Ok(RetryPolicy::default())
        }
    }
}
