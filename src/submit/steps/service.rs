//! `DriverServiceFeatureStep` (§3.3 of the spec): the headless driver Service that gives the
//! driver a stable host name, and the `spark.driver.host/port/blockManager.port` properties.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::app::LABEL_APP_SELECTOR;
use crate::conf::SparkConf;
use crate::error::{Error, Result};
use crate::submit::plan::{DriverSpec, Plan, PostObject};
use crate::submit::steps::basic::{
    DEFAULT_BLOCKMANAGER_PORT, conf_port, connect_port, driver_labels, driver_port, ui_port,
};
use crate::submit::steps::resource_prefix;

/// Longest allowed Service name (a DNS label).
pub const MAX_SERVICE_NAME_LENGTH: usize = 63;

const IP_FAMILY_POLICY_KEY: &str = "spark.kubernetes.driver.service.ipFamilyPolicy";
const IP_FAMILIES_KEY: &str = "spark.kubernetes.driver.service.ipFamilies";
const IP_FAMILY_POLICIES: [&str; 3] = ["SingleStack", "PreferDualStack", "RequireDualStack"];
const IP_FAMILIES: [&str; 4] = ["IPv4", "IPv6", "IPv4,IPv6", "IPv6,IPv4"];

/// Applies this step to the driver spec.
pub fn apply(plan: &Plan, spec: &mut DriverSpec) -> Result<()> {
    let conf = &plan.conf;
    let (name, warning) = service_name(&resource_prefix(plan), &plan.ids.service_unique_id);
    spec.warnings.extend(warning);
    let driver_port = driver_port(conf)?;
    let block_manager_port = conf_port(
        conf,
        "spark.driver.blockManager.port",
        DEFAULT_BLOCKMANAGER_PORT,
    )?;
    let mut ports = vec![
        service_port("driver-rpc-port", driver_port),
        service_port("blockmanager", block_manager_port),
        service_port("spark-ui", ui_port(conf)?),
    ];
    if plan.spark_version.at_least(4, 1) {
        let mut connect = service_port("spark-connect", connect_port(conf)?);
        if plan.spark_version.at_least(4, 2) {
            connect.app_protocol = Some("grpc".into());
        }
        ports.push(connect);
    }
    let publish_not_ready = if plan.spark_version.at_least(4, 3) {
        Some(conf.get_bool(
            "spark.kubernetes.driver.service.publishNotReadyAddresses",
            false,
        )?)
    } else {
        None
    };

    let mut labels = BTreeMap::from([(LABEL_APP_SELECTOR.to_string(), plan.ids.app_id.clone())]);
    labels.extend(owned(
        conf.with_prefix("spark.kubernetes.driver.service.label."),
    ));
    let annotations = owned(conf.with_prefix("spark.kubernetes.driver.service.annotation."));
    let service = Service {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            labels: Some(labels),
            annotations: (!annotations.is_empty()).then_some(annotations),
            ..ObjectMeta::default()
        },
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            ip_family_policy: Some(ip_family_policy(conf)?),
            ip_families: Some(ip_families(conf)?),
            selector: Some(driver_labels(plan)?),
            ports: Some(ports),
            publish_not_ready_addresses: publish_not_ready,
            ..ServiceSpec::default()
        }),
        ..Service::default()
    };
    spec.post.push(PostObject::Service(service));

    let props = &mut spec.properties;
    props.set(
        "spark.driver.host",
        format!("{name}.{}.svc", plan.namespace),
    );
    props.set("spark.driver.port", driver_port.to_string());
    props.set(
        "spark.driver.blockManager.port",
        block_manager_port.to_string(),
    );
    Ok(())
}

