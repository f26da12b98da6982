//! The Connect server's objects per Spark version (checked fact by fact and snapshotted in
//! `snapshots/`), and the helpers that read a running server back.

use k8s_openapi::api::core::v1::{Container, Pod, Service};
use serde_json::{Value, json};

use super::*;
use crate::conf::submit_args::{CONNECT_DEFAULT_NAME, CONNECT_SERVER_CLASS};
use crate::submit::plan::Plan;
use crate::submit::steps::fixtures::{APP_ID, test_plan};

const TOKEN: &str = "5ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7";

/// The §11 plan turned into what `kubectl spark connect` resolves: the server class, no
/// primary resource, the default name, and Spark's confs for `version`.
fn server_plan(version: &str, extra: &[(&str, &str)]) -> Plan {
    let mut plan = test_plan(version);
    plan.app.main_class = Some(CONNECT_SERVER_CLASS.into());
    plan.app.primary_resource = None;
    plan.app.app_args = Vec::new();
    plan.conf.remove("spark.jars");
    plan.conf.set("spark.app.name", CONNECT_DEFAULT_NAME);
    for (k, v) in extra {
        plan.conf.set(*k, *v);
    }
    plan
}

/// The server's submission and the warnings [`configure`] gave.
fn server(version: &str, extra: &[(&str, &str)]) -> (Submission, Vec<String>) {
    let mut plan = server_plan(version, extra);
    let token = supports_token(&plan.spark_version).then_some(TOKEN);
    let warnings = configure(&mut plan, token).unwrap();
    (build(&plan, token).unwrap(), warnings)
}

fn container(s: &Submission) -> &Container {
    s.pod.spec.as_ref().unwrap().containers.last().unwrap()
}

fn service(s: &Submission) -> &Service {
    s.post
        .iter()
        .find_map(|o| match o {
            PostObject::Service(svc) => Some(svc),
            _ => None,
        })
        .unwrap()
}

fn properties(s: &Submission) -> String {
    match s.post.last() {
        Some(PostObject::ConfigMap(c)) => c.data.as_ref().unwrap()["spark.properties"].clone(),
        other => panic!("the conf ConfigMap comes last, got {other:?}"),
    }
}

fn document(s: &Submission, warnings: &[String]) -> Value {
    json!({
        "sparkPropertiesLines": properties(s).lines().collect::<Vec<_>>(),
        "warnings": warnings,
        "pod": s.pod,
        "post": s.post,
    })
}

#[test]
fn servers_per_version() {
    for version in ["3.5.9", "4.0.5", "4.1.4"] {
        let (s, warnings) = server(version, &[]);
        let v = SparkVersion::parse(version).unwrap();
        let c = container(&s);
        let props = properties(&s);

        // The entrypoint's `driver` branch runs the server class in client mode in the pod.
        let args = c.args.clone().unwrap();
        assert_eq!(
            args[..],
            [
                "driver",
                "--properties-file",
                "/opt/spark/conf/spark.properties",
                "--class",
                CONNECT_SERVER_CLASS,
                "spark-internal"
            ]
        );
        // Executors get owner references to the server pod, and the pod its label.
        assert!(props.contains(&format!(
            "spark.kubernetes.driver.pod.name={}",
            s.driver_pod_name
        )));
        let labels = s.pod.metadata.labels.clone().unwrap();
        assert_eq!(labels[LABEL_CONNECT], "true");
        assert_eq!(labels["spark-app-name"], "spark-connect");
        assert!(is_connect_server(&s.pod));

        // The Connect port on the container and the Service, once each; the probe.
        let ports: Vec<_> = c
            .ports
            .iter()
            .flatten()
            .filter(|p| p.name.as_deref() == Some(PORT_NAME))
            .collect();
        assert_eq!(ports.len(), 1, "{version}");
        assert_eq!(ports[0].container_port, 15002);
        assert_eq!(port_of(&s.pod), 15002);
        let svc_ports: Vec<_> = service(&s)
            .spec
            .as_ref()
            .unwrap()
            .ports
            .iter()
            .flatten()
            .filter(|p| p.name.as_deref() == Some(PORT_NAME))
            .collect();
        assert_eq!(svc_ports.len(), 1, "{version}");
        assert_eq!(
            service(&s).spec.as_ref().unwrap().cluster_ip.as_deref(),
            Some("None")
        );
        assert_eq!(service(&s).spec.as_ref().unwrap().type_, None);
        // Executors reach the driver before its gRPC port is up (the pod not yet Ready).
        assert_eq!(
            service(&s)
                .spec
                .as_ref()
                .unwrap()
                .publish_not_ready_addresses,
            Some(true)
        );
        let probe = c.readiness_probe.as_ref().unwrap();
        assert_eq!(
            probe.exec.as_ref().unwrap().command.as_ref().unwrap()[2],
            "exec 3<>/dev/tcp/127.0.0.1/15002"
        );

        if v.at_least(4, 0) {
            // Built in; loopback only; a token from a Secret, never in the ConfigMap.
            assert!(!props.contains("spark.jars.packages"), "{props}");
            assert!(props.contains("spark.connect.grpc.binding.address=127.0.0.1"));
            assert!(!props.contains(TOKEN));
            assert!(warnings.is_empty(), "{warnings:?}");
            let secret_name = "spark-connect-3b69a48626b0db6c-connect-token".to_string();
            assert_eq!(
                token_ref_of(&s.pod),
                Some((secret_name.clone(), "token".into()))
            );
            match &s.post[0] {
                PostObject::Secret(secret) => {
                    assert_eq!(secret.metadata.name.as_deref(), Some(secret_name.as_str()));
                    assert_eq!(
                        secret.metadata.labels.as_ref().unwrap()["spark-app-selector"],
                        APP_ID
                    );
                }
                other => panic!("the token Secret comes first, got {other:?}"),
            }
            assert_eq!(token_of(&s).as_deref(), Some(TOKEN));
        } else {
            // 3.5: the jar from Maven, no token, no bind address; said so.
            assert!(
                props.contains("spark.jars.packages=org.apache.spark\\:spark-connect_2.12\\:3.5.9"),
                "{props}"
            );
            assert!(!props.contains("binding.address"));
            assert_eq!(token_ref_of(&s.pod), None);
            assert_eq!(token_of(&s), None);
            assert!(!s.post.iter().any(|o| matches!(o, PostObject::Secret(_))));
            assert_eq!(warnings.len(), 1);
            assert!(warnings[0].contains("no authentication"), "{warnings:?}");
        }
        insta::assert_yaml_snapshot!(format!("connect_server_{version}"), document(&s, &warnings));
    }
}

