//! The table of configuration keys the submitter knows (§5 of the spec, the core keys
//! spark-submit and the Kubernetes steps read, and every key Spark itself registers), used to
//! warn about misspelt keys with a "did you mean" suggestion: every unknown `spark.kubernetes.*`
//! key warns; another unknown `spark.*` key warns only when it is a near miss of a known one
//! (`spark.executor.memroy`), since libraries and plugins bring keys of their own.
//!
//! Unknown keys are never an error: Spark passes every key through to `spark.properties`, and
//! newer Spark releases or vendor builds may know keys this table does not.

use crate::conf::SparkConf;
use crate::error::Error;

/// Every exact `spark.kubernetes.*` key of §5.1–§5.8 (all versions 3.5–4.3, internal keys
/// included).
pub const KUBERNETES_KEYS: &[&str] = &[
    // 5.1 Connection, identity, images
    "spark.kubernetes.context",
    "spark.kubernetes.namespace",
    "spark.kubernetes.driver.master",
    "spark.kubernetes.container.image",
    "spark.kubernetes.driver.container.image",
    "spark.kubernetes.executor.container.image",
    "spark.kubernetes.container.image.pullPolicy",
    "spark.kubernetes.container.image.pullSecrets",
    "spark.kubernetes.trust.certificates",
    "spark.kubernetes.submission.requestTimeout",
    "spark.kubernetes.submission.connectionTimeout",
    "spark.kubernetes.driver.requestTimeout",
    "spark.kubernetes.driver.connectionTimeout",
    "spark.kubernetes.submitInDriver",
    "spark.kubernetes.driver.resourceNamePrefix",
    "spark.kubernetes.resource.type",
    // 5.2 Authentication
    "spark.kubernetes.authenticate.submission.caCertFile",
    "spark.kubernetes.authenticate.submission.clientKeyFile",
    "spark.kubernetes.authenticate.submission.clientCertFile",
    "spark.kubernetes.authenticate.submission.oauthToken",
    "spark.kubernetes.authenticate.submission.oauthTokenFile",
    "spark.kubernetes.authenticate.driver.caCertFile",
    "spark.kubernetes.authenticate.driver.clientKeyFile",
    "spark.kubernetes.authenticate.driver.clientCertFile",
    "spark.kubernetes.authenticate.driver.oauthToken",
    "spark.kubernetes.authenticate.driver.oauthTokenFile",
    "spark.kubernetes.authenticate.driver.mounted.caCertFile",
    "spark.kubernetes.authenticate.driver.mounted.clientKeyFile",
    "spark.kubernetes.authenticate.driver.mounted.clientCertFile",
    "spark.kubernetes.authenticate.driver.mounted.oauthTokenFile",
    "spark.kubernetes.authenticate.driver.serviceAccountName",
    "spark.kubernetes.authenticate.executor.serviceAccountName",
    "spark.kubernetes.authenticate.caCertFile",
    "spark.kubernetes.authenticate.clientKeyFile",
    "spark.kubernetes.authenticate.clientCertFile",
    "spark.kubernetes.authenticate.oauthToken",
    "spark.kubernetes.authenticate.oauthTokenFile",
    // 5.3 Volumes (non-prefix keys)
    "spark.kubernetes.driver.ownPersistentVolumeClaim",
    "spark.kubernetes.driver.reusePersistentVolumeClaim",
    "spark.kubernetes.driver.waitToReusePersistentVolumeClaim",
    "spark.kubernetes.legacy.useReadWriteOnceAccessMode",
    // 5.5 Resources, scheduling, templates
    "spark.kubernetes.driver.request.cores",
    "spark.kubernetes.driver.limit.cores",
    "spark.kubernetes.executor.request.cores",
    "spark.kubernetes.executor.limit.cores",
    "spark.kubernetes.memoryOverheadFactor",
    "spark.kubernetes.scheduler.name",
    "spark.kubernetes.driver.scheduler.name",
    "spark.kubernetes.executor.scheduler.name",
    "spark.kubernetes.driver.podTemplateFile",
    "spark.kubernetes.driver.podTemplateContainerName",
    "spark.kubernetes.executor.podTemplateFile",
    "spark.kubernetes.executor.podTemplateContainerName",
    "spark.kubernetes.driver.pod.name",
    "spark.kubernetes.executor.podNamePrefix",
    "spark.kubernetes.driver.pod.featureSteps",
    "spark.kubernetes.driver.pod.excludedFeatureSteps",
    "spark.kubernetes.executor.pod.featureSteps",
    "spark.kubernetes.executor.pod.excludedFeatureSteps",
    "spark.kubernetes.local.dirs.tmpfs",
    "spark.kubernetes.securityContext.allowPrivilegeEscalation",
    "spark.kubernetes.driver.securityContext.allowPrivilegeEscalation",
    "spark.kubernetes.executor.securityContext.allowPrivilegeEscalation",
    "spark.kubernetes.configMap.maxSize",
    "spark.kubernetes.executor.disableConfigMap",
    // 5.6 Driver service / networking
    "spark.kubernetes.driver.service.ipFamilyPolicy",
    "spark.kubernetes.driver.service.ipFamilies",
    "spark.kubernetes.driver.service.publishNotReadyAddresses",
    "spark.kubernetes.driver.service.deleteOnTermination",
    "spark.kubernetes.executor.useDriverPodIP",
    // 5.7 Submission behaviour and files
    "spark.kubernetes.submission.waitAppCompletion",
    "spark.kubernetes.report.interval",
    "spark.kubernetes.file.upload.path",
    "spark.kubernetes.appKillPodDeletionGracePeriod",
    "spark.kubernetes.jars.avoidDownloadSchemes",
    "spark.kubernetes.setSubmitTimeInDriver",
    "spark.kubernetes.hadoop.configMapName",
    "spark.kubernetes.executor.hadoopConfigMapName",
    "spark.kubernetes.kerberos.krb5.path",
    "spark.kubernetes.kerberos.krb5.configMapName",
    "spark.kubernetes.kerberos.tokenSecret.name",
    "spark.kubernetes.kerberos.tokenSecret.itemKey",
    "spark.kubernetes.pyspark.pythonVersion",
    "spark.kubernetes.scheduler.volcano.podGroupTemplateFile",
    "spark.kubernetes.scheduler.volcano.podGroupTemplateJson",
    // 5.8 Driver-side only
    "spark.kubernetes.allocation.batch.size",
    "spark.kubernetes.allocation.batch.delay",
    "spark.kubernetes.allocation.executor.timeout",
    "spark.kubernetes.allocation.driver.readinessTimeout",
    "spark.kubernetes.allocation.maxPendingPods",
    "spark.kubernetes.allocation.maxPendingPodsPerRp",
    "spark.kubernetes.allocation.maximum",
    "spark.kubernetes.allocation.pods.allocator",
    "spark.kubernetes.allocation.recoveryMode.enabled",
    "spark.kubernetes.executor.podDeletionCost",
    "spark.kubernetes.executor.deleteOnTermination",
    "spark.kubernetes.executor.checkAllContainers",
    "spark.kubernetes.executor.apiPollingInterval",
    "spark.kubernetes.executor.enableApiPolling",
    "spark.kubernetes.executor.enableApiWatcher",
    "spark.kubernetes.executor.enablePollingWithResourceVersion",
    "spark.kubernetes.executor.eventProcessingInterval",
    "spark.kubernetes.executor.missingPodDetectDelta",
    "spark.kubernetes.executor.decommissionLabel",
    "spark.kubernetes.executor.decommissionLabelValue",
    "spark.kubernetes.decommission.script",
    "spark.kubernetes.dynamicAllocation.deleteGracePeriod",
    "spark.kubernetes.executor.terminationGracePeriodSeconds",
    "spark.kubernetes.executor.deletedExecutorsCacheTimeout",
    "spark.kubernetes.executor.rollInterval",
    "spark.kubernetes.executor.rollPolicy",
    "spark.kubernetes.executor.minTasksPerExecutorBeforeRolling",
    "spark.kubernetes.executor.resizeInterval",
    "spark.kubernetes.executor.resizeThreshold",
    "spark.kubernetes.executor.resizeFactor",
    "spark.kubernetes.executor.pvc.resizeInterval",
    "spark.kubernetes.executor.pvc.resizeThreshold",
    "spark.kubernetes.executor.pvc.resizeFactor",
    "spark.kubernetes.executorSnapshotsSubscribersShutdownGracePeriod",
    "spark.kubernetes.driver.annotateExitException",
];

