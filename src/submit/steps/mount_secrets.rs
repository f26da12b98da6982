//! Spark's `MountSecretsFeatureStep` (§3.5): every `spark.kubernetes.driver.secrets.<name>=<path>`
//! mounts the existing Secret `<name>` as volume `<name>-volume` at `<path>`.
//!
//! Spark iterates these keys in hash-map order; we use key order (sorted by Secret name), which
//! is stable and, for Kubernetes, equivalent.

use k8s_openapi::api::core::v1::{SecretVolumeSource, Volume, VolumeMount};

use crate::error::Result;
use crate::submit::plan::{DriverSpec, Plan};
use crate::submit::steps::pod_template::{add_volume, add_volume_mount};

/// Prefix of the driver's mounted Secrets.
pub const PREFIX: &str = "spark.kubernetes.driver.secrets.";

/// The pod volume name of a mounted Secret.
pub fn volume_name(secret_name: &str) -> String {
    format!("{secret_name}-volume")
}

/// Applies this step to the driver spec: all volumes first, then all mounts, as Spark does.
pub fn apply(plan: &Plan, spec: &mut DriverSpec) -> Result<()> {
    let secrets: Vec<(&str, &str)> = plan.conf.with_prefix(PREFIX).collect();
    for (secret_name, _) in &secrets {
        add_volume(
            spec,
            Volume {
                name: volume_name(secret_name),
                secret: Some(SecretVolumeSource {
                    secret_name: Some(secret_name.to_string()),
                    ..SecretVolumeSource::default()
                }),
                ..Volume::default()
            },
        );
    }
    for (secret_name, mount_path) in &secrets {
        add_volume_mount(
            spec,
            VolumeMount {
                name: volume_name(secret_name),
                mount_path: mount_path.to_string(),
                ..VolumeMount::default()
            },
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submit::steps::pod_template::test_support::{plan, spec};

    #[test]
    fn nothing_set_changes_nothing() {
        let p = plan("4.0.1", &[]);
        let mut s = spec(&p);
        apply(&p, &mut s).unwrap();
        assert_eq!(s, spec(&p));
    }

    #[test]
    fn each_secret_becomes_a_volume_and_a_mount() {
        let p = plan(
            "3.5.9",
            &[
                ("spark.kubernetes.driver.secrets.db-creds", "/etc/db"),
                ("spark.kubernetes.driver.secrets.aws", "/etc/aws"),
                ("spark.kubernetes.executor.secrets.other", "/x"),
            ],
        );
        let mut s = spec(&p);
        apply(&p, &mut s).unwrap();
        let volumes = s.pod.spec.as_ref().unwrap().volumes.clone().unwrap();
        let json = serde_json::to_value(&volumes).unwrap();
        assert_eq!(
            json,
            serde_json::json!([
                {"name": "aws-volume", "secret": {"secretName": "aws"}},
                {"name": "db-creds-volume", "secret": {"secretName": "db-creds"}},
            ])
        );
        let mounts = serde_json::to_value(s.container.volume_mounts.as_ref().unwrap()).unwrap();
        assert_eq!(
            mounts,
            serde_json::json!([
                {"name": "aws-volume", "mountPath": "/etc/aws"},
                {"name": "db-creds-volume", "mountPath": "/etc/db"},
            ])
        );
        assert!(s.post.is_empty());
        assert_eq!(s.properties, p.conf);
    }
}
