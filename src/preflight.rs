//! Preflight checks, run by `submit` before it creates anything and by `kubectl spark doctor`:
//! the API server answers and is recent enough, the submitter may create what the submission
//! contains, the namespace and the driver's service account exist (and the account may do what
//! a driver does, when we may ask), every referenced object exists, and some Ready node can take
//! the driver (its requests, node selector, required node affinity and tolerations: [`nodes`]).
//! The checks run concurrently; when the namespace does not exist, that alone is reported
//! instead of everything that follows from it. A lookup we are not allowed to make is a warning
//! ("could not check"), never a failure.

pub mod executors;
pub mod nodes;
pub mod permissions;

use std::collections::{BTreeMap, BTreeSet};

use futures::future::{BoxFuture, FutureExt, join_all};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec, SubjectAccessReview,
    SubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::{
    ConfigMap, Namespace, Node, PersistentVolumeClaim, Pod, Secret, ServiceAccount,
};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use kube::api::{Api, ListParams, PostParams};
use kube::{Client, Resource};
use serde::de::DeserializeOwned;

use crate::conf::{SparkConf, SparkVersion};
use crate::error::{Error, Result};
use crate::output;
use crate::submit::plan::{PostObject, Submission};

/// The oldest Kubernetes minor version supported.
pub const MIN_MINOR: u32 = 33;

/// A check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Passed.
    Ok,
    /// Could not be checked (not allowed to look); not a failure.
    Warn,
    /// Not checked: needs a cluster-level permission submitters rarely have (SubjectAccessReview,
    /// listing nodes). Shown by `doctor`, logged at `-v` by `submit`.
    Skipped,
    /// Failed: the submission would not work.
    Fail,
}

/// One check's result.
#[derive(Debug, Clone)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// The outcome.
    pub status: Status,
    /// What was found (what is wrong, for a failure).
    pub detail: String,
    /// The command that fixes a failure.
    pub fix: Option<String>,
}

impl Check {
    fn ok(name: impl Into<String>, detail: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            status: Status::Ok,
            detail: detail.into(),
            fix: None,
        }
    }
    fn fail(name: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            status: Status::Fail,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
    fn warn(name: impl Into<String>, detail: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            status: Status::Warn,
            detail: detail.into(),
            fix: None,
        }
    }
    fn skipped(name: impl Into<String>, detail: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            status: Status::Skipped,
            detail: detail.into(),
            fix: None,
        }
    }
}

/// What the driver authenticates to the API server with (§3.5 of the spec): its service
/// account, unless credentials are shipped from this machine or already inside the pod.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum DriverAuth {
    /// The pod's service account (checked with a SubjectAccessReview).
    #[default]
    ServiceAccount,
    /// Credentials shipped in the `<prefix>-kubernetes-credentials` Secret; the driver
    /// authenticates with them and its service account's permissions do not matter.
    Shipped {
        /// The conf keys they came from, for messages.
        keys: Vec<String>,
        /// `…driver.oauthToken`.
        token: Option<String>,
        /// `…driver.clientCertFile` and `…driver.clientKeyFile` (PEM).
        client_cert_and_key: Option<(Vec<u8>, Vec<u8>)>,
    },
    /// Credential files inside the driver pod (`…driver.mounted.*`): what they allow cannot
    /// be checked from here.
    Mounted(Vec<String>),
}

impl std::fmt::Debug for DriverAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DriverAuth::ServiceAccount => f.write_str("ServiceAccount"),
            // Never the token or key themselves.
            DriverAuth::Shipped { keys, .. } => f.debug_tuple("Shipped").field(keys).finish(),
            DriverAuth::Mounted(keys) => f.debug_tuple("Mounted").field(keys).finish(),
        }
    }
}

/// What the driver of `sub` will authenticate with.
pub fn driver_auth(sub: &Submission) -> DriverAuth {
    use crate::submit::steps::credentials::{
        DRIVER_PREFIX, MOUNTED_PREFIX, SECRET_CLIENT_CERT, SECRET_CLIENT_KEY, SECRET_SUFFIX,
        SECRET_TOKEN,
    };
    let shipped = sub.post.iter().find_map(|o| match o {
        PostObject::Secret(s)
            if s.metadata
                .name
                .as_deref()
                .is_some_and(|n| n.ends_with(SECRET_SUFFIX)) =>
        {
            s.data.as_ref()
        }
        _ => None,
    });
    if let Some(data) = shipped {
        let get = |k: &str| data.get(k).map(|b| b.0.clone());
        let token = get(SECRET_TOKEN).map(|b| String::from_utf8_lossy(&b).trim().to_string());
        let client_cert_and_key = get(SECRET_CLIENT_CERT).zip(get(SECRET_CLIENT_KEY));
        if token.is_some() || client_cert_and_key.is_some() {
            let mut keys = Vec::new();
            if token.is_some() {
                keys.push(format!("{DRIVER_PREFIX}.oauthToken"));
            }
            if client_cert_and_key.is_some() {
                keys.push(format!("{DRIVER_PREFIX}.clientCertFile/clientKeyFile"));
            }
            return DriverAuth::Shipped {
                keys,
                token,
                client_cert_and_key,
            };
        }
    }
    let properties = driver_properties(sub);
    let mounted: Vec<String> = ["oauthTokenFile", "clientCertFile", "clientKeyFile"]
        .iter()
        .map(|s| format!("{MOUNTED_PREFIX}.{s}"))
        .filter(|k| properties.iter().any(|(key, v)| key == k && !v.is_empty()))
        .collect();
    if mounted.is_empty() {
        DriverAuth::ServiceAccount
    } else {
        DriverAuth::Mounted(mounted)
    }
}

