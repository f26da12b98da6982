//! Naming an application: how `status`, `logs`, `kill`… turn what the user typed into driver
//! pods. Pure: the I/O that fetches the candidates lives in [`super::find`].
//!
//! An application is named by
//! - a submission id `namespace:pod` (as spark-submit prints it; split on the first `:`),
//! - a driver pod name,
//! - an application id (the `spark-app-selector` label) or name (the `spark-app-name` label),
//! - a glob: Spark's trailing `*` (a prefix of the pod name) or a full glob such as `*etl*`,
//!   `?` matching one character, tried against the pod name, the app name and the app id.
//!
//! Only driver pods (`spark-role=driver`) are ever candidates; naming any other pod is an error.

use k8s_openapi::api::core::v1::Pod;
use wildmatch::WildMatch;

use crate::app::{self, LABEL_APP_NAME, LABEL_APP_SELECTOR, LABEL_ROLE};
use crate::error::{Error, Result};
use crate::operate::summary::AppSummary;

/// What the user typed to name one or more applications, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppRef {
    /// The text as typed, for messages.
    pub text: String,
    /// The namespace of a submission id (`ns:…`), if given.
    pub namespace: Option<String>,
    /// The pod name, app name, app id or glob.
    pub pattern: String,
}

impl AppRef {
    /// Parses a reference; `ns:` with nothing after it and empty text are errors.
    pub fn parse(text: &str) -> Result<AppRef> {
        let trimmed = text.trim();
        let (namespace, pattern) = app::parse_submission_id(trimmed);
        if pattern.is_empty() {
            return Err(Error::usage(
                format!("`{text}` does not name an application"),
                "name it by submission id (namespace:pod), driver pod name, app name, app id or a glob such as 'spark-pi*'",
            ));
        }
        if namespace == Some("") {
            return Err(Error::usage(
                format!("`{text}` has an empty namespace before `:`"),
                "write the submission id as namespace:pod, e.g. default:spark-pi-1a2b3c-driver",
            ));
        }
        Ok(AppRef {
            text: trimmed.to_string(),
            namespace: namespace.map(str::to_string),
            pattern: pattern.to_string(),
        })
    }

    /// Whether the pattern is a glob (`*` or `?`).
    pub fn is_glob(&self) -> bool {
        self.pattern.contains(['*', '?'])
    }
}

/// What the matcher needs to know about a driver pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverRef {
    /// Namespace of the pod.
    pub namespace: String,
    /// Name of the driver pod.
    pub pod_name: String,
    /// The `spark-app-name` label.
    pub app_name: Option<String>,
    /// The `spark-app-selector` label.
    pub app_id: Option<String>,
}

impl DriverRef {
    /// The matcher's view of a pod, or `None` when it is not a Spark driver.
    pub fn from_pod(pod: &Pod) -> Option<DriverRef> {
        let labels = pod.metadata.labels.as_ref()?;
        if labels.get(LABEL_ROLE).map(String::as_str) != Some("driver") {
            return None;
        }
        Some(DriverRef {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            pod_name: pod.metadata.name.clone().unwrap_or_default(),
            app_name: labels.get(LABEL_APP_NAME).cloned(),
            app_id: labels.get(LABEL_APP_SELECTOR).cloned(),
        })
    }

    /// The submission id, `namespace:pod`.
    pub fn submission_id(&self) -> String {
        format!("{}:{}", self.namespace, self.pod_name)
    }
}

/// Whether a pod is a Spark driver (`spark-role=driver`).
pub fn is_driver(pod: &Pod) -> bool {
    DriverRef::from_pod(pod).is_some()
}

/// The indices of the drivers a reference names.
///
/// A plain name matches pod names first; only when no pod has that name are app ids, then
/// app names (as typed, or sanitised the way Spark builds the label) tried. A glob matches
/// any driver whose pod name, app name or app id it matches. A namespace in the reference
/// restricts the candidates to that namespace.
pub fn match_drivers(reference: &AppRef, drivers: &[DriverRef]) -> Vec<usize> {
    let in_scope = |d: &DriverRef| {
        reference
            .namespace
            .as_ref()
            .is_none_or(|ns| *ns == d.namespace)
    };
    let select = |keep: &dyn Fn(&DriverRef) -> bool| -> Vec<usize> {
        drivers
            .iter()
            .enumerate()
            .filter(|(_, d)| in_scope(d) && keep(d))
            .map(|(i, _)| i)
            .collect()
    };
    if reference.is_glob() {
        let glob = WildMatch::new(&reference.pattern);
        return select(&|d| {
            glob.matches(&d.pod_name)
                || d.app_name.as_deref().is_some_and(|n| glob.matches(n))
                || d.app_id.as_deref().is_some_and(|id| glob.matches(id))
        });
    }
    let name = reference.pattern.as_str();
    let by_pod = select(&|d| d.pod_name == name);
    if !by_pod.is_empty() {
        return by_pod;
    }
    let by_id = select(&|d| d.app_id.as_deref() == Some(name));
    if !by_id.is_empty() {
        return by_id;
    }
    let label = app::app_name_label(name);
    select(&|d| {
        d.app_name
            .as_deref()
            .is_some_and(|n| n == name || n == label)
    })
}

