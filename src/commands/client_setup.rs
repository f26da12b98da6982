//! `kubectl spark client-setup --pod POD`: makes a pod able to act as a client-mode driver.
//!
//! Labels the pod `spark-client-driver=<pod>` (a merge patch), applies (server-side, field
//! manager kubectl-spark) a headless Service `<pod>-driver` selecting that label, with the
//! driver RPC port 7078 and the block manager port 7079 and an owner reference to the pod (so
//! it goes when the pod goes), then prints the confs Spark's client mode needs. Warns when the
//! pod's service account may not create what the driver creates (executor pods and their
//! ConfigMap), when we may ask (a SubjectAccessReview).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use ::kube::api::{Api, Patch, PatchParams};
use k8s_openapi::api::core::v1::{Pod, Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use crate::cli::{ClientSetupArgs, KubeFlags};
use crate::commands::setup::MANAGED_BY;
use crate::error::{Error, Result};
use crate::kube;
use crate::output;
use crate::preflight::{self, Access};
use crate::submit::apply::FIELD_MANAGER;

/// The label added to the pod and used as the Service's selector.
pub const SELECTOR_LABEL: &str = "spark-client-driver";
/// `spark.driver.port`.
pub const DRIVER_PORT: i32 = 7078;
/// `spark.driver.blockManager.port`.
pub const BLOCK_MANAGER_PORT: i32 = 7079;
/// The API server as seen from inside the cluster.
pub const IN_CLUSTER_MASTER: &str = "k8s://https://kubernetes.default.svc";

/// The Service name for a pod: `<pod>-driver`, a valid DNS-1035 label of at most 63 chars.
pub fn service_name(pod: &str) -> String {
    let mut base: String = pod
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if !base.starts_with(|c: char| c.is_ascii_lowercase()) {
        base.insert(0, 's');
    }
    base.truncate(63 - "-driver".len());
    format!("{}-driver", base.trim_end_matches('-'))
}

/// The confs, in order.
pub fn confs(pod: &str, namespace: &str, service: &str, sa: &str) -> Vec<(String, String)> {
    [
        ("spark.master", IN_CLUSTER_MASTER.to_string()),
        ("spark.submit.deployMode", "client".into()),
        ("spark.driver.host", format!("{service}.{namespace}.svc")),
        ("spark.driver.port", DRIVER_PORT.to_string()),
        (
            "spark.driver.blockManager.port",
            BLOCK_MANAGER_PORT.to_string(),
        ),
        ("spark.driver.bindAddress", "0.0.0.0".into()),
        ("spark.kubernetes.driver.pod.name", pod.into()),
        ("spark.kubernetes.namespace", namespace.into()),
        (
            "spark.kubernetes.authenticate.driver.serviceAccountName",
            sa.into(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Runs `client-setup`; returns the exit code.
pub async fn run(flags: &KubeFlags, args: &ClientSetupArgs) -> Result<u8> {
    let target = kube::resolve(flags).await?;
    let ns = target.namespace.clone();
    let client = target.client()?;
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let pod = pods
        .get_opt(&args.pod)
        .await
        .map_err(|e| kube::api_error(e, "get pods", &ns))?
        .ok_or_else(|| {
            Error::usage(
                format!("pod {} not found in namespace {ns}", args.pod),
                "pass the name of a running pod with --pod (and its namespace with -n)",
            )
        })?;
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let sa = pod
        .spec
        .as_ref()
        .and_then(|s| s.service_account_name.clone())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "default".into());
    let label = serde_json::json!({"metadata": {"labels": {SELECTOR_LABEL: args.pod}}});
    pods.patch(&args.pod, &PatchParams::default(), &Patch::Merge(&label))
        .await
        .map_err(|e| kube::api_error(e, "patch pods", &ns))?;
    let name = service_name(&args.pod);
    let port = |n: &str, p: i32| ServicePort {
        name: Some(n.into()),
        port: p,
        target_port: Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(p)),
        protocol: Some("TCP".into()),
        ..Default::default()
    };
    let svc = Service {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(ns.clone()),
            labels: Some(BTreeMap::from([(
                MANAGED_BY.0.to_string(),
                MANAGED_BY.1.to_string(),
            )])),
            owner_references: Some(vec![OwnerReference {
                api_version: "v1".into(),
                kind: "Pod".into(),
                name: args.pod.clone(),
                uid,
                controller: Some(true),
                block_owner_deletion: None,
            }]),
            ..Default::default()
        },
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            selector: Some(BTreeMap::from([(
                SELECTOR_LABEL.to_string(),
                args.pod.clone(),
            )])),
            ports: Some(vec![
                port("driver-rpc-port", DRIVER_PORT),
                port("blockmanager", BLOCK_MANAGER_PORT),
            ]),
            ..Default::default()
        }),
        status: None,
    };
    let mut value = serde_json::to_value(&svc).map_err(|e| Error::Other(e.to_string()))?;
    if let Some(m) = value.as_object_mut() {
        m.insert("apiVersion".into(), "v1".into());
        m.insert("kind".into(), "Service".into());
    }
    let services: Api<Service> = Api::namespaced(client.clone(), &ns);
    services
        .patch(
            &name,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&value),
        )
        .await
        .map_err(|e| kube::api_error(e, "apply services", &ns))?;
    output::info(&format!(
        "pod {} labelled {SELECTOR_LABEL}={}; headless Service {name} selects it",
        args.pod, args.pod
    ));
    if let Some(warning) = executor_permission_warning(&client, &ns, &args.pod, &sa).await {
        output::warn(&warning);
    }
    let confs = confs(&args.pod, &ns, &name, &sa);
    match &args.properties_file {
        Some(path) => {
            let mut text = String::from(
                "# Spark client mode from pod; written by kubectl spark client-setup\n",
            );
            for (k, v) in &confs {
                let _ = writeln!(text, "{k}={v}");
            }
            std::fs::write(path, text)
                .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
            output::info(&format!(
                "wrote {}: pass it with spark-submit --properties-file",
                path.display()
            ));
        }
        None => {
            let mut text = String::new();
            for (k, v) in &confs {
                let _ = writeln!(text, "--conf {k}={v}");
            }
            output::print_data(&text)?;
        }
    }
    Ok(0)
}

/// What a client-mode driver creates through the API: executor pods and their ConfigMap.
const DRIVER_CREATES: [&str; 2] = ["pods", "configmaps"];

/// The warning when the pod's service account may not create executors, if it may not.
async fn executor_permission_warning(
    client: &::kube::Client,
    ns: &str,
    pod: &str,
    sa: &str,
) -> Option<String> {
    match preflight::service_account_may_create(client, ns, sa, &DRIVER_CREATES).await {
        Access::Denied(denied) => Some(format!(
            "service account {sa} of pod {pod} may not create {} in namespace {ns}: a client-mode \
             driver in this pod could not start executors. Fix: {} (grants it a driver's \
             permissions), or run the pod as service account spark after `kubectl spark setup -n {ns}`",
            denied.join(", "),
            preflight::grant_fix(ns, sa)
        )),
        Access::Allowed => None,
        Access::NotAllowedToAsk => {
            tracing::info!(
                "not checked whether service account {sa} may create executors: you may not create subjectaccessreviews"
            );
            None
        }
        Access::Unknown(e) => {
            tracing::info!(
                "could not check whether service account {sa} may create executors: {e}"
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names() {
        assert_eq!(service_name("notebook-0"), "notebook-0-driver");
        assert_eq!(service_name("0abc"), "s0abc-driver");
        assert!(service_name(&"a".repeat(100)).len() <= 63);
    }
}
