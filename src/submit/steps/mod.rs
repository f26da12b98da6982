//! Spark's driver feature steps, one module each, applied in Spark's order
//! (`KubernetesDriverBuilder`). Each step is a plain function that reads the [`Plan`] and
//! transforms the [`DriverSpec`] it is handed; [`build`] runs them and assembles the
//! finished [`Submission`] (driver conf ConfigMap last, container appended last).

pub mod basic;
pub mod command;
pub mod credentials;
pub mod env_secrets;
pub mod hadoop;
pub mod kerberos;
pub mod local_dirs;
pub mod mount_secrets;
pub mod network_policy;
pub mod pod_template;
pub mod service;
pub mod template_config_map;
pub mod volumes;

use crate::error::Result;
use crate::submit::plan::{DriverSpec, Plan, Submission};

/// A feature step: reads the plan, transforms the spec.
pub type Step = fn(&Plan, &mut DriverSpec) -> Result<()>;

/// Built-in driver steps in Spark's order, with the JVM class name that
/// `spark.kubernetes.driver.pod.excludedFeatureSteps` (4.1+) refers to.
pub const DRIVER_STEPS: &[(&str, Step)] = &[
    (
        "org.apache.spark.deploy.k8s.features.BasicDriverFeatureStep",
        basic::apply,
    ),
    (
        "org.apache.spark.deploy.k8s.features.DriverKubernetesCredentialsFeatureStep",
        credentials::apply,
    ),
    (
        "org.apache.spark.deploy.k8s.features.DriverServiceFeatureStep",
        service::apply,
    ),
    (
        "org.apache.spark.deploy.k8s.features.NetworkPolicyFeatureStep",
        network_policy::apply,
    ),
    (
        "org.apache.spark.deploy.k8s.features.MountSecretsFeatureStep",
        mount_secrets::apply,
    ),
    (
        "org.apache.spark.deploy.k8s.features.EnvSecretsFeatureStep",
        env_secrets::apply,
    ),
    (
        "org.apache.spark.deploy.k8s.features.MountVolumesFeatureStep",
        volumes::apply,
    ),
    (
        "org.apache.spark.deploy.k8s.features.DriverCommandFeatureStep",
        command::apply,
    ),
    (
        "org.apache.spark.deploy.k8s.features.HadoopConfDriverFeatureStep",
        hadoop::apply,
    ),
    (
        "org.apache.spark.deploy.k8s.features.KerberosConfDriverFeatureStep",
        kerberos::apply,
    ),
    (
        "org.apache.spark.deploy.k8s.features.PodTemplateConfigMapStep",
        template_config_map::apply,
    ),
    (
        "org.apache.spark.deploy.k8s.features.LocalDirsFeatureStep",
        local_dirs::apply,
    ),
];

/// Builds the whole submission from a plan: the initial spec from the pod template, every
/// step not excluded, then the driver conf ConfigMap and the final pod.
pub fn build(plan: &Plan) -> Result<Submission> {
    let _ = plan;
    Err(crate::error::Error::NotImplemented(
        "submit (plan building)",
    ))
}
