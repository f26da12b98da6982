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
pub mod scala_order;
pub mod service;
pub mod template_config_map;
pub mod volumes;

#[cfg(test)]
mod snapshots_tests;

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapVolumeSource, EnvVar, KeyToPath, Pod, PodSpec, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::conf::versions::{self, Change};
use crate::error::{Error, Result};
use crate::submit::plan::{DriverSpec, Plan, PostObject, Submission};

pub use pod_template::resource_prefix;

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

/// Indices into [`crate::submit::plan::Ids::derived_uuid`] and
/// [`crate::submit::plan::Ids::derived_u64`], one range per use, so that no two steps draw
/// the same "random" value. `derived_uuid(n)` consumes `derived_u64(2n + 1000)` and
/// `derived_u64(2n + 1001)`, so `derived_u64` indices below 1000 are free for direct use.
pub mod derived {
    /// `derived_uuid` index of the default local dir `/var/data/spark-<uuid>`.
    pub const LOCAL_DIR_UUID: u64 = 0;
    /// `derived_uuid` index of the upload directory of a local Python primary resource.
    pub const PRIMARY_RESOURCE_UPLOAD_UUID: u64 = 1;
    /// `derived_uuid` index of the first upload of `spark.jars/files/archives/submit.pyFiles`
    /// entries; the n-th uploaded entry uses `UPLOAD_UUID_BASE + n`.
    pub const UPLOAD_UUID_BASE: u64 = 100;
    /// `derived_u64` index of the first draw of the local-dir shuffle (one draw per dir).
    pub const LOCAL_DIR_SHUFFLE_BASE: u64 = 0;
}

/// Where Spark mounts the driver conf ConfigMap (`SPARK_CONF_DIR` inside the pod).
pub const SPARK_CONF_DIR_INTERNAL: &str = "/opt/spark/conf";
/// Name of the driver conf volume.
pub const SPARK_CONF_VOLUME_DRIVER: &str = "spark-conf-volume-driver";
/// Key of `spark.properties` in the driver conf ConfigMap.
pub const SPARK_CONF_FILE_NAME: &str = "spark.properties";
/// `spark.kubernetes.configMap.maxSize`.
pub const CONFIG_MAP_MAX_SIZE_KEY: &str = "spark.kubernetes.configMap.maxSize";
/// `spark.kubernetes.driver.pod.excludedFeatureSteps` (4.1+).
pub const EXCLUDED_STEPS_KEY: &str = "spark.kubernetes.driver.pod.excludedFeatureSteps";

/// `spark.app.name` (spark-submit always sets it; Spark's fallback is `spark`).
pub fn app_name(plan: &Plan) -> &str {
    plan.conf.get("spark.app.name").unwrap_or("spark")
}

/// The driver pod name: `spark.kubernetes.driver.pod.name` verbatim, else `<prefix>-driver`.
pub fn driver_pod_name(plan: &Plan) -> String {
    match plan.conf.get("spark.kubernetes.driver.pod.name") {
        Some(name) => name.to_string(),
        None => format!("{}-driver", resource_prefix(plan)),
    }
}

/// The driver conf ConfigMap name: `spark-drv-<uniqueID>` (cut to 244 chars) + `-conf-map`.
pub fn conf_map_name(plan: &Plan) -> String {
    let head: String = format!("spark-drv-{}", plan.ids.conf_map_unique_id)
        .chars()
        .take(244)
        .collect();
    format!("{head}-conf-map")
}

/// Whether the step with JVM class name `class` runs for this plan: every built-in step does,
/// except (4.1+) those listed in `spark.kubernetes.driver.pod.excludedFeatureSteps`.
pub fn step_enabled(plan: &Plan, class: &str) -> bool {
    !plan.spark_version.at_least(4, 1)
        || !plan
            .conf
            .get_list(EXCLUDED_STEPS_KEY)
            .iter()
            .any(|c| c == class)
}

/// Builds the whole submission from a plan: the initial spec from the pod template, every
/// step not excluded, then the driver conf ConfigMap and the final pod (§2.4 step 1).
pub fn build(plan: &Plan) -> Result<Submission> {
    let (pod, container) = pod_template::initial_spec(plan)?;
    let mut spec = DriverSpec {
        pod,
        container,
        properties: plan.conf.clone(),
        post: Vec::new(),
        uploads: Vec::new(),
        warnings: Vec::new(),
    };
    // Custom JVM steps (`spark.kubernetes.driver.pod.featureSteps`) are rejected by
    // `conf::validate` before a plan is built.
    spec.warnings.extend(pod_template::template_warnings(plan));
    for (class, step) in DRIVER_STEPS {
        if step_enabled(plan, class) {
            step(plan, &mut spec)?;
        }
    }
    finish(plan, spec)
}