/// The properties the driver runs with: `spark.properties` of the driver conf ConfigMap (the
/// last object created).
pub fn driver_properties(sub: &Submission) -> Vec<(String, String)> {
    match sub.post.last() {
        Some(PostObject::ConfigMap(cm)) => cm
            .data
            .as_ref()
            .and_then(|d| d.get("spark.properties"))
            .and_then(|text| crate::conf::properties::parse(text).ok())
            .unwrap_or_default(),
        _ => Default::default(),
    }
}

/// What to check, taken from a submission or from `doctor`'s flags.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Target namespace.
    pub namespace: String,
    /// The driver's service account.
    pub service_account: String,
    /// `(api group, resource)` the submitter creates.
    pub creates: Vec<(String, String)>,
    /// Secrets referenced (volumes, secretKeyRef env, pull secrets), with where from.
    pub secrets: BTreeMap<String, String>,
    /// ConfigMaps referenced and not created by the submission.
    pub config_maps: BTreeSet<String>,
    /// PVCs referenced and not created by the submission.
    pub pvcs: BTreeSet<String>,
    /// `priorityClassName`.
    pub priority_class: Option<String>,
    /// Driver CPU request in millicores.
    pub cpu_millis: Option<i64>,
    /// Driver memory request in bytes.
    pub memory_bytes: Option<i64>,
    /// Where the driver may be scheduled.
    pub placement: nodes::Placement,
    /// What one executor requests and where it may go (None: no executor, or not known).
    pub executor: Option<executors::ExecutorRequest>,
    /// What the driver authenticates with.
    pub driver_auth: DriverAuth,
    /// What the driver's identity must be allowed to create, from the settings
    /// ([`permissions::driver_needs`]).
    pub driver_needs: Vec<permissions::Need>,
    /// The driver's service account comes with the submission (a `submit -f` file bundles
    /// it): neither its existence nor its permissions can be checked before it is created.
    pub service_account_bundled: bool,
}

impl Inputs {
    /// Drops what an object the submission creates itself (bundled in a `submit -f` file)
    /// provides from the things that must already exist.
    pub fn provided(&mut self, kind: &str, name: &str) {
        match kind {
            "Secret" => {
                self.secrets.remove(name);
            }
            "ConfigMap" => {
                self.config_maps.remove(name);
            }
            "PersistentVolumeClaim" => {
                self.pvcs.remove(name);
            }
            "ServiceAccount" if name == self.service_account => {
                self.service_account_bundled = true;
            }
            _ => {}
        }
    }
}

fn kind_of(o: &PostObject) -> (&'static str, &'static str) {
    match o {
        PostObject::Secret(_) => ("", "secrets"),
        PostObject::Service(_) => ("", "services"),
        PostObject::NetworkPolicy(_) => ("networking.k8s.io", "networkpolicies"),
        PostObject::Pvc(_) => ("", "persistentvolumeclaims"),
        PostObject::ConfigMap(_) => ("", "configmaps"),
    }
}

/// Parses a Kubernetes quantity into units × `scale` (1000 for CPU millicores, 1 for bytes).
pub fn parse_quantity(q: &str, scale: f64) -> Option<i64> {
    let q = q.trim();
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(q.len());
    let (num, suffix) = q.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        _ => return None,
    };
    Some((n * mult * scale).ceil() as i64)
}

fn req(map: Option<&BTreeMap<String, Quantity>>, key: &str, scale: f64) -> i64 {
    map.and_then(|m| m.get(key))
        .and_then(|q| parse_quantity(&q.0, scale))
        .unwrap_or(0)
}

/// The pod's effective requests: max(sum of containers, max of init containers).
fn pod_requests(pod: &Pod) -> (i64, i64) {
    let Some(spec) = &pod.spec else { return (0, 0) };
    let sum = |key: &str, scale: f64| -> i64 {
        spec.containers
            .iter()
            .map(|c| {
                req(
                    c.resources.as_ref().and_then(|r| r.requests.as_ref()),
                    key,
                    scale,
                )
            })
            .sum()
    };
    let init_max = |key: &str, scale: f64| -> i64 {
        spec.init_containers
            .iter()
            .flatten()
            .map(|c| {
                req(
                    c.resources.as_ref().and_then(|r| r.requests.as_ref()),
                    key,
                    scale,
                )
            })
            .max()
            .unwrap_or(0)
    };
    (
        sum("cpu", 1000.0).max(init_max("cpu", 1000.0)),
        sum("memory", 1.0).max(init_max("memory", 1.0)),
    )
}

