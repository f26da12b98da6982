//! The one client of Spark's REST API (`/api/v1/applications/…`), reached through the API
//! server's proxy to a pod or Service port: no local port, no tunnel, only `get` on
//! `pods/proxy` (or `services/proxy`). The source is a parameter ([`Source`]): a live driver's
//! UI port and a History Server serve the same paths.
//!
//! Every request has a budget ([`REQUEST_BUDGET`], 1 s): a driver that does not answer in time
//! is a [`RestError::NoAnswer`], which callers show as `?`; nothing here retries or waits longer.

use std::time::Duration;

use futures::future::join_all;
use http::Request;
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use serde::de::DeserializeOwned;

use crate::operate::summary;
use crate::spark::model::{Application, Executor, Job, SparkSnapshot, Stage, StageStatus, Task};

/// How long one request may take.
pub const REQUEST_BUDGET: Duration = Duration::from_secs(1);

/// The permission reading the UI port through the API server needs (as `kubectl auth can-i`
/// names it).
pub const PROXY_PERMISSION: &str = "get pods/proxy";

/// Where Spark's REST API is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A pod's port: a live driver's UI (`spark-ui`, 4040), a History Server pod (18080).
    Pod {
        /// Namespace.
        namespace: String,
        /// Pod name.
        name: String,
        /// Container port.
        port: u16,
    },
    /// A Service's port.
    Service {
        /// Namespace.
        namespace: String,
        /// Service name.
        name: String,
        /// Service port.
        port: u16,
    },
}

impl Source {
    /// A driver pod's UI port (its `spark-ui` container port, else 4040).
    pub fn driver(pod: &Pod) -> Source {
        Source::Pod {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            name: pod.metadata.name.clone().unwrap_or_default(),
            port: summary::ui_port(pod),
        }
    }

    /// The namespace it is in.
    pub fn namespace(&self) -> &str {
        match self {
            Source::Pod { namespace, .. } | Source::Service { namespace, .. } => namespace,
        }
    }

    /// The API server path that proxies `path` (which starts with `/api/v1/applications`).
    pub fn proxy_path(&self, path: &str) -> String {
        match self {
            Source::Pod {
                namespace,
                name,
                port,
            } => format!("/api/v1/namespaces/{namespace}/pods/{name}:{port}/proxy{path}"),
            Source::Service {
                namespace,
                name,
                port,
            } => format!("/api/v1/namespaces/{namespace}/services/{name}:{port}/proxy{path}"),
        }
    }

    /// The permission the proxy needs.
    pub fn permission(&self) -> &'static str {
        match self {
            Source::Pod { .. } => PROXY_PERMISSION,
            Source::Service { .. } => "get services/proxy",
        }
    }
}

/// Why Spark's REST API gave no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestError {
    /// The API server refused the proxy (403): progress stays off until the permission is
    /// granted.
    #[error(
        "you may not {permission} in namespace {namespace} (kubectl spark setup -n {namespace} grants it)"
    )]
    Forbidden {
        /// The permission missing.
        permission: &'static str,
        /// The namespace.
        namespace: String,
    },
    /// No answer within the budget.
    #[error("no answer within {} ms", .0.as_millis())]
    NoAnswer(Duration),
    /// The UI does not answer (not started yet, gone, another error from the proxy).
    #[error("the Spark UI did not answer: {0}")]
    Unavailable(String),
    /// The answer is not Spark's.
    #[error("unexpected answer from the Spark UI: {0}")]
    Invalid(String),
}

/// A client of one source's REST API.
#[derive(Clone)]
pub struct SparkRest {
    client: Client,
    source: Source,
    budget: Duration,
}

impl SparkRest {
    /// A client of `source`'s API, with the default budget per request.
    pub fn new(client: Client, source: Source) -> SparkRest {
        SparkRest {
            client,
            source,
            budget: REQUEST_BUDGET,
        }
    }

    /// The same client with another budget per request.
    pub fn with_budget(mut self, budget: Duration) -> SparkRest {
        self.budget = budget;
        self
    }

