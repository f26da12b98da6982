//! Spark's own view on the real node: a real driver's REST API read through the API server's
//! pod proxy. One multi-stage PySpark application (one of its jobs fails on purpose) shows,
//! while `submit` waits on a pipe, plain lines naming each active stage and its `n/N` tasks;
//! `status -o wide` shows JOBS/STAGES/TASKS with figures; `describe` shows the Spark section
//! (jobs, the failed stage with its Python exception line, the executor). Watching the same
//! application: `status -w` prints its table rows on stdout and `ns:pod: Stage …: n/N tasks`
//! lines on stderr, and exits 0 by itself once it ended; `wait` on a pseudo-terminal (util-linux
//! `script`) draws bars (`[Stage 3 (reduceByKey at …)] ===>  (5 + 3) / 8`), without a colour
//! code under `NO_COLOR=1`, and the same `wait` on a pipe prints plain lines paced by
//! `-c spark.kubernetes.report.interval`.
//!
//! Without a real node it prints `SKIPPED` (a failure under `CI=true`). The test name starts
//! with `real_node_`, which `tests/run.sh` runs in its real-node stage only.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{
    Run, S3, Spawned, TestNamespace, User, kspark, real_node, run_kspark, skip_real_node,
};

/// A JVM starts in 20-40 s on two busy cores; a driver, then its executor, then the work.
const SPARK_TIMEOUT: Duration = Duration::from_secs(420);

/// Two jobs per round, each a shuffle (two stages: 8 then 4 tasks of half a second), for
/// `argv[1]` seconds; before them a job whose task raises (with `spark.task.maxFailures=1`
/// its stage fails at once), caught so the application goes on.
const STAGES_APP: &str = r#"
import sys, time
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
sc = spark.sparkContext

def slow(x):
    time.sleep(0.5)
    return x

def bad(x):
    if x == 3:
        raise ValueError("kspark: bad record id=%d" % x)
    return x

try:
    sc.parallelize(range(4), 2).map(bad).collect()
except Exception:
    print("kspark: the failing job failed as planned", flush=True)

deadline = time.time() + float(sys.argv[1])
rounds = 0
while time.time() < deadline:
    pairs = sc.parallelize(range(16), 8).map(slow).map(lambda x: (x % 3, x))
    pairs.reduceByKey(lambda a, b: a + b, 4).map(slow).collect()
    rounds += 1
print("kspark: done, %d rounds" % rounds, flush=True)
spark.stop()
"#;

/// How long a command that does not wait for Spark may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// The `wait` runs' `spark.kubernetes.report.interval`, in seconds: on a pipe, at most one
/// progress line per this interval.
const WAIT_REPORT_SECS: u64 = 5;

fn run(ns: &TestNamespace, user: User, args: &[&str]) -> Run {
    run_kspark(ns, user, args, COMMAND_TIMEOUT)
}

fn ok(ns: &TestNamespace, user: User, args: &[&str]) -> String {
    let run = run(ns, user, args);
    assert_eq!(run.code, 0, "kubectl-spark {args:?}:\n{run}");
    run.stdout
}

/// `kubectl-spark ARGS` as `user` in the namespace, started (both streams collected).
fn spawn(ns: &TestNamespace, user: User, args: &[&str]) -> Spawned {
    let mut cmd = kspark(ns, user);
    cmd.args(args);
    Spawned::spawn(cmd)
}

/// `cmd` on a pseudo-terminal of 200 columns (no bar is cut), through util-linux `script`:
/// stdin, stdout and stderr are the terminal, whose output (both streams) is `script`'s stdout;
/// `script -e` exits with `cmd`'s code.
fn on_terminal(cmd: &Command) -> Command {
    let quote = |s: &std::ffi::OsStr| format!("'{}'", s.to_string_lossy().replace('\'', r"'\''"));
    let mut line = format!("stty cols 200 rows 50; exec {}", quote(cmd.get_program()));
    for arg in cmd.get_args() {
        line.push(' ');
        line.push_str(&quote(arg));
    }
    let mut script = Command::new("script");
    script
        .args(["-qfec", &line, "/dev/null"])
        .stdin(Stdio::null());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => script.env(key, value),
            None => script.env_remove(key),
        };
    }
    script
}

