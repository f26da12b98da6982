//! Namespace defaults on the cluster: reading them once during resolution, writing them from
//! `setup` (server-side apply), removing them with `setup --delete`.

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::Client;
use kube::api::{Api, DeleteParams, Patch, PatchParams};

use super::{MANAGED_BY, NAME, NamespaceDefaults};
use crate::error::Result;
use crate::kube as k;
use crate::output;
use crate::submit::apply::FIELD_MANAGER;

/// What reading the defaults found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The namespace has defaults.
    Defaults(NamespaceDefaults),
    /// It has none: everything behaves as without this feature.
    None,
    /// They could not be read (no permission, no server): said once, then ignored.
    Unreadable(String),
}

impl Found {
    /// The defaults, if any were read.
    pub fn defaults(&self) -> Option<&NamespaceDefaults> {
        match self {
            Found::Defaults(d) => Some(d),
            _ => None,
        }
    }
}

/// Reads the namespace's defaults. A missing ConfigMap is [`Found::None`]; a refused or failed
/// read is [`Found::Unreadable`] with why (a submission goes on without them); an API server
/// that cannot be reached is an error.
pub async fn read(client: &Client, namespace: &str) -> Result<Found> {
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
    match api.get_opt(NAME).await {
        Ok(Some(cm)) => {
            let d = NamespaceDefaults::from_config_map(&cm)?;
            Ok(if d.is_empty() {
                Found::None
            } else {
                Found::Defaults(d)
            })
        }
        Ok(None) => Ok(Found::None),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(Found::None),
        // No server at all: the one-line error every command gives.
        Err(e) if k::unreachable(&e).is_some() => Err(k::api_error(e, "get configmaps", namespace)),
        Err(e) => Ok(Found::Unreadable(
            k::api_error(e, "get configmaps", namespace).to_string(),
        )),
    }
}

/// The one stderr line saying which defaults a command applies (or why none could be read).
pub fn announce(found: &Found, namespace: &str, applied: &[String]) {
    match found {
        Found::Defaults(_) if !applied.is_empty() => output::info(&format!(
            "Applying namespace defaults from ConfigMap {namespace}/{NAME}: {}",
            applied.join(", ")
        )),
        Found::Unreadable(why) => output::warn(&format!(
            "namespace defaults (ConfigMap {namespace}/{NAME}) not applied: {why}"
        )),
        _ => {}
    }
}

/// Applies the defaults' ConfigMap and, when there are secret values, their Secret; removes
/// a Secret left by an earlier setup when there are none now.
pub async fn apply(
    client: &Client,
    namespace: &str,
    config_map: &ConfigMap,
    secret: Option<&Secret>,
) -> Result<()> {
    let pp = PatchParams::apply(FIELD_MANAGER).force();
    let secrets: Api<Secret> = Api::namespaced(client.clone(), namespace);
    match secret {
        Some(s) => {
            let mut v = serde_json::to_value(s).unwrap_or_default();
            typed(&mut v, "Secret");
            secrets
                .patch(NAME, &pp, &Patch::Apply(&v))
                .await
                .map_err(|e| k::api_error(e, "apply secrets", namespace))?;
            output::info(&format!("Secret {NAME} applied"));
        }
        None => {
            delete_if_managed(client, namespace, false, true).await?;
        }
    }
    let mut v = serde_json::to_value(config_map).unwrap_or_default();
    typed(&mut v, "ConfigMap");
    Api::<ConfigMap>::namespaced(client.clone(), namespace)
        .patch(NAME, &pp, &Patch::Apply(&v))
        .await
        .map_err(|e| k::api_error(e, "apply configmaps", namespace))?;
    output::info(&format!("ConfigMap {NAME} applied"));
    Ok(())
}

fn typed(v: &mut serde_json::Value, kind: &str) {
    if let Some(o) = v.as_object_mut() {
        o.insert("apiVersion".into(), "v1".into());
        o.insert("kind".into(), kind.into());
    }
}

