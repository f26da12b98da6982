//! Spark's `PodTemplateConfigMapStep` (§3.6): the executor pod template
//! (`spark.kubernetes.executor.podTemplateFile`) is shipped to the driver in the
//! `<prefix>-driver-podspec-conf-map` ConfigMap, mounted at `/opt/spark/pod-template`, and the
//! property is rewritten to the file's path inside the driver.

use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapVolumeSource, KeyToPath, Volume, VolumeMount,
};
use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::submit::plan::{DriverSpec, Plan, PostObject};
use crate::submit::steps::pod_template::{
    add_volume, add_volume_mount, named_meta, resource_prefix,
};

/// The executor pod template key.
pub const TEMPLATE_FILE_KEY: &str = "spark.kubernetes.executor.podTemplateFile";
/// The pod volume name.
pub const VOLUME_NAME: &str = "pod-template-volume";
/// The ConfigMap key holding the template text.
pub const CONFIG_MAP_KEY: &str = "podspec-configmap-key";
/// Where the volume is mounted in the driver.
pub const MOUNT_PATH: &str = "/opt/spark/pod-template";
/// The template's file name inside the mount.
pub const FILE_NAME: &str = "pod-spec-template.yml";

/// Applies this step to the driver spec.
pub fn apply(plan: &Plan, spec: &mut DriverSpec) -> Result<()> {
    let Some(value) = plan.conf.get(TEMPLATE_FILE_KEY) else {
        return Ok(());
    };
    let text = plan.inputs.executor_template.as_ref().ok_or_else(|| {
        Error::usage(
            format!("{TEMPLATE_FILE_KEY}: the executor pod template `{value}` was not read"),
            format!("set {TEMPLATE_FILE_KEY} to the path of a readable YAML or JSON Pod file"),
        )
    })?;
    let config_map_name = format!("{}-driver-podspec-conf-map", resource_prefix(plan));
    add_volume(
        spec,
        Volume {
            name: VOLUME_NAME.into(),
            config_map: Some(ConfigMapVolumeSource {
                name: config_map_name.clone(),
                items: Some(vec![KeyToPath {
                    key: CONFIG_MAP_KEY.into(),
                    path: FILE_NAME.into(),
                    mode: None,
                }]),
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        },
    );
    add_volume_mount(
        spec,
        VolumeMount {
            name: VOLUME_NAME.into(),
            mount_path: MOUNT_PATH.into(),
            ..VolumeMount::default()
        },
    );
    spec.properties
        .set(TEMPLATE_FILE_KEY, format!("{MOUNT_PATH}/{FILE_NAME}"));
    spec.post.push(PostObject::ConfigMap(ConfigMap {
        metadata: named_meta(config_map_name),
        immutable: Some(true),
        data: Some(BTreeMap::from([(CONFIG_MAP_KEY.to_string(), text.clone())])),
        ..ConfigMap::default()
    }));
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::submit::steps::pod_template::test_support::{message_and_hint, plan, spec};

    #[test]
    fn nothing_set_changes_nothing() {
        let mut p = plan("4.0.1", &[]);
        p.inputs.executor_template = Some("ignored".into());
        let mut s = spec(&p);
        apply(&p, &mut s).unwrap();
        assert_eq!(s, spec(&p));
    }

    #[test]
    fn template_is_shipped_and_the_property_rewritten() {
        let text = "apiVersion: v1\nkind: Pod\nspec:\n  containers: []\n";
        let mut p = plan("3.5.9", &[(TEMPLATE_FILE_KEY, "/home/me/exec.yaml")]);
        p.inputs.executor_template = Some(text.into());
        let mut s = spec(&p);
        apply(&p, &mut s).unwrap();
        assert_eq!(
            serde_json::to_value(s.pod.spec.as_ref().unwrap().volumes.as_ref().unwrap()).unwrap(),
            json!([{
                "name": "pod-template-volume",
                "configMap": {
                    "name": "spark-pi-abc123-driver-podspec-conf-map",
                    "items": [{"key": "podspec-configmap-key", "path": "pod-spec-template.yml"}],
                },
            }])
        );
        assert_eq!(
            serde_json::to_value(s.container.volume_mounts.as_ref().unwrap()).unwrap(),
            json!([{"name": "pod-template-volume", "mountPath": "/opt/spark/pod-template"}])
        );
        assert_eq!(
            s.properties.get(TEMPLATE_FILE_KEY),
            Some("/opt/spark/pod-template/pod-spec-template.yml")
        );
        let [PostObject::ConfigMap(cm)] = &s.post[..] else {
            panic!("expected one ConfigMap: {:?}", s.post);
        };
        assert_eq!(
            serde_json::to_value(cm).unwrap(),
            json!({
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "spark-pi-abc123-driver-podspec-conf-map"},
                "immutable": true,
                "data": {"podspec-configmap-key": text},
            })
        );
    }

    #[test]
    fn unread_template_is_an_error_naming_the_key() {
        let p = plan("4.0.1", &[(TEMPLATE_FILE_KEY, "")]);
        let mut s = spec(&p);
        let (msg, hint) = message_and_hint(&apply(&p, &mut s).unwrap_err());
        assert!(msg.contains(TEMPLATE_FILE_KEY), "{msg}");
        assert!(hint.contains(TEMPLATE_FILE_KEY), "{hint}");
    }
}
