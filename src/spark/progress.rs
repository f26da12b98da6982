//! Rendering a [`SparkSnapshot`] as Spark's `ConsoleProgressBar` shows it: per active stage
//! `[Stage 3:=====>     (12 + 4) / 40]` (done + running / total), plus what the bar leaves
//! out: failed tasks, the job count, executors active and lost.
//!
//! Pure text here ([`stage_line`], [`summary_text`], [`plain_line`], [`console_bar`]) and the
//! pacing of plain lines ([`LinePacer`]: one line per change, at most one per interval). The
//! two displays built on them are in [`Display`]: indicatif bars on a terminal, plain lines on
//! a pipe, both on stderr. How often plain lines may come is Spark's
//! `spark.kubernetes.report.interval` ([`report_interval`]), for `submit` and `wait` alike.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::conf::SparkConf;
use crate::conf::units;
use crate::error::Result;
use crate::output;
use crate::spark::model::{ActiveStage, SparkCounts, SparkSnapshot};

/// What a figure Spark did not give shows.
pub const UNKNOWN: &str = "?";

/// The property spark-submit reads its status interval from (a Spark time; bare: milliseconds).
pub const REPORT_INTERVAL_KEY: &str = "spark.kubernetes.report.interval";

/// The interval between progress reports: `spark.kubernetes.report.interval`, else Spark's
/// default, 1 s. Its other checks (positive) are [`crate::conf::validate::validate`]'s.
pub fn report_interval(conf: &SparkConf) -> Result<Duration> {
    let ms = match conf.get(REPORT_INTERVAL_KEY) {
        Some(v) => units::parse_duration_ms(v, 1).map_err(|e| e.for_key(REPORT_INTERVAL_KEY))?,
        None => 1000,
    };
    Ok(Duration::from_millis(ms.max(1) as u64))
}

/// `Stage 3 (count at job.py:12)`; a retried stage names its attempt.
pub fn stage_label(stage: &ActiveStage) -> String {
    let mut label = format!("Stage {}", stage.stage_id);
    if stage.attempt_id > 0 {
        label.push_str(&format!(".{}", stage.attempt_id));
    }
    if !stage.name.is_empty() {
        label.push_str(&format!(" ({})", call_site(&stage.name)));
    }
    label
}

/// A stage's call site without the directory of its file: `reduceByKey at
/// /tmp/spark-6340a6ae-…/job.py:25` → `reduceByKey at job.py:25`.
pub fn call_site(name: &str) -> String {
    match name.rsplit_once(" at ") {
        Some((what, place)) => {
            let file = place.rsplit('/').next().unwrap_or(place);
            format!("{what} at {file}")
        }
        None => name.to_string(),
    }
}

/// `12/40 tasks, 4 running, 1 failed`.
pub fn task_counts(stage: &ActiveStage) -> String {
    let mut text = format!(
        "{}/{} tasks, {} running",
        stage.done, stage.total, stage.running
    );
    if stage.failed > 0 {
        text.push_str(&format!(", {} failed", stage.failed));
    }
    text
}

/// `Stage 3 (count at job.py:12): 12/40 tasks, 4 running, 1 failed`.
pub fn stage_line(stage: &ActiveStage) -> String {
    format!("{}: {}", stage_label(stage), task_counts(stage))
}

/// `jobs: 2/3 done, 1 running, 1 failed; executors: 2 active, 1 lost`.
pub fn summary_text(counts: &SparkCounts) -> String {
    let jobs = counts.jobs;
    let mut text = format!("jobs: {}/{} done", jobs.succeeded + jobs.failed, jobs.total);
    if jobs.running > 0 {
        text.push_str(&format!(", {} running", jobs.running));
    }
    if jobs.failed > 0 {
        text.push_str(&format!(", {} failed", jobs.failed));
    }
    text.push_str(&format!("; executors: {} active", counts.executors_active));
    if counts.executors_lost > 0 {
        text.push_str(&format!(", {} lost", counts.executors_lost));
    }
    text
}

/// One plain line for a snapshot: every active stage, then the jobs and executors; `?` when
/// Spark did not answer.
pub fn plain_line(snapshot: Option<&SparkSnapshot>) -> String {
    let Some(snapshot) = snapshot else {
        return format!("Spark: {UNKNOWN}");
    };
    let stages: Vec<String> = snapshot.active_stages().iter().map(stage_line).collect();
    let stages = if stages.is_empty() {
        "no stage running".to_string()
    } else {
        stages.join("; ")
    };
    format!("{stages} | {}", summary_text(&snapshot.counts()))
}

