//! Loading the driver pod template and choosing its Spark container (§6 of the spec), plus the
//! few pod-editing helpers every feature step shares (resource prefix, volumes, mounts, env).
//!
//! Spark starts the driver from the template when `spark.kubernetes.driver.podTemplateFile` is
//! set, otherwise from an empty pod. The template's Spark container is taken out of
//! `spec.containers` (the finished driver container is appended last by the builder); every
//! other field of the template is kept untouched and the steps layer on top of it.

use k8s_openapi::api::core::v1::{Container, EnvVar, Pod, PodSpec, Volume, VolumeMount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::error::{Error, Result};
use crate::submit::plan::{DriverSpec, Plan};

/// `spark.kubernetes.driver.podTemplateFile`: the driver pod template.
pub const TEMPLATE_FILE_KEY: &str = "spark.kubernetes.driver.podTemplateFile";
/// `spark.kubernetes.driver.podTemplateContainerName`: which template container is the driver.
pub const TEMPLATE_CONTAINER_KEY: &str = "spark.kubernetes.driver.podTemplateContainerName";

/// The resource name prefix of this submission (§2.2): derived from `spark.app.name`
/// (default `spark`) and the prefix unique id. Every `<prefix>-…` object name starts with it.
pub fn resource_prefix(plan: &Plan) -> String {
    let app_name = plan.conf.get("spark.app.name").unwrap_or("spark");
    crate::app::resource_prefix(app_name, &plan.ids.prefix_unique_id)
}

/// Parses a pod template (YAML or JSON) the way Spark loads it. Any failure is Spark's
/// `Could not load pod from template file.` followed by the detail and the key that named
/// the file. A template without `spec` fails too: Spark dereferences it while choosing the
/// Spark container.
pub fn parse_template(text: &str, key: &str) -> Result<Pod> {
    let fail = |detail: &str| {
        Error::usage(
            format!("Could not load pod from template file. {key}: {detail}"),
            format!(
                "make the file named by {key} a single Kubernetes Pod (apiVersion: v1, kind: Pod) \
                 in YAML or JSON, with a `spec`"
            ),
        )
    };
    if text.trim().is_empty() {
        return Err(fail("the file is empty"));
    }
    let pod: Pod = if text.trim_start().starts_with('{') {
        // JSON is also YAML, but serde_json reports JSON mistakes more precisely.
        serde_json::from_str(text)
            .or_else(|json_err| serde_saphyr::from_str(text).map_err(|_| json_err.to_string()))
    } else {
        serde_saphyr::from_str(text).map_err(|e| e.to_string())
    }
    .map_err(|detail| fail(&detail))?;
    if pod.spec.is_none() {
        return Err(fail("the pod has no `spec`"));
    }
    Ok(pod)
}

/// The pod and Spark container the steps start from (§6): the parsed template with its Spark
/// container removed from `spec.containers`, or an empty pod and container without a template.
/// Warnings about the container choice come from [`template_warnings`].
pub fn initial_spec(plan: &Plan) -> Result<(Pod, Container)> {
    let Some(template) = &plan.inputs.driver_template else {
        if let Some(value) = plan.conf.get(TEMPLATE_FILE_KEY) {
            // resolve reads every template it is given; an unread one (e.g. an empty value)
            // is the same failure as in Spark.
            return Err(Error::usage(
                format!(
                    "Could not load pod from template file. {TEMPLATE_FILE_KEY}: `{value}` was not read"
                ),
                format!("set {TEMPLATE_FILE_KEY} to the path of a YAML or JSON Pod file"),
            ));
        }
        return Ok((empty_pod(), Container::default()));
    };
    let mut pod = template.clone();
    let spec = pod_spec_mut(&mut pod);
    let containers = std::mem::take(&mut spec.containers);
    let selection = select_container(containers, plan.conf.get(TEMPLATE_CONTAINER_KEY));
    spec.containers = selection.rest;
    Ok((pod, selection.spark))
}

/// Warnings [`initial_spec`] would log: Spark's
/// `specified container <name> not found on pod template, falling back to taking the first container`
/// when `spark.kubernetes.driver.podTemplateContainerName` does not name exactly one container.
pub fn template_warnings(plan: &Plan) -> Vec<String> {
    let Some(template) = &plan.inputs.driver_template else {
        return Vec::new();
    };
    let containers = template
        .spec
        .as_ref()
        .map(|s| s.containers.clone())
        .unwrap_or_default();
    select_container(containers, plan.conf.get(TEMPLATE_CONTAINER_KEY))
        .warning
        .into_iter()
        .collect()
}

/// The outcome of choosing the Spark container among a template's containers.
#[derive(Debug, Clone, PartialEq)]
struct Selection {
    /// The Spark container (an empty one when the template has none).
    spark: Container,
    /// The other containers, in their original order.
    rest: Vec<Container>,
    /// The fallback warning, when a name was given but did not match exactly one container.
    warning: Option<String>,
}

/// Spark's `selectSparkContainer`: the single container named `name`, else (with a warning
/// when a name was given) the first container, else an empty container.
fn select_container(containers: Vec<Container>, name: Option<&str>) -> Selection {
    let mut warning = None;
    if let Some(name) = name {
        let (named, rest): (Vec<_>, Vec<_>) =
            containers.iter().cloned().partition(|c| c.name == name);
        if let [spark] = named.as_slice() {
            return Selection {
                spark: spark.clone(),
                rest,
                warning: None,
            };
        }
        warning = Some(format!(
            "specified container {name} not found on pod template, falling back to taking the first container"
        ));
    }
    let mut containers = containers.into_iter();
    match containers.next() {
        Some(first) => Selection {
            spark: first,
            rest: containers.collect(),
            warning,
        },
        None => Selection {
            spark: Container::default(),
            rest: Vec::new(),
            warning,
        },
    }
}

/// Spark's `SparkPod.initialPod()`: empty metadata and an empty spec.
fn empty_pod() -> Pod {
    Pod {
        metadata: ObjectMeta::default(),
        spec: Some(PodSpec::default()),
        status: None,
    }
}

/// The pod's spec, created empty if the pod has none.
pub fn pod_spec_mut(pod: &mut Pod) -> &mut PodSpec {
    pod.spec.get_or_insert_with(PodSpec::default)
}

/// Appends a volume to the driver pod (`spec.volumes`).
pub fn add_volume(spec: &mut DriverSpec, volume: Volume) {
    pod_spec_mut(&mut spec.pod)
        .volumes
        .get_or_insert_with(Vec::new)
        .push(volume);
}

/// Appends a volume mount to the driver container.
pub fn add_volume_mount(spec: &mut DriverSpec, mount: VolumeMount) {
    spec.container
        .volume_mounts
        .get_or_insert_with(Vec::new)
        .push(mount);
}

/// Appends an environment variable to the driver container.
pub fn add_env(spec: &mut DriverSpec, env: EnvVar) {
    spec.container.env.get_or_insert_with(Vec::new).push(env);
}

/// Metadata carrying only a name: what Spark gives the objects its steps create (no namespace,
/// no labels; the owner reference is added when applying).
pub fn named_meta(name: impl Into<String>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        ..ObjectMeta::default()
    }
}

