//! Everything a submission is built from, resolved once (the [`Plan`]), and what the feature
//! steps build from it (the [`DriverSpec`], finished into a [`Submission`]).
//!
//! A plan holds no handles to the outside world: files it needs were read into memory at
//! resolve time, random ids were drawn, the clock was read. Building objects from it is
//! therefore a pure function, and the same plan always gives the same objects.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ConfigMap, Container, PersistentVolumeClaim, Pod, Secret, Service,
};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use crate::conf::{SparkConf, SparkVersion};

/// The kind of primary resource, which decides the driver's main class and memory overhead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ResourceType {
    /// A JVM application (jar, or no resource at all).
    Java,
    /// A Python application (`.py` primary resource).
    Python,
    /// An R application (`.R`/`.r` primary resource).
    R,
}

impl ResourceType {
    /// The value written to `spark.kubernetes.resource.type`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::Java => "java",
            ResourceType::Python => "python",
            ResourceType::R => "r",
        }
    }
}

/// The application being submitted, as spark-submit hands it to the Kubernetes client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSpec {
    /// Primary resource URI as given (`local:///…`, `s3a://…`, a local path), if any.
    pub primary_resource: Option<String>,
    /// Main class for Java/Scala apps (`--class`); Python/R use Spark's runners.
    pub main_class: Option<String>,
    /// Arguments passed to the application, untouched.
    pub app_args: Vec<String>,
    /// `--proxy-user`, if given.
    pub proxy_user: Option<String>,
    /// The kind of primary resource.
    pub resource_type: ResourceType,
}

/// Random ids drawn at resolve time (Spark draws them while building; we draw them up front
/// so that building is pure). `seed` feeds every further id a step needs (upload directories,
/// local-dir shuffling) through [`Ids::derived_uuid`] and [`Ids::derived_u64`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ids {
    /// `spark-` + 32 hex chars.
    pub app_id: String,
    /// uniqueID() for the resource name prefix.
    pub prefix_unique_id: String,
    /// uniqueID() for the driver conf ConfigMap name.
    pub conf_map_unique_id: String,
    /// uniqueID() for the Service name fallback when `<prefix>-driver-svc` is too long.
    pub service_unique_id: String,
    /// Seed for every further random value.
    pub seed: u64,
}

impl Ids {
    /// The n-th derived random value (splitmix64 over the seed).
    pub fn derived_u64(&self, n: u64) -> u64 {
        let mut z = self
            .seed
            .wrapping_add(0x9E37_79B9_7F4A_7C15u64.wrapping_mul(n + 1));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The n-th derived UUID in standard dashed v4 form.
    pub fn derived_uuid(&self, n: u64) -> String {
        let hi = self.derived_u64(2 * n + 1000);
        let lo = self.derived_u64(2 * n + 1001);
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&hi.to_be_bytes());
        bytes[8..].copy_from_slice(&lo.to_be_bytes());
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }
}

/// Inputs Spark takes from the submitter's environment (§12.1 of the spec), captured once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubmitterEnv {
    /// `SPARK_USER`, else `HADOOP_USER_NAME`, else the login name.
    pub spark_user: String,
    /// The submitter's `SPARK_USER` variable, if set: before 4.3 it wins over `--proxy-user`
    /// (see [`crate::conf::versions::Change::SparkUserIsProxyUser`]).
    pub spark_user_var: Option<String>,
    /// `SPARK_LOCAL_DIRS`, if set.
    pub spark_local_dirs: Option<String>,
    /// `PYSPARK_PYTHON`, if set.
    pub pyspark_python: Option<String>,
    /// `PYSPARK_DRIVER_PYTHON`, if set.
    pub pyspark_driver_python: Option<String>,
    /// Files of `SPARK_CONF_DIR` (name → UTF-8 content), already filtered by name; size
    /// limits are applied by the plan.
    pub conf_dir_files: BTreeMap<String, String>,
    /// Files of `HADOOP_CONF_DIR` (name → content) when that variable names a directory.
    pub hadoop_conf_files: Option<BTreeMap<String, String>>,
}

/// Local files a submission refers to, read at resolve time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocalInputs {
    /// The driver pod template (`spark.kubernetes.driver.podTemplateFile`), parsed.
    pub driver_template: Option<Pod>,
    /// Text of the executor pod template (`spark.kubernetes.executor.podTemplateFile`).
    pub executor_template: Option<String>,
    /// `spark.kubernetes.authenticate.driver.caCertFile` bytes.
    pub driver_ca_cert: Option<Vec<u8>>,
    /// `spark.kubernetes.authenticate.driver.clientKeyFile` bytes.
    pub driver_client_key: Option<Vec<u8>>,
    /// `spark.kubernetes.authenticate.driver.clientCertFile` bytes.
    pub driver_client_cert: Option<Vec<u8>>,
    /// `spark.kubernetes.kerberos.krb5.path`: (file name, content).
    pub krb5_conf: Option<(String, String)>,
    /// `spark.kerberos.keytab` when not `local:`: (file name, bytes).
    pub keytab: Option<(String, Vec<u8>)>,
}

