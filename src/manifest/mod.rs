//! Operator manifests as another front door to `submit`: a `SparkApplication` of the Kubeflow
//! operator (`sparkoperator.k8s.io/v1beta2`, and the `template` of a
//! `ScheduledSparkApplication`) or of Apache's operator (`spark.apache.org/v1`, `v1beta1`) is
//! translated, purely, into the same [`SubmitOptions`] that spark-submit's flags produce, plus
//! the pod templates for what the Kubeflow webhook would have patched into the pods. The rest
//! of the pipeline (resolve → plan → apply → wait) is unchanged.
//!
//! What only an operator's controller does (restarts, TTLs, UI ingress, monitoring, batch
//! scheduler PodGroups, schedules) cannot happen without one: each such field becomes a
//! warning naming it and what to use instead.
//!
//! The reverse direction (`kubectl spark convert --to kubeflow|apache`) lives in [`emit`].

pub mod apache;
pub mod bundle;
pub mod emit;
pub mod kubeflow;
pub mod servers;
pub mod source;
pub mod template;
pub mod yaml;

use k8s_openapi::api::core::v1::Pod;

use crate::conf::submit_args::SubmitOptions;
use crate::error::{Error, Result};
pub use source::read_source;
use template::Overlay;
use yaml::{Document, Obj};

/// Which schema a document follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Kubeflow `SparkApplication` (`sparkoperator.k8s.io/v1beta2`).
    Kubeflow,
    /// Kubeflow `ScheduledSparkApplication`: its `template`, run once now.
    KubeflowScheduled,
    /// Apache `SparkApplication` (`spark.apache.org/v1` or `v1beta1`).
    Apache,
}

/// The pod template of one role (driver or executor).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoleTemplate {
    /// The template the manifest gives inline (`spec.driver.template`,
    /// `spec.driverSpec.podTemplateSpec`).
    pub inline: Option<Pod>,
    /// What the Kubeflow webhook would have patched into the pod.
    pub overlay: Overlay,
}

/// Driver or executor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The driver.
    Driver,
    /// The executors.
    Executor,
}

impl Role {
    /// `driver` / `executor`, as in Spark's keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Driver => "driver",
            Role::Executor => "executor",
        }
    }

    /// `spark.kubernetes.<role>.podTemplateFile`.
    pub fn template_file_key(self) -> String {
        format!("spark.kubernetes.{}.podTemplateFile", self.as_str())
    }

    /// `spark.kubernetes.<role>.podTemplateContainerName`.
    pub fn template_container_key(self) -> String {
        format!(
            "spark.kubernetes.{}.podTemplateContainerName",
            self.as_str()
        )
    }

    /// Spark's default container name for the role (what the Kubeflow operator names it too).
    pub fn default_container(self) -> &'static str {
        match self {
            Role::Driver => "spark-kubernetes-driver",
            Role::Executor => "spark-kubernetes-executor",
        }
    }
}

/// One manifest document, translated.
#[derive(Debug, Clone, PartialEq)]
pub struct Translated {
    /// `<source> document <n>`.
    pub label: String,
    /// The schema.
    pub flavor: Flavor,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, if given.
    pub namespace: Option<String>,
    /// The Spark version the manifest states (`spec.sparkVersion`,
    /// `spec.runtimeVersions.sparkVersion`).
    pub spark_version: Option<String>,
    /// The spark-submit options the operator would have run spark-submit with.
    pub options: SubmitOptions,
    /// The driver's template.
    pub driver: RoleTemplate,
    /// The executors' template.
    pub executor: RoleTemplate,
    /// One warning per field only an operator's controller acts on.
    pub warnings: Vec<String>,
    /// `spec.restartPolicy` (Kubeflow), honoured by `submit -f` while it waits.
    pub restart: crate::submit::retry::RetryPolicy,
}

impl Translated {
    /// The role's template.
    pub fn template(&self, role: Role) -> &RoleTemplate {
        match role {
            Role::Driver => &self.driver,
            Role::Executor => &self.executor,
        }
    }

    /// The value the options give to a conf key (last `--conf` wins), if any.
    pub fn conf_value(&self, key: &str) -> Option<String> {
        self.options
            .confs
            .iter()
            .rev()
            .find_map(|c| c.strip_prefix(key)?.strip_prefix('=').map(str::to_string))
    }

    /// Whether the role needs a generated template (webhook fields or an inline template).
    pub fn needs_template(&self, role: Role) -> bool {
        let t = self.template(role);
        t.inline.is_some() || !t.overlay.is_empty()
    }
}

/// A pod template ready to hand to Spark, in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct BuiltTemplate {
    /// The pod.
    pub pod: Pod,
    /// `spark.kubernetes.<role>.podTemplateFile`'s value: the file the manifest named, or a
    /// descriptive name for a generated template (never read).
    pub file: String,
    /// `spark.kubernetes.<role>.podTemplateContainerName`'s value, when it is to be set: the
    /// Kubeflow operator always names Spark's container; Apache's leaves Spark's choice.
    pub container: Option<String>,
}