fn managed(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> bool {
    meta.labels
        .as_ref()
        .and_then(|l| l.get(MANAGED_BY.0))
        .is_some_and(|v| v == MANAGED_BY.1)
}

/// Deletes the defaults' ConfigMap and/or Secret when they carry the managed-by label;
/// returns how many were deleted.
pub async fn delete_if_managed(
    client: &Client,
    namespace: &str,
    config_map: bool,
    secret: bool,
) -> Result<usize> {
    let mut n = 0;
    if config_map {
        let api: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
        if let Some(cm) = api
            .get_opt(NAME)
            .await
            .map_err(|e| k::api_error(e, "get configmaps", namespace))?
            && managed(&cm.metadata)
        {
            api.delete(NAME, &DeleteParams::default())
                .await
                .map_err(|e| k::api_error(e, "delete configmaps", namespace))?;
            output::info(&format!("ConfigMap {NAME} deleted"));
            n += 1;
        }
    }
    if secret {
        let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
        if let Some(s) = api
            .get_opt(NAME)
            .await
            .map_err(|e| k::api_error(e, "get secrets", namespace))?
            && managed(&s.metadata)
        {
            api.delete(NAME, &DeleteParams::default())
                .await
                .map_err(|e| k::api_error(e, "delete secrets", namespace))?;
            output::info(&format!("Secret {NAME} deleted"));
            n += 1;
        }
    }
    Ok(n)
}

/// `doctor`'s line about the namespace defaults: which apply (values of secrets never shown),
/// and whether the Secret they reference exists.
pub async fn doctor_check(client: &Client, namespace: &str) -> crate::preflight::Check {
    use crate::preflight::{Check, Status};
    let name = "namespace defaults".to_string();
    let check = |status, detail: String, fix: Option<String>| Check {
        name: name.clone(),
        status,
        detail,
        fix,
    };
    match read(client, namespace).await {
        Ok(Found::None) => check(
            Status::Ok,
            format!("none (ConfigMap {NAME} absent): submissions use only their own settings"),
            None,
        ),
        Ok(Found::Unreadable(why)) | Err(crate::error::Error::Api { message: why, .. }) => check(
            Status::Warn,
            format!("cannot read ConfigMap {NAME}: {why}"),
            None,
        ),
        Err(e) => check(Status::Warn, e.to_string(), None),
        Ok(Found::Defaults(d)) => {
            let detail = format!(
                "applied below every submission's own settings from ConfigMap {NAME}: {}",
                d.describe()
            );
            if d.secret_keys.is_empty() {
                return check(Status::Ok, detail, None);
            }
            let secrets: Api<Secret> = Api::namespaced(client.clone(), namespace);
            match secrets.get_opt(NAME).await {
                Ok(Some(s)) => {
                    let data = s.data.unwrap_or_default();
                    let missing: Vec<&str> = d
                        .secret_keys
                        .iter()
                        .filter(|k| !data.contains_key(*k))
                        .map(String::as_str)
                        .collect();
                    if missing.is_empty() {
                        check(Status::Ok, detail, None)
                    } else {
                        check(
                            Status::Fail,
                            format!("Secret {NAME} lacks {}", missing.join(", ")),
                            Some(format!(
                                "kubectl spark setup -n {namespace} --conf KEY=VALUE … (all the defaults again)"
                            )),
                        )
                    }
                }
                Ok(None) => check(
                    Status::Fail,
                    format!(
                        "Secret {NAME}, which holds {}, does not exist",
                        d.secret_keys.join(", ")
                    ),
                    Some(format!(
                        "kubectl spark setup -n {namespace} --conf KEY=VALUE … (all the defaults again)"
                    )),
                ),
                Err(e) => check(
                    Status::Warn,
                    format!(
                        "{detail}; cannot check Secret {NAME}: {}",
                        k::api_error(e, "get secrets", namespace)
                    ),
                    None,
                ),
            }
        }
    }
}
