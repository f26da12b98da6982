//! `LocalDirsFeatureStep` (§3.1.3 of the spec): Spark's scratch directories in the driver pod,
//! either the mounts of user volumes named `spark-local-dir-*` (in random order, all versions)
//! or one `emptyDir` per configured directory (shuffled from 4.0 on), exported as
//! `SPARK_LOCAL_DIRS`. "Random" draws come from the plan's ids, so plans stay reproducible.

use k8s_openapi::api::core::v1::{EmptyDirVolumeSource, EnvVar, PodSpec, Volume, VolumeMount};

use crate::error::Result;
use crate::submit::plan::{DriverSpec, Plan};
use crate::submit::steps::derived;

/// Volume name prefix that marks a Spark local directory.
pub const LOCAL_DIR_VOLUME_PREFIX: &str = "spark-local-dir-";

/// Applies this step to the driver spec.
pub fn apply(plan: &Plan, spec: &mut DriverSpec) -> Result<()> {
    let mut existing: Vec<String> = spec
        .container
        .volume_mounts
        .iter()
        .flatten()
        .filter(|m| m.name.starts_with(LOCAL_DIR_VOLUME_PREFIX))
        .map(|m| m.mount_path.clone())
        .collect();
    let dirs = if existing.is_empty() {
        let mut dirs = configured_dirs(plan);
        // 3.5 shuffles a copy and throws it away; 4.0+ uses the shuffled list.
        if plan.spark_version.at_least(4, 0) {
            shuffle_from_plan(plan, &mut dirs);
        }
        let tmpfs = plan
            .conf
            .get_bool("spark.kubernetes.local.dirs.tmpfs", false)?;
        let (volumes, mounts) = local_dir_volumes(&dirs, tmpfs);
        spec.pod
            .spec
            .get_or_insert_with(PodSpec::default)
            .volumes
            .get_or_insert_with(Vec::new)
            .extend(volumes);
        spec.container
            .volume_mounts
            .get_or_insert_with(Vec::new)
            .extend(mounts);
        dirs
    } else {
        // Every version shuffles the paths of existing `spark-local-dir-*` mounts.
        shuffle_from_plan(plan, &mut existing);
        existing
    };
    spec.container
        .env
        .get_or_insert_with(Vec::new)
        .push(EnvVar {
            name: "SPARK_LOCAL_DIRS".into(),
            value: Some(dirs.join(",")),
            ..EnvVar::default()
        });
    Ok(())
}

/// Spark's `Utils.randomize`, made deterministic by drawing from the plan's ids.
fn shuffle_from_plan(plan: &Plan, dirs: &mut [String]) {
    shuffle(dirs, |i, bound| {
        plan.ids.derived_u64(derived::LOCAL_DIR_SHUFFLE_BASE + i) % bound
    });
}

/// The submitter's `SPARK_LOCAL_DIRS`, else `spark.local.dir`, else `/var/data/spark-<uuid>`,
/// split on `,` the way Java's `String.split` does (trailing empty entries dropped).
pub fn configured_dirs(plan: &Plan) -> Vec<String> {
    let value = plan
        .env
        .spark_local_dirs
        .clone()
        .or_else(|| plan.conf.get("spark.local.dir").map(str::to_string))
        .unwrap_or_else(|| {
            format!(
                "/var/data/spark-{}",
                plan.ids.derived_uuid(derived::LOCAL_DIR_UUID)
            )
        });
    java_split_comma(&value)
}

/// Java's `s.split(",")`: trailing empty strings removed (but `""` gives `[""]`).
fn java_split_comma(value: &str) -> Vec<String> {
    let mut parts: Vec<String> = value.split(',').map(str::to_string).collect();
    if value.is_empty() {
        return parts;
    }
    while parts.last().is_some_and(String::is_empty) {
        parts.pop();
    }
    parts
}

