//! CLI tests of `kubectl spark submit` that need no API server: every bad input gets a
//! one-screen error naming the flag or key, exit code 2 and nothing on stdout; kube flags and
//! namespaces resolve like kubectl. `--dry-run=client` prints the objects without contacting
//! the server (the kubeconfig below points at an address nothing listens on).

use std::path::Path;
use std::process::Output;

mod offline;

use offline::{Env, assert_bad_input, stderr};

impl Env {
    /// `submit --dry-run=client -o json` with a valid base plus `extra` arguments before the
    /// resource.
    fn submit(&self, extra: &[&str]) -> Output {
        let mut args: Vec<String> = vec![
            "--kubeconfig".into(),
            self.kubeconfig().display().to_string(),
            "submit".into(),
            "--dry-run=client".into(),
            "-o".into(),
            "json".into(),
            "--name".into(),
            "spark-pi".into(),
            "--class".into(),
            "org.apache.spark.examples.SparkPi".into(),
        ];
        if !extra.iter().any(|a| a.contains("container.image")) && !extra.contains(&"NO-IMAGE") {
            args.push("--conf".into());
            args.push("spark.kubernetes.container.image=apache/spark:4.0.1".into());
        }
        args.extend(
            extra
                .iter()
                .filter(|a| **a != "NO-IMAGE")
                .map(|s| s.to_string()),
        );
        if !extra
            .iter()
            .any(|a| a.starts_with("local://") || a.ends_with(".py") || a.ends_with(".jar"))
        {
            args.push("local:///opt/spark/examples/jars/spark-examples.jar".into());
        }
        self.cmd().args(&args).output().unwrap()
    }
}

fn objects(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "stderr:\n{}", stderr(o));
    serde_json::from_slice(&o.stdout).expect("stdout is one JSON document")
}

#[test]
fn missing_image() {
    let env = Env::new();
    assert_bad_input(
        &env.submit(&["NO-IMAGE"]),
        &[
            "Must specify the driver container image",
            "spark.kubernetes.container.image",
        ],
    );
}

#[test]
fn reserved_label() {
    let env = Env::new();
    let o = env.submit(&["--conf", "spark.kubernetes.driver.label.spark-role=x"]);
    assert_bad_input(
        &o,
        &[
            "Label with key spark-role is not allowed as it is reserved for Spark bookkeeping operations.",
        ],
    );
}

#[test]
fn bind_address_and_host() {
    let env = Env::new();
    let o = env.submit(&["--conf", "spark.driver.bindAddress=0.0.0.0"]);
    assert_bad_input(
        &o,
        &["spark.driver.bindAddress is not supported in Kubernetes mode"],
    );
}

#[test]
fn volume_grammar() {
    let env = Env::new();
    let o = env.submit(&[
        "--conf",
        "spark.kubernetes.driver.volumes.foo.v.mount.path=/x",
    ]);
    assert_bad_input(&o, &["Kubernetes Volume type `foo` is not supported"]);
    let o = env.submit(&[
        "--conf",
        "spark.kubernetes.driver.volumes.hostPath.v.mount.path=/x",
    ]);
    assert_bad_input(&o, &["hostPath.v.options.path is required for hostPath"]);
    let o = env.submit(&[
        "--conf",
        "spark.kubernetes.executor.volumes.emptyDir.v.options.medium=Memory",
    ]);
    assert_bad_input(&o, &["mount.path"]);
}

#[test]
fn secret_key_ref_format() {
    let env = Env::new();
    let o = env.submit(&[
        "--conf",
        "spark.kubernetes.driver.secretKeyRef.PASSWORD=just-a-name",
    ]);
    assert_bad_input(
        &o,
        &[
            "SecretKeyRef must be in the form name:key.",
            "spark.kubernetes.driver.secretKeyRef.PASSWORD",
        ],
    );
}

#[test]
fn kerberos_pairs() {
    let env = Env::new();
    let o = env.submit(&["--principal", "alice@EXAMPLE.COM"]);
    assert_bad_input(&o, &["keytab"]);
}

