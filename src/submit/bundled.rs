//! Creating the plain objects a `submit -f` file bundles with its applications
//! ([`crate::manifest::bundle`]): before the applications, in file order, by server-side apply
//! with our field manager (as `kubectl apply --server-side` would). Objects that did not exist
//! before are remembered, so that a failure later in the submission deletes them again;
//! objects that existed are left as they are then (they were the user's before).

use kube::Client;
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, Patch, PatchParams,
};

use crate::error::{Error, Result};
use crate::kube::api_error;
use crate::manifest::bundle::PlainObject;
use crate::submit::apply::FIELD_MANAGER;

/// One bundled object as applied.
#[derive(Debug, Clone)]
pub struct Applied {
    /// `Kind/name`.
    pub display: String,
    /// Where it went.
    pub namespace: String,
    /// Whether this run created it (false: it existed and was updated).
    pub created: bool,
    resource: ApiResource,
    name: String,
}

/// The namespace a bundled object goes to: its own `metadata.namespace`, which must agree
/// with `-n` when both are given, else `default_ns` (the applications' namespace).
pub fn namespace_of(o: &PlainObject, flag: Option<&str>, default_ns: &str) -> Result<String> {
    match (&o.namespace, flag) {
        (Some(ns), Some(f)) if ns != f => Err(Error::usage(
            format!(
                "{}: {} has metadata.namespace {ns} but -n is {f}",
                o.label,
                o.display()
            ),
            "drop -n, or change metadata.namespace (like kubectl apply -f, the two must agree)",
        )),
        (Some(ns), _) => Ok(ns.clone()),
        (None, _) => Ok(default_ns.to_string()),
    }
}

fn api_resource(o: &PlainObject) -> ApiResource {
    let (group, version) = match o.api_version.rsplit_once('/') {
        Some((g, v)) => (g, v),
        None => ("", o.api_version.as_str()),
    };
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, &o.kind), &o.plural)
}

/// Applies every object in order (`dry_run`: `dryRun=All`, nothing persisted). On a failure,
/// what this call created is deleted again and the error says so.
pub async fn apply_all(
    client: &Client,
    objects: &[(PlainObject, String)],
    dry_run: bool,
) -> Result<Vec<Applied>> {
    let mut done: Vec<Applied> = Vec::new();
    for (o, ns) in objects {
        match apply_one(client, o, ns, dry_run).await {
            Ok(a) => done.push(a),
            Err(mut e) => {
                if !dry_run && !done.is_empty() {
                    let rollback = roll_back(client, &done).await;
                    if let Error::Api { message, .. } = &mut e {
                        message.push_str(&format!("\n{rollback}"));
                    }
                }
                return Err(e);
            }
        }
    }
    Ok(done)
}

async fn apply_one(client: &Client, o: &PlainObject, ns: &str, dry_run: bool) -> Result<Applied> {
    let resource = api_resource(o);
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &resource);
    let action = format!("create {}", o.plural);
    let existed = match api.get_opt(&o.name).await {
        Ok(found) => found.is_some(),
        Err(e) => return Err(api_error(e, &action, ns)),
    };
    let mut params = PatchParams::apply(FIELD_MANAGER).force();
    params.dry_run = dry_run;
    api.patch(&o.name, &params, &Patch::Apply(o.for_namespace(ns)))
        .await
        .map_err(|e| {
            let mut err = api_error(e, &action, ns);
            if let Error::Api { message, .. } = &mut err {
                *message = format!("{} ({}): {message}", o.display(), o.label);
            }
            err
        })?;
    Ok(Applied {
        display: o.display(),
        namespace: ns.to_string(),
        created: !existed,
        resource,
        name: o.name.clone(),
    })
}

/// Deletes the objects this run created (in reverse order) and says what happened.
pub async fn roll_back(client: &Client, applied: &[Applied]) -> String {
    let mut deleted = Vec::new();
    let mut left = Vec::new();
    let mut kept = Vec::new();
    for a in applied.iter().rev() {
        if !a.created {
            kept.push(a.display.clone());
            continue;
        }
        let api: Api<DynamicObject> =
            Api::namespaced_with(client.clone(), &a.namespace, &a.resource);
        match api.delete(&a.name, &DeleteParams::background()).await {
            Ok(_) => deleted.push(a.display.clone()),
            Err(kube::Error::Api(s)) if s.code == 404 => deleted.push(a.display.clone()),
            Err(e) => left.push(format!("{} ({e})", a.display)),
        }
    }
    let mut text = String::new();
    if !deleted.is_empty() {
        text.push_str(&format!(
            "rolled back the file's objects: deleted {}",
            deleted.join(", ")
        ));
    }
    if !kept.is_empty() {
        if !text.is_empty() {
            text.push_str("; ");
        }
        text.push_str(&format!(
            "kept {} (they existed before and were updated)",
            kept.join(", ")
        ));
    }
    if !left.is_empty() {
        text.push_str(&format!(
            "; could NOT delete {}: delete them by hand",
            left.join(", ")
        ));
    }
    text
}

/// The summary line: `created ConfigMap/a, Secret/b; updated ServiceAccount/c` (names only).
pub fn summary(applied: &[Applied]) -> String {
    let pick = |created: bool| {
        applied
            .iter()
            .filter(|a| a.created == created)
            .map(|a| a.display.clone())
            .collect::<Vec<_>>()
    };
    let (created, updated) = (pick(true), pick(false));
    let mut parts = Vec::new();
    if !created.is_empty() {
        parts.push(format!("created {}", created.join(", ")));
    }
    if !updated.is_empty() {
        parts.push(format!("updated {}", updated.join(", ")));
    }
    format!("the file's other objects: {}", parts.join("; "))
}