/// Builds the role's template: the manifest's inline template, else `named` (the template file
/// its `sparkConf` names, already read by the caller), with the webhook fields applied. `None`
/// when the manifest needs no template for this role.
pub fn build_template(t: &Translated, role: Role, named: Option<Pod>) -> Option<BuiltTemplate> {
    if !t.needs_template(role) {
        return None;
    }
    let rt = t.template(role);
    let named_file = t.conf_value(&role.template_file_key());
    let base = rt.inline.clone().or(named);
    let container_key = role.template_container_key();
    let container_name = t.conf_value(&container_key);
    let file = match (&rt.inline, named_file) {
        (None, Some(f)) => f,
        _ => format!("{}-{}-pod-template.yaml", t.name, role.as_str()),
    };
    if rt.overlay.is_empty() {
        // An inline template only: handed to Spark as written.
        let container = (t.flavor != Flavor::Apache && container_name.is_none())
            .then(|| role.default_container().to_string());
        return Some(BuiltTemplate {
            pod: base.unwrap_or_default(),
            file,
            container,
        });
    }
    let (pod, container) = template::apply(
        base,
        &rt.overlay,
        container_name.as_deref(),
        role.default_container(),
    );
    Some(BuiltTemplate {
        pod,
        file,
        container: Some(container),
    })
}

/// Adds the template confs for built templates to the options (after the manifest's own
/// confs, so they win).
pub fn add_template_confs(options: &mut SubmitOptions, role: Role, built: &BuiltTemplate) {
    options
        .confs
        .push(format!("{}={}", role.template_file_key(), built.file));
    if let Some(container) = &built.container {
        options
            .confs
            .push(format!("{}={container}", role.template_container_key()));
    }
}

/// Parses and translates every document of a manifest stream, which must hold applications
/// only (`submit -f` also takes the plain objects an application uses: [`bundle::read`]).
/// Nothing is partially accepted: the first bad document fails the whole stream.
pub fn translate_all(text: &str, source: &str, now_nanos: i128) -> Result<Vec<Translated>> {
    let b = bundle::read(text, source, now_nanos)?;
    if let Some(o) = b.objects.first() {
        return Err(Error::usage(
            format!(
                "{}: {} is not a SparkApplication; convert translates applications only",
                o.label,
                o.display()
            ),
            "remove the other objects from the file (`kubectl spark submit -f` creates them with the application)",
        ));
    }
    Ok(b.apps)
}

/// Translates one document, choosing the schema from `apiVersion` and `kind`.
pub fn translate(doc: &Document, label: String, now_nanos: i128) -> Result<Translated> {
    let root = Obj::root(doc)?;
    let api_version = root.required_str("apiVersion")?;
    let kind = root.required_str("kind")?;
    match (api_version.as_str(), kind.as_str()) {
        ("sparkoperator.k8s.io/v1beta2", "SparkApplication") => {
            kubeflow::translate(&root, label, false, now_nanos)
        }
        ("sparkoperator.k8s.io/v1beta2", "ScheduledSparkApplication") => {
            kubeflow::translate(&root, label, true, now_nanos)
        }
        ("spark.apache.org/v1" | "spark.apache.org/v1beta1", "SparkApplication") => {
            apache::translate(&root, label)
        }
        ("sparkoperator.k8s.io/v1beta1", _) => Err(root.at().error(
            "apiVersion sparkoperator.k8s.io/v1beta1 is not supported",
            "move the manifest to sparkoperator.k8s.io/v1beta2 (the Kubeflow operator's own \
             upgrade path); the fields are the same for most applications",
        )),
        _ => Err(Error::usage(
            format!(
                "{} line 1: apiVersion {api_version}, kind {kind}: not a SparkApplication this \
                 command reads",
                doc.source
            ),
            "supported: sparkoperator.k8s.io/v1beta2 SparkApplication and \
             ScheduledSparkApplication (Kubeflow), spark.apache.org/v1 and v1beta1 \
             SparkApplication (Apache)",
        )),
    }
}

/// The fields of `metadata` both operators read: name (required), namespace, labels.
pub(crate) struct Metadata {
    pub name: String,
    pub namespace: Option<String>,
    pub labels: Vec<(String, String)>,
}

/// Reads `metadata`; bookkeeping fields the API server writes are accepted and ignored.
pub(crate) fn metadata(root: &Obj<'_>) -> Result<Metadata> {
    let Some(meta) = root.get("metadata") else {
        return Err(root.at().error(
            "missing required field `metadata`",
            "add `metadata:` with a `name:`",
        ));
    };
    let meta = meta.obj("metadata")?;
    meta.deny_unknown(&[
        "name",
        "namespace",
        "labels",
        "annotations",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "managedFields",
        "finalizers",
        "ownerReferences",
        "selfLink",
    ])?;
    if meta.has("generateName") {
        return Err(meta.at().error(
            "generateName is not supported",
            "give metadata.name: kubectl-spark makes every run's objects unique anyway",
        ));
    }
    let name = meta.required_str("name")?;
    Ok(Metadata {
        name,
        namespace: meta.str("namespace")?,
        labels: meta.str_map("labels")?,
    })
}

#[cfg(test)]
mod tests;
