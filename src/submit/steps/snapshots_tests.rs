//! Whole-plan tests: the spec's §11 worked example on every supported release line (checked
//! fact by fact and snapshotted), and snapshots of a Python app, a decorated app and an app
//! with local files. Snapshots live in `snapshots/` and are reviewed like code.

use k8s_openapi::api::core::v1::{ConfigMap, Container, Pod, Service};
use serde_json::{Value, json};

use crate::submit::plan::{Plan, PostObject, ResourceType, Submission};
use crate::submit::steps::build;
use crate::submit::steps::derived;
use crate::submit::steps::fixtures::{APP_ID, CONF_MAP, PREFIX, test_plan, test_plan_with};

/// The versions the §11 example is checked on (4.0.1 is the spec's own).
const VERSIONS: [&str; 5] = ["3.5.9", "4.0.1", "4.1.4", "4.2.1", "4.3.0"];

/// A submission as one serialisable document, in creation order, with `spark.properties`
/// also split into lines for easier review.
fn document(s: &Submission) -> Value {
    json!({
        "sparkPropertiesLines": properties(s),
        "submissionId": s.submission_id(),
        "appId": s.app_id,
        "appName": s.app_name,
        "uploads": s.uploads,
        "warnings": s.warnings,
        "pod": s.pod,
        "post": s.post,
    })
}

fn container(s: &Submission) -> &Container {
    s.pod.spec.as_ref().unwrap().containers.last().unwrap()
}

fn conf_map(s: &Submission) -> &ConfigMap {
    match s.post.last() {
        Some(PostObject::ConfigMap(c)) => c,
        other => panic!("the driver conf ConfigMap must come last, got {other:?}"),
    }
}

fn service(s: &Submission) -> &Service {
    s.post
        .iter()
        .find_map(|o| match o {
            PostObject::Service(svc) => Some(svc),
            _ => None,
        })
        .expect("a driver Service")
}

fn properties(s: &Submission) -> Vec<String> {
    conf_map(s).data.as_ref().unwrap()["spark.properties"]
        .lines()
        .map(str::to_string)
        .collect()
}

fn env_names(c: &Container) -> Vec<&str> {
    c.env.iter().flatten().map(|e| e.name.as_str()).collect()
}

fn local_dir(plan: &Plan) -> String {
    format!(
        "/var/data/spark-{}",
        plan.ids.derived_uuid(derived::LOCAL_DIR_UUID)
    )
}

