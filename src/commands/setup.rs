//! `kubectl spark setup`: the driver's ServiceAccount and the RBAC it (and optionally a
//! submitter) needs, applied idempotently by server-side apply. Every object carries
//! `app.kubernetes.io/managed-by: kubectl-spark`; `--delete` removes only such objects with the
//! names setup would create.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::{Client, Resource};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::cli::{KubeFlags, ObjectFormat, SetupArgs};
use crate::conf::SparkVersion;
use crate::error::{Error, Result};
use crate::kube as k;
use crate::output;
use crate::submit::apply::FIELD_MANAGER;

/// The label every object setup creates carries.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "kubectl-spark");
/// Name of the submitter Role and RoleBinding.
pub const SUBMITTER_ROLE: &str = "kubectl-spark-submitter";

/// One rule: its API group, resources and verbs.
type Rule = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

/// Every verb, for the kinds a driver creates besides pods, and for a submitter.
const ALL_VERBS: &[&str] = &[
    "create",
    "get",
    "list",
    "watch",
    "delete",
    "deletecollection",
    "patch",
    "update",
];
/// What a driver does with its executor pods: every verb but the last, `update` (it never
/// updates a pod).
const POD_VERBS: &[&str] = ALL_VERBS.split_last().unwrap().1;

/// The driver's rules for every version (see [`driver_rules`]).
const DRIVER_RULES: &[Rule] = &[
    ("", &["pods"], POD_VERBS),
    (
        "",
        &["services", "configmaps", "persistentvolumeclaims"],
        ALL_VERBS,
    ),
    ("apps", &["statefulsets", "deployments"], ALL_VERBS),
    (
        "apps",
        &["statefulsets/scale", "deployments/scale"],
        &["get", "patch", "update"],
    ),
];
/// The executor NetworkPolicy, for drivers of Spark 4.2 and later (and for submitters).
const NETWORK_POLICY_RULE: Rule = ("networking.k8s.io", &["networkpolicies"], ALL_VERBS);

/// See [`submitter_rules`].
const SUBMITTER_RULES: &[Rule] = &[
    (
        "",
        &[
            "pods",
            "services",
            "configmaps",
            "secrets",
            "persistentvolumeclaims",
        ],
        ALL_VERBS,
    ),
    ("", &["pods/log"], &["get"]),
    ("", &["serviceaccounts"], &["get", "list"]),
    ("", &["pods/portforward"], &["get", "create"]),
    // Spark's REST API on the driver's UI port, through the API server (progress, the
    // Spark columns of `status -o wide`, describe's Spark section).
    ("", &["pods/proxy"], &["get"]),
    ("", &["events"], &["get", "list", "watch"]),
    NETWORK_POLICY_RULE,
];

fn policy_rules<'a>(rules: impl IntoIterator<Item = &'a Rule>) -> Vec<PolicyRule> {
    rules
        .into_iter()
        .map(|(group, resources, verbs)| PolicyRule {
            api_groups: Some(vec![group.to_string()]),
            resources: Some(resources.iter().map(|s| s.to_string()).collect()),
            verbs: verbs.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        })
        .collect()
}

/// What a Spark driver of `version` does with the API (spec §10): executor pods, the
/// executor ConfigMaps and Services, on-demand PVCs, the executor NetworkPolicy (4.2+), and
/// the StatefulSet or Deployment (with their `scale` subresource) of the `statefulset` and
/// `deployment` executor allocators (`spark.kubernetes.allocation.pods.allocator`).
///
/// The allocators' kinds are granted always, not by an option: the allocator is a setting of
/// each submission, and one `setup` serves every submission to the namespace. It grants
/// nothing pods/create does not already: those controllers only create pods in the same
/// namespace, which the driver may do itself.
pub fn driver_rules(version: SparkVersion) -> Vec<PolicyRule> {
    let network_policies = version.at_least(4, 2).then_some(&NETWORK_POLICY_RULE);
    policy_rules(DRIVER_RULES.iter().chain(network_policies))
}

/// What `kubectl spark submit/status/list/describe/logs/ui/kill/cleanup` need.
pub fn submitter_rules() -> Vec<PolicyRule> {
    policy_rules(SUBMITTER_RULES)
}

