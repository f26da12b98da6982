//! Pod-template generation for what the Kubeflow operator's webhook would have patched into
//! the driver and executor pods (affinity, tolerations, sidecars, security contexts, extra
//! volumes…). Without an operator there is no webhook, so the same fields become a pod
//! template, which Spark itself layers its own settings onto (`spark.kubernetes.*.podTemplateFile`).
//!
//! [`Overlay`] holds the fields; [`apply`] mutates a base template (the one the manifest names,
//! or an empty pod) the way the webhook mutates a pod: lists are appended, maps merged, single
//! values replaced.

use k8s_openapi::api::core::v1::{Container, Pod, PodSpec};

/// Fields applied to the Spark pod and to its Spark container.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overlay {
    /// Pod-level fields. `containers` holds the sidecars.
    pub pod: PodSpec,
    /// Fields of the Spark container (`env`, `envFrom`, `volumeMounts`, `ports`,
    /// `securityContext`, `lifecycle`, resource limits).
    pub container: Container,
    /// Which manifest fields were put here (paths), for `convert` and messages.
    pub fields: Vec<String>,
}

impl Overlay {
    /// Whether nothing needs a template.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Records that `path` was put into the template.
    pub fn note(&mut self, path: impl Into<String>) {
        self.fields.push(path.into());
    }
}

fn append<T: Clone>(to: &mut Option<Vec<T>>, items: &Option<Vec<T>>) {
    if let Some(items) = items
        && !items.is_empty()
    {
        to.get_or_insert_with(Vec::new)
            .extend(items.iter().cloned());
    }
}

fn replace<T: Clone>(to: &mut Option<T>, value: &Option<T>) {
    if value.is_some() {
        *to = value.clone();
    }
}