/// Spark's own console bar for one stage, `width` characters wide (as
/// `org.apache.spark.ui.ConsoleProgressBar` draws it).
pub fn console_bar(stage: &ActiveStage, width: usize) -> String {
    let header = format!("[Stage {}:", stage.stage_id);
    let tailer = format!("({} + {}) / {}]", stage.done, stage.running, stage.total);
    let w = width.saturating_sub(header.len() + tailer.len());
    let mut bar = String::with_capacity(w);
    if w > 0 && stage.total > 0 {
        let percent = (w as i64 * stage.done / stage.total) as usize;
        for i in 0..w {
            bar.push(if i < percent {
                '='
            } else if i == percent {
                '>'
            } else {
                ' '
            });
        }
    }
    format!("{header}{bar}{tailer}")
}

/// Paces plain lines: a line is printed when it differs from the last one printed and the
/// interval has passed since; a change in between waits for the next call after it.
#[derive(Debug, Clone)]
pub struct LinePacer {
    interval: Duration,
    last: Option<(String, Instant)>,
}

impl LinePacer {
    /// A pacer printing at most one line per `interval`.
    pub fn new(interval: Duration) -> LinePacer {
        LinePacer {
            interval,
            last: None,
        }
    }

    /// The line to print now, if any.
    pub fn next(&mut self, line: String, now: Instant) -> Option<String> {
        match &self.last {
            Some((last, _)) if *last == line => None,
            Some((_, at)) if now.duration_since(*at) < self.interval => None,
            _ => {
                self.last = Some((line.clone(), now));
                Some(line)
            }
        }
    }
}

/// The live display of one application's progress on stderr.
pub enum Display {
    /// A terminal: a summary bar and one bar per active stage, under the caller's spinner.
    Bars(Bars),
    /// A pipe: paced plain lines, each after `prefix`.
    Lines {
        /// Printed before each line (e.g. the submission id).
        prefix: String,
        /// The pacing.
        pacer: LinePacer,
    },
}

/// indicatif bars: one per active stage, and a line for jobs and executors.
pub struct Bars {
    multi: MultiProgress,
    summary: ProgressBar,
    stages: BTreeMap<(i64, i64), ProgressBar>,
}

impl Display {
    /// Bars on a terminal (joining `spinner`, the caller's, so lines print above both), plain
    /// lines paced by `interval` otherwise.
    pub fn new(spinner: Option<&ProgressBar>, prefix: &str, interval: Duration) -> Display {
        match spinner {
            Some(spinner) if output::stderr_is_tty() => {
                let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
                multi.add(spinner.clone());
                let summary = multi.add(
                    ProgressBar::new_spinner().with_style(
                        ProgressStyle::with_template("  {msg}")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    ),
                );
                Display::Bars(Bars {
                    multi,
                    summary,
                    stages: BTreeMap::new(),
                })
            }
            _ => Display::Lines {
                prefix: prefix.to_string(),
                pacer: LinePacer::new(interval),
            },
        }
    }

    /// A line of its own (above the bars on a terminal).
    pub fn note(&self, line: &str) {
        match self {
            Display::Bars(bars) => {
                if bars.multi.println(line).is_err() {
                    output::info(line);
                }
            }
            Display::Lines { prefix, .. } => output::info(&format!("{prefix}{line}")),
        }
    }

    /// Shows a snapshot (`None`: Spark did not answer this round).
    pub fn update(&mut self, snapshot: Option<&SparkSnapshot>, now: Instant) {
        match self {
            Display::Lines { prefix, pacer } => {
                // A round without an answer is not a change of Spark's (the UI starts after
                // the driver and stops before it ends); terminals show it as `?`.
                if snapshot.is_none() {
                    return;
                }
                if let Some(line) = pacer.next(plain_line(snapshot), now) {
                    output::info(&format!("{prefix}{line}"));
                }
            }
            Display::Bars(bars) => bars.update(snapshot),
        }
    }
}