impl Inputs {
    /// What a submission needs.
    pub fn from_submission(sub: &Submission) -> Inputs {
        let mut creates: Vec<(String, String)> = vec![(String::new(), "pods".into())];
        let mut created_cms = BTreeSet::new();
        let mut created_pvcs = BTreeSet::new();
        for o in &sub.post {
            let (g, r) = kind_of(o);
            let k = (g.to_string(), r.to_string());
            if !creates.contains(&k) {
                creates.push(k);
            }
            match o {
                PostObject::ConfigMap(c) => {
                    created_cms.insert(c.metadata.name.clone().unwrap_or_default());
                }
                PostObject::Pvc(c) => {
                    created_pvcs.insert(c.metadata.name.clone().unwrap_or_default());
                }
                _ => {}
            }
        }
        let mut inputs = Inputs {
            namespace: sub.namespace.clone(),
            service_account: "default".into(),
            creates,
            driver_auth: driver_auth(sub),
            driver_needs: permissions::driver_needs(&conf_of(&driver_properties(sub))),
            ..Default::default()
        };
        let created_secrets: BTreeSet<String> = sub
            .post
            .iter()
            .filter_map(|o| match o {
                PostObject::Secret(s) => s.metadata.name.clone(),
                _ => None,
            })
            .collect();
        let Some(spec) = &sub.pod.spec else {
            return inputs;
        };
        if let Some(sa) = spec
            .service_account_name
            .as_ref()
            .or(spec.service_account.as_ref())
            .filter(|s| !s.is_empty())
        {
            inputs.service_account = sa.clone();
        }
        inputs.priority_class = spec.priority_class_name.clone().filter(|s| !s.is_empty());
        inputs.placement = nodes::Placement::of(spec);
        for s in spec.image_pull_secrets.iter().flatten() {
            if !s.name.is_empty() {
                inputs
                    .secrets
                    .insert(s.name.clone(), "an image pull secret".into());
            }
        }
        for v in spec.volumes.iter().flatten() {
            if let Some(name) = v.secret.as_ref().and_then(|s| s.secret_name.clone())
                && v.secret.as_ref().and_then(|s| s.optional) != Some(true)
            {
                inputs
                    .secrets
                    .insert(name, format!("mounted as volume {}", v.name));
            }
            if let Some(cm) = &v.config_map
                && cm.optional != Some(true)
                && !cm.name.is_empty()
                && !created_cms.contains(&cm.name)
            {
                inputs.config_maps.insert(cm.name.clone());
            }
            if let Some(pvc) = &v.persistent_volume_claim
                && !created_pvcs.contains(&pvc.claim_name)
                && pvc.claim_name != "OnDemand"
            {
                inputs.pvcs.insert(pvc.claim_name.clone());
            }
        }
        for c in spec
            .containers
            .iter()
            .chain(spec.init_containers.iter().flatten())
        {
            for e in c.env.iter().flatten() {
                if let Some(r) = e
                    .value_from
                    .as_ref()
                    .and_then(|v| v.secret_key_ref.as_ref())
                    && r.optional != Some(true)
                {
                    inputs
                        .secrets
                        .insert(r.name.clone(), format!("env {} (secretKeyRef)", e.name));
                }
            }
        }
        for n in &created_secrets {
            inputs.secrets.remove(n);
        }
        let (cpu, mem) = pod_requests(&sub.pod);
        inputs.cpu_millis = Some(cpu);
        inputs.memory_bytes = Some(mem);
        inputs.executor = executors::of_submission(sub);
        inputs
    }

    /// What `doctor` checks: what a submission with settings `conf` for Spark `version`
    /// creates, and what its driver then needs.
    pub fn namespace_level(
        namespace: &str,
        service_account: &str,
        conf: &SparkConf,
        version: &SparkVersion,
    ) -> Inputs {
        Inputs {
            namespace: namespace.into(),
            service_account: service_account.into(),
            creates: permissions::submitter_needs(conf, version)
                .iter()
                .map(|n| (n.group.to_string(), n.resource.to_string()))
                .collect(),
            driver_needs: permissions::driver_needs(conf),
            ..Default::default()
        }
    }
}

/// A [`SparkConf`] of parsed properties.
fn conf_of(properties: &[(String, String)]) -> SparkConf {
    let mut conf = SparkConf::new();
    for (k, v) in properties {
        conf.set(k.clone(), v.clone());
    }
    conf
}

fn is_forbidden(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 403 || s.code == 401)
}

/// The version check; an API server that cannot be reached is an error of its own (every
/// other check would only repeat it).
async fn check_version(client: Client) -> Result<Check> {
    let name = "API server reachable, Kubernetes ≥ 1.33";
    Ok(match client.apiserver_version().await {
        Err(e) if crate::kube::unreachable(&e).is_some() => {
            return Err(crate::kube::api_error(e, "get the server version", ""));
        }
        Err(e) => Check::fail(
            name,
            format!("the API server does not answer: {e}"),
            "check the cluster is up and the kubeconfig's server (`kubectl cluster-info`)",
        ),
        Ok(v) => {
            let minor: u32 = v
                .minor
                .trim_end_matches(|c: char| !c.is_ascii_digit())
                .parse()
                .unwrap_or(0);
            let major: u32 = v.major.parse().unwrap_or(0);
            if (major, minor) >= (1, MIN_MINOR) {
                Check::ok(name, v.git_version)
            } else {
                Check::fail(
                    name,
                    format!("server is {}, older than 1.{MIN_MINOR}", v.git_version),
                    "upgrade the cluster (or use spark-submit, which supports older servers)",
                )
            }
        }
    })
}

async fn check_namespace(client: Client, ns: String) -> Check {
    let title = format!("namespace {ns} exists");
    let api: Api<Namespace> = Api::all(client);
    match api.get_opt(&ns).await {
        Ok(Some(n)) if n.metadata.deletion_timestamp.is_some() => Check::fail(
            title,
            format!("namespace {ns} is being deleted"),
            format!("wait until it is gone, then: kubectl spark setup -n {ns} --create-namespace"),
        ),
        Ok(Some(_)) => Check::ok(title, ""),
        Ok(None) => Check::fail(
            title,
            format!("namespace {ns} does not exist"),
            format!(
                "kubectl spark setup -n {ns} --create-namespace (or pick another namespace with -n)"
            ),
        ),
        Err(e) if is_forbidden(&e) => Check::skipped(
            title,
            "not checked: you may not get namespaces (cluster permission)",
        ),
        Err(e) => Check::warn(title, format!("could not check: {e}")),
    }
}