/// Applies `overlay` to `base` (an empty pod when `None`). The Spark container is the one named
/// `container_name` if the base has it, else the base's first container, else a new container
/// named `default_name`. Returns the pod and the Spark container's name (for
/// `spark.kubernetes.*.podTemplateContainerName`).
pub fn apply(
    base: Option<Pod>,
    overlay: &Overlay,
    container_name: Option<&str>,
    default_name: &str,
) -> (Pod, String) {
    let mut pod = base.unwrap_or_default();
    let spec = pod.spec.get_or_insert_with(PodSpec::default);
    let index = container_name
        .and_then(|n| spec.containers.iter().position(|c| c.name == n))
        .or_else(|| (!spec.containers.is_empty()).then_some(0));
    let index = match index {
        Some(i) => i,
        None => {
            spec.containers.push(Container {
                name: default_name.to_string(),
                ..Container::default()
            });
            0
        }
    };
    if spec.containers[index].name.is_empty() {
        spec.containers[index].name = default_name.to_string();
    }
    let over = &overlay.pod;
    append(&mut spec.volumes, &over.volumes);
    append(&mut spec.host_aliases, &over.host_aliases);
    for init in over.init_containers.iter().flatten() {
        let list = spec.init_containers.get_or_insert_with(Vec::new);
        if !list
            .iter()
            .any(|c| c.name == init.name && c.image == init.image)
        {
            list.push(init.clone());
        }
    }
    for sidecar in &over.containers {
        if !spec
            .containers
            .iter()
            .any(|c| c.name == sidecar.name && c.image == sidecar.image)
        {
            spec.containers.push(sidecar.clone());
        }
    }
    if over.host_network == Some(true) {
        spec.host_network = Some(true);
        spec.dns_policy = Some("ClusterFirstWithHostNet".into());
    }
    replace(&mut spec.dns_config, &over.dns_config);
    if over.priority_class_name.is_some() {
        spec.priority_class_name = over.priority_class_name.clone();
        spec.priority = None;
        spec.preemption_policy = None;
    }
    replace(&mut spec.scheduler_name, &over.scheduler_name);
    if let Some(selector) = &over.node_selector {
        spec.node_selector
            .get_or_insert_with(Default::default)
            .extend(selector.clone());
    }
    replace(&mut spec.affinity, &over.affinity);
    append(&mut spec.tolerations, &over.tolerations);
    replace(&mut spec.security_context, &over.security_context);
    replace(
        &mut spec.termination_grace_period_seconds,
        &over.termination_grace_period_seconds,
    );
    if over.share_process_namespace == Some(true) {
        spec.share_process_namespace = Some(true);
    }
    replace(&mut spec.runtime_class_name, &over.runtime_class_name);

    let c = &mut spec.containers[index];
    let oc = &overlay.container;
    append(&mut c.env, &oc.env);
    append(&mut c.env_from, &oc.env_from);
    append(&mut c.volume_mounts, &oc.volume_mounts);
    append(&mut c.ports, &oc.ports);
    replace(&mut c.security_context, &oc.security_context);
    replace(&mut c.lifecycle, &oc.lifecycle);
    if let Some(limits) = oc.resources.as_ref().and_then(|r| r.limits.as_ref()) {
        c.resources
            .get_or_insert_with(Default::default)
            .limits
            .get_or_insert_with(Default::default)
            .extend(limits.clone());
    }
    let name = c.name.clone();
    (pod, name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{EnvVar, Toleration};
    use serde_json::json;

    fn env(name: &str) -> EnvVar {
        EnvVar {
            name: name.into(),
            value: Some("v".into()),
            ..EnvVar::default()
        }
    }

    #[test]
    fn empty_base_gets_a_named_spark_container() {
        let mut o = Overlay::default();
        o.container.env = Some(vec![env("A")]);
        o.pod.tolerations = Some(vec![Toleration {
            key: Some("k".into()),
            ..Toleration::default()
        }]);
        o.pod.host_network = Some(true);
        let (pod, name) = apply(None, &o, None, "spark-kubernetes-driver");
        assert_eq!(name, "spark-kubernetes-driver");
        assert_eq!(
            serde_json::to_value(&pod).unwrap(),
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {}, "spec": {
                "containers": [{"name": "spark-kubernetes-driver", "env": [{"name": "A", "value": "v"}]}],
                "tolerations": [{"key": "k"}],
                "hostNetwork": true,
                "dnsPolicy": "ClusterFirstWithHostNet"
            }})
        );
    }

    #[test]
    fn base_template_is_kept_and_extended() {
        let base: Pod = serde_json::from_value(json!({
            "metadata": {"labels": {"from": "template"}},
            "spec": {
                "containers": [{"name": "side", "image": "busybox"}, {"name": "main", "env": [{"name": "B", "value": "1"}]}],
                "nodeSelector": {"a": "1"},
                "priority": 5
            }
        }))
        .unwrap();
        let mut o = Overlay::default();
        o.container.env = Some(vec![env("A")]);
        o.pod.node_selector = Some([("b".to_string(), "2".to_string())].into());
        o.pod.priority_class_name = Some("high".into());
        o.pod.containers = vec![Container {
            name: "side".into(),
            image: Some("busybox".into()),
            ..Container::default()
        }];
        let (pod, name) = apply(Some(base), &o, Some("main"), "spark-kubernetes-driver");
        assert_eq!(name, "main");
        let v = serde_json::to_value(&pod).unwrap();
        assert_eq!(v["metadata"]["labels"]["from"], "template");
        assert_eq!(v["spec"]["containers"].as_array().unwrap().len(), 2);
        assert_eq!(
            v["spec"]["containers"][1]["env"],
            json!([{"name": "B", "value": "1"}, {"name": "A", "value": "v"}])
        );
        assert_eq!(v["spec"]["nodeSelector"], json!({"a": "1", "b": "2"}));
        assert_eq!(v["spec"]["priorityClassName"], "high");
        assert!(v["spec"].get("priority").is_none());
    }
}
