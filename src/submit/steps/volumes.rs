//! Spark's `MountVolumesFeatureStep` and `KubernetesVolumeUtils` (§5.3): user volumes from
//! `spark.kubernetes.driver.volumes.<type>.<name>.<option>`, mounted into the driver, with the
//! driver's PersistentVolumeClaims created when both `storageClass` and `sizeLimit` are given.
//! Executor volumes (`spark.kubernetes.executor.volumes.*`) are parsed too, only to reject a
//! bad configuration before anything is created; the driver mounts them on its executors.
//!
//! Order: Spark reads the role's properties into an immutable Scala `Map`, collects the
//! `(type, name)` pairs of its keys into a `Set` and maps that to a `Set` of
//! `KubernetesVolumeSpec`s, whose iteration order is the volume order (and decides the `<i>` of
//! `OnDemand` claim names). With 5 or more properties all of that is hash order and emulated
//! exactly by [`scala_order`] (`Tuple2` and case-class hashes, see [`spark_hash`]). With up to
//! 4 properties the map keeps the order of `SparkConf`'s `ConcurrentHashMap`, which is not
//! emulated: we sort by volume name, then type.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{
    EmptyDirVolumeSource, HostPathVolumeSource, NFSVolumeSource, PersistentVolumeClaim,
    PersistentVolumeClaimSpec, PersistentVolumeClaimVolumeSource, Volume, VolumeMount,
    VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::app::LABEL_APP_SELECTOR;
use crate::conf::{SparkConf, SparkVersion};
use crate::error::{Error, Result};
use crate::submit::plan::{DriverSpec, Plan, PostObject};
use crate::submit::steps::pod_template::{
    add_volume, add_volume_mount, named_meta, resource_prefix,
};
use crate::submit::steps::scala_order::{self, Scala, java_string_hash as jhash};

/// Prefix of the driver's volumes.
pub const DRIVER_PREFIX: &str = "spark.kubernetes.driver.volumes.";
/// Prefix of the executors' volumes.
pub const EXECUTOR_PREFIX: &str = "spark.kubernetes.executor.volumes.";
/// Internal key choosing `ReadWriteOnce` (true) or `ReadWriteOncePod` for created claims.
pub const LEGACY_ACCESS_MODE_KEY: &str = "spark.kubernetes.legacy.useReadWriteOnceAccessMode";
/// The placeholder in a claim name replaced by a generated name.
pub const ON_DEMAND: &str = "OnDemand";

/// One user volume, as Spark's `KubernetesVolumeSpec`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeSpec {
    /// The volume name (second key token); also the pod volume's name.
    pub volume_name: String,
    /// `mount.path`.
    pub mount_path: String,
    /// `mount.subPath`, empty when unset.
    pub mount_sub_path: String,
    /// `mount.subPathExpr` (4.0+), empty when unset.
    pub mount_sub_path_expr: String,
    /// `mount.readOnly`.
    pub mount_read_only: bool,
    /// What kind of volume it is, with its options.
    pub conf: VolumeConf,
}

/// The type-specific part of a volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VolumeConf {
    /// `hostPath`: `options.path` and (4.0+) `options.type` (empty = no check).
    HostPath {
        /// Path on the node.
        path: String,
        /// `hostPath.type`.
        host_path_type: String,
    },
    /// `persistentVolumeClaim`: an existing or created claim.
    PersistentVolumeClaim {
        /// `options.claimName`, before `OnDemand` is replaced.
        claim_name: String,
        /// `options.storageClass`.
        storage_class: Option<String>,
        /// `options.sizeLimit`.
        size: Option<String>,
        /// `label.*` (4.0+).
        labels: BTreeMap<String, String>,
        /// `annotation.*` (4.0+).
        annotations: BTreeMap<String, String>,
    },
    /// `emptyDir`: `options.medium` and `options.sizeLimit`.
    EmptyDir {
        /// Storage medium (`Memory`), if given.
        medium: Option<String>,
        /// Size limit, if given.
        size_limit: Option<String>,
    },
    /// `nfs`: `options.path` and `options.server`.
    Nfs {
        /// Exported path.
        path: String,
        /// Server address.
        server: String,
    },
}

/// Splits a key like Java's `String.split('.')`: trailing empty parts are dropped.
fn java_split_dot(key: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = key.split('.').collect();
    while parts.last() == Some(&"") {
        parts.pop();
    }
    parts
}

/// The options of one volume, read from the role's properties (keys without the role prefix).
struct VolumeKeys<'a> {
    props: &'a BTreeMap<&'a str, &'a str>,
    role_prefix: &'a str,
    volume_type: &'a str,
    volume_name: &'a str,
}

impl VolumeKeys<'_> {
    /// `<type>.<name>.<option>`, as Spark names it in messages.
    fn short(&self, option: &str) -> String {
        format!("{}.{}.{option}", self.volume_type, self.volume_name)
    }

    /// The full configuration key, for hints.
    fn full(&self, option: &str) -> String {
        format!("{}{}", self.role_prefix, self.short(option))
    }

    fn get(&self, option: &str) -> Option<&str> {
        self.props.get(self.short(option).as_str()).copied()
    }

    /// `<option>.<k>` entries as a map of `<k>` to value.
    fn sub_map(&self, option: &str) -> BTreeMap<String, String> {
        let prefix = format!("{}.", self.short(option));
        self.props
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix(prefix.as_str())
                    .map(|rest| (rest.to_string(), v.to_string()))
            })
            .collect()
    }

    /// A required type option (`NoSuchElementException` in Spark).
    fn required(&self, option: &str) -> Result<String> {
        self.get(option).map(str::to_string).ok_or_else(|| {
            Error::usage(
                format!(
                    "{} is required for {}",
                    self.short(option),
                    self.volume_type
                ),
                format!(
                    "set {} for the {} volume `{}`",
                    self.full(option),
                    self.volume_type,
                    self.volume_name
                ),
            )
        })
    }

    /// Spark's `verifySize`: a bare number below 1024 is most likely missing its unit.
    fn size(&self) -> Result<Option<String>> {
        let Some(v) = self.get("options.sizeLimit") else {
            return Ok(None);
        };
        if v.chars().all(|c| c.is_ascii_digit()) {
            let hint = format!(
                "give {} a unit, e.g. 500Mi or 10Gi",
                self.full("options.sizeLimit")
            );
            match v.parse::<i64>() {
                Ok(n) if n < 1024 => {
                    return Err(Error::usage(
                        format!("Volume size `{v}` is smaller than 1KiB. Missing units?"),
                        hint,
                    ));
                }
                Ok(_) => {}
                Err(_) => {
                    return Err(Error::usage(format!("For input string: \"{v}\""), hint));
                }
            }
        }
        Ok(Some(v.to_string()))
    }
}