fn owned<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> BTreeMap<String, String> {
    pairs.map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The Service name: `<prefix>-driver-svc` if it fits in 63 characters, otherwise
/// `spark-<uniqueID>-driver-svc` with Spark's warning.
pub fn service_name(prefix: &str, fallback_unique_id: &str) -> (String, Option<String>) {
    let preferred = format!("{prefix}-driver-svc");
    if preferred.len() <= MAX_SERVICE_NAME_LENGTH {
        return (preferred, None);
    }
    let shorter = format!("spark-{fallback_unique_id}-driver-svc");
    let warning = format!(
        "Driver's hostname would preferably be {preferred}, but this is too long (must be <= {MAX_SERVICE_NAME_LENGTH} characters). Falling back to use {shorter} as the driver service's name."
    );
    (shorter, Some(warning))
}

/// A Service port with the same target port (no protocol field, as Spark writes it).
fn service_port(name: &str, port: i32) -> ServicePort {
    ServicePort {
        name: Some(name.into()),
        port,
        target_port: Some(IntOrString::Int(port)),
        ..ServicePort::default()
    }
}

fn one_of(conf: &SparkConf, key: &str, default: &str, allowed: &[&str]) -> Result<String> {
    let value = conf.get(key).unwrap_or(default);
    if allowed.contains(&value) {
        Ok(value.to_string())
    } else {
        Err(Error::usage(
            format!(
                "The value of {key} should be one of {}, but was {value}",
                allowed.join(", ")
            ),
            format!("use --conf {key}={default} or another of the listed values"),
        ))
    }
}

/// `spark.kubernetes.driver.service.ipFamilyPolicy` (default `SingleStack`).
fn ip_family_policy(conf: &SparkConf) -> Result<String> {
    one_of(
        conf,
        IP_FAMILY_POLICY_KEY,
        "SingleStack",
        &IP_FAMILY_POLICIES,
    )
}

/// `spark.kubernetes.driver.service.ipFamilies` split on `,` (default `IPv4`).
fn ip_families(conf: &SparkConf) -> Result<Vec<String>> {
    let value = one_of(conf, IP_FAMILIES_KEY, "IPv4", &IP_FAMILIES)?;
    Ok(value.split(',').map(str::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submit::steps::fixtures::{APP_ID, PREFIX, empty_spec, test_plan, test_plan_with};

    fn run(plan: &Plan) -> Result<(Service, DriverSpec)> {
        let mut spec = empty_spec(plan);
        apply(plan, &mut spec)?;
        match spec.post.first() {
            Some(PostObject::Service(s)) => Ok((s.clone(), spec)),
            other => panic!("expected a Service, got {other:?}"),
        }
    }

    fn ports(service: &Service) -> Vec<(String, i32, Option<String>)> {
        service
            .spec
            .as_ref()
            .unwrap()
            .ports
            .iter()
            .flatten()
            .map(|p| {
                assert_eq!(p.target_port, Some(IntOrString::Int(p.port)));
                assert_eq!(p.protocol, None);
                (p.name.clone().unwrap(), p.port, p.app_protocol.clone())
            })
            .collect()
    }

    #[test]
    fn worked_example_service() {
        let (svc, spec) = run(&test_plan("4.0.1")).unwrap();
        assert_eq!(
            svc.metadata.name.as_deref(),
            Some(format!("{PREFIX}-driver-svc").as_str())
        );
        assert_eq!(svc.metadata.namespace, None);
        assert_eq!(
            svc.metadata.labels,
            Some(BTreeMap::from([(
                "spark-app-selector".into(),
                APP_ID.into()
            )]))
        );
        let s = svc.spec.as_ref().unwrap();
        assert_eq!(s.cluster_ip.as_deref(), Some("None"));
        assert_eq!(s.type_, None);
        assert_eq!(s.ip_family_policy.as_deref(), Some("SingleStack"));
        assert_eq!(s.ip_families, Some(vec!["IPv4".to_string()]));
        assert_eq!(s.publish_not_ready_addresses, None);
        let selector = s.selector.clone().unwrap();
        assert_eq!(
            selector.keys().collect::<Vec<_>>(),
            [
                "spark-app-name",
                "spark-app-selector",
                "spark-role",
                "spark-version"
            ]
        );
        assert_eq!(
            ports(&svc),
            [
                ("driver-rpc-port".into(), 7078, None),
                ("blockmanager".into(), 7079, None),
                ("spark-ui".into(), 4040, None),
            ]
        );
        let p = &spec.properties;
        assert_eq!(
            p.get("spark.driver.host"),
            Some(format!("{PREFIX}-driver-svc.default.svc").as_str())
        );
        assert_eq!(p.get("spark.driver.port"), Some("7078"));
        assert_eq!(p.get("spark.driver.blockManager.port"), Some("7079"));
        assert!(spec.warnings.is_empty());
    }

    #[test]
    fn connect_port_and_newer_fields() {
        let (svc, _) = run(&test_plan("4.1.0")).unwrap();
        assert_eq!(ports(&svc)[3], ("spark-connect".into(), 15002, None));
        let (svc, _) = run(&test_plan("4.2.0")).unwrap();
        assert_eq!(
            ports(&svc)[3],
            ("spark-connect".into(), 15002, Some("grpc".into()))
        );
        assert_eq!(svc.spec.unwrap().publish_not_ready_addresses, None);
        let (svc, _) = run(&test_plan("4.3.0")).unwrap();
        assert_eq!(svc.spec.unwrap().publish_not_ready_addresses, Some(false));
        let plan = test_plan_with(
            "4.3.0",
            &[(
                "spark.kubernetes.driver.service.publishNotReadyAddresses",
                "true",
            )],
        );
        assert_eq!(
            run(&plan)
                .unwrap()
                .0
                .spec
                .unwrap()
                .publish_not_ready_addresses,
            Some(true)
        );
    }

    #[test]
    fn block_manager_port_ignores_the_common_key() {
        let plan = test_plan_with(
            "4.0.1",
            &[
                ("spark.blockManager.port", "9000"),
                ("spark.driver.port", "7000"),
                ("spark.ui.port", "4041"),
            ],
        );
        let (svc, spec) = run(&plan).unwrap();
        let got: Vec<i32> = ports(&svc).into_iter().map(|p| p.1).collect();
        assert_eq!(got, [7000, 7079, 4041]);
        assert_eq!(
            spec.properties.get("spark.driver.blockManager.port"),
            Some("7079")
        );
        assert_eq!(spec.properties.get("spark.driver.port"), Some("7000"));
    }

    #[test]
    fn labels_annotations_and_ip_families() {
        let plan = test_plan_with(
            "4.0.1",
            &[
                (
                    "spark.kubernetes.driver.service.label.spark-app-selector",
                    "mine",
                ),
                ("spark.kubernetes.driver.service.label.team", "a"),
                (
                    "spark.kubernetes.driver.service.annotation.note",
                    "{{APP_ID}}",
                ),
                ("spark.kubernetes.driver.label.tier", "batch"),
                (
                    "spark.kubernetes.driver.service.ipFamilyPolicy",
                    "PreferDualStack",
                ),
                ("spark.kubernetes.driver.service.ipFamilies", "IPv6,IPv4"),
            ],
        );
        let (svc, _) = run(&plan).unwrap();
        let labels = svc.metadata.labels.unwrap();
        assert_eq!(
            (
                labels["spark-app-selector"].as_str(),
                labels["team"].as_str()
            ),
            ("mine", "a")
        );
        assert_eq!(svc.metadata.annotations.unwrap()["note"], "{{APP_ID}}");
        let s = svc.spec.unwrap();
        assert_eq!(s.selector.unwrap()["tier"], "batch");
        assert_eq!(s.ip_family_policy.as_deref(), Some("PreferDualStack"));
        assert_eq!(
            s.ip_families,
            Some(vec!["IPv6".to_string(), "IPv4".to_string()])
        );
        let bad = test_plan_with(
            "4.0.1",
            &[("spark.kubernetes.driver.service.ipFamilies", "IPv5")],
        );
        assert!(
            run(&bad)
                .unwrap_err()
                .to_string()
                .contains("should be one of IPv4, IPv6")
        );
    }

    #[test]
    fn long_names_fall_back_with_a_warning() {
        let plan = test_plan_with("4.0.1", &[("spark.app.name", &"a".repeat(60))]);
        let (svc, spec) = run(&plan).unwrap();
        assert_eq!(
            svc.metadata.name.as_deref(),
            Some("spark-c0ffee8626b0db6c-driver-svc")
        );
        let preferred = format!("{}-3b69a48626b0db6c-driver-svc", "a".repeat(60));
        assert_eq!(
            spec.warnings,
            [format!(
                "Driver's hostname would preferably be {preferred}, but this is too long (must be <= 63 characters). Falling back to use spark-c0ffee8626b0db6c-driver-svc as the driver service's name."
            )]
        );
        assert_eq!(
            spec.properties.get("spark.driver.host"),
            Some("spark-c0ffee8626b0db6c-driver-svc.default.svc")
        );
        // exactly 63 characters is still fine
        let (name, warning) = service_name(&"p".repeat(52), "x");
        assert_eq!((name.len(), warning), (63, None));
    }
}
