//! Spark's `KerberosConfDriverFeatureStep` (§3.5, Kerberos table): the krb5.conf (shipped in
//! `<prefix>-krb5-file` or an existing ConfigMap), the keytab (shipped in
//! `<prefix>-kerberos-keytab`), or an existing delegation-token Secret, with Spark's checks.
//!
//! Two gaps, both because a non-JVM client has no Hadoop security stack:
//! * Spark obtains Hadoop delegation tokens itself when neither a keytab nor a token Secret is
//!   given and security is on (Secret `<prefix>-delegation-tokens`); we cannot, so that case
//!   ships nothing — use a keytab or `spark.kubernetes.kerberos.tokenSecret.*`.
//! * Spark logs "You have not specified a krb5.conf file…" on every submission without a krb5
//!   setting; we cannot tell whether Hadoop security is in use, so we only say it (as a
//!   warning) when a Kerberos key is set.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapVolumeSource, EnvVar, KeyToPath, Secret, SecretVolumeSource, Volume,
    VolumeMount,
};

use crate::error::{Error, Result};
use crate::submit::plan::{DriverSpec, Plan, PostObject};
use crate::submit::steps::pod_template::{
    add_env, add_volume, add_volume_mount, named_meta, resource_prefix,
};

/// `spark.kerberos.principal` (alternative: `spark.yarn.principal`).
pub const PRINCIPAL_KEY: &str = "spark.kerberos.principal";
/// `spark.kerberos.keytab` (alternative: `spark.yarn.keytab`).
pub const KEYTAB_KEY: &str = "spark.kerberos.keytab";
/// Existing Secret holding delegation tokens.
pub const TOKEN_SECRET_NAME_KEY: &str = "spark.kubernetes.kerberos.tokenSecret.name";
/// Key of the tokens inside that Secret.
pub const TOKEN_SECRET_ITEM_KEY: &str = "spark.kubernetes.kerberos.tokenSecret.itemKey";
/// A local krb5.conf to ship.
pub const KRB5_PATH_KEY: &str = "spark.kubernetes.kerberos.krb5.path";
/// An existing ConfigMap holding krb5.conf.
pub const KRB5_CONFIG_MAP_KEY: &str = "spark.kubernetes.kerberos.krb5.configMapName";

const KRB5_VOLUME: &str = "krb5-file";
const KEYTAB_VOLUME: &str = "kerberos-keytab";
const KEYTAB_MOUNT_PATH: &str = "/mnt/secrets/kerberos-keytab";
const TOKEN_VOLUME: &str = "hadoop-secret";
const TOKEN_MOUNT_PATH: &str = "/mnt/secrets/hadoop-credentials";

/// Spark's info line when no krb5.conf is configured.
pub const NO_KRB5_MESSAGE: &str = "You have not specified a krb5.conf file locally or via a \
     ConfigMap. Make sure that you have the krb5.conf locally on the driver image.";

/// A key with its older YARN-era alternative.
fn get_with_alternative<'a>(plan: &'a Plan, key: &str, alternative: &str) -> Option<&'a str> {
    plan.conf.get(key).or_else(|| plan.conf.get(alternative))
}

/// Spark's `requireBothOrNeitherDefined` for one pair: the error when `first` is set alone.
fn require_pair(
    first: (&str, Option<&str>),
    second: (&str, Option<&str>),
    message: &str,
) -> Result<()> {
    if first.1.is_some() && second.1.is_none() {
        return Err(Error::usage(
            message,
            format!("set {} as well, or drop {}", second.0, first.0),
        ));
    }
    Ok(())
}