/// Where a reference was looked up, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One namespace.
    Namespace(String),
    /// Every namespace (`-A`).
    All,
}

impl Scope {
    /// The namespace, or `None` for all.
    pub fn namespace(&self) -> Option<&str> {
        match self {
            Scope::Namespace(ns) => Some(ns),
            Scope::All => None,
        }
    }

    /// `namespace NS` or `any namespace`.
    pub fn describe(&self) -> String {
        match self {
            Scope::Namespace(ns) => format!("namespace {ns}"),
            Scope::All => "any namespace".to_string(),
        }
    }
}

/// The error for a reference that matched nothing.
pub fn not_found(reference: &AppRef, scope: &Scope) -> Error {
    let what = if reference.is_glob() {
        "matches"
    } else {
        "is named"
    };
    let hint = match scope {
        Scope::Namespace(ns) if reference.namespace.is_none() => format!(
            "list the applications with `kubectl spark list -n {ns}`, or look in every namespace with -A"
        ),
        Scope::Namespace(ns) => format!("list the applications with `kubectl spark list -n {ns}`"),
        Scope::All => "list the applications with `kubectl spark list -A`".to_string(),
    };
    Error::usage(
        format!(
            "no Spark application {what} `{}` in {}",
            reference.text,
            scope.describe()
        ),
        hint,
    )
}

/// The error for a reference that names several applications where one is needed: the
/// candidates newest first, with their state and age, and how to pick one.
pub fn ambiguous(reference: &AppRef, candidates: &[AppSummary]) -> Error {
    let newest = candidates
        .iter()
        .min_by(|a, b| crate::operate::summary::newest_first(a, b))
        .map(|s| s.submission_id.clone())
        .unwrap_or_default();
    Error::usage(
        format!(
            "`{}` names {} applications (newest first):{}",
            reference.text,
            candidates.len(),
            crate::operate::summary::candidate_lines(candidates)
        ),
        format!(
            "name one of them by its submission id, e.g. `{newest}`, or add --latest for the newest run"
        ),
    )
}