#[test]
fn bad_memory_and_durations() {
    let env = Env::new();
    assert_bad_input(
        &env.submit(&["--driver-memory", "1.5g"]),
        &["--driver-memory", "1.5g"],
    );
    assert_bad_input(
        &env.submit(&["--conf", "spark.driver.memory=1.5g"]),
        &["spark.driver.memory", "1.5g"],
    );
    assert_bad_input(
        &env.submit(&["--executor-memory", "lots"]),
        &["--executor-memory"],
    );
    let o = env.submit(&["--conf", "spark.kubernetes.report.interval=soon"]);
    assert_bad_input(&o, &["spark.kubernetes.report.interval"]);
}

#[test]
fn malformed_conf() {
    let env = Env::new();
    assert_bad_input(
        &env.submit(&["--conf", "spark.executor.instances"]),
        &["spark.executor.instances", "key=value"],
    );
}

#[test]
fn unreadable_files() {
    let env = Env::new();
    let missing = env.path("nope.conf");
    let o = env.submit(&["--properties-file", missing.to_str().unwrap()]);
    assert_bad_input(&o, &["--properties-file", "nope.conf"]);
    let tmpl = format!(
        "spark.kubernetes.driver.podTemplateFile={}",
        env.path("nope.yaml").display()
    );
    assert_bad_input(
        &env.submit(&["--conf", &tmpl]),
        &["spark.kubernetes.driver.podTemplateFile", "nope.yaml"],
    );
    std::fs::write(env.path("bad.yaml"), "spec: [this is: not a pod").unwrap();
    let tmpl = format!(
        "spark.kubernetes.driver.podTemplateFile={}",
        env.path("bad.yaml").display()
    );
    assert_bad_input(
        &env.submit(&["--conf", &tmpl]),
        &["Could not load pod from template file."],
    );
}

#[test]
fn invalid_pull_policy() {
    let env = Env::new();
    let o = env.submit(&[
        "--conf",
        "spark.kubernetes.container.image.pullPolicy=Sometimes",
    ]);
    assert_bad_input(
        &o,
        &[
            "spark.kubernetes.container.image.pullPolicy",
            "IfNotPresent",
        ],
    );
}

#[test]
fn client_mode_is_explained() {
    let env = Env::new();
    assert_bad_input(
        &env.submit(&["--deploy-mode", "client"]),
        &["client", "client-setup"],
    );
}

#[test]
fn local_files_need_an_upload_path() {
    let env = Env::new();
    std::fs::write(env.path("app.jar"), b"jar").unwrap();
    let jar = env.path("app.jar");
    let o = env.submit(&["--jars", jar.to_str().unwrap()]);
    assert_bad_input(
        &o,
        &["Please specify spark.kubernetes.file.upload.path property."],
    );
}

#[test]
fn unknown_kubernetes_key_is_a_warning_with_a_suggestion() {
    let env = Env::new();
    let o = env.submit(&["--conf", "spark.kubernetes.driver.limit.core=2"]);
    let list = objects(&o);
    assert_eq!(list["kind"], "List");
    let err = stderr(&o);
    assert!(
        err.contains("spark.kubernetes.driver.limit.core")
            && err.contains("spark.kubernetes.driver.limit.cores"),
        "{err}"
    );
}

#[test]
fn namespace_flag_and_conf_must_agree() {
    let env = Env::new();
    let o = env.submit(&["-n", "x", "--conf", "spark.kubernetes.namespace=y"]);
    assert_bad_input(&o, &["-n x", "spark.kubernetes.namespace=y"]);
}

#[test]
fn bad_master() {
    let env = Env::new();
    assert_bad_input(
        &env.submit(&["--master", "k8s://ftp://host:1"]),
        &["Invalid Kubernetes master scheme: ftp"],
    );
    assert_bad_input(&env.submit(&["--master", "yarn"]), &["--master"]);
}

#[test]
fn unsupported_spark_version() {
    let env = Env::new();
    assert_bad_input(
        &env.submit(&["--spark-version", "2.4.8"]),
        &["2.4.8", "--spark-version"],
    );
}

#[test]
fn output_needs_dry_run() {
    let env = Env::new();
    let o = env
        .cmd()
        .args([
            "--kubeconfig",
            env.kubeconfig().to_str().unwrap(),
            "submit",
            "-o",
            "json",
            "--conf",
        ])
        .args([
            "spark.kubernetes.container.image=a/b:4.0.1",
            "--class",
            "A",
            "local:///a.jar",
        ])
        .output()
        .unwrap();
    assert_bad_input(&o, &["--dry-run"]);
}