/// Core (non-`spark.kubernetes.`) keys that spark-submit or the Kubernetes submitter read or
/// write (§2.1, §3, §4.2, §5).
pub const CORE_KEYS: &[&str] = &[
    "spark.master",
    "spark.app.name",
    "spark.app.id",
    "spark.app.submitTime",
    "spark.submit.deployMode",
    "spark.submit.pyFiles",
    "spark.jars",
    "spark.jars.packages",
    "spark.jars.repositories",
    "spark.jars.excludes",
    "spark.jars.ivy",
    "spark.jars.ivySettings",
    "spark.files",
    "spark.archives",
    "spark.driver.memory",
    "spark.driver.memoryOverhead",
    "spark.driver.memoryOverheadFactor",
    "spark.driver.minMemoryOverhead",
    "spark.driver.cores",
    "spark.driver.extraClassPath",
    "spark.driver.extraJavaOptions",
    "spark.driver.extraLibraryPath",
    "spark.driver.host",
    "spark.driver.bindAddress",
    "spark.driver.port",
    "spark.driver.blockManager.port",
    "spark.blockManager.port",
    "spark.ui.port",
    "spark.connect.grpc.binding.port",
    "spark.executor.memory",
    "spark.executor.memoryOverhead",
    "spark.executor.memoryOverheadFactor",
    "spark.executor.minMemoryOverhead",
    "spark.executor.cores",
    "spark.executor.instances",
    "spark.dynamicAllocation.enabled",
    "spark.kerberos.principal",
    "spark.kerberos.keytab",
    "spark.local.dir",
    "spark.pyspark.python",
    "spark.pyspark.driver.python",
    "spark.home",
];

