//! Checks on the merged configuration before anything is sent to the API server: values
//! Spark would reject (at submit time, or later in the driver) are reported up front, each
//! naming the key and how to fix it.

use crate::conf::units::{self, ByteUnit};
use crate::conf::{SparkConf, keys};
use crate::error::{Error, Result};

/// Size keys, read in MiB when they have no unit.
const SIZE_KEYS: &[&str] = &[
    "spark.driver.memory",
    "spark.executor.memory",
    "spark.driver.memoryOverhead",
    "spark.executor.memoryOverhead",
    "spark.driver.minMemoryOverhead",
];

/// Integer keys that must be positive.
const POSITIVE_INT_KEYS: &[&str] = &["spark.driver.cores", "spark.executor.cores"];

/// Boolean keys the submitter reads.
const BOOL_KEYS: &[&str] = &[
    "spark.kubernetes.submission.waitAppCompletion",
    "spark.kubernetes.local.dirs.tmpfs",
    "spark.kubernetes.trust.certificates",
    "spark.kubernetes.driver.service.publishNotReadyAddresses",
    "spark.kubernetes.securityContext.allowPrivilegeEscalation",
    "spark.kubernetes.driver.securityContext.allowPrivilegeEscalation",
    "spark.kubernetes.executor.securityContext.allowPrivilegeEscalation",
];

/// Timeout keys (`intConf`, milliseconds) with Spark's messages for non-positive values.
const TIMEOUT_KEYS: &[(&str, &str)] = &[
    (
        "spark.kubernetes.submission.requestTimeout",
        "Request timeout must be a positive time value.",
    ),
    (
        "spark.kubernetes.submission.connectionTimeout",
        "Connection timeout must be a positive time value.",
    ),
    (
        "spark.kubernetes.driver.requestTimeout",
        "Request timeout must be a positive time value.",
    ),
    (
        "spark.kubernetes.driver.connectionTimeout",
        "Connection timeout must be a positive time value.",
    ),
];

const PULL_POLICIES: &[&str] = &["Always", "Never", "IfNotPresent"];
const IP_FAMILY_POLICIES: &[&str] = &["SingleStack", "PreferDualStack", "RequireDualStack"];
const IP_FAMILIES: &[&str] = &["IPv4", "IPv6", "IPv4,IPv6", "IPv6,IPv4"];

/// The largest `spark.kubernetes.configMap.maxSize` Spark accepts (and what a ConfigMap holds).
pub const MAX_CONFIG_MAP_SIZE: i64 = 1_048_576;