/// The checks Spark makes when building the step, in its order.
fn validate(plan: &Plan) -> Result<()> {
    let krb5_path = plan.conf.get(KRB5_PATH_KEY);
    let krb5_config_map = plan.conf.get(KRB5_CONFIG_MAP_KEY);
    if krb5_path.is_some() && krb5_config_map.is_some() {
        return Err(Error::usage(
            "Do not specify both a Krb5 local file and the ConfigMap as the creation of an \
             additional ConfigMap, when one is already specified, is extraneous",
            format!("keep only one of {KRB5_PATH_KEY} and {KRB5_CONFIG_MAP_KEY}"),
        ));
    }
    let keytab = (
        KEYTAB_KEY,
        get_with_alternative(plan, KEYTAB_KEY, "spark.yarn.keytab"),
    );
    let principal = (
        PRINCIPAL_KEY,
        get_with_alternative(plan, PRINCIPAL_KEY, "spark.yarn.principal"),
    );
    require_pair(
        keytab,
        principal,
        "If a Kerberos keytab is specified you must also specify a Kerberos principal",
    )?;
    require_pair(
        principal,
        keytab,
        "If a Kerberos principal is specified you must also specify a Kerberos keytab",
    )?;
    let name = (TOKEN_SECRET_NAME_KEY, plan.conf.get(TOKEN_SECRET_NAME_KEY));
    let item = (TOKEN_SECRET_ITEM_KEY, plan.conf.get(TOKEN_SECRET_ITEM_KEY));
    require_pair(
        name,
        item,
        "If a secret storing a Kerberos Delegation Token is specified you must also specify the \
         item-key where the data is stored",
    )?;
    require_pair(
        item,
        name,
        "If a secret data item-key where the data of the Kerberos Delegation Token is specified \
         you must also specify the name of the secret",
    )
}