/// Key families whose last part is free (a label key, an env var name, a secret name …):
/// any key starting with one of these (and longer than it) is known.
pub const PREFIX_FAMILIES: &[&str] = &[
    "spark.kubernetes.driver.label.",
    "spark.kubernetes.driver.annotation.",
    "spark.kubernetes.driver.service.label.",
    "spark.kubernetes.driver.service.annotation.",
    "spark.kubernetes.executor.label.",
    "spark.kubernetes.executor.annotation.",
    "spark.kubernetes.node.selector.",
    "spark.kubernetes.driver.node.selector.",
    "spark.kubernetes.executor.node.selector.",
    "spark.kubernetes.driverEnv.",
    "spark.kubernetes.driver.secrets.",
    "spark.kubernetes.executor.secrets.",
    "spark.kubernetes.driver.secretKeyRef.",
    "spark.kubernetes.executor.secretKeyRef.",
    "spark.driver.resource.",
    "spark.executor.resource.",
    "spark.executorEnv.",
    "spark.hadoop.",
    // Namespaces whose keys users or libraries define (Hive settings, catalogs and their
    // options, SSL namespaces, metrics sinks, data source options, Netty transport modules,
    // RocksDB state store options, YARN/Mesos environments).
    "spark.hive.",
    "spark.sql.catalog.",
    "spark.ssl.",
    "spark.metrics.conf.",
    "spark.datasource.",
    "spark.shuffle.io.",
    "spark.rpc.io.",
    "spark.files.io.",
    "spark.sql.streaming.stateStore.rocksdb.",
    "spark.yarn.appMasterEnv.",
    "spark.mesos.driverEnv.",
];

/// Every key Spark 3.5 and 4.0 register (`ConfigEntry.knownConfigs`), one per line
/// (`tests/oracle/spark_keys.py` prints them).
const SPARK_KEYS_TEXT: &str = include_str!("spark_keys.txt");

/// Keys Spark reads that are not registered entries (documented in Spark's configuration page).
const DOCUMENTED_KEYS: &[&str] = &[
    "spark.driver.rpc.netty.dispatcher.numThreads",
    "spark.executor.rpc.netty.dispatcher.numThreads",
    "spark.driver.supervise",
    "spark.log.callerContext",
];

