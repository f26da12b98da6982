//! Tests of the manifest translation: field mapping against the operators' own argument
//! building, errors with paths and lines, warnings, templates, and property-style round trips
//! through `convert`.

use std::path::PathBuf;

use serde_json::json;

use super::*;
use crate::cli::ObjectFormat;
use crate::conf::submit_args::{self, ArgsContext};

fn one(text: &str) -> Translated {
    let mut all = translate_all(text, "app.yaml", 1_700_000_000_000_000_000).unwrap();
    assert_eq!(all.len(), 1);
    all.remove(0)
}

fn err(text: &str) -> (String, String) {
    let e = translate_all(text, "app.yaml", 0).unwrap_err();
    (e.to_string(), e.hint().unwrap_or_default().to_string())
}

const KUBEFLOW_FULL: &str = r#"apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata:
  name: pi
  namespace: jobs
  labels:
    team: data
spec:
  type: Scala
  mode: cluster
  sparkVersion: "4.0.1"
  image: apache/spark:4.0.1
  imagePullPolicy: IfNotPresent
  imagePullSecrets: [regcred, other]
  mainClass: org.apache.spark.examples.SparkPi
  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
  arguments: ["1000", "--flag"]
  proxyUser: alice
  memoryOverheadFactor: "0.2"
  sparkConf:
    spark.eventLog.enabled: "false"
  hadoopConf:
    fs.s3a.endpoint: http://minio:9000
  nodeSelector:
    disk: ssd
  deps:
    jars: [local:///opt/a.jar, local:///opt/b.jar]
    files: [local:///opt/f.txt]
    packages: [org.example:lib:1.0]
    repositories: [https://repo.example.com/maven]
    excludePackages: [org.example:bad]
    archives: [local:///opt/x.zip#x]
  volumes:
    - name: spark-local-dir-1
      emptyDir:
        sizeLimit: 1Gi
    - name: data
      persistentVolumeClaim:
        claimName: data-pvc
  dynamicAllocation:
    enabled: true
    initialExecutors: 1
    minExecutors: 1
    maxExecutors: 4
  driver:
    cores: 1
    coreRequest: 500m
    coreLimit: 1200m
    memory: 512m
    memoryOverhead: 256m
    serviceAccount: spark
    javaOptions: -Dx=y
    podName: pi-driver
    labels:
      role: drv
    annotations:
      a.example.com/x: "1"
    serviceLabels:
      svc: yes-please
    serviceAnnotations:
      svc.example.com/a: b
    envVars:
      MODE: batch
    envSecretKeyRefs:
      PASSWORD:
        name: db
        key: password
    secrets:
      - name: gcp
        path: /mnt/gcp
        secretType: GCPServiceAccount
    volumeMounts:
      - name: spark-local-dir-1
        mountPath: /tmp/spark-local
  executor:
    instances: 2
    cores: 2
    coreRequest: "1"
    memory: 1g
    javaOptions: -Dz=w
    deleteOnTermination: false
    labels:
      role: exec
    envVars:
      MODE: batch
    secrets:
      - name: tok
        path: /mnt/tok
        secretType: HadoopDelegationToken
"#;

#[test]
fn kubeflow_fields_map_in_the_operators_order() {
    let t = one(KUBEFLOW_FULL);
    assert_eq!(t.flavor, Flavor::Kubeflow);
    assert_eq!(t.name, "pi");
    assert_eq!(t.namespace.as_deref(), Some("jobs"));
    assert_eq!(t.spark_version.as_deref(), Some("4.0.1"));
    let o = &t.options;
    assert_eq!(o.name.as_deref(), Some("pi"));
    assert_eq!(
        o.class.as_deref(),
        Some("org.apache.spark.examples.SparkPi")
    );
    assert_eq!(
        o.primary_resource.as_deref(),
        Some("local:///opt/spark/examples/jars/spark-examples.jar")
    );
    assert_eq!(o.app_args, vec!["1000", "--flag"]);
    assert_eq!(o.proxy_user.as_deref(), Some("alice"));
    assert_eq!(
        o.jars.as_deref(),
        Some("local:///opt/a.jar,local:///opt/b.jar")
    );
    assert_eq!(o.files.as_deref(), Some("local:///opt/f.txt"));
    assert_eq!(o.packages.as_deref(), Some("org.example:lib:1.0"));
    assert_eq!(
        o.repositories.as_deref(),
        Some("https://repo.example.com/maven")
    );
    assert_eq!(o.exclude_packages.as_deref(), Some("org.example:bad"));
    assert_eq!(o.archives.as_deref(), Some("local:///opt/x.zip#x"));
    assert_eq!(
        o.confs,
        vec![
            "spark.kubernetes.namespace=jobs",
            "spark.kubernetes.container.image=apache/spark:4.0.1",
            "spark.kubernetes.container.image.pullPolicy=IfNotPresent",
            "spark.kubernetes.container.image.pullSecrets=regcred,other",
            "spark.kubernetes.memoryOverheadFactor=0.2",
            "spark.eventLog.enabled=false",
            "spark.hadoop.fs.s3a.endpoint=http://minio:9000",
            "spark.kubernetes.driver.pod.name=pi-driver",
            "spark.kubernetes.driver.container.image=apache/spark:4.0.1",
            "spark.driver.cores=1",
            "spark.kubernetes.driver.request.cores=500m",
            "spark.kubernetes.driver.limit.cores=1200m",
            "spark.driver.memory=512m",
            "spark.driver.memoryOverhead=256m",
            "spark.kubernetes.authenticate.driver.serviceAccountName=spark",
            "spark.driver.extraJavaOptions=-Dx=y",
            "spark.kubernetes.driver.label.team=data",
            "spark.kubernetes.driver.label.role=drv",
            "spark.kubernetes.driver.annotation.a.example.com/x=1",
            "spark.kubernetes.driver.service.label.svc=yes-please",
            "spark.kubernetes.driver.service.annotation.svc.example.com/a=b",
            "spark.kubernetes.driver.secretKeyRef.PASSWORD=db:password",
            "spark.kubernetes.driverEnv.MODE=batch",
            "spark.kubernetes.driver.secrets.gcp=/mnt/gcp",
            "spark.kubernetes.driverEnv.GOOGLE_APPLICATION_CREDENTIALS=/mnt/gcp/key.json",
            "spark.kubernetes.driver.volumes.emptyDir.spark-local-dir-1.mount.path=/tmp/spark-local",
            "spark.kubernetes.driver.volumes.emptyDir.spark-local-dir-1.options.sizeLimit=1Gi",
            "spark.executor.instances=2",
            "spark.kubernetes.executor.container.image=apache/spark:4.0.1",
            "spark.executor.cores=2",
            "spark.kubernetes.executor.request.cores=1",
            "spark.executor.memory=1g",
            "spark.kubernetes.executor.deleteOnTermination=false",
            "spark.kubernetes.executor.label.team=data",
            "spark.kubernetes.executor.label.role=exec",
            "spark.executor.extraJavaOptions=-Dz=w",
            "spark.executorEnv.MODE=batch",
            "spark.kubernetes.executor.secrets.tok=/mnt/tok",
            "spark.executorEnv.HADOOP_TOKEN_FILE_LOCATION=/mnt/tok/hadoop.token",
            "spark.kubernetes.node.selector.disk=ssd",
            "spark.dynamicAllocation.enabled=true",
            "spark.dynamicAllocation.initialExecutors=1",
            "spark.dynamicAllocation.minExecutors=1",
            "spark.dynamicAllocation.maxExecutors=4",
            "spark.dynamicAllocation.shuffleTracking.enabled=true",
        ]
    );
    // No operator bookkeeping labels.
    assert!(!o.confs.iter().any(|c| c.contains("sparkoperator.k8s.io")));
    // `data` is declared but mounted by no one: a warning, as nothing mounts it.
    assert_eq!(t.warnings.len(), 1, "{:?}", t.warnings);
    assert!(t.warnings[0].contains("volume `data`"));
    assert!(!t.needs_template(Role::Driver) && !t.needs_template(Role::Executor));
}

#[test]
fn scheduled_runs_its_template_once_with_a_warning_per_schedule_field() {
    let text = r#"apiVersion: sparkoperator.k8s.io/v1beta2
kind: ScheduledSparkApplication
metadata: {name: nightly}
spec:
  schedule: "@every 1h"
  concurrencyPolicy: Forbid
  suspend: false
  template:
    type: Python
    sparkVersion: 3.5.9
    image: apache/spark:3.5.9
    mainApplicationFile: local:///opt/spark/examples/src/main/python/pi.py
    driver: {cores: 1}
    executor: {instances: 1}
"#;
    let t = one(text);
    assert_eq!(t.flavor, Flavor::KubeflowScheduled);
    assert_eq!(t.name, "nightly-1700000000000000000");
    assert_eq!(
        t.options.name.as_deref(),
        Some("nightly-1700000000000000000")
    );
    assert_eq!(t.warnings.len(), 2, "{:?}", t.warnings);
    assert!(t.warnings[0].starts_with("spec.schedule (app.yaml line 5): not emulated"));
    assert!(t.warnings[0].contains("CronJob"));
    assert!(t.warnings[1].starts_with("spec.concurrencyPolicy"));
}

#[test]
fn controller_only_fields_warn_with_what_to_use_instead() {
    let text = r#"apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: w}
spec:
  type: Scala
  sparkVersion: 4.0.1
  image: apache/spark:4.0.1
  mainClass: X
  mainApplicationFile: local:///x.jar
  restartPolicy: {type: OnFailure, onFailureRetries: 3}
  timeToLiveSeconds: 3600
  sparkUIOptions: {serviceType: NodePort}
  monitoring: {exposeDriverMetrics: true, exposeExecutorMetrics: true}
  batchScheduler: volcano
  driver: {}
"#;
    let t = one(text);
    let w = t.warnings.join("\n");
    assert_eq!(t.warnings.len(), 4, "{w}");
    // restartPolicy is honoured by `submit -f` while it waits: no warning here.
    assert!(!w.contains("restartPolicy"), "{w}");
    assert_eq!(t.restart.on_failure, 3);
    assert_eq!(
        t.restart.on_failure_interval,
        std::time::Duration::from_secs(5)
    );
    let timed = one(&text.replace(
        "{type: OnFailure, onFailureRetries: 3}",
        "{type: OnFailure, onFailureRetries: 1, onFailureRetryInterval: 2, onSubmissionFailureRetries: 4, onSubmissionFailureRetryInterval: 9}",
    ));
    assert_eq!(
        (
            timed.restart.on_failure,
            timed.restart.on_failure_interval.as_secs()
        ),
        (1, 2)
    );
    assert_eq!(
        (
            timed.restart.on_submission_failure,
            timed.restart.on_submission_failure_interval.as_secs()
        ),
        (4, 9)
    );
    assert!(
        w.contains("spec.timeToLiveSeconds (app.yaml line 11)")
            && w.contains("cleanup --older-than")
    );
    assert!(w.contains("spec.sparkUIOptions") && w.contains("kubectl spark ui"));
    assert!(w.contains("spec.monitoring"));
    assert!(w.contains("spec.batchScheduler") && w.contains("PodGroup"));
    // restartPolicy Never is what happens anyway: no warning.
    let never = text.replace("{type: OnFailure, onFailureRetries: 3}", "{type: Never}");
    assert_eq!(one(&never).warnings.len(), 4);
    assert!(!one(&never).restart.retries());
}

#[test]
fn bad_manifests_name_the_field_path_and_line() {
    let base = |spec_extra: &str, driver: &str| {
        format!(
            "apiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\nmetadata:\n  name: x\nspec:\n  type: Scala\n  image: apache/spark:4.0.1\n  mainApplicationFile: local:///x.jar\n{spec_extra}  driver:\n{driver}"
        )
    };
    let (m, _) = err(&base("", "    cores: \"2\"\n"));
    assert_eq!(
        m,
        "spec.driver.cores: expected a number, got a string (app.yaml line 10)"
    );
    let (m, h) = err(&base("  mainClas: X\n", "    cores: 1\n"));
    assert_eq!(m, "spec.mainClas: unknown field (app.yaml line 9)");
    assert!(h.contains("did you mean `mainClass`?"), "{h}");
    let (m, _) = err(&base(
        "  sparkConf:\n    spark.executor.instances: 2\n",
        "    cores: 1\n",
    ));
    assert_eq!(
        m,
        "spec.sparkConf.spark.executor.instances: expected a string, got a number (app.yaml line 10)"
    );
    let no_file = base("", "    cores: 1\n").replace("  mainApplicationFile: local:///x.jar\n", "");
    let (m, _) = err(&no_file);
    assert_eq!(
        m,
        "spec: missing required field `spec.mainApplicationFile` (app.yaml line 6)"
    );
    let no_image = base("", "    cores: 1\n").replace("  image: apache/spark:4.0.1\n", "");
    let (m, h) = err(&no_image);
    assert_eq!(
        m,
        "spec: missing required field `spec.image` (app.yaml line 6)"
    );
    assert!(h.contains("image"));
    let (m, _) = err(&base("", "    tolerations: {key: a}\n"));
    assert!(
        m.starts_with("spec.driver.tolerations: not a valid list of Toleration"),
        "{m}"
    );
    let (m, _) = err("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n");
    assert!(
        m.contains("kind Pod") && m.contains("SparkApplications"),
        "{m}"
    );
    let (m, _) = err(&base("  mode: client\n", "    cores: 1\n"));
    assert!(
        m.starts_with("spec.mode: mode `client` is not supported"),
        "{m}"
    );
}

#[test]
fn several_documents_are_all_translated_or_none() {
    let doc = KUBEFLOW_FULL.to_string();
    let two = format!("{doc}---\n{}", doc.replace("name: pi\n", "name: pi2\n"));
    let all = translate_all(&two, "app.yaml", 0).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].name, "pi2");
    assert_eq!(all[1].label, "app.yaml (document 2)");
    let bad = format!("{doc}---\n{}", doc.replace("cores: 2\n", "cores: two\n"));
    let e = translate_all(&bad, "app.yaml", 0).unwrap_err().to_string();
    assert!(
        e.starts_with("spec.executor.cores: expected a number"),
        "{e}"
    );
    assert!(
        e.contains("line 1"),
        "the line counts across documents: {e}"
    );
}

const APACHE: &str = r#"apiVersion: spark.apache.org/v1
kind: SparkApplication
metadata:
  name: pi-apache
  namespace: jobs
spec:
  mainClass: org.apache.spark.examples.SparkPi
  jars: local:///opt/spark/examples/jars/spark-examples.jar
  files: local:///opt/f.txt
  proxyUser: bob
  driverArgs: ["100"]
  sparkConf:
    spark.executor.instances: "2"
    spark.kubernetes.container.image: apache/spark:4.0.1
    spark.kubernetes.authenticate.driver.serviceAccountName: spark
  applicationTolerations:
    resourceRetainPolicy: OnFailure
  runtimeVersions:
    sparkVersion: 4.0.1
    scalaVersion: "2.13"
  driverSpec:
    podTemplateSpec:
      metadata:
        labels: {from: template}
      spec:
        priorityClassName: high
"#;

#[test]
fn apache_fields_map_like_the_submission_worker() {
    let t = one(APACHE);
    assert_eq!(t.flavor, Flavor::Apache);
    assert_eq!(t.spark_version.as_deref(), Some("4.0.1"));
    let o = &t.options;
    assert_eq!(o.name.as_deref(), Some("pi-apache"));
    assert_eq!(
        o.class.as_deref(),
        Some("org.apache.spark.examples.SparkPi")
    );
    assert_eq!(
        o.primary_resource.as_deref(),
        Some("local:///opt/spark/examples/jars/spark-examples.jar")
    );
    assert_eq!(o.files.as_deref(), Some("local:///opt/f.txt"));
    assert_eq!(o.proxy_user.as_deref(), Some("bob"));
    assert_eq!(o.app_args, vec!["100"]);
    assert_eq!(
        o.confs,
        vec![
            "spark.executor.instances=2",
            "spark.kubernetes.container.image=apache/spark:4.0.1",
            "spark.kubernetes.authenticate.driver.serviceAccountName=spark",
            "spark.kubernetes.namespace=jobs",
        ]
    );
    assert_eq!(t.warnings.len(), 1);
    assert!(t.warnings[0].starts_with("spec.applicationTolerations (app.yaml line 17)"));
    assert!(!t.restart.retries());
    // restartConfig alone is honoured by `submit -f` (no warning); with other tolerations
    // those are still warned about.
    let restart = APACHE.replace(
        "    resourceRetainPolicy: OnFailure\n",
        "    restartConfig: {restartPolicy: OnFailure, maxRestartAttempts: 2, restartBackoffMillis: 1500}\n",
    );
    let r = one(&restart);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(r.restart.on_failure, 2);
    assert_eq!(
        r.restart.on_failure_interval,
        std::time::Duration::from_millis(1500)
    );
    let both = APACHE.replace(
        "    resourceRetainPolicy: OnFailure\n",
        "    resourceRetainPolicy: OnFailure\n    restartConfig: {restartPolicy: Always}\n",
    );
    let b = one(&both);
    assert_eq!(b.warnings.len(), 1);
    assert_eq!(b.restart.on_failure, 3);
    let infra = APACHE.replace(
        "    resourceRetainPolicy: OnFailure\n",
        "    restartConfig: {restartPolicy: OnInfrastructureFailure}\n",
    );
    let i = one(&infra);
    assert!(!i.restart.retries());
    assert!(
        i.warnings
            .iter()
            .any(|w| w.contains("OnInfrastructureFailure")),
        "{:?}",
        i.warnings
    );
    let built = build_template(&t, Role::Driver, None).unwrap();
    assert_eq!(
        built.container, None,
        "Apache's operator leaves the container to Spark"
    );
    let v = serde_json::to_value(&built.pod).unwrap();
    assert_eq!(v["metadata"]["labels"]["from"], "template");
    assert_eq!(v["spec"]["priorityClassName"], "high");
    assert!(!t.needs_template(Role::Executor));
    let beta = APACHE.replace("spark.apache.org/v1\n", "spark.apache.org/v1beta1\n");
    assert_eq!(one(&beta).options, t.options);
}

#[test]
fn apache_python_and_missing_image() {
    let py = APACHE
        .replace(
            "  jars: local:///opt/spark/examples/jars/spark-examples.jar\n",
            "  pyFiles: local:///app/main.py,local:///app/dep.zip\n",
        )
        .replace("  mainClass: org.apache.spark.examples.SparkPi\n", "");
    let t = one(&py);
    assert_eq!(
        t.options.primary_resource.as_deref(),
        Some("local:///app/main.py")
    );
    assert_eq!(t.options.py_files.as_deref(), Some("local:///app/dep.zip"));
    let no_image = APACHE.replace(
        "    spark.kubernetes.container.image: apache/spark:4.0.1\n",
        "",
    );
    let (m, _) = err(&no_image);
    assert!(m.contains("spark.kubernetes.container.image"), "{m}");
}

const WEBHOOK: &str = r#"apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: hooked}
spec:
  type: Scala
  sparkVersion: 4.0.1
  image: apache/spark:4.0.1
  mainClass: X
  mainApplicationFile: local:///x.jar
  sparkConfigMap: my-spark-conf
  volumes:
    - name: data
      persistentVolumeClaim: {claimName: data-pvc}
    - name: cache
      emptyDir: {}
  driver:
    template:
      metadata:
        annotations: {from: template}
      spec:
        containers:
          - name: spark-kubernetes-driver
            env: [{name: FROM_TEMPLATE, value: "1"}]
    env:
      - name: FROM_ENV
        valueFrom: {fieldRef: {fieldPath: metadata.name}}
    envFrom: [{configMapRef: {name: env-cm}}]
    configMaps: [{name: extra, path: /etc/extra}]
    volumeMounts:
      - {name: data, mountPath: /data}
    affinity:
      nodeAffinity:
        requiredDuringSchedulingIgnoredDuringExecution:
          nodeSelectorTerms:
            - matchExpressions: [{key: zone, operator: In, values: [a]}]
    tolerations: [{key: dedicated, operator: Equal, value: spark, effect: NoSchedule}]
    podSecurityContext: {runAsUser: 185}
    securityContext: {allowPrivilegeEscalation: false}
    hostNetwork: true
    dnsConfig: {nameservers: [1.1.1.1]}
    hostAliases: [{ip: 10.0.0.1, hostnames: [db]}]
    initContainers: [{name: init, image: busybox, command: [sh, -c, "true"]}]
    sidecars: [{name: proxy, image: envoyproxy/envoy:v1.30.0}]
    priorityClassName: high
    schedulerName: my-scheduler
    nodeSelector: {pool: drivers}
    terminationGracePeriodSeconds: 30
    shareProcessNamespace: true
    runtimeClassName: gvisor
    lifecycle: {preStop: {exec: {command: [sh, -c, "sleep 1"]}}}
    ports: [{name: jmx, protocol: TCP, containerPort: 8090}]
    gpu: {name: nvidia.com/gpu, quantity: 1}
  executor:
    instances: 1
    volumeMounts:
      - {name: cache, mountPath: /cache}
      - {name: data, mountPath: /data, readOnly: true}
    tolerations: [{key: dedicated, operator: Exists}]
"#;

#[test]
fn webhook_fields_become_pod_templates_merged_with_the_manifests_own() {
    let t = one(WEBHOOK);
    assert_eq!(t.warnings.len(), 1, "{:?}", t.warnings);
    assert!(t.warnings[0].starts_with("spec.sparkConfigMap (app.yaml line 10): mounted"));
    let d = build_template(&t, Role::Driver, None).unwrap();
    assert_eq!(d.container.as_deref(), Some("spark-kubernetes-driver"));
    assert_eq!(d.file, "hooked-driver-pod-template.yaml");
    let v = serde_json::to_value(&d.pod).unwrap();
    assert_eq!(
        v,
        json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"annotations": {"from": "template"}},
            "spec": {
                "containers": [
                    {
                        "name": "spark-kubernetes-driver",
                        "env": [
                            {"name": "FROM_TEMPLATE", "value": "1"},
                            {"name": "FROM_ENV", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                            {"name": "SPARK_CONF_DIR", "value": "/etc/spark/conf"}
                        ],
                        "envFrom": [{"configMapRef": {"name": "env-cm"}}],
                        "volumeMounts": [
                            {"name": "spark-configmap-volume", "mountPath": "/etc/spark/conf", "readOnly": true},
                            {"name": "extra-vol", "mountPath": "/etc/extra", "readOnly": true},
                            {"name": "data", "mountPath": "/data"}
                        ],
                        "ports": [{"name": "jmx", "protocol": "TCP", "containerPort": 8090}],
                        "securityContext": {"allowPrivilegeEscalation": false},
                        "lifecycle": {"preStop": {"exec": {"command": ["sh", "-c", "sleep 1"]}}},
                        "resources": {"limits": {"nvidia.com/gpu": "1"}}
                    },
                    {"name": "proxy", "image": "envoyproxy/envoy:v1.30.0"}
                ],
                "volumes": [
                    {"name": "spark-configmap-volume", "configMap": {"name": "my-spark-conf"}},
                    {"name": "extra-vol", "configMap": {"name": "extra"}},
                    {"name": "data", "persistentVolumeClaim": {"claimName": "data-pvc"}}
                ],
                "hostAliases": [{"ip": "10.0.0.1", "hostnames": ["db"]}],
                "initContainers": [{"name": "init", "image": "busybox", "command": ["sh", "-c", "true"]}],
                "hostNetwork": true,
                "dnsPolicy": "ClusterFirstWithHostNet",
                "dnsConfig": {"nameservers": ["1.1.1.1"]},
                "priorityClassName": "high",
                "schedulerName": "my-scheduler",
                "nodeSelector": {"pool": "drivers"},
                "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}]}}},
                "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "spark", "effect": "NoSchedule"}],
                "securityContext": {"runAsUser": 185},
                "terminationGracePeriodSeconds": 30,
                "shareProcessNamespace": true,
                "runtimeClassName": "gvisor"
            }
        })
    );
    let e = build_template(&t, Role::Executor, None).unwrap();
    assert_eq!(e.container.as_deref(), Some("spark-kubernetes-executor"));
    let v = serde_json::to_value(&e.pod).unwrap();
    assert_eq!(
        v["spec"]["volumes"],
        json!([
            {"name": "spark-configmap-volume", "configMap": {"name": "my-spark-conf"}},
            {"name": "cache", "emptyDir": {}},
            {"name": "data", "persistentVolumeClaim": {"claimName": "data-pvc"}}
        ])
    );
    assert_eq!(
        v["spec"]["tolerations"],
        json!([{"key": "dedicated", "operator": "Exists"}])
    );
    let mut opts = t.options.clone();
    add_template_confs(&mut opts, Role::Driver, &d);
    assert_eq!(
        &opts.confs[opts.confs.len() - 2..],
        [
            "spark.kubernetes.driver.podTemplateFile=hooked-driver-pod-template.yaml",
            "spark.kubernetes.driver.podTemplateContainerName=spark-kubernetes-driver"
        ]
    );
}

