//! What a submission's settings need the Kubernetes API to allow, as a pure function of its
//! Spark properties: what the driver's identity must create (executor pods and their
//! ConfigMap always; the StatefulSet or Deployment of the `statefulset`/`deployment`
//! allocators; PVCs for `OnDemand` executor claims) and, for `doctor`, what the submitter
//! creates (driver `OnDemand` claims, the 4.2+ NetworkPolicy). Preflight and `doctor` ask the
//! API server about exactly these (spec §1.3, §3.4, §5.3, §5.8).

use crate::conf::{SparkConf, SparkVersion};
use crate::submit::steps::volumes::{DRIVER_PREFIX, EXECUTOR_PREFIX, ON_DEMAND};

/// `spark.kubernetes.allocation.pods.allocator`.
pub const ALLOCATOR_KEY: &str = "spark.kubernetes.allocation.pods.allocator";
/// The JVM class of the 4.2+ NetworkPolicy step (excludable).
const NETWORK_POLICY_STEP: &str = "org.apache.spark.deploy.k8s.features.NetworkPolicyFeatureStep";

/// One permission: create `resource` of API `group` in the namespace, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// API group (`""` for the core group).
    pub group: &'static str,
    /// Plural resource name.
    pub resource: &'static str,
    /// The setting that needs it, for messages.
    pub why: String,
}

impl Need {
    fn new(group: &'static str, resource: &'static str, why: impl Into<String>) -> Need {
        Need {
            group,
            resource,
            why: why.into(),
        }
    }

    /// `resource` or `resource.group`, as `kubectl auth can-i` names it.
    pub fn display(&self) -> String {
        if self.group.is_empty() {
            self.resource.to_string()
        } else {
            format!("{}.{}", self.resource, self.group)
        }
    }
}

/// Whether `key=value` under `prefix` is an `OnDemand` persistentVolumeClaim claim name.
fn has_on_demand_claim(conf: &SparkConf, prefix: &str) -> bool {
    conf.with_prefix(prefix).any(|(k, v)| {
        k.starts_with("persistentVolumeClaim.")
            && k.ends_with(".options.claimName")
            && v.contains(ON_DEMAND)
    })
}

/// Whether the driver runs without executors (`spark.kubernetes.driver.master=local…`).
fn driver_only(conf: &SparkConf) -> bool {
    conf.get("spark.kubernetes.driver.master")
        .is_some_and(|m| m.starts_with("local"))
}

/// What the driver creates through the API, given the properties it runs with. The executor
/// pods, their ConfigMap and Service requests are always needed (what "may run a driver"
/// always meant); the rest follows from the settings.
pub fn driver_needs(conf: &SparkConf) -> Vec<Need> {
    let mut needs = vec![
        Need::new("", "pods", "executor pods"),
        Need::new("", "services", "a driver's services"),
        Need::new("", "configmaps", "the executors' ConfigMap"),
    ];
    if driver_only(conf) {
        return needs;
    }
    match conf.get(ALLOCATOR_KEY).map(str::trim) {
        Some("statefulset") => needs.push(Need::new(
            "apps",
            "statefulsets",
            format!("{ALLOCATOR_KEY}=statefulset"),
        )),
        Some("deployment") => needs.push(Need::new(
            "apps",
            "deployments",
            format!("{ALLOCATOR_KEY}=deployment"),
        )),
        _ => {}
    }
    if has_on_demand_claim(conf, EXECUTOR_PREFIX) {
        needs.push(Need::new(
            "",
            "persistentvolumeclaims",
            "an OnDemand executor claim (spark.kubernetes.executor.volumes.persistentVolumeClaim.*.options.claimName)",
        ));
    }
    needs
}

