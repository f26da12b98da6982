//! Creating a submission's objects on the API server in Spark's order (§2.4 of the spec):
//! the driver pod first, then every other object with an ownerReference to it, applied
//! server-side and concurrently. If any of them fails, what was created is deleted again and
//! the user is told.

use std::fmt::Debug;

use futures::stream::{self, StreamExt};
use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::{Client, Resource};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::kube::api_error;
use crate::submit::plan::{PostObject, Submission};

/// Requests in flight at once for the objects after the pod (a submission has a handful).
const CONCURRENT_REQUESTS: usize = 16;

/// Field manager of our server-side applies.
pub const FIELD_MANAGER: &str = "kubectl-spark";

/// The ownerReference Spark puts on every object it creates after the pod.
pub fn owner_reference(pod_name: &str, uid: &str) -> OwnerReference {
    OwnerReference {
        api_version: "v1".into(),
        kind: "Pod".into(),
        name: pod_name.into(),
        uid: uid.into(),
        controller: Some(true),
        block_owner_deletion: None,
    }
}

/// Returns the object with its ownerReferences replaced by one to the driver pod.
pub fn with_owner(object: &PostObject, owner: &OwnerReference) -> PostObject {
    let mut object = object.clone();
    object.metadata_mut().owner_references = Some(vec![owner.clone()]);
    object
}

fn kind_plural(object: &PostObject) -> &'static str {
    match object {
        PostObject::Secret(_) => "secrets",
        PostObject::Service(_) => "services",
        PostObject::NetworkPolicy(_) => "networkpolicies",
        PostObject::Pvc(_) => "persistentvolumeclaims",
        PostObject::ConfigMap(_) => "configmaps",
    }
}

async fn apply_typed<K>(client: &Client, ns: &str, object: &K, dry_run: bool) -> kube::Result<()>
where
    K: Resource<Scope = NamespaceResourceScope> + Clone + Debug + Serialize + DeserializeOwned,
    K::DynamicType: Default,
{
    let api: Api<K> = Api::namespaced(client.clone(), ns);
    let name = object.meta().name.clone().unwrap_or_default();
    let mut params = PatchParams::apply(FIELD_MANAGER).force();
    params.dry_run = dry_run;
    api.patch(&name, &params, &Patch::Apply(object))
        .await
        .map(|_| ())
}

async fn apply_post(
    client: &Client,
    ns: &str,
    object: &PostObject,
    dry_run: bool,
) -> kube::Result<()> {
    match object {
        PostObject::Secret(o) => apply_typed(client, ns, o, dry_run).await,
        PostObject::Service(o) => apply_typed(client, ns, o, dry_run).await,
        PostObject::NetworkPolicy(o) => apply_typed(client, ns, o, dry_run).await,
        PostObject::Pvc(o) => apply_typed(client, ns, o, dry_run).await,
        PostObject::ConfigMap(o) => apply_typed(client, ns, o, dry_run).await,
    }
}

async fn delete_typed<K>(client: &Client, ns: &str, name: &str) -> kube::Result<()>
where
    K: Resource<Scope = NamespaceResourceScope> + Clone + Debug + DeserializeOwned,
    K::DynamicType: Default,
{
    let api: Api<K> = Api::namespaced(client.clone(), ns);
    match api.delete(name, &DeleteParams::background()).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
        Err(e) => Err(e),
    }
}

async fn delete_post(client: &Client, ns: &str, object: &PostObject) -> kube::Result<()> {
    use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Secret, Service};
    use k8s_openapi::api::networking::v1::NetworkPolicy;
    let name = match object {
        PostObject::Secret(o) => o.metadata.name.clone(),
        PostObject::Service(o) => o.metadata.name.clone(),
        PostObject::NetworkPolicy(o) => o.metadata.name.clone(),
        PostObject::Pvc(o) => o.metadata.name.clone(),
        PostObject::ConfigMap(o) => o.metadata.name.clone(),
    }
    .unwrap_or_default();
    match object {
        PostObject::Secret(_) => delete_typed::<Secret>(client, ns, &name).await,
        PostObject::Service(_) => delete_typed::<Service>(client, ns, &name).await,
        PostObject::NetworkPolicy(_) => delete_typed::<NetworkPolicy>(client, ns, &name).await,
        PostObject::Pvc(_) => delete_typed::<PersistentVolumeClaim>(client, ns, &name).await,
        PostObject::ConfigMap(_) => delete_typed::<ConfigMap>(client, ns, &name).await,
    }
}