/// Spark's own keys, parsed once.
fn spark_keys() -> &'static std::collections::HashSet<&'static str> {
    static KEYS: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        SPARK_KEYS_TEXT
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .chain(DOCUMENTED_KEYS.iter().copied())
            .collect()
    })
}

/// Volume key prefixes; what follows must be `<type>.<name>.<option>` (§5.3).
pub const VOLUME_PREFIXES: &[&str] = &[
    "spark.kubernetes.driver.volumes.",
    "spark.kubernetes.executor.volumes.",
];

/// Volume types Spark supports.
pub const VOLUME_TYPES: &[&str] = &["hostPath", "emptyDir", "nfs", "persistentVolumeClaim"];

/// Volume options (the part after `<type>.<name>.`), besides `label.<k>` / `annotation.<k>`.
pub const VOLUME_OPTIONS: &[&str] = &[
    "mount.path",
    "mount.readOnly",
    "mount.subPath",
    "mount.subPathExpr",
    "options.path",
    "options.type",
    "options.server",
    "options.medium",
    "options.sizeLimit",
    "options.claimName",
    "options.storageClass",
];

/// Volume option families (PVC labels and annotations, 4.0+).
pub const VOLUME_OPTION_PREFIXES: &[&str] = &["label.", "annotation."];

/// The most edits a suggestion may be away from what was typed.
const MAX_DISTANCE: usize = 3;

/// Whether `key` is a known key, a member of a known family, or a well-formed volume key.
pub fn is_known(key: &str) -> bool {
    KUBERNETES_KEYS.contains(&key)
        || CORE_KEYS.contains(&key)
        || spark_keys().contains(key)
        || PREFIX_FAMILIES
            .iter()
            .any(|p| key.len() > p.len() && key.starts_with(p))
        || VOLUME_PREFIXES.iter().any(|p| {
            key.strip_prefix(p)
                .is_some_and(|rest| matches!(check_volume(rest), VolumeKey::Valid))
        })
}

/// The key the user most likely meant, for a key that is not [`is_known`]: a known key (or a
/// family prefix + the rest of the key) within a few edits, compared case-insensitively; or,
/// for `spark.kubernetes.<core key>`, the core key (`spark.kubernetes.driver.memory` →
/// `spark.driver.memory`). A family key without its free part suggests `<prefix><name>`.
pub fn suggest(key: &str) -> Option<String> {
    if let Some(rest) = key.strip_prefix("spark.kubernetes.") {
        let core = format!("spark.{rest}");
        if CORE_KEYS.contains(&core.as_str()) {
            return Some(core);
        }
    }
    // A key under a volume prefix: fix the type and option.
    for prefix in VOLUME_PREFIXES {
        if let Some(rest) = key.strip_prefix(prefix) {
            return match check_volume(rest) {
                VolumeKey::Fixed(fixed) => Some(format!("{prefix}{fixed}")),
                _ => None,
            };
        }
    }

    let lowered = key.to_ascii_lowercase();
    let max = max_distance(key);
    // (distance, tie-breaker, suggestion): exact keys win ties over families.
    let mut best: Option<(usize, usize, String)> = None;
    let mut consider = |distance: usize, rank: usize, suggestion: String| {
        if distance <= max
            && best
                .as_ref()
                .is_none_or(|(d, r, _)| (distance, rank) < (*d, *r))
        {
            best = Some((distance, rank, suggestion));
        }
    };

    let mut spark: Vec<&str> = spark_keys().iter().copied().collect();
    spark.sort_unstable();
    for known in KUBERNETES_KEYS.iter().chain(CORE_KEYS).chain(&spark) {
        consider(distance(&lowered, known), 0, (*known).to_string());
    }

    // Family prefixes: compare every `.`-terminated head of the key (and the whole key + `.`)
    // with each prefix; the suggestion keeps the rest of the key.
    let mut heads: Vec<(String, &str)> = key
        .char_indices()
        .filter(|(_, c)| *c == '.')
        .map(|(i, _)| (key[..=i].to_ascii_lowercase(), &key[i + 1..]))
        .collect();
    heads.push((format!("{lowered}."), ""));
    let families = PREFIX_FAMILIES.iter().chain(VOLUME_PREFIXES);
    for prefix in families {
        for (head, rest) in &heads {
            let d = distance(head, prefix);
            if d > max {
                continue;
            }
            let suggestion = if rest.is_empty() {
                format!("{prefix}<name>")
            } else if VOLUME_PREFIXES.contains(prefix) {
                match check_volume(rest) {
                    VolumeKey::Fixed(fixed) => format!("{prefix}{fixed}"),
                    _ => format!("{prefix}{rest}"),
                }
            } else {
                format!("{prefix}{rest}")
            };
            consider(d, 1, suggestion);
        }
    }
    best.map(|(_, _, s)| s).filter(|s| s != key)
}