/// Parses every volume under `role_prefix` (`spark.kubernetes.driver.volumes.` or
/// `spark.kubernetes.executor.volumes.`) with Spark's rules and messages for `version`: the
/// 4.0 options (`mount.subPathExpr`, hostPath `options.type`, PVC `label.*`/`annotation.*`)
/// are ignored for 3.5, as Spark 3.5 ignores them. In Spark's order when it is emulated (see
/// the module doc), else sorted by volume name, then type.
pub fn parse_volumes(
    conf: &SparkConf,
    role_prefix: &str,
    version: &SparkVersion,
) -> Result<Vec<VolumeSpec>> {
    let props: BTreeMap<&str, &str> = conf.with_prefix(role_prefix).collect();
    let v4 = version.at_least(4, 0);
    let parse = |(volume_type, volume_name): (&str, &str)| {
        let keys = VolumeKeys {
            props: &props,
            role_prefix,
            volume_type,
            volume_name,
        };
        parse_one(&keys, v4)
    };
    let scala = Scala::for_spark(version);
    if let Some(pairs) = spark_pair_order(&props, scala) {
        let specs = pairs.into_iter().map(parse).collect::<Result<Vec<_>>>()?;
        let hashed = scala_order::set_order(scala, specs.iter(), |v| spark_hash(v, scala));
        if let Some(ordered) = hashed {
            return Ok(ordered.into_iter().cloned().collect());
        }
    }
    let names_and_types: BTreeSet<(&str, &str)> = props
        .keys()
        .filter_map(|k| match java_split_dot(k)[..] {
            [volume_type, volume_name, ..] => Some((volume_name, volume_type)),
            _ => None,
        })
        .collect();
    names_and_types
        .into_iter()
        .map(|(volume_name, volume_type)| parse((volume_type, volume_name)))
        .collect()
}

/// Spark's `getVolumeTypesAndNames`: the `(type, name)` pairs of the property keys, in the
/// order of the `Set` Spark builds from the `Map`'s keys; `None` when that order is not
/// emulated (up to 4 properties, or a hash collision).
fn spark_pair_order<'a>(
    props: &BTreeMap<&'a str, &'a str>,
    scala: Scala,
) -> Option<Vec<(&'a str, &'a str)>> {
    let keys: Vec<&str> = props.keys().copied().collect();
    let key_order = scala_order::hash_map_order(scala, &keys)?;
    let pairs = key_order
        .into_iter()
        .filter_map(|i| match java_split_dot(keys[i])[..] {
            [volume_type, volume_name, ..] => Some((volume_type, volume_name)),
            _ => None,
        });
    scala_order::set_order(scala, pairs, |(t, n)| {
        scala_order::tuple2_hash(scala, jhash(t), jhash(n))
    })
}

/// The JVM `hashCode` of Spark's `KubernetesVolumeSpec` for `v`, a case class of (3.5)
/// `volumeName, mountPath, mountSubPath, mountReadOnly, volumeConf` or (4.0) with
/// `mountSubPathExpr` after `mountSubPath`; `volumeConf` is one of the case classes
/// `KubernetesHostPathVolumeConf(hostPath[, volumeType])`,
/// `KubernetesPVCVolumeConf(claimName, storageClass, size[, labels, annotations])` (the maps as
/// `Some(map)`, possibly empty), `KubernetesEmptyDirVolumeConf(medium, sizeLimit)` and
/// `KubernetesNFSVolumeConf(path, server)`; the bracketed fields exist from 4.0 (Scala 2.13).
pub fn spark_hash(v: &VolumeSpec, scala: Scala) -> i32 {
    let v4 = scala == Scala::V2_13;
    let opt = |o: &Option<String>| scala_order::option_string_hash(scala, o.as_deref());
    let map = |m: &BTreeMap<String, String>| {
        let h = scala_order::map_hash_2_13(m.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        scala_order::option_hash(scala, Some(h))
    };
    let (prefix, fields) = match &v.conf {
        VolumeConf::HostPath {
            path,
            host_path_type,
        } => {
            let mut f = vec![jhash(path)];
            if v4 {
                f.push(jhash(host_path_type));
            }
            ("KubernetesHostPathVolumeConf", f)
        }
        VolumeConf::PersistentVolumeClaim {
            claim_name,
            storage_class,
            size,
            labels,
            annotations,
        } => {
            let mut f = vec![jhash(claim_name), opt(storage_class), opt(size)];
            if v4 {
                f.push(map(labels));
                f.push(map(annotations));
            }
            ("KubernetesPVCVolumeConf", f)
        }
        VolumeConf::EmptyDir { medium, size_limit } => (
            "KubernetesEmptyDirVolumeConf",
            vec![opt(medium), opt(size_limit)],
        ),
        VolumeConf::Nfs { path, server } => {
            ("KubernetesNFSVolumeConf", vec![jhash(path), jhash(server)])
        }
    };
    let conf_hash = scala_order::product_hash(scala, prefix, &fields);
    let mut fields = vec![
        jhash(&v.volume_name),
        jhash(&v.mount_path),
        jhash(&v.mount_sub_path),
    ];
    if v4 {
        fields.push(jhash(&v.mount_sub_path_expr));
    }
    fields.push(scala_order::java_bool_hash(v.mount_read_only));
    fields.push(conf_hash);
    scala_order::product_hash(scala, "KubernetesVolumeSpec", &fields)
}

/// One volume, checking in Spark's order: exclusive sub-path options, `mount.path`,
/// `mount.readOnly`, then the type and its options.
fn parse_one(keys: &VolumeKeys<'_>, v4: bool) -> Result<VolumeSpec> {
    if v4 && keys.get("mount.subPath").is_some() && keys.get("mount.subPathExpr").is_some() {
        return Err(Error::usage(
            format!(
                "These config options are mutually exclusive: {}, {}",
                keys.short("mount.subPath"),
                keys.short("mount.subPathExpr")
            ),
            format!(
                "keep only one of {} and {}",
                keys.full("mount.subPath"),
                keys.full("mount.subPathExpr")
            ),
        ));
    }
    let mount_path = keys.get("mount.path").ok_or_else(|| {
        Error::usage(
            format!("key not found: {}", keys.short("mount.path")),
            format!(
                "set {} to the path where the volume is mounted in the container",
                keys.full("mount.path")
            ),
        )
    })?;
    let mount_read_only = match keys.get("mount.readOnly") {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(v) => {
            return Err(Error::usage(
                format!("For input string: \"{v}\""),
                format!("set {} to true or false", keys.full("mount.readOnly")),
            ));
        }
    };
    let conf = match keys.volume_type {
        "hostPath" => {
            let path = keys.required("options.path")?;
            let host_path_type = if v4 {
                keys.get("options.type").unwrap_or("").to_string()
            } else {
                String::new()
            };
            VolumeConf::HostPath {
                path,
                host_path_type,
            }
        }
        "persistentVolumeClaim" => {
            let claim_name = keys.required("options.claimName")?;
            let size = keys.size()?;
            let (labels, annotations) = if v4 {
                (keys.sub_map("label"), keys.sub_map("annotation"))
            } else {
                Default::default()
            };
            VolumeConf::PersistentVolumeClaim {
                claim_name,
                storage_class: keys.get("options.storageClass").map(str::to_string),
                size,
                labels,
                annotations,
            }
        }
        "emptyDir" => {
            let size_limit = keys.size()?;
            VolumeConf::EmptyDir {
                medium: keys.get("options.medium").map(str::to_string),
                size_limit,
            }
        }
        "nfs" => VolumeConf::Nfs {
            path: keys.required("options.path")?,
            server: keys.required("options.server")?,
        },
        other => {
            return Err(Error::usage(
                format!("Kubernetes Volume type `{other}` is not supported"),
                format!(
                    "use hostPath, emptyDir, nfs or persistentVolumeClaim in place of `{other}` in {}{other}.{}.*",
                    keys.role_prefix, keys.volume_name
                ),
            ));
        }
    };
    Ok(VolumeSpec {
        volume_name: keys.volume_name.to_string(),
        mount_path: mount_path.to_string(),
        mount_sub_path: keys.get("mount.subPath").unwrap_or("").to_string(),
        mount_sub_path_expr: if v4 {
            keys.get("mount.subPathExpr").unwrap_or("").to_string()
        } else {
            String::new()
        },
        mount_read_only,
        conf,
    })
}

/// Parses the executor volumes only to reject a bad configuration at submit time, as Spark
/// does before building the driver.
pub fn validate_executor_volumes(plan: &Plan) -> Result<()> {
    parse_volumes(&plan.conf, EXECUTOR_PREFIX, &plan.spark_version).map(|_| ())
}

/// Spark's check that no two driver volumes share a mount path.
fn check_duplicate_mount_paths(volumes: &[VolumeSpec]) -> Result<()> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for v in volumes {
        *counts.entry(v.mount_path.as_str()).or_default() += 1;
    }
    let duplicates: Vec<String> = counts
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(path, _)| format!("'{path}'"))
        .collect();
    if duplicates.is_empty() {
        return Ok(());
    }
    Err(Error::usage(
        format!("Found duplicated mountPath: {}", duplicates.join(", ")),
        format!("give each {DRIVER_PREFIX}<type>.<name>.mount.path a different path"),
    ))
}