async fn check_can_create(client: Client, ns: String, group: String, resource: String) -> Check {
    let name = format!("you may create {resource}");
    // `pods/portforward`: a subresource.
    let (kind, subresource) = match resource.split_once('/') {
        Some((kind, sub)) => (kind.to_string(), Some(sub.to_string())),
        None => (resource.clone(), None),
    };
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                namespace: Some(ns.clone()),
                verb: Some("create".into()),
                group: Some(group.clone()),
                resource: Some(kind),
                subresource,
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let mut answer = api.create(&PostParams::default(), &review).await;
    for _ in 0..RBAC_RETRIES {
        if !matches!(&answer, Ok(r) if !r.status.as_ref().is_some_and(|s| s.allowed)) {
            break;
        }
        tokio::time::sleep(RBAC_RETRY_PAUSE).await;
        answer = api.create(&PostParams::default(), &review).await;
    }
    match answer {
        Ok(r) if r.status.as_ref().is_some_and(|s| s.allowed) => Check::ok(name, "allowed"),
        Ok(_) => {
            let submitter = crate::kube::submitter_of_client(&client)
                .await
                .unwrap_or_else(|| "User:<you>".into());
            Check::fail(
                name,
                format!("you may not create {resource} in namespace {ns}"),
                format!(
                    "ask an admin to run `kubectl spark setup -n {ns} --submitter {submitter}` \
                     (check with `kubectl auth can-i create {resource} -n {ns}`)"
                ),
            )
        }
        Err(e) => Check::warn(name, format!("could not check: {e}")),
    }
}

/// Whether the submitter may read Spark's REST API through the API server (`get
/// pods/proxy`): without it progress, `status -o wide`'s Spark columns and describe's Spark
/// section are off, which is a warning, never a failure.
async fn check_progress_permission(client: Client, ns: String) -> Check {
    let name = format!(
        "you may {} (Spark's progress from the driver's UI port)",
        crate::spark::rest::PROXY_PERMISSION
    );
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                namespace: Some(ns.clone()),
                verb: Some("get".into()),
                resource: Some("pods".into()),
                subresource: Some("proxy".into()),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let api: Api<SelfSubjectAccessReview> = Api::all(client);
    match api.create(&PostParams::default(), &review).await {
        Ok(r) if r.status.as_ref().is_some_and(|s| s.allowed) => Check::ok(name, "allowed"),
        Ok(_) => Check::warn(
            name,
            format!(
                "not allowed in namespace {ns}: no live progress (stages, tasks) while waiting, \
                 `?` in status -o wide; an admin grants it with `kubectl spark setup -n {ns} \
                 --submitter User:<you>`"
            ),
        ),
        Err(e) => Check::warn(name, format!("could not check: {e}")),
    }
}

async fn check_exists<K>(
    client: Client,
    ns: String,
    name: String,
    what: String,
    fix: String,
) -> Check
where
    K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + DeserializeOwned
        + std::fmt::Debug,
{
    let kind = K::kind(&());
    let title = format!("{kind} {name} exists");
    let api: Api<K> = Api::namespaced(client, &ns);
    match api.get_opt(&name).await {
        Ok(Some(_)) => Check::ok(title, what),
        Ok(None) => Check::fail(
            title,
            format!("{kind} {name} ({what}) does not exist in namespace {ns}"),
            fix,
        ),
        Err(e) if is_forbidden(&e) => Check::warn(
            title,
            format!("could not check: you may not get {kind}s in namespace {ns}"),
        ),
        Err(e) => Check::warn(title, format!("could not check: {e}")),
    }
}

async fn check_priority_class(client: Client, name: String) -> Check {
    let title = format!("PriorityClass {name} exists");
    let api: Api<PriorityClass> = Api::all(client);
    match api.get_opt(&name).await {
        Ok(Some(_)) => Check::ok(title, ""),
        Ok(None) => Check::fail(
            title,
            format!("PriorityClass {name} does not exist"),
            format!("kubectl create priorityclass {name} --value=1000, or fix priorityClassName"),
        ),
        Err(e) if is_forbidden(&e) => {
            Check::warn(title, "could not check: you may not get priorityclasses")
        }
        Err(e) => Check::warn(title, format!("could not check: {e}")),
    }
}

/// A denial is asked again this many times before it counts: the API server authorizes from
/// an informer cache that sees a RoleBinding created a moment ago (`kubectl spark setup`
/// just before `submit`) only shortly after. Allowed answers cost no extra round trip.
const RBAC_RETRIES: usize = 3;
/// Pause between those retries.
const RBAC_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

/// "create `resource` of API `group` in namespace `ns`", for access reviews.
fn create_in(ns: &str, group: &str, resource: &str) -> ResourceAttributes {
    ResourceAttributes {
        namespace: Some(ns.to_string()),
        verb: Some("create".into()),
        group: Some(group.to_string()),
        resource: Some(resource.into()),
        ..Default::default()
    }
}