/// Every fact §11 states, on one version.
fn check_worked_example(version: &str) {
    let plan = test_plan(version);
    let s = build(&plan).unwrap();
    let v = plan.spark_version.clone();
    let pod_name = format!("{PREFIX}-driver");

    // 5. submission id
    assert_eq!(s.submission_id(), format!("default:{pod_name}"));
    assert_eq!(s.app_id, APP_ID);
    assert_eq!(s.app_name, "spark-pi");
    assert!(s.uploads.is_empty());
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);

    // 1. ConfigMap
    let cm = conf_map(&s);
    assert_eq!(cm.metadata.name.as_deref(), Some(CONF_MAP));
    assert_eq!(cm.metadata.namespace.as_deref(), Some("default"));
    assert_eq!(cm.metadata.labels, Some(Default::default()));
    assert_eq!(cm.immutable, Some(true));
    let data = cm.data.as_ref().unwrap();
    assert_eq!(
        data.keys().collect::<Vec<_>>(),
        ["spark.kubernetes.namespace", "spark.properties"]
    );
    assert_eq!(data["spark.kubernetes.namespace"], "default");
    let props = properties(&s);
    assert_eq!(
        props[0],
        format!("#Java properties built from Kubernetes config map with name: {CONF_MAP}")
    );
    assert!(props[1].starts_with('#'));
    let image = format!("apache/spark\\:{version}");
    let expected = [
        format!("spark.app.id={APP_ID}"),
        "spark.app.name=spark-pi".into(),
        "spark.app.submitTime=1735725600000".into(),
        "spark.driver.blockManager.port=7079".into(),
        format!("spark.driver.host={PREFIX}-driver-svc.default.svc"),
        "spark.driver.port=7078".into(),
        "spark.jars=local\\:///opt/spark/examples/jars/spark-examples.jar".into(),
        format!("spark.kubernetes.container.image={image}"),
        format!("spark.kubernetes.driver.pod.name={pod_name}"),
        "spark.kubernetes.memoryOverheadFactor=0.1".into(),
        "spark.kubernetes.resource.type=java".into(),
        "spark.kubernetes.submitInDriver=true".into(),
        "spark.master=k8s\\://https\\://10.0.0.1\\:6443".into(),
        "spark.submit.deployMode=cluster".into(),
        "spark.submit.pyFiles=".into(),
    ];
    let mut got: Vec<String> = props[2..].to_vec();
    got.sort();
    assert_eq!(got, expected, "spark.properties on {version}");

    // 2. Pod
    let pod: &Pod = &s.pod;
    assert_eq!(pod.metadata.name.as_deref(), Some(pod_name.as_str()));
    assert_eq!(pod.metadata.namespace.as_deref(), Some("default"));
    let labels = pod.metadata.labels.clone().unwrap();
    assert_eq!(
        labels.into_iter().collect::<Vec<_>>(),
        [
            ("spark-app-name".to_string(), "spark-pi".to_string()),
            ("spark-app-selector".into(), APP_ID.into()),
            ("spark-role".into(), "driver".into()),
            ("spark-version".into(), version.into()),
        ]
    );
    assert_eq!(pod.metadata.annotations, None);
    assert_eq!(pod.metadata.owner_references, None);
    let spec = pod.spec.as_ref().unwrap();
    assert_eq!(spec.restart_policy.as_deref(), Some("Never"));
    assert_eq!(spec.containers.len(), 1);
    assert_eq!(spec.service_account_name, None);
    let c = container(&s);
    assert_eq!(c.name, "spark-kubernetes-driver");
    assert_eq!(
        c.image.as_deref(),
        Some(format!("apache/spark:{version}").as_str())
    );
    assert_eq!(c.image_pull_policy.as_deref(), Some("IfNotPresent"));
    assert_eq!(c.command, None);
    assert_eq!(
        c.args.clone().unwrap(),
        [
            "driver",
            "--properties-file",
            "/opt/spark/conf/spark.properties",
            "--class",
            "org.apache.spark.examples.SparkPi",
            "local:///opt/spark/examples/jars/spark-examples.jar",
            "1000"
        ]
    );
    let mut ports = vec![
        ("driver-rpc-port", 7078),
        ("blockmanager", 7079),
        ("spark-ui", 4040),
    ];
    if v.at_least(4, 1) {
        ports.push(("spark-connect", 15002));
    }
    let got_ports: Vec<_> = c
        .ports
        .iter()
        .flatten()
        .map(|p| {
            assert_eq!(p.protocol.as_deref(), Some("TCP"));
            (p.name.as_deref().unwrap(), p.container_port)
        })
        .collect();
    assert_eq!(got_ports, ports);
    assert_eq!(
        env_names(c),
        [
            "SPARK_USER",
            "SPARK_APPLICATION_ID",
            "SPARK_DRIVER_BIND_ADDRESS",
            "SPARK_LOCAL_DIRS",
            "SPARK_CONF_DIR"
        ]
    );
    let env = c.env.as_ref().unwrap();
    assert_eq!(env[1].value.as_deref(), Some(APP_ID));
    let field = env[2]
        .value_from
        .as_ref()
        .unwrap()
        .field_ref
        .as_ref()
        .unwrap();
    assert_eq!(field.field_path, "status.podIP");
    assert_eq!(env[3].value, Some(local_dir(&plan)));
    assert_eq!(env[4].value.as_deref(), Some("/opt/spark/conf"));
    let res = c.resources.as_ref().unwrap();
    let json_res = serde_json::to_value(res).unwrap();
    assert_eq!(
        json_res,
        json!({"requests": {"cpu": "1", "memory": "1408Mi"}, "limits": {"memory": "1408Mi"}})
    );
    let volumes = serde_json::to_value(spec.volumes.as_ref().unwrap()).unwrap();
    assert_eq!(
        volumes,
        json!([
            {"name": "spark-local-dir-1", "emptyDir": {}},
            {"name": "spark-conf-volume-driver", "configMap": {
                "name": CONF_MAP,
                "items": [{"key": "spark.properties", "path": "spark.properties", "mode": 420}]
            }}
        ])
    );
    let mounts = serde_json::to_value(c.volume_mounts.as_ref().unwrap()).unwrap();
    assert_eq!(
        mounts,
        json!([
            {"name": "spark-local-dir-1", "mountPath": local_dir(&plan)},
            {"name": "spark-conf-volume-driver", "mountPath": "/opt/spark/conf"}
        ])
    );
    let security = c
        .security_context
        .as_ref()
        .map(|sc| serde_json::to_value(sc).unwrap());
    if v.at_least(4, 3) {
        assert_eq!(security, Some(json!({"allowPrivilegeEscalation": false})));
    } else {
        assert_eq!(security, None);
    }

    // 3. Service
    let svc = service(&s);
    let mut svc_ports = vec![
        json!({"name": "driver-rpc-port", "port": 7078, "targetPort": 7078}),
        json!({"name": "blockmanager", "port": 7079, "targetPort": 7079}),
        json!({"name": "spark-ui", "port": 4040, "targetPort": 4040}),
    ];
    if v.at_least(4, 2) {
        svc_ports.push(json!({"name": "spark-connect", "port": 15002, "targetPort": 15002, "appProtocol": "grpc"}));
    } else if v.at_least(4, 1) {
        svc_ports.push(json!({"name": "spark-connect", "port": 15002, "targetPort": 15002}));
    }
    let mut svc_spec = json!({
        "clusterIP": "None",
        "ipFamilyPolicy": "SingleStack",
        "ipFamilies": ["IPv4"],
        "selector": {
            "spark-app-name": "spark-pi",
            "spark-app-selector": APP_ID,
            "spark-role": "driver",
            "spark-version": version,
        },
        "ports": svc_ports,
    });
    if v.at_least(4, 3) {
        svc_spec["publishNotReadyAddresses"] = json!(false);
    }
    assert_eq!(
        serde_json::to_value(svc).unwrap(),
        json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": format!("{PREFIX}-driver-svc"),
                "namespace": "default",
                "labels": {"spark-app-selector": APP_ID},
            },
            "spec": svc_spec,
        }),
        "Service on {version}"
    );

    // 4. post order: Service, [NetworkPolicy], ConfigMap
    let kinds: Vec<String> = s.post.iter().map(PostObject::describe).collect();
    let mut expected_kinds = vec![format!("Service/{PREFIX}-driver-svc")];
    if v.at_least(4, 2) {
        expected_kinds.push(format!("NetworkPolicy/{PREFIX}-policy"));
    }
    expected_kinds.push(format!("ConfigMap/{CONF_MAP}"));
    assert_eq!(kinds, expected_kinds, "post objects on {version}");
}

