//! What one executor pod will ask of a node, read back from a submission as the driver will
//! read it: `spark.properties` in the driver's conf map and the executor pod template shipped
//! in its own conf map. Spark's `BasicExecutorFeatureStep` sizing: memory
//! (`spark.executor.memory`) + overhead (`spark.executor.memoryOverhead`, else the overhead
//! factor × memory, at least `spark.executor.minMemoryOverhead`) + `spark.executor.pyspark.memory`
//! + off-heap memory when enabled; CPU `spark.kubernetes.executor.request.cores`, else
//!   `spark.executor.cores`. Placement: `spark.kubernetes.node.selector.*`,
//!   `spark.kubernetes.executor.node.selector.*` and the template's nodeSelector, tolerations and
//!   required node affinity. Pure.

use k8s_openapi::api::core::v1::PodSpec;

use crate::conf::SparkConf;
use crate::error::Result;
use crate::preflight::nodes::Placement;
use crate::submit::plan::{PostObject, Submission};
use crate::submit::steps::{SPARK_CONF_FILE_NAME, pod_template, template_config_map};

/// What one executor pod requests, and where it may go.
#[derive(Debug, Clone, Default)]
pub struct ExecutorRequest {
    /// CPU request in millicores.
    pub cpu_millis: i64,
    /// Memory request in bytes.
    pub memory_bytes: i64,
    /// Node selector, tolerations, required affinity.
    pub placement: Placement,
}

const MIB: i64 = 1024 * 1024;

/// The request of one executor for these properties and executor pod template, or None when
/// the application starts no executor (`spark.executor.instances=0` without dynamic
/// allocation).
pub fn request(conf: &SparkConf, template: Option<&PodSpec>) -> Result<Option<ExecutorRequest>> {
    let dynamic = conf.get_bool("spark.dynamicAllocation.enabled", false)?;
    if !dynamic && conf.get_i64("spark.executor.instances", 2)? == 0 {
        return Ok(None);
    }
    let memory = conf.get_mib("spark.executor.memory", 1024)?;
    let factor = match conf.get("spark.executor.memoryOverheadFactor") {
        Some(_) => conf.get_f64("spark.executor.memoryOverheadFactor", 0.1)?,
        None => conf.get_f64("spark.kubernetes.memoryOverheadFactor", 0.1)?,
    };
    let min_overhead = conf.get_mib("spark.executor.minMemoryOverhead", 384)?;
    let overhead = match conf.get("spark.executor.memoryOverhead") {
        Some(_) => conf.get_mib("spark.executor.memoryOverhead", 0)?,
        None => ((factor * memory as f64) as i64).max(min_overhead),
    };
    let pyspark = match conf.get("spark.executor.pyspark.memory") {
        Some(_) => conf.get_mib("spark.executor.pyspark.memory", 0)?,
        None => 0,
    };
    let off_heap = if conf.get_bool("spark.memory.offHeap.enabled", false)? {
        conf.get_mib("spark.memory.offHeap.size", 0)?
    } else {
        0
    };
    let cpu_millis = match conf.get_non_empty("spark.kubernetes.executor.request.cores") {
        Some(cores) => super::parse_quantity(cores, 1000.0).unwrap_or(1000),
        None => conf.get_i64("spark.executor.cores", 1)? * 1000,
    };
    let mut placement = template.map(Placement::of).unwrap_or_default();
    for prefix in [
        "spark.kubernetes.node.selector.",
        "spark.kubernetes.executor.node.selector.",
    ] {
        for (key, value) in conf.with_prefix(prefix) {
            placement
                .node_selector
                .insert(key.to_string(), value.to_string());
        }
    }
    Ok(Some(ExecutorRequest {
        cpu_millis,
        memory_bytes: (memory + overhead + pyspark + off_heap) * MIB,
        placement,
    }))
}

