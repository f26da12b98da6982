//! A manifest file that bundles plain Kubernetes objects with its `SparkApplication`s, as the
//! operators' published examples do (the ConfigMaps and Secrets a pod template mounts, the
//! service account the driver runs as, then the application). `submit -f` creates the plain
//! objects too, as `kubectl apply -f` would; here they are sorted out of the stream, checked
//! (only namespaced kinds an application can use; anything else is refused, naming it) and
//! kept as written, in file order.

use crate::error::{Error, Result};
use crate::manifest::yaml::{self, Document, Obj};
use crate::manifest::{Translated, translate};

/// The kinds `submit -f` creates beside applications: `(apiVersion, kind, plural)`. All are
/// namespaced objects a driver or executor pod refers to (volumes, env, pull secrets, its
/// service account and that account's permissions).
pub const KINDS: &[(&str, &str, &str)] = &[
    ("v1", "ConfigMap", "configmaps"),
    ("v1", "Secret", "secrets"),
    ("v1", "PersistentVolumeClaim", "persistentvolumeclaims"),
    ("v1", "ServiceAccount", "serviceaccounts"),
    ("v1", "Service", "services"),
    ("rbac.authorization.k8s.io/v1", "Role", "roles"),
    (
        "rbac.authorization.k8s.io/v1",
        "RoleBinding",
        "rolebindings",
    ),
];

/// One plain object of the file, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct PlainObject {
    /// `<source> (document <n>)`.
    pub label: String,
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// The plural resource name (`configmaps`).
    pub plural: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, if given.
    pub namespace: Option<String>,
    /// The whole object as JSON.
    pub value: serde_json::Value,
}

impl PlainObject {
    /// `Kind/name`, as kubectl names it.
    pub fn display(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }

    /// Whether this is a Secret (its data is never shown in human output).
    pub fn is_secret(&self) -> bool {
        self.kind == "Secret" && self.api_version == "v1"
    }

    /// The API group (`""` for the core group).
    pub fn group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map(|(g, _)| g)
            .unwrap_or("")
    }

    /// The object to apply in `namespace`: `metadata.namespace` set, server-written
    /// bookkeeping fields dropped.
    pub fn for_namespace(&self, namespace: &str) -> serde_json::Value {
        let mut v = self.value.clone();
        if let Some(meta) = v.get_mut("metadata").and_then(|m| m.as_object_mut()) {
            meta.insert("namespace".into(), namespace.into());
            for k in [
                "uid",
                "resourceVersion",
                "generation",
                "creationTimestamp",
                "managedFields",
                "selfLink",
            ] {
                meta.remove(k);
            }
        }
        if let Some(o) = v.as_object_mut() {
            o.remove("status");
        }
        v
    }
}

/// A manifest stream sorted out: the plain objects and the applications, each in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    /// Plain objects, created before the applications.
    pub objects: Vec<PlainObject>,
    /// The applications.
    pub apps: Vec<Translated>,
}

/// Whether `(apiVersion, kind)` is a SparkApplication schema [`translate`] reads.
fn is_application(api_version: &str, kind: &str) -> bool {
    api_version.starts_with("sparkoperator.k8s.io/")
        || (api_version.starts_with("spark.apache.org/") && kind == "SparkApplication")
}

/// Reads one plain object, or refuses its kind naming it.
fn plain(doc: &Document, label: String, api_version: &str, kind: &str) -> Result<PlainObject> {
    let Some((_, _, plural)) = KINDS
        .iter()
        .find(|(v, k, _)| *v == api_version && *k == kind)
    else {
        let kinds: Vec<&str> = KINDS.iter().map(|(_, k, _)| *k).collect();
        return Err(Error::usage(
            format!(
                "{label}: apiVersion {api_version}, kind {kind}: `submit -f` creates \
                 SparkApplications and the objects they use ({}), not a {kind}",
                kinds.join(", ")
            ),
            "create it first with `kubectl apply -f` (it is not part of a Spark \
             application), then submit the file without it",
        ));
    };
    let root = Obj::root(doc)?;
    let meta = root.get("metadata").ok_or_else(|| {
        root.at().error(
            "missing required field `metadata`",
            "add `metadata:` with a `name:`",
        )
    })?;
    let meta = meta.obj("metadata")?;
    if meta.has("generateName") && !meta.has("name") {
        return Err(meta.at().error(
            "generateName is not supported for objects of a bundle",
            "give metadata.name: the application's pods refer to the object by name",
        ));
    }
    let name = meta.required_str("name")?;
    Ok(PlainObject {
        label,
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        plural: plural.to_string(),
        name,
        namespace: meta.str("namespace")?,
        value: doc.root.value.to_json(),
    })
}

