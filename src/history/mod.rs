//! The Spark History Server of `kubectl spark history`: a submission whose driver pod runs
//! Spark's `HistoryServer` class (see [`crate::conf::submit_args::Launch`]) in client mode
//! inside the pod, as `connect` runs its server. This module holds what else makes it one, all
//! pure:
//!
//! - [`configure`]: the event-log directory it reads (`spark.history.fs.logDirectory`, else the
//!   `spark.eventLog.dir` drivers write to, normally a namespace default), its UI port (and no
//!   driver UI on the same port) and a small memory default;
//! - [`build`]: Spark's own objects, relabelled so that no command that works on applications
//!   (`list`, `status`, `kill`, `cleanup`) ever takes the server for one (`spark-role` is
//!   [`ROLE`], not `driver`), with the UI port on the container and a readiness probe on the
//!   REST API. Everything else is owned by the pod, so deleting it removes the server.
//!
//! Because the server is planned like a driver, it gets the same image, service account, secret
//! environment (the store credentials of the namespace defaults) and volumes (a PVC holding the
//! event logs, mounted where drivers write them) as the applications of the namespace.

pub mod describe;
pub mod listing;

use k8s_openapi::api::core::v1::{ContainerPort, HTTPGetAction, Pod, Probe, ServicePort};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::app::LABEL_ROLE;
use crate::conf::SparkConf;
use crate::error::{Error, Result};
use crate::submit::plan::{Plan, PostObject, Submission};
use crate::submit::steps;

/// The History Server's main class.
pub const HISTORY_SERVER_CLASS: &str = "org.apache.spark.deploy.history.HistoryServer";
/// The app name of the server when none is given.
pub const DEFAULT_NAME: &str = "spark-history-server";
/// Label on the server's pod that marks it (`true`).
pub const LABEL_HISTORY: &str = "kubectl-spark.io/history-server";
/// The server's `spark-role` label: not `driver`, so it is never an application.
pub const ROLE: &str = "history-server";
/// Annotation on the server's pod naming the event-log directory it reads.
pub const ANNOTATION_LOG_DIRECTORY: &str = "kubectl-spark.io/event-log-directory";
/// Where the server reads event logs from.
pub const LOG_DIRECTORY_KEY: &str = "spark.history.fs.logDirectory";
/// The server's UI (and REST API) port key.
pub const UI_PORT_KEY: &str = "spark.history.ui.port";
/// A driver's UI port: the server starts no driver UI, but Spark's steps declare this port.
const DRIVER_UI_PORT_KEY: &str = "spark.ui.port";
/// Spark's default History Server port.
pub const DEFAULT_PORT: i32 = 18080;
/// Name of the UI port on the container and the Service.
pub const PORT_NAME: &str = "history-ui";
/// The memory of the server's JVM unless told otherwise (Spark's daemons default to 1g; the
/// listing of a few hundred applications needs far less).
pub const DEFAULT_MEMORY: &str = "512m";

/// The label selector of a namespace's History Server pods.
pub fn selector() -> String {
    format!("{LABEL_HISTORY}=true")
}

/// The event-log directory the server reads: `spark.history.fs.logDirectory`, else
/// `spark.eventLog.dir` (what the namespace's drivers write to).
pub fn log_directory(conf: &SparkConf) -> Option<&str> {
    conf.get_non_empty(LOG_DIRECTORY_KEY)
        .or_else(|| conf.get_non_empty("spark.eventLog.dir"))
}

/// The server's UI port: [`UI_PORT_KEY`] or 18080.
pub fn ui_port(conf: &SparkConf) -> Result<i32> {
    match conf.get(UI_PORT_KEY) {
        None => Ok(DEFAULT_PORT),
        Some(v) => v
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|p| (1..=65535).contains(p))
            .ok_or_else(|| {
                Error::usage(
                    format!("{UI_PORT_KEY} should be a port number, but was `{v}`"),
                    format!("leave it out (default {DEFAULT_PORT}) or give 1-65535"),
                )
            }),
    }
}