impl Bars {
    fn update(&mut self, snapshot: Option<&SparkSnapshot>) {
        let Some(snapshot) = snapshot else {
            self.summary.set_message(format!("Spark: {UNKNOWN}"));
            return;
        };
        self.summary.set_message(summary_text(&snapshot.counts()));
        let active = snapshot.active_stages();
        let keys: Vec<(i64, i64)> = active.iter().map(|s| (s.stage_id, s.attempt_id)).collect();
        self.stages.retain(|key, bar| {
            let keep = keys.contains(key);
            if !keep {
                bar.finish_and_clear();
                self.multi.remove(bar);
            }
            keep
        });
        for stage in &active {
            let key = (stage.stage_id, stage.attempt_id);
            let bar = self.stages.entry(key).or_insert_with(|| {
                let bar = ProgressBar::new(stage.total.max(0) as u64).with_style(
                    ProgressStyle::with_template("  [{prefix}] {bar:30} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                );
                self.multi.add(bar)
            });
            bar.set_prefix(stage_label(stage));
            bar.set_length(stage.total.max(0) as u64);
            bar.set_position(stage.done.max(0) as u64);
            let mut msg = format!("({} + {}) / {}", stage.done, stage.running, stage.total);
            if stage.failed > 0 {
                msg.push_str(&format!(", {} failed", stage.failed));
            }
            bar.set_message(msg);
        }
    }
}

impl Drop for Bars {
    fn drop(&mut self) {
        for bar in self.stages.values() {
            bar.finish_and_clear();
        }
        self.summary.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spark::model::{Executor, Job, Stage};
    use serde_json::json;

    fn stage(done: i64, running: i64, total: i64, failed: i64) -> ActiveStage {
        ActiveStage {
            stage_id: 3,
            attempt_id: 0,
            name: "count at job.py:12".into(),
            done,
            running,
            total,
            failed,
        }
    }

    #[test]
    fn a_stage_as_spark_draws_it() {
        assert_eq!(
            console_bar(&stage(12, 4, 40, 0), 40),
            "[Stage 3:=====>           (12 + 4) / 40]"
        );
        assert_eq!(
            console_bar(&stage(0, 0, 0, 0), 30),
            "[Stage 3:(0 + 0) / 0]",
            "no tasks: no bar, no division by zero"
        );
        assert_eq!(console_bar(&stage(1, 0, 2, 0), 5), "[Stage 3:(1 + 0) / 2]");
    }

    #[test]
    fn call_sites_lose_their_directories() {
        assert_eq!(
            call_site("reduceByKey at /tmp/spark-6340a6ae/stages.py:25"),
            "reduceByKey at stages.py:25"
        );
        assert_eq!(
            call_site("count at SparkPi.scala:38"),
            "count at SparkPi.scala:38"
        );
        assert_eq!(call_site("some job"), "some job");
    }

    #[test]
    fn stage_lines_name_the_stage_and_its_tasks() {
        assert_eq!(
            stage_line(&stage(12, 4, 40, 0)),
            "Stage 3 (count at job.py:12): 12/40 tasks, 4 running"
        );
        let mut retried = stage(1, 2, 8, 3);
        retried.attempt_id = 1;
        retried.name.clear();
        assert_eq!(
            stage_line(&retried),
            "Stage 3.1: 1/8 tasks, 2 running, 3 failed"
        );
    }

    fn snapshot() -> SparkSnapshot {
        let jobs: Vec<Job> = serde_json::from_value(json!([
            {"jobId": 0, "status": "SUCCEEDED"}, {"jobId": 1, "status": "RUNNING"}
        ]))
        .unwrap();
        let stages: Vec<Stage> = serde_json::from_value(json!([
            {"stageId": 1, "status": "ACTIVE", "name": "collect at a.py:9", "numTasks": 10,
             "numCompleteTasks": 3, "numActiveTasks": 2},
            {"stageId": 0, "status": "COMPLETE", "numTasks": 2, "numCompleteTasks": 2},
        ]))
        .unwrap();
        let executors: Vec<Executor> = serde_json::from_value(json!([
            {"id": "driver", "isActive": true}, {"id": "1", "isActive": true},
            {"id": "2", "isActive": false}
        ]))
        .unwrap();
        SparkSnapshot::new(jobs, stages, executors)
    }

    #[test]
    fn plain_lines() {
        assert_eq!(
            plain_line(Some(&snapshot())),
            "Stage 1 (collect at a.py:9): 3/10 tasks, 2 running | jobs: 1/2 done, 1 running; \
             executors: 1 active, 1 lost"
        );
        assert_eq!(
            plain_line(Some(&SparkSnapshot::default())),
            "no stage running | jobs: 0/0 done; executors: 0 active"
        );
        assert_eq!(plain_line(None), "Spark: ?");
    }

    #[test]
    fn the_report_interval_is_sparks() {
        let of = |pairs: &[(&str, &str)]| report_interval(&SparkConf::from_pairs(pairs));
        assert_eq!(of(&[]).unwrap(), Duration::from_secs(1));
        assert_eq!(
            of(&[(REPORT_INTERVAL_KEY, "30s")]).unwrap(),
            Duration::from_secs(30)
        );
        assert_eq!(
            of(&[(REPORT_INTERVAL_KEY, "250")]).unwrap(),
            Duration::from_millis(250),
            "bare: milliseconds, as Spark reads it"
        );
        let e = of(&[(REPORT_INTERVAL_KEY, "often")]).unwrap_err();
        assert!(e.to_string().contains(REPORT_INTERVAL_KEY), "{e}");
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn one_line_per_change_at_most_one_per_interval() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut pacer = LinePacer::new(s(5));
        assert_eq!(pacer.next("a".into(), t0).as_deref(), Some("a"));
        assert_eq!(pacer.next("a".into(), t0 + s(10)), None, "no change");
        assert_eq!(pacer.next("b".into(), t0 + s(2)), None, "too soon");
        assert_eq!(pacer.next("b".into(), t0 + s(5)).as_deref(), Some("b"));
        assert_eq!(pacer.next("c".into(), t0 + s(6)), None);
        assert_eq!(
            pacer.next("b".into(), t0 + s(11)),
            None,
            "back to what was printed"
        );
        assert_eq!(pacer.next("d".into(), t0 + s(11)).as_deref(), Some("d"));
    }
}
