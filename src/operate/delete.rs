//! Deleting applications (for `kill` and `cleanup`): the driver pod is deleted, and the
//! garbage collector removes what it owns — executor pods, the Service, the ConfigMaps —
//! through their ownerReferences, as spark-submit's `--kill` relies on.
//!
//! One rule for `kill` and `cleanup` ([`consent`]): deleting one application goes ahead;
//! deleting several asks on a terminal and needs `--yes` otherwise. Declining is not bad
//! input: the command says nothing was deleted and exits 1.

use std::cell::Cell;
use std::collections::BTreeSet;

use futures::stream::{self, StreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Service};
use kube::Client;
use kube::api::{Api, DeleteParams, Preconditions, PropagationPolicy};

use crate::app::LABEL_APP_SELECTOR;
use crate::error::Result;
use crate::operate::selector::Scope;
use crate::operate::summary::mounted_config_maps;
use crate::operate::{CONCURRENCY, find};

/// Whether a deletion may go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    /// One application, or `--yes`.
    Go,
    /// Several applications and a terminal: ask.
    Ask,
    /// Several applications, no terminal, no `--yes`: refuse.
    NeedYes,
}

/// The rule: several applications need a confirmation on a terminal and `--yes` otherwise.
pub fn consent(count: usize, yes: bool, terminal: bool) -> Consent {
    match (count > 1 && !yes, terminal) {
        (false, _) => Consent::Go,
        (true, true) => Consent::Ask,
        (true, false) => Consent::NeedYes,
    }
}

/// The exit code of a declined deletion: not 2 (the input was fine), not 0 (nothing happened).
pub const DECLINED: u8 = 1;

/// Applies the rule for `verb` (`killed`, `deleted`) to the applications listed by `lines`
/// ([`crate::operate::summary::candidate_lines`]). `Ok(true)`: go ahead; `Ok(false)`: the user
/// declined (said on stderr); an error (exit 2) when `--yes` is needed and missing.
pub fn confirm(
    count: usize,
    lines: &str,
    verb: &str,
    yes: bool,
    command: &str,
) -> crate::error::Result<bool> {
    use std::io::{BufRead, IsTerminal, Write};
    match consent(count, yes, std::io::stdin().is_terminal()) {
        Consent::Go => Ok(true),
        Consent::NeedYes => Err(crate::error::Error::usage(
            format!(
                "these {count} applications would be {verb}:{lines}\nnothing was {verb}: several applications need a confirmation"
            ),
            format!(
                "stdin is not a terminal to ask on: pass --yes to go ahead (see them first with `{command} --dry-run`)"
            ),
        )),
        Consent::Ask => {
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "These {count} applications would be {verb}:{lines}\nGo ahead? [y/N] "
            );
            let _ = err.flush();
            let mut answer = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut answer)
                .map_err(|e| crate::error::Error::io("reading the answer", e))?;
            let go = matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes");
            if !go {
                let _ = writeln!(err, "Declined: nothing was {verb}.");
            }
            Ok(go)
        }
    }
}

/// The delete request for a driver: background propagation (the collector removes the
/// dependents), the grace period if given, and the pod's uid as a precondition so that only
/// the pod that was matched as a driver is ever deleted.
pub fn delete_params(driver: &Pod, grace_period_seconds: Option<u32>) -> DeleteParams {
    DeleteParams {
        grace_period_seconds,
        propagation_policy: Some(PropagationPolicy::Background),
        preconditions: driver.metadata.uid.clone().map(|uid| Preconditions {
            uid: Some(uid),
            resource_version: None,
        }),
        ..DeleteParams::default()
    }
}

/// Deletes a driver pod. Returns false when it was already gone.
pub async fn delete_driver(
    client: &Client,
    driver: &Pod,
    grace_period_seconds: Option<u32>,
) -> Result<bool> {
    let ns = driver.metadata.namespace.clone().unwrap_or_default();
    let name = driver.metadata.name.clone().unwrap_or_default();
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    match pods
        .delete(&name, &delete_params(driver, grace_period_seconds))
        .await
    {
        Ok(_) => Ok(true),
        // 404: gone; 409: the uid changed, i.e. the matched pod is gone and another took its name.
        Err(kube::Error::Api(s)) if s.code == 404 || s.code == 409 => Ok(false),
        Err(e) => Err(crate::kube::api_error(e, "delete pods", &ns)),
    }
}

/// Deletes driver pods, up to [`CONCURRENCY`] at a time, and returns those that were deleted
/// (in order). `announce` is called for each pod in order, just before its request is sent, and
/// `already_gone` in order for each that was gone, so that what is printed does not depend on
/// which answer comes first. After a failure no further delete is started, those in flight are
/// finished, and the first failure in input order is returned.
pub async fn delete_drivers<'a>(
    client: &Client,
    drivers: impl IntoIterator<Item = &'a Pod>,
    grace_period_seconds: Option<u32>,
    mut announce: impl FnMut(&Pod),
    mut already_gone: impl FnMut(&Pod),
) -> Result<Vec<&'a Pod>> {
    let failed = Cell::new(false);
    let mut results = stream::iter(drivers)
        .map(|pod| {
            let start = !failed.get();
            if start {
                announce(pod);
            }
            async move {
                let outcome = if start {
                    Some(delete_driver(client, pod, grace_period_seconds).await)
                } else {
                    None
                };
                (pod, outcome)
            }
        })
        .buffered(CONCURRENCY);
    let mut deleted = Vec::new();
    let mut first_error = None;
    while let Some((pod, outcome)) = results.next().await {
        match outcome {
            Some(Ok(true)) => deleted.push(pod),
            Some(Ok(false)) => already_gone(pod),
            Some(Err(e)) => {
                failed.set(true);
                first_error.get_or_insert(e);
            }
            None => {}
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(deleted),
    }
}

