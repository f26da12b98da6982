//! Property test of the Scala hash-order emulation (`src/submit/steps/scala_order.rs`) against
//! Spark itself: `tests/oracle/probe/OrderProbe.java` is compiled with `javac` against the jars
//! of each oracle Spark (installed by `tests/oracle/install.sh`) into
//! `<cache>/oracle/probe/<version>/` and run on random configurations of driver volumes,
//! mounted secrets and secretKeyRef env vars; the order of the pod volumes, volume mounts, env
//! vars and the `OnDemand` claim indices must equal kubectl-spark's.
//!
//! Only configurations whose order Spark decides by hashing are generated (more than 4
//! properties under the prefix): below that, Spark keeps the order of `SparkConf`'s
//! `ConcurrentHashMap`, which kubectl-spark does not emulate.
//!
//! Without the oracle (or `java`/`javac`) the test prints `SKIPPED: …`, or fails when
//! `CI=true`. `KSPARK_PROBE_SEED=<n>` picks another random seed, `KSPARK_PROBE_CASES=<n>` the
//! number of cases per kind and version (default 50).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use kubectl_spark::conf::{SparkConf, SparkVersion};
use kubectl_spark::submit::steps::scala_order::java_string_hash;
use kubectl_spark::submit::steps::{env_secrets, mount_secrets, volumes};

fn oracle_versions() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/versions.env");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("ORACLE_SPARK_VERSIONS="))
        .unwrap_or_else(|| panic!("{}: no ORACLE_SPARK_VERSIONS", path.display()));
    line.trim_matches('"')
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// Same rule as tests/oracle/install.sh.
fn oracle_dir() -> PathBuf {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let cache = var("KSPARK_CACHE").unwrap_or_else(|| {
        var("XDG_CACHE_HOME")
            .unwrap_or_else(|| var("HOME").expect("HOME").join(".cache"))
            .join("kubectl-spark")
    });
    cache.join("oracle")
}

fn skip(why: &str) {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("scala order probe: {why}, and CI=true forbids skipping");
    }
    eprintln!("SKIPPED: scala order probe: {why}");
}

/// Compiles the probe for `version` (when missing or older than its source); the class dir.
fn compile_probe(oracle: &Path, version: &str) -> Result<PathBuf, String> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/probe/OrderProbe.java");
    let out = oracle.join("probe").join(version);
    let class = out.join("OrderProbe.class");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if modified(&class).is_some() && modified(&class) >= modified(&source) {
        return Ok(out);
    }
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let jars = format!("{}/*", oracle.join(version).join("jars").display());
    let status = Command::new("javac")
        .args(["-nowarn", "-d"])
        .arg(&out)
        .args(["-cp", &jars])
        .arg(&source)
        .status()
        .map_err(|e| format!("javac: {e}"))?;
    if !status.success() {
        return Err(format!("javac failed for {version}: {status}"));
    }
    Ok(out)
}

/// Runs the probe on `cases` (kind, properties); one output line per case.
fn run_probe(oracle: &Path, version: &str, classes: &Path, cases: &[Case]) -> Vec<String> {
    let cp = format!(
        "{}:{}/*",
        classes.display(),
        oracle.join(version).join("jars").display()
    );
    let mut child = Command::new("java")
        .args(["-cp", &cp, "OrderProbe"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("java");
    let mut input = String::new();
    for case in cases {
        input.push_str(case.kind);
        input.push('\n');
        for (k, v) in &case.props {
            input.push_str(&format!("{k}={v}\n"));
        }
        input.push_str("---\n");
    }
    // Written from a thread: the probe answers while it reads, and a full stdout pipe would
    // otherwise block both sides.
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("java");
    writer.join().unwrap().expect("write to the probe");
    assert!(out.status.success(), "probe failed: {}", out.status);
    let lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), cases.len(), "probe output: {lines:?}");
    lines
}

/// One generated configuration.
#[derive(Debug, Clone)]
struct Case {
    kind: &'static str,
    props: Vec<(String, String)>,
}