/// `text` without its escape sequences (CSI: `ESC [`, parameters, a final byte), and how many
/// of them set colours or attributes (SGR, final byte `m`). The others move the cursor or erase
/// (how a terminal's bars are redrawn): each becomes a line break, so that every bar drawn is
/// a line of its own.
fn strip_escapes(text: &str) -> (String, usize) {
    let mut plain = String::with_capacity(text.len());
    let mut sgr = 0;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            plain.push(c);
            continue;
        }
        if chars.next() == Some('[') {
            for f in chars.by_ref() {
                if ('@'..='~').contains(&f) {
                    if f == 'm' {
                        sgr += 1;
                    } else {
                        plain.push('\n');
                    }
                    break;
                }
            }
        }
    }
    (plain, sgr)
}

/// `n/N` with N > 0.
fn is_fraction(text: &str) -> bool {
    text.split_once('/')
        .is_some_and(|(a, b)| a.parse::<u64>().is_ok() && b.parse::<u64>().is_ok_and(|b| b > 0))
}

/// The first stage's `n/N` of a plain progress line (`Stage 3 (reduceByKey at stages.py:47):
/// 5/8 tasks, 2 running | jobs: …`), when it has one.
fn stage_tasks(line: &str) -> Option<&str> {
    line.strip_prefix("Stage ")?;
    let (_, counts) = line.split_once(": ")?;
    let (fraction, rest) = counts.split_once(' ')?;
    (is_fraction(fraction) && rest.starts_with("tasks")).then_some(fraction)
}

/// A terminal's stage bar drawn at the start of `drawn` (what follows a `[Stage `): its label
/// and `(done + running) / total`, total > 0 (`3 (reduceByKey at stages.py:26)] ===>   (5 + 2)
/// / 8`, perhaps `, 1 failed` after it). Bars are padded to the terminal's width, which wraps
/// them, rather than ended by a line break: what follows the figure is not read.
fn stage_bar(drawn: &str) -> Option<(&str, u64, u64, u64)> {
    let (label, bar) = drawn.split_once("] ")?;
    let figure = bar.trim_start_matches(['=', '>', ' ']).strip_prefix('(')?;
    let (counts, rest) = figure.split_once(") / ")?;
    let (done, running) = counts.split_once(" + ")?;
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let total: u64 = rest[..digits].parse().ok()?;
    Some((label, done.parse().ok()?, running.parse().ok()?, total)).filter(|_| total > 0)
}

/// The last `n` characters of `text`, for a failure message.
fn last_chars(text: &str, n: usize) -> &str {
    let start = text.char_indices().rev().nth(n).map_or(0, |(i, _)| i);
    &text[start..]
}

