//! CLI tests of `kubectl spark submit -f` (SparkApplication manifests) and `kubectl spark
//! convert` that need no API server: `--dry-run=client` prints the objects without contacting
//! the server (the kubeconfig points at an address nothing listens on); bad manifests exit 2
//! with the field path and line, nothing on stdout.

use std::collections::BTreeMap;
use std::process::Output;

mod offline;

use offline::{Env, assert_bad_input, stderr, stdout};
use serde_json::Value;

const KUBEFLOW: &str = r#"apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata:
  name: spark-pi
  namespace: jobs
  labels: {team: data}
spec:
  type: Scala
  mode: cluster
  sparkVersion: 4.0.1
  image: apache/spark:4.0.1
  mainClass: org.apache.spark.examples.SparkPi
  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
  arguments: ["1000"]
  sparkConf:
    spark.eventLog.enabled: "false"
  driver:
    cores: 1
    memory: 512m
    serviceAccount: spark
    labels: {tier: batch}
  executor:
    instances: 2
    cores: 1
    memory: 512m
"#;

impl Env {
    /// The plugin with `--kubeconfig` and `args`.
    fn run(&self, args: &[&str]) -> Output {
        self.cmd()
            .arg("--kubeconfig")
            .arg(self.kubeconfig())
            .args(args)
            .output()
            .unwrap()
    }

    fn run_stdin(&self, args: &[&str], stdin: &str) -> Output {
        self.cmd()
            .arg("--kubeconfig")
            .arg(self.kubeconfig())
            .args(args)
            .write_stdin(stdin.as_bytes().to_vec())
            .output()
            .unwrap()
    }
}

fn objects(o: &Output) -> Value {
    assert!(o.status.success(), "stderr:\n{}", stderr(o));
    serde_json::from_slice(&o.stdout).expect("stdout is one JSON document")
}

fn items(list: &Value) -> Vec<Value> {
    list["items"].as_array().cloned().unwrap_or_default()
}

fn pods(list: &Value) -> Vec<Value> {
    items(list)
        .into_iter()
        .filter(|o| o["kind"] == "Pod")
        .collect()
}

/// `spark.properties` of the n-th driver ConfigMap, as a map.
fn properties(list: &Value, n: usize) -> BTreeMap<String, String> {
    let text = items(list)
        .into_iter()
        .filter(|o| o["kind"] == "ConfigMap" && o["data"].get("spark.properties").is_some())
        .nth(n)
        .expect("driver ConfigMap")["data"]["spark.properties"]
        .as_str()
        .unwrap()
        .to_string();
    text.lines()
        .filter(|l| !l.starts_with('#') && l.contains('='))
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            (k.to_string(), v.replace("\\:", ":").replace("\\=", "="))
        })
        .collect()
}

/// Properties that hold random ids or the clock.
const VOLATILE: &[&str] = &[
    "spark.app.id",
    "spark.app.submitTime",
    "spark.kubernetes.driver.pod.name",
    "spark.kubernetes.executor.podNamePrefix",
    "spark.driver.host",
    "spark.kubernetes.resource.prefix",
];

fn without(mut m: BTreeMap<String, String>, keys: &[&str]) -> BTreeMap<String, String> {
    for k in keys {
        m.remove(*k);
    }
    m
}