/// Adds what makes the plan's driver a History Server to its Spark properties. `namespace`
/// names where `setup` would record the event-log directory, for the error without one.
pub fn configure(plan: &mut Plan) -> Result<()> {
    let dir = log_directory(&plan.conf)
        .map(str::to_string)
        .ok_or_else(|| {
            Error::usage(
                "the History Server has no event logs to read: neither spark.history.fs.logDirectory nor spark.eventLog.dir is set",
                format!(
                    "record where applications write them for the namespace: `kubectl spark setup -n {} --event-log-dir s3a://bucket/spark-events` \
                     (drivers then write there), or pass --conf spark.history.fs.logDirectory=URI",
                    plan.namespace
                ),
            )
        })?;
    let port = ui_port(&plan.conf)?;
    let conf = &mut plan.conf;
    // The Apache operator's example sets spark.ui.port to the server's port so that Spark's
    // driver Service exposes the server; here the `history-ui` port does, and the same port
    // twice on the Service is refused by the API server. Another value is left alone (nothing
    // listens there).
    if conf.get(DRIVER_UI_PORT_KEY).map(str::trim) == Some(port.to_string().as_str()) {
        conf.remove(DRIVER_UI_PORT_KEY);
    }
    conf.set(
        format!("spark.kubernetes.driver.annotation.{ANNOTATION_LOG_DIRECTORY}"),
        dir.clone(),
    );
    conf.set(LOG_DIRECTORY_KEY, dir);
    conf.set_if_missing(UI_PORT_KEY, DEFAULT_PORT.to_string());
    conf.set_if_missing("spark.driver.memory", DEFAULT_MEMORY);
    conf.set(
        format!("spark.kubernetes.driver.label.{LABEL_HISTORY}"),
        "true",
    );
    Ok(())
}

/// The readiness probe: the REST API answers (`/api/v1/version`).
pub fn readiness_probe(port: i32) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some("/api/v1/version".into()),
            port: IntOrString::Int(port),
            ..HTTPGetAction::default()
        }),
        period_seconds: Some(2),
        timeout_seconds: Some(2),
        failure_threshold: Some(3),
        ..Probe::default()
    }
}

/// Builds the server's objects: Spark's own submission for the plan (configured with
/// [`configure`]), relabelled [`ROLE`] (pod and Service selector), with the UI port on the
/// container and the Service and the readiness probe.
pub fn build(plan: &Plan) -> Result<Submission> {
    let mut submission = steps::build(plan)?;
    let port = ui_port(&plan.conf)?;
    relabel(&mut submission.pod);
    let container = submission
        .pod
        .spec
        .as_mut()
        .and_then(|s| s.containers.last_mut())
        .ok_or_else(|| Error::Other("the driver pod has no container".into()))?;
    let ports = container.ports.get_or_insert_with(Vec::new);
    if !ports.iter().any(|p| p.name.as_deref() == Some(PORT_NAME)) {
        ports.push(ContainerPort {
            name: Some(PORT_NAME.into()),
            container_port: port,
            protocol: Some("TCP".into()),
            ..ContainerPort::default()
        });
    }
    container.readiness_probe = Some(readiness_probe(port));
    for object in &mut submission.post {
        if let PostObject::Service(service) = object {
            let spec = service.spec.get_or_insert_with(Default::default);
            if let Some(selector) = spec.selector.as_mut()
                && selector.contains_key(LABEL_ROLE)
            {
                selector.insert(LABEL_ROLE.into(), ROLE.into());
            }
            let ports = spec.ports.get_or_insert_with(Vec::new);
            if !ports.iter().any(|p| p.name.as_deref() == Some(PORT_NAME)) {
                ports.push(ServicePort {
                    name: Some(PORT_NAME.into()),
                    port,
                    target_port: Some(IntOrString::Int(port)),
                    ..ServicePort::default()
                });
            }
        }
    }
    Ok(submission)
}

fn relabel(pod: &mut Pod) {
    if let Some(labels) = pod.metadata.labels.as_mut() {
        labels.insert(LABEL_ROLE.into(), ROLE.into());
    }
}

/// Whether a pod is a History Server started by `kubectl spark history`.
pub fn is_history_server(pod: &Pod) -> bool {
    pod.metadata
        .labels
        .as_ref()
        .is_some_and(|l| l.get(LABEL_HISTORY).map(String::as_str) == Some("true"))
}

/// The UI port of a server's pod: its `history-ui` container port, else 18080.
pub fn port_of(pod: &Pod) -> u16 {
    crate::operate::summary::named_port(pod, PORT_NAME).unwrap_or(DEFAULT_PORT as u16)
}

#[cfg(test)]
mod tests;