/// xorshift64*: a small deterministic generator, so failures are reproducible by seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    /// A DNS-label-like name whose Java `String.hashCode` differs from those of `taken`: equal
    /// hashes put the keys in a collision node, whose order follows the `ConcurrentHashMap`'s
    /// and is not emulated (kubectl-spark sorts those configurations instead).
    fn name(&mut self, taken: &mut Vec<String>, upper: bool) -> String {
        let alphabet: &[u8] = if upper {
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789"
        } else {
            b"abcdefghijklmnopqrstuvwxyz-0123456789"
        };
        loop {
            let len = self.range(1, 12);
            let mut s = String::new();
            s.push(alphabet[self.below(26)] as char);
            for _ in 1..len {
                s.push(alphabet[self.below(alphabet.len())] as char);
            }
            let hash = java_string_hash(&s);
            if !taken.iter().any(|t| java_string_hash(t) == hash) {
                taken.push(s.clone());
                return s;
            }
        }
    }
}

const VOLUMES: &str = "spark.kubernetes.driver.volumes.";

fn volume_case(rng: &mut Rng, v4: bool) -> Case {
    let mut props = Vec::new();
    let mut names = Vec::new();
    // Mostly 5-12 volumes; sometimes 2-4 (still more than 4 properties).
    let count = if rng.chance(20) {
        rng.range(2, 4)
    } else {
        rng.range(5, 12)
    };
    for i in 0..count {
        let name = rng.name(&mut names, false);
        let kind = ["hostPath", "emptyDir", "nfs", "persistentVolumeClaim"][rng.below(4)];
        let mut set = |k: &str, v: String| props.push((format!("{VOLUMES}{kind}.{name}.{k}"), v));
        set("mount.path", format!("/mnt/{i}-{name}"));
        if rng.chance(30) {
            set("mount.readOnly", rng.chance(50).to_string());
        }
        if rng.chance(20) {
            set("mount.subPath", format!("sub{}", rng.below(3)));
        } else if v4 && rng.chance(15) {
            set("mount.subPathExpr", "$(POD)".to_string());
        }
        match kind {
            "hostPath" => {
                set("options.path", format!("/host/{}", rng.below(4)));
                if v4 && rng.chance(30) {
                    set("options.type", "DirectoryOrCreate".to_string());
                }
            }
            "emptyDir" => {
                if rng.chance(40) {
                    set("options.medium", "Memory".to_string());
                }
                if rng.chance(40) {
                    set("options.sizeLimit", format!("{}Mi", rng.range(1, 9)));
                }
            }
            "nfs" => {
                set("options.path", format!("/export/{}", rng.below(3)));
                set("options.server", format!("nfs{}.example", rng.below(2)));
            }
            _ => {
                if rng.chance(50) {
                    set("options.claimName", "OnDemand".to_string());
                    set("options.storageClass", "standard".to_string());
                    set("options.sizeLimit", format!("{}Gi", rng.range(1, 5)));
                } else {
                    set("options.claimName", format!("claim-{}", rng.below(5)));
                    if rng.chance(30) {
                        set("options.storageClass", "fast".to_string());
                    }
                }
                if v4 && rng.chance(30) {
                    set("label.team", format!("t{}", rng.below(3)));
                }
                if v4 && rng.chance(20) {
                    set("annotation.note", "x".to_string());
                }
            }
        }
    }
    if props.len() <= 4 {
        props.push((
            format!("{VOLUMES}emptyDir.pad.mount.path"),
            "/mnt/pad".into(),
        ));
        props.push((
            format!("{VOLUMES}emptyDir.pad.options.medium"),
            "Memory".into(),
        ));
    }
    Case {
        kind: "volumes",
        props,
    }
}

fn secret_case(rng: &mut Rng) -> Case {
    let mut names = Vec::new();
    let props = (0..rng.range(5, 10))
        .map(|i| {
            let name = rng.name(&mut names, false);
            (
                format!("{}{name}", mount_secrets::PREFIX),
                format!("/etc/secrets/{i}"),
            )
        })
        .collect();
    Case {
        kind: "secrets",
        props,
    }
}