/// Adds the driver conf ConfigMap, mounts it, appends the container last and names the pod.
fn finish(plan: &Plan, mut spec: DriverSpec) -> Result<Submission> {
    let name = conf_map_name(plan);
    let properties =
        crate::conf::properties::write_spark_properties(&spec.properties, &name, plan.now);
    let (conf_files, skipped) =
        select_conf_dir_files(&plan.env.conf_dir_files, config_map_max_size(plan)?);
    if !skipped.is_empty() {
        spec.warnings.push(skipped_conf_files_warning(&skipped));
    }
    let mut files = conf_files;
    files.insert(SPARK_CONF_FILE_NAME.to_string(), properties);

    let conf_map = driver_conf_map(&name, &plan.namespace, &files);
    let volume = conf_volume(&name, &files);

    let container = &mut spec.container;
    container.env.get_or_insert_with(Vec::new).push(EnvVar {
        name: "SPARK_CONF_DIR".into(),
        value: Some(SPARK_CONF_DIR_INTERNAL.into()),
        ..EnvVar::default()
    });
    container
        .volume_mounts
        .get_or_insert_with(Vec::new)
        .push(VolumeMount {
            name: SPARK_CONF_VOLUME_DRIVER.into(),
            mount_path: SPARK_CONF_DIR_INTERNAL.into(),
            ..VolumeMount::default()
        });

    let driver_pod_name = driver_pod_name(plan);
    let mut pod: Pod = spec.pod;
    pod.metadata.name = Some(driver_pod_name.clone());
    pod.metadata.namespace = Some(plan.namespace.clone());
    let pod_spec = pod.spec.get_or_insert_with(PodSpec::default);
    pod_spec.restart_policy = Some("Never".into());
    pod_spec.containers.push(spec.container);
    pod_spec.volumes.get_or_insert_with(Vec::new).push(volume);

    let mut post = spec.post;
    post.push(PostObject::ConfigMap(conf_map));
    // Spark creates every object in the target namespace; saying so in each object keeps a
    // dry run's output (`kubectl apply -f -` under another context namespace) in one place.
    for object in &mut post {
        object.metadata_mut().namespace = Some(plan.namespace.clone());
    }
    Ok(Submission {
        pod,
        post,
        uploads: spec.uploads,
        warnings: spec.warnings,
        namespace: plan.namespace.clone(),
        driver_pod_name,
        app_id: plan.ids.app_id.clone(),
        app_name: app_name(plan).to_string(),
    })
}

/// `spark.kubernetes.configMap.maxSize` (bytes): default and cap 1048576, except 3.5.0–3.5.4
/// where the default was 1572864 and nothing was capped.
fn config_map_max_size(plan: &Plan) -> Result<i64> {
    let legacy = !versions::has(&plan.spark_version, Change::ConfigMapMaxSizeCapped);
    let cap: i64 = 1_048_576;
    let default = if legacy { 1_572_864 } else { cap };
    let max = plan.conf.get_i64(CONFIG_MAP_MAX_SIZE_KEY, default)?;
    if !legacy && max > cap {
        return Err(Error::usage(
            format!(
                "{CONFIG_MAP_MAX_SIZE_KEY} is {max}, but a ConfigMap can hold at most {cap} bytes"
            ),
            format!(
                "use --conf {CONFIG_MAP_MAX_SIZE_KEY}=<bytes> with at most {cap}, or leave it unset"
            ),
        ));
    }
    Ok(max)
}

/// Length of a string as Java counts it (UTF-16 code units).
fn java_len(s: &str) -> i64 {
    s.encode_utf16().count() as i64
}

