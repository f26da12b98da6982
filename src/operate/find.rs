//! Finding applications on the cluster (the I/O edge of [`super::selector`]): driver and
//! executor pods listed with server-side label selectors, page by page, and references
//! resolved to driver pods.

use std::collections::{HashMap, HashSet};

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use kube::{Client, Resource};
use serde::de::DeserializeOwned;

use crate::app::{LABEL_APP_SELECTOR, LABEL_ROLE};
use crate::error::{Error, Result};
use crate::operate::selector::{self, AppRef, DriverRef, Scope};
use crate::operate::summary::{self, AppSummary};

/// Objects per list request: big lists arrive in pages so that thousands of pods neither
/// time out nor load the API server in one response.
pub const PAGE_SIZE: u32 = 500;

/// Label selector of every driver pod.
pub fn driver_selector() -> String {
    format!("{LABEL_ROLE}=driver")
}

/// Label selector of the executor pods of one application, or of every application.
pub fn executor_selector(app_id: Option<&str>) -> String {
    match app_id {
        Some(id) => format!("{LABEL_APP_SELECTOR}={id},{LABEL_ROLE}=executor"),
        None => format!("{LABEL_ROLE}=executor"),
    }
}

/// An API error in a scope turned into a user error (`action` e.g. `list pods`). 403s name
/// the missing permission and point to `kubectl spark setup`.
pub fn api_error(err: kube::Error, action: &str, scope: &Scope) -> Error {
    match scope {
        Scope::Namespace(ns) => crate::kube::api_error(err, action, ns),
        Scope::All => match err {
            kube::Error::Api(status) if status.code == 403 => Error::Api {
                message: format!("cannot {action} across all namespaces: {}", status.message),
                hint: Some(format!(
                    "-A needs `{action}` cluster-wide (a ClusterRole, e.g. `kubectl spark setup --cluster-wide`); \
                     without -A only your namespace is searched (check with `kubectl auth can-i {action} -A`)"
                )),
                code: Some(403),
            },
            other => crate::kube::api_error(other, action, "(all namespaces)"),
        },
    }
}

/// An API handle for the scope.
pub fn api<K>(client: &Client, scope: &Scope) -> Api<K>
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    <K as Resource>::DynamicType: Default,
{
    match scope {
        Scope::Namespace(ns) => Api::namespaced(client.clone(), ns),
        Scope::All => Api::all(client.clone()),
    }
}

/// Every object matching the selectors, fetched in pages of [`PAGE_SIZE`].
pub async fn list_paged<K>(
    api: &Api<K>,
    label_selector: Option<&str>,
    field_selector: Option<&str>,
    action: &str,
    scope: &Scope,
) -> Result<Vec<K>>
where
    K: Clone + DeserializeOwned + std::fmt::Debug,
{
    let mut items = Vec::new();
    let mut continue_token: Option<String> = None;
    loop {
        let mut lp = ListParams::default().limit(PAGE_SIZE);
        if let Some(s) = label_selector {
            lp = lp.labels(s);
        }
        if let Some(s) = field_selector {
            lp = lp.fields(s);
        }
        if let Some(token) = continue_token.take() {
            lp = lp.continue_token(&token);
        }
        let page = api
            .list(&lp)
            .await
            .map_err(|e| api_error(e, action, scope))?;
        items.extend(page.items);
        match page.metadata.continue_ {
            Some(token) if !token.is_empty() => continue_token = Some(token),
            _ => return Ok(items),
        }
    }
}

/// Every driver pod in the scope.
pub async fn list_drivers(client: &Client, scope: &Scope) -> Result<Vec<Pod>> {
    list_drivers_selected(client, scope, None).await
}

/// The driver pods in the scope that also match a label selector (`-l`), if given.
pub async fn list_drivers_selected(
    client: &Client,
    scope: &Scope,
    label_selector: Option<&str>,
) -> Result<Vec<Pod>> {
    let selector = match label_selector.map(str::trim).filter(|s| !s.is_empty()) {
        Some(extra) => format!("{},{extra}", driver_selector()),
        None => driver_selector(),
    };
    list_paged(
        &api(client, scope),
        Some(&selector),
        None,
        "list pods",
        scope,
    )
    .await
    .map_err(|e| match label_selector {
        Some(sel)
            if matches!(
                e,
                Error::Api {
                    code: Some(400),
                    ..
                }
            ) =>
        {
            Error::usage(
                format!("-l/--selector `{sel}` is not a valid label selector: {e}"),
                "write it as kubectl does, e.g. -l team=etl or -l 'tier in (prod,staging),!canary'",
            )
        }
        _ => e,
    })
}

/// Every executor pod in the scope, of one application or of all.
pub async fn list_executors(
    client: &Client,
    scope: &Scope,
    app_id: Option<&str>,
) -> Result<Vec<Pod>> {
    list_paged(
        &api(client, scope),
        Some(&executor_selector(app_id)),
        None,
        "list pods",
        scope,
    )
    .await
}

