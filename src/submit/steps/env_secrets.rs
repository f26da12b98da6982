//! Spark's `EnvSecretsFeatureStep` (§3.5): every
//! `spark.kubernetes.driver.secretKeyRef.<ENV>=<secret>:<key>` becomes a driver env var read
//! from that key of the existing Secret.
//!
//! Order: Spark iterates these keys as an immutable Scala `Map`. From 5 variables on that is a
//! hash order, emulated exactly by [`scala_order`]; up to 4 the map keeps the order of
//! `SparkConf`'s `ConcurrentHashMap` (not emulated), and we sort by variable name.

use k8s_openapi::api::core::v1::{EnvVar, EnvVarSource, SecretKeySelector};

use crate::conf::SparkVersion;
use crate::error::{Error, Result};
use crate::submit::plan::{DriverSpec, Plan};
use crate::submit::steps::pod_template::add_env;
use crate::submit::steps::scala_order::{self, Scala};

/// Prefix of the driver's env vars from Secrets.
pub const PREFIX: &str = "spark.kubernetes.driver.secretKeyRef.";

/// Splits like Java's `String.split(":")`: trailing empty parts are dropped.
fn java_split_colon(value: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = value.split(':').collect();
    while parts.last() == Some(&"") {
        parts.pop();
    }
    parts
}

/// Parses `<secret>:<key>` into (secret name, key), with Spark's error otherwise.
pub fn parse_key_ref(env_name: &str, value: &str) -> Result<(String, String)> {
    match java_split_colon(value)[..] {
        [name, key] => Ok((name.to_string(), key.to_string())),
        _ => Err(Error::usage(
            "SecretKeyRef must be in the form name:key.",
            format!(
                "{PREFIX}{env_name} is `{value}`; write it as <secret name>:<key in the secret>, \
                 e.g. --conf {PREFIX}{env_name}=my-secret:password"
            ),
        )),
    }
}

/// Spark's order of the variables named `names` (distinct, sorted), as indices into `names`:
/// the Scala `Map`'s hash order from 5 variables on, else (not emulated) sorted.
pub fn spark_order(names: &[&str], version: &SparkVersion) -> Vec<usize> {
    scala_order::hash_map_order(Scala::for_spark(version), names)
        .unwrap_or_else(|| (0..names.len()).collect())
}