fn env_case(rng: &mut Rng) -> Case {
    let mut names = Vec::new();
    let props = (0..rng.range(5, 10))
        .map(|_| {
            let name = rng.name(&mut names, true);
            (
                format!("{}{name}", env_secrets::PREFIX),
                "secret:key".to_string(),
            )
        })
        .collect();
    Case { kind: "env", props }
}

/// kubectl-spark's answer for `case`, in the probe's output format (claim prefixes as `P`).
fn ours(case: &Case, version: &SparkVersion) -> String {
    let conf: SparkConf = case.props.iter().cloned().collect();
    match case.kind {
        "volumes" => {
            let specs = volumes::parse_volumes(&conf, VOLUMES, version).expect("valid volumes");
            let vols: Vec<String> = specs
                .iter()
                .enumerate()
                .map(|(i, v)| match &v.conf {
                    volumes::VolumeConf::PersistentVolumeClaim { claim_name, .. } => format!(
                        "{}={}",
                        v.volume_name,
                        volumes::driver_claim_name(claim_name, "P", i)
                    ),
                    _ => v.volume_name.clone(),
                })
                .collect();
            let mounts: Vec<&str> = specs.iter().map(|v| v.volume_name.as_str()).collect();
            format!("{}|{}", vols.join(","), mounts.join(","))
        }
        "secrets" => {
            let names: Vec<&str> = conf
                .with_prefix(mount_secrets::PREFIX)
                .map(|(k, _)| k)
                .collect();
            let (vols, mounts) = mount_secrets::spark_order(&names, version);
            let list = |order: Vec<usize>| {
                order
                    .into_iter()
                    .map(|i| mount_secrets::volume_name(names[i]))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            format!("{}|{}", list(vols), list(mounts))
        }
        _ => {
            let names: Vec<&str> = conf
                .with_prefix(env_secrets::PREFIX)
                .map(|(k, _)| k)
                .collect();
            env_secrets::spark_order(&names, version)
                .into_iter()
                .map(|i| names[i])
                .collect::<Vec<_>>()
                .join(",")
        }
    }
}

/// Spark's claim names `<prefix>-driver-pvc-<i>` with the random prefix replaced by `P`.
fn normalise(line: &str) -> String {
    line.split(['|'])
        .map(|part| {
            part.split(',')
                .map(
                    |item| match (item.split_once('='), item.find("-driver-pvc-")) {
                        (Some((name, _)), Some(at)) => format!("{name}=P{}", &item[at..]),
                        _ => item.to_string(),
                    },
                )
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect::<Vec<_>>()
        .join("|")
}

#[test]
fn scala_hash_order_matches_spark() {
    let oracle = oracle_dir();
    let seed: u64 = std::env::var("KSPARK_PROBE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_cafe);
    let per_kind: usize = std::env::var("KSPARK_PROBE_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    for version in oracle_versions() {
        if !oracle.join(&version).join("jars").is_dir() {
            return skip(&format!(
                "the oracle Spark {version} is not installed in {} (run tests/oracle/install.sh)",
                oracle.display()
            ));
        }
        let classes = match compile_probe(&oracle, &version) {
            Ok(c) => c,
            Err(e) => return skip(&e),
        };
        let spark_version = SparkVersion::parse(&version).unwrap();
        let v4 = spark_version.at_least(4, 0);
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let mut cases = Vec::new();
        for _ in 0..per_kind {
            cases.push(volume_case(&mut rng, v4));
            cases.push(secret_case(&mut rng));
            cases.push(env_case(&mut rng));
        }
        let spark = run_probe(&oracle, &version, &classes, &cases);
        let mut failures = Vec::new();
        for (case, spark_line) in cases.iter().zip(&spark) {
            let expected = normalise(spark_line);
            let actual = ours(case, &spark_version);
            if expected != actual {
                failures.push(format!(
                    "{version} {}: {:?}\n  spark:         {expected}\n  kubectl-spark: {actual}",
                    case.kind, case.props
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {} cases differ (seed {seed}):\n{}",
            failures.len(),
            cases.len(),
            failures.join("\n")
        );
        eprintln!(
            "scala order probe: Spark {version}: {} cases match (seed {seed})",
            cases.len()
        );
    }
}