/// Everything resolved that the steps need. Built by `resolve`, consumed by [`crate::submit::steps`].
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The submitting SparkConf after spark-submit's own processing (§2.1): master normalised,
    /// app name, deploy mode, flag mappings, resolved URIs, submit time.
    pub conf: SparkConf,
    /// Target namespace.
    pub namespace: String,
    /// Target Spark version.
    pub spark_version: SparkVersion,
    /// The application.
    pub app: AppSpec,
    /// Random ids.
    pub ids: Ids,
    /// Inputs taken from the submitter's environment.
    pub env: SubmitterEnv,
    /// Local files read at resolve time.
    pub inputs: LocalInputs,
    /// The clock, read once (used for the `spark.properties` header date).
    pub now: jiff::Timestamp,
}

/// An object created after the driver pod, owned by it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PostObject {
    /// A Secret (credentials, keytab).
    Secret(Secret),
    /// The headless driver Service.
    Service(Service),
    /// The executor NetworkPolicy (4.2+).
    NetworkPolicy(NetworkPolicy),
    /// An on-demand driver PVC.
    Pvc(PersistentVolumeClaim),
    /// A ConfigMap (Hadoop conf, krb5, executor template, driver conf).
    ConfigMap(ConfigMap),
}

impl PostObject {
    /// The object's metadata, to change.
    pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
        match self {
            PostObject::Secret(o) => &mut o.metadata,
            PostObject::Service(o) => &mut o.metadata,
            PostObject::NetworkPolicy(o) => &mut o.metadata,
            PostObject::Pvc(o) => &mut o.metadata,
            PostObject::ConfigMap(o) => &mut o.metadata,
        }
    }

    /// The object's metadata.
    pub fn metadata(&self) -> &ObjectMeta {
        match self {
            PostObject::Secret(o) => &o.metadata,
            PostObject::Service(o) => &o.metadata,
            PostObject::NetworkPolicy(o) => &o.metadata,
            PostObject::Pvc(o) => &o.metadata,
            PostObject::ConfigMap(o) => &o.metadata,
        }
    }

    /// `Kind/name`, for messages.
    pub fn describe(&self) -> String {
        let (kind, name) = match self {
            PostObject::Secret(o) => ("Secret", o.metadata.name.as_deref()),
            PostObject::Service(o) => ("Service", o.metadata.name.as_deref()),
            PostObject::NetworkPolicy(o) => ("NetworkPolicy", o.metadata.name.as_deref()),
            PostObject::Pvc(o) => ("PersistentVolumeClaim", o.metadata.name.as_deref()),
            PostObject::ConfigMap(o) => ("ConfigMap", o.metadata.name.as_deref()),
        };
        format!("{kind}/{}", name.unwrap_or(""))
    }
}

/// [`Upload::key`] of a local primary resource.
pub const PRIMARY_RESOURCE: &str = "primary resource";

/// A local file to copy to `spark.kubernetes.file.upload.path` before anything is created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Upload {
    /// Where the file was named: `spark.jars`, `spark.files`, `spark.archives`,
    /// `spark.submit.pyFiles`, or [`PRIMARY_RESOURCE`].
    pub key: String,
    /// Local path to read.
    pub local_path: String,
    /// Destination URI (`<uploadPath>/spark-upload-<uuid>/<file name>`).
    pub target: String,
}

/// What the feature steps build up: the pod without its Spark container, the container, the
/// system properties written to `spark.properties`, and the objects created after the pod.
#[derive(Debug, Clone, PartialEq)]
pub struct DriverSpec {
    /// The driver pod (template or empty) without the Spark container.
    pub pod: Pod,
    /// The Spark driver container.
    pub container: Container,
    /// Properties written to `spark.properties` (start: the submitting conf).
    pub properties: SparkConf,
    /// Objects created after the pod, in step order.
    pub post: Vec<PostObject>,
    /// Local files to upload.
    pub uploads: Vec<Upload>,
    /// Warnings for the user (stderr).
    pub warnings: Vec<String>,
}

/// The finished submission: exactly what is sent to the API server, in creation order.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    /// The driver pod (created first).
    pub pod: Pod,
    /// Everything created after the pod, ending with the driver conf ConfigMap.
    pub post: Vec<PostObject>,
    /// Local files to upload before creating anything.
    pub uploads: Vec<Upload>,
    /// Warnings for the user.
    pub warnings: Vec<String>,
    /// Target namespace.
    pub namespace: String,
    /// Driver pod name.
    pub driver_pod_name: String,
    /// Application id.
    pub app_id: String,
    /// `spark.app.name`.
    pub app_name: String,
}

impl Submission {
    /// `<namespace>:<driver pod name>`, as spark-submit prints it.
    pub fn submission_id(&self) -> String {
        format!("{}:{}", self.namespace, self.driver_pod_name)
    }
}