/// Applies this step to the driver spec.
pub fn apply(plan: &Plan, spec: &mut DriverSpec) -> Result<()> {
    let entries: Vec<(&str, &str)> = plan.conf.with_prefix(PREFIX).collect();
    let names: Vec<&str> = entries.iter().map(|(name, _)| *name).collect();
    let entries = spark_order(&names, &plan.spark_version)
        .into_iter()
        .map(|i| entries[i]);
    let mut vars = Vec::new();
    for (env_name, value) in entries {
        let (name, key) = parse_key_ref(env_name, value)?;
        vars.push(EnvVar {
            name: env_name.to_string(),
            value_from: Some(EnvVarSource {
                secret_key_ref: Some(SecretKeySelector {
                    key,
                    name,
                    optional: None,
                }),
                ..EnvVarSource::default()
            }),
            ..EnvVar::default()
        });
    }
    for var in vars {
        add_env(spec, var);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submit::steps::pod_template::test_support::{message_and_hint, plan, spec};

    #[test]
    fn nothing_set_changes_nothing() {
        let p = plan("4.0.1", &[]);
        let mut s = spec(&p);
        apply(&p, &mut s).unwrap();
        assert_eq!(s, spec(&p));
    }

    #[test]
    fn each_entry_becomes_a_secret_key_ref() {
        let p = plan(
            "4.0.1",
            &[
                (
                    "spark.kubernetes.driver.secretKeyRef.DB_PASS",
                    "db:password",
                ),
                ("spark.kubernetes.driver.secretKeyRef.API_KEY", "api:key"),
                ("spark.kubernetes.executor.secretKeyRef.X", "bad"),
            ],
        );
        let mut s = spec(&p);
        apply(&p, &mut s).unwrap();
        let env = serde_json::to_value(s.container.env.as_ref().unwrap()).unwrap();
        assert_eq!(
            env,
            serde_json::json!([
                {"name": "API_KEY", "valueFrom": {"secretKeyRef": {"name": "api", "key": "key"}}},
                {"name": "DB_PASS", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
            ])
        );
    }

    #[test]
    fn split_follows_java() {
        assert_eq!(parse_key_ref("E", "a:b").unwrap(), ("a".into(), "b".into()));
        // Java drops trailing empty parts, so these pass in Spark too.
        assert_eq!(
            parse_key_ref("E", "a:b:").unwrap(),
            ("a".into(), "b".into())
        );
        assert_eq!(parse_key_ref("E", ":b").unwrap(), ("".into(), "b".into()));
    }

    #[test]
    fn malformed_refs_fail_with_sparks_message() {
        for value in ["", ":", "secret", "secret:", "a:b:c", "a::"] {
            let p = plan(
                "4.0.1",
                &[("spark.kubernetes.driver.secretKeyRef.PASS", value)],
            );
            let mut s = spec(&p);
            let (msg, hint) = message_and_hint(&apply(&p, &mut s).unwrap_err());
            assert_eq!(
                msg, "SecretKeyRef must be in the form name:key.",
                "{value:?}"
            );
            assert!(
                hint.contains("spark.kubernetes.driver.secretKeyRef.PASS"),
                "{hint}"
            );
        }
    }
}

/// Spark's order, hard-coded from `tests/oracle/probe/OrderProbe.java` runs of Spark 3.5.9 and
/// 4.0.5.
#[cfg(test)]
mod spark_order_tests {
    use super::*;

    /// (variable names, Spark 3.5.9's order, Spark 4.0.5's order).
    type Vector = (&'static [&'static str], &'static str, &'static str);

    const VECTORS: &[Vector] = &[
        (
            &["DB_PASS", "AWS_KEY", "AWS_SECRET", "API_TOKEN", "LDAP_PW"],
            "AWS_SECRET,AWS_KEY,LDAP_PW,API_TOKEN,DB_PASS",
            "AWS_SECRET,AWS_KEY,LDAP_PW,API_TOKEN,DB_PASS",
        ),
        (
            &[
                "DB_PASS",
                "AWS_KEY",
                "AWS_SECRET",
                "API_TOKEN",
                "LDAP_PW",
                "KAFKA_PW",
            ],
            "AWS_SECRET,AWS_KEY,LDAP_PW,API_TOKEN,KAFKA_PW,DB_PASS",
            "AWS_SECRET,AWS_KEY,LDAP_PW,API_TOKEN,KAFKA_PW,DB_PASS",
        ),
        (
            &[
                "DB_PASS",
                "AWS_KEY",
                "AWS_SECRET",
                "API_TOKEN",
                "LDAP_PW",
                "KAFKA_PW",
                "GCP_KEY",
            ],
            "AWS_SECRET,GCP_KEY,AWS_KEY,LDAP_PW,API_TOKEN,KAFKA_PW,DB_PASS",
            "AWS_SECRET,GCP_KEY,AWS_KEY,LDAP_PW,API_TOKEN,KAFKA_PW,DB_PASS",
        ),
        (
            &[
                "DB_PASS",
                "AWS_KEY",
                "AWS_SECRET",
                "API_TOKEN",
                "LDAP_PW",
                "KAFKA_PW",
                "GCP_KEY",
                "SSH_KEY",
            ],
            "AWS_SECRET,GCP_KEY,AWS_KEY,LDAP_PW,API_TOKEN,KAFKA_PW,DB_PASS,SSH_KEY",
            "AWS_SECRET,GCP_KEY,AWS_KEY,LDAP_PW,API_TOKEN,SSH_KEY,KAFKA_PW,DB_PASS",
        ),
        (
            &[
                "DB_PASS",
                "AWS_KEY",
                "AWS_SECRET",
                "API_TOKEN",
                "LDAP_PW",
                "KAFKA_PW",
                "GCP_KEY",
                "SSH_KEY",
                "VAULT_TOKEN",
            ],
            "AWS_SECRET,GCP_KEY,AWS_KEY,VAULT_TOKEN,LDAP_PW,API_TOKEN,KAFKA_PW,DB_PASS,SSH_KEY",
            "AWS_SECRET,GCP_KEY,AWS_KEY,VAULT_TOKEN,LDAP_PW,API_TOKEN,SSH_KEY,KAFKA_PW,DB_PASS",
        ),
        (
            &[
                "DB_PASS",
                "AWS_KEY",
                "AWS_SECRET",
                "API_TOKEN",
                "LDAP_PW",
                "KAFKA_PW",
                "GCP_KEY",
                "SSH_KEY",
                "VAULT_TOKEN",
                "REDIS_PW",
            ],
            "AWS_SECRET,GCP_KEY,AWS_KEY,REDIS_PW,VAULT_TOKEN,LDAP_PW,API_TOKEN,KAFKA_PW,DB_PASS,SSH_KEY",
            "AWS_SECRET,GCP_KEY,AWS_KEY,REDIS_PW,VAULT_TOKEN,LDAP_PW,API_TOKEN,SSH_KEY,KAFKA_PW,DB_PASS",
        ),
    ];

    fn order(names: &[&str], version: &str) -> String {
        let mut sorted = names.to_vec();
        sorted.sort_unstable();
        spark_order(&sorted, &SparkVersion::parse(version).unwrap())
            .into_iter()
            .map(|i| sorted[i])
            .collect::<Vec<_>>()
            .join(",")
    }

    #[test]
    fn env_vars_follow_sparks_hash_order() {
        for (names, spark_3_5, spark_4_0) in VECTORS {
            assert_eq!(order(names, "3.5.9"), *spark_3_5, "{names:?}");
            assert_eq!(order(names, "4.0.5"), *spark_4_0, "{names:?}");
        }
    }

    #[test]
    fn four_or_fewer_stay_sorted() {
        assert_eq!(order(&["D", "C", "B", "A"], "4.0.5"), "A,B,C,D");
    }
}