/// Creates one access review per resource concurrently and returns the resources denied. A
/// denial is asked again ([`RBAC_RETRIES`] times) before it counts; the first error ends it.
async fn denied_resources<K>(
    api: &Api<K>,
    resources: &[String],
    reviews: &[K],
    allowed: fn(&K) -> bool,
) -> Result<Vec<String>, kube::Error>
where
    K: Clone + DeserializeOwned + serde::Serialize + std::fmt::Debug,
{
    let pp = PostParams::default();
    let mut answers = join_all(reviews.iter().map(|r| api.create(&pp, r))).await;
    for _ in 0..RBAC_RETRIES {
        if !answers.iter().any(|a| matches!(a, Ok(r) if !allowed(r))) {
            break;
        }
        tokio::time::sleep(RBAC_RETRY_PAUSE).await;
        answers = join_all(reviews.iter().map(|r| api.create(&pp, r))).await;
    }
    let mut denied = Vec::new();
    for (resource, answer) in resources.iter().zip(answers) {
        if !allowed(&answer?) {
            denied.push(resource.clone());
        }
    }
    Ok(denied)
}

/// What a service account may create, by SubjectAccessReviews (a denial is asked again
/// [`RBAC_RETRIES`] times).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Every resource asked about.
    Allowed,
    /// Not these resources.
    Denied(Vec<String>),
    /// The review failed otherwise: the error.
    Unknown(String),
    /// Could not ask: we may not create subjectaccessreviews (a cluster permission).
    NotAllowedToAsk,
}

/// Whether `system:serviceaccount:NS:SA` may create each of `resources` (core group) in `ns`.
pub async fn service_account_may_create(
    client: &Client,
    ns: &str,
    sa: &str,
    resources: &[&str],
) -> Access {
    let pairs: Vec<(&str, &str)> = resources.iter().map(|r| ("", *r)).collect();
    service_account_may_create_in(client, ns, sa, &pairs).await
}

/// Whether `system:serviceaccount:NS:SA` may create each `(api group, resource)` in `ns`;
/// denied ones are named as `kubectl auth can-i` names them (`statefulsets.apps`).
pub async fn service_account_may_create_in(
    client: &Client,
    ns: &str,
    sa: &str,
    resources: &[(&str, &str)],
) -> Access {
    let api: Api<SubjectAccessReview> = Api::all(client.clone());
    let reviews: Vec<SubjectAccessReview> = resources
        .iter()
        .map(|(group, resource)| SubjectAccessReview {
            spec: SubjectAccessReviewSpec {
                user: Some(format!("system:serviceaccount:{ns}:{sa}")),
                groups: Some(vec![
                    "system:serviceaccounts".into(),
                    format!("system:serviceaccounts:{ns}"),
                    "system:authenticated".into(),
                ]),
                resource_attributes: Some(create_in(ns, group, resource)),
                ..Default::default()
            },
            ..Default::default()
        })
        .collect();
    let names = resource_names(resources);
    let allowed = |r: &SubjectAccessReview| r.status.as_ref().is_some_and(|s| s.allowed);
    let denied = match denied_resources(&api, &names, &reviews, allowed).await {
        Ok(denied) => denied,
        Err(e) if is_forbidden(&e) => return Access::NotAllowedToAsk,
        Err(e) => return Access::Unknown(e.to_string()),
    };
    if denied.is_empty() {
        Access::Allowed
    } else {
        Access::Denied(denied)
    }
}

/// `resource` or `resource.group` for each pair.
fn resource_names(resources: &[(&str, &str)]) -> Vec<String> {
    resources
        .iter()
        .map(|(g, r)| {
            if g.is_empty() {
                r.to_string()
            } else {
                format!("{r}.{g}")
            }
        })
        .collect()
}

/// The needs as `(group, resource)` pairs; the default three when none were given.
fn need_pairs(needs: &[permissions::Need]) -> Vec<(&'static str, &'static str)> {
    if needs.is_empty() {
        return vec![("", "pods"), ("", "services"), ("", "configmaps")];
    }
    needs.iter().map(|n| (n.group, n.resource)).collect()
}