#[test]
fn worked_example_facts_on_every_version() {
    for version in VERSIONS {
        check_worked_example(version);
    }
}

#[test]
fn worked_example_snapshots() {
    for version in VERSIONS {
        let s = build(&test_plan(version)).unwrap();
        insta::assert_yaml_snapshot!(format!("worked_example_{version}"), document(&s));
    }
}

#[test]
fn network_policy_can_be_excluded_on_4_2() {
    let plan = test_plan_with(
        "4.2.1",
        &[(
            "spark.kubernetes.driver.pod.excludedFeatureSteps",
            "org.apache.spark.deploy.k8s.features.NetworkPolicyFeatureStep",
        )],
    );
    let s = build(&plan).unwrap();
    assert_eq!(s.post.len(), 2);
    assert!(
        !s.post
            .iter()
            .any(|o| matches!(o, PostObject::NetworkPolicy(_)))
    );
}

#[test]
fn conf_dir_files_are_shipped_and_listed() {
    let mut plan = test_plan("4.0.1");
    plan.env.conf_dir_files = [
        ("log4j2.properties", "rootLogger.level = warn\n"),
        ("spark-env.sh", "export A=1\n"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let s = build(&plan).unwrap();
    let cm = conf_map(&s);
    let data = cm.data.as_ref().unwrap();
    assert_eq!(
        data.keys().collect::<Vec<_>>(),
        [
            "log4j2.properties",
            "spark-env.sh",
            "spark.kubernetes.namespace",
            "spark.properties"
        ]
    );
    let volume = s
        .pod
        .spec
        .as_ref()
        .unwrap()
        .volumes
        .as_ref()
        .unwrap()
        .last()
        .unwrap();
    let items: Vec<_> = volume
        .config_map
        .as_ref()
        .unwrap()
        .items
        .iter()
        .flatten()
        .map(|i| (i.key.as_str(), i.path.as_str(), i.mode))
        .collect();
    assert_eq!(
        items,
        [
            ("log4j2.properties", "log4j2.properties", Some(420)),
            ("spark-env.sh", "spark-env.sh", Some(420)),
            ("spark.properties", "spark.properties", Some(420)),
        ]
    );
}

#[test]
fn python_app_snapshot() {
    let mut plan = test_plan_with(
        "4.0.1",
        &[
            ("spark.app.name", "pi.py"),
            ("spark.jars", ""),
            ("spark.submit.pyFiles", "local:///opt/app/deps.zip"),
            ("spark.pyspark.python", "python3"),
        ],
    );
    plan.conf.remove("spark.jars");
    plan.app.resource_type = ResourceType::Python;
    plan.app.primary_resource = Some("local:///opt/spark/examples/src/main/python/pi.py".into());
    plan.app.main_class = None;
    plan.app.app_args = vec!["10".into()];
    let s = build(&plan).unwrap();
    let c = container(&s);
    assert_eq!(
        c.args.as_ref().unwrap()[4..],
        [
            "org.apache.spark.deploy.PythonRunner",
            "local:///opt/spark/examples/src/main/python/pi.py",
            "10"
        ]
    );
    assert_eq!(
        env_names(c),
        [
            "SPARK_USER",
            "SPARK_APPLICATION_ID",
            "SPARK_DRIVER_BIND_ADDRESS",
            "PYSPARK_PYTHON",
            "PYSPARK_DRIVER_PYTHON",
            "SPARK_LOCAL_DIRS",
            "SPARK_CONF_DIR"
        ]
    );
    let memory = &c.resources.as_ref().unwrap().limits.as_ref().unwrap()["memory"];
    assert_eq!(memory.0, "1433Mi");
    let props = properties(&s);
    assert!(props.contains(&"spark.kubernetes.memoryOverheadFactor=0.4".to_string()));
    assert!(props.contains(&"spark.kubernetes.resource.type=python".to_string()));
    assert_eq!(
        s.pod.metadata.labels.as_ref().unwrap()["spark-app-name"],
        "pi-py"
    );
    insta::assert_yaml_snapshot!("python_app", document(&s));
}

#[test]
fn decorated_app_snapshot() {
    let plan = test_plan_with(
        "4.3.0",
        &[
            ("spark.kubernetes.driver.label.team", "data"),
            ("spark.kubernetes.driver.label.run", "{{APP_ID}}"),
            ("spark.kubernetes.driver.annotation.owner", "alice"),
            ("spark.kubernetes.driver.annotation.app", "{{APP_ID}}"),
            ("spark.kubernetes.node.selector.disktype", "ssd"),
            ("spark.kubernetes.driver.node.selector.pool", "drivers"),
            (
                "spark.kubernetes.container.image.pullSecrets",
                "regcred,other",
            ),
            ("spark.kubernetes.container.image.pullPolicy", "Always"),
            ("spark.kubernetes.driver.scheduler.name", "volcano"),
            ("spark.driver.resource.gpu.amount", "2"),
            ("spark.driver.resource.gpu.vendor", "nvidia.com"),
            ("spark.driver.memory", "4g"),
            ("spark.driver.cores", "2"),
            ("spark.kubernetes.driver.limit.cores", "4"),
            ("spark.kubernetes.driverEnv.MODE", "batch"),
            ("spark.kubernetes.driver.service.label.tier", "spark"),
            (
                "spark.kubernetes.driver.service.annotation.note",
                "headless",
            ),
            ("spark.kubernetes.local.dirs.tmpfs", "true"),
        ],
    );
    let s = build(&plan).unwrap();
    let meta = &s.pod.metadata;
    assert_eq!(meta.labels.as_ref().unwrap()["run"], APP_ID);
    assert_eq!(meta.annotations.as_ref().unwrap()["app"], APP_ID);
    let spec = s.pod.spec.as_ref().unwrap();
    assert_eq!(spec.scheduler_name.as_deref(), Some("volcano"));
    assert_eq!(spec.image_pull_secrets.as_ref().unwrap().len(), 2);
    let limits = container(&s)
        .resources
        .as_ref()
        .unwrap()
        .limits
        .clone()
        .unwrap();
    assert_eq!(limits["nvidia.com/gpu"].0, "2");
    assert_eq!(limits["memory"].0, "4505Mi");
    let selector = service(&s).spec.as_ref().unwrap().selector.clone().unwrap();
    assert_eq!(selector["team"], "data");
    insta::assert_yaml_snapshot!("decorated_app", document(&s));
}

#[test]
fn local_files_snapshot() {
    let mut plan = test_plan_with(
        "4.0.1",
        &[
            ("spark.kubernetes.file.upload.path", "s3a://bucket/spark"),
            (
                "spark.jars",
                "file:/home/me/app.jar,local:///opt/lib/dep.jar,file:/home/me/extra.jar",
            ),
            ("spark.files", "file:/home/me/data.csv#renamed"),
            ("spark.archives", "file:/home/me/env.tar.gz#environment"),
        ],
    );
    plan.app.primary_resource = Some("file:/home/me/app.jar".into());
    let s = build(&plan).unwrap();
    assert_eq!(container(&s).args.as_ref().unwrap()[5], "spark-internal");
    let targets: Vec<_> = s.uploads.iter().map(|u| u.local_path.as_str()).collect();
    assert_eq!(
        targets,
        [
            "/home/me/app.jar",
            "/home/me/extra.jar",
            "/home/me/data.csv",
            "/home/me/env.tar.gz"
        ]
    );
    let props = properties(&s);
    let jars = props.iter().find(|l| l.starts_with("spark.jars=")).unwrap();
    assert!(jars.ends_with(",local\\:///opt/lib/dep.jar"), "{jars}");
    let archives = props
        .iter()
        .find(|l| l.starts_with("spark.archives="))
        .unwrap();
    assert!(
        archives.ends_with("/env.tar.gz\\#environment"),
        "{archives}"
    );
    insta::assert_yaml_snapshot!("local_files", document(&s));
}

#[test]
fn template_pod_is_layered_on() {
    let template = r#"
metadata:
  name: ignored
  labels: {team: data, spark-role: template}
spec:
  restartPolicy: Always
  priorityClassName: high
  volumes: [{name: cache, emptyDir: {}}]
  containers:
    - name: sidecar
      image: envoy
    - name: main
      image: placeholder
      env: [{name: TEMPLATE_ENV, value: "1"}]
      ports: [{name: metrics, containerPort: 9090}]
      volumeMounts: [{name: cache, mountPath: /cache}]
      resources:
        requests: {cpu: "9", ephemeral-storage: 1Gi}
"#;
    let mut plan = test_plan_with(
        "4.0.1",
        &[
            ("spark.kubernetes.driver.podTemplateFile", "/tmp/t.yaml"),
            ("spark.kubernetes.driver.podTemplateContainerName", "main"),
        ],
    );
    plan.inputs.driver_template = Some(
        crate::submit::steps::pod_template::parse_template(
            template,
            "spark.kubernetes.driver.podTemplateFile",
        )
        .unwrap(),
    );
    let s = build(&plan).unwrap();
    let meta = &s.pod.metadata;
    assert_eq!(
        meta.name.as_deref(),
        Some(format!("{PREFIX}-driver").as_str())
    );
    let labels = meta.labels.as_ref().unwrap();
    assert_eq!(
        (labels["team"].as_str(), labels["spark-role"].as_str()),
        ("data", "driver")
    );
    let spec = s.pod.spec.as_ref().unwrap();
    assert_eq!(spec.restart_policy.as_deref(), Some("Never"));
    assert_eq!(spec.priority_class_name.as_deref(), Some("high"));
    let names: Vec<_> = spec.containers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["sidecar", "main"]);
    let volumes: Vec<_> = spec
        .volumes
        .iter()
        .flatten()
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(
        volumes,
        ["cache", "spark-local-dir-1", "spark-conf-volume-driver"]
    );
    let c = container(&s);
    assert_eq!(c.image.as_deref(), Some("apache/spark:4.0.1"));
    assert_eq!(
        env_names(c),
        [
            "TEMPLATE_ENV",
            "SPARK_USER",
            "SPARK_APPLICATION_ID",
            "SPARK_DRIVER_BIND_ADDRESS",
            "SPARK_LOCAL_DIRS",
            "SPARK_CONF_DIR"
        ]
    );
    let ports: Vec<_> = c
        .ports
        .iter()
        .flatten()
        .map(|p| p.name.as_deref().unwrap())
        .collect();
    assert_eq!(
        ports,
        ["metrics", "driver-rpc-port", "blockmanager", "spark-ui"]
    );
    let mounts: Vec<_> = c
        .volume_mounts
        .iter()
        .flatten()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(
        mounts,
        ["cache", "spark-local-dir-1", "spark-conf-volume-driver"]
    );
    let requests = c.resources.as_ref().unwrap().requests.as_ref().unwrap();
    assert_eq!(requests["cpu"].0, "1");
    assert_eq!(requests["ephemeral-storage"].0, "1Gi");
}