/// The cells of a table row (columns are separated by at least three spaces).
fn cells(row: &str) -> Vec<String> {
    row.split("   ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn real_node_multi_stage_job_shows_spark_progress_status_and_describe() {
    let Some(node) = real_node() else { return };
    let Some(image) = node
        .image
        .clone()
        .or_else(|| skip_real_node("the real node has no Spark image"))
    else {
        return;
    };
    let s3 = S3::get().expect("an S3 server (tests/s3/up.sh) for the real-node tests");
    let ns = TestNamespace::new(node.cluster, "spark-view");
    ok(&ns, User::Admin, &["setup", "-n", &ns.name]);
    let work = tempfile::tempdir().unwrap();
    let app = work.path().join("stages.py");
    std::fs::write(&app, STAGES_APP).unwrap();
    let template = node.pod_template.display().to_string();
    let mut args: Vec<String> = vec!["submit".into(), "--name".into(), "stages".into()];
    for conf in [
        format!("spark.kubernetes.container.image={image}"),
        format!("spark.kubernetes.driver.podTemplateFile={template}"),
        format!("spark.kubernetes.executor.podTemplateFile={template}"),
        "spark.kubernetes.authenticate.driver.serviceAccountName=spark".into(),
        "spark.kubernetes.driver.request.cores=0.1".into(),
        "spark.kubernetes.executor.request.cores=0.1".into(),
        "spark.driver.memory=512m".into(),
        "spark.executor.memory=512m".into(),
        "spark.executor.instances=1".into(),
        "spark.task.maxFailures=1".into(),
    ] {
        args.extend(["--conf".into(), conf]);
    }
    args.extend(s3.confs(&format!("spark-view/{}", ns.name)));
    args.extend([app.display().to_string(), "45".into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // stderr is a pipe: plain progress lines.
    let submit = spawn(&ns, User::Bob, &args);
    let started = Instant::now();

    // Once the application exists, watch it as a user would, while it runs: `status -w`, and
    // the same `wait` on a pipe and on terminals (with NO_COLOR=1, and with colours allowed;
    // both log at debug level, so that the colours of log lines can be seen or not).
    loop {
        let status = run(&ns, User::Bob, &["status", "stages"]);
        if status.code == 0 {
            break;
        }
        assert!(
            status.stderr.contains("no Spark application is named"),
            "status:\n{status}"
        );
        assert!(
            started.elapsed() < COMMAND_TIMEOUT,
            "submit created nothing:\n{status}"
        );
        std::thread::sleep(Duration::from_secs(1));
    }
    let watch = spawn(&ns, User::Bob, &["status", "-w", "stages"]);
    let interval = format!("spark.kubernetes.report.interval={WAIT_REPORT_SECS}s");
    let wait_args = ["wait", "stages", "-c", &interval];
    let wait_on_pipe = spawn(&ns, User::Bob, &wait_args);
    let waits_started = Instant::now();
    let on_terminals = [true, false].map(|no_color| {
        let mut cmd = kspark(&ns, User::Bob);
        cmd.args(wait_args)
            .env("TERM", "xterm-256color")
            .env("KUBECTL_SPARK_LOG", "kubectl_spark=debug");
        if !no_color {
            cmd.env_remove("NO_COLOR");
        }
        Spawned::spawn(on_terminal(&cmd))
    });

    // status -o wide: the Spark columns have figures while it runs (once the failing job and
    // a shuffle job have been seen).
    let row = loop {
        let status = run(&ns, User::Bob, &["status", "stages", "-o", "wide"]);
        assert_eq!(status.code, 0, "status -o wide:\n{status}");
        let table = status.stdout;
        let mut lines = table.lines();
        let header = cells(lines.next().unwrap_or_default());
        let row = cells(lines.next().unwrap_or_default());
        let column = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .and_then(|i| row.get(i).cloned())
                .unwrap_or_default()
        };
        let (state, jobs, stages, tasks) = (
            column("STATE"),
            column("JOBS"),
            column("STAGES"),
            column("TASKS"),
        );
        assert_ne!(state, "failed", "{table}");
        assert_ne!(
            state, "succeeded",
            "ended before status showed progress:\n{table}"
        );
        if state == "running"
            && jobs.split(',').next().is_some_and(is_fraction)
            && jobs
                .split_once('/')
                .is_some_and(|(_, t)| t.starts_with(|c: char| c > '1'))
            && stages.contains("active")
            && is_fraction(&tasks)
        {
            break table;
        }
        assert!(
            started.elapsed() < SPARK_TIMEOUT,
            "no Spark figures in status -o wide after {SPARK_TIMEOUT:?}:\n{table}"
        );
        std::thread::sleep(Duration::from_secs(2));
    };
    eprintln!("status -o wide after {:?}:\n{row}", started.elapsed());

    // describe: the Spark section
    let d = ok(&ns, User::Bob, &["describe", "stages"]);
    assert!(
        d.contains("\nSpark (the driver's REST API):\n"),
        "describe:\n{d}"
    );
    assert!(d.contains("  Jobs:           "), "describe:\n{d}");
    assert!(
        d.contains("ValueError: kspark: bad record id=3"),
        "the failed stage says why:\n{d}"
    );
    let executor_row = d
        .lines()
        .skip_while(|l| !l.starts_with("  Executors:      "))
        .find(|l| l.contains("-exec-1"))
        .unwrap_or_else(|| panic!("executor 1 with its pod:\n{d}"));
    assert!(executor_row.contains(" active "), "{executor_row}");

    // submit: exits 0, its stderr had per-stage task progress, in plain lines
    let submit = submit.finish(SPARK_TIMEOUT);
    assert_eq!(submit.code, 0, "submit:\n{submit}");
    let stderr = &submit.stderr;
    assert!(!stderr.contains('\x1b'), "escapes on a pipe:\n{stderr}");
    let progress: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("Stage ") && l.contains(" | jobs: "))
        .collect();
    assert!(
        progress.iter().any(|l| {
            l.contains(" (reduceByKey at stages.py:")
                && stage_tasks(l).is_some_and(|t| t.ends_with("/8"))
        }),
        "no per-stage task progress in submit's stderr:\n{stderr}"
    );
    assert!(
        progress.iter().any(|l| l.contains("executors: 1 active")),
        "{stderr}"
    );
    eprintln!(
        "submit: {} progress lines, e.g. {:?}",
        progress.len(),
        progress.get(progress.len() / 2)
    );

    // status -w: ended by itself, with 0, once the application ended; table rows on stdout,
    // `ns:pod: Stage …: n/N tasks` on stderr.
    let watch = watch.finish(COMMAND_TIMEOUT);
    assert_eq!(watch.code, 0, "status -w:\n{watch}");
    let rows: Vec<&str> = watch.stdout.lines().collect();
    assert!(
        rows.first().is_some_and(|h| h.starts_with("NAME ")),
        "status -w:\n{watch}"
    );
    assert!(
        rows.iter().skip(1).all(|r| r.starts_with("stages ")),
        "status -w:\n{watch}"
    );
    // The last row: the pod succeeded, or its Spark container ended with 0 first (`completed,
    // pod running`: the phase follows a moment later; status -w ends on the container).
    assert!(
        rows.last()
            .is_some_and(|r| r.contains(" succeeded ") || r.contains(" completed, pod running ")),
        "status -w:\n{watch}"
    );
    let prefix = format!("{}:", ns.name);
    let watched: Vec<&str> = watch
        .stderr
        .lines()
        .filter_map(|l| {
            l.strip_prefix(&prefix)?
                .split_once("-driver: ")
                .map(|(_, p)| p)
        })
        .filter(|p| p.contains(" | jobs: "))
        .collect();
    assert!(
        watched
            .iter()
            .any(|l| l.contains(" at stages.py:") && stage_tasks(l).is_some()),
        "no `ns:pod: Stage …: n/N tasks` line from status -w:\n{watch}"
    );
    eprintln!(
        "status -w: {} rows, {} progress lines, e.g. {:?}",
        rows.len() - 1,
        watched.len(),
        watched.get(watched.len() / 2)
    );

    // wait on a pipe: plain lines, no escapes, at most one per report interval.
    let wait_on_pipe = wait_on_pipe.finish(COMMAND_TIMEOUT);
    let waited = waits_started.elapsed();
    assert_eq!(wait_on_pipe.code, 0, "wait:\n{wait_on_pipe}");
    let stderr = &wait_on_pipe.stderr;
    assert!(!stderr.contains('\x1b'), "escapes on a pipe:\n{stderr}");
    assert!(!stderr.contains("[Stage "), "a bar on a pipe:\n{stderr}");
    let plain: Vec<&str> = stderr.lines().filter(|l| l.contains(" | jobs: ")).collect();
    assert!(
        plain.iter().any(|l| stage_tasks(l).is_some()),
        "no `Stage …: n/N tasks` line from wait on a pipe:\n{stderr}"
    );
    // Each line after the first came at least the interval after the one before.
    let most = waited.as_secs() / WAIT_REPORT_SECS + 1;
    assert!(
        plain.len() as u64 <= most,
        "{} lines in {waited:?}, more than one per {WAIT_REPORT_SECS} s:\n{stderr}",
        plain.len()
    );
    eprintln!(
        "wait on a pipe: {} progress lines in {waited:?} (at most {most})",
        plain.len()
    );

    // wait on a terminal: bars naming the stage, with its tasks; no colour under NO_COLOR=1.
    for (no_color, run) in [true, false].into_iter().zip(on_terminals) {
        let run = run.finish(COMMAND_TIMEOUT);
        assert_eq!(run.code, 0, "wait on a terminal:\n{run}");
        let (text, colours) = strip_escapes(&run.stdout);
        let shown = last_chars(&text, 6000);
        let frames: Vec<(&str, u64, u64, u64)> = text
            .split("[Stage ")
            .skip(1)
            .filter_map(stage_bar)
            .collect();
        assert!(
            frames.iter().any(|(label, ..)| {
                label.contains(" (reduceByKey at stages.py:")
                    || label.contains(" (collect at stages.py:")
            }),
            "no bar naming a stage with its tasks on a terminal:\n{shown}"
        );
        assert!(
            text.contains("jobs: ") && text.contains("executors: 1 active"),
            "no jobs and executors under the bars:\n{shown}"
        );
        assert!(
            !text.contains(" | jobs: "),
            "a plain progress line on a terminal:\n{shown}"
        );
        let log_lines = text.matches(" DEBUG ").count();
        if no_color {
            assert_eq!(
                colours,
                0,
                "colour codes under NO_COLOR=1:\n{:?}",
                last_chars(&run.stdout, 6000)
            );
        } else if log_lines > 0 {
            assert!(
                colours > 0,
                "log lines without colour on a terminal:\n{:?}",
                last_chars(&run.stdout, 6000)
            );
        }
        eprintln!(
            "wait on a terminal (NO_COLOR={}): {} bar frames, {log_lines} log lines, {colours} colour codes, e.g. {:?}",
            if no_color { "1" } else { "unset" },
            frames.len(),
            frames
                .get(frames.len() / 2)
                .map(|(label, done, running, total)| {
                    format!("[Stage {label}] ({done} + {running}) / {total}")
                })
        );
    }
}
