//! Spark's `HadoopConfDriverFeatureStep` (§3.6): ships the submitter's `HADOOP_CONF_DIR` files
//! in the `<prefix>-hadoop-config` ConfigMap, or mounts the existing ConfigMap named by
//! `spark.kubernetes.hadoop.configMapName`, at `/opt/hadoop/conf` with `HADOOP_CONF_DIR` set.
//!
//! Spark lists the directory in file-system order; the volume items here are sorted by file
//! name.

use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapVolumeSource, EnvVar, KeyToPath, Volume, VolumeMount,
};

use crate::error::{Error, Result};
use crate::submit::plan::{DriverSpec, Plan, PostObject};
use crate::submit::steps::pod_template::{
    add_env, add_volume, add_volume_mount, named_meta, resource_prefix,
};

/// An existing ConfigMap holding the Hadoop configuration.
pub const CONFIG_MAP_KEY: &str = "spark.kubernetes.hadoop.configMapName";
/// Property telling the driver which ConfigMap to give its executors.
pub const EXECUTOR_CONFIG_MAP_KEY: &str = "spark.kubernetes.executor.hadoopConfigMapName";
/// The pod volume name.
pub const VOLUME_NAME: &str = "hadoop-properties";
/// Mount path, and the value of `HADOOP_CONF_DIR` in the driver.
pub const CONF_DIR_PATH: &str = "/opt/hadoop/conf";