/// Plans and specs for the unit tests of the steps in this crate.
#[cfg(test)]
pub(crate) mod test_support {
    use std::collections::BTreeMap;

    use crate::conf::{SparkConf, SparkVersion};
    use crate::submit::plan::{
        AppSpec, DriverSpec, Ids, LocalInputs, Plan, ResourceType, SubmitterEnv,
    };

    /// A plan for Spark `version` with the given conf entries (app name `spark-pi`, prefix
    /// `spark-pi-abc123`, app id `spark-0123…`).
    pub(crate) fn plan(version: &str, entries: &[(&str, &str)]) -> Plan {
        let mut conf = SparkConf::new();
        conf.set("spark.app.name", "spark-pi");
        for (k, v) in entries {
            conf.set(*k, *v);
        }
        Plan {
            conf,
            namespace: "default".into(),
            spark_version: SparkVersion::parse(version).unwrap(),
            app: AppSpec {
                primary_resource: None,
                main_class: Some("org.example.Main".into()),
                app_args: Vec::new(),
                proxy_user: None,
                resource_type: ResourceType::Java,
            },
            ids: Ids {
                app_id: "spark-0123456789abcdef0123456789abcdef".into(),
                prefix_unique_id: "abc123".into(),
                conf_map_unique_id: "def456".into(),
                service_unique_id: "fed789".into(),
                seed: 7,
            },
            env: SubmitterEnv {
                spark_user: "tester".into(),
                conf_dir_files: BTreeMap::new(),
                ..SubmitterEnv::default()
            },
            inputs: LocalInputs::default(),
            now: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    /// The spec a step is handed: empty pod and container, properties = the plan's conf.
    pub(crate) fn spec(plan: &Plan) -> DriverSpec {
        let (pod, container) = super::initial_spec(plan).unwrap();
        DriverSpec {
            pod,
            container,
            properties: plan.conf.clone(),
            post: Vec::new(),
            uploads: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// The usage error's message and hint, for assertions.
    pub(crate) fn message_and_hint(err: &crate::error::Error) -> (String, String) {
        (err.to_string(), err.hint().unwrap_or_default().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{message_and_hint, plan};
    use super::*;

    const TEMPLATE: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: ignored
  labels:
    team: data
spec:
  priorityClassName: high
  tolerations:
    - key: gpu
      operator: Exists
  initContainers:
    - name: init
      image: busybox
  containers:
    - name: sidecar
      image: envoy
    - name: spark
      image: placeholder
      ports:
        - containerPort: 8080
      resources:
        limits:
          nvidia.com/gpu: 1
"#;

    fn with_template(text: &str, container_name: Option<&str>) -> Plan {
        let mut entries = vec![(TEMPLATE_FILE_KEY, "/tmp/driver.yaml")];
        if let Some(name) = container_name {
            entries.push((TEMPLATE_CONTAINER_KEY, name));
        }
        let mut p = plan("4.0.1", &entries);
        p.inputs.driver_template = Some(parse_template(text, TEMPLATE_FILE_KEY).unwrap());
        p
    }

    fn names(containers: &[Container]) -> Vec<&str> {
        containers.iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn prefix_comes_from_the_app_name() {
        let p = plan("4.0.1", &[]);
        assert_eq!(resource_prefix(&p), "spark-pi-abc123");
        let mut p = plan("4.0.1", &[("spark.app.name", "My App")]);
        assert_eq!(resource_prefix(&p), "my-app-abc123");
        p.conf.remove("spark.app.name");
        assert_eq!(resource_prefix(&p), "spark-abc123");
    }

    #[test]
    fn no_template_gives_an_empty_pod_and_container() {
        let p = plan("4.0.1", &[]);
        let (pod, container) = initial_spec(&p).unwrap();
        assert_eq!(pod.metadata, ObjectMeta::default());
        assert_eq!(pod.spec, Some(PodSpec::default()));
        assert_eq!(container, Container::default());
        assert!(template_warnings(&p).is_empty());
    }

    #[test]
    fn unread_template_is_an_error() {
        let p = plan("4.0.1", &[(TEMPLATE_FILE_KEY, "")]);
        let (msg, hint) = message_and_hint(&initial_spec(&p).unwrap_err());
        assert!(
            msg.starts_with("Could not load pod from template file."),
            "{msg}"
        );
        assert!(hint.contains(TEMPLATE_FILE_KEY), "{hint}");
    }

    #[test]
    fn named_container_is_taken_out_and_the_rest_kept() {
        let p = with_template(TEMPLATE, Some("spark"));
        let (pod, container) = initial_spec(&p).unwrap();
        assert_eq!(container.name, "spark");
        assert_eq!(container.image.as_deref(), Some("placeholder"));
        let spec = pod.spec.unwrap();
        assert_eq!(names(&spec.containers), ["sidecar"]);
        assert_eq!(names(spec.init_containers.as_deref().unwrap()), ["init"]);
        assert_eq!(spec.priority_class_name.as_deref(), Some("high"));
        assert_eq!(spec.tolerations.unwrap().len(), 1);
        assert_eq!(pod.metadata.name.as_deref(), Some("ignored"));
        assert_eq!(pod.metadata.labels.unwrap()["team"], "data");
        assert!(template_warnings(&p).is_empty());
    }

    #[test]
    fn without_a_name_the_first_container_is_spark() {
        let p = with_template(TEMPLATE, None);
        let (pod, container) = initial_spec(&p).unwrap();
        assert_eq!(container.name, "sidecar");
        assert_eq!(names(&pod.spec.unwrap().containers), ["spark"]);
        assert!(template_warnings(&p).is_empty());
    }

    #[test]
    fn unknown_name_warns_and_falls_back_to_the_first() {
        let p = with_template(TEMPLATE, Some("driver"));
        let (pod, container) = initial_spec(&p).unwrap();
        assert_eq!(container.name, "sidecar");
        assert_eq!(names(&pod.spec.unwrap().containers), ["spark"]);
        assert_eq!(
            template_warnings(&p),
            [
                "specified container driver not found on pod template, falling back to taking the first container"
            ]
        );
    }

    #[test]
    fn ambiguous_name_warns_and_falls_back_to_the_first() {
        let text = "spec:\n  containers:\n    - name: a\n    - name: b\n    - name: b\n";
        let p = with_template(text, Some("b"));
        let (pod, container) = initial_spec(&p).unwrap();
        assert_eq!(container.name, "a");
        assert_eq!(names(&pod.spec.unwrap().containers), ["b", "b"]);
        assert_eq!(template_warnings(&p).len(), 1);
    }

    #[test]
    fn template_without_containers_gives_an_empty_container() {
        let p = with_template("spec:\n  hostNetwork: true\n", Some("spark"));
        let (pod, container) = initial_spec(&p).unwrap();
        assert_eq!(container, Container::default());
        let spec = pod.spec.unwrap();
        assert!(spec.containers.is_empty());
        assert_eq!(spec.host_network, Some(true));
        // Spark warns even when there is nothing to fall back to.
        assert_eq!(template_warnings(&p).len(), 1);
    }

    #[test]
    fn json_templates_parse() {
        let text =
            r#"{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"c","image":"i"}]}}"#;
        let pod = parse_template(text, TEMPLATE_FILE_KEY).unwrap();
        assert_eq!(names(&pod.spec.unwrap().containers), ["c"]);
    }

    #[test]
    fn yaml_templates_keep_quantities_and_ports() {
        let pod = parse_template(TEMPLATE, TEMPLATE_FILE_KEY).unwrap();
        let spark = &pod.spec.unwrap().containers[1];
        assert_eq!(spark.ports.as_ref().unwrap()[0].container_port, 8080);
        let limits = spark.resources.as_ref().unwrap().limits.as_ref().unwrap();
        assert_eq!(limits["nvidia.com/gpu"].0, "1");
    }

    #[test]
    fn bad_templates_fail_with_sparks_message_and_the_key() {
        for text in [
            "",
            "   \n",
            "spec: [unclosed",
            "{\"spec\": ",
            "apiVersion: v1\nkind: Service\nspec: {}\n",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n",
            "- just\n- a list\n",
        ] {
            let err = parse_template(text, TEMPLATE_FILE_KEY).unwrap_err();
            let (msg, hint) = message_and_hint(&err);
            assert!(
                msg.starts_with("Could not load pod from template file. spark.kubernetes.driver.podTemplateFile: "),
                "{text:?} → {msg}"
            );
            assert!(hint.contains(TEMPLATE_FILE_KEY), "{hint}");
        }
    }

    #[test]
    fn helpers_append() {
        let p = plan("4.0.1", &[]);
        let mut spec = super::test_support::spec(&p);
        add_volume(
            &mut spec,
            Volume {
                name: "v".into(),
                ..Volume::default()
            },
        );
        add_volume_mount(
            &mut spec,
            VolumeMount {
                name: "v".into(),
                mount_path: "/v".into(),
                ..VolumeMount::default()
            },
        );
        add_env(
            &mut spec,
            EnvVar {
                name: "E".into(),
                value: Some("1".into()),
                ..EnvVar::default()
            },
        );
        assert_eq!(spec.pod.spec.unwrap().volumes.unwrap()[0].name, "v");
        assert_eq!(spec.container.volume_mounts.unwrap()[0].mount_path, "/v");
        assert_eq!(spec.container.env.unwrap()[0].name, "E");
        assert_eq!(named_meta("x").name.as_deref(), Some("x"));
    }
}