#[test]
fn a_kubeflow_manifest_dry_runs_like_its_arguments() {
    let env = Env::new();
    let f = env.file("app.yaml", KUBEFLOW);
    let list = objects(&env.run(&["submit", "-f", &f, "--dry-run", "-o", "json"]));
    let pod = &pods(&list)[0];
    assert_eq!(pod["metadata"]["namespace"], "jobs");
    let labels = pod["metadata"]["labels"].as_object().unwrap();
    assert_eq!(labels["team"], "data");
    assert_eq!(labels["tier"], "batch");
    assert!(
        !labels.keys().any(|k| k.contains("sparkoperator.k8s.io")),
        "no operator bookkeeping labels: {labels:?}"
    );
    assert_eq!(pod["spec"]["serviceAccountName"], "spark");
    assert!(
        pod["metadata"]["name"]
            .as_str()
            .unwrap()
            .starts_with("spark-pi-"),
        "Spark's own unique pod name, not the operator's <name>-driver"
    );
    let p = properties(&list, 0);
    assert_eq!(p["spark.app.name"], "spark-pi");
    assert_eq!(p["spark.executor.instances"], "2");
    assert_eq!(p["spark.driver.memory"], "512m");
    assert_eq!(p["spark.kubernetes.namespace"], "jobs");
    assert_eq!(p["spark.eventLog.enabled"], "false");
    assert!(!p.contains_key("spark.kubernetes.submission.waitAppCompletion"));

    // The same application as arguments (what `convert` prints) gives the same properties,
    // apart from the random ids and the clock.
    let line = env.run(&["convert", "-f", &f]);
    assert!(line.status.success(), "{}", stderr(&line));
    let line = stdout(&line);
    assert!(line.starts_with("kubectl spark submit --spark-version 4.0.1 --name spark-pi --class org.apache.spark.examples.SparkPi"), "{line}");
    let argv: Vec<String> = line.trim().split(' ').skip(3).map(str::to_string).collect();
    let mut args: Vec<&str> = vec!["submit", "--dry-run", "-o", "json"];
    args.extend(argv.iter().map(String::as_str));
    let list2 = objects(&env.run(&args));
    assert_eq!(
        without(p, VOLATILE),
        without(properties(&list2, 0), VOLATILE)
    );
}

#[test]
fn bad_manifests_exit_2_with_the_field_path_and_line() {
    let env = Env::new();
    let f = env.file(
        "bad.yaml",
        &KUBEFLOW.replace(
            "    memory: 512m\n    serviceAccount",
            "    memory: 512\n    serviceAccount",
        ),
    );
    assert_bad_input(
        &env.run(&["submit", "-f", &f, "--dry-run"]),
        &[
            "spec.driver.memory: expected a string, got a number",
            "line 19",
        ],
    );
    let f = env.file(
        "unknown.yaml",
        &KUBEFLOW.replace("  arguments:", "  argumentz:"),
    );
    assert_bad_input(
        &env.run(&["submit", "-f", &f]),
        &[
            "spec.argumentz: unknown field",
            "line 14",
            "did you mean `arguments`?",
        ],
    );
    let f = env.file(
        "nofile.yaml",
        &KUBEFLOW.replace(
            "  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar\n",
            "",
        ),
    );
    assert_bad_input(
        &env.run(&["submit", "-f", &f]),
        &["missing required field `spec.mainApplicationFile`"],
    );
    assert_bad_input(
        &env.run(&["submit", "-f", "/nonexistent/app.yaml"]),
        &["-f /nonexistent/app.yaml: cannot read the manifest"],
    );
}

const CONTROLLER: &str = "  timeToLiveSeconds: 600\n  sparkUIOptions: {serviceType: NodePort}\n";

#[test]
fn controller_fields_warn_and_strict_refuses_them() {
    let env = Env::new();
    let f = env.file(
        "ttl.yaml",
        &KUBEFLOW.replace("  sparkConf:\n", &format!("{CONTROLLER}  sparkConf:\n")),
    );
    let o = env.run(&["submit", "-f", &f, "--dry-run", "-o", "json"]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("spec.timeToLiveSeconds") && err.contains("cleanup --older-than"),
        "{err}"
    );
    assert!(
        err.contains("spec.sparkUIOptions") && err.contains("kubectl spark ui"),
        "{err}"
    );
    assert_bad_input(
        &env.run(&["submit", "-f", &f, "--dry-run", "--strict"]),
        &["--strict", "spec.timeToLiveSeconds", "spec.sparkUIOptions"],
    );
}