/// Applies this step to the driver spec.
pub fn apply(plan: &Plan, spec: &mut DriverSpec) -> Result<()> {
    let files = plan.env.hadoop_conf_files.as_ref();
    let existing = plan.conf.get(CONFIG_MAP_KEY);
    if files.is_some() && existing.is_some() {
        return Err(Error::usage(
            "Do not specify both the `HADOOP_CONF_DIR` in your ENV and the ConfigMap as the \
             creation of an additional ConfigMap, when one is already specified is extraneous",
            format!("unset HADOOP_CONF_DIR, or drop --conf {CONFIG_MAP_KEY}"),
        ));
    }
    let (config_map_name, items) = match (files, existing) {
        (Some(files), _) => {
            let items: Vec<KeyToPath> = files
                .keys()
                .map(|name| KeyToPath {
                    key: name.clone(),
                    path: name.clone(),
                    mode: None,
                })
                .collect();
            (
                format!("{}-hadoop-config", resource_prefix(plan)),
                (!items.is_empty()).then_some(items),
            )
        }
        (None, Some(name)) => (name.to_string(), None),
        (None, None) => return Ok(()),
    };

    add_volume(
        spec,
        Volume {
            name: VOLUME_NAME.into(),
            config_map: Some(ConfigMapVolumeSource {
                name: config_map_name.clone(),
                items,
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        },
    );
    add_volume_mount(
        spec,
        VolumeMount {
            name: VOLUME_NAME.into(),
            mount_path: CONF_DIR_PATH.into(),
            ..VolumeMount::default()
        },
    );
    add_env(
        spec,
        EnvVar {
            name: "HADOOP_CONF_DIR".into(),
            value: Some(CONF_DIR_PATH.into()),
            ..EnvVar::default()
        },
    );
    spec.properties
        .set(EXECUTOR_CONFIG_MAP_KEY, config_map_name.clone());
    if let Some(files) = files {
        spec.post.push(PostObject::ConfigMap(ConfigMap {
            metadata: named_meta(config_map_name),
            immutable: Some(true),
            data: Some(files.clone()),
            ..ConfigMap::default()
        }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::submit::steps::pod_template::test_support::{message_and_hint, plan, spec};

    fn hadoop_files() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("hdfs-site.xml".to_string(), "<configuration/>".to_string()),
            (
                "core-site.xml".to_string(),
                "<configuration>x</configuration>".to_string(),
            ),
        ])
    }

    #[test]
    fn nothing_set_changes_nothing() {
        let p = plan("4.0.1", &[]);
        let mut s = spec(&p);
        apply(&p, &mut s).unwrap();
        assert_eq!(s, spec(&p));
    }

    #[test]
    fn conf_dir_is_shipped_in_a_config_map() {
        let mut p = plan("4.0.1", &[]);
        p.env.hadoop_conf_files = Some(hadoop_files());
        let mut s = spec(&p);
        apply(&p, &mut s).unwrap();
        let pod_spec = s.pod.spec.as_ref().unwrap();
        assert_eq!(
            serde_json::to_value(pod_spec.volumes.as_ref().unwrap()).unwrap(),
            json!([{
                "name": "hadoop-properties",
                "configMap": {
                    "name": "spark-pi-abc123-hadoop-config",
                    "items": [
                        {"key": "core-site.xml", "path": "core-site.xml"},
                        {"key": "hdfs-site.xml", "path": "hdfs-site.xml"},
                    ],
                },
            }])
        );
        assert_eq!(
            serde_json::to_value(s.container.volume_mounts.as_ref().unwrap()).unwrap(),
            json!([{"name": "hadoop-properties", "mountPath": "/opt/hadoop/conf"}])
        );
        assert_eq!(
            serde_json::to_value(s.container.env.as_ref().unwrap()).unwrap(),
            json!([{"name": "HADOOP_CONF_DIR", "value": "/opt/hadoop/conf"}])
        );
        assert_eq!(
            s.properties.get(EXECUTOR_CONFIG_MAP_KEY),
            Some("spark-pi-abc123-hadoop-config")
        );
        let [PostObject::ConfigMap(cm)] = &s.post[..] else {
            panic!("expected one ConfigMap: {:?}", s.post);
        };
        assert_eq!(
            serde_json::to_value(cm).unwrap(),
            json!({
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "spark-pi-abc123-hadoop-config"},
                "immutable": true,
                "data": {
                    "core-site.xml": "<configuration>x</configuration>",
                    "hdfs-site.xml": "<configuration/>",
                },
            })
        );
    }

    #[test]
    fn empty_conf_dir_still_creates_the_config_map() {
        let mut p = plan("3.5.9", &[]);
        p.env.hadoop_conf_files = Some(BTreeMap::new());
        let mut s = spec(&p);
        apply(&p, &mut s).unwrap();
        assert_eq!(s.post.len(), 1);
        let volume = &s.pod.spec.as_ref().unwrap().volumes.as_ref().unwrap()[0];
        assert_eq!(volume.config_map.as_ref().unwrap().items, None);
    }

    #[test]
    fn existing_config_map_is_mounted_without_creating_anything() {
        let p = plan("4.0.1", &[(CONFIG_MAP_KEY, "my-hadoop")]);
        let mut s = spec(&p);
        apply(&p, &mut s).unwrap();
        assert_eq!(
            serde_json::to_value(s.pod.spec.as_ref().unwrap().volumes.as_ref().unwrap()).unwrap(),
            json!([{"name": "hadoop-properties", "configMap": {"name": "my-hadoop"}}])
        );
        assert_eq!(
            s.container.volume_mounts.as_ref().unwrap()[0].mount_path,
            CONF_DIR_PATH
        );
        assert_eq!(s.container.env.as_ref().unwrap()[0].name, "HADOOP_CONF_DIR");
        assert_eq!(s.properties.get(EXECUTOR_CONFIG_MAP_KEY), Some("my-hadoop"));
        assert!(s.post.is_empty());
    }

    #[test]
    fn both_sources_are_an_error() {
        let mut p = plan("4.0.1", &[(CONFIG_MAP_KEY, "my-hadoop")]);
        p.env.hadoop_conf_files = Some(hadoop_files());
        let mut s = spec(&p);
        let (msg, hint) = message_and_hint(&apply(&p, &mut s).unwrap_err());
        assert_eq!(
            msg,
            "Do not specify both the `HADOOP_CONF_DIR` in your ENV and the ConfigMap as the \
             creation of an additional ConfigMap, when one is already specified is extraneous"
        );
        assert!(
            hint.contains(CONFIG_MAP_KEY) && hint.contains("HADOOP_CONF_DIR"),
            "{hint}"
        );
    }
}