/// The error for a named pod that exists but is not a Spark driver: never acted upon.
pub fn not_a_driver(pod: &Pod) -> Error {
    let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    let labels = pod.metadata.labels.as_ref();
    let role = labels.and_then(|l| l.get(LABEL_ROLE)).map(String::as_str);
    let owner_driver = pod
        .metadata
        .owner_references
        .as_ref()
        .and_then(|refs| refs.iter().find(|r| r.kind == "Pod"))
        .map(|r| r.name.clone());
    match (role, owner_driver) {
        (Some("executor"), Some(driver)) => Error::usage(
            format!("pod {ns}/{name} is a Spark executor, not a driver"),
            format!(
                "name its application by the driver: `{ns}:{driver}` (for this executor's log: `kubectl spark logs {ns}:{driver} --executor <id>`)"
            ),
        ),
        (Some(role), _) => Error::usage(
            format!("pod {ns}/{name} is not a Spark driver (spark-role={role})"),
            "name the application by its driver pod, app name or app id; `kubectl spark list` shows them",
        ),
        (None, _) => Error::usage(
            format!("pod {ns}/{name} is not a Spark driver (it has no spark-role=driver label)"),
            "kubectl-spark only acts on Spark applications; `kubectl spark list` shows them",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn driver(ns: &str, pod: &str, name: &str, id: &str) -> DriverRef {
        DriverRef {
            namespace: ns.into(),
            pod_name: pod.into(),
            app_name: Some(name.into()),
            app_id: Some(id.into()),
        }
    }

    fn drivers() -> Vec<DriverRef> {
        vec![
            driver("a", "spark-pi-111-driver", "spark-pi", "spark-aaa"),
            driver("a", "spark-pi-222-driver", "spark-pi", "spark-bbb"),
            driver("a", "nightly-etl-333-driver", "nightly-etl", "spark-ccc"),
            driver("b", "spark-pi-444-driver", "spark-pi", "spark-ddd"),
        ]
    }

    fn matches(text: &str) -> Vec<usize> {
        match_drivers(&AppRef::parse(text).unwrap(), &drivers())
    }

    #[test]
    fn parses_submission_ids() {
        let r = AppRef::parse("ns:pod:x").unwrap();
        assert_eq!(r.namespace.as_deref(), Some("ns"));
        assert_eq!(r.pattern, "pod:x");
        assert!(!r.is_glob());
        let r = AppRef::parse("spark-pi*").unwrap();
        assert_eq!(r.namespace, None);
        assert!(r.is_glob());
        assert!(AppRef::parse("ns:").is_err());
        assert!(AppRef::parse("").is_err());
        assert!(AppRef::parse(":pod").is_err());
    }

    #[test]
    fn plain_names_prefer_pods_then_ids_then_app_names() {
        assert_eq!(matches("spark-pi-111-driver"), vec![0]);
        assert_eq!(matches("spark-ccc"), vec![2]);
        assert_eq!(matches("nightly-etl"), vec![2]);
        assert_eq!(matches("spark-pi"), vec![0, 1, 3]);
        assert_eq!(matches("a:spark-pi"), vec![0, 1]);
        assert_eq!(matches("b:spark-pi-111-driver"), Vec::<usize>::new());
        assert_eq!(matches("spark-pi-1"), Vec::<usize>::new());
    }

    #[test]
    fn app_names_match_as_spark_writes_the_label() {
        assert_eq!(matches("Nightly ETL"), vec![2]);
    }

    #[test]
    fn sparks_trailing_star_is_a_pod_name_prefix() {
        assert_eq!(matches("a:spark-pi-2*"), vec![1]);
        assert_eq!(matches("spark-pi-*"), vec![0, 1, 3]);
    }

    #[test]
    fn full_globs_match_names_and_ids() {
        assert_eq!(matches("*etl*"), vec![2]);
        assert_eq!(matches("*-33?-*"), vec![2]);
        assert_eq!(matches("spark-dd?"), vec![3]);
        assert_eq!(matches("*"), vec![0, 1, 2, 3]);
        assert_eq!(matches("b:*"), vec![3]);
        assert_eq!(matches("*nothing*"), Vec::<usize>::new());
    }

    #[test]
    fn only_drivers_are_candidates() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p", "namespace": "n", "labels": {"spark-role": "executor"},
                         "ownerReferences": [{"apiVersion": "v1", "kind": "Pod", "name": "d-driver", "uid": "u"}]}
        }))
        .unwrap();
        assert!(DriverRef::from_pod(&pod).is_none());
        let err = not_a_driver(&pod);
        assert!(err.to_string().contains("is a Spark executor"));
        assert!(err.hint().unwrap().contains("n:d-driver"));
        let plain: Pod = serde_json::from_value(
            serde_json::json!({"metadata": {"name": "web", "namespace": "n"}}),
        )
        .unwrap();
        assert!(!is_driver(&plain));
        assert!(
            not_a_driver(&plain)
                .to_string()
                .contains("no spark-role=driver label")
        );
    }

    #[test]
    fn ambiguity_lists_the_candidates_newest_first() {
        let pod = |name: &str, created: &str| -> Pod {
            serde_json::from_value(serde_json::json!({
                "metadata": {"name": name, "namespace": "a", "creationTimestamp": created,
                             "labels": {"spark-role": "driver", "spark-app-name": "spark-pi"}},
                "status": {"phase": "Succeeded"}}))
            .unwrap()
        };
        let now = "2025-01-01T11:00:00Z".parse().unwrap();
        let candidates: Vec<AppSummary> = [
            pod("spark-pi-111-driver", "2025-01-01T09:00:00Z"),
            pod("spark-pi-222-driver", "2025-01-01T10:00:00Z"),
        ]
        .iter()
        .map(|p| crate::operate::summary::summarize(p, [], now))
        .collect();
        let err = ambiguous(&AppRef::parse("spark-pi").unwrap(), &candidates);
        let text = err.to_string();
        assert!(
            text.starts_with("`spark-pi` names 2 applications (newest first):"),
            "{text}"
        );
        let lines: Vec<&str> = text.lines().skip(1).collect();
        assert!(
            lines[0].starts_with("  a:spark-pi-222-driver   succeeded   created 60m ago"),
            "{text}"
        );
        assert!(lines[1].starts_with("  a:spark-pi-111-driver"), "{text}");
        let hint = err.hint().unwrap();
        assert!(hint.contains("e.g. `a:spark-pi-222-driver`") && hint.contains("--latest"));
    }

    #[test]
    fn not_found_suggests_all_namespaces() {
        let err = not_found(&AppRef::parse("x").unwrap(), &Scope::Namespace("a".into()));
        assert_eq!(
            err.to_string(),
            "no Spark application is named `x` in namespace a"
        );
        assert!(err.hint().unwrap().contains("-A"));
        let err = not_found(&AppRef::parse("x*").unwrap(), &Scope::All);
        assert_eq!(
            err.to_string(),
            "no Spark application matches `x*` in any namespace"
        );
    }
}