/// How many edits a suggestion may be away from `key`: [`MAX_DISTANCE`] for
/// `spark.kubernetes.*` keys (all of which are checked), fewer for short other keys, whose
/// unknown ones are often a library's own (`spark.app.env` is not a typo of `spark.app.id`).
fn max_distance(key: &str) -> usize {
    if key.starts_with("spark.kubernetes.") {
        MAX_DISTANCE
    } else {
        match key.len() {
            0..=15 => 1,
            16..=25 => 2,
            _ => MAX_DISTANCE,
        }
    }
}

/// Explains a bad-input error about a setting (e.g. "Must specify the driver container
/// image", whose hint names `spark.kubernetes.container.image`) when the user set a near miss
/// of a key the error names: ``you set `spark.kubernetes.contianer.image`; did you mean
/// `spark.kubernetes.container.image`?``. Without this, the "missing" error comes first and
/// the typo warning is never shown. Other errors are returned unchanged.
pub fn explain_near_misses(err: Error, conf: &SparkConf) -> Error {
    if !matches!(err, Error::Usage { .. }) {
        return err;
    }
    let text = format!("{err}\n{}", err.hint().unwrap_or_default());
    let notes: Vec<String> = conf
        .iter()
        .map(|(key, _)| key)
        .filter(|key| !is_known(key))
        .filter_map(|key| suggest(key).map(|s| (key, s)))
        .filter(|(_, meant)| mentions_key(&text, meant))
        .map(|(key, meant)| format!("you set `{key}`; did you mean `{meant}`?"))
        .collect();
    if notes.is_empty() {
        err
    } else {
        err.with_note(&notes.join("\n  "))
    }
}

/// Whether `text` names `key` as a whole key (not as the head of a longer one).
fn mentions_key(text: &str, key: &str) -> bool {
    text.match_indices(key).any(|(i, _)| {
        text[i + key.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '.' || c == '_' || c == '-'))
    })
}

/// One warning per set `spark.kubernetes.*` key that is neither known nor in a known family,
/// with a suggestion when one is close, e.g. ``unknown configuration key
/// `spark.kubernetes.drivr.label.a` (did you mean `spark.kubernetes.driver.label.a`?); it is
/// passed to Spark unchanged``; and one per other unknown `spark.*` key that is a near miss of
/// a known one (`spark.executor.memroy`).
pub fn unknown_key_warnings(conf: &SparkConf) -> Vec<String> {
    let near_misses = conf
        .iter()
        .map(|(key, _)| key)
        .filter(|key| key.starts_with("spark.") && !key.starts_with("spark.kubernetes."))
        .filter(|key| !is_known(key))
        .filter_map(|key| {
            suggest(key).map(|s| {
                format!(
                    "unknown configuration key `{key}` (did you mean `{s}`?); it is passed to \
                     Spark unchanged"
                )
            })
        });
    let kubernetes = conf
        .with_prefix("spark.kubernetes.")
        .map(|(rest, _)| format!("spark.kubernetes.{rest}"))
        .filter(|key| !is_known(key))
        .map(|key| match suggest(&key) {
            Some(s) => format!(
                "unknown configuration key `{key}` (did you mean `{s}`?); it is passed to Spark unchanged"
            ),
            None if VOLUME_PREFIXES.iter().any(|p| key.starts_with(p)) => format!(
                "unknown configuration key `{key}` (volume keys look like \
                 `spark.kubernetes.driver.volumes.<type>.<name>.<option>`, with <type> one of {} \
                 and a <name> without dots); it is passed to Spark unchanged",
                VOLUME_TYPES.join(", ")
            ),
            None => format!("unknown configuration key `{key}`; it is passed to Spark unchanged"),
        });
    kubernetes.chain(near_misses).collect()
}