#[test]
fn several_documents_from_stdin() {
    let env = Env::new();
    let apache = r#"apiVersion: spark.apache.org/v1
kind: SparkApplication
metadata: {name: pi-apache}
spec:
  mainClass: org.apache.spark.examples.SparkPi
  jars: local:///opt/spark/examples/jars/spark-examples.jar
  sparkConf:
    spark.kubernetes.container.image: apache/spark:3.5.9
"#;
    let text = format!(
        "{}---\n{apache}",
        KUBEFLOW.replace("  namespace: jobs\n", "")
    );
    let list = objects(&env.run_stdin(&["submit", "-f", "-", "--dry-run", "-o", "json"], &text));
    let pods = pods(&list);
    assert_eq!(pods.len(), 2);
    assert_eq!(pods[0]["metadata"]["namespace"], "team-a");
    assert_eq!(properties(&list, 1)["spark.app.name"], "pi-apache");
    assert!(
        pods[1]["spec"]["containers"][0]["image"] == "apache/spark:3.5.9",
        "{}",
        pods[1]
    );
    // A bad second document: nothing at all.
    let bad = format!("{KUBEFLOW}---\n{}", apache.replace("jars:", "jarz:"));
    assert_bad_input(
        &env.run_stdin(&["submit", "-f", "-", "--dry-run"], &bad),
        &["spec.jarz: unknown field", "(- line 32)"],
    );
}

#[test]
fn flags_that_describe_the_app_conflict_with_a_manifest() {
    let env = Env::new();
    let f = env.file("app.yaml", KUBEFLOW);
    assert_bad_input(
        &env.run(&["submit", "-f", &f, "--class", "X"]),
        &["--class cannot be combined"],
    );
    assert_bad_input(
        &env.run(&["submit", "-f", &f, "-n", "other"]),
        &["metadata.namespace is jobs but -n is other"],
    );
    // --conf is applied after the manifest's own properties.
    let list = objects(&env.run(&[
        "submit",
        "-f",
        &f,
        "--dry-run",
        "-o",
        "json",
        "--conf",
        "spark.executor.instances=5",
    ]));
    assert_eq!(properties(&list, 0)["spark.executor.instances"], "5");
}