/// The objects of an application that go with its driver, as `kind/name`: the driver, and
/// the executors (by app id), Services (by app id) and ConfigMaps (mounted) it owns. Kinds the user may not list are
/// reported in the second value.
pub async fn objects_of(client: &Client, driver: &Pod) -> Result<(BTreeSet<String>, Vec<String>)> {
    let ns = driver.metadata.namespace.clone().unwrap_or_default();
    let scope = Scope::Namespace(ns.clone());
    let mut objects = BTreeSet::new();
    let mut unlisted = Vec::new();
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let services: Api<Service> = Api::namespaced(client.clone(), &ns);
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    let name = driver.metadata.name.clone().unwrap_or_default();
    let app_id = driver
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(LABEL_APP_SELECTOR));
    let selector = app_id.map(|id| format!("{LABEL_APP_SELECTOR}={id}"));
    // Every lookup at once; errors are then taken in the order they used to be made.
    let (pod, executors, owned_services, mounted) = futures::join!(
        pods.get_opt(&name),
        async {
            match app_id {
                Some(id) => find::list_executors(client, &scope, Some(id))
                    .await
                    .map(Some),
                None => Ok(None),
            }
        },
        async {
            match &selector {
                Some(s) => {
                    Some(find::list_paged(&services, Some(s), None, "list services", &scope).await)
                }
                None => None,
            }
        },
        futures::future::join_all(mounted_config_maps(driver).into_iter().map(|cm| {
            let config_maps = &config_maps;
            async move {
                let found = config_maps.get_opt(&cm).await;
                (cm, found)
            }
        })),
    );
    if let Some(pod) = pod.map_err(|e| crate::kube::api_error(e, "get pods", &ns))?
        && pod.metadata.uid == driver.metadata.uid
    {
        objects.insert(format!("pod/{name}"));
    }
    for p in executors?.into_iter().flatten() {
        if owned_by(&p.metadata, driver) {
            objects.insert(format!("pod/{}", p.metadata.name.unwrap_or_default()));
        }
    }
    match owned_services {
        Some(Ok(list)) => objects.extend(
            list.into_iter()
                .filter(|s| owned_by(&s.metadata, driver))
                .map(|s| format!("service/{}", s.metadata.name.unwrap_or_default())),
        ),
        Some(Err(e)) => unlisted.push(e.to_string()),
        None => {}
    }
    for (cm, found) in mounted {
        match found {
            Ok(Some(found)) if owned_by(&found.metadata, driver) => {
                objects.insert(format!("configmap/{cm}"));
            }
            Ok(_) => {}
            Err(e) => unlisted.push(crate::kube::api_error(e, "get configmaps", &ns).to_string()),
        }
    }
    Ok((objects, unlisted))
}

/// Whether an object has an ownerReference to the pod.
pub fn owned_by(
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    driver: &Pod,
) -> bool {
    meta.owner_references
        .iter()
        .flatten()
        .any(|r| Some(&r.uid) == driver.metadata.uid.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_deletions_need_consent() {
        assert_eq!(consent(1, false, false), Consent::Go);
        assert_eq!(consent(0, false, true), Consent::Go);
        assert_eq!(consent(2, true, false), Consent::Go);
        assert_eq!(consent(2, false, true), Consent::Ask);
        assert_eq!(consent(2, false, false), Consent::NeedYes);
        assert_ne!(DECLINED, 2);
        assert_ne!(DECLINED, 0);
    }

    #[test]
    fn deletes_only_the_matched_pod_in_the_background() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "d", "uid": "u-1"},
            "spec": {"containers": [], "volumes": [{"name": "c", "configMap": {"name": "cm-1"}}, {"name": "e", "emptyDir": {}}]}
        }))
        .unwrap();
        let dp = delete_params(&pod, Some(5));
        assert_eq!(dp.grace_period_seconds, Some(5));
        assert_eq!(dp.propagation_policy, Some(PropagationPolicy::Background));
        assert_eq!(dp.preconditions.unwrap().uid.as_deref(), Some("u-1"));
        assert_eq!(mounted_config_maps(&pod), vec!["cm-1".to_string()]);
        let owned: ConfigMap = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "cm-1", "ownerReferences": [{"apiVersion": "v1", "kind": "Pod", "name": "d", "uid": "u-1"}]}
        }))
        .unwrap();
        assert!(owned_by(&owned.metadata, &pod));
        assert!(!owned_by(&ConfigMap::default().metadata, &pod));
    }
}