#[test]
fn a_template_file_named_in_spark_conf_is_the_base() {
    let text = WEBHOOK.replace(
        "  sparkConfigMap: my-spark-conf\n",
        "  sparkConf:\n    spark.kubernetes.driver.podTemplateFile: /tmp/base.yaml\n    spark.kubernetes.driver.podTemplateContainerName: main\n",
    );
    let mut t = one(&text);
    t.driver.inline = None;
    let base: k8s_openapi::api::core::v1::Pod = serde_json::from_value(json!({
        "spec": {"containers": [{"name": "other"}, {"name": "main"}]}
    }))
    .unwrap();
    let d = build_template(&t, Role::Driver, Some(base)).unwrap();
    assert_eq!(d.file, "/tmp/base.yaml");
    assert_eq!(d.container.as_deref(), Some("main"));
    let v = serde_json::to_value(&d.pod).unwrap();
    assert_eq!(
        v["spec"]["containers"][1]["volumeMounts"][0]["name"],
        "extra-vol"
    );
}

// ------------------------------------------------------------------------------------------
// Round trips
// ------------------------------------------------------------------------------------------

fn ctx() -> ArgsContext {
    ArgsContext {
        spark_conf_dir: None,
        default_master: Some("https://10.0.0.1:6443".into()),
        cwd: PathBuf::from("/work"),
        now_millis: 1_000,
        namespace_defaults: Default::default(),
    }
}