/// Spark's selection of conf-dir files for the driver ConfigMap (§3.2): files whose
/// `size + name length` exceeds `max_size` are dropped silently; the rest are considered by
/// ascending `(size + name length, name)` and kept while the running total of
/// `name length + content length` stays below `max_size`. Returns (kept files, skipped names).
pub fn select_conf_dir_files(
    files: &BTreeMap<String, String>,
    max_size: i64,
) -> (BTreeMap<String, String>, Vec<String>) {
    let mut ordered: Vec<(&String, &String)> = files
        .iter()
        .filter(|(name, content)| content.len() as i64 + java_len(name) <= max_size)
        .collect();
    ordered.sort_by_key(|(name, content)| (content.len() as i64 + java_len(name), name.as_str()));
    let mut total = 0i64;
    let mut kept = BTreeMap::new();
    let mut skipped = Vec::new();
    for (name, content) in ordered {
        let size = java_len(name) + java_len(content);
        if total + size < max_size {
            total += size;
            kept.insert(name.clone(), content.clone());
        } else {
            skipped.push(name.clone());
        }
    }
    (kept, skipped)
}

/// Spark's warning for conf-dir files left out because of `spark.kubernetes.configMap.maxSize`.
pub fn skipped_conf_files_warning(skipped: &[String]) -> String {
    format!(
        "Skipped conf file(s) {}, due to size constraint. Please see, config: `{CONFIG_MAP_MAX_SIZE_KEY}` for more details.",
        skipped.join(",")
    )
}

/// The driver conf ConfigMap (§3.2): namespaced, no labels, immutable, the files plus the
/// extra `spark.kubernetes.namespace` key.
fn driver_conf_map(name: &str, namespace: &str, files: &BTreeMap<String, String>) -> ConfigMap {
    let mut data = files.clone();
    data.insert("spark.kubernetes.namespace".into(), namespace.into());
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(namespace.into()),
            labels: Some(BTreeMap::new()),
            ..ObjectMeta::default()
        },
        immutable: Some(true),
        data: Some(data),
        ..ConfigMap::default()
    }
}

/// The `spark-conf-volume-driver` volume: one item per file, sorted by key, mode 0644.
fn conf_volume(conf_map_name: &str, files: &BTreeMap<String, String>) -> Volume {
    let items = files
        .keys()
        .map(|key| KeyToPath {
            key: key.clone(),
            path: key.clone(),
            mode: Some(420),
        })
        .collect();
    Volume {
        name: SPARK_CONF_VOLUME_DRIVER.into(),
        config_map: Some(ConfigMapVolumeSource {
            name: conf_map_name.into(),
            items: Some(items),
            ..ConfigMapVolumeSource::default()
        }),
        ..Volume::default()
    }
}

/// Test fixtures shared by every step's tests: the plan of the spec's §11 worked example
/// (`spark-pi`, `local:///…/spark-examples.jar 1000`) with fixed ids and clock.
#[cfg(test)]
pub(crate) mod fixtures {
    use crate::conf::{SparkConf, SparkVersion};
    use crate::submit::plan::{
        AppSpec, DriverSpec, Ids, LocalInputs, Plan, ResourceType, SubmitterEnv,
    };

    /// appId of the §11 example.
    pub const APP_ID: &str = "spark-32e062565f0a426598dd7f7c508994d5";
    /// Resource prefix of the §11 example.
    pub const PREFIX: &str = "spark-pi-3b69a48626b0db6c";
    /// Driver conf ConfigMap name of the §11 example.
    pub const CONF_MAP: &str = "spark-drv-ba5ad08a119168fa-conf-map";