/// What the part of a volume key after the role prefix amounts to.
enum VolumeKey {
    /// `<type>.<name>.<option>` with a supported type and a known option.
    Valid,
    /// Not valid, but this corrected form is.
    Fixed(String),
    /// Not valid and no correction found.
    Invalid,
}

fn check_volume(rest: &str) -> VolumeKey {
    let mut parts = rest.splitn(3, '.');
    let (Some(kind), Some(name), Some(option)) = (parts.next(), parts.next(), parts.next()) else {
        return VolumeKey::Invalid;
    };
    if kind.is_empty() || name.is_empty() {
        return VolumeKey::Invalid;
    }
    let kind_ok = VOLUME_TYPES.contains(&kind);
    let option_ok = volume_option_ok(option);
    if kind_ok && option_ok {
        return VolumeKey::Valid;
    }
    let kind_fixed = if kind_ok {
        Some(kind.to_string())
    } else {
        closest(kind, VOLUME_TYPES, 2).map(str::to_string)
    };
    let option_fixed = if option_ok {
        Some(option.to_string())
    } else {
        fix_volume_option(option)
    };
    match (kind_fixed, option_fixed) {
        (Some(k), Some(o)) => VolumeKey::Fixed(format!("{k}.{name}.{o}")),
        _ => VolumeKey::Invalid,
    }
}

fn volume_option_ok(option: &str) -> bool {
    VOLUME_OPTIONS.contains(&option)
        || VOLUME_OPTION_PREFIXES
            .iter()
            .any(|p| option.len() > p.len() && option.starts_with(p))
}

fn fix_volume_option(option: &str) -> Option<String> {
    if let Some(o) = closest(option, VOLUME_OPTIONS, MAX_DISTANCE) {
        return Some(o.to_string());
    }
    // `labels.app` → `label.app`
    let (head, tail) = option.split_once('.')?;
    if tail.is_empty() {
        return None;
    }
    let head = format!("{head}.");
    closest(&head, VOLUME_OPTION_PREFIXES, 2).map(|p| format!("{p}{tail}"))
}