/// The resolved configuration, minus what is implied by equal values (a per-role image equal
/// to the common one), sorted.
fn resolved(opts: &SubmitOptions) -> Vec<(String, String)> {
    let conf = submit_args::resolve(opts, &ctx()).unwrap().conf;
    let image = conf
        .get("spark.kubernetes.container.image")
        .map(str::to_string);
    let mut out: Vec<(String, String)> = conf
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .filter(|(k, v)| {
            !((k == "spark.kubernetes.driver.container.image"
                || k == "spark.kubernetes.executor.container.image")
                && image.as_deref() == Some(v.as_str()))
        })
        .collect();
    out.sort();
    out
}

/// A small deterministic generator (splitmix64), so that failures are reproducible.
struct Gen(u64);
impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn coin(&mut self) -> bool {
        self.next().is_multiple_of(2)
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
}

/// Random submit options over every field both sides can express.
fn random_options(g: &mut Gen, python: bool) -> SubmitOptions {
    let mut o = SubmitOptions {
        name: Some(g.pick(&["pi", "etl-job", "a.b"]).to_string()),
        ..SubmitOptions::default()
    };
    if python {
        o.primary_resource = Some("local:///app/main.py".into());
        if g.coin() {
            o.py_files = Some("local:///app/dep.zip,s3a://b/x.py".into());
        }
    } else {
        o.class = Some("org.example.Main".into());
        o.primary_resource = Some(
            g.pick(&["local:///opt/app.jar", "s3a://bucket/app.jar"])
                .into(),
        );
        if g.coin() {
            o.jars = Some("local:///opt/a.jar,local:///opt/b.jar".into());
        }
    }
    if g.coin() {
        o.app_args = vec!["1000".into(), "--out".into(), "s3a://b/o".into()];
    }
    let flags: [(&mut Option<String>, &[&str]); 12] = [
        (
            &mut o.files,
            &["local:///f.txt", "s3a://b/f.txt,local:///g"],
        ),
        (&mut o.archives, &["local:///x.zip#x"]),
        (&mut o.packages, &["org.a:b:1.0", "org.a:b:1.0,org.c:d:2"]),
        (&mut o.repositories, &["https://repo.example.com/m2"]),
        (&mut o.exclude_packages, &["org.x:y"]),
        (&mut o.driver_memory, &["512m", "2g"]),
        (&mut o.driver_cores, &["1", "2"]),
        (&mut o.executor_memory, &["1g", "3g"]),
        (&mut o.executor_cores, &["1", "4"]),
        (&mut o.num_executors, &["1", "3"]),
        (&mut o.driver_java_options, &["-Dx=y -XX:+UseG1GC"]),
        (&mut o.proxy_user, &["alice"]),
    ];
    for (slot, values) in flags {
        if g.coin() {
            *slot = Some(g.pick(values).to_string());
        }
    }
    let confs: &[&[&str]] = &[
        &["spark.kubernetes.container.image=apache/spark:4.0.1"],
        &[
            "spark.kubernetes.namespace=jobs",
            "spark.kubernetes.namespace=default",
        ],
        &["spark.kubernetes.container.image.pullPolicy=Always"],
        &["spark.kubernetes.container.image.pullSecrets=a,b"],
        &[
            "spark.kubernetes.driver.container.image=my/driver:1",
            "spark.kubernetes.driver.container.image=apache/spark:4.0.1",
        ],
        &["spark.kubernetes.executor.container.image=my/exec:1"],
        &["spark.kubernetes.memoryOverheadFactor=0.3"],
        &["spark.hadoop.fs.s3a.endpoint=http://minio:9000"],
        &["spark.kubernetes.node.selector.disk=ssd"],
        &[
            "spark.kubernetes.driver.label.team=a",
            "spark.kubernetes.driver.label.example.com/x=y",
        ],
        &["spark.kubernetes.executor.label.team=b"],
        &["spark.kubernetes.driver.annotation.a.example.com/b=c"],
        &["spark.kubernetes.executor.annotation.k=v"],
        &["spark.kubernetes.driver.service.label.s=1"],
        &["spark.kubernetes.driver.service.annotation.s.example.com/a=b"],
        &["spark.kubernetes.driverEnv.MODE=batch"],
        &["spark.executorEnv.MODE=batch"],
        &["spark.kubernetes.driver.secretKeyRef.PASS=db:password"],
        &["spark.kubernetes.executor.secretKeyRef.PASS=db:password"],
        &["spark.kubernetes.driver.secrets.creds=/mnt/creds"],
        &["spark.kubernetes.executor.secrets.creds=/mnt/creds"],
        &["spark.kubernetes.driver.request.cores=500m"],
        &["spark.kubernetes.driver.limit.cores=2"],
        &["spark.kubernetes.executor.request.cores=250m"],
        &["spark.kubernetes.executor.limit.cores=1"],
        &["spark.driver.memoryOverhead=300m"],
        &["spark.executor.memoryOverhead=400m"],
        &["spark.kubernetes.authenticate.driver.serviceAccountName=spark"],
        &["spark.kubernetes.authenticate.executor.serviceAccountName=exec"],
        &["spark.executor.extraJavaOptions=-Dz=w"],
        &["spark.kubernetes.driver.master=https://kubernetes.default.svc"],
        &["spark.kubernetes.driver.pod.name=my-driver"],
        &["spark.kubernetes.executor.deleteOnTermination=false"],
        &["spark.dynamicAllocation.enabled=true"],
        &["spark.dynamicAllocation.shuffleTracking.enabled=false"],
        &["spark.dynamicAllocation.maxExecutors=5"],
        &[
            "spark.kubernetes.driver.volumes.persistentVolumeClaim.data.mount.path=/data",
            "spark.kubernetes.driver.volumes.persistentVolumeClaim.data.options.claimName=pvc",
        ],
        &[
            "spark.eventLog.enabled=true",
            "spark.sql.shuffle.partitions=7",
        ],
        &["spark.kubernetes.driver.secretKeyRef.BAD=nocolon"],
    ];
    for group in confs {
        if g.coin() {
            o.confs.push(g.pick(group).to_string());
        }
    }
    // An image is required by both operators.
    if !o
        .confs
        .iter()
        .any(|c| c.starts_with("spark.kubernetes.container.image="))
    {
        o.confs
            .push("spark.kubernetes.container.image=apache/spark:4.0.1".into());
    }
    o
}