/// Parses a manifest stream into its plain objects and translated applications. Nothing is
/// partially accepted: the first bad document fails the whole stream; a stream without any
/// application is an error.
pub fn read(text: &str, source: &str, now_nanos: i128) -> Result<Bundle> {
    let docs = yaml::parse_documents(text, source)?;
    if docs.is_empty() {
        return Err(Error::usage(
            format!("{source}: no manifest found (the input is empty)"),
            "pass a file with a SparkApplication manifest",
        ));
    }
    let many = docs.len() > 1;
    let mut bundle = Bundle {
        objects: Vec::new(),
        apps: Vec::new(),
    };
    for (i, doc) in docs.iter().enumerate() {
        let label = if many {
            format!("{source} (document {})", i + 1)
        } else {
            source.to_string()
        };
        let root = Obj::root(doc)?;
        let api_version = root.required_str("apiVersion")?;
        let kind = root.required_str("kind")?;
        if is_application(&api_version, &kind) {
            bundle.apps.push(translate(doc, label, now_nanos)?);
        } else if api_version.contains('/') || KINDS.iter().any(|(v, _, _)| *v == api_version) {
            bundle.objects.push(plain(doc, label, &api_version, &kind)?);
        } else {
            // Neither a SparkApplication nor a Kubernetes object: translate's error names
            // the schemas it reads.
            bundle.apps.push(translate(doc, label, now_nanos)?);
        }
    }
    if bundle.apps.is_empty() {
        let names: Vec<String> = bundle.objects.iter().map(PlainObject::display).collect();
        return Err(Error::usage(
            format!(
                "{source}: no SparkApplication in it (only {})",
                names.join(", ")
            ),
            "add the SparkApplication to the file, or create these objects with `kubectl apply -f`",
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for o in &bundle.objects {
        if !seen.insert((o.kind.clone(), o.name.clone(), o.namespace.clone())) {
            return Err(Error::usage(
                format!("{}: {} appears twice in the file", o.label, o.display()),
                "keep one of them",
            ));
        }
    }
    Ok(bundle)
}

/// The human summary of a bundle's objects: `Kind/name` only (never a Secret's data).
pub fn summary(objects: &[PlainObject]) -> String {
    objects
        .iter()
        .map(PlainObject::display)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata:
  name: pi
spec:
  type: Scala
  mode: cluster
  image: apache/spark:4.0.1
  mainClass: org.apache.spark.examples.SparkPi
  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
  sparkVersion: 4.0.1
  driver:
    cores: 1
    memory: 512m
  executor:
    instances: 1
    cores: 1
    memory: 512m
";

    fn bundle_text() -> String {
        format!(
            "apiVersion: v1
kind: ConfigMap
metadata:
  name: app-conf
data:
  a.conf: hello
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: team
type: Opaque
stringData:
  password: s3cr3t
---
{APP}"
        )
    }

    #[test]
    fn plain_objects_are_kept_in_file_order_before_the_application() {
        let b = read(&bundle_text(), "app.yaml", 0).unwrap();
        assert_eq!(b.apps.len(), 1);
        assert_eq!(b.apps[0].name, "pi");
        let names: Vec<String> = b.objects.iter().map(PlainObject::display).collect();
        assert_eq!(names, ["ConfigMap/app-conf", "Secret/creds"]);
        assert_eq!(b.objects[0].label, "app.yaml (document 1)");
        assert_eq!(b.objects[0].plural, "configmaps");
        assert_eq!(b.objects[1].namespace.as_deref(), Some("team"));
        assert!(b.objects[1].is_secret());
        assert_eq!(b.objects[0].value["data"]["a.conf"], "hello");
        assert_eq!(summary(&b.objects), "ConfigMap/app-conf, Secret/creds");
        assert!(!summary(&b.objects).contains("s3cr3t"));
    }

    #[test]
    fn the_namespace_is_set_and_bookkeeping_dropped() {
        let text = format!(
            "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: r
  resourceVersion: \"12\"
  uid: abc
rules: []
---
{APP}"
        );
        let b = read(&text, "x.yaml", 0).unwrap();
        let o = &b.objects[0];
        assert_eq!(o.group(), "rbac.authorization.k8s.io");
        let v = o.for_namespace("ns1");
        assert_eq!(v["metadata"]["namespace"], "ns1");
        assert!(v["metadata"].get("uid").is_none());
        assert!(v["metadata"].get("resourceVersion").is_none());
    }

    #[test]
    fn kinds_that_make_no_sense_here_are_refused_by_name() {
        let text = format!(
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
---
{APP}"
        );
        let e = read(&text, "x.yaml", 0).unwrap_err().to_string();
        assert!(
            e.contains("x.yaml (document 1)") && e.contains("kind Deployment"),
            "{e}"
        );
        let ns = format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n---\n{APP}");
        let e = read(&ns, "x.yaml", 0).unwrap_err().to_string();
        assert!(e.contains("kind Namespace"), "{e}");
    }

    #[test]
    fn a_file_without_an_application_is_an_error() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";
        let e = read(text, "x.yaml", 0).unwrap_err().to_string();
        assert!(
            e.contains("no SparkApplication") && e.contains("ConfigMap/c"),
            "{e}"
        );
    }

    #[test]
    fn an_object_twice_is_an_error() {
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\n";
        let e = read(&format!("{cm}{cm}{APP}"), "x.yaml", 0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("ConfigMap/c appears twice"), "{e}");
    }

    #[test]
    fn an_unknown_document_still_gets_the_schema_error() {
        let e = read(
            "apiVersion: foo\nkind: Bar\nmetadata:\n  name: x\n",
            "x.yaml",
            0,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("not a SparkApplication"), "{e}");
    }
}
