//! Spark's `DriverKubernetesCredentialsFeatureStep` (§3.5): ships the driver's API credentials
//! given on the submitting machine in the `<prefix>-kubernetes-credentials` Secret, points the
//! `…driver.mounted.*` properties at it, applies the driver service account when no
//! credentials are shipped, and redacts every `*oauthToken` property.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{Secret, SecretVolumeSource, Volume, VolumeMount};

use crate::error::{Error, Result};
use crate::submit::plan::{DriverSpec, Plan, PostObject};
use crate::submit::steps::pod_template::{
    add_volume, add_volume_mount, named_meta, pod_spec_mut, resource_prefix,
};

/// Prefix of the credentials shipped from the submitting machine.
pub const DRIVER_PREFIX: &str = "spark.kubernetes.authenticate.driver";
/// Prefix of the credential files already present in the driver pod.
pub const MOUNTED_PREFIX: &str = "spark.kubernetes.authenticate.driver.mounted";
/// The driver service account key.
pub const SERVICE_ACCOUNT_KEY: &str = "spark.kubernetes.authenticate.driver.serviceAccountName";
/// Volume holding the credentials Secret.
pub const VOLUME_NAME: &str = "kubernetes-credentials";
/// Where the credentials Secret is mounted in the driver.
pub const MOUNT_PATH: &str = "/mnt/secrets/spark-kubernetes-credentials";
/// The value every `*oauthToken` property is written with.
pub const REDACTED: &str = "<present_but_redacted>";
/// Key of the OAuth token in the credentials Secret.
pub const SECRET_TOKEN: &str = "oauth-token";
/// Key of the client key in the credentials Secret.
pub const SECRET_CLIENT_KEY: &str = "client-key";
/// Key of the client certificate in the credentials Secret.
pub const SECRET_CLIENT_CERT: &str = "client-cert";
/// Name suffix of the credentials Secret (`<prefix>-kubernetes-credentials`).
pub const SECRET_SUFFIX: &str = "-kubernetes-credentials";

/// One credential the driver can be given: its conf suffix, its key in the Secret, the
/// `mounted.*` suffix that points at it, and how Spark names it in errors.
struct Credential {
    suffix: &'static str,
    secret_key: &'static str,
    mounted_suffix: &'static str,
    description: &'static str,
}

/// The credentials in Spark's order (the order of its 4.3 warning).
const CREDENTIALS: [Credential; 4] = [
    Credential {
        suffix: "oauthToken",
        secret_key: SECRET_TOKEN,
        mounted_suffix: "oauthTokenFile",
        description: "Driver OAuth token",
    },
    Credential {
        suffix: "caCertFile",
        secret_key: "ca-cert",
        mounted_suffix: "caCertFile",
        description: "Driver CA cert file",
    },
    Credential {
        suffix: "clientKeyFile",
        secret_key: SECRET_CLIENT_KEY,
        mounted_suffix: "clientKeyFile",
        description: "Driver client key file",
    },
    Credential {
        suffix: "clientCertFile",
        secret_key: SECRET_CLIENT_CERT,
        mounted_suffix: "clientCertFile",
        description: "Driver client cert file",
    },
];

/// The credentials shipped to the driver: (credential, raw bytes), in Spark's order. A file
/// named in the conf but not read at resolve time is Spark's "does not exist" error.
fn submitted(plan: &Plan) -> Result<Vec<(&'static Credential, Vec<u8>)>> {
    let mut out = Vec::new();
    for cred in &CREDENTIALS {
        let key = format!("{DRIVER_PREFIX}.{}", cred.suffix);
        let Some(value) = plan.conf.get(&key) else {
            continue;
        };
        let bytes = match cred.suffix {
            "oauthToken" => Some(value.as_bytes().to_vec()),
            "caCertFile" => plan.inputs.driver_ca_cert.clone(),
            "clientKeyFile" => plan.inputs.driver_client_key.clone(),
            _ => plan.inputs.driver_client_cert.clone(),
        };
        let bytes = bytes.ok_or_else(|| {
            Error::usage(
                format!(
                    "{} provided at {value} does not exist or is not a file.",
                    cred.description
                ),
                format!("fix {key} to name an existing file on this machine"),
            )
        })?;
        out.push((cred, bytes));
    }
    Ok(out)
}

/// The service account a pod spec already names: `serviceAccountName` (when not empty) wins
/// over the deprecated `serviceAccount` alias, as Kubernetes reads them.
fn pod_service_account(spec: &DriverSpec) -> Option<String> {
    let pod_spec = spec.pod.spec.as_ref()?;
    pod_spec
        .service_account_name
        .clone()
        .filter(|n| !n.is_empty())
        .or_else(|| pod_spec.service_account.clone().filter(|n| !n.is_empty()))
}