/// Parses `User:NAME`, `Group:NAME`, `ServiceAccount:NAMESPACE:NAME` (kinds in any case) or
/// `system:serviceaccount:NAMESPACE:NAME` (the user name Kubernetes gives a service account).
pub fn parse_subject(text: &str) -> Result<Subject> {
    let bad = || {
        Error::usage(
            format!(
                "--submitter {text}: expected User:NAME, Group:NAME, ServiceAccount:NAMESPACE:NAME \
                 or system:serviceaccount:NAMESPACE:NAME"
            ),
            "e.g. --submitter User:alice, --submitter Group:data-engineers or --submitter ServiceAccount:ci:runner",
        )
    };
    let text_sa = text
        .strip_prefix("system:serviceaccount:")
        .map(|rest| format!("ServiceAccount:{rest}"));
    let (kind, rest) = text_sa
        .as_deref()
        .unwrap_or(text)
        .split_once(':')
        .ok_or_else(bad)?;
    let rbac = Some("rbac.authorization.k8s.io".to_string());
    match kind.to_ascii_lowercase().as_str() {
        "user" | "group" if !rest.is_empty() => Ok(Subject {
            kind: if kind.eq_ignore_ascii_case("user") {
                "User".into()
            } else {
                "Group".into()
            },
            name: rest.to_string(),
            api_group: rbac,
            namespace: None,
        }),
        "serviceaccount" => {
            let (ns, name) = rest.split_once(':').ok_or_else(bad)?;
            if ns.is_empty() || name.is_empty() {
                return Err(bad());
            }
            Ok(Subject {
                kind: "ServiceAccount".into(),
                name: name.into(),
                namespace: Some(ns.into()),
                api_group: None,
            })
        }
        _ => Err(bad()),
    }
}

/// One object setup manages.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Managed {
    /// The namespace (`--create-namespace`; never deleted).
    Namespace(Namespace),
    /// The driver's service account.
    ServiceAccount(ServiceAccount),
    /// The driver or submitter Role.
    Role(Role),
    /// A binding in the namespace.
    RoleBinding(RoleBinding),
    /// The driver ClusterRole (`--cluster-wide` without `--cluster-role`).
    ClusterRole(ClusterRole),
    /// `--cluster-wide`.
    ClusterRoleBinding(ClusterRoleBinding),
}

fn meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(str::to_string),
        labels: Some(BTreeMap::from([(
            MANAGED_BY.0.to_string(),
            MANAGED_BY.1.to_string(),
        )])),
        ..Default::default()
    }
}

fn with_type<K: Resource<DynamicType = ()>>(mut v: serde_json::Value) -> serde_json::Value {
    if let Some(o) = v.as_object_mut() {
        o.insert("apiVersion".into(), K::api_version(&()).into());
        o.insert("kind".into(), K::kind(&()).into());
    }
    v
}

impl Managed {
    /// The object as JSON with apiVersion and kind.
    pub fn to_value(&self) -> serde_json::Value {
        let v = serde_json::to_value(self).unwrap_or_default();
        match self {
            Managed::Namespace(_) => with_type::<Namespace>(v),
            Managed::ServiceAccount(_) => with_type::<ServiceAccount>(v),
            Managed::Role(_) => with_type::<Role>(v),
            Managed::RoleBinding(_) => with_type::<RoleBinding>(v),
            Managed::ClusterRole(_) => with_type::<ClusterRole>(v),
            Managed::ClusterRoleBinding(_) => with_type::<ClusterRoleBinding>(v),
        }
    }
}

