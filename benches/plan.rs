//! Micro-benchmarks of the pure parts of a submission: planning (`steps::build`) and writing
//! `spark.properties`. Plain timing loops (no criterion: keeps CI's `--all-targets` builds cheap).
//!
//!     cargo bench --bench plan        # measures (median of batches, ns per call)
//!
//! Under `cargo test --all-targets` (no `--bench` argument) each case runs once, as a smoke test.

use std::hint::black_box;
use std::time::{Duration, Instant};

use kubectl_spark::conf::properties::write_spark_properties;
use kubectl_spark::conf::{SparkConf, SparkVersion};
use kubectl_spark::submit::plan::{AppSpec, Ids, LocalInputs, Plan, ResourceType, SubmitterEnv};
use kubectl_spark::submit::steps;

const JAR: &str = "local:///opt/spark/examples/jars/spark-examples.jar";

/// The spec's §11 worked example (`spark-pi`, `JAR 1000`) with fixed ids and clock, as the unit
/// tests' `test_plan`, plus `extra` `--conf` entries.
fn plan(version: &str, extra: &[(String, String)]) -> Plan {
    let mut conf: SparkConf = [
        ("spark.master", "k8s://https://10.0.0.1:6443"),
        ("spark.submit.deployMode", "cluster"),
        ("spark.app.name", "spark-pi"),
        ("spark.app.submitTime", "1735725600000"),
        ("spark.jars", JAR),
        ("spark.submit.pyFiles", ""),
        (
            "spark.kubernetes.container.image",
            &*format!("apache/spark:{version}"),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in extra {
        conf.set(k.clone(), v.clone());
    }
    Plan {
        conf,
        namespace: "default".into(),
        spark_version: SparkVersion::parse(version).expect("version"),
        app: AppSpec {
            primary_resource: Some(JAR.into()),
            main_class: Some("org.apache.spark.examples.SparkPi".into()),
            app_args: vec!["1000".into()],
            proxy_user: None,
            resource_type: ResourceType::Java,
        },
        ids: Ids {
            app_id: "spark-32e062565f0a426598dd7f7c508994d5".into(),
            prefix_unique_id: "3b69a48626b0db6c".into(),
            conf_map_unique_id: "ba5ad08a119168fa".into(),
            service_unique_id: "c0ffee8626b0db6c".into(),
            seed: 42,
        },
        env: SubmitterEnv {
            spark_user: "spark".into(),
            ..SubmitterEnv::default()
        },
        inputs: LocalInputs::default(),
        now: "2025-01-01T10:00:00Z".parse().expect("timestamp"),
    }
}

/// Secrets, secretKeyRefs, env and volumes of every kind (as the harness's rich submission).
fn rich_conf() -> Vec<(String, String)> {
    let d = "spark.kubernetes.driver.volumes";
    let mut c: Vec<(String, String)> = [
        (
            "spark.kubernetes.driver.secrets.app-secret",
            "/etc/secrets/app",
        ),
        ("spark.kubernetes.executor.secrets.tls-certs", "/etc/tls"),
        (
            "spark.kubernetes.driver.secretKeyRef.DB_PASSWORD",
            "db-credentials:password",
        ),
        ("spark.kubernetes.driverEnv.FOO", "bar"),
        ("spark.executor.memory", "4g"),
        ("spark.driver.memory", "2g"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in [
        ("hostPath.host-data.mount.path", "/host-data"),
        ("hostPath.host-data.options.path", "/mnt/data"),
        ("emptyDir.scratch.mount.path", "/scratch"),
        ("emptyDir.scratch.options.sizeLimit", "1Gi"),
        ("persistentVolumeClaim.existing.mount.path", "/data"),
        (
            "persistentVolumeClaim.existing.options.claimName",
            "my-claim",
        ),
        ("persistentVolumeClaim.ondemand.mount.path", "/ondemand"),
        (
            "persistentVolumeClaim.ondemand.options.claimName",
            "OnDemand",
        ),
        ("persistentVolumeClaim.ondemand.options.sizeLimit", "5Gi"),
    ] {
        c.push((format!("{d}.{k}"), v.to_string()));
    }
    c
}

/// Runs `f` in batches for about `budget`; prints the median ns per call over the batches.
fn bench(name: &str, measure: bool, mut f: impl FnMut()) {
    if !measure {
        f();
        println!("{name}: ok");
        return;
    }
    // Calibrate a batch to ~10 ms.
    let mut batch = 1u32;
    loop {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        if t.elapsed() >= Duration::from_millis(10) || batch >= 1 << 24 {
            break;
        }
        batch *= 2;
    }
    let mut per_call: Vec<f64> = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) || per_call.len() < 10 {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        per_call.push(t.elapsed().as_nanos() as f64 / f64::from(batch));
    }
    per_call.sort_by(f64::total_cmp);
    let median = per_call[per_call.len() / 2];
    let (lo, hi) = (per_call[0], per_call[per_call.len() - 1]);
    println!(
        "{name:<42} {:>10.2} µs/call  [min {:.2} – max {:.2}]  ({} batches of {batch})",
        median / 1000.0,
        lo / 1000.0,
        hi / 1000.0,
        per_call.len()
    );
}

fn main() {
    let measure = std::env::args().any(|a| a == "--bench");
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));

    let plain = plan("4.0.1", &[]);
    let rich = plan("4.0.1", &rich_conf());
    let now: jiff::Timestamp = "2025-01-01T10:00:00Z".parse().expect("timestamp");
    let cases: [(&str, &Plan); 2] = [("SparkPi", &plain), ("secrets+volumes", &rich)];
    for (label, p) in cases {
        let name = format!("steps::build ({label})");
        if wanted(&name) {
            bench(&name, measure, || {
                black_box(steps::build(black_box(p)).expect("build"));
            });
        }
    }
    for (label, p) in cases {
        let name = format!("write_spark_properties ({label})");
        if wanted(&name) {
            bench(&name, measure, || {
                black_box(write_spark_properties(
                    black_box(&p.conf),
                    "spark-drv-ba5ad08a119168fa-conf-map",
                    now,
                ));
            });
        }
    }
}