fn pod_namespace(list: &serde_json::Value) -> String {
    list["items"][0]["metadata"]["namespace"]
        .as_str()
        .unwrap()
        .to_string()
}

fn properties(list: &serde_json::Value) -> String {
    let items = list["items"].as_array().unwrap();
    items.last().unwrap()["data"]["spark.properties"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn dry_run_prints_objects_in_creation_order() {
    let env = Env::new();
    let list = objects(&env.submit(&[]));
    let kinds: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Pod", "Service", "ConfigMap"]);
    let yaml = env
        .cmd()
        .args([
            "--kubeconfig",
            env.kubeconfig().to_str().unwrap(),
            "submit",
            "--dry-run",
            "-o",
            "yaml",
        ])
        .args([
            "--conf",
            "spark.kubernetes.container.image=a/b:4.0.1",
            "--class",
            "A",
            "local:///a.jar",
        ])
        .output()
        .unwrap();
    assert!(yaml.status.success());
    assert!(String::from_utf8_lossy(&yaml.stdout).starts_with("apiVersion: v1\n"));
}

#[test]
fn namespace_comes_from_the_context_then_flags_then_conf() {
    let env = Env::new();
    let list = objects(&env.submit(&[]));
    assert_eq!(pod_namespace(&list), "team-a");
    assert!(properties(&list).contains("spark.master=k8s\\://https\\://127.0.0.1\\:1\n"));
    let list = objects(&env.submit(&["-n", "flag-ns"]));
    assert_eq!(pod_namespace(&list), "flag-ns");
    assert!(properties(&list).contains("spark.kubernetes.namespace=flag-ns\n"));
    let list = objects(&env.submit(&["--conf", "spark.kubernetes.namespace=conf-ns"]));
    assert_eq!(pod_namespace(&list), "conf-ns");
}

#[test]
fn context_flag_selects_cluster_and_namespace() {
    let env = Env::new();
    let mut args = vec!["--context", "b"];
    args.extend([
        "--conf",
        "spark.kubernetes.container.image=apache/spark:4.0.1",
    ]);
    let list = objects(&env.submit(&args));
    assert_eq!(pod_namespace(&list), "default");
    let props = properties(&list);
    assert!(
        props.contains("spark.master=k8s\\://https\\://127.0.0.2\\:2\n"),
        "{props}"
    );
    assert!(
        !props.contains("spark.kubernetes.namespace="),
        "Spark writes the namespace only when set: {props}"
    );
    let bad = env.submit(&["--context", "missing"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("missing"), "{}", stderr(&bad));
}

#[test]
fn kubeconfig_env_list_is_merged() {
    let env = Env::new();
    let second = env.path("second");
    std::fs::write(
        &second,
        "apiVersion: v1\nkind: Config\nclusters: [{name: z, cluster: {server: 'https://127.0.0.9:9'}}]\n\
         users: [{name: zu, user: {token: t2}}]\ncontexts: [{name: z, context: {cluster: z, user: zu, namespace: zns}}]\n\
         current-context: z\n",
    )
    .unwrap();
    let joined = std::env::join_paths([Path::new(&env.kubeconfig()), second.as_path()]).unwrap();
    let run = |extra: &[&str]| {
        env.cmd()
            .env("KUBECONFIG", &joined)
            .args(["submit", "--dry-run=client", "-o", "json", "--class", "A"])
            .args([
                "--conf",
                "spark.kubernetes.container.image=apache/spark:4.0.1",
            ])
            .args(extra)
            .arg("local:///a.jar")
            .output()
            .unwrap()
    };
    // The first file sets current-context (a), so its namespace wins; context z comes from the second file.
    assert_eq!(pod_namespace(&objects(&run(&[]))), "team-a");
    assert_eq!(pod_namespace(&objects(&run(&["--context", "z"]))), "zns");
}

#[test]
fn help_and_unbuilt_commands() {
    let env = Env::new();
    let o = env.cmd().arg("--help").output().unwrap();
    assert!(o.status.success());
    let help = String::from_utf8_lossy(&o.stdout);
    for word in [
        "submit",
        "status",
        "logs",
        "ui",
        "kill",
        "--kubeconfig",
        "--context",
        "--namespace",
    ] {
        assert!(help.contains(word), "--help lacks {word}");
    }
}

/// `kubectl spark [kube flags] submit ARGS` without a dry run: the errors below come before
/// any API call (the kubeconfig's server is an address nothing listens on).
fn submit_for_real(env: &Env, kube: &[&str], args: &[&str]) -> Output {
    env.cmd()
        .args(["--kubeconfig", env.kubeconfig().to_str().unwrap()])
        .args(kube)
        .arg("submit")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn spark_submit_kill_and_status_name_the_command_to_run() {
    let env = Env::new();
    let kubeconfig = env.kubeconfig().display().to_string();
    let o = submit_for_real(&env, &[], &["--kill", "spark:spark-pi-1-driver"]);
    assert_bad_input(
        &o,
        &[
            "--kill",
            &format!("run: kubectl spark --kubeconfig {kubeconfig} kill spark:spark-pi-1-driver"),
        ],
    );
    let o = submit_for_real(
        &env,
        &["-n", "team"],
        &[
            "--master",
            "k8s://https://127.0.0.1:1",
            "--status",
            "spark-pi*",
        ],
    );
    assert_bad_input(
        &o,
        &[
            "--status",
            &format!("run: kubectl spark --kubeconfig {kubeconfig} -n team status 'spark-pi*'"),
            "-o spark",
        ],
    );
    let o = submit_for_real(&env, &[], &["--kill=ns:p"]);
    assert_bad_input(&o, &["kill ns:p"]);
}

#[test]
fn unknown_options_before_the_resource_are_errors() {
    let env = Env::new();
    // Not a local file to upload: an option Kubernetes has no use for.
    assert_bad_input(
        &env.submit(&["--supervise"]),
        &["--supervise", "not supported on Kubernetes"],
    );
    assert_bad_input(
        &env.submit(&["--total-executor-cores", "8"]),
        &["--total-executor-cores", "--num-executors"],
    );
    // A typo gets the nearest option of submit.
    assert_bad_input(
        &env.submit(&["--driver-memroy", "1g"]),
        &[
            "unknown option --driver-memroy",
            "did you mean --driver-memory?",
        ],
    );
    assert_bad_input(
        &env.submit(&["--frobnicate"]),
        &["unknown option --frobnicate", "before the primary resource"],
    );
    // After the primary resource, options belong to the application, untouched.
    let list = objects(&env.submit(&["local:///opt/app.jar", "--supervise", "--kill", "x"]));
    let args = &list["items"][0]["spec"]["containers"][0]["args"];
    let args: Vec<&str> = args
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(args.ends_with(&["--supervise", "--kill", "x"]), "{args:?}");
}

#[test]
fn timeout_is_a_duration_and_needs_a_wait() {
    let env = Env::new();
    assert_bad_input(
        &env.submit(&["--timeout", "soon"]),
        &["--timeout", "`soon`"],
    );
    assert_bad_input(
        &submit_for_real(
            &env,
            &[],
            &[
                "--no-wait",
                "--timeout",
                "5m",
                "--conf",
                "spark.kubernetes.container.image=a/b:4.0.1",
                "--class",
                "A",
                "local:///a.jar",
            ],
        ),
        &["--timeout", "--no-wait"],
    );
    assert_bad_input(&env.submit(&["--log-tail", "-3"]), &["--log-tail"]);
}

/// Every object of a dry run names the namespace Spark would create it in, in both output
/// forms: with a Secret (shipped credentials), an OnDemand PVC, the Hadoop, krb5 and executor
/// template ConfigMaps and (4.2+) the NetworkPolicy, besides the Pod, Service and conf map.
#[test]
fn every_dry_run_object_carries_its_namespace() {
    let env = Env::new();
    let hadoop = env.path("hadoop");
    std::fs::create_dir(&hadoop).unwrap();
    std::fs::write(hadoop.join("core-site.xml"), "<configuration/>").unwrap();
    std::fs::write(env.path("krb5.conf"), "[libdefaults]\n").unwrap();
    std::fs::write(
        env.path("exec.yaml"),
        "apiVersion: v1\nkind: Pod\nspec: {}\n",
    )
    .unwrap();
    let krb5 = format!(
        "spark.kubernetes.kerberos.krb5.path={}",
        env.path("krb5.conf").display()
    );
    let template = format!(
        "spark.kubernetes.executor.podTemplateFile={}",
        env.path("exec.yaml").display()
    );
    let args = [
        "--dry-run=client",
        "--spark-version",
        "4.2.1",
        "--class",
        "A",
        "--conf",
        "spark.kubernetes.container.image=apache/spark:4.2.1",
        "--conf",
        "spark.kubernetes.authenticate.driver.oauthToken=driver-token",
        "--conf",
        "spark.kubernetes.driver.volumes.persistentVolumeClaim.data.options.claimName=OnDemand",
        "--conf",
        "spark.kubernetes.driver.volumes.persistentVolumeClaim.data.options.sizeLimit=1Gi",
        "--conf",
        "spark.kubernetes.driver.volumes.persistentVolumeClaim.data.options.storageClass=standard",
        "--conf",
        "spark.kubernetes.driver.volumes.persistentVolumeClaim.data.mount.path=/data",
        "--conf",
        &krb5,
        "--conf",
        &template,
    ];
    for (form, parse) in [
        (
            "json",
            (|b: &[u8]| serde_json::from_slice(b).unwrap()) as fn(&[u8]) -> serde_json::Value,
        ),
        ("yaml", |b: &[u8]| {
            serde_saphyr::from_str(std::str::from_utf8(b).unwrap()).unwrap()
        }),
    ] {
        let o = env
            .cmd()
            .env("HADOOP_CONF_DIR", &hadoop)
            .args(["--kubeconfig", env.kubeconfig().to_str().unwrap(), "submit"])
            .args(args)
            .args(["-o", form, "local:///a.jar"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{form}: {}", stderr(&o));
        let list = parse(&o.stdout);
        let items = list["items"].as_array().unwrap();
        let kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
        for kind in [
            "Pod",
            "Secret",
            "Service",
            "NetworkPolicy",
            "PersistentVolumeClaim",
            "ConfigMap",
        ] {
            assert!(kinds.contains(&kind), "{form}: no {kind} in {kinds:?}");
        }
        assert!(
            kinds.iter().filter(|k| **k == "ConfigMap").count() >= 4,
            "{form}: {kinds:?}"
        );
        for item in items {
            assert_eq!(
                item["metadata"]["namespace"], "team-a",
                "{form}: {} {} has no namespace",
                item["kind"], item["metadata"]["name"]
            );
        }
    }
}

fn kinds(list: &serde_json::Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap().to_string())
        .collect()
}

/// The version comes from the first image setting that names one (driver, common, executor),
/// and only the default guess is said on stderr, once, with how to pin it.
#[test]
fn spark_version_is_read_from_every_image_setting() {
    let env = Env::new();
    let o = env.submit(&[
        "--conf",
        "spark.kubernetes.driver.container.image=myrepo/etl-driver:prod",
        "--conf",
        "spark.kubernetes.container.image=apache/spark:3.5.4",
    ]);
    let list = objects(&o);
    assert_eq!(
        list["items"][0]["metadata"]["labels"]["spark-version"],
        "3.5.4"
    );
    assert!(!stderr(&o).contains("--spark-version"), "{}", stderr(&o));

    let o = env.submit(&[
        "--conf",
        "spark.kubernetes.driver.container.image=myrepo/etl-driver:prod",
        "--conf",
        "spark.kubernetes.executor.container.image=apache/spark:4.3.0",
    ]);
    let list = objects(&o);
    let pod = &list["items"][0];
    assert_eq!(pod["metadata"]["labels"]["spark-version"], "4.3.0");
    assert!(kinds(&list).contains(&"NetworkPolicy".to_string()));
    assert_eq!(
        pod["spec"]["containers"][0]["securityContext"]["allowPrivilegeEscalation"],
        false
    );

    let o = env.submit(&["--conf", "spark.kubernetes.container.image=my/spark:latest"]);
    let list = objects(&o);
    assert_eq!(
        list["items"][0]["metadata"]["labels"]["spark-version"],
        "4.0.1"
    );
    let err = stderr(&o);
    assert_eq!(err.matches("--spark-version").count(), 1, "{err}");
    assert!(err.contains("my/spark:latest"), "{err}");
}

/// `{{SPARK_VERSION}}` (4.1+) is replaced in the driver's own image, with the version read
/// from another image setting.
#[test]
fn spark_version_placeholder_in_the_driver_image() {
    let env = Env::new();
    let list = objects(&env.submit(&[
        "--conf",
        "spark.kubernetes.driver.container.image=myrepo/etl-driver:{{SPARK_VERSION}}",
        "--conf",
        "spark.kubernetes.container.image=apache/spark:4.1.2",
    ]));
    assert_eq!(
        list["items"][0]["spec"]["containers"][0]["image"],
        "myrepo/etl-driver:4.1.2"
    );
}

/// Only values that are secrets are warned about as stored in plain text; keys naming a
/// file, a Kubernetes Secret or a provider class are not secrets.
#[test]
fn plain_text_warning_only_for_secret_values() {
    let env = Env::new();
    let o = env.submit(&[
        "--conf",
        "spark.kubernetes.authenticate.driver.mounted.oauthTokenFile=/var/run/secrets/token",
        "--conf",
        "spark.kubernetes.driver.secretKeyRef.AWS_SECRET_ACCESS_KEY=s3-creds:secret-key",
        "--conf",
        "spark.kubernetes.driver.secrets.s3-creds=/etc/s3",
        "--conf",
        "spark.hadoop.fs.s3a.aws.credentials.provider=com.amazonaws.auth.EnvironmentVariableCredentialsProvider",
    ]);
    objects(&o);
    assert!(!stderr(&o).contains("plain text"), "{}", stderr(&o));
    let o = env.submit(&["--conf", "spark.hadoop.fs.s3a.secret.key=hunter2"]);
    objects(&o);
    let err = stderr(&o);
    assert!(
        err.contains("plain text") && err.contains("spark.hadoop.fs.s3a.secret.key"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
}

/// A missing required setting with a near miss given names the near miss in the error.
#[test]
fn missing_setting_names_the_typo() {
    let env = Env::new();
    let o = env.submit(&[
        "NO-IMAGE",
        "--conf",
        "spark.kubernetes.contianer.image=apache/spark:4.0.1",
    ]);
    assert_bad_input(
        &o,
        &[
            "Must specify the driver container image",
            "you set `spark.kubernetes.contianer.image`; did you mean `spark.kubernetes.container.image`?",
        ],
    );
}

/// A near miss of any Spark key warns naming the key it likely meant (the submission still
/// goes ahead); correct keys and user-defined namespaces never warn.
#[test]
fn typos_in_any_spark_key_warn() {
    let env = Env::new();
    let o = env.submit(&[
        "--conf",
        "spark.executor.memroy=2g",
        "--conf",
        "spark.exectuor.instances=3",
    ]);
    objects(&o);
    let err = stderr(&o);
    for line in [
        "unknown configuration key `spark.executor.memroy` (did you mean `spark.executor.memory`?); it is passed to Spark unchanged",
        "unknown configuration key `spark.exectuor.instances` (did you mean `spark.executor.instances`?); it is passed to Spark unchanged",
    ] {
        assert!(err.contains(line), "{err}");
    }

    let o = env.submit(&[
        "--conf",
        "spark.executor.memory=2g",
        "--conf",
        "spark.sql.shuffle.partitions=8",
        "--conf",
        "spark.sql.adaptive.enabled=true",
        "--conf",
        "spark.executor.maxNumFailures=2",
        "--conf",
        "spark.hadoop.fs.s3a.path.style.access=true",
        "--conf",
        "spark.executorEnv.PYTHONHASHSEED=0",
        "--conf",
        "spark.sql.catalog.lake=org.apache.iceberg.spark.SparkCatalog",
        "--conf",
        "spark.sql.catalog.lake.type=hadoop",
        "--conf",
        "spark.hive.metastore.uris=thrift://metastore:9083",
        "--conf",
        "spark.myapp.input=s3a://bucket/in",
    ]);
    objects(&o);
    let err = stderr(&o);
    assert!(!err.contains("unknown configuration key"), "{err}");
}