/// The executor request of a submission, from the objects it creates (its conf map's
/// `spark.properties` and the executor pod template's conf map). None when it has no
/// properties to read (nothing to check) or starts no executor.
pub fn of_submission(sub: &Submission) -> Option<ExecutorRequest> {
    let config_map_value = |key: &str| {
        sub.post.iter().find_map(|o| match o {
            PostObject::ConfigMap(c) => c.data.as_ref()?.get(key).cloned(),
            _ => None,
        })
    };
    let properties = config_map_value(SPARK_CONF_FILE_NAME)?;
    let pairs = crate::conf::properties::parse(&properties).ok()?;
    let mut conf = SparkConf::new();
    for (k, v) in pairs {
        conf.set(k, v);
    }
    let template = config_map_value(template_config_map::CONFIG_MAP_KEY)
        .and_then(|text| {
            pod_template::parse_template(&text, template_config_map::TEMPLATE_FILE_KEY).ok()
        })
        .and_then(|pod| pod.spec);
    request(&conf, template.as_ref()).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(pairs: &[(&str, &str)]) -> SparkConf {
        SparkConf::from_pairs(pairs)
    }

    #[test]
    fn sizing_follows_spark() {
        // Defaults: 1g + 384m overhead, 1 core.
        let r = request(&conf(&[]), None).unwrap().unwrap();
        assert_eq!((r.cpu_millis, r.memory_bytes), (1000, 1408 * MIB));
        // 4g with the 0.1 factor: 409m overhead; request.cores wins over cores.
        let r = request(
            &conf(&[
                ("spark.executor.memory", "4g"),
                ("spark.executor.cores", "4"),
                ("spark.kubernetes.executor.request.cores", "500m"),
            ]),
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!((r.cpu_millis, r.memory_bytes), (500, (4096 + 409) * MIB));
        // Explicit overhead, the Python factor written back by submit, pyspark and off-heap memory.
        let r = request(
            &conf(&[
                ("spark.executor.memory", "512m"),
                ("spark.executor.memoryOverhead", "100m"),
                ("spark.executor.pyspark.memory", "256m"),
                ("spark.memory.offHeap.enabled", "true"),
                ("spark.memory.offHeap.size", "1g"),
                ("spark.executor.cores", "2"),
            ]),
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (r.cpu_millis, r.memory_bytes),
            (2000, (512 + 100 + 256 + 1024) * MIB)
        );
        let r = request(
            &conf(&[
                ("spark.executor.memory", "2g"),
                ("spark.kubernetes.memoryOverheadFactor", "0.4"),
            ]),
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!(r.memory_bytes, (2048 + 819) * MIB);
        let r = request(
            &conf(&[
                ("spark.executor.memory", "2g"),
                ("spark.kubernetes.memoryOverheadFactor", "0.4"),
                ("spark.executor.memoryOverheadFactor", "0.2"),
            ]),
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!(r.memory_bytes, (2048 + 409) * MIB);
    }

    #[test]
    fn no_executors_no_check() {
        assert!(
            request(&conf(&[("spark.executor.instances", "0")]), None)
                .unwrap()
                .is_none()
        );
        assert!(
            request(
                &conf(&[
                    ("spark.executor.instances", "0"),
                    ("spark.dynamicAllocation.enabled", "true")
                ]),
                None
            )
            .unwrap()
            .is_some()
        );
    }

    #[test]
    fn placement_from_selectors_and_template() {
        let template: PodSpec = serde_json::from_value(serde_json::json!({
            "containers": [],
            "nodeSelector": {"zone": "a"},
            "tolerations": [{"key": "dedicated", "operator": "Exists"}],
            "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [{"key": "gpu", "operator": "DoesNotExist"}]}]}}}
        }))
        .unwrap();
        let r = request(
            &conf(&[
                ("spark.kubernetes.node.selector.disk", "ssd"),
                ("spark.kubernetes.executor.node.selector.pool", "spot"),
                ("spark.kubernetes.driver.node.selector.pool", "ondemand"),
            ]),
            Some(&template),
        )
        .unwrap()
        .unwrap();
        assert_eq!(r.placement.selector_text(), "disk=ssd,pool=spot,zone=a");
        assert_eq!(r.placement.tolerations.len(), 1);
        assert!(r.placement.required_affinity.is_some());
    }
}