/// "pods, services, configmaps" and, for a need a setting adds, "statefulsets.apps (for …)".
fn denied_text(denied: &[String], needs: &[permissions::Need]) -> String {
    denied
        .iter()
        .map(|d| match needs.iter().find(|n| &n.display() == d) {
            Some(n) if !matches!(n.resource, "pods" | "services" | "configmaps") => {
                format!("{d} (for {})", n.why)
            }
            _ => d.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The command that gives service account `sa` a driver's permissions in `ns`.
pub fn grant_fix(ns: &str, sa: &str) -> String {
    if sa == DEFAULT_SERVICE_ACCOUNT {
        format!("kubectl spark setup -n {ns}")
    } else {
        format!("kubectl spark setup -n {ns} --service-account {sa}")
    }
}

/// The service account `kubectl spark setup` creates by default.
const DEFAULT_SERVICE_ACCOUNT: &str = "spark";

/// Whether the service account may do what a driver does (a SubjectAccessReview, which needs
/// cluster permission: skipped with a note when not allowed).
async fn check_sa_permissions(
    client: Client,
    ns: String,
    sa: String,
    needs: Vec<permissions::Need>,
) -> Check {
    let title = format!("service account {sa} may run a driver");
    let pairs = need_pairs(&needs);
    let all = resource_names(&pairs).join(", ");
    match service_account_may_create_in(&client, &ns, &sa, &pairs).await {
        Access::Allowed => Check::ok(title, format!("may create {all}")),
        Access::NotAllowedToAsk => Check::skipped(
            title,
            "not checked: you may not create subjectaccessreviews (cluster permission)",
        ),
        Access::Unknown(e) => Check::warn(title, format!("could not check: {e}")),
        Access::Denied(denied) => {
            let fix = if sa == DEFAULT_SERVICE_ACCOUNT {
                grant_fix(&ns, &sa)
            } else {
                format!(
                    "{}, or use setup's own account: `kubectl spark setup -n {ns}` and submit with \
                     --conf spark.kubernetes.authenticate.driver.serviceAccountName={DEFAULT_SERVICE_ACCOUNT}",
                    grant_fix(&ns, &sa)
                )
            };
            Check::fail(
                title,
                format!(
                    "system:serviceaccount:{ns}:{sa} may not create {}: the driver would fail to start executors",
                    denied_text(&denied, &needs)
                ),
                fix,
            )
        }
    }
}

/// Whether the driver's shipped credentials may do what a driver does: SelfSubjectAccessReviews
/// made with those credentials. Rejected credentials fail; a review that cannot be made warns.
async fn check_driver_credentials(
    client: Client,
    ns: String,
    keys: String,
    needs: Vec<permissions::Need>,
) -> Check {
    let title = format!("the driver's credentials ({keys}) may run a driver");
    let api: Api<SelfSubjectAccessReview> = Api::all(client);
    let pairs = need_pairs(&needs);
    let resources = resource_names(&pairs);
    let reviews: Vec<SelfSubjectAccessReview> = pairs
        .iter()
        .map(|(group, resource)| SelfSubjectAccessReview {
            spec: SelfSubjectAccessReviewSpec {
                resource_attributes: Some(create_in(&ns, group, resource)),
                ..Default::default()
            },
            ..Default::default()
        })
        .collect();
    let allowed = |r: &SelfSubjectAccessReview| r.status.as_ref().is_some_and(|s| s.allowed);
    let denied = match denied_resources(&api, &resources, &reviews, allowed).await {
        Ok(denied) => denied,
        Err(kube::Error::Api(s)) if s.code == 401 => {
            return Check::fail(
                title,
                "the API server rejects them (401 Unauthorized): the driver could not start executors",
                format!(
                    "renew the credentials given by {keys}, or drop them and use a service account"
                ),
            );
        }
        Err(e) => return Check::warn(title, format!("could not check: {e}")),
    };
    if denied.is_empty() {
        Check::ok(title, format!("may create {}", resources.join(", ")))
    } else {
        Check::fail(
            title,
            format!(
                "they may not create {} in namespace {ns}: the driver would fail to start executors",
                denied_text(&denied, &needs)
            ),
            format!(
                "grant that identity create on {} in {ns} \
                 (`kubectl spark setup -n {ns} --submitter User:<name>`), or drop {keys} and submit \
                 with --conf spark.kubernetes.authenticate.driver.serviceAccountName=spark",
                resources.join(", ")
            ),
        )
    }
}

async fn check_node_fit(
    client: Client,
    cpu: i64,
    mem: i64,
    placement: nodes::Placement,
    role: nodes::Role,
) -> Check {
    // Compared with each node's allocatable capacity only: subtracting what running pods
    // request would mean listing every pod of the cluster on every submission (seen costing
    // 150 ms and 27 MiB with 1,000 pods in the benchmarks). This still catches requests no
    // node can ever hold, and selectors or taints that rule out every node: the cases that
    // leave a driver Pending forever.
    let title = format!("a Ready node can fit the {}", role.name());
    let title = title.as_str();
    let api: Api<Node> = Api::all(client);
    // From the API server's watch cache (resourceVersion=0): a consistent list waits for the
    // cache to catch up with etcd, which took ~70 ms of a 100 ms submission right after other
    // writes. Allocatable capacity a few seconds old is as good for this check.
    let list = match api.list(&ListParams::default().match_any()).await {
        Ok(n) => n,
        Err(e) if is_forbidden(&e) => {
            return Check::skipped(
                title,
                "not checked: you may not list nodes (cluster permission)",
            );
        }
        Err(e) => return Check::warn(title, format!("could not check: {e}")),
    };
    let mut misfits = Vec::new();
    for n in &list.items {
        let name = n.metadata.name.clone().unwrap_or_default();
        match nodes::misfit(n, &placement, cpu, mem) {
            None => return Check::ok(title, format!("node {name} can hold it (allocatable)")),
            Some(m) => misfits.push((name, m)),
        }
    }
    let (detail, fix) = nodes::explain(&misfits, &placement, cpu, mem, role);
    Check::fail(title, detail, fix)
}

/// Runs every check for `inputs` concurrently; results in a stable order. An API server
/// that cannot be reached is the error (the one line every command gives), not a list of
/// checks that could not be made.
pub async fn run_checks(client: &Client, inputs: &Inputs) -> Result<Vec<Check>> {
    run_checks_with(client, inputs, None).await
}

/// [`run_checks`], with the client the driver's shipped credentials make (when
/// [`DriverAuth::Shipped`]); without one, those credentials are not checked (a warning).
pub async fn run_checks_with(
    client: &Client,
    inputs: &Inputs,
    driver_client: Option<Client>,
) -> Result<Vec<Check>> {
    let ns = inputs.namespace.clone();
    // The version check runs beside these and comes first in the result.
    let mut futs: Vec<BoxFuture<'static, Check>> =
        vec![check_namespace(client.clone(), ns.clone()).boxed()];
    for (g, r) in &inputs.creates {
        futs.push(check_can_create(client.clone(), ns.clone(), g.clone(), r.clone()).boxed());
    }
    let sa = inputs.service_account.clone();
    if inputs.service_account_bundled {
        futs.push(
            std::future::ready(Check::ok(
                format!("the driver's service account {sa}"),
                "created from the file before the application",
            ))
            .boxed(),
        );
    } else {
        futs.push(
            check_exists::<ServiceAccount>(
                client.clone(),
                ns.clone(),
                sa.clone(),
                "the driver's service account".into(),
                grant_fix(&ns, &sa),
            )
            .boxed(),
        );
    }
    match &inputs.driver_auth {
        // Its permissions come with it (a bundled Role and RoleBinding), after this check.
        DriverAuth::ServiceAccount if inputs.service_account_bundled => {}
        DriverAuth::ServiceAccount => {
            futs.push(
                check_sa_permissions(client.clone(), ns.clone(), sa, inputs.driver_needs.clone())
                    .boxed(),
            );
        }
        DriverAuth::Shipped { keys, .. } => {
            let keys = keys.join(", ");
            match driver_client {
                Some(c) => futs.push(
                    check_driver_credentials(c, ns.clone(), keys, inputs.driver_needs.clone())
                        .boxed(),
                ),
                None => futs.push(
                    std::future::ready(Check::warn(
                        format!("the driver's credentials ({keys}) may run a driver"),
                        "could not check: no client could be made with them",
                    ))
                    .boxed(),
                ),
            }
        }
        DriverAuth::Mounted(keys) => futs.push(
            std::future::ready(Check::warn(
                format!(
                    "the driver's credentials ({}) may run a driver",
                    keys.join(", ")
                ),
                "could not check: they are files inside the driver pod; the driver uses them, \
                 not service account permissions",
            ))
            .boxed(),
        ),
    }
    for (s, from) in &inputs.secrets {
        futs.push(
            check_exists::<Secret>(
                client.clone(),
                ns.clone(),
                s.clone(),
                from.clone(),
                format!("kubectl create secret generic {s} -n {ns} --from-literal=KEY=VALUE (or --from-file=…; docker-registry for a pull secret)"),
            )
            .boxed(),
        );
    }
    for c in &inputs.config_maps {
        futs.push(
            check_exists::<ConfigMap>(
                client.clone(),
                ns.clone(),
                c.clone(),
                "a configMap volume".into(),
                format!("kubectl create configmap {c} -n {ns} --from-file=…"),
            )
            .boxed(),
        );
    }
    for p in &inputs.pvcs {
        futs.push(
            check_exists::<PersistentVolumeClaim>(
                client.clone(),
                ns.clone(),
                p.clone(),
                "a persistentVolumeClaim volume".into(),
                format!(
                    "create the claim (kubectl apply -n {ns} -f pvc.yaml) or use claimName=OnDemand"
                ),
            )
            .boxed(),
        );
    }
    futs.push(check_progress_permission(client.clone(), ns.clone()).boxed());
    // Everything above the namespace-wide checks below follows from the namespace existing
    // (+ 1: the version check, first in the result).
    let in_namespace = futs.len() + 1;
    if let Some(pc) = &inputs.priority_class {
        futs.push(check_priority_class(client.clone(), pc.clone()).boxed());
    }
    if let (Some(cpu), Some(mem)) = (inputs.cpu_millis, inputs.memory_bytes) {
        futs.push(
            check_node_fit(
                client.clone(),
                cpu,
                mem,
                inputs.placement.clone(),
                nodes::Role::Driver,
            )
            .boxed(),
        );
    }
    if let Some(e) = &inputs.executor {
        futs.push(
            check_node_fit(
                client.clone(),
                e.cpu_millis,
                e.memory_bytes,
                e.placement.clone(),
                nodes::Role::Executor,
            )
            .boxed(),
        );
    }
    let (version, others) = tokio::join!(check_version(client.clone()), join_all(futs));
    let mut checks = vec![version?];
    checks.extend(others);
    Ok(without_consequences_of_a_missing_namespace(
        checks,
        in_namespace,
    ))
}

/// When the namespace check (the second) failed, the checks inside the namespace (up to
/// `in_namespace`) only repeat it with worse fixes ("create the service account…"): drop them.
fn without_consequences_of_a_missing_namespace(
    checks: Vec<Check>,
    in_namespace: usize,
) -> Vec<Check> {
    if checks.get(1).is_none_or(|c| c.status != Status::Fail) {
        return checks;
    }
    checks
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i < 2 || *i >= in_namespace)
        .map(|(_, c)| c)
        .collect()
}

/// Renders checks as a table: `✓`, `!` (could not check), `-` (not checked: needs a cluster
/// permission) or `✗`, then the fix.
pub fn render(checks: &[Check]) -> String {
    let mut out = String::new();
    for c in checks {
        let mark = match c.status {
            Status::Ok => "✓",
            Status::Warn => "!",
            Status::Skipped => "-",
            Status::Fail => "✗",
        };
        out.push_str(&format!("{mark} {}", c.name));
        if !c.detail.is_empty() {
            out.push_str(&format!(": {}", c.detail));
        }
        out.push('\n');
        if let Some(fix) = &c.fix
            && c.status == Status::Fail
        {
            out.push_str(&format!("    fix: {fix}\n"));
        }
    }
    out
}

/// Submit's preflight: warnings go to stderr; any failure stops the submission (a usage
/// error, exit 2) before anything is created.
pub async fn check(
    client: &Client,
    target: &crate::kube::KubeTarget,
    sub: &Submission,
) -> Result<()> {
    check_inputs(client, target, &Inputs::from_submission(sub)).await
}

/// [`check`] for a submission whose file also creates `bundled` objects `(kind, name)` in
/// its namespace first: references to them are not required to exist yet.
pub async fn check_with_bundled(
    client: &Client,
    target: &crate::kube::KubeTarget,
    sub: &Submission,
    bundled: &[(String, String)],
) -> Result<()> {
    let mut inputs = Inputs::from_submission(sub);
    for (kind, name) in bundled {
        inputs.provided(kind, name);
    }
    check_inputs(client, target, &inputs).await
}

/// [`check`] for inputs the caller added to (e.g. `connect` also needs `pods/portforward`).
pub async fn check_inputs(
    client: &Client,
    target: &crate::kube::KubeTarget,
    inputs: &Inputs,
) -> Result<()> {
    let started = std::time::Instant::now();
    let driver_client = match &inputs.driver_auth {
        DriverAuth::Shipped {
            token,
            client_cert_and_key,
            ..
        } => {
            let (cert, key) = match client_cert_and_key {
                Some((c, k)) => (Some(c.as_slice()), Some(k.as_slice())),
                None => (None, None),
            };
            target.client_as(token.as_deref(), cert, key).ok()
        }
        _ => None,
    };
    let checks = run_checks_with(client, inputs, driver_client).await?;
    tracing::info!(
        "preflight: {} checks in {} ms",
        checks.len(),
        started.elapsed().as_millis()
    );
    for c in &checks {
        match c.status {
            Status::Warn => output::warn(&format!("preflight: {}: {}", c.name, c.detail)),
            Status::Skipped => tracing::info!("preflight: {}: {}", c.name, c.detail),
            _ => {}
        }
    }
    let failed: Vec<&Check> = checks.iter().filter(|c| c.status == Status::Fail).collect();
    if failed.is_empty() {
        return Ok(());
    }
    let mut message = format!(
        "preflight found {} problem(s); nothing was created:\n",
        failed.len()
    );
    for c in &failed {
        message.push_str(&format!("  ✗ {}: {}\n", c.name, c.detail));
        if let Some(fix) = &c.fix {
            message.push_str(&format!("      fix: {fix}\n"));
        }
    }
    Err(Error::usage(
        message.trim_end().to_string(),
        "fix the above, or pass --skip-preflight to submit anyway",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_driver_authenticates_with_what_it_is_given() {
        use crate::submit::steps::{build, fixtures::test_plan_with};
        let auth =
            |conf: &[(&str, &str)]| driver_auth(&build(&test_plan_with("4.0.1", conf)).unwrap());
        let sa = (
            "spark.kubernetes.authenticate.driver.serviceAccountName",
            "spark",
        );
        assert_eq!(auth(&[sa]), DriverAuth::ServiceAccount);
        match auth(&[
            sa,
            ("spark.kubernetes.authenticate.driver.oauthToken", "tok"),
        ]) {
            DriverAuth::Shipped { token, keys, .. } => {
                assert_eq!(token.as_deref(), Some("tok"));
                assert_eq!(keys, ["spark.kubernetes.authenticate.driver.oauthToken"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            auth(&[(
                "spark.kubernetes.authenticate.driver.mounted.oauthTokenFile",
                "/var/run/token"
            )]),
            DriverAuth::Mounted(vec![
                "spark.kubernetes.authenticate.driver.mounted.oauthTokenFile".into()
            ])
        );
        // The token never shows in debug output.
        let shipped = auth(&[(
            "spark.kubernetes.authenticate.driver.oauthToken",
            "tok-value",
        )]);
        assert!(!format!("{shipped:?}").contains("tok-value"));
    }

    /// What the driver must be allowed follows from the properties it is given; what a
    /// bundled file provides is not required to exist beforehand.
    #[test]
    fn a_submission_s_settings_decide_the_driver_s_needs() {
        use crate::submit::steps::{build, fixtures::test_plan_with};
        let inputs = |conf: &[(&str, &str)]| {
            Inputs::from_submission(&build(&test_plan_with("4.0.1", conf)).unwrap())
        };
        let names = |i: &Inputs| -> Vec<String> {
            i.driver_needs
                .iter()
                .map(permissions::Need::display)
                .collect()
        };
        assert_eq!(names(&inputs(&[])), ["pods", "services", "configmaps"]);
        let sts = inputs(&[(permissions::ALLOCATOR_KEY, "statefulset")]);
        assert!(names(&sts).contains(&"statefulsets.apps".to_string()));
        let mut bundled = inputs(&[("spark.kubernetes.driver.secrets.creds", "/mnt/creds")]);
        assert!(
            bundled.secrets.contains_key("creds"),
            "{:?}",
            bundled.secrets
        );
        bundled.provided("Secret", "creds");
        assert!(!bundled.secrets.contains_key("creds"));
        bundled.provided("ServiceAccount", &bundled.service_account.clone());
        assert!(bundled.service_account_bundled);
    }

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("500m", 1000.0), Some(500));
        assert_eq!(parse_quantity("2", 1000.0), Some(2000));
        assert_eq!(parse_quantity("1Gi", 1.0), Some(1 << 30));
        assert_eq!(parse_quantity("1408Mi", 1.0), Some(1408 << 20));
        assert_eq!(parse_quantity("1k", 1.0), Some(1000));
        assert_eq!(parse_quantity("x", 1.0), None);
    }
}