/// What the submitter creates for a submission with these settings, for `doctor` (a real
/// submission knows its objects): the driver pod, its Service and ConfigMap; PVCs for
/// `OnDemand` driver claims; the NetworkPolicy on 4.2+ unless its step is excluded.
pub fn submitter_needs(conf: &SparkConf, version: &SparkVersion) -> Vec<Need> {
    let mut needs = vec![
        Need::new("", "pods", "the driver pod"),
        Need::new("", "services", "the driver's Service"),
        Need::new("", "configmaps", "the driver's ConfigMap"),
    ];
    if has_on_demand_claim(conf, DRIVER_PREFIX) {
        needs.push(Need::new(
            "",
            "persistentvolumeclaims",
            "an OnDemand driver claim",
        ));
    }
    let excluded = conf
        .get_list(crate::submit::steps::EXCLUDED_STEPS_KEY)
        .iter()
        .any(|c| c == NETWORK_POLICY_STEP);
    if version.at_least(4, 2) && !excluded {
        needs.push(Need::new(
            "networking.k8s.io",
            "networkpolicies",
            format!("Spark {version}'s executor NetworkPolicy"),
        ));
    }
    needs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(needs: &[Need]) -> Vec<String> {
        needs.iter().map(Need::display).collect()
    }

    #[test]
    fn a_default_driver_needs_pods_services_and_configmaps() {
        assert_eq!(
            names(&driver_needs(&SparkConf::new())),
            ["pods", "services", "configmaps"]
        );
    }

    #[test]
    fn the_statefulset_allocator_needs_statefulsets() {
        let conf = SparkConf::from_pairs(&[(ALLOCATOR_KEY, "statefulset")]);
        let needs = driver_needs(&conf);
        assert_eq!(
            names(&needs),
            ["pods", "services", "configmaps", "statefulsets.apps"]
        );
        assert!(needs[3].why.contains("allocator=statefulset"));
    }

    #[test]
    fn the_deployment_allocator_needs_deployments() {
        let conf = SparkConf::from_pairs(&[(ALLOCATOR_KEY, "deployment")]);
        assert!(names(&driver_needs(&conf)).contains(&"deployments.apps".to_string()));
        let direct = SparkConf::from_pairs(&[(ALLOCATOR_KEY, "direct")]);
        assert_eq!(driver_needs(&direct).len(), 3);
    }

    #[test]
    fn on_demand_claims_need_pvcs_from_whoever_creates_them() {
        let exec = SparkConf::from_pairs(&[(
            "spark.kubernetes.executor.volumes.persistentVolumeClaim.data.options.claimName",
            "OnDemand",
        )]);
        assert!(names(&driver_needs(&exec)).contains(&"persistentvolumeclaims".to_string()));
        let v = SparkVersion::parse("4.0.1").unwrap();
        assert!(!names(&submitter_needs(&exec, &v)).contains(&"persistentvolumeclaims".into()));
        let named = SparkConf::from_pairs(&[(
            "spark.kubernetes.executor.volumes.persistentVolumeClaim.data.options.claimName",
            "my-claim",
        )]);
        assert_eq!(driver_needs(&named).len(), 3);
        let drv = SparkConf::from_pairs(&[(
            "spark.kubernetes.driver.volumes.persistentVolumeClaim.data.options.claimName",
            "x-OnDemand",
        )]);
        assert!(names(&submitter_needs(&drv, &v)).contains(&"persistentvolumeclaims".into()));
        assert_eq!(driver_needs(&drv).len(), 3);
    }

    #[test]
    fn a_driver_only_application_creates_no_executors() {
        let conf = SparkConf::from_pairs(&[
            ("spark.kubernetes.driver.master", "local[2]"),
            (ALLOCATOR_KEY, "statefulset"),
        ]);
        assert_eq!(driver_needs(&conf).len(), 3);
    }

    #[test]
    fn network_policies_from_4_2_unless_excluded() {
        let conf = SparkConf::new();
        let old = SparkVersion::parse("4.1.0").unwrap();
        let new = SparkVersion::parse("4.2.0").unwrap();
        assert!(
            !names(&submitter_needs(&conf, &old))
                .iter()
                .any(|n| n.contains("network"))
        );
        assert!(
            names(&submitter_needs(&conf, &new))
                .contains(&"networkpolicies.networking.k8s.io".into())
        );
        let excluded = SparkConf::from_pairs(&[(
            crate::submit::steps::EXCLUDED_STEPS_KEY,
            NETWORK_POLICY_STEP,
        )]);
        assert!(
            !names(&submitter_needs(&excluded, &new))
                .iter()
                .any(|n| n.contains("network"))
        );
    }
}