/// Fisher–Yates shuffle, the algorithm of Scala's `Random.shuffle`, drawing with
/// `draw(i, bound)` ∈ `[0, bound)` for position `i`.
pub fn shuffle<T>(items: &mut [T], mut draw: impl FnMut(u64, u64) -> u64) {
    for i in (1..items.len()).rev() {
        let j = draw(i as u64, i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

/// One `emptyDir` volume `spark-local-dir-<n>` (1-based) per dir, `medium: Memory` with tmpfs,
/// and its mount at the dir.
fn local_dir_volumes(dirs: &[String], tmpfs: bool) -> (Vec<Volume>, Vec<VolumeMount>) {
    dirs.iter()
        .enumerate()
        .map(|(i, dir)| {
            let name = format!("{LOCAL_DIR_VOLUME_PREFIX}{}", i + 1);
            let volume = Volume {
                name: name.clone(),
                empty_dir: Some(EmptyDirVolumeSource {
                    medium: tmpfs.then(|| "Memory".to_string()),
                    ..EmptyDirVolumeSource::default()
                }),
                ..Volume::default()
            };
            let mount = VolumeMount {
                name,
                mount_path: dir.clone(),
                ..VolumeMount::default()
            };
            (volume, mount)
        })
        .unzip()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submit::steps::fixtures::{empty_spec, test_plan, test_plan_with};

    fn run(plan: &Plan) -> DriverSpec {
        let mut spec = empty_spec(plan);
        apply(plan, &mut spec).unwrap();
        spec
    }

    fn local_dirs_env(spec: &DriverSpec) -> String {
        let env = spec.container.env.as_ref().unwrap();
        assert_eq!(env.len(), 1);
        assert_eq!(env[0].name, "SPARK_LOCAL_DIRS");
        env[0].value.clone().unwrap()
    }

    #[test]
    fn default_dir_is_an_empty_dir() {
        let plan = test_plan("4.0.1");
        let spec = run(&plan);
        let dir = format!(
            "/var/data/spark-{}",
            plan.ids.derived_uuid(derived::LOCAL_DIR_UUID)
        );
        assert_eq!(local_dirs_env(&spec), dir);
        let volumes = spec.pod.spec.unwrap().volumes.unwrap();
        assert_eq!(volumes.len(), 1);
        assert_eq!(volumes[0].name, "spark-local-dir-1");
        assert_eq!(volumes[0].empty_dir, Some(EmptyDirVolumeSource::default()));
        let mounts = spec.container.volume_mounts.unwrap();
        assert_eq!(
            (mounts[0].name.as_str(), mounts[0].mount_path.as_str()),
            ("spark-local-dir-1", dir.as_str())
        );
        assert_eq!(
            serde_json::to_value(&volumes[0]).unwrap(),
            serde_json::json!({"name": "spark-local-dir-1", "emptyDir": {}})
        );
    }

    #[test]
    fn env_wins_over_conf_and_3_5_keeps_order() {
        let mut plan = test_plan_with("3.5.9", &[("spark.local.dir", "/conf/a")]);
        assert_eq!(local_dirs_env(&run(&plan)), "/conf/a");
        plan.env.spark_local_dirs = Some("/a,/b,/c,/d,".into());
        let spec = run(&plan);
        assert_eq!(local_dirs_env(&spec), "/a,/b,/c,/d");
        let names: Vec<_> = spec
            .pod
            .spec
            .unwrap()
            .volumes
            .unwrap()
            .into_iter()
            .map(|v| v.name)
            .collect();
        assert_eq!(
            names,
            [
                "spark-local-dir-1",
                "spark-local-dir-2",
                "spark-local-dir-3",
                "spark-local-dir-4"
            ]
        );
    }

    #[test]
    fn from_4_0_dirs_are_shuffled_deterministically() {
        let mut plan = test_plan("4.0.1");
        plan.env.spark_local_dirs = Some("/a,/b,/c,/d,/e,/f".into());
        let first = local_dirs_env(&run(&plan));
        assert_eq!(first, local_dirs_env(&run(&plan)));
        let mut got: Vec<&str> = first.split(',').collect();
        got.sort();
        assert_eq!(got, ["/a", "/b", "/c", "/d", "/e", "/f"]);
        // the mounts follow the shuffled order, numbered from 1
        let spec = run(&plan);
        let mounts: Vec<String> = spec
            .container
            .volume_mounts
            .unwrap()
            .into_iter()
            .map(|m| m.mount_path)
            .collect();
        assert_eq!(mounts.join(","), first);
        // another seed, (very likely) another order; at least it is a permutation
        plan.ids.seed = 7;
        let other = local_dirs_env(&run(&plan));
        assert_eq!(other.len(), first.len());
    }

    #[test]
    fn tmpfs_uses_memory() {
        let spec = run(&test_plan_with(
            "4.0.1",
            &[("spark.kubernetes.local.dirs.tmpfs", "true")],
        ));
        let volumes = spec.pod.spec.unwrap().volumes.unwrap();
        assert_eq!(
            volumes[0].empty_dir.as_ref().unwrap().medium.as_deref(),
            Some("Memory")
        );
    }

    #[test]
    fn existing_local_dir_mounts_are_used() {
        let plan = test_plan("4.0.1");
        let mut spec = empty_spec(&plan);
        spec.container.volume_mounts = Some(vec![
            VolumeMount {
                name: "data".into(),
                mount_path: "/data".into(),
                ..Default::default()
            },
            VolumeMount {
                name: "spark-local-dir-x".into(),
                mount_path: "/scratch1".into(),
                ..Default::default()
            },
            VolumeMount {
                name: "spark-local-dir-y".into(),
                mount_path: "/scratch2".into(),
                ..Default::default()
            },
        ]);
        apply(&plan, &mut spec).unwrap();
        let mut got: Vec<String> = local_dirs_env(&spec)
            .split(',')
            .map(str::to_string)
            .collect();
        got.sort();
        assert_eq!(got, ["/scratch1", "/scratch2"]);
        assert_eq!(spec.container.volume_mounts.unwrap().len(), 3);
        assert!(spec.pod.spec.is_none());
    }

    #[test]
    fn java_split() {
        assert_eq!(java_split_comma("a,,b,,"), ["a", "", "b"]);
        assert_eq!(java_split_comma(""), [""]);
    }

    #[test]
    fn shuffle_is_fisher_yates() {
        let mut v = [1, 2, 3];
        // always pick index 0: i=2 swaps 2<->0 → [3,2,1], i=1 swaps 1<->0 → [2,3,1]
        shuffle(&mut v, |_, _| 0);
        assert_eq!(v, [2, 3, 1]);
    }
}
