use std::path::PathBuf;

use super::*;
use crate::conf::submit_args::{self, ArgsContext, SubmitOptions};

fn request<'a>(confs: &'a [String], event_log_dir: Option<&'a str>) -> SetupRequest<'a> {
    SetupRequest {
        event_log_dir,
        image: Some("apache/spark:4.0.1"),
        confs,
        service_account: "spark",
    }
}

fn confs(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn setup_splits_plain_settings_from_secrets() {
    let c = confs(&[
        "spark.hadoop.fs.s3a.endpoint=http://10.0.0.1:9000",
        "spark.hadoop.fs.s3a.access.key=AKIA-ID",
        "spark.hadoop.fs.s3a.secret.key=very-secret",
        "spark.hadoop.fs.azure.account.key.acc.dfs.core.windows.net=azure-key",
    ]);
    let (d, secrets) = from_setup(&request(&c, Some("s3a://logs/events"))).unwrap();
    assert_eq!(d.conf.get(EVENT_LOG_DIR), Some("s3a://logs/events"));
    assert_eq!(d.conf.get(EVENT_LOG_ENABLED), Some("true"));
    assert_eq!(d.conf.get(IMAGE_KEY), Some("apache/spark:4.0.1"));
    assert_eq!(d.conf.get(SERVICE_ACCOUNT_KEY), Some("spark"));
    assert_eq!(
        d.conf.get("spark.hadoop.fs.s3a.endpoint"),
        Some("http://10.0.0.1:9000")
    );
    assert_eq!(
        d.secret_keys,
        vec![
            "spark.hadoop.fs.azure.account.key.acc.dfs.core.windows.net",
            "spark.hadoop.fs.s3a.access.key",
            "spark.hadoop.fs.s3a.secret.key",
        ]
    );
    assert_eq!(secrets["spark.hadoop.fs.s3a.secret.key"], "very-secret");
    // The ConfigMap names the secret keys but holds none of their values.
    let cm = d.config_map("ns");
    let text = serde_json::to_string(&cm).unwrap();
    for value in ["AKIA-ID", "very-secret", "azure-key"] {
        assert!(!text.contains(value), "{value} leaked into {text}");
    }
    let s = secret("ns", &secrets).unwrap();
    assert_eq!(
        s.data.unwrap()["spark.hadoop.fs.s3a.access.key"].0,
        b"AKIA-ID"
    );
    // The ConfigMap reads back to the same defaults.
    assert_eq!(NamespaceDefaults::from_config_map(&cm).unwrap(), d);
}

#[test]
fn setup_refuses_what_is_not_a_namespace_default() {
    let bad = |items: &[&str]| {
        let c = confs(items);
        from_setup(&request(&c, None)).unwrap_err().to_string()
    };
    assert!(bad(&["spark.master=k8s://x"]).contains("spark.master"));
    assert!(bad(&["spark.kubernetes.namespace=x"]).contains("one submission"));
    assert!(bad(&["hadoop.fs.x=1"]).contains("not a Spark property"));
    assert!(bad(&["spark.authenticate.secret=s"]).contains("only spark.hadoop.*"));
    assert!(bad(&["spark.eventLog.dir"]).contains("KEY=VALUE"));
    assert!(from_setup(&request(&[], Some(" "))).is_err());
}

#[test]
fn secrets_reach_jvms_as_environment_variables_from_the_secret() {
    let d = NamespaceDefaults {
        conf: SparkConf::from_pairs(&[("spark.eventLog.enabled", "true")]),
        secret_keys: vec![
            "spark.hadoop.fs.gs.auth.client.secret".into(),
            "spark.hadoop.fs.s3a.secret.key".into(),
        ],
    };
    let layer = d.layer();
    assert_eq!(
        layer.get("spark.kubernetes.driver.secretKeyRef.AWS_SECRET_ACCESS_KEY"),
        Some("kubectl-spark-defaults:spark.hadoop.fs.s3a.secret.key")
    );
    assert_eq!(
        layer.get("spark.kubernetes.executor.secretKeyRef.AWS_SECRET_ACCESS_KEY"),
        Some("kubectl-spark-defaults:spark.hadoop.fs.s3a.secret.key")
    );
    // S3A reads AWS_* itself: its key is not set. Others point at their variable.
    assert_eq!(layer.get("spark.hadoop.fs.s3a.secret.key"), None);
    assert_eq!(
        layer.get("spark.hadoop.fs.gs.auth.client.secret"),
        Some("${env.KSPARK_DEFAULT_FS_GS_AUTH_CLIENT_SECRET}")
    );
    assert_eq!(
        layer.get("spark.kubernetes.driver.secretKeyRef.KSPARK_DEFAULT_FS_GS_AUTH_CLIENT_SECRET"),
        Some("kubectl-spark-defaults:spark.hadoop.fs.gs.auth.client.secret")
    );
    assert_eq!(layer.get("spark.eventLog.enabled"), Some("true"));
}

fn ctx(dir: Option<PathBuf>, defaults: &NamespaceDefaults) -> ArgsContext {
    ArgsContext {
        spark_conf_dir: dir,
        default_master: Some("https://127.0.0.1:6443".into()),
        cwd: PathBuf::from("/tmp"),
        now_millis: 1_000,
        namespace_defaults: defaults.layer(),
    }
}

/// The whole order, lowest first: namespace defaults < spark-defaults.conf <
/// --properties-file < --conf < the dedicated flags.
#[test]
fn namespace_defaults_are_the_lowest_layer() {
    let dir = std::env::temp_dir().join(format!("kspark-defaults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("spark-defaults.conf"),
        "spark.executor.cores=2\nspark.driver.cores=2\nspark.eventLog.dir=file:/from-spark-defaults\n",
    )
    .unwrap();
    let props = dir.join("app.properties");
    std::fs::write(
        &props,
        "spark.executor.cores=3\nspark.executor.instances=3\n",
    )
    .unwrap();
    let d = NamespaceDefaults {
        conf: SparkConf::from_pairs(&[
            ("spark.eventLog.enabled", "true"),
            ("spark.eventLog.dir", "s3a://ns/events"),
            ("spark.executor.cores", "1"),
            ("spark.executor.memory", "1g"),
            ("spark.driver.cores", "1"),
            ("spark.executor.instances", "1"),
            ("spark.kubernetes.container.image", "ns/image:4.0.1"),
        ]),
        secret_keys: vec![],
    };
    let opts = SubmitOptions {
        primary_resource: Some("local:///opt/app.jar".into()),
        class: Some("a.Main".into()),
        confs: vec!["spark.executor.memory=4g".into()],
        executor_memory: None,
        driver_memory: Some("3g".into()),
        ..SubmitOptions::default()
    };
    // Without a properties file: spark-defaults.conf is read and beats the namespace.
    let conf = submit_args::resolve(&opts, &ctx(Some(dir.clone()), &d))
        .unwrap()
        .conf;
    assert_eq!(
        conf.get("spark.driver.cores"),
        Some("2"),
        "spark-defaults.conf"
    );
    assert_eq!(
        conf.get("spark.eventLog.dir"),
        Some("file:/from-spark-defaults")
    );
    assert_eq!(
        conf.get("spark.eventLog.enabled"),
        Some("true"),
        "namespace"
    );
    assert_eq!(conf.get("spark.executor.memory"), Some("4g"), "--conf");
    assert_eq!(conf.get("spark.driver.memory"), Some("3g"), "flag");
    assert_eq!(
        conf.get("spark.kubernetes.container.image"),
        Some("ns/image:4.0.1")
    );
    // With --properties-file (spark-defaults.conf not read): the file beats the namespace.
    let with_file = SubmitOptions {
        properties_file: Some(props.clone()),
        num_executors: Some("5".into()),
        ..opts.clone()
    };
    let conf = submit_args::resolve(&with_file, &ctx(Some(dir.clone()), &d))
        .unwrap()
        .conf;
    assert_eq!(
        conf.get("spark.executor.cores"),
        Some("3"),
        "--properties-file"
    );
    assert_eq!(conf.get("spark.driver.cores"), Some("1"), "namespace");
    assert_eq!(conf.get("spark.executor.instances"), Some("5"), "flag");
    assert_eq!(conf.get("spark.eventLog.dir"), Some("s3a://ns/events"));
    // Without defaults nothing changes.
    let empty = NamespaceDefaults::default();
    let plain = submit_args::resolve(&opts, &ctx(None, &empty))
        .unwrap()
        .conf;
    assert_eq!(plain.get("spark.eventLog.enabled"), None);
    assert_eq!(plain.get("spark.executor.cores"), None);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn applied_keys_are_those_the_submission_did_not_set() {
    let d = NamespaceDefaults {
        conf: SparkConf::from_pairs(&[("a.x", "1"), ("a.y", "2")]),
        secret_keys: vec![],
    };
    let mine = SparkConf::from_pairs(&[("a.y", "9")]);
    assert_eq!(d.applied_to(&mine), vec!["a.x".to_string()]);
    let mut conf = mine.clone();
    merge_under(&mut conf, &d.layer());
    assert_eq!(conf.get("a.x"), Some("1"));
    assert_eq!(conf.get("a.y"), Some("9"));
}

#[test]
fn the_driver_pod_records_which_defaults_applied() {
    let mut pod = k8s_openapi::api::core::v1::Pod::default();
    mark_applied(&mut pod, &[]);
    assert!(
        pod.metadata.annotations.is_none(),
        "nothing when none applied"
    );
    assert!(applied_of(&pod).is_empty());
    let keys = vec![EVENT_LOG_DIR.to_string(), IMAGE_KEY.to_string()];
    mark_applied(&mut pod, &keys);
    assert_eq!(
        pod.metadata.annotations.as_ref().unwrap()[ANNOTATION_APPLIED],
        "spark.eventLog.dir,spark.kubernetes.container.image"
    );
    assert_eq!(applied_of(&pod), keys);
}