/// Label selector of the executor pods of several applications (`in` for more than one).
pub fn executors_of_apps_selector(app_ids: &[&str]) -> String {
    match app_ids {
        [id] => executor_selector(Some(id)),
        ids => format!(
            "{LABEL_APP_SELECTOR} in ({}),{LABEL_ROLE}=executor",
            ids.join(",")
        ),
    }
}

/// Executor pods grouped by (namespace, app id).
pub fn executors_by_app(executors: Vec<Pod>) -> HashMap<(String, String), Vec<Pod>> {
    let mut map: HashMap<(String, String), Vec<Pod>> = HashMap::new();
    for pod in executors {
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let Some(id) = pod
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(LABEL_APP_SELECTOR))
            .cloned()
        else {
            continue;
        };
        map.entry((ns, id)).or_default().push(pod);
    }
    map
}

/// What one reference resolved to.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The reference.
    pub reference: AppRef,
    /// Where it was looked up.
    pub scope: Scope,
    /// The driver pods it names, in the API server's order (namespace, then name), which
    /// is also the order of spark-submit's `--status` for a glob.
    pub drivers: Vec<Pod>,
}

impl Resolved {
    /// The one driver this reference names, or an error explaining why not.
    pub fn exactly_one(self) -> Result<Pod> {
        match self.drivers.len() {
            0 => Err(selector::not_found(&self.reference, &self.scope)),
            1 => Ok(self.drivers.into_iter().next().expect("one driver")),
            _ => {
                let now = jiff::Timestamp::now();
                let candidates: Vec<AppSummary> = self
                    .drivers
                    .iter()
                    .map(|p| summary::summarize(p, [], now))
                    .collect();
                Err(selector::ambiguous(&self.reference, &candidates))
            }
        }
    }

    /// Keeps only the newest driver (`--latest`): the latest run of a name submitted many
    /// times. By creation time, then namespace and name.
    pub fn latest(mut self) -> Resolved {
        self.drivers.sort_by(|a, b| {
            summary::created_at(b)
                .cmp(&summary::created_at(a))
                .then_with(|| a.metadata.namespace.cmp(&b.metadata.namespace))
                .then_with(|| a.metadata.name.cmp(&b.metadata.name))
        });
        self.drivers.truncate(1);
        self
    }
}

/// Whether text can be a pod name (a DNS subdomain), so that a direct GET makes sense.
fn could_be_pod_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 253
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
}

/// Resolves references to driver pods. `namespace` is the current namespace, `all` is `-A`.
///
/// A plain name in a known namespace is first fetched directly (one GET, no list permission
/// needed); a pod of that name that is not a Spark driver is an error. Otherwise the drivers
/// of the scope are listed once (per scope) and matched by [`selector::match_drivers`].
pub async fn resolve(
    client: &Client,
    namespace: &str,
    all: bool,
    texts: &[String],
) -> Result<Vec<Resolved>> {
    resolve_selected(client, namespace, all, texts, None).await
}

/// [`resolve`], among the drivers that also match a label selector (`-l`), asked of the
/// server. Without references, every such driver of the scope.
pub async fn resolve_selected(
    client: &Client,
    namespace: &str,
    all: bool,
    texts: &[String],
    label_selector: Option<&str>,
) -> Result<Vec<Resolved>> {
    if let Some(extra) = label_selector
        && texts.is_empty()
    {
        let scope = if all {
            Scope::All
        } else {
            Scope::Namespace(namespace.to_string())
        };
        let drivers = list_drivers_selected(client, &scope, Some(extra)).await?;
        return Ok(vec![Resolved {
            reference: AppRef::parse("*")?,
            scope,
            drivers,
        }]);
    }
    let mut listed: HashMap<Option<String>, Vec<Pod>> = HashMap::new();
    let mut out = Vec::new();
    for text in texts {
        let reference = AppRef::parse(text)?;
        let scope = match (&reference.namespace, all) {
            (Some(ns), _) => Scope::Namespace(ns.clone()),
            (None, true) => Scope::All,
            (None, false) => Scope::Namespace(namespace.to_string()),
        };
        if let Scope::Namespace(ns) = &scope
            && label_selector.is_none()
            && !reference.is_glob()
            && could_be_pod_name(&reference.pattern)
        {
            let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
            let found = pods
                .get_opt(&reference.pattern)
                .await
                .map_err(|e| crate::kube::api_error(e, "get pods", ns))?;
            if let Some(pod) = found {
                if !selector::is_driver(&pod) {
                    return Err(selector::not_a_driver(&pod));
                }
                out.push(Resolved {
                    reference,
                    scope,
                    drivers: vec![pod],
                });
                continue;
            }
        }
        let key = scope.namespace().map(str::to_string);
        if !listed.contains_key(&key) {
            let drivers = list_drivers_selected(client, &scope, label_selector).await?;
            listed.insert(key.clone(), drivers);
        }
        let candidates: Vec<(DriverRef, &Pod)> = listed[&key]
            .iter()
            .filter_map(|p| DriverRef::from_pod(p).map(|d| (d, p)))
            .collect();
        let refs: Vec<DriverRef> = candidates.iter().map(|(d, _)| d.clone()).collect();
        let drivers: Vec<Pod> = selector::match_drivers(&reference, &refs)
            .into_iter()
            .map(|i| candidates[i].1.clone())
            .collect();
        out.push(Resolved {
            reference,
            scope,
            drivers,
        });
    }
    Ok(out)
}

