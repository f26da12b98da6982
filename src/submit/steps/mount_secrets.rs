//! Spark's `MountSecretsFeatureStep` (§3.5): every `spark.kubernetes.driver.secrets.<name>=<path>`
//! mounts the existing Secret `<name>` as volume `<name>-volume` at `<path>`.
//!
//! Order: Spark reads these keys into an immutable Scala `Map`; the mounts follow the map's
//! iteration order, the volumes that of a `Set` of fabric8 `Volume`s built from its keys
//! (`keys.map`), so the two lists can differ. From 5 secrets on both are hash orders, emulated
//! exactly by [`scala_order`]; up to 4 the map keeps the order of `SparkConf`'s
//! `ConcurrentHashMap` (not emulated), and we sort by Secret name.

use k8s_openapi::api::core::v1::{SecretVolumeSource, Volume, VolumeMount};

use crate::conf::SparkVersion;
use crate::error::Result;
use crate::submit::plan::{DriverSpec, Plan};
use crate::submit::steps::pod_template::{add_volume, add_volume_mount};
use crate::submit::steps::scala_order::{self, Fabric8, Scala};

/// Prefix of the driver's mounted Secrets.
pub const PREFIX: &str = "spark.kubernetes.driver.secrets.";

/// The pod volume name of a mounted Secret.
pub fn volume_name(secret_name: &str) -> String {
    format!("{secret_name}-volume")
}

/// Spark's order of the secrets named `names` (distinct, sorted): the indices into `names` of
/// the pod volumes, then of the volume mounts (see the module doc). Sorted order when Spark's
/// is not emulated (up to 4 secrets, or a hash collision).
pub fn spark_order(names: &[&str], version: &SparkVersion) -> (Vec<usize>, Vec<usize>) {
    let scala = Scala::for_spark(version);
    let fabric8 = Fabric8::for_spark(version);
    let sorted: Vec<usize> = (0..names.len()).collect();
    let Some(mounts) = scala_order::hash_map_order(scala, names) else {
        return (sorted.clone(), sorted);
    };
    let volumes = scala_order::set_order(scala, mounts.iter().copied(), |&i| {
        scala_order::fabric8_secret_volume_hash(fabric8, &volume_name(names[i]), names[i])
    });
    match volumes {
        Some(volumes) => (volumes, mounts),
        None => (sorted.clone(), sorted),
    }
}

/// Applies this step to the driver spec: all volumes first, then all mounts, as Spark does.
pub fn apply(plan: &Plan, spec: &mut DriverSpec) -> Result<()> {
    let entries: Vec<(&str, &str)> = plan.conf.with_prefix(PREFIX).collect();
    let names: Vec<&str> = entries.iter().map(|(name, _)| *name).collect();
    let (volume_order, mount_order) = spark_order(&names, &plan.spark_version);
    for secret_name in volume_order.iter().map(|&i| names[i]) {
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
    for (secret_name, mount_path) in mount_order.iter().map(|&i| entries[i]) {
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

/// Spark's order, hard-coded from `tests/oracle/probe/OrderProbe.java` runs of Spark 3.5.9 and
/// 4.0.5 (`<volumes>|<mounts>` by Secret name).
#[cfg(test)]
mod spark_order_tests {
    use super::*;

    /// (Secret names, Spark 3.5.9's order, Spark 4.0.5's order).
    type Vector = (&'static [&'static str], &'static str, &'static str);

    const VECTORS: &[Vector] = &[
        (
            &["db-creds", "aws", "gcp-key", "tls", "ldap"],
            "db-creds,ldap,tls,gcp-key,aws|aws,db-creds,tls,gcp-key,ldap",
            "aws,gcp-key,tls,ldap,db-creds|aws,db-creds,tls,gcp-key,ldap",
        ),
        (
            &["db-creds", "aws", "gcp-key", "tls", "ldap", "kafka"],
            "db-creds,kafka,ldap,tls,gcp-key,aws|aws,db-creds,tls,kafka,gcp-key,ldap",
            "aws,gcp-key,tls,kafka,ldap,db-creds|aws,db-creds,tls,kafka,gcp-key,ldap",
        ),
        (
            &[
                "db-creds", "aws", "gcp-key", "tls", "ldap", "kafka", "s3-ro",
            ],
            "db-creds,kafka,ldap,tls,gcp-key,aws,s3-ro|aws,db-creds,tls,kafka,s3-ro,gcp-key,ldap",
            "aws,gcp-key,tls,kafka,s3-ro,ldap,db-creds|aws,db-creds,tls,gcp-key,ldap,kafka,s3-ro",
        ),
        (
            &[
                "db-creds",
                "aws",
                "gcp-key",
                "tls",
                "ldap",
                "kafka",
                "s3-ro",
                "api-token",
            ],
            "api-token,db-creds,kafka,ldap,tls,gcp-key,aws,s3-ro|aws,api-token,db-creds,tls,kafka,s3-ro,gcp-key,ldap",
            "aws,gcp-key,tls,api-token,kafka,s3-ro,ldap,db-creds|aws,api-token,db-creds,tls,gcp-key,ldap,kafka,s3-ro",
        ),
        (
            &[
                "db-creds",
                "aws",
                "gcp-key",
                "tls",
                "ldap",
                "kafka",
                "s3-ro",
                "api-token",
                "ssh",
            ],
            "api-token,db-creds,kafka,ssh,ldap,tls,gcp-key,aws,s3-ro|aws,api-token,ssh,db-creds,tls,kafka,s3-ro,gcp-key,ldap",
            "aws,ssh,gcp-key,tls,api-token,kafka,s3-ro,ldap,db-creds|aws,db-creds,tls,gcp-key,ldap,api-token,ssh,kafka,s3-ro",
        ),
        (
            &[
                "db-creds",
                "aws",
                "gcp-key",
                "tls",
                "ldap",
                "kafka",
                "s3-ro",
                "api-token",
                "ssh",
                "vault",
            ],
            "api-token,db-creds,kafka,ssh,ldap,tls,gcp-key,vault,aws,s3-ro|aws,api-token,ssh,db-creds,tls,kafka,s3-ro,gcp-key,ldap,vault",
            "aws,ssh,gcp-key,tls,api-token,kafka,vault,s3-ro,ldap,db-creds|aws,db-creds,tls,gcp-key,ldap,vault,api-token,ssh,kafka,s3-ro",
        ),
    ];

    fn order(names: &[&str], version: &str) -> String {
        let mut sorted = names.to_vec();
        sorted.sort_unstable();
        let (volumes, mounts) = spark_order(&sorted, &SparkVersion::parse(version).unwrap());
        let list = |order: Vec<usize>| {
            order
                .into_iter()
                .map(|i| sorted[i])
                .collect::<Vec<_>>()
                .join(",")
        };
        format!("{}|{}", list(volumes), list(mounts))
    }

    #[test]
    fn secrets_follow_sparks_hash_order() {
        for (names, spark_3_5, spark_4_0) in VECTORS {
            assert_eq!(order(names, "3.5.9"), *spark_3_5, "{names:?}");
            assert_eq!(order(names, "4.0.5"), *spark_4_0, "{names:?}");
        }
    }

    #[test]
    fn four_or_fewer_and_hash_collisions_stay_sorted() {
        assert_eq!(order(&["b", "a", "c", "d"], "3.5.9"), "a,b,c,d|a,b,c,d");
        // "Aa" and "BB" share their String.hashCode: a collision node, not emulated.
        assert_eq!(
            order(&["Aa", "BB", "x", "y", "z"], "4.0.5"),
            "Aa,BB,x,y,z|Aa,BB,x,y,z"
        );
    }
}