    /// The §11 plan for `version` (e.g. "4.0.1"): the conf spark-submit would hand over,
    /// namespace `default`, user `spark`, fixed ids (seed 42), fixed clock.
    pub fn test_plan(version: &str) -> Plan {
        let conf: SparkConf = [
            ("spark.master", "k8s://https://10.0.0.1:6443"),
            ("spark.submit.deployMode", "cluster"),
            ("spark.app.name", "spark-pi"),
            ("spark.app.submitTime", "1735725600000"),
            (
                "spark.jars",
                "local:///opt/spark/examples/jars/spark-examples.jar",
            ),
            ("spark.submit.pyFiles", ""),
            (
                "spark.kubernetes.container.image",
                &*format!("apache/spark:{version}"),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        Plan {
            conf,
            namespace: "default".into(),
            spark_version: SparkVersion::parse(version).expect("test version"),
            app: AppSpec {
                primary_resource: Some(
                    "local:///opt/spark/examples/jars/spark-examples.jar".into(),
                ),
                main_class: Some("org.apache.spark.examples.SparkPi".into()),
                app_args: vec!["1000".into()],
                proxy_user: None,
                resource_type: ResourceType::Java,
            },
            ids: Ids {
                app_id: APP_ID.into(),
                prefix_unique_id: "3b69a48626b0db6c".into(),
                conf_map_unique_id: "ba5ad08a119168fa".into(),
                service_unique_id: "c0ffee8626b0db6c".into(),
                seed: 42,
            },
            env: SubmitterEnv {
                spark_user: "spark".into(),
                ..SubmitterEnv::default()
            },
            inputs: LocalInputs::default(),
            now: "2025-01-01T10:00:00Z".parse().expect("test timestamp"),
        }
    }

    /// [`test_plan`] with extra `--conf` entries.
    pub fn test_plan_with(version: &str, conf: &[(&str, &str)]) -> Plan {
        let mut plan = test_plan(version);
        for (k, v) in conf {
            plan.conf.set(*k, *v);
        }
        plan
    }

    /// An empty driver spec over the plan's conf (no template).
    pub fn empty_spec(plan: &Plan) -> DriverSpec {
        DriverSpec {
            pod: Default::default(),
            container: Default::default(),
            properties: plan.conf.clone(),
            post: Vec::new(),
            uploads: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// The §11 plan with fixed ids and clock, for tests of any step (see [`fixtures`]).
#[cfg(test)]
pub(crate) fn test_plan(version: &str) -> Plan {
    fixtures::test_plan(version)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submit::steps::fixtures::{CONF_MAP, PREFIX, test_plan_with};
    use crate::submit::steps::test_plan;

    #[test]
    fn names_follow_the_prefix_and_ids() {
        let plan = test_plan("4.0.1");
        assert_eq!(resource_prefix(&plan), PREFIX);
        assert_eq!(driver_pod_name(&plan), format!("{PREFIX}-driver"));
        assert_eq!(conf_map_name(&plan), CONF_MAP);
        let plan = test_plan_with(
            "4.0.1",
            &[("spark.kubernetes.driver.pod.name", "my-driver")],
        );
        assert_eq!(driver_pod_name(&plan), "my-driver");
    }

    #[test]
    fn excluded_steps_apply_from_4_1() {
        let class = "org.apache.spark.deploy.k8s.features.LocalDirsFeatureStep";
        let conf = [(EXCLUDED_STEPS_KEY, class)];
        assert!(step_enabled(&test_plan_with("4.0.1", &conf), class));
        assert!(!step_enabled(&test_plan_with("4.1.0", &conf), class));
        assert!(step_enabled(&test_plan("4.1.0"), class));
    }

    #[test]
    fn conf_dir_files_are_kept_smallest_first_below_the_cap() {
        let files: BTreeMap<String, String> = [
            ("a", "x".repeat(10)),
            ("b", "x".repeat(30)),
            ("c", "x".repeat(50)),
            ("big", "x".repeat(200)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        // sizes with names: a=11, b=31, c=51 (running total 93 ≥ 90), big=203 (> cap, dropped)
        let (kept, skipped) = select_conf_dir_files(&files, 90);
        assert_eq!(kept.keys().collect::<Vec<_>>(), vec!["a", "b"]);
        assert_eq!(skipped, vec!["c"]);
        // the running total must stay strictly below the cap
        let (kept, skipped) = select_conf_dir_files(&files, 42);
        assert_eq!(kept.keys().collect::<Vec<_>>(), vec!["a"]);
        assert_eq!(skipped, vec!["b"]);
        assert_eq!(
            skipped_conf_files_warning(&["c".into(), "d".into()]),
            "Skipped conf file(s) c,d, due to size constraint. Please see, config: `spark.kubernetes.configMap.maxSize` for more details."
        );
    }

    #[test]
    fn max_size_is_capped_except_on_old_3_5() {
        let conf = [(CONFIG_MAP_MAX_SIZE_KEY, "1572864")];
        assert!(config_map_max_size(&test_plan_with("4.0.1", &conf)).is_err());
        assert!(config_map_max_size(&test_plan_with("3.5.9", &conf)).is_err());
        assert_eq!(
            config_map_max_size(&test_plan_with("3.5.1", &conf)).unwrap(),
            1_572_864
        );
        assert_eq!(config_map_max_size(&test_plan("3.5.1")).unwrap(), 1_572_864);
        assert_eq!(config_map_max_size(&test_plan("4.2.0")).unwrap(), 1_048_576);
    }
}