/// The one driver a reference names; with `latest`, the newest of those it names.
pub async fn resolve_one(
    client: &Client,
    namespace: &str,
    all: bool,
    text: &str,
    latest: bool,
) -> Result<Pod> {
    let resolved = resolve(client, namespace, all, &[text.to_string()]).await?;
    let resolved = resolved.into_iter().next().expect("one reference");
    if latest {
        resolved.latest().exactly_one()
    } else {
        resolved.exactly_one()
    }
}

/// [`resolve_one`], except that a reference naming no driver is `None` (the application may
/// be known elsewhere: a History Server), not an error.
pub async fn resolve_one_or_none(
    client: &Client,
    namespace: &str,
    all: bool,
    text: &str,
    latest: bool,
) -> Result<Option<Pod>> {
    let resolved = resolve(client, namespace, all, &[text.to_string()]).await?;
    let resolved = resolved.into_iter().next().expect("one reference");
    if resolved.drivers.is_empty() {
        return Ok(None);
    }
    if latest {
        resolved.latest().exactly_one().map(Some)
    } else {
        resolved.exactly_one().map(Some)
    }
}

/// The drivers of all references, each once, in order.
pub fn unique_drivers(resolved: &[Resolved]) -> Vec<Pod> {
    let mut seen = HashSet::new();
    resolved
        .iter()
        .flat_map(|r| r.drivers.iter())
        .filter(|p| seen.insert((p.metadata.namespace.clone(), p.metadata.name.clone())))
        .cloned()
        .collect()
}

/// The first reference that matched nothing, as an error.
pub fn require_all_found(resolved: &[Resolved]) -> Result<()> {
    match resolved.iter().find(|r| r.drivers.is_empty()) {
        Some(r) => Err(selector::not_found(&r.reference, &r.scope)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors() {
        assert_eq!(driver_selector(), "spark-role=driver");
        assert_eq!(executor_selector(None), "spark-role=executor");
        assert_eq!(
            executor_selector(Some("spark-1")),
            "spark-app-selector=spark-1,spark-role=executor"
        );
        assert_eq!(
            executors_of_apps_selector(&["spark-1"]),
            "spark-app-selector=spark-1,spark-role=executor"
        );
        assert_eq!(
            executors_of_apps_selector(&["spark-1", "spark-2"]),
            "spark-app-selector in (spark-1,spark-2),spark-role=executor"
        );
    }

    #[test]
    fn latest_keeps_the_newest_run() {
        let pod = |name: &str, created: &str| -> Pod {
            serde_json::from_value(serde_json::json!({
                "metadata": {"name": name, "namespace": "n", "creationTimestamp": created}}))
            .unwrap()
        };
        let resolved = Resolved {
            reference: AppRef::parse("pi").unwrap(),
            scope: Scope::Namespace("n".into()),
            drivers: vec![
                pod("pi-1-driver", "2025-01-01T10:00:00Z"),
                pod("pi-3-driver", "2025-01-01T12:00:00Z"),
                pod("pi-2-driver", "2025-01-01T11:00:00Z"),
            ],
        };
        let one = resolved.latest().exactly_one().unwrap();
        assert_eq!(one.metadata.name.as_deref(), Some("pi-3-driver"));
    }

    #[test]
    fn pod_name_shapes() {
        assert!(could_be_pod_name("spark-pi-1a2b-driver"));
        assert!(!could_be_pod_name("Spark Pi"));
        assert!(!could_be_pod_name(""));
    }

    #[test]
    fn executors_group_by_app() {
        let pods: Vec<Pod> = ["a", "a", "b"]
            .iter()
            .map(|id| {
                serde_json::from_value(serde_json::json!({"metadata": {"namespace": "n", "labels": {"spark-app-selector": id}}}))
                    .unwrap()
            })
            .collect();
        let map = executors_by_app(pods);
        assert_eq!(map[&("n".to_string(), "a".to_string())].len(), 2);
        assert_eq!(map[&("n".to_string(), "b".to_string())].len(), 1);
    }

    #[test]
    fn all_namespace_403s_explain_the_cluster_wide_permission() {
        let status = kube::core::Status::failure("pods is forbidden", "Forbidden").with_code(403);
        let err = api_error(kube::Error::Api(Box::new(status)), "list pods", &Scope::All);
        assert!(err.to_string().contains("across all namespaces"));
        assert!(err.hint().unwrap().contains("kubectl spark setup"));
    }
}