/// Everything setup applies for these arguments, in apply order.
pub fn plan(args: &SetupArgs, namespace: &str) -> Result<Vec<Managed>> {
    let version = match &args.spark_version {
        Some(v) => SparkVersion::parse(v)?,
        None => SparkVersion::DEFAULT,
    };
    let submitters = args
        .submitter
        .iter()
        .map(|s| parse_subject(s))
        .collect::<Result<Vec<_>>>()?;
    let sa = args.service_account.as_str();
    let mut out = Vec::new();
    if args.create_namespace {
        out.push(Managed::Namespace(Namespace {
            metadata: meta(namespace, None),
            ..Default::default()
        }));
    }
    out.push(Managed::ServiceAccount(ServiceAccount {
        metadata: meta(sa, Some(namespace)),
        ..Default::default()
    }));
    let sa_subject = Subject {
        kind: "ServiceAccount".into(),
        name: sa.into(),
        namespace: Some(namespace.into()),
        api_group: None,
    };
    let rbac = "rbac.authorization.k8s.io".to_string();
    let (role_kind, role_name) = match (&args.cluster_role, args.cluster_wide) {
        (Some(cr), _) => ("ClusterRole", cr.clone()),
        (None, true) => {
            let name = "kubectl-spark-driver".to_string();
            out.push(Managed::ClusterRole(ClusterRole {
                metadata: meta(&name, None),
                rules: Some(driver_rules(version)),
                ..Default::default()
            }));
            ("ClusterRole", name)
        }
        (None, false) => {
            let name = format!("{sa}-driver");
            out.push(Managed::Role(Role {
                metadata: meta(&name, Some(namespace)),
                rules: Some(driver_rules(version)),
            }));
            ("Role", name)
        }
    };
    let role_ref = RoleRef {
        api_group: rbac.clone(),
        kind: role_kind.into(),
        name: role_name.clone(),
    };
    if args.cluster_wide {
        out.push(Managed::ClusterRoleBinding(ClusterRoleBinding {
            metadata: meta(&format!("kubectl-spark-{namespace}-{sa}"), None),
            role_ref,
            subjects: Some(vec![sa_subject]),
        }));
    } else {
        let name = match &args.cluster_role {
            Some(cr) => format!("{sa}-{cr}"),
            None => role_name,
        };
        out.push(Managed::RoleBinding(RoleBinding {
            metadata: meta(&name, Some(namespace)),
            role_ref,
            subjects: Some(vec![sa_subject]),
        }));
    }
    if !submitters.is_empty() {
        out.push(Managed::Role(Role {
            metadata: meta(SUBMITTER_ROLE, Some(namespace)),
            rules: Some(submitter_rules()),
        }));
        out.push(Managed::RoleBinding(RoleBinding {
            metadata: meta(SUBMITTER_ROLE, Some(namespace)),
            role_ref: RoleRef {
                api_group: rbac,
                kind: "Role".into(),
                name: SUBMITTER_ROLE.into(),
            },
            subjects: Some(submitters),
        }));
    }
    Ok(out)
}

/// Applies `obj` (its kind's plural, e.g. `roles`, names it in an error).
async fn apply_one<K>(api: Api<K>, obj: &K, ns: &str) -> Result<()>
where
    K: Resource<DynamicType = ()> + Clone + Serialize + DeserializeOwned + std::fmt::Debug,
{
    let name = obj.meta().name.clone().unwrap_or_default();
    let mut value = with_type::<K>(serde_json::to_value(obj).unwrap_or_default());
    if let Some(m) = value.as_object_mut() {
        m.remove("status");
    }
    let pp = PatchParams::apply(FIELD_MANAGER).force();
    api.patch(&name, &pp, &Patch::Apply(&value))
        .await
        .map_err(|e| k::api_error(e, &format!("apply {}", K::plural(&())), ns))?;
    output::info(&format!("{} {name} applied", K::kind(&())));
    Ok(())
}

/// Deletes `name` only when it carries the managed-by label. Returns whether it deleted.
async fn delete_one<K>(api: Api<K>, name: &str, ns: &str) -> Result<bool>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
{
    let Some(obj) = api
        .get_opt(name)
        .await
        .map_err(|e| k::api_error(e, &format!("get {}", K::plural(&())), ns))?
    else {
        return Ok(false);
    };
    let managed = obj
        .meta()
        .labels
        .as_ref()
        .and_then(|l| l.get(MANAGED_BY.0))
        .is_some_and(|v| v == MANAGED_BY.1);
    if !managed {
        output::warn(&format!(
            "{} {name} is not labelled {}={}: left alone",
            K::kind(&()),
            MANAGED_BY.0,
            MANAGED_BY.1
        ));
        return Ok(false);
    }
    api.delete(name, &DeleteParams::default())
        .await
        .map_err(|e| k::api_error(e, &format!("delete {}", K::plural(&())), ns))?;
    output::info(&format!("{} {name} deleted", K::kind(&())));
    Ok(true)
}

async fn apply_all(client: &Client, objects: &[Managed], ns: &str) -> Result<()> {
    for o in objects {
        let c = client.clone();
        match o {
            Managed::Namespace(x) => apply_one(Api::all(c), x, ns).await?,
            Managed::ServiceAccount(x) => apply_one(Api::namespaced(c, ns), x, ns).await?,
            Managed::Role(x) => apply_one(Api::namespaced(c, ns), x, ns).await?,
            Managed::RoleBinding(x) => apply_one(Api::namespaced(c, ns), x, ns).await?,
            Managed::ClusterRole(x) => apply_one(Api::all(c), x, ns).await?,
            Managed::ClusterRoleBinding(x) => apply_one(Api::all(c), x, ns).await?,
        }
    }
    Ok(())
}