/// The driver's claim name: `OnDemand` replaced by `<prefix>-driver-pvc-<index>`.
pub fn driver_claim_name(template: &str, prefix: &str, index: usize) -> String {
    template.replace(ON_DEMAND, &format!("{prefix}-driver-pvc-{index}"))
}

/// The access mode of created claims: `ReadWriteOnce` when the legacy key is true (its
/// default on 3.5), else `ReadWriteOncePod` (4.0+ default).
fn access_mode(plan: &Plan) -> Result<&'static str> {
    let legacy_default = !plan.spark_version.at_least(4, 0);
    Ok(
        if plan.conf.get_bool(LEGACY_ACCESS_MODE_KEY, legacy_default)? {
            "ReadWriteOnce"
        } else {
            "ReadWriteOncePod"
        },
    )
}

/// The pod volume mount of a user volume.
fn volume_mount(v: &VolumeSpec, v4: bool) -> VolumeMount {
    VolumeMount {
        name: v.volume_name.clone(),
        mount_path: v.mount_path.clone(),
        read_only: Some(v.mount_read_only),
        sub_path: Some(v.mount_sub_path.clone()),
        sub_path_expr: v4.then(|| v.mount_sub_path_expr.clone()),
        ..VolumeMount::default()
    }
}

/// Applies this step to the driver spec: executor volumes validated, then the driver's
/// volumes and mounts appended and their claims queued for creation.
pub fn apply(plan: &Plan, spec: &mut DriverSpec) -> Result<()> {
    validate_executor_volumes(plan)?;
    let volumes = parse_volumes(&plan.conf, DRIVER_PREFIX, &plan.spark_version)?;
    if volumes.is_empty() {
        return Ok(());
    }
    check_duplicate_mount_paths(&volumes)?;
    let v4 = plan.spark_version.at_least(4, 0);
    let prefix = resource_prefix(plan);
    let access_mode = access_mode(plan)?;

    let mut pod_volumes = Vec::new();
    let mut mounts = Vec::new();
    for (i, v) in volumes.iter().enumerate() {
        mounts.push(volume_mount(v, v4));
        let mut volume = Volume {
            name: v.volume_name.clone(),
            ..Volume::default()
        };
        match &v.conf {
            VolumeConf::HostPath {
                path,
                host_path_type,
            } => {
                volume.host_path = Some(HostPathVolumeSource {
                    path: path.clone(),
                    type_: Some(host_path_type.clone()),
                });
            }
            VolumeConf::EmptyDir { medium, size_limit } => {
                volume.empty_dir = Some(EmptyDirVolumeSource {
                    medium: Some(medium.clone().unwrap_or_default()),
                    size_limit: size_limit.clone().map(Quantity),
                });
            }
            VolumeConf::Nfs { path, server } => {
                volume.nfs = Some(NFSVolumeSource {
                    path: path.clone(),
                    read_only: None,
                    server: server.clone(),
                });
            }
            VolumeConf::PersistentVolumeClaim {
                claim_name,
                storage_class,
                size,
                labels,
                annotations,
            } => {
                let claim_name = driver_claim_name(claim_name, &prefix, i);
                if let (Some(storage_class), Some(size)) = (storage_class, size) {
                    let mut labels = labels.clone();
                    labels.insert(LABEL_APP_SELECTOR.into(), plan.ids.app_id.clone());
                    let mut metadata = named_meta(claim_name.clone());
                    metadata.labels = Some(labels);
                    metadata.annotations = (!annotations.is_empty()).then(|| annotations.clone());
                    spec.post.push(PostObject::Pvc(PersistentVolumeClaim {
                        metadata,
                        spec: Some(PersistentVolumeClaimSpec {
                            storage_class_name: Some(storage_class.clone()),
                            access_modes: Some(vec![access_mode.to_string()]),
                            resources: Some(VolumeResourceRequirements {
                                requests: Some(BTreeMap::from([(
                                    "storage".to_string(),
                                    Quantity(size.clone()),
                                )])),
                                limits: None,
                            }),
                            ..PersistentVolumeClaimSpec::default()
                        }),
                        status: None,
                    }));
                }
                volume.persistent_volume_claim = Some(PersistentVolumeClaimVolumeSource {
                    claim_name,
                    read_only: Some(v.mount_read_only),
                });
            }
        }
        pod_volumes.push(volume);
    }
    for volume in pod_volumes {
        add_volume(spec, volume);
    }
    for mount in mounts {
        add_volume_mount(spec, mount);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::submit::steps::pod_template::test_support::{message_and_hint, plan, spec};

    const D: &str = "spark.kubernetes.driver.volumes.";

    fn key(rest: &str) -> String {
        format!("{D}{rest}")
    }

    fn run(version: &str, entries: &[(&str, &str)]) -> Result<DriverSpec> {
        let owned: Vec<(String, &str)> = entries.iter().map(|(k, v)| (key(k), *v)).collect();
        let refs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let p = plan(version, &refs);
        let mut s = spec(&p);
        apply(&p, &mut s).map(|_| s)
    }

    fn err(version: &str, entries: &[(&str, &str)]) -> (String, String) {
        message_and_hint(&run(version, entries).unwrap_err())
    }

    fn volumes_json(s: &DriverSpec) -> serde_json::Value {
        serde_json::to_value(s.pod.spec.as_ref().unwrap().volumes.as_ref().unwrap()).unwrap()
    }

    fn mounts_json(s: &DriverSpec) -> serde_json::Value {
        serde_json::to_value(s.container.volume_mounts.as_ref().unwrap()).unwrap()
    }

    fn pvcs(s: &DriverSpec) -> Vec<serde_json::Value> {
        s.post
            .iter()
            .map(|o| match o {
                PostObject::Pvc(p) => serde_json::to_value(p).unwrap(),
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    }

    #[test]
    fn nothing_set_changes_nothing() {
        let p = plan("4.0.1", &[]);
        let mut s = spec(&p);
        apply(&p, &mut s).unwrap();
        assert_eq!(s, spec(&p));
    }

    #[test]
    fn host_path_volume() {
        let s = run(
            "4.0.1",
            &[
                ("hostPath.data.mount.path", "/data"),
                ("hostPath.data.options.path", "/mnt/disk"),
                ("hostPath.data.options.type", "Directory"),
                ("hostPath.data.mount.readOnly", "TRUE"),
            ],
        )
        .unwrap();
        assert_eq!(
            volumes_json(&s),
            json!([{"name": "data", "hostPath": {"path": "/mnt/disk", "type": "Directory"}}])
        );
        assert_eq!(
            mounts_json(&s),
            json!([{"name": "data", "mountPath": "/data", "readOnly": true, "subPath": "", "subPathExpr": ""}])
        );
        assert!(s.post.is_empty());
    }

    #[test]
    fn no_properties_are_written() {
        let p = plan("4.0.1", &[(&key("emptyDir.e.mount.path"), "/e")]);
        let mut s = spec(&p);
        apply(&p, &mut s).unwrap();
        assert_eq!(s.properties, p.conf);
        assert!(s.warnings.is_empty());
    }

    #[test]
    fn spark_3_5_ignores_the_4_0_options() {
        let s = run(
            "3.5.9",
            &[
                ("hostPath.data.mount.path", "/data"),
                ("hostPath.data.options.path", "/mnt/disk"),
                ("hostPath.data.options.type", "Directory"),
                ("hostPath.data.mount.subPath", "a"),
                ("hostPath.data.mount.subPathExpr", "$(POD)"),
            ],
        )
        .unwrap();
        assert_eq!(
            volumes_json(&s),
            json!([{"name": "data", "hostPath": {"path": "/mnt/disk", "type": ""}}])
        );
        assert_eq!(
            mounts_json(&s),
            json!([{"name": "data", "mountPath": "/data", "readOnly": false, "subPath": "a"}])
        );
    }

    #[test]
    fn empty_dir_and_nfs_volumes() {
        let s = run(
            "4.1.0",
            &[
                ("emptyDir.scratch.mount.path", "/scratch"),
                ("emptyDir.scratch.mount.subPathExpr", "$(POD_NAME)"),
                ("emptyDir.scratch.options.medium", "Memory"),
                ("emptyDir.scratch.options.sizeLimit", "1Gi"),
                ("emptyDir.tmp.mount.path", "/tmp2"),
                ("nfs.shared.mount.path", "/shared"),
                ("nfs.shared.mount.readOnly", "false"),
                ("nfs.shared.options.path", "/export"),
                ("nfs.shared.options.server", "nfs.example.com"),
            ],
        )
        .unwrap();
        assert_eq!(
            volumes_json(&s),
            json!([
                {"name": "scratch", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}},
                {"name": "shared", "nfs": {"path": "/export", "server": "nfs.example.com"}},
                {"name": "tmp", "emptyDir": {"medium": ""}},
            ])
        );
        assert_eq!(
            mounts_json(&s)[0],
            json!({"name": "scratch", "mountPath": "/scratch", "readOnly": false, "subPath": "", "subPathExpr": "$(POD_NAME)"})
        );
        assert_eq!(mounts_json(&s).as_array().unwrap().len(), 3);
    }

    #[test]
    fn existing_claim_is_mounted_without_creating_it() {
        let s = run(
            "4.0.1",
            &[
                ("persistentVolumeClaim.data.mount.path", "/data"),
                ("persistentVolumeClaim.data.mount.readOnly", "true"),
                ("persistentVolumeClaim.data.options.claimName", "my-claim"),
                ("persistentVolumeClaim.data.options.sizeLimit", "10Gi"),
            ],
        )
        .unwrap();
        assert_eq!(
            volumes_json(&s),
            json!([{"name": "data", "persistentVolumeClaim": {"claimName": "my-claim", "readOnly": true}}])
        );
        assert!(s.post.is_empty());
    }

    #[test]
    fn on_demand_claims_are_named_by_index_and_created() {
        let s = run(
            "4.0.1",
            &[
                ("emptyDir.a.mount.path", "/a"),
                ("persistentVolumeClaim.b.mount.path", "/b"),
                ("persistentVolumeClaim.b.options.claimName", "OnDemand"),
                ("persistentVolumeClaim.b.options.storageClass", "gp3"),
                ("persistentVolumeClaim.b.options.sizeLimit", "100Gi"),
                ("persistentVolumeClaim.b.label.team", "data"),
                ("persistentVolumeClaim.b.label.spark-app-selector", "mine"),
                ("persistentVolumeClaim.b.annotation.owner", "me"),
                ("persistentVolumeClaim.c.mount.path", "/c"),
                ("persistentVolumeClaim.c.options.claimName", "fixed-claim"),
                ("persistentVolumeClaim.c.options.storageClass", "gp3"),
                ("persistentVolumeClaim.c.options.sizeLimit", "5Gi"),
            ],
        )
        .unwrap();
        // Spark 4.0's hash order (checked with tests/oracle/probe): b, c, a.
        assert_eq!(
            volumes_json(&s)[0],
            json!({"name": "b", "persistentVolumeClaim": {"claimName": "spark-pi-abc123-driver-pvc-0", "readOnly": false}})
        );
        assert_eq!(
            pvcs(&s),
            [
                json!({
                    "apiVersion": "v1",
                    "kind": "PersistentVolumeClaim",
                    "metadata": {
                        "name": "spark-pi-abc123-driver-pvc-0",
                        "labels": {"spark-app-selector": "spark-0123456789abcdef0123456789abcdef", "team": "data"},
                        "annotations": {"owner": "me"},
                    },
                    "spec": {
                        "accessModes": ["ReadWriteOncePod"],
                        "resources": {"requests": {"storage": "100Gi"}},
                        "storageClassName": "gp3",
                    },
                }),
                // A fixed claim name is created too when both options are given.
                json!({
                    "apiVersion": "v1",
                    "kind": "PersistentVolumeClaim",
                    "metadata": {
                        "name": "fixed-claim",
                        "labels": {"spark-app-selector": "spark-0123456789abcdef0123456789abcdef"},
                    },
                    "spec": {
                        "accessModes": ["ReadWriteOncePod"],
                        "resources": {"requests": {"storage": "5Gi"}},
                        "storageClassName": "gp3",
                    },
                }),
            ]
        );
    }

    #[test]
    fn on_demand_is_replaced_inside_a_longer_name() {
        assert_eq!(
            driver_claim_name("x-OnDemand-y", "p", 2),
            "x-p-driver-pvc-2-y"
        );
        assert_eq!(driver_claim_name("plain", "p", 0), "plain");
    }

    #[test]
    fn claims_need_both_storage_class_and_size_to_be_created() {
        let s = run(
            "4.0.1",
            &[
                ("persistentVolumeClaim.b.mount.path", "/b"),
                ("persistentVolumeClaim.b.options.claimName", "OnDemand"),
                ("persistentVolumeClaim.b.options.storageClass", "gp3"),
            ],
        )
        .unwrap();
        assert!(s.post.is_empty());
        assert_eq!(
            volumes_json(&s)[0]["persistentVolumeClaim"]["claimName"],
            "spark-pi-abc123-driver-pvc-0"
        );
    }

    #[test]
    fn spark_3_5_claims_use_read_write_once_and_no_user_labels() {
        let entries = [
            ("persistentVolumeClaim.b.mount.path", "/b"),
            ("persistentVolumeClaim.b.options.claimName", "OnDemand"),
            ("persistentVolumeClaim.b.options.storageClass", "gp3"),
            ("persistentVolumeClaim.b.options.sizeLimit", "1Gi"),
            ("persistentVolumeClaim.b.label.team", "data"),
            ("persistentVolumeClaim.b.annotation.owner", "me"),
        ];
        let pvc = &pvcs(&run("3.5.9", &entries).unwrap())[0];
        assert_eq!(pvc["spec"]["accessModes"], json!(["ReadWriteOnce"]));
        assert_eq!(
            pvc["metadata"]["labels"],
            json!({"spark-app-selector": "spark-0123456789abcdef0123456789abcdef"})
        );
        assert_eq!(pvc["metadata"].get("annotations"), None);
    }

    #[test]
    fn the_legacy_access_mode_key_is_honoured() {
        let entries = [
            ("persistentVolumeClaim.b.mount.path", "/b"),
            ("persistentVolumeClaim.b.options.claimName", "OnDemand"),
            ("persistentVolumeClaim.b.options.storageClass", "gp3"),
            ("persistentVolumeClaim.b.options.sizeLimit", "1Gi"),
        ];
        let owned: Vec<(String, &str)> = entries.iter().map(|(k, v)| (key(k), *v)).collect();
        let mut conf: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        conf.push((LEGACY_ACCESS_MODE_KEY, "true"));
        let p = plan("4.2.1", &conf);
        let mut s = spec(&p);
        apply(&p, &mut s).unwrap();
        assert_eq!(pvcs(&s)[0]["spec"]["accessModes"], json!(["ReadWriteOnce"]));

        conf.pop();
        conf.push((LEGACY_ACCESS_MODE_KEY, "false"));
        let p = plan("3.5.9", &conf);
        let mut s = spec(&p);
        apply(&p, &mut s).unwrap();
        assert_eq!(
            pvcs(&s)[0]["spec"]["accessModes"],
            json!(["ReadWriteOncePod"])
        );
    }

    #[test]
    fn volumes_are_sorted_by_name_then_type() {
        let s = run(
            "4.0.1",
            &[
                ("hostPath.zeta.mount.path", "/z"),
                ("hostPath.zeta.options.path", "/z"),
                ("emptyDir.alpha.mount.path", "/a"),
                ("nfs.mid.mount.path", "/m"),
                ("nfs.mid.options.path", "/m"),
                ("nfs.mid.options.server", "s"),
            ],
        )
        .unwrap();
        let names: Vec<_> = volumes_json(&s)
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(names, ["alpha", "mid", "zeta"]);
    }

    #[test]
    fn keys_without_a_name_are_ignored() {
        let s = run("4.0.1", &[("hostPath", "x"), ("hostPath.", "y")]).unwrap();
        assert!(s.pod.spec.as_ref().unwrap().volumes.is_none());
    }

    #[test]
    fn spark_local_dir_volumes_are_ordinary_volumes_here() {
        let s = run(
            "4.0.1",
            &[("emptyDir.spark-local-dir-1.mount.path", "/spark-local")],
        )
        .unwrap();
        assert_eq!(volumes_json(&s)[0]["name"], "spark-local-dir-1");
    }

    #[test]
    fn missing_mount_path() {
        let (msg, hint) = err("4.0.1", &[("hostPath.data.options.path", "/x")]);
        assert_eq!(msg, "key not found: hostPath.data.mount.path");
        assert!(
            hint.contains("spark.kubernetes.driver.volumes.hostPath.data.mount.path"),
            "{hint}"
        );
    }

    #[test]
    fn unsupported_type() {
        let (msg, hint) = err("4.0.1", &[("configMap.cfg.mount.path", "/etc/cfg")]);
        assert_eq!(msg, "Kubernetes Volume type `configMap` is not supported");
        assert!(
            hint.contains("spark.kubernetes.driver.volumes.configMap.cfg.*"),
            "{hint}"
        );
        // mount.path is checked first, as in Spark.
        let (msg, _) = err("4.0.1", &[("configMap.cfg.options.name", "x")]);
        assert_eq!(msg, "key not found: configMap.cfg.mount.path");
    }

    /// Conf entries, the expected message, and the key the hint must name.
    type ErrorCase = (
        &'static [(&'static str, &'static str)],
        &'static str,
        &'static str,
    );

    #[test]
    fn required_options() {
        let cases: [ErrorCase; 5] = [
            (
                &[("hostPath.h.mount.path", "/h")],
                "hostPath.h.options.path is required for hostPath",
                "spark.kubernetes.driver.volumes.hostPath.h.options.path",
            ),
            (
                &[("nfs.n.mount.path", "/n"), ("nfs.n.options.server", "s")],
                "nfs.n.options.path is required for nfs",
                "spark.kubernetes.driver.volumes.nfs.n.options.path",
            ),
            (
                &[("nfs.n.mount.path", "/n"), ("nfs.n.options.path", "/e")],
                "nfs.n.options.server is required for nfs",
                "spark.kubernetes.driver.volumes.nfs.n.options.server",
            ),
            (
                &[("nfs.n.mount.path", "/n")],
                "nfs.n.options.path is required for nfs",
                "spark.kubernetes.driver.volumes.nfs.n.options.path",
            ),
            (
                &[("persistentVolumeClaim.p.mount.path", "/p")],
                "persistentVolumeClaim.p.options.claimName is required for persistentVolumeClaim",
                "spark.kubernetes.driver.volumes.persistentVolumeClaim.p.options.claimName",
            ),
        ];
        for (entries, message, full_key) in cases {
            for version in ["3.5.9", "4.3.0"] {
                let (msg, hint) = err(version, entries);
                assert_eq!(msg, message);
                assert!(hint.contains(full_key), "{hint}");
            }
        }
    }

    #[test]
    fn read_only_must_be_a_boolean() {
        let (msg, hint) = err(
            "4.0.1",
            &[
                ("emptyDir.e.mount.path", "/e"),
                ("emptyDir.e.mount.readOnly", "yes"),
            ],
        );
        assert_eq!(msg, "For input string: \"yes\"");
        assert!(
            hint.contains("spark.kubernetes.driver.volumes.emptyDir.e.mount.readOnly"),
            "{hint}"
        );
        assert!(hint.contains("true or false"), "{hint}");
    }

    #[test]
    fn sizes_without_units_are_rejected() {
        for (volume, extra) in [
            ("emptyDir.e", vec![]),
            (
                "persistentVolumeClaim.e",
                vec![("persistentVolumeClaim.e.options.claimName", "c")],
            ),
        ] {
            for (size, ok) in [
                ("1023", false),
                ("0", false),
                ("1024", true),
                ("500Mi", true),
                ("1k", true),
            ] {
                let mount = format!("{volume}.mount.path");
                let limit = format!("{volume}.options.sizeLimit");
                let mut entries = vec![(mount.as_str(), "/e"), (limit.as_str(), size)];
                entries.extend(extra.iter().copied());
                match run("4.0.1", &entries) {
                    Ok(_) => assert!(ok, "{volume} {size} should fail"),
                    Err(e) => {
                        assert!(!ok, "{volume} {size} should pass: {e}");
                        let (msg, hint) = message_and_hint(&e);
                        assert_eq!(
                            msg,
                            format!("Volume size `{size}` is smaller than 1KiB. Missing units?")
                        );
                        assert!(hint.contains(&format!("{D}{limit}")), "{hint}");
                    }
                }
            }
        }
        let (msg, _) = err(
            "4.0.1",
            &[
                ("emptyDir.e.mount.path", "/e"),
                ("emptyDir.e.options.sizeLimit", "99999999999999999999"),
            ],
        );
        assert_eq!(msg, "For input string: \"99999999999999999999\"");
    }

    #[test]
    fn sub_path_and_sub_path_expr_are_exclusive_from_4_0() {
        let entries = [
            ("emptyDir.e.mount.path", "/e"),
            ("emptyDir.e.mount.subPath", "a"),
            ("emptyDir.e.mount.subPathExpr", "$(B)"),
        ];
        let (msg, hint) = err("4.0.1", &entries);
        assert_eq!(
            msg,
            "These config options are mutually exclusive: emptyDir.e.mount.subPath, emptyDir.e.mount.subPathExpr"
        );
        assert!(
            hint.contains("spark.kubernetes.driver.volumes.emptyDir.e.mount.subPathExpr"),
            "{hint}"
        );
        assert!(run("3.5.9", &entries).is_ok());
        // Checked before mount.path, as in Spark.
        let (msg, _) = err("4.0.1", &entries[1..]);
        assert!(
            msg.starts_with("These config options are mutually exclusive"),
            "{msg}"
        );
    }

    #[test]
    fn duplicated_mount_paths() {
        let (msg, hint) = err(
            "4.0.1",
            &[
                ("emptyDir.a.mount.path", "/data"),
                ("emptyDir.b.mount.path", "/data"),
                ("emptyDir.c.mount.path", "/c"),
                ("emptyDir.d.mount.path", "/c"),
                ("emptyDir.e.mount.path", "/e"),
            ],
        );
        assert_eq!(msg, "Found duplicated mountPath: '/c', '/data'");
        assert!(hint.contains("mount.path"), "{hint}");
    }

    #[test]
    fn executor_volumes_are_validated_but_not_added() {
        let p = plan(
            "4.0.1",
            &[
                (
                    "spark.kubernetes.executor.volumes.emptyDir.a.mount.path",
                    "/a",
                ),
                (
                    "spark.kubernetes.executor.volumes.emptyDir.b.mount.path",
                    "/a",
                ),
            ],
        );
        let mut s = spec(&p);
        apply(&p, &mut s).unwrap();
        assert_eq!(
            s,
            spec(&p),
            "executor volumes are not mounted on the driver"
        );

        let p = plan(
            "4.0.1",
            &[
                ("spark.kubernetes.executor.volumes.nfs.a.mount.path", "/a"),
                (
                    "spark.kubernetes.driver.volumes.emptyDir.a.mount.path",
                    "/a",
                ),
            ],
        );
        let mut s = spec(&p);
        let (msg, hint) = message_and_hint(&apply(&p, &mut s).unwrap_err());
        assert_eq!(msg, "nfs.a.options.path is required for nfs");
        assert!(
            hint.contains("spark.kubernetes.executor.volumes.nfs.a.options.path"),
            "{hint}"
        );
    }

    #[test]
    fn parse_volumes_is_reusable() {
        let mut conf = SparkConf::new();
        conf.set(
            "spark.kubernetes.executor.volumes.persistentVolumeClaim.p.mount.path",
            "/p",
        );
        conf.set(
            "spark.kubernetes.executor.volumes.persistentVolumeClaim.p.options.claimName",
            "OnDemand",
        );
        conf.set(
            "spark.kubernetes.executor.volumes.persistentVolumeClaim.p.label.a",
            "b",
        );
        let v = parse_volumes(
            &conf,
            EXECUTOR_PREFIX,
            &SparkVersion::parse("4.0.0").unwrap(),
        )
        .unwrap();
        assert_eq!(
            v,
            [VolumeSpec {
                volume_name: "p".into(),
                mount_path: "/p".into(),
                mount_sub_path: String::new(),
                mount_sub_path_expr: String::new(),
                mount_read_only: false,
                conf: VolumeConf::PersistentVolumeClaim {
                    claim_name: "OnDemand".into(),
                    storage_class: None,
                    size: None,
                    labels: BTreeMap::from([("a".into(), "b".into())]),
                    annotations: BTreeMap::new(),
                },
            }]
        );
    }
}

/// Spark's volume order, hard-coded from `tests/oracle/probe/OrderProbe.java` runs of Spark
/// 3.5.9 and 4.0.5 (`OnDemand` claim prefixes shown as `P`).
#[cfg(test)]
mod spark_order_tests {
    use super::*;

    /// (properties under `spark.kubernetes.driver.volumes.`, Spark 3.5.9's, Spark 4.0.5's).
    type Vector = (
        &'static [(&'static str, &'static str)],
        &'static str,
        &'static str,
    );

    const VECTORS: &[Vector] = &[
        (
            &[
                ("persistentVolumeClaim.data.mount.path", "/mnt/data"),
                ("persistentVolumeClaim.data.mount.readOnly", "true"),
                ("persistentVolumeClaim.data.options.claimName", "claim-data"),
                ("hostPath.scratch.mount.path", "/mnt/scratch"),
                ("hostPath.scratch.options.path", "/host/scratch"),
                ("emptyDir.cache.mount.path", "/mnt/cache"),
            ],
            "data=claim-data,scratch,cache",
            "data=claim-data,scratch,cache",
        ),
        (
            &[
                ("emptyDir.data.mount.path", "/mnt/data"),
                ("emptyDir.data.mount.readOnly", "true"),
                ("nfs.scratch.mount.path", "/mnt/scratch"),
                ("nfs.scratch.options.path", "/export"),
                ("nfs.scratch.options.server", "nfs.example"),
                ("persistentVolumeClaim.cache.mount.path", "/mnt/cache"),
                (
                    "persistentVolumeClaim.cache.options.claimName",
                    "claim-cache",
                ),
                ("hostPath.logs.mount.path", "/mnt/logs"),
                ("hostPath.logs.mount.readOnly", "true"),
                ("hostPath.logs.options.path", "/host/logs"),
                ("emptyDir.models.mount.path", "/mnt/models"),
            ],
            "models,scratch,data,cache=claim-cache,logs",
            "data,cache=claim-cache,logs,scratch,models",
        ),
        (
            &[
                ("nfs.data.mount.path", "/mnt/data"),
                ("nfs.data.mount.readOnly", "true"),
                ("nfs.data.options.path", "/export"),
                ("nfs.data.options.server", "nfs.example"),
                ("persistentVolumeClaim.scratch.mount.path", "/mnt/scratch"),
                (
                    "persistentVolumeClaim.scratch.options.claimName",
                    "OnDemand",
                ),
                (
                    "persistentVolumeClaim.scratch.options.storageClass",
                    "standard",
                ),
                ("persistentVolumeClaim.scratch.options.sizeLimit", "1Gi"),
                ("hostPath.cache.mount.path", "/mnt/cache"),
                ("hostPath.cache.options.path", "/host/cache"),
                ("emptyDir.logs.mount.path", "/mnt/logs"),
                ("emptyDir.logs.mount.readOnly", "true"),
                ("emptyDir.logs.options.medium", "Memory"),
                ("nfs.models.mount.path", "/mnt/models"),
                ("nfs.models.options.path", "/export"),
                ("nfs.models.options.server", "nfs.example"),
                ("persistentVolumeClaim.tmp.mount.path", "/mnt/tmp"),
                ("persistentVolumeClaim.tmp.options.claimName", "OnDemand"),
                ("persistentVolumeClaim.tmp.options.storageClass", "standard"),
                ("persistentVolumeClaim.tmp.options.sizeLimit", "1Gi"),
            ],
            "data,tmp=P-driver-pvc-1,logs,models,cache,scratch=P-driver-pvc-5",
            "models,tmp=P-driver-pvc-1,scratch=P-driver-pvc-2,logs,data,cache",
        ),
        (
            &[
                ("persistentVolumeClaim.data.mount.path", "/mnt/data"),
                ("persistentVolumeClaim.data.mount.readOnly", "true"),
                ("persistentVolumeClaim.data.options.claimName", "claim-data"),
                ("hostPath.scratch.mount.path", "/mnt/scratch"),
                ("hostPath.scratch.options.path", "/host/scratch"),
                ("emptyDir.cache.mount.path", "/mnt/cache"),
                ("nfs.logs.mount.path", "/mnt/logs"),
                ("nfs.logs.mount.readOnly", "true"),
                ("nfs.logs.options.path", "/export"),
                ("nfs.logs.options.server", "nfs.example"),
                ("persistentVolumeClaim.models.mount.path", "/mnt/models"),
                (
                    "persistentVolumeClaim.models.options.claimName",
                    "claim-models",
                ),
                ("hostPath.tmp.mount.path", "/mnt/tmp"),
                ("hostPath.tmp.options.path", "/host/tmp"),
                ("emptyDir.shared.mount.path", "/mnt/shared"),
                ("emptyDir.shared.mount.readOnly", "true"),
            ],
            "scratch,shared,cache,logs,models=claim-models,data=claim-data,tmp",
            "scratch,cache,logs,shared,tmp,models=claim-models,data=claim-data",
        ),
        (
            &[
                ("hostPath.data.mount.path", "/mnt/data"),
                ("hostPath.data.mount.readOnly", "true"),
                ("hostPath.data.options.path", "/host/data"),
                ("emptyDir.scratch.mount.path", "/mnt/scratch"),
                ("emptyDir.scratch.options.medium", "Memory"),
                ("nfs.cache.mount.path", "/mnt/cache"),
                ("nfs.cache.options.path", "/export"),
                ("nfs.cache.options.server", "nfs.example"),
                ("persistentVolumeClaim.logs.mount.path", "/mnt/logs"),
                ("persistentVolumeClaim.logs.mount.readOnly", "true"),
                ("persistentVolumeClaim.logs.options.claimName", "OnDemand"),
                (
                    "persistentVolumeClaim.logs.options.storageClass",
                    "standard",
                ),
                ("persistentVolumeClaim.logs.options.sizeLimit", "1Gi"),
                ("hostPath.models.mount.path", "/mnt/models"),
                ("hostPath.models.options.path", "/host/models"),
                ("emptyDir.tmp.mount.path", "/mnt/tmp"),
                ("emptyDir.tmp.options.medium", "Memory"),
                ("nfs.shared.mount.path", "/mnt/shared"),
                ("nfs.shared.mount.readOnly", "true"),
                ("nfs.shared.options.path", "/export"),
                ("nfs.shared.options.server", "nfs.example"),
                ("persistentVolumeClaim.cfg.mount.path", "/mnt/cfg"),
                ("persistentVolumeClaim.cfg.options.claimName", "OnDemand"),
                ("persistentVolumeClaim.cfg.options.storageClass", "standard"),
                ("persistentVolumeClaim.cfg.options.sizeLimit", "1Gi"),
            ],
            "cfg=P-driver-pvc-0,logs=P-driver-pvc-1,scratch,models,cache,tmp,shared,data",
            "cfg=P-driver-pvc-0,shared,data,cache,models,logs=P-driver-pvc-5,scratch,tmp",
        ),
        (
            &[
                ("emptyDir.data.mount.path", "/mnt/data"),
                ("emptyDir.data.mount.readOnly", "true"),
                ("nfs.scratch.mount.path", "/mnt/scratch"),
                ("nfs.scratch.options.path", "/export"),
                ("nfs.scratch.options.server", "nfs.example"),
                ("persistentVolumeClaim.cache.mount.path", "/mnt/cache"),
                (
                    "persistentVolumeClaim.cache.options.claimName",
                    "claim-cache",
                ),
                ("hostPath.logs.mount.path", "/mnt/logs"),
                ("hostPath.logs.mount.readOnly", "true"),
                ("hostPath.logs.options.path", "/host/logs"),
                ("emptyDir.models.mount.path", "/mnt/models"),
                ("nfs.tmp.mount.path", "/mnt/tmp"),
                ("nfs.tmp.options.path", "/export"),
                ("nfs.tmp.options.server", "nfs.example"),
                ("persistentVolumeClaim.shared.mount.path", "/mnt/shared"),
                ("persistentVolumeClaim.shared.mount.readOnly", "true"),
                (
                    "persistentVolumeClaim.shared.options.claimName",
                    "claim-shared",
                ),
                ("hostPath.cfg.mount.path", "/mnt/cfg"),
                ("hostPath.cfg.options.path", "/host/cfg"),
                ("emptyDir.ckpt.mount.path", "/mnt/ckpt"),
            ],
            "cfg,models,tmp,scratch,ckpt,data,cache=claim-cache,logs,shared=claim-shared",
            "data,cache=claim-cache,logs,scratch,models,ckpt,tmp,shared=claim-shared,cfg",
        ),
        (
            &[
                ("nfs.data.mount.path", "/mnt/data"),
                ("nfs.data.mount.readOnly", "true"),
                ("nfs.data.options.path", "/export"),
                ("nfs.data.options.server", "nfs.example"),
                ("persistentVolumeClaim.scratch.mount.path", "/mnt/scratch"),
                (
                    "persistentVolumeClaim.scratch.options.claimName",
                    "OnDemand",
                ),
                (
                    "persistentVolumeClaim.scratch.options.storageClass",
                    "standard",
                ),
                ("persistentVolumeClaim.scratch.options.sizeLimit", "1Gi"),
                ("hostPath.cache.mount.path", "/mnt/cache"),
                ("hostPath.cache.options.path", "/host/cache"),
                ("emptyDir.logs.mount.path", "/mnt/logs"),
                ("emptyDir.logs.mount.readOnly", "true"),
                ("emptyDir.logs.options.medium", "Memory"),
                ("nfs.models.mount.path", "/mnt/models"),
                ("nfs.models.options.path", "/export"),
                ("nfs.models.options.server", "nfs.example"),
                ("persistentVolumeClaim.tmp.mount.path", "/mnt/tmp"),
                ("persistentVolumeClaim.tmp.options.claimName", "OnDemand"),
                ("persistentVolumeClaim.tmp.options.storageClass", "standard"),
                ("persistentVolumeClaim.tmp.options.sizeLimit", "1Gi"),
                ("hostPath.shared.mount.path", "/mnt/shared"),
                ("hostPath.shared.mount.readOnly", "true"),
                ("hostPath.shared.options.path", "/host/shared"),
                ("emptyDir.cfg.mount.path", "/mnt/cfg"),
                ("emptyDir.cfg.options.medium", "Memory"),
                ("nfs.ckpt.mount.path", "/mnt/ckpt"),
                ("nfs.ckpt.options.path", "/export"),
                ("nfs.ckpt.options.server", "nfs.example"),
                ("persistentVolumeClaim.spill.mount.path", "/mnt/spill"),
                ("persistentVolumeClaim.spill.mount.readOnly", "true"),
                ("persistentVolumeClaim.spill.options.claimName", "OnDemand"),
                (
                    "persistentVolumeClaim.spill.options.storageClass",
                    "standard",
                ),
                ("persistentVolumeClaim.spill.options.sizeLimit", "1Gi"),
            ],
            "cfg,data,tmp=P-driver-pvc-2,logs,shared,models,spill=P-driver-pvc-6,ckpt,cache,scratch=P-driver-pvc-9",
            "models,cfg,shared,tmp=P-driver-pvc-3,scratch=P-driver-pvc-4,ckpt,logs,data,spill=P-driver-pvc-8,cache",
        ),
        (
            &[
                ("hostPath.data.mount.path", "/mnt/data"),
                ("hostPath.data.mount.readOnly", "true"),
                ("hostPath.data.options.path", "/host/data"),
                ("emptyDir.scratch.mount.path", "/mnt/scratch"),
                ("emptyDir.scratch.options.medium", "Memory"),
                ("nfs.cache.mount.path", "/mnt/cache"),
                ("nfs.cache.options.path", "/export"),
                ("nfs.cache.options.server", "nfs.example"),
                ("persistentVolumeClaim.logs.mount.path", "/mnt/logs"),
                ("persistentVolumeClaim.logs.mount.readOnly", "true"),
                ("persistentVolumeClaim.logs.options.claimName", "OnDemand"),
                (
                    "persistentVolumeClaim.logs.options.storageClass",
                    "standard",
                ),
                ("persistentVolumeClaim.logs.options.sizeLimit", "1Gi"),
                ("hostPath.models.mount.path", "/mnt/models"),
                ("hostPath.models.options.path", "/host/models"),
                ("emptyDir.tmp.mount.path", "/mnt/tmp"),
                ("emptyDir.tmp.options.medium", "Memory"),
                ("nfs.shared.mount.path", "/mnt/shared"),
                ("nfs.shared.mount.readOnly", "true"),
                ("nfs.shared.options.path", "/export"),
                ("nfs.shared.options.server", "nfs.example"),
                ("persistentVolumeClaim.cfg.mount.path", "/mnt/cfg"),
                ("persistentVolumeClaim.cfg.options.claimName", "OnDemand"),
                ("persistentVolumeClaim.cfg.options.storageClass", "standard"),
                ("persistentVolumeClaim.cfg.options.sizeLimit", "1Gi"),
                ("hostPath.ckpt.mount.path", "/mnt/ckpt"),
                ("hostPath.ckpt.options.path", "/host/ckpt"),
                ("emptyDir.spill.mount.path", "/mnt/spill"),
                ("emptyDir.spill.mount.readOnly", "true"),
                ("emptyDir.spill.options.medium", "Memory"),
                ("nfs.work.mount.path", "/mnt/work"),
                ("nfs.work.options.path", "/export"),
                ("nfs.work.options.server", "nfs.example"),
                ("persistentVolumeClaim.home.mount.path", "/mnt/home"),
                ("persistentVolumeClaim.home.options.claimName", "OnDemand"),
                (
                    "persistentVolumeClaim.home.options.storageClass",
                    "standard",
                ),
                ("persistentVolumeClaim.home.options.sizeLimit", "1Gi"),
            ],
            "cfg=P-driver-pvc-0,ckpt,logs=P-driver-pvc-2,scratch,models,home=P-driver-pvc-5,cache,work,spill,tmp,shared,data",
            "cfg=P-driver-pvc-0,spill,home=P-driver-pvc-2,shared,data,models,logs=P-driver-pvc-6,ckpt,scratch,tmp,work,cache",
        ),
    ];

    fn order(props: &[(&str, &str)], version: &str) -> String {
        let conf: SparkConf = props
            .iter()
            .map(|(k, v)| (format!("{DRIVER_PREFIX}{k}"), v.to_string()))
            .collect();
        let version = SparkVersion::parse(version).unwrap();
        let specs = parse_volumes(&conf, DRIVER_PREFIX, &version).unwrap();
        specs
            .iter()
            .enumerate()
            .map(|(i, v)| match &v.conf {
                VolumeConf::PersistentVolumeClaim { claim_name, .. } => {
                    format!(
                        "{}={}",
                        v.volume_name,
                        driver_claim_name(claim_name, "P", i)
                    )
                }
                _ => v.volume_name.clone(),
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    #[test]
    fn volumes_follow_sparks_hash_order() {
        for (props, spark_3_5, spark_4_0) in VECTORS {
            assert_eq!(order(props, "3.5.9"), *spark_3_5, "{props:?}");
            assert_eq!(order(props, "4.0.5"), *spark_4_0, "{props:?}");
        }
    }

    #[test]
    fn four_properties_or_fewer_stay_sorted() {
        let props = [
            ("hostPath.zz.mount.path", "/z"),
            ("hostPath.zz.options.path", "/z"),
            ("emptyDir.aa.mount.path", "/a"),
        ];
        assert_eq!(order(&props, "3.5.9"), "aa,zz");
        assert_eq!(order(&props, "4.0.5"), "aa,zz");
    }
}