#[test]
fn user_settings_are_kept() {
    let (s, _) = server(
        "3.5.9",
        &[
            (
                "spark.jars.packages",
                "org.apache.spark:spark-connect_2.13:3.5.9,a:b:1",
            ),
            (
                "spark.kubernetes.container.image",
                "apache/spark:3.5.9-scala2.13-java17-ubuntu",
            ),
        ],
    );
    assert!(
        properties(&s).contains(
            "spark.jars.packages=org.apache.spark\\:spark-connect_2.13\\:3.5.9,a\\:b\\:1\n"
        )
    );
    assert_eq!(
        connect_package(
            &SparkVersion::parse("3.5.9").unwrap(),
            Some("apache/spark:3.5.9-scala2.13-java17-ubuntu")
        )
        .as_deref(),
        Some("org.apache.spark:spark-connect_2.13:3.5.9")
    );
    let (s, _) = server(
        "4.0.5",
        &[
            (BINDING_ADDRESS_KEY, "0.0.0.0"),
            (BINDING_PORT_KEY, "15010"),
        ],
    );
    assert!(properties(&s).contains("spark.connect.grpc.binding.address=0.0.0.0"));
    assert_eq!(port_of(&s.pod), 15010);
    let probe = container(&s).readiness_probe.clone().unwrap();
    assert_eq!(
        probe.exec.unwrap().command.unwrap()[2],
        "exec 3<>/dev/tcp/127.0.0.1/15010"
    );
}

#[test]
fn a_token_in_the_conf_is_refused() {
    let mut plan = server_plan("4.0.5", &[(TOKEN_KEY, "secret")]);
    let err = configure(&mut plan, Some(TOKEN)).unwrap_err();
    assert!(
        err.to_string()
            .contains("--conf spark.connect.authenticate.token"),
        "{err}"
    );
    assert!(!err.to_string().contains("secret\n"));
}

#[test]
fn tokens_and_connection_strings() {
    let a = draw_token();
    assert_eq!(a.len(), 64);
    assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    assert_ne!(a, draw_token());
    assert_eq!(
        connection_string("localhost", 15002, Some("abc")),
        "sc://localhost:15002/;token=abc"
    );
    assert_eq!(
        connection_string("localhost", 15003, None),
        "sc://localhost:15003"
    );
    assert_eq!(
        connection_string_shown("localhost", 15002, Some("abc")),
        "sc://localhost:15002/;token=…"
    );
    assert!(supports_token(&SparkVersion::parse("4.0.0").unwrap()));
    assert!(!supports_token(&SparkVersion::parse("3.5.9").unwrap()));
}

#[test]
fn plain_drivers_are_not_servers() {
    let pod: Pod =
        serde_json::from_value(json!({"metadata": {"labels": {"spark-role": "driver"}}})).unwrap();
    assert!(!is_connect_server(&pod));
    assert_eq!(port_of(&pod), 15002);
    assert_eq!(token_ref_of(&pod), None);
}

#[test]
fn old_images_are_named() {
    assert_eq!(
        unsupported_image_version("apache/spark:3.4.1-scala2.12").as_deref(),
        Some("3.4.1")
    );
    assert_eq!(unsupported_image_version("apache/spark:3.5.9"), None);
    assert_eq!(unsupported_image_version("my/spark:latest"), None);
    assert_eq!(unsupported_image_version("registry:5000/spark"), None);
}