fn through_yaml(manifest: &serde_json::Value) -> Translated {
    let text = crate::output::render(manifest, ObjectFormat::Yaml).unwrap();
    let mut all =
        translate_all(&text, "converted.yaml", 0).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let t = all.remove(0);
    assert!(t.warnings.is_empty(), "{:?}\n{text}", t.warnings);
    assert!(!t.needs_template(Role::Driver) && !t.needs_template(Role::Executor));
    t
}

/// Random options → a manifest (`emit`) → YAML → options again: the same Spark configuration,
/// resource and arguments, for `cases` combinations.
fn round_trip(
    seed: u64,
    cases: usize,
    emit: fn(&SubmitOptions, &str) -> crate::error::Result<(serde_json::Value, emit::Notes)>,
) {
    let mut g = Gen(seed);
    for i in 0..cases {
        let opts = random_options(&mut g, i % 3 == 0);
        let (manifest, _) = emit(&opts, "4.0.1").unwrap();
        let back = through_yaml(&manifest);
        assert_eq!(
            resolved(&opts),
            resolved(&back.options),
            "case {i}: {opts:#?}\n{manifest:#}"
        );
        assert_eq!(back.options.app_args, opts.app_args, "case {i}");
        assert_eq!(back.options.primary_resource, opts.primary_resource);
    }
}