/// Creates the submission's objects. With `dry_run` every request carries `dryRun=All`:
/// the server validates, nothing is persisted. Returns the created driver pod.
pub async fn apply(client: &Client, submission: &Submission, dry_run: bool) -> Result<Pod> {
    let ns = submission.namespace.as_str();
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let params = PostParams {
        dry_run,
        field_manager: Some(FIELD_MANAGER.into()),
    };
    let created = pods.create(&params, &submission.pod).await.map_err(|e| {
        let mut err = api_error(e, "create pods", ns);
        if let Error::Api { hint, code: Some(403), .. } = &mut err {
            *hint = Some(format!(
                "Please check \"kubectl auth can-i create pod -n {ns}\" first. It should be yes. {}",
                hint.clone().unwrap_or_default()
            ));
        }
        err
    })?;
    let uid = created.metadata.uid.clone().unwrap_or_default();
    let owner = owner_reference(&submission.driver_pod_name, &uid);

    // The objects after the pod do not depend on each other: all are applied at once, and
    // every request is finished before anything is decided, so that a rollback knows all that
    // was created. The error reported is the first failure in Spark's order.
    let owned: Vec<PostObject> = submission
        .post
        .iter()
        .map(|o| with_owner(o, &owner))
        .collect();
    let results: Vec<kube::Result<()>> = stream::iter(&owned)
        .map(|o| apply_post(client, ns, o, dry_run))
        .buffered(CONCURRENT_REQUESTS)
        .collect()
        .await;
    let mut done: Vec<&PostObject> = Vec::new();
    let mut first_failure = None;
    for (object, result) in submission.post.iter().zip(results) {
        match result {
            Ok(()) => done.push(object),
            Err(e) => {
                first_failure.get_or_insert((object, e));
            }
        }
    }
    if let Some((object, e)) = first_failure {
        let action = format!("create {}", kind_plural(object));
        let mut err = api_error(e, &action, ns);
        if !dry_run {
            let rollback = roll_back(client, ns, &submission.driver_pod_name, &done).await;
            if let Error::Api { message, .. } = &mut err {
                message.push_str(&format!("\n{rollback}"));
            }
        }
        return Err(err);
    }
    Ok(created)
}

/// Deletes what a failed submission created (its objects, concurrently, then the driver pod)
/// and says so, naming the objects in the reverse of Spark's order.
async fn roll_back(client: &Client, ns: &str, pod_name: &str, created: &[&PostObject]) -> String {
    let results: Vec<kube::Result<()>> = stream::iter(created.iter().rev())
        .map(|object| delete_post(client, ns, object))
        .buffered(CONCURRENT_REQUESTS)
        .collect()
        .await;
    let mut deleted = Vec::new();
    let mut left = Vec::new();
    for (object, result) in created.iter().rev().zip(results) {
        match result {
            Ok(()) => deleted.push(object.describe()),
            Err(e) => left.push(format!("{} ({e})", object.describe())),
        }
    }
    match delete_typed::<Pod>(client, ns, pod_name).await {
        Ok(()) => deleted.push(format!("Pod/{pod_name}")),
        Err(e) => left.push(format!("Pod/{pod_name} ({e})")),
    }
    let mut text = format!("rolled back: deleted {}", deleted.join(", "));
    if !left.is_empty() {
        text.push_str(&format!(
            "; could NOT delete {} in namespace {ns}: delete them by hand (kubectl delete -n {ns} …)",
            left.join(", ")
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ConfigMap;

    #[test]
    fn owner_reference_replaces_existing_ones() {
        let mut cm = ConfigMap::default();
        cm.metadata.owner_references = Some(vec![owner_reference("old", "0")]);
        let owned = with_owner(&PostObject::ConfigMap(cm), &owner_reference("drv", "u-1"));
        let PostObject::ConfigMap(cm) = owned else {
            panic!()
        };
        let refs = cm.metadata.owner_references.unwrap();
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].name, "drv");
        assert_eq!(refs[0].uid, "u-1");
        assert_eq!(refs[0].controller, Some(true));
        assert_eq!(refs[0].block_owner_deletion, None);
    }
}