/// Mounts krb5.conf at `/etc/krb5.conf` (always through `subPath: krb5.conf`, as Spark does)
/// and, for a local file, queues its ConfigMap.
fn mount_krb5(plan: &Plan, spec: &mut DriverSpec, prefix: &str) -> Result<()> {
    let (config_map_name, items, created) = if let Some(name) = plan.conf.get(KRB5_CONFIG_MAP_KEY) {
        (name.to_string(), None, None)
    } else if let Some(path) = plan.conf.get(KRB5_PATH_KEY) {
        let (file_name, content) = plan.inputs.krb5_conf.clone().ok_or_else(|| {
            Error::usage(
                format!("krb5.conf file provided at {path} does not exist or is not a file."),
                format!("fix {KRB5_PATH_KEY} to name an existing krb5.conf on this machine"),
            )
        })?;
        let name = format!("{prefix}-krb5-file");
        let items = vec![KeyToPath {
            key: file_name.clone(),
            path: file_name.clone(),
            mode: None,
        }];
        let config_map = ConfigMap {
            metadata: named_meta(name.clone()),
            immutable: Some(true),
            data: Some(BTreeMap::from([(file_name, content)])),
            ..ConfigMap::default()
        };
        (name, Some(items), Some(config_map))
    } else {
        return Ok(());
    };
    add_volume(
        spec,
        Volume {
            name: KRB5_VOLUME.into(),
            config_map: Some(ConfigMapVolumeSource {
                name: config_map_name,
                items,
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        },
    );
    add_volume_mount(
        spec,
        VolumeMount {
            name: KRB5_VOLUME.into(),
            mount_path: "/etc/krb5.conf".into(),
            sub_path: Some("krb5.conf".into()),
            ..VolumeMount::default()
        },
    );
    if let Some(config_map) = created {
        spec.post.push(PostObject::ConfigMap(config_map));
    }
    Ok(())
}

/// Mounts a Secret volume.
fn mount_secret(spec: &mut DriverSpec, volume: &str, secret_name: String, mount_path: &str) {
    add_volume(
        spec,
        Volume {
            name: volume.into(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(secret_name),
                ..SecretVolumeSource::default()
            }),
            ..Volume::default()
        },
    );
    add_volume_mount(
        spec,
        VolumeMount {
            name: volume.into(),
            mount_path: mount_path.into(),
            ..VolumeMount::default()
        },
    );
}

/// Applies this step to the driver spec.
pub fn apply(plan: &Plan, spec: &mut DriverSpec) -> Result<()> {
    validate(plan)?;
    let keytab = get_with_alternative(plan, KEYTAB_KEY, "spark.yarn.keytab");
    let principal = get_with_alternative(plan, PRINCIPAL_KEY, "spark.yarn.principal");
    let token_secret = plan.conf.get(TOKEN_SECRET_NAME_KEY);
    let has_krb5 = plan.conf.contains(KRB5_PATH_KEY) || plan.conf.contains(KRB5_CONFIG_MAP_KEY);
    if !has_krb5 && (keytab.is_some() || principal.is_some() || token_secret.is_some()) {
        spec.warnings.push(NO_KRB5_MESSAGE.to_string());
    }

    let prefix = resource_prefix(plan);
    mount_krb5(plan, spec, &prefix)?;

    if let Some(keytab) = keytab.filter(|k| !k.starts_with("local:")) {
        let (file_name, bytes) = plan.inputs.keytab.clone().ok_or_else(|| {
            Error::usage(
                format!("Keytab file provided at {keytab} does not exist or is not a file."),
                format!(
                    "fix {KEYTAB_KEY} to name an existing keytab on this machine, or use a \
                     local:// path to a keytab inside the image"
                ),
            )
        })?;
        let secret_name = format!("{prefix}-kerberos-keytab");
        mount_secret(spec, KEYTAB_VOLUME, secret_name.clone(), KEYTAB_MOUNT_PATH);
        spec.properties
            .set(KEYTAB_KEY, format!("{KEYTAB_MOUNT_PATH}/{file_name}"));
        spec.post.push(PostObject::Secret(Secret {
            metadata: named_meta(secret_name),
            immutable: Some(true),
            data: Some(BTreeMap::from([(file_name, ByteString(bytes))])),
            ..Secret::default()
        }));
    } else if let Some(secret_name) = token_secret {
        // validate() guarantees the item key is set alongside the name.
        let item_key = plan.conf.get(TOKEN_SECRET_ITEM_KEY).unwrap_or_default();
        mount_secret(
            spec,
            TOKEN_VOLUME,
            secret_name.to_string(),
            TOKEN_MOUNT_PATH,
        );
        add_env(
            spec,
            EnvVar {
                name: "HADOOP_TOKEN_FILE_LOCATION".into(),
                value: Some(format!("{TOKEN_MOUNT_PATH}/{item_key}")),
                ..EnvVar::default()
            },
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::submit::steps::pod_template::test_support::{message_and_hint, plan, spec};

    fn run(p: &Plan) -> DriverSpec {
        let mut s = spec(p);
        apply(p, &mut s).unwrap();
        s
    }

    fn err(entries: &[(&str, &str)]) -> (String, String) {
        let p = plan("4.0.1", entries);
        let mut s = spec(&p);
        message_and_hint(&apply(&p, &mut s).unwrap_err())
    }

    fn volumes(s: &DriverSpec) -> serde_json::Value {
        serde_json::to_value(s.pod.spec.as_ref().unwrap().volumes.as_ref().unwrap()).unwrap()
    }

    fn mounts(s: &DriverSpec) -> serde_json::Value {
        serde_json::to_value(s.container.volume_mounts.as_ref().unwrap()).unwrap()
    }

    #[test]
    fn nothing_set_changes_nothing() {
        let p = plan("4.0.1", &[]);
        assert_eq!(run(&p), spec(&p));
    }

    #[test]
    fn local_krb5_file_is_shipped() {
        let mut p = plan("4.0.1", &[(KRB5_PATH_KEY, "/etc/krb5.conf")]);
        p.inputs.krb5_conf = Some(("krb5.conf".into(), "[libdefaults]\n".into()));
        let s = run(&p);
        assert_eq!(
            volumes(&s),
            json!([{
                "name": "krb5-file",
                "configMap": {
                    "name": "spark-pi-abc123-krb5-file",
                    "items": [{"key": "krb5.conf", "path": "krb5.conf"}],
                },
            }])
        );
        assert_eq!(
            mounts(&s),
            json!([{"name": "krb5-file", "mountPath": "/etc/krb5.conf", "subPath": "krb5.conf"}])
        );
        let [PostObject::ConfigMap(cm)] = &s.post[..] else {
            panic!("{:?}", s.post);
        };
        assert_eq!(
            serde_json::to_value(cm).unwrap(),
            json!({
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "spark-pi-abc123-krb5-file"},
                "immutable": true,
                "data": {"krb5.conf": "[libdefaults]\n"},
            })
        );
        assert!(s.warnings.is_empty());
    }

    #[test]
    fn krb5_key_is_the_base_name_but_the_sub_path_stays_fixed() {
        let mut p = plan("4.0.1", &[(KRB5_PATH_KEY, "/home/me/my-krb5.ini")]);
        p.inputs.krb5_conf = Some(("my-krb5.ini".into(), "x".into()));
        let s = run(&p);
        assert_eq!(
            volumes(&s)[0]["configMap"]["items"][0]["key"],
            "my-krb5.ini"
        );
        assert_eq!(mounts(&s)[0]["subPath"], "krb5.conf");
    }

    #[test]
    fn existing_krb5_config_map_is_mounted() {
        let p = plan("3.5.9", &[(KRB5_CONFIG_MAP_KEY, "krb5-cm")]);
        let s = run(&p);
        assert_eq!(
            volumes(&s),
            json!([{"name": "krb5-file", "configMap": {"name": "krb5-cm"}}])
        );
        assert_eq!(mounts(&s)[0]["mountPath"], "/etc/krb5.conf");
        assert!(s.post.is_empty());
    }

    #[test]
    fn local_keytab_is_shipped_and_the_property_rewritten() {
        let mut p = plan(
            "4.0.1",
            &[
                (KEYTAB_KEY, "/home/me/user.keytab"),
                (PRINCIPAL_KEY, "user@REALM"),
                (KRB5_CONFIG_MAP_KEY, "krb5-cm"),
            ],
        );
        p.inputs.keytab = Some(("user.keytab".into(), vec![1, 2, 3]));
        let s = run(&p);
        assert_eq!(
            volumes(&s)[1],
            json!({"name": "kerberos-keytab", "secret": {"secretName": "spark-pi-abc123-kerberos-keytab"}})
        );
        assert_eq!(
            mounts(&s)[1],
            json!({"name": "kerberos-keytab", "mountPath": "/mnt/secrets/kerberos-keytab"})
        );
        assert_eq!(
            s.properties.get(KEYTAB_KEY),
            Some("/mnt/secrets/kerberos-keytab/user.keytab")
        );
        let [PostObject::Secret(secret)] = &s.post[..] else {
            panic!("{:?}", s.post);
        };
        assert_eq!(
            serde_json::to_value(secret).unwrap(),
            json!({
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "spark-pi-abc123-kerberos-keytab"},
                "immutable": true,
                "data": {"user.keytab": "AQID"},
            })
        );
        assert!(s.warnings.is_empty());
    }

    #[test]
    fn krb5_config_map_comes_before_the_keytab_secret() {
        let mut p = plan(
            "4.0.1",
            &[
                ("spark.yarn.keytab", "/k/u.keytab"),
                ("spark.yarn.principal", "u@R"),
                (KRB5_PATH_KEY, "/etc/krb5.conf"),
            ],
        );
        p.inputs.keytab = Some(("u.keytab".into(), vec![0]));
        p.inputs.krb5_conf = Some(("krb5.conf".into(), "x".into()));
        let s = run(&p);
        let kinds: Vec<String> = s.post.iter().map(PostObject::describe).collect();
        assert_eq!(
            kinds,
            [
                "ConfigMap/spark-pi-abc123-krb5-file",
                "Secret/spark-pi-abc123-kerberos-keytab"
            ]
        );
        assert_eq!(
            s.properties.get(KEYTAB_KEY),
            Some("/mnt/secrets/kerberos-keytab/u.keytab")
        );
    }

    #[test]
    fn local_uri_keytab_stays_in_the_image() {
        let p = plan(
            "4.0.1",
            &[
                (KEYTAB_KEY, "local:///opt/u.keytab"),
                (PRINCIPAL_KEY, "u@R"),
            ],
        );
        let s = run(&p);
        assert!(s.post.is_empty());
        assert!(s.pod.spec.as_ref().unwrap().volumes.is_none());
        assert_eq!(s.properties.get(KEYTAB_KEY), Some("local:///opt/u.keytab"));
        assert_eq!(s.warnings, [NO_KRB5_MESSAGE]);
    }

    #[test]
    fn token_secret_is_mounted_with_its_env() {
        let p = plan(
            "4.0.1",
            &[
                (TOKEN_SECRET_NAME_KEY, "dt-secret"),
                (TOKEN_SECRET_ITEM_KEY, "tokens"),
                (KRB5_CONFIG_MAP_KEY, "krb5-cm"),
            ],
        );
        let s = run(&p);
        assert_eq!(
            volumes(&s)[1],
            json!({"name": "hadoop-secret", "secret": {"secretName": "dt-secret"}})
        );
        assert_eq!(
            mounts(&s)[1],
            json!({"name": "hadoop-secret", "mountPath": "/mnt/secrets/hadoop-credentials"})
        );
        assert_eq!(
            serde_json::to_value(s.container.env.as_ref().unwrap()).unwrap(),
            json!([{"name": "HADOOP_TOKEN_FILE_LOCATION", "value": "/mnt/secrets/hadoop-credentials/tokens"}])
        );
        assert!(s.post.is_empty());
    }

    #[test]
    fn a_shipped_keytab_wins_over_a_token_secret() {
        let mut p = plan(
            "4.0.1",
            &[
                (KEYTAB_KEY, "/k/u.keytab"),
                (PRINCIPAL_KEY, "u@R"),
                (TOKEN_SECRET_NAME_KEY, "dt"),
                (TOKEN_SECRET_ITEM_KEY, "t"),
            ],
        );
        p.inputs.keytab = Some(("u.keytab".into(), vec![0]));
        let s = run(&p);
        assert_eq!(volumes(&s).as_array().unwrap().len(), 1);
        assert_eq!(volumes(&s)[0]["name"], "kerberos-keytab");
        assert!(s.container.env.is_none());

        // With an in-image keytab the token Secret is mounted.
        let p = plan(
            "4.0.1",
            &[
                (KEYTAB_KEY, "local:///k/u.keytab"),
                (PRINCIPAL_KEY, "u@R"),
                (TOKEN_SECRET_NAME_KEY, "dt"),
                (TOKEN_SECRET_ITEM_KEY, "t"),
            ],
        );
        let s = run(&p);
        assert_eq!(volumes(&s)[0]["name"], "hadoop-secret");
    }

    /// Conf entries, the expected message, and the key the hint must name.
    type ErrorCase = (
        &'static [(&'static str, &'static str)],
        &'static str,
        &'static str,
    );

    #[test]
    fn validation_messages() {
        let cases: [ErrorCase; 6] = [
            (
                &[(KRB5_PATH_KEY, "/k"), (KRB5_CONFIG_MAP_KEY, "cm")],
                "Do not specify both a Krb5 local file and the ConfigMap as the creation of an \
                 additional ConfigMap, when one is already specified, is extraneous",
                KRB5_CONFIG_MAP_KEY,
            ),
            (
                &[(KEYTAB_KEY, "/k")],
                "If a Kerberos keytab is specified you must also specify a Kerberos principal",
                PRINCIPAL_KEY,
            ),
            (
                &[("spark.yarn.keytab", "/k")],
                "If a Kerberos keytab is specified you must also specify a Kerberos principal",
                PRINCIPAL_KEY,
            ),
            (
                &[(PRINCIPAL_KEY, "u@R")],
                "If a Kerberos principal is specified you must also specify a Kerberos keytab",
                KEYTAB_KEY,
            ),
            (
                &[(TOKEN_SECRET_NAME_KEY, "dt")],
                "If a secret storing a Kerberos Delegation Token is specified you must also \
                 specify the item-key where the data is stored",
                TOKEN_SECRET_ITEM_KEY,
            ),
            (
                &[(TOKEN_SECRET_ITEM_KEY, "t")],
                "If a secret data item-key where the data of the Kerberos Delegation Token is \
                 specified you must also specify the name of the secret",
                TOKEN_SECRET_NAME_KEY,
            ),
        ];
        for (entries, message, key) in cases {
            let (msg, hint) = err(entries);
            assert_eq!(msg, message);
            assert!(hint.contains(key), "{hint}");
        }
    }

    #[test]
    fn unread_files_fail_naming_the_key() {
        let (msg, hint) = err(&[(KRB5_PATH_KEY, "/nope/krb5.conf")]);
        assert_eq!(
            msg,
            "krb5.conf file provided at /nope/krb5.conf does not exist or is not a file."
        );
        assert!(hint.contains(KRB5_PATH_KEY), "{hint}");
        let (msg, hint) = err(&[(KEYTAB_KEY, "/nope/u.keytab"), (PRINCIPAL_KEY, "u@R")]);
        assert_eq!(
            msg,
            "Keytab file provided at /nope/u.keytab does not exist or is not a file."
        );
        assert!(hint.contains(KEYTAB_KEY), "{hint}");
    }

    #[test]
    fn no_krb5_message_only_when_kerberos_is_configured() {
        let p = plan(
            "4.0.1",
            &[(TOKEN_SECRET_NAME_KEY, "dt"), (TOKEN_SECRET_ITEM_KEY, "t")],
        );
        assert_eq!(run(&p).warnings, [NO_KRB5_MESSAGE]);
        let p = plan("4.0.1", &[("spark.hadoop.fs.defaultFS", "hdfs://nn")]);
        assert!(run(&p).warnings.is_empty());
    }
}