/// The candidate nearest to `typed` within `max` edits (case-insensitive).
pub fn closest<'a>(typed: &str, candidates: &[&'a str], max: usize) -> Option<&'a str> {
    let lowered = typed.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (distance(&lowered, c), *c))
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance (with transpositions) between an already lower-cased string and a
/// candidate, ignoring case.
fn distance(lowered: &str, candidate: &str) -> usize {
    strsim::osa_distance(lowered, &candidate.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warnings_for(keys: &[&str]) -> Vec<String> {
        let conf: SparkConf = keys
            .iter()
            .map(|k| (k.to_string(), "x".to_string()))
            .collect();
        unknown_key_warnings(&conf)
    }

    #[test]
    fn known_keys_and_families_are_silent() {
        let w = warnings_for(&[
            "spark.kubernetes.container.image",
            "spark.kubernetes.driver.label.team",
            "spark.kubernetes.driver.service.annotation.a/b",
            "spark.kubernetes.node.selector.kubernetes.io/hostname",
            "spark.kubernetes.driverEnv.FOO",
            "spark.kubernetes.driver.secretKeyRef.PASSWORD",
            "spark.kubernetes.driver.volumes.persistentVolumeClaim.data.options.claimName",
            "spark.kubernetes.executor.volumes.hostPath.spark-local-dir-1.mount.path",
            "spark.kubernetes.driver.volumes.persistentVolumeClaim.data.label.team",
            "spark.kubernetes.authenticate.driver.serviceAccountName",
            "spark.kubernetes.executor.pvc.resizeFactor",
        ]);
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn near_misses_of_any_spark_key_warn() {
        assert_eq!(
            warnings_for(&["spark.executor.memroy"]),
            vec![
                "unknown configuration key `spark.executor.memroy` (did you mean \
                 `spark.executor.memory`?); it is passed to Spark unchanged"
            ]
        );
        for (typo, meant) in [
            ("spark.exectuor.instances", "spark.executor.instances"),
            (
                "spark.sql.shuffle.partition",
                "spark.sql.shuffle.partitions",
            ),
            (
                "spark.dynamicAllocation.enable",
                "spark.dynamicAllocation.enabled",
            ),
            ("spark.driver.memoryOverHead", "spark.driver.memoryOverhead"),
            ("spark.Executor.Cores", "spark.executor.cores"),
            ("spark.sql.adaptive.enabeld", "spark.sql.adaptive.enabled"),
            ("spark.eventlog.enabled", "spark.eventLog.enabled"),
            (
                "spark.executor.maxNumFailure",
                "spark.executor.maxNumFailures",
            ),
            (
                "spark.hadop.fs.s3a.endpoint",
                "spark.hadoop.fs.s3a.endpoint",
            ),
            ("spark.executorEnvs.PATH", "spark.executorEnv.PATH"),
        ] {
            assert_eq!(suggest(typo).as_deref(), Some(meant), "{typo}");
            assert_eq!(warnings_for(&[typo]).len(), 1, "{typo}");
        }
    }

    #[test]
    fn spark_keys_and_user_namespaces_are_silent() {
        let w = warnings_for(&[
            "spark.sql.shuffle.partitions",
            "spark.executor.memory",
            "spark.executor.maxNumFailures",
            "spark.sql.adaptive.coalescePartitions.enabled",
            "spark.sql.execution.arrow.pyspark.enabled",
            "spark.eventLog.dir",
            "spark.history.fs.logDirectory",
            "spark.serializer",
            "spark.kryoserializer.buffer.max",
            "spark.sql.warehouse.dir",
            "spark.sql.extensions",
            "spark.sql.hive.metastore.version",
            "spark.connect.grpc.binding.port",
            "spark.speculation",
            "spark.task.maxFailures",
            "spark.pyspark.python",
            "spark.driver.rpc.netty.dispatcher.numThreads",
            // Namespaces whose rest the user defines.
            "spark.hadoop.fs.s3a.endpoint",
            "spark.hadoop.fs.s3a.access.key",
            "spark.executorEnv.PYTHONPATH",
            "spark.sql.catalog.iceberg",
            "spark.sql.catalog.iceberg.type",
            "spark.sql.catalog.iceberg.warehouse",
            "spark.hive.metastore.uris",
            "spark.ssl.ui.enabled",
            "spark.metrics.conf.*.sink.console.class",
            "spark.shuffle.io.maxRetries",
            "spark.rpc.io.serverThreads",
            "spark.sql.streaming.stateStore.rocksdb.compactOnCommit",
            "spark.driver.resource.gpu.amount",
            // Libraries' own keys, far from any of Spark's.
            "spark.databricks.delta.retentionDurationCheck.enabled",
            "spark.openlineage.transport.type",
            "spark.app.env",
            "spark.myapp.input",
            "spark.rapids.sql.enabled",
        ]);
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn a_missing_setting_names_its_near_miss() {
        let conf = SparkConf::from_pairs(&[
            ("spark.kubernetes.contianer.image", "apache/spark:4.0.1"),
            ("spark.kubernetes.container.image.pullPolicy", "Always"),
        ]);
        let missing = Error::usage(
            "Must specify the driver container image",
            "pass --conf spark.kubernetes.container.image=<image>",
        );
        let text = explain_near_misses(missing, &conf).to_string();
        assert_eq!(
            text,
            "Must specify the driver container image\n  you set \
             `spark.kubernetes.contianer.image`; did you mean `spark.kubernetes.container.image`?"
        );
        // An error about another key, or not about input, is left alone.
        let other = Error::usage(
            "Must specify x",
            "pass --conf spark.kubernetes.container.image.pullPolicy=Always",
        );
        assert_eq!(
            explain_near_misses(other, &conf).to_string(),
            "Must specify x"
        );
        let api = Error::Other("spark.kubernetes.container.image".into());
        assert!(
            !explain_near_misses(api, &conf)
                .to_string()
                .contains("you set")
        );
    }

    #[test]
    fn family_prefix_typo_keeps_the_rest() {
        assert_eq!(
            warnings_for(&["spark.kubernetes.drivr.label.a"]),
            vec![
                "unknown configuration key `spark.kubernetes.drivr.label.a` (did you mean \
                 `spark.kubernetes.driver.label.a`?); it is passed to Spark unchanged"
            ]
        );
        assert_eq!(
            suggest("spark.kubernetes.driver.labels.app.kubernetes.io/name"),
            Some("spark.kubernetes.driver.label.app.kubernetes.io/name".to_string())
        );
        assert_eq!(
            suggest("spark.kubernetes.driver.nodeSelector.disk"),
            Some("spark.kubernetes.driver.node.selector.disk".to_string())
        );
        assert_eq!(
            suggest("spark.kubernetes.driver.env.FOO"),
            Some("spark.kubernetes.driverEnv.FOO".to_string())
        );
    }

    #[test]
    fn exact_key_typos() {
        assert_eq!(
            suggest("spark.kubernetes.container.imag"),
            Some("spark.kubernetes.container.image".to_string())
        );
        assert_eq!(
            suggest("spark.kubernetes.container.image.pullpolicy"),
            Some("spark.kubernetes.container.image.pullPolicy".to_string())
        );
        assert_eq!(
            suggest("spark.kubernetes.submission.waitAppCompletation"),
            Some("spark.kubernetes.submission.waitAppCompletion".to_string())
        );
        assert_eq!(
            suggest("spark.kubernetes.namepsace"),
            Some("spark.kubernetes.namespace".to_string())
        );
    }

    #[test]
    fn core_keys_under_the_kubernetes_prefix() {
        assert_eq!(
            suggest("spark.kubernetes.driver.memory"),
            Some("spark.driver.memory".to_string())
        );
        assert_eq!(
            suggest("spark.kubernetes.executor.instances"),
            Some("spark.executor.instances".to_string())
        );
    }

    #[test]
    fn family_without_its_free_part() {
        assert_eq!(
            suggest("spark.kubernetes.driver.label"),
            Some("spark.kubernetes.driver.label.<name>".to_string())
        );
        assert!(!is_known("spark.kubernetes.driver.label."));
    }

    #[test]
    fn volume_keys() {
        assert_eq!(
            suggest("spark.kubernetes.driver.volumes.hostpath.data.mount.path"),
            Some("spark.kubernetes.driver.volumes.hostPath.data.mount.path".to_string())
        );
        assert_eq!(
            suggest("spark.kubernetes.driver.volumes.emptyDir.data.mount.pth"),
            Some("spark.kubernetes.driver.volumes.emptyDir.data.mount.path".to_string())
        );
        assert_eq!(
            suggest("spark.kubernetes.driver.volumes.persistentVolumeClaim.d.labels.team"),
            Some("spark.kubernetes.driver.volumes.persistentVolumeClaim.d.label.team".to_string())
        );
        assert_eq!(
            suggest("spark.kubernetes.driver.volume.nfs.share.options.server"),
            Some("spark.kubernetes.driver.volumes.nfs.share.options.server".to_string())
        );
        let w = warnings_for(&["spark.kubernetes.executor.volumes.emptyDir"]);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("volume keys look like"), "{w:?}");
        let w = warnings_for(&["spark.kubernetes.driver.volumes.gitRepo.src.mount.path"]);
        assert!(
            w[0].contains("hostPath, emptyDir, nfs, persistentVolumeClaim"),
            "{w:?}"
        );
    }

    #[test]
    fn far_away_keys_get_no_suggestion() {
        assert_eq!(
            warnings_for(&["spark.kubernetes.something.completely.different"]),
            vec![
                "unknown configuration key `spark.kubernetes.something.completely.different`; \
                 it is passed to Spark unchanged"
            ]
        );
    }
}