/// Checks the merged configuration (after [`crate::conf::submit_args::resolve`]) for values
/// users get wrong: sizes, numbers, durations, booleans and enumerations the submitter reads,
/// `configMap.maxSize`, conflicting submission credentials and JVM-only feature steps.
/// Returns the warnings to show (unknown `spark.kubernetes.*` keys), or the first error.
pub fn validate(conf: &SparkConf) -> Result<Vec<String>> {
    for key in SIZE_KEYS {
        if let Some(v) = conf.get(key) {
            units::parse_bytes_as(v, ByteUnit::MiB).map_err(|e| e.for_key(key))?;
        }
    }

    check_factor(conf, "spark.kubernetes.memoryOverheadFactor", true)?;
    check_factor(conf, "spark.driver.memoryOverheadFactor", false)?;
    check_factor(conf, "spark.executor.memoryOverheadFactor", false)?;

    for key in POSITIVE_INT_KEYS {
        if let Some(v) = conf.get(key) {
            match parse_int(v) {
                Some(n) if n > 0 => {}
                _ => {
                    return Err(Error::usage(
                        format!("{key} must be a positive whole number, but was `{v}`"),
                        format!(
                            "use --conf {key}=<cores>, e.g. {key}=2; for fractional CPU requests use spark.kubernetes.driver.request.cores / spark.kubernetes.executor.request.cores (e.g. 500m)"
                        ),
                    ));
                }
            }
        }
    }
    if let Some(v) = conf.get("spark.executor.instances")
        && parse_int(v).is_none_or(|n| n < 0)
    {
        return Err(Error::usage(
            format!("spark.executor.instances must be a whole number, but was `{v}`"),
            "use --num-executors N or --conf spark.executor.instances=N",
        ));
    }

    if let Some(v) = conf.get("spark.kubernetes.report.interval") {
        let ms = units::parse_duration_ms(v, 1)
            .map_err(|e| e.for_key("spark.kubernetes.report.interval"))?;
        if ms <= 0 {
            return Err(Error::usage(
                format!(
                    "spark.kubernetes.report.interval is `{v}`: Logging interval must be a positive time value."
                ),
                "use --conf spark.kubernetes.report.interval=<duration>, e.g. 1s or 500ms",
            ));
        }
    }
    if let Some(v) = conf.get("spark.kubernetes.appKillPodDeletionGracePeriod") {
        units::parse_duration_ms(v, 1000)
            .map_err(|e| e.for_key("spark.kubernetes.appKillPodDeletionGracePeriod"))?;
    }

    for (key, spark_message) in TIMEOUT_KEYS {
        if let Some(v) = conf.get(key) {
            match parse_int(v) {
                Some(n) if n > 0 => {}
                Some(_) => {
                    return Err(Error::usage(
                        format!("{key} is `{v}`: {spark_message}"),
                        format!("use --conf {key}=<milliseconds>, e.g. {key}=30000"),
                    ));
                }
                None => {
                    return Err(Error::usage(
                        format!("{key} should be a whole number of milliseconds, but was `{v}`"),
                        format!("use --conf {key}=<milliseconds> without a unit, e.g. {key}=30000"),
                    ));
                }
            }
        }
    }

    check_one_of(
        conf,
        "spark.kubernetes.container.image.pullPolicy",
        PULL_POLICIES,
    )?;
    check_one_of(
        conf,
        "spark.kubernetes.driver.service.ipFamilyPolicy",
        IP_FAMILY_POLICIES,
    )?;
    check_one_of(
        conf,
        "spark.kubernetes.driver.service.ipFamilies",
        IP_FAMILIES,
    )?;

    for key in BOOL_KEYS {
        conf.get_bool(key, false)?;
    }

    if let Some(v) = conf.get("spark.kubernetes.configMap.maxSize") {
        match parse_long(v) {
            Some(n) if n <= MAX_CONFIG_MAP_SIZE => {}
            Some(_) => {
                return Err(Error::usage(
                    format!(
                        "spark.kubernetes.configMap.maxSize is `{v}`: Must have at most {MAX_CONFIG_MAP_SIZE} bytes"
                    ),
                    format!(
                        "Kubernetes cannot store a larger ConfigMap; use a value up to {MAX_CONFIG_MAP_SIZE} or leave the key unset"
                    ),
                ));
            }
            None => {
                return Err(Error::usage(
                    format!(
                        "spark.kubernetes.configMap.maxSize should be a whole number of bytes, but was `{v}`"
                    ),
                    format!(
                        "use --conf spark.kubernetes.configMap.maxSize=<bytes> without a unit, at most {MAX_CONFIG_MAP_SIZE}"
                    ),
                ));
            }
        }
    }

    if conf.contains("spark.kubernetes.authenticate.submission.oauthToken")
        && conf.contains("spark.kubernetes.authenticate.submission.oauthTokenFile")
    {
        return Err(Error::usage(
            "Cannot specify OAuth token through both a file spark.kubernetes.authenticate.submission.oauthTokenFile and a value spark.kubernetes.authenticate.submission.oauthToken",
            "keep only one of spark.kubernetes.authenticate.submission.oauthToken and spark.kubernetes.authenticate.submission.oauthTokenFile",
        ));
    }

    let steps = conf.get_list("spark.kubernetes.driver.pod.featureSteps");
    if !steps.is_empty() {
        return Err(Error::usage(
            format!(
                "spark.kubernetes.driver.pod.featureSteps names custom feature steps ({}): they are JVM classes that spark-submit loads into its own process, and kubectl spark has no JVM to run them",
                steps.join(", ")
            ),
            "remove spark.kubernetes.driver.pod.featureSteps and express the change with a driver pod template (spark.kubernetes.driver.podTemplateFile); to skip built-in steps use spark.kubernetes.driver.pod.excludedFeatureSteps (Spark 4.1+)",
        ));
    }

    Ok(keys::unknown_key_warnings(conf))
}

/// A Java `int` (Spark's `intConf`, which trims first).
fn parse_int(value: &str) -> Option<i64> {
    value.trim().parse::<i32>().ok().map(i64::from)
}

/// A Java `long` (Spark's `longConf`, which trims first).
fn parse_long(value: &str) -> Option<i64> {
    value.trim().parse::<i64>().ok()
}