#[test]
fn webhook_fields_reach_the_pods_through_templates() {
    let env = Env::new();
    let text = KUBEFLOW
        .replace(
            "    serviceAccount: spark\n",
            "    serviceAccount: spark\n    tolerations: [{key: dedicated, operator: Exists}]\n    sidecars: [{name: proxy, image: busybox}]\n    env: [{name: FROM_ENV, value: \"1\"}]\n",
        )
        .replace(
            "  executor:\n",
            "  executor:\n    podSecurityContext: {runAsUser: 185}\n",
        );
    let f = env.file("hooks.yaml", &text);
    let list = objects(&env.run(&["submit", "-f", &f, "--dry-run", "-o", "json"]));
    let pod = &pods(&list)[0];
    assert_eq!(
        pod["spec"]["tolerations"],
        serde_json::json!([{"key": "dedicated", "operator": "Exists"}])
    );
    let containers = pod["spec"]["containers"].as_array().unwrap();
    assert_eq!(containers.len(), 2, "{containers:?}");
    assert_eq!(containers[0]["name"], "proxy");
    assert_eq!(containers[1]["name"], "spark-kubernetes-driver");
    assert!(
        containers[1]["env"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == "FROM_ENV"),
        "{}",
        containers[1]["env"]
    );
    let template = items(&list)
        .into_iter()
        .find(|o| o["data"].get("podspec-configmap-key").is_some())
        .expect("executor template ConfigMap");
    let text = template["data"]["podspec-configmap-key"].as_str().unwrap();
    assert!(text.contains("runAsUser: 185"), "{text}");
    let p = properties(&list, 0);
    assert_eq!(
        p["spark.kubernetes.driver.podTemplateContainerName"],
        "spark-kubernetes-driver"
    );
    // convert needs a place for the templates, and writes them there.
    assert_bad_input(&env.run(&["convert", "-f", &f]), &["--template-dir"]);
    let o = env.run(&["convert", "-f", &f, "--template-dir", "tpl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(env.path("tpl/spark-pi-driver-pod-template.yaml").is_file());
    assert!(stdout(&o).contains("spark.kubernetes.executor.podTemplateFile="));
}

#[test]
fn convert_arguments_to_manifests_and_back() {
    let env = Env::new();
    let submit_args = [
        "--name",
        "etl",
        "--class",
        "org.example.Etl",
        "--driver-memory",
        "2g",
        "--num-executors",
        "3",
        "--conf",
        "spark.kubernetes.container.image=apache/spark:4.0.1",
        "--conf",
        "spark.kubernetes.driver.label.team=data",
        "--conf",
        "spark.sql.shuffle.partitions=7",
        "local:///opt/app.jar",
        "--day",
        "2026-12-06",
    ];
    for to in ["kubeflow", "apache"] {
        let mut a = vec!["convert", "--to", to, "--"];
        a.extend(submit_args);
        let o = env.run(&a);
        assert!(o.status.success(), "{}", stderr(&o));
        let yaml = stdout(&o);
        let f = env.file(&format!("{to}.yaml"), &yaml);
        let from_manifest = objects(&env.run(&["submit", "-f", &f, "--dry-run", "-o", "json"]));
        let mut b = vec!["submit", "--dry-run", "-o", "json"];
        b.extend(submit_args);
        let from_args = objects(&env.run(&b));
        // Kubeflow's operator also names the per-role images.
        let strip = |m| {
            without(
                without(m, VOLATILE),
                &[
                    "spark.kubernetes.driver.container.image",
                    "spark.kubernetes.executor.container.image",
                ],
            )
        };
        assert_eq!(
            strip(properties(&from_manifest, 0)),
            strip(properties(&from_args, 0)),
            "{to}:\n{yaml}"
        );
    }
    let o = env.run(&[
        "convert",
        "--to",
        "kubeflow",
        "--",
        "--class",
        "X",
        "local:///a.jar",
    ]);
    assert_bad_input(&o, &["--name"]);
}

/// What a published Kubeflow example bundles before its application.
const BUNDLED: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: app-conf
data:
  app.conf: "answer=42"
---
apiVersion: v1
kind: Secret
metadata:
  name: app-creds
type: Opaque
stringData:
  password: hunter2-do-not-print
---
"#;

#[test]
fn plain_objects_of_the_file_come_first_in_a_dry_run() {
    let env = Env::new();
    let text = format!("{BUNDLED}{KUBEFLOW}");
    let o = env.run_stdin(&["submit", "-f", "-", "--dry-run", "-o", "json"], &text);
    let list = objects(&o);
    let items = items(&list);
    let kinds: Vec<(String, String)> = items
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_string(),
                i["metadata"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(kinds[0], ("ConfigMap".into(), "app-conf".into()));
    assert_eq!(kinds[1], ("Secret".into(), "app-creds".into()));
    assert_eq!(kinds[2].0, "Pod");
    // Into the application's namespace; the Secret as kubectl's dry run shows it.
    assert_eq!(items[0]["metadata"]["namespace"], "jobs");
    assert_eq!(items[1]["metadata"]["namespace"], "jobs");
    assert_eq!(items[1]["stringData"]["password"], "hunter2-do-not-print");
    // Never in human output.
    assert!(!stderr(&o).contains("hunter2"), "{}", stderr(&o));

    // Kinds that make no sense in a Spark submission are refused, naming them; nothing printed.
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n---\n";
    assert_bad_input(
        &env.run_stdin(
            &["submit", "-f", "-", "--dry-run"],
            &format!("{deployment}{KUBEFLOW}"),
        ),
        &["(document 1)", "kind Deployment", "kubectl apply -f"],
    );
    // A file of plain objects only has nothing to submit.
    assert_bad_input(
        &env.run_stdin(&["submit", "-f", "-", "--dry-run"], BUNDLED),
        &[
            "no SparkApplication",
            "ConfigMap/app-conf, Secret/app-creds",
        ],
    );
    // A namespace that disagrees with -n, as for the application.
    let other = BUNDLED.replace("name: app-conf\n", "name: app-conf\n  namespace: other\n");
    assert_bad_input(
        &env.run_stdin(
            &["submit", "-n", "jobs", "-f", "-", "--dry-run"],
            &format!("{other}{KUBEFLOW}"),
        ),
        &["ConfigMap/app-conf has metadata.namespace other but -n is jobs"],
    );
}

/// The Apache operator's example (`examples/spark-connect-server.yaml`).
const APACHE_CONNECT: &str = include_str!("fixtures/manifests/apache-spark-connect-server.yaml");
/// The Apache operator's `examples/spark-thrift-server.yaml`.
const APACHE_THRIFT: &str = include_str!("fixtures/manifests/apache-spark-thrift-server.yaml");

#[test]
fn server_applications_from_manifests_run_their_class_in_the_driver_pod() {
    let env = Env::new();
    // Connect: launched as `kubectl spark connect` launches it (label, token Secret, probe).
    let list = objects(&env.run_stdin(
        &["submit", "-f", "-", "--dry-run", "-o", "json"],
        APACHE_CONNECT,
    ));
    let pod = &pods(&list)[0];
    assert_eq!(
        pod["metadata"]["labels"]["kubectl-spark.io/connect-server"], "true",
        "{pod}"
    );
    let container = &pod["spec"]["containers"][0];
    let args = container["args"].to_string();
    assert!(
        args.contains("org.apache.spark.sql.connect.service.SparkConnectServer"),
        "{args}"
    );
    assert!(container["readinessProbe"].is_object(), "{container}");
    assert!(
        items(&list).iter().any(|o| o["kind"] == "Secret"
            && o["metadata"]["name"]
                .as_str()
                .unwrap()
                .ends_with("-connect-token")),
        "a token Secret"
    );
    assert_eq!(
        properties(&list, 0)["spark.connect.grpc.binding.address"],
        "127.0.0.1"
    );

    // Thrift: the class runs as written (client mode inside the driver pod).
    let list = objects(&env.run_stdin(
        &["submit", "-f", "-", "--dry-run", "-o", "json"],
        APACHE_THRIFT,
    ));
    let pod = &pods(&list)[0];
    assert!(
        pod["spec"]["containers"][0]["args"]
            .to_string()
            .contains("org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"),
        "{pod}"
    );
    assert!(
        pod["metadata"]["labels"]
            .get("kubectl-spark.io/connect-server")
            .is_none()
    );

    // On the command line, spark-submit's refusal stays, pointing at `kubectl spark connect`.
    assert_bad_input(
        &env.run(&[
            "submit",
            "--dry-run",
            "--class",
            "org.apache.spark.sql.connect.service.SparkConnectServer",
            "--conf",
            "spark.kubernetes.container.image=apache/spark:4.0.1",
            "spark-internal",
        ]),
        &[
            "not applicable to Spark Connect server",
            "kubectl spark connect",
        ],
    );
}

/// The Apache operator's example (`examples/spark-history-server.yaml`).
const APACHE_HISTORY: &str = include_str!("fixtures/manifests/apache-spark-history-server.yaml");

#[test]
fn a_history_server_manifest_is_launched_as_history_launches_it() {
    let env = Env::new();
    let o = env.run_stdin(
        &["submit", "-f", "-", "--dry-run", "-o", "json"],
        APACHE_HISTORY,
    );
    let list = objects(&o);
    let pod = &pods(&list)[0];
    // Labelled as `kubectl spark history` labels its server: never an application.
    let labels = &pod["metadata"]["labels"];
    assert_eq!(labels["kubectl-spark.io/history-server"], "true", "{pod}");
    assert_eq!(labels["spark-role"], "history-server", "{pod}");
    assert_eq!(
        pod["metadata"]["annotations"]["kubectl-spark.io/event-log-directory"],
        "s3a://spark-events"
    );
    // restartConfig Always: restarted in its pod by the kubelet, not resubmitted.
    assert_eq!(pod["spec"]["restartPolicy"], "Always", "{pod}");
    assert!(
        stderr(&o).contains("restarts it in its pod"),
        "{}",
        stderr(&o)
    );
    let container = &pod["spec"]["containers"][0];
    assert!(
        container["args"]
            .to_string()
            .contains("org.apache.spark.deploy.history.HistoryServer"),
        "{container}"
    );
    assert_eq!(
        container["readinessProbe"]["httpGet"]["path"], "/api/v1/version",
        "{container}"
    );
    assert!(
        container["ports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "history-ui" && p["containerPort"] == 18080),
        "{container}"
    );
    // spark.ui.port 18080 (the operator's way to expose the server on the driver's Service)
    // is dropped: the Service exposes 18080 once, as `history-ui`.
    let props = properties(&list, 0);
    assert_eq!(props.get("spark.ui.port"), None, "{props:?}");
    assert_eq!(props["spark.history.ui.port"], "18080");
    assert_eq!(props["spark.history.fs.logDirectory"], "s3a://spark-events");
    assert_eq!(
        props["spark.driver.memory"], "2g",
        "the manifest's memory wins"
    );
    let service = items(&list)
        .into_iter()
        .find(|o| o["kind"] == "Service")
        .expect("a Service");
    let ports: Vec<&Value> = service["spec"]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["port"] == 18080)
        .collect();
    assert_eq!(ports.len(), 1, "{service}");
    assert_eq!(ports[0]["name"], "history-ui");
    assert_eq!(service["spec"]["selector"]["spark-role"], "history-server");

    // Without a directory to read, it is refused as `kubectl spark history` refuses it.
    let no_dir: String = APACHE_HISTORY
        .lines()
        .filter(|l| !l.contains("spark.history.fs.logDirectory"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_bad_input(
        &env.run_stdin(&["submit", "-f", "-", "--dry-run"], &no_dir),
        &["no event logs to read"],
    );
    // A History Server runs no application.
    let with_args = APACHE_HISTORY.replace(
        "  runtimeVersions:",
        "  driverArgs: [\"--properties-file\", \"/x\"]\n  runtimeVersions:",
    );
    assert_bad_input(
        &env.run_stdin(&["submit", "-f", "-", "--dry-run"], &with_args),
        &["a History Server takes no application arguments"],
    );
}

#[test]
fn convert_keeps_the_namespace_and_names_a_local_application_file() {
    let env = Env::new();
    for (before, after) in [
        (vec!["-n", "team-a"], vec![]),
        (vec![], vec!["-n", "team-a"]),
    ] {
        let mut a: Vec<&str> = before.clone();
        a.extend(["convert", "--to", "kubeflow", "--"]);
        a.extend(after.iter().copied());
        a.extend([
            "--name",
            "pi",
            "--conf",
            "spark.kubernetes.container.image=apache/spark:4.0.1",
            "/home/me/pi.py",
        ]);
        let o = env.run(&a);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            stdout(&o).contains("namespace: team-a"),
            "{a:?}: {}",
            stdout(&o)
        );
        assert!(
            stderr(&o).contains("/home/me/pi.py is a local path")
                && stderr(&o).contains("operator cannot"),
            "{}",
            stderr(&o)
        );
    }
    // With an upload path, it says `submit -f` will upload the file.
    let o = env.run(&[
        "convert",
        "--to",
        "apache",
        "--",
        "--name",
        "pi",
        "--conf",
        "spark.kubernetes.container.image=apache/spark:4.0.1",
        "--conf",
        "spark.kubernetes.file.upload.path=s3a://bucket/up",
        "pi.py",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("will upload it to s3a://bucket/up"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn retries_need_the_wait() {
    let env = Env::new();
    let args = [
        "submit",
        "--dry-run",
        "--no-wait",
        "--retries",
        "2",
        "--class",
        "org.apache.spark.examples.SparkPi",
        "--conf",
        "spark.kubernetes.container.image=apache/spark:4.0.1",
        "local:///opt/spark/examples/jars/spark-examples.jar",
    ];
    assert_bad_input(&env.run(&args), &["--retries resubmits", "--no-wait"]);
    let interval_alone = [
        "submit",
        "--dry-run",
        "--retry-interval",
        "5s",
        "--class",
        "org.apache.spark.examples.SparkPi",
        "local:///opt/spark/examples/jars/spark-examples.jar",
    ];
    let o = env.run(&interval_alone);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--retries"), "{}", stderr(&o));
}