#[test]
fn args_to_kubeflow_and_back_keep_every_property() {
    round_trip(15, 400, emit::to_kubeflow);
}

#[test]
fn args_to_apache_and_back_keep_every_property() {
    round_trip(99, 400, emit::to_apache);
}

#[test]
fn kubeflow_to_args_and_back_is_a_fixed_point() {
    // manifest → options → manifest → options: the second translation changes nothing.
    let t = one(KUBEFLOW_FULL);
    let (m1, _) = emit::to_kubeflow(&t.options, "4.0.1").unwrap();
    let t1 = through_yaml(&m1);
    assert_eq!(resolved(&t.options), resolved(&t1.options));
    let (m2, _) = emit::to_kubeflow(&t1.options, "4.0.1").unwrap();
    assert_eq!(m1, m2);
}

#[test]
fn options_render_as_a_command_line_that_parses_back() {
    use clap::Parser;
    let mut g = Gen(7);
    for _ in 0..200 {
        let opts = random_options(&mut g, false);
        let argv = ["kubectl-spark".to_string(), "submit".into()]
            .into_iter()
            .chain(emit::to_args(&opts));
        let cli = crate::cli::Cli::try_parse_from(argv).unwrap();
        let crate::cli::Command::Submit(s) = cli.command else {
            panic!()
        };
        assert_eq!(crate::submit::args::to_options(&s), opts);
    }
    assert_eq!(emit::shell_quote("a b'c"), "'a b'\\''c'");
    assert_eq!(emit::shell_quote("spark.x=y"), "spark.x=y");
}