/// `spark.kubernetes.memoryOverheadFactor` must be ≥ 0 ("Ensure that memory overhead is
/// non-negative"); the core `spark.{driver,executor}.memoryOverheadFactor` must be > 0.
fn check_factor(conf: &SparkConf, key: &str, zero_allowed: bool) -> Result<()> {
    if !conf.contains(key) {
        return Ok(());
    }
    let value = conf.get_f64(key, 0.0)?;
    let ok = if zero_allowed {
        value >= 0.0
    } else {
        value > 0.0
    };
    if ok && value.is_finite() {
        return Ok(());
    }
    let (spark_message, bound) = if zero_allowed {
        ("Ensure that memory overhead is non-negative", "0 or more")
    } else {
        (
            "Ensure that memory overhead is a double greater than 0",
            "greater than 0",
        )
    };
    Err(Error::usage(
        format!(
            "{key} is `{}`: {spark_message}",
            conf.get(key).unwrap_or_default()
        ),
        format!("use --conf {key}=<fraction {bound}>, e.g. {key}=0.2"),
    ))
}

/// Case-sensitive membership in Spark's (and Kubernetes') allowed values.
fn check_one_of(conf: &SparkConf, key: &str, allowed: &[&str]) -> Result<()> {
    let Some(v) = conf.get(key) else {
        return Ok(());
    };
    if allowed.contains(&v) {
        return Ok(());
    }
    let near = allowed.iter().find(|a| a.eq_ignore_ascii_case(v.trim()));
    let hint = match near {
        Some(a) => format!("values are case-sensitive: use --conf {key}={a}"),
        None => format!(
            "use --conf {key}=<value> with one of: {}",
            allowed.join(", ")
        ),
    };
    Err(Error::usage(
        format!(
            "The value of {key} should be one of {}, but was {v}",
            allowed.join(", ")
        ),
        hint,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(pairs: &[(&str, &str)]) -> SparkConf {
        SparkConf::from_pairs(pairs)
    }

    fn err(pairs: &[(&str, &str)]) -> String {
        let e = validate(&conf(pairs)).unwrap_err();
        format!("{e} | {}", e.hint().unwrap_or(""))
    }

    #[test]
    fn a_typical_configuration_passes() {
        let c = conf(&[
            ("spark.driver.memory", "2g"),
            ("spark.executor.memory", "4096"),
            ("spark.driver.memoryOverhead", "512m"),
            ("spark.driver.minMemoryOverhead", "384m"),
            ("spark.kubernetes.memoryOverheadFactor", "0"),
            ("spark.driver.memoryOverheadFactor", "0.2"),
            ("spark.driver.cores", "2"),
            ("spark.executor.instances", "0"),
            ("spark.kubernetes.report.interval", "5s"),
            ("spark.kubernetes.appKillPodDeletionGracePeriod", "10"),
            ("spark.kubernetes.submission.requestTimeout", "30000"),
            ("spark.kubernetes.container.image.pullPolicy", "Always"),
            (
                "spark.kubernetes.driver.service.ipFamilyPolicy",
                "PreferDualStack",
            ),
            ("spark.kubernetes.driver.service.ipFamilies", "IPv6,IPv4"),
            ("spark.kubernetes.submission.waitAppCompletion", "FALSE"),
            ("spark.kubernetes.configMap.maxSize", "1048576"),
            ("spark.kubernetes.authenticate.submission.oauthToken", "t"),
            ("spark.kubernetes.driver.pod.featureSteps", ""),
        ]);
        assert_eq!(validate(&c).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn warnings_include_unknown_keys() {
        let w = validate(&conf(&[("spark.kubernetes.namepsace", "x")])).unwrap();
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("spark.kubernetes.namespace"), "{w:?}");
    }

    #[test]
    fn bad_driver_memory() {
        let e = err(&[("spark.driver.memory", "2 gigs")]);
        assert!(
            e.contains("spark.driver.memory") && e.contains("512m"),
            "{e}"
        );
    }

    #[test]
    fn bad_executor_memory() {
        assert!(err(&[("spark.executor.memory", "1.5g")]).contains("spark.executor.memory"));
    }

    #[test]
    fn bad_memory_overhead() {
        assert!(
            err(&[("spark.driver.memoryOverhead", "x")]).contains("spark.driver.memoryOverhead")
        );
        assert!(
            err(&[("spark.executor.memoryOverhead", "-1")])
                .contains("spark.executor.memoryOverhead")
        );
    }

    #[test]
    fn bad_min_memory_overhead() {
        assert!(
            err(&[("spark.driver.minMemoryOverhead", "lots")])
                .contains("spark.driver.minMemoryOverhead")
        );
    }

    #[test]
    fn negative_kubernetes_overhead_factor() {
        let e = err(&[("spark.kubernetes.memoryOverheadFactor", "-0.1")]);
        assert!(
            e.contains("Ensure that memory overhead is non-negative"),
            "{e}"
        );
    }

    #[test]
    fn non_numeric_overhead_factor() {
        let e = err(&[("spark.kubernetes.memoryOverheadFactor", "ten percent")]);
        assert!(
            e.contains("spark.kubernetes.memoryOverheadFactor should be a number"),
            "{e}"
        );
    }

    #[test]
    fn zero_driver_overhead_factor() {
        let e = err(&[("spark.driver.memoryOverheadFactor", "0")]);
        assert!(e.contains("greater than 0"), "{e}");
        assert!(err(&[("spark.executor.memoryOverheadFactor", "NaN")]).contains("spark.executor"));
    }

    #[test]
    fn fractional_driver_cores() {
        let e = err(&[("spark.driver.cores", "0.5")]);
        assert!(
            e.contains("spark.driver.cores") && e.contains("request.cores"),
            "{e}"
        );
    }

    #[test]
    fn zero_executor_cores() {
        assert!(err(&[("spark.executor.cores", "0")]).contains("spark.executor.cores"));
    }

    #[test]
    fn bad_executor_instances() {
        assert!(err(&[("spark.executor.instances", "two")]).contains("--num-executors"));
    }

    #[test]
    fn bad_report_interval() {
        assert!(err(&[("spark.kubernetes.report.interval", "often")]).contains("report.interval"));
        let e = err(&[("spark.kubernetes.report.interval", "0s")]);
        assert!(
            e.contains("Logging interval must be a positive time value."),
            "{e}"
        );
    }

    #[test]
    fn bad_kill_grace_period() {
        assert!(
            err(&[("spark.kubernetes.appKillPodDeletionGracePeriod", "soon")])
                .contains("appKillPodDeletionGracePeriod")
        );
    }

    #[test]
    fn bad_submission_timeouts() {
        let e = err(&[("spark.kubernetes.submission.requestTimeout", "10s")]);
        assert!(e.contains("whole number of milliseconds"), "{e}");
        let e = err(&[("spark.kubernetes.submission.connectionTimeout", "0")]);
        assert!(
            e.contains("Connection timeout must be a positive time value."),
            "{e}"
        );
    }

    #[test]
    fn pull_policy_is_case_sensitive() {
        let e = err(&[("spark.kubernetes.container.image.pullPolicy", "always")]);
        assert!(
            e.contains("should be one of Always, Never, IfNotPresent, but was always"),
            "{e}"
        );
        assert!(e.contains("pullPolicy=Always"), "{e}");
    }

    #[test]
    fn bad_ip_family_policy() {
        let e = err(&[(
            "spark.kubernetes.driver.service.ipFamilyPolicy",
            "DualStack",
        )]);
        assert!(
            e.contains("SingleStack, PreferDualStack, RequireDualStack"),
            "{e}"
        );
    }

    #[test]
    fn bad_ip_families() {
        let e = err(&[("spark.kubernetes.driver.service.ipFamilies", "IPv4, IPv6")]);
        assert!(
            e.contains("spark.kubernetes.driver.service.ipFamilies"),
            "{e}"
        );
    }

    #[test]
    fn bad_booleans() {
        for key in BOOL_KEYS {
            let e = err(&[(key, "yes")]);
            assert!(e.contains(key), "{e}");
        }
    }

    #[test]
    fn config_map_max_size_capped() {
        let e = err(&[("spark.kubernetes.configMap.maxSize", "1572864")]);
        assert!(e.contains("Must have at most 1048576 bytes"), "{e}");
        assert!(err(&[("spark.kubernetes.configMap.maxSize", "1m")]).contains("whole number"));
    }

    #[test]
    fn both_submission_tokens() {
        let e = err(&[
            ("spark.kubernetes.authenticate.submission.oauthToken", "t"),
            (
                "spark.kubernetes.authenticate.submission.oauthTokenFile",
                "/tmp/t",
            ),
        ]);
        assert!(e.starts_with(
            "Cannot specify OAuth token through both a file spark.kubernetes.authenticate.submission.oauthTokenFile and a value spark.kubernetes.authenticate.submission.oauthToken"
        ));
    }

    #[test]
    fn custom_feature_steps_rejected() {
        let e = err(&[(
            "spark.kubernetes.driver.pod.featureSteps",
            "com.example.MyStep",
        )]);
        assert!(e.contains("com.example.MyStep") && e.contains("JVM"), "{e}");
        assert!(e.contains("podTemplateFile"), "{e}");
    }
}