async fn delete_all(client: &Client, objects: &[Managed], ns: &str) -> Result<usize> {
    let mut n = 0;
    // Reverse order: bindings before the roles and the service account they name.
    for o in objects.iter().rev() {
        let name = match o {
            Managed::Namespace(_) => continue, // never delete a namespace
            Managed::ServiceAccount(x) => x.metadata.name.clone(),
            Managed::Role(x) => x.metadata.name.clone(),
            Managed::RoleBinding(x) => x.metadata.name.clone(),
            Managed::ClusterRole(x) => x.metadata.name.clone(),
            Managed::ClusterRoleBinding(x) => x.metadata.name.clone(),
        }
        .unwrap_or_default();
        let c = client.clone();
        let deleted = match o {
            Managed::Namespace(_) => false,
            Managed::ServiceAccount(_) => {
                delete_one(Api::<ServiceAccount>::namespaced(c, ns), &name, ns).await?
            }
            Managed::Role(_) => delete_one(Api::<Role>::namespaced(c, ns), &name, ns).await?,
            Managed::RoleBinding(_) => {
                delete_one(Api::<RoleBinding>::namespaced(c, ns), &name, ns).await?
            }
            Managed::ClusterRole(_) => {
                // Shared by every namespace set up with --cluster-wide: kept while any
                // ClusterRoleBinding still refers to it.
                let in_use = Api::<ClusterRoleBinding>::all(c.clone())
                    .list(&Default::default())
                    .await
                    .map_err(|e| k::api_error(e, "list clusterrolebindings", ns))?
                    .items
                    .iter()
                    .any(|b| b.role_ref.kind == "ClusterRole" && b.role_ref.name == name);
                if in_use {
                    output::info(&format!(
                        "ClusterRole {name} is still bound elsewhere: kept"
                    ));
                    false
                } else {
                    delete_one(Api::<ClusterRole>::all(c), &name, ns).await?
                }
            }
            Managed::ClusterRoleBinding(_) => {
                delete_one(Api::<ClusterRoleBinding>::all(c), &name, ns).await?
            }
        };
        n += usize::from(deleted);
    }
    Ok(n)
}

/// Runs `setup`; returns the exit code.
pub async fn run(flags: &KubeFlags, args: &SetupArgs) -> Result<u8> {
    if args.output.is_some() && !args.dry_run {
        return Err(Error::usage(
            "-o/--output only applies to --dry-run",
            "add --dry-run to print the objects",
        ));
    }
    if args.delete && args.dry_run {
        return Err(Error::usage_plain(
            "--delete and --dry-run cannot be combined",
        ));
    }
    let target = k::resolve(flags).await?;
    let ns = target.namespace.clone();
    let objects = plan(args, &ns)?;
    let defaults = defaults_objects(args, &ns)?;
    if args.dry_run {
        let mut items: Vec<serde_json::Value> = objects.iter().map(Managed::to_value).collect();
        items.extend(defaults.iter().flat_map(|(cm, secret)| {
            let mut v = vec![typed_value(cm, "ConfigMap")];
            v.extend(secret.as_ref().map(|s| typed_value(s, "Secret")));
            v
        }));
        let format = args.output.unwrap_or(ObjectFormat::Yaml);
        output::print_data(&output::render(&output::object_list(&items)?, format)?)?;
        return Ok(0);
    }
    let client = target.client()?;
    if args.delete {
        let n = delete_all(&client, &objects, &ns).await?
            + crate::defaults::cluster::delete_if_managed(&client, &ns, true, true).await?;
        output::info(&format!(
            "deleted {n} object(s) labelled {}={} in namespace {ns}",
            MANAGED_BY.0, MANAGED_BY.1
        ));
        return Ok(0);
    }
    apply_all(&client, &objects, &ns).await?;
    if let Some((cm, secret)) = &defaults {
        if let Some(dir) = &args.event_log_dir {
            // With the settings and secrets just given (never printed), before anything is
            // stored: a directory that cannot be written is bad input.
            let (d, secrets) = crate::defaults::from_setup(&defaults_request(args))?;
            let mut conf = d.conf.clone();
            for (k, v) in &secrets {
                conf.set(k, v);
            }
            let env = crate::store::settings::StoreEnv::capture();
            output::info(&crate::defaults::event_logs::ensure(dir.trim(), &conf, &env).await?);
        }
        crate::defaults::cluster::apply(&client, &ns, cm, secret.as_ref()).await?;
        let d = crate::defaults::NamespaceDefaults::from_config_map(cm)?;
        output::info(&format!(
            "namespace defaults of {ns} (applied by submit, connect and history below their own settings): {}",
            d.describe()
        ));
    }
    output::info(&format!(
        "namespace {ns} is ready for Spark drivers running as service account {}; submit with:",
        args.service_account
    ));
    output::print_data(&format!(
        "--conf spark.kubernetes.authenticate.driver.serviceAccountName={}\n",
        args.service_account
    ))?;
    Ok(0)
}

