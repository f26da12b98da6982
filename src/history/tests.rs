//! The History Server's objects: what makes the driver a server, and what keeps it out of the
//! commands that work on applications.

use k8s_openapi::api::core::v1::Container;

use super::*;
use crate::app::LABEL_ROLE;
use crate::submit::steps::fixtures::test_plan;

fn server_plan(extra: &[(&str, &str)]) -> Plan {
    let mut plan = test_plan("4.0.1");
    plan.app.main_class = Some(HISTORY_SERVER_CLASS.into());
    plan.app.primary_resource = None;
    plan.app.app_args = Vec::new();
    plan.conf.remove("spark.jars");
    plan.conf.set("spark.app.name", DEFAULT_NAME);
    for (k, v) in extra {
        plan.conf.set(*k, *v);
    }
    plan
}

fn container(s: &Submission) -> &Container {
    s.pod.spec.as_ref().unwrap().containers.last().unwrap()
}

fn properties(s: &Submission) -> String {
    match s.post.last() {
        Some(PostObject::ConfigMap(c)) => c.data.as_ref().unwrap()["spark.properties"].clone(),
        other => panic!("the conf ConfigMap comes last, got {other:?}"),
    }
}

#[test]
fn reads_the_event_log_dir_drivers_write_to() {
    let mut plan = server_plan(&[
        ("spark.eventLog.enabled", "true"),
        ("spark.eventLog.dir", "s3a://logs/events"),
    ]);
    configure(&mut plan).unwrap();
    let s = build(&plan).unwrap();
    let props = properties(&s);
    assert!(
        props.contains("spark.history.fs.logDirectory=s3a\\://logs/events\n"),
        "{props}"
    );
    assert!(props.contains("spark.history.ui.port=18080\n"), "{props}");
    assert!(props.contains("spark.driver.memory=512m\n"), "{props}");
    // The server's own setting wins over the drivers' directory.
    let mut plan = server_plan(&[
        ("spark.eventLog.dir", "s3a://logs/events"),
        (LOG_DIRECTORY_KEY, "s3a://other/events"),
        ("spark.driver.memory", "2g"),
    ]);
    configure(&mut plan).unwrap();
    assert_eq!(plan.conf.get(LOG_DIRECTORY_KEY), Some("s3a://other/events"));
    assert_eq!(plan.conf.get("spark.driver.memory"), Some("2g"));
}

#[test]
fn without_event_logs_there_is_nothing_to_serve() {
    let mut plan = server_plan(&[]);
    let e = configure(&mut plan).unwrap_err().to_string();
    assert!(e.contains("no event logs"), "{e}");
    let hint = format!("{:?}", configure(&mut server_plan(&[])).unwrap_err());
    assert!(hint.contains("--event-log-dir"), "{hint}");
    let mut plan = server_plan(&[(LOG_DIRECTORY_KEY, "file:/logs"), (UI_PORT_KEY, "http")]);
    assert!(configure(&mut plan).is_err());
}

#[test]
fn the_server_is_never_taken_for_an_application() {
    let mut plan = server_plan(&[(LOG_DIRECTORY_KEY, "file:/logs")]);
    configure(&mut plan).unwrap();
    let s = build(&plan).unwrap();
    let labels = s.pod.metadata.labels.clone().unwrap();
    assert_eq!(labels[LABEL_ROLE], ROLE);
    assert_eq!(labels[LABEL_HISTORY], "true");
    assert!(is_history_server(&s.pod));
    assert!(!crate::operate::selector::is_driver(&s.pod));
    assert_eq!(port_of(&s.pod), 18080);
    let c = container(&s);
    let probe = c
        .readiness_probe
        .as_ref()
        .unwrap()
        .http_get
        .as_ref()
        .unwrap();
    assert_eq!(probe.path.as_deref(), Some("/api/v1/version"));
    assert!(
        c.args
            .as_ref()
            .unwrap()
            .iter()
            .any(|a| a == HISTORY_SERVER_CLASS),
        "{:?}",
        c.args
    );
    for o in &s.post {
        if let PostObject::Service(svc) = o {
            let spec = svc.spec.as_ref().unwrap();
            assert_eq!(spec.selector.as_ref().unwrap()[LABEL_ROLE], ROLE);
            assert!(spec.ports.as_ref().unwrap().iter().any(|p| p.port == 18080));
        }
    }
}

/// The Apache operator's example sets `spark.ui.port` to the server's port (so that the
/// driver's Service exposes it): kept, the Service would declare 18080 twice, which the API
/// server refuses.
#[test]
fn a_driver_ui_port_on_the_servers_port_is_dropped() {
    let ports = |s: &Submission| -> Vec<i32> {
        s.post
            .iter()
            .find_map(|o| match o {
                PostObject::Service(svc) => svc.spec.as_ref()?.ports.clone(),
                _ => None,
            })
            .unwrap()
            .iter()
            .map(|p| p.port)
            .collect()
    };
    let mut plan = server_plan(&[
        (LOG_DIRECTORY_KEY, "file:/logs"),
        ("spark.ui.port", "18080"),
    ]);
    configure(&mut plan).unwrap();
    assert_eq!(plan.conf.get("spark.ui.port"), None);
    let s = build(&plan).unwrap();
    let seen = ports(&s);
    assert_eq!(seen.iter().filter(|p| **p == 18080).count(), 1, "{seen:?}");
    // Another value is the (unused) driver UI port Spark's steps declare; kept.
    let mut plan = server_plan(&[(LOG_DIRECTORY_KEY, "file:/logs"), ("spark.ui.port", "4041")]);
    configure(&mut plan).unwrap();
    assert_eq!(plan.conf.get("spark.ui.port"), Some("4041"));
    assert!(ports(&build(&plan).unwrap()).contains(&4041));
}
