//! Micro-benchmarks of the pure parts of a submission: planning (`steps::build`) and writing
//! `spark.properties`, with criterion (default features off: no plots, no rayon, so that CI's
//! `--all-targets` builds stay cheap).
//!
//!     cargo bench --bench plan                # measures; one `time: [low estimate high]` per case
//!     cargo bench --bench plan -- SparkPi     # only the cases whose id matches
//!
//! `spark::progress` is the pure part of one progress poll of a live driver: parsing the
//! recorded REST answers of a real Spark 4.0.5 driver (`tests/fixtures/spark-rest/`: jobs,
//! active and failed stages, executors), building the snapshot and rendering its line.
//!
//! Under `cargo test --all-targets` (no `--bench` argument) each case runs once, as a smoke test.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

use kubectl_spark::conf::properties::write_spark_properties;
use kubectl_spark::conf::{SparkConf, SparkVersion};
use kubectl_spark::spark::model::SparkSnapshot;
use kubectl_spark::spark::{progress, rest};
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

fn benches(c: &mut Criterion) {
    let plain = plan("4.0.1", &[]);
    let rich = plan("4.0.1", &rich_conf());
    let now: jiff::Timestamp = "2025-01-01T10:00:00Z".parse().expect("timestamp");
    let cases: [(&str, &Plan); 2] = [("SparkPi", &plain), ("secrets+volumes", &rich)];

    let mut group = c.benchmark_group("steps::build");
    for (label, p) in cases {
        group.bench_function(label, |b| {
            b.iter(|| steps::build(black_box(p)).expect("build"))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("write_spark_properties");
    for (label, p) in cases {
        group.bench_function(label, |b| {
            b.iter(|| {
                write_spark_properties(
                    black_box(&p.conf),
                    "spark-drv-ba5ad08a119168fa-conf-map",
                    now,
                )
            })
        });
    }
    group.finish();

    let fixture = |name: &str| {
        std::fs::read_to_string(format!(
            "{}/tests/fixtures/spark-rest/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture")
    };
    let (jobs, stages, executors) = (
        fixture("jobs.json"),
        fixture("stages-active-failed.json"),
        fixture("allexecutors.json"),
    );
    let mut group = c.benchmark_group("spark::progress");
    group.bench_function("parse+snapshot+line", |b| {
        b.iter(|| {
            let snapshot = SparkSnapshot::new(
                rest::parse(black_box(&jobs)).expect("jobs"),
                rest::parse(black_box(&stages)).expect("stages"),
                rest::parse(black_box(&executors)).expect("executors"),
            );
            progress::plain_line(Some(&snapshot))
        })
    });
    group.finish();
}

/// Shorter than criterion's defaults (3 s warm-up, 5 s measurement per case): the cases take
/// microseconds, so 1 s + 3 s still gives thousands of iterations per sample. No plots.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .without_plots()
}

criterion_group! {
    name = plan_benches;
    config = config();
    targets = benches
}
criterion_main!(plan_benches);