/// The namespace defaults' ConfigMap and Secret for `--event-log-dir`/`--image`/`--conf`
/// (None when none of them is given: existing defaults are left alone).
fn defaults_request(args: &SetupArgs) -> crate::defaults::SetupRequest<'_> {
    crate::defaults::SetupRequest {
        event_log_dir: args.event_log_dir.as_deref(),
        image: args.image.as_deref(),
        confs: &args.conf,
        service_account: &args.service_account,
    }
}

fn defaults_objects(args: &SetupArgs, ns: &str) -> Result<Option<(ConfigMap, Option<Secret>)>> {
    let req = defaults_request(args);
    if !req.wants_defaults() {
        return Ok(None);
    }
    if args.delete {
        return Err(Error::usage_plain(
            "--delete removes the namespace defaults too; --event-log-dir, --image and --conf cannot be combined with it",
        ));
    }
    let (defaults, secrets) = crate::defaults::from_setup(&req)?;
    Ok(Some((
        defaults.config_map(ns),
        crate::defaults::secret(ns, &secrets),
    )))
}

fn typed_value<T: Serialize>(obj: &T, kind: &str) -> serde_json::Value {
    let mut v = serde_json::to_value(obj).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert("apiVersion".into(), "v1".into());
        o.insert("kind".into(), kind.into());
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects() {
        assert_eq!(parse_subject("User:alice").unwrap().kind, "User");
        assert_eq!(parse_subject("Group:ci").unwrap().kind, "Group");
        let same = parse_subject("system:serviceaccount:ci:runner").unwrap();
        assert_eq!(
            (
                same.kind.as_str(),
                same.name.as_str(),
                same.namespace.as_deref()
            ),
            ("ServiceAccount", "runner", Some("ci"))
        );
        assert!(parse_subject("system:serviceaccount:ci").is_err());
        let sa = parse_subject("ServiceAccount:ci:runner").unwrap();
        assert_eq!(sa.namespace.as_deref(), Some("ci"));
        assert!(parse_subject("alice").is_err());
        assert!(parse_subject("User:").is_err());
    }

    #[test]
    fn network_policies_from_4_2() {
        let has_np = |v: &str| {
            driver_rules(SparkVersion::parse(v).unwrap())
                .iter()
                .any(|r| r.api_groups.as_deref() == Some(&["networking.k8s.io".to_string()]))
        };
        assert!(!has_np("4.0.1"));
        assert!(has_np("4.2.0"));
    }

    /// Every permission a driver's settings can call for (the ones preflight checks) is in
    /// the Role, for every allocator.
    #[test]
    fn the_driver_role_grants_what_any_settings_need() {
        use crate::conf::SparkConf;
        use crate::preflight::permissions::{ALLOCATOR_KEY, driver_needs};
        let rules = driver_rules(SparkVersion::parse("4.0.1").unwrap());
        let grants_to = |verb: &str, group: &str, resource: &str| {
            rules.iter().any(|r| {
                r.api_groups.as_deref() == Some(&[group.to_string()])
                    && r.resources.iter().flatten().any(|x| x == resource)
                    && r.verbs.iter().any(|v| v == verb)
            })
        };
        let grants = |group: &str, resource: &str| grants_to("create", group, resource);
        for allocator in ["direct", "statefulset", "deployment"] {
            let conf = SparkConf::from_pairs(&[
                (ALLOCATOR_KEY, allocator),
                (
                    "spark.kubernetes.executor.volumes.persistentVolumeClaim.d.options.claimName",
                    "OnDemand",
                ),
            ]);
            for need in driver_needs(&conf) {
                assert!(
                    grants(need.group, need.resource),
                    "{allocator}: {} not granted",
                    need.display()
                );
            }
        }
        // The StatefulSet allocator scales its set through the scale subresource.
        assert!(grants_to("update", "apps", "statefulsets/scale"));
    }
}
