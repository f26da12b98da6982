//! `NetworkPolicyFeatureStep` (§3.4 of the spec, 4.2+): a NetworkPolicy `<prefix>-policy` that
//! lets executor pods accept traffic only from pods of the same application.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use crate::app::{LABEL_APP_SELECTOR, LABEL_ROLE};
use crate::error::Result;
use crate::submit::plan::{DriverSpec, Plan, PostObject};
use crate::submit::steps::resource_prefix;

/// Applies this step to the driver spec (nothing before 4.2).
pub fn apply(plan: &Plan, spec: &mut DriverSpec) -> Result<()> {
    if plan.spark_version.at_least(4, 2) {
        let policy = network_policy(&resource_prefix(plan), &plan.namespace, &plan.ids.app_id);
        spec.post.push(PostObject::NetworkPolicy(policy));
    }
    Ok(())
}

fn match_labels(pairs: &[(&str, &str)]) -> LabelSelector {
    LabelSelector {
        match_labels: Some(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
        ..LabelSelector::default()
    }
}

/// The policy: executors of `app_id` accept ingress only from pods of `app_id`.
pub fn network_policy(prefix: &str, namespace: &str, app_id: &str) -> NetworkPolicy {
    NetworkPolicy {
        metadata: ObjectMeta {
            name: Some(format!("{prefix}-policy")),
            namespace: Some(namespace.into()),
            labels: Some(BTreeMap::from([(
                LABEL_APP_SELECTOR.to_string(),
                app_id.to_string(),
            )])),
            ..ObjectMeta::default()
        },
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(match_labels(&[
                (LABEL_ROLE, "executor"),
                (LABEL_APP_SELECTOR, app_id),
            ])),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: Some(vec![NetworkPolicyPeer {
                    pod_selector: Some(match_labels(&[(LABEL_APP_SELECTOR, app_id)])),
                    ..NetworkPolicyPeer::default()
                }]),
                ..NetworkPolicyIngressRule::default()
            }]),
            ..NetworkPolicySpec::default()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submit::steps::fixtures::{APP_ID, PREFIX, empty_spec, test_plan};

    #[test]
    fn only_from_4_2() {
        for (version, count) in [
            ("3.5.9", 0),
            ("4.0.1", 0),
            ("4.1.0", 0),
            ("4.2.0", 1),
            ("4.3.0", 1),
        ] {
            let plan = test_plan(version);
            let mut spec = empty_spec(&plan);
            apply(&plan, &mut spec).unwrap();
            assert_eq!(spec.post.len(), count, "{version}");
        }
    }

    #[test]
    fn policy_shape() {
        let p = network_policy(PREFIX, "default", APP_ID);
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {
                    "name": format!("{PREFIX}-policy"),
                    "namespace": "default",
                    "labels": {"spark-app-selector": APP_ID},
                },
                "spec": {
                    "podSelector": {"matchLabels": {"spark-role": "executor", "spark-app-selector": APP_ID}},
                    "ingress": [{"from": [{"podSelector": {"matchLabels": {"spark-app-selector": APP_ID}}}]}],
                },
            })
        );
    }
}