/// Spark 4.3's warning when shipped credentials keep the driver service account off the pod.
fn service_account_warning(account: &str, kept: Option<&str>, confs: &[String]) -> String {
    let kept = match kept {
        Some(name) => format!("the pod keeps {name}, named by its spec"),
        None => "the pod falls back to the namespace's default account".to_string(),
    };
    format!(
        "Not applying {SERVICE_ACCOUNT_KEY}={account} to the driver pod, because the driver \
         credentials given by {} take precedence: {kept}. To have Spark apply that configuration \
         anyway, put the credentials inside the driver pod and point the {MOUNTED_PREFIX}.* \
         configurations at them instead, which does not mount a secret.",
        confs.join(", ")
    )
}

/// Applies this step to the driver spec.
pub fn apply(plan: &Plan, spec: &mut DriverSpec) -> Result<()> {
    let creds = submitted(plan)?;
    let account = plan.conf.get(SERVICE_ACCOUNT_KEY);
    let secret_name = format!("{}{SECRET_SUFFIX}", resource_prefix(plan));

    if creds.is_empty() {
        if let Some(account) = account {
            let pod_spec = pod_spec_mut(&mut spec.pod);
            pod_spec.service_account = Some(account.to_string());
            pod_spec.service_account_name = Some(account.to_string());
        }
    } else {
        if let Some(account) = account
            && plan.spark_version.at_least(4, 3)
        {
            let kept = pod_service_account(spec);
            if kept.as_deref() != Some(account) {
                let confs: Vec<String> = creds
                    .iter()
                    .map(|(c, _)| format!("{DRIVER_PREFIX}.{}", c.suffix))
                    .collect();
                spec.warnings
                    .push(service_account_warning(account, kept.as_deref(), &confs));
            }
        }
        add_volume(
            spec,
            Volume {
                name: VOLUME_NAME.into(),
                secret: Some(SecretVolumeSource {
                    secret_name: Some(secret_name.clone()),
                    ..SecretVolumeSource::default()
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
    }

    // Every *oauthToken key of the submitting conf (submission, driver, client mode).
    let tokens: Vec<String> = plan
        .conf
        .iter()
        .filter(|(k, _)| k.ends_with("oauthToken"))
        .map(|(k, _)| k.to_string())
        .collect();
    for key in tokens {
        spec.properties.set(key, REDACTED);
    }
    // A user-supplied mounted path wins over the Secret's.
    for (cred, _) in &creds {
        let key = format!("{MOUNTED_PREFIX}.{}", cred.mounted_suffix);
        let value = plan
            .conf
            .get(&key)
            .map(str::to_string)
            .unwrap_or_else(|| format!("{MOUNT_PATH}/{}", cred.secret_key));
        spec.properties.set(key, value);
    }

    if !creds.is_empty() {
        let data: BTreeMap<String, ByteString> = creds
            .into_iter()
            .map(|(c, bytes)| (c.secret_key.to_string(), ByteString(bytes)))
            .collect();
        spec.post.push(PostObject::Secret(Secret {
            metadata: named_meta(secret_name),
            immutable: Some(true),
            data: Some(data),
            ..Secret::default()
        }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submit::steps::pod_template::test_support::{message_and_hint, plan, spec};

    const CA: &str = "spark.kubernetes.authenticate.driver.caCertFile";
    const KEY: &str = "spark.kubernetes.authenticate.driver.clientKeyFile";
    const CERT: &str = "spark.kubernetes.authenticate.driver.clientCertFile";
    const TOKEN: &str = "spark.kubernetes.authenticate.driver.oauthToken";

    fn run(p: &Plan) -> DriverSpec {
        let mut s = spec(p);
        apply(p, &mut s).unwrap();
        s
    }

    fn secret(s: &DriverSpec) -> &Secret {
        match &s.post[..] {
            [PostObject::Secret(secret)] => secret,
            other => panic!("expected one Secret, got {other:?}"),
        }
    }

    fn with_all_files(version: &str, extra: &[(&str, &str)]) -> Plan {
        let mut entries = vec![
            (CA, "/home/me/ca.pem"),
            (KEY, "/home/me/key.pem"),
            (CERT, "/home/me/cert.pem"),
            (TOKEN, "tok"),
        ];
        entries.extend_from_slice(extra);
        let mut p = plan(version, &entries);
        p.inputs.driver_ca_cert = Some(b"ca-bytes".to_vec());
        p.inputs.driver_client_key = Some(b"key-bytes".to_vec());
        p.inputs.driver_client_cert = Some(b"cert-bytes".to_vec());
        p
    }

    #[test]
    fn nothing_set_changes_nothing() {
        let p = plan("4.0.1", &[]);
        let s = run(&p);
        assert_eq!(s, spec(&p));
    }

    #[test]
    fn service_account_applies_without_credentials() {
        let p = plan("4.3.0", &[(SERVICE_ACCOUNT_KEY, "spark")]);
        let s = run(&p);
        let pod_spec = s.pod.spec.as_ref().unwrap();
        assert_eq!(pod_spec.service_account.as_deref(), Some("spark"));
        assert_eq!(pod_spec.service_account_name.as_deref(), Some("spark"));
        assert!(s.post.is_empty() && s.warnings.is_empty());
        assert!(pod_spec.volumes.is_none());
    }

    #[test]
    fn mounted_paths_alone_keep_the_service_account() {
        let mounted = "spark.kubernetes.authenticate.driver.mounted.caCertFile";
        let p = plan(
            "4.3.0",
            &[(SERVICE_ACCOUNT_KEY, "spark"), (mounted, "/etc/ca.pem")],
        );
        let s = run(&p);
        assert_eq!(
            s.pod.spec.as_ref().unwrap().service_account_name.as_deref(),
            Some("spark")
        );
        assert_eq!(s.properties.get(mounted), Some("/etc/ca.pem"));
        assert!(s.post.is_empty() && s.warnings.is_empty());
    }

    #[test]
    fn all_credentials_ship_in_one_immutable_secret() {
        let p = with_all_files("4.0.1", &[]);
        let s = run(&p);
        let secret = secret(&s);
        assert_eq!(
            secret.metadata.name.as_deref(),
            Some("spark-pi-abc123-kubernetes-credentials")
        );
        assert_eq!(secret.metadata.namespace, None);
        assert_eq!(secret.metadata.labels, None);
        assert_eq!(secret.immutable, Some(true));
        assert_eq!(secret.type_, None);
        let data = secret.data.as_ref().unwrap();
        assert_eq!(data["oauth-token"].0, b"tok");
        assert_eq!(data["ca-cert"].0, b"ca-bytes");
        assert_eq!(data["client-key"].0, b"key-bytes");
        assert_eq!(data["client-cert"].0, b"cert-bytes");
        let json = serde_json::to_value(secret).unwrap();
        assert_eq!(json["data"]["oauth-token"], "dG9r");

        let pod_spec = s.pod.spec.as_ref().unwrap();
        let volume = &pod_spec.volumes.as_ref().unwrap()[0];
        assert_eq!(volume.name, "kubernetes-credentials");
        assert_eq!(
            volume.secret.as_ref().unwrap().secret_name.as_deref(),
            Some("spark-pi-abc123-kubernetes-credentials")
        );
        let mount = &s.container.volume_mounts.as_ref().unwrap()[0];
        assert_eq!(
            (mount.name.as_str(), mount.mount_path.as_str()),
            (
                "kubernetes-credentials",
                "/mnt/secrets/spark-kubernetes-credentials"
            )
        );
        assert_eq!(mount.read_only, None);

        let m = "spark.kubernetes.authenticate.driver.mounted.";
        for (suffix, file) in [
            ("caCertFile", "ca-cert"),
            ("clientKeyFile", "client-key"),
            ("clientCertFile", "client-cert"),
            ("oauthTokenFile", "oauth-token"),
        ] {
            assert_eq!(
                s.properties.get(&format!("{m}{suffix}")),
                Some(format!("/mnt/secrets/spark-kubernetes-credentials/{file}").as_str())
            );
        }
        assert_eq!(s.properties.get(TOKEN), Some(REDACTED));
        assert!(s.warnings.is_empty());
    }

    #[test]
    fn only_given_credentials_are_shipped_and_pointed_at() {
        let p = plan("4.0.1", &[(TOKEN, "tok")]);
        let s = run(&p);
        let data = secret(&s).data.as_ref().unwrap();
        assert_eq!(data.keys().collect::<Vec<_>>(), ["oauth-token"]);
        let m = "spark.kubernetes.authenticate.driver.mounted.";
        assert_eq!(
            s.properties.get(&format!("{m}oauthTokenFile")),
            Some("/mnt/secrets/spark-kubernetes-credentials/oauth-token")
        );
        assert_eq!(s.properties.get(&format!("{m}caCertFile")), None);
    }

    #[test]
    fn user_mounted_paths_win() {
        let mounted = "spark.kubernetes.authenticate.driver.mounted.oauthTokenFile";
        let p = plan("4.0.1", &[(TOKEN, "tok"), (mounted, "/var/token")]);
        let s = run(&p);
        assert_eq!(s.properties.get(mounted), Some("/var/token"));
        assert_eq!(s.post.len(), 1);
    }

    #[test]
    fn every_oauth_token_key_is_redacted() {
        let p = plan(
            "3.5.9",
            &[
                ("spark.kubernetes.authenticate.submission.oauthToken", "a"),
                ("spark.kubernetes.authenticate.oauthToken", "b"),
                (
                    "spark.kubernetes.authenticate.submission.oauthTokenFile",
                    "/t",
                ),
            ],
        );
        let s = run(&p);
        assert_eq!(
            s.properties
                .get("spark.kubernetes.authenticate.submission.oauthToken"),
            Some(REDACTED)
        );
        assert_eq!(
            s.properties.get("spark.kubernetes.authenticate.oauthToken"),
            Some(REDACTED)
        );
        assert_eq!(
            s.properties
                .get("spark.kubernetes.authenticate.submission.oauthTokenFile"),
            Some("/t")
        );
        // Submission and client-mode tokens are not shipped to the driver.
        assert!(s.post.is_empty());
    }

    #[test]
    fn unread_files_fail_with_sparks_message() {
        for (key, what) in [
            (CA, "Driver CA cert file"),
            (KEY, "Driver client key file"),
            (CERT, "Driver client cert file"),
        ] {
            let p = plan("4.0.1", &[(key, "/nope/x.pem")]);
            let mut s = spec(&p);
            let (msg, hint) = message_and_hint(&apply(&p, &mut s).unwrap_err());
            assert_eq!(
                msg,
                format!("{what} provided at /nope/x.pem does not exist or is not a file.")
            );
            assert!(hint.contains(key), "{hint}");
        }
    }

    #[test]
    fn credentials_keep_the_service_account_off_the_pod() {
        for version in ["3.5.9", "4.2.1"] {
            let p = with_all_files(version, &[(SERVICE_ACCOUNT_KEY, "spark")]);
            let s = run(&p);
            let pod_spec = s.pod.spec.as_ref().unwrap();
            assert_eq!(pod_spec.service_account, None);
            assert_eq!(pod_spec.service_account_name, None);
            assert!(s.warnings.is_empty(), "{version}: no warning before 4.3");
        }
    }

    #[test]
    fn spark_4_3_warns_naming_the_given_credentials() {
        let mut p = plan("4.3.0", &[(SERVICE_ACCOUNT_KEY, "spark"), (CA, "/ca.pem")]);
        p.inputs.driver_ca_cert = Some(b"x".to_vec());
        let s = run(&p);
        assert_eq!(
            s.warnings,
            [
                "Not applying spark.kubernetes.authenticate.driver.serviceAccountName=spark to the \
                 driver pod, because the driver credentials given by \
                 spark.kubernetes.authenticate.driver.caCertFile take precedence: the pod falls back \
                 to the namespace's default account. To have Spark apply that configuration anyway, \
                 put the credentials inside the driver pod and point the \
                 spark.kubernetes.authenticate.driver.mounted.* configurations at them instead, \
                 which does not mount a secret."
            ]
        );

        let p = with_all_files("4.3.0", &[(SERVICE_ACCOUNT_KEY, "spark")]);
        let s = run(&p);
        assert!(s.warnings[0].contains(
            "given by spark.kubernetes.authenticate.driver.oauthToken, \
             spark.kubernetes.authenticate.driver.caCertFile, \
             spark.kubernetes.authenticate.driver.clientKeyFile, \
             spark.kubernetes.authenticate.driver.clientCertFile take precedence"
        ));
    }

    #[test]
    fn spark_4_3_names_the_template_account_or_stays_quiet() {
        let p = plan("4.3.0", &[(SERVICE_ACCOUNT_KEY, "spark"), (TOKEN, "t")]);
        let cases: [(Option<&str>, Option<&str>, Option<&str>); 5] = [
            (None, Some("other"), Some("other")),
            (Some("spark"), Some("other"), Some("other")),
            (None, Some("spark"), None),
            (Some("spark"), None, None),
            (Some("spark"), Some(""), None),
        ];
        for (sa, sa_name, kept) in cases {
            let mut s = spec(&p);
            let pod_spec = pod_spec_mut(&mut s.pod);
            pod_spec.service_account = sa.map(str::to_string);
            pod_spec.service_account_name = sa_name.map(str::to_string);
            apply(&p, &mut s).unwrap();
            match kept {
                Some(name) => {
                    assert_eq!(s.warnings.len(), 1);
                    assert!(
                        s.warnings[0].contains(&format!("the pod keeps {name}, named by its spec")),
                        "{}",
                        s.warnings[0]
                    );
                }
                None => assert!(
                    s.warnings.is_empty(),
                    "{sa:?}/{sa_name:?}: {:?}",
                    s.warnings
                ),
            }
            // The template's account is never replaced when credentials are shipped.
            let pod_spec = s.pod.spec.as_ref().unwrap();
            assert_eq!(pod_spec.service_account.as_deref(), sa);
            assert_eq!(pod_spec.service_account_name.as_deref(), sa_name);
        }
    }
}