    /// Where it reads.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// GETs `path` (under the REST API's root) and parses the JSON answer.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, RestError> {
        let url = self.source.proxy_path(path);
        let request = Request::get(&url)
            .header(http::header::ACCEPT, "application/json")
            .body(Vec::new())
            .map_err(|e| RestError::Invalid(e.to_string()))?;
        let text = match tokio::time::timeout(self.budget, self.client.request_text(request)).await
        {
            Err(_) => return Err(RestError::NoAnswer(self.budget)),
            Ok(Err(kube::Error::Api(status))) if status.code == 403 => {
                return Err(RestError::Forbidden {
                    permission: self.source.permission(),
                    namespace: self.source.namespace().to_string(),
                });
            }
            Ok(Err(e)) => return Err(RestError::Unavailable(e.to_string())),
            Ok(Ok(text)) => text,
        };
        parse(&text)
    }

    /// `/applications` (a live driver serves its own only).
    pub async fn applications(&self) -> Result<Vec<Application>, RestError> {
        self.get("/api/v1/applications").await
    }

    /// `/applications/{id}/jobs`.
    pub async fn jobs(&self, app_id: &str) -> Result<Vec<Job>, RestError> {
        self.get(&format!("/api/v1/applications/{app_id}/jobs"))
            .await
    }

    /// `/applications/{id}/stages` (every attempt, without task details), only those in
    /// `statuses` unless it is empty (a long application has thousands of stages: progress
    /// reads the active and failed ones only).
    pub async fn stages(
        &self,
        app_id: &str,
        statuses: &[StageStatus],
    ) -> Result<Vec<Stage>, RestError> {
        self.get(&stages_path(app_id, statuses)).await
    }

    /// `/applications/{id}/allexecutors` (removed ones included, and the driver).
    pub async fn all_executors(&self, app_id: &str) -> Result<Vec<Executor>, RestError> {
        self.get(&format!("/api/v1/applications/{app_id}/allexecutors"))
            .await
    }

    /// The first `length` failed tasks of a stage attempt.
    pub async fn failed_tasks(
        &self,
        app_id: &str,
        stage_id: i64,
        attempt_id: i64,
        length: usize,
    ) -> Result<Vec<Task>, RestError> {
        self.get(&format!(
            "/api/v1/applications/{app_id}/stages/{stage_id}/{attempt_id}/taskList?status=failed&length={length}"
        ))
        .await
    }

    /// Jobs, stages and executors, read concurrently (one budget for the round), then the
    /// first failed task of up to `failed_task_stages` stages with failures (a second round;
    /// a stage whose tasks cannot be read keeps its own failure reason).
    pub async fn snapshot(
        &self,
        app_id: &str,
        failed_task_stages: usize,
    ) -> Result<SparkSnapshot, RestError> {
        let (jobs, stages, executors) = futures::join!(
            self.jobs(app_id),
            self.stages(app_id, &[StageStatus::Active, StageStatus::Failed]),
            self.all_executors(app_id)
        );
        let mut snapshot = SparkSnapshot::new(jobs?, stages?, executors?);
        let wanted = snapshot.stages_with_failures(failed_task_stages);
        let tasks = join_all(
            wanted
                .iter()
                .map(|(stage, attempt)| self.failed_tasks(app_id, *stage, *attempt, 1)),
        )
        .await;
        for (key, tasks) in wanted.into_iter().zip(tasks) {
            match tasks {
                Ok(tasks) => {
                    snapshot.failed_tasks.insert(key, tasks);
                }
                Err(e) => tracing::debug!("failed tasks of stage {key:?}: {e}"),
            }
        }
        Ok(snapshot)
    }
}

/// `/applications/{id}/stages?status=…&status=…`.
pub fn stages_path(app_id: &str, statuses: &[StageStatus]) -> String {
    let mut path = format!("/api/v1/applications/{app_id}/stages");
    for (i, status) in statuses.iter().enumerate() {
        path.push(if i == 0 { '?' } else { '&' });
        path.push_str("status=");
        path.push_str(status.query_value());
    }
    path
}

/// Parses an answer; an HTML page (a UI behind a proxy base, a login filter) says what it is.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, RestError> {
    serde_json::from_str(text).map_err(|e| {
        let start: String = text.trim_start().chars().take(60).collect();
        RestError::Invalid(format!("{e} (answer starts with {start:?})"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_paths() {
        let pod = Source::Pod {
            namespace: "ns".into(),
            name: "pi-driver".into(),
            port: 4040,
        };
        assert_eq!(
            pod.proxy_path("/api/v1/applications/spark-1/jobs"),
            "/api/v1/namespaces/ns/pods/pi-driver:4040/proxy/api/v1/applications/spark-1/jobs"
        );
        let svc = Source::Service {
            namespace: "ns".into(),
            name: "history".into(),
            port: 18080,
        };
        assert_eq!(
            svc.proxy_path("/api/v1/applications"),
            "/api/v1/namespaces/ns/services/history:18080/proxy/api/v1/applications"
        );
        assert_eq!(svc.permission(), "get services/proxy");
        assert_eq!(
            stages_path("spark-1", &[StageStatus::Active, StageStatus::Failed]),
            "/api/v1/applications/spark-1/stages?status=active&status=failed"
        );
        assert_eq!(
            stages_path("spark-1", &[]),
            "/api/v1/applications/spark-1/stages"
        );
    }

    #[test]
    fn a_driver_is_reached_on_its_ui_port() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "d", "namespace": "ns"},
            "spec": {"containers": [{"name": "spark-kubernetes-driver",
                "ports": [{"name": "spark-ui", "containerPort": 4041}]}]}
        }))
        .unwrap();
        assert_eq!(
            Source::driver(&pod),
            Source::Pod {
                namespace: "ns".into(),
                name: "d".into(),
                port: 4041
            }
        );
    }

    #[test]
    fn html_is_not_an_answer() {
        let e = parse::<Vec<Job>>("<html><body>login</body></html>").unwrap_err();
        assert!(
            matches!(&e, RestError::Invalid(m) if m.contains("<html>")),
            "{e}"
        );
    }
}
