//! Why a Spark driver failed, read out of its log: a pure function over the log's lines that
//! finds the error that ended the application and keeps only the lines that say what it was.
//!
//! A driver's log is mostly Spark's own INFO lines, and what comes after the error is shutdown
//! noise (`ShutdownHookManager: Deleting directory …`, `SparkUI: Stopped …`). The error itself
//! is one of:
//! - a Python traceback (the driver's own, or a Python worker's carried in a JVM exception's
//!   message): its last frame and its exception line are kept;
//! - a JVM exception (`Exception in thread "main" …`, or logged under an `ERROR` line) with its
//!   `Caused by:` chain: frames (`\tat …`, `... 12 more`) are dropped, the first lines of each
//!   message kept; a PySpark `Py4JJavaError` shows the JVM exception it wraps;
//! - Spark's `Job aborted due to stage failure: … most recent failure: …` (a task that failed
//!   too often on the executors);
//! - a request the driver made to the Kubernetes API that was refused (`pods is forbidden: User
//!   "system:serviceaccount:NS:SA" cannot create resource "pods" …`), often buried under
//!   client frames.
//!
//! When none is found, [`find`] returns `None` and callers show the raw tail of the log.

/// What kind of error ended the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CauseKind {
    /// An uncaught Python exception.
    Python,
    /// A JVM exception (with its `Caused by:` chain).
    Jvm,
    /// A job aborted because one of its tasks failed too often on the executors.
    StageFailure,
    /// The Kubernetes API refused a request of the driver's (a missing permission).
    KubernetesApi,
    /// `spark-submit` in the driver refused to start the application (`Error: …`).
    Submit,
    /// Spark stopped the application because too many executors failed (exit 11).
    ExecutorFailures,
}

impl CauseKind {
    /// How the kind is named in a report.
    pub fn as_str(self) -> &'static str {
        match self {
            CauseKind::Python => "Python exception",
            CauseKind::Jvm => "JVM exception",
            CauseKind::StageFailure => "stage failure",
            CauseKind::KubernetesApi => "Kubernetes API error",
            CauseKind::Submit => "spark-submit error",
            CauseKind::ExecutorFailures => "executor failures",
        }
    }
}

/// The error that ended an application, as found in its driver's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// What kind of error it is.
    pub kind: CauseKind,
    /// The lines to show, in log order: frames, repeated messages and noise removed.
    pub lines: Vec<String>,
    /// The one line that names the error (an exception line, or the refusal), for a verdict.
    pub headline: String,
    /// Where the error starts in the log (1-based line number).
    pub line: usize,
    /// How many lines the log has.
    pub of: usize,
    /// The service account a Kubernetes API refusal names, as (namespace, name).
    pub service_account: Option<(String, String)>,
}

/// The most lines kept of one exception's message.
const MESSAGE_LINES: usize = 3;
/// The most lines a cause shows (a screen has 24; the status block comes first).
const MAX_LINES: usize = 12;
/// The longest line shown; Spark's messages can be thousands of characters long.
const MAX_LINE_CHARS: usize = 400;

/// The error that ended the application, found in its driver's `log`, or `None`.
pub fn find(log: &str) -> Option<Cause> {
    let lines: Vec<&str> = log.lines().map(|l| l.trim_end_matches('\r')).collect();
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let Some(c) = candidate_at(&lines, i) {
            i = c.end.max(i + 1);
            candidates.push(c);
        } else {
            i += 1;
        }
    }
    // The strongest candidate wins; among equals, the last one (the error that ended it comes
    // after the ones it wraps or retries), except for refusals and task failures, which are
    // repeated (retries) and whose first is as good as any.
    let best = candidates
        .iter()
        .enumerate()
        .max_by_key(|(n, c)| (c.rank, *n))?
        .1;
    let mut cause = best.cause.clone();
    cause.of = lines.len();
    // Spark 4 rethrows a failed task's own exception: the line where the scheduler gave up on
    // the task says that it failed on the executors, and how often.
    if matches!(cause.kind, CauseKind::Jvm | CauseKind::Python)
        && let Some(aborted) = lines[..cause.line.saturating_sub(1)]
            .iter()
            .rev()
            .find(|l| is_log_line(l) && l.ends_with("; aborting job"))
    {
        cause.kind = CauseKind::StageFailure;
        cause.lines.insert(0, clip(log_message(aborted)));
        cause.lines = cap(std::mem::take(&mut cause.lines));
    }
    // A refusal by the API server anywhere is the root of what follows (a driver that may not
    // create its executors fails later with a vaguer error).
    if cause.kind != CauseKind::KubernetesApi
        && best.rank < RANK_ROOT
        && let Some(refusal) = candidates
            .iter()
            .find(|c| c.cause.kind == CauseKind::KubernetesApi && c.rank >= RANK_ERROR)
    {
        let mut refusal = refusal.cause.clone();
        refusal.of = lines.len();
        return Some(refusal);
    }
    Some(cause)
}

/// A possible cause and how strongly it looks like the one that ended the application.
#[derive(Debug, Clone)]
struct Candidate {
    rank: u8,
    /// The index after its last line.
    end: usize,
    cause: Cause,
}

/// Ranks: what made Spark stop the application, what ended the process, then what was logged
/// as an error, then warnings.
const RANK_ROOT: u8 = 4;
const RANK_FATAL: u8 = 3;
const RANK_ERROR: u8 = 2;
const RANK_WARN: u8 = 1;

fn candidate_at(lines: &[&str], i: usize) -> Option<Candidate> {
    let line = lines[i];
    if is_noise(line) {
        return None;
    }
    if line
        .trim_end()
        .ends_with("Traceback (most recent call last):")
        && !is_log_line(line)
    {
        let block = python_block(lines, i);
        return Some(block);
    }
    if !is_log_line(line)
        && let Some(header) = jvm_header(line)
    {
        let (kept, end) = jvm_block(lines, i);
        let level = preceding_level(lines, i);
        let fatal = line.starts_with("Exception in thread \"main\"");
        let rank = if fatal {
            RANK_FATAL
        } else {
            match level {
                Some("ERROR") | Some("FATAL") => RANK_ERROR,
                _ => RANK_WARN,
            }
        };
        if rank < RANK_FATAL && is_noise_exception(header) {
            return None;
        }
        return Some(Candidate {
            rank,
            end,
            cause: jvm_cause(kept, i),
        });
    }
    if is_log_line(line) && line.contains("Max number of executor failures") {
        // Spark gave up after too many executor failures; what stops afterwards (the context,
        // the Python driver waiting for it) only follows from this.
        let mut kept = vec![clip(log_message(line))];
        let mut exits: Vec<String> = lines[..i]
            .iter()
            .filter(|l| {
                l.contains("The executor with id ") && l.contains(" exited with exit code ")
            })
            .map(|l| clip(l.trim()))
            .collect();
        exits.dedup();
        kept.extend(exits.into_iter().take(3));
        return Some(Candidate {
            rank: RANK_ROOT,
            end: i + 1,
            cause: Cause {
                kind: CauseKind::ExecutorFailures,
                headline: kept[0].clone(),
                lines: cap(kept),
                line: i + 1,
                of: 0,
                service_account: None,
            },
        });
    }
    if let Some(message) = line.strip_prefix("Error: ") {
        // spark-submit's own refusal (`Error: Failed to load class …`), printed to stderr.
        let cause = Cause {
            kind: CauseKind::Submit,
            lines: vec![clip(line)],
            headline: clip(message),
            line: i + 1,
            of: 0,
            service_account: None,
        };
        return Some(Candidate {
            rank: RANK_FATAL,
            end: i + 1,
            cause,
        });
    }
    if is_log_line(line) && matches!(log_level(line), Some("ERROR") | Some("FATAL")) {
        // An ERROR line with an exception on the same line (`… : org.x.FooException: msg`), or
        // on its own. The exception, if it follows on the next lines, is its own candidate.
        let message = log_message(line);
        if forbidden_at(message).is_some() {
            return Some(Candidate {
                rank: RANK_ERROR,
                end: i + 1,
                cause: refusal_cause(vec![clip(message)], i, message),
            });
        }
        let next_is_exception = lines
            .get(i + 1)
            .is_some_and(|l| !is_log_line(l) && jvm_header(l).is_some());
        if next_is_exception {
            return None;
        }
        return Some(Candidate {
            rank: RANK_WARN,
            end: i + 1,
            cause: Cause {
                kind: if message.contains("Job aborted due to stage failure")
                    || message.contains("; aborting job")
                {
                    CauseKind::StageFailure
                } else {
                    CauseKind::Jvm
                },
                lines: vec![clip(message)],
                headline: clip(message),
                line: i + 1,
                of: 0,
                service_account: None,
            },
        });
    }
    None
}

/// A Python traceback starting at `i`: its frames, its exception line and message. The
/// exception's message runs until the next log line (it may carry a JVM exception, or a Python
/// worker's traceback).
fn python_block(lines: &[&str], i: usize) -> Candidate {
    let prefix = lines[i]
        .trim_end()
        .strip_suffix("Traceback (most recent call last):")
        .unwrap_or_default()
        .trim();
    let tb = parse_traceback(lines, i);
    let mut kept: Vec<String> = Vec::new();
    if !prefix.is_empty() {
        kept.push(clip(prefix));
    }
    if let Some(frame) = &tb.last_frame {
        kept.extend(frame.iter().map(|l| clip(l)));
    }
    let message = compress_message(&tb.message);
    let exception_line = tb.exception.clone().unwrap_or_default();
    let mut kind = CauseKind::Python;
    let mut headline = exception_line.clone();
    if is_py4j_error(&exception_line)
        && let Some(jvm_at) = tb.message.iter().position(|l| {
            l.strip_prefix(": ")
                .is_some_and(|rest| jvm_header(rest).is_some())
        })
    {
        // `Py4JJavaError: An error occurred while calling o45.collectToPython.` wraps the JVM
        // exception that matters: show that one (and its chain).
        let jvm: Vec<&str> = std::iter::once(&tb.message[jvm_at][2..])
            .chain(tb.message[jvm_at + 1..].iter().copied())
            .collect();
        let (chain, _) = jvm_block(&jvm, 0);
        let jvm = jvm_cause(chain, i);
        kept.extend(jvm.lines);
        kind = jvm.kind;
        headline = jvm.headline;
    } else {
        if !exception_line.is_empty() {
            kept.push(clip(&exception_line));
        }
        kept.extend(message.lines);
        if let Some(inner) = message.inner_exception {
            headline = inner;
        }
        if kept
            .iter()
            .any(|l| l.contains("Job aborted due to stage failure"))
        {
            kind = CauseKind::StageFailure;
        }
    }
    if headline.is_empty() {
        headline = kept.last().cloned().unwrap_or_default();
    }
    let mut cause = Cause {
        kind,
        lines: cap(kept),
        headline: clip(&headline),
        line: i + 1,
        of: 0,
        service_account: None,
    };
    let block_text = lines[i..tb.end].join("\n");
    if let Some(refusal) = forbidden_at(&block_text) {
        cause.kind = CauseKind::KubernetesApi;
        cause.service_account = service_account_of(refusal);
        cause.headline = clip(refusal);
    }
    Candidate {
        rank: if tb.exception.is_some() {
            RANK_FATAL
        } else {
            RANK_WARN
        },
        end: tb.end,
        cause,
    }
}

/// A parsed Python traceback.
struct Traceback<'a> {
    /// The last frame of the application's own code (`File "…", line N, in f` and its source
    /// line), or the last frame when all are PySpark's or py4j's.
    last_frame: Option<Vec<&'a str>>,
    /// `ValueError: bad record id=7`.
    exception: Option<String>,
    /// The exception message's further lines.
    message: Vec<&'a str>,
    /// The index after its last line.
    end: usize,
}

fn parse_traceback<'a>(lines: &[&'a str], i: usize) -> Traceback<'a> {
    let mut j = i + 1;
    let mut frames: Vec<Vec<&str>> = Vec::new();
    while j < lines.len() {
        let l = lines[j];
        if l.trim_start().starts_with("File \"") && l.starts_with(' ') {
            frames.push(vec![l]);
        } else if l.starts_with(' ') || l.is_empty() {
            // The frame's source line, `^^^^` markers, `[Previous line repeated N more times]`.
            let t = l.trim();
            let marker = !t.is_empty() && t.chars().all(|c| matches!(c, '^' | '~' | ' '));
            if let Some(frame) = frames.last_mut()
                && frame.len() == 1
                && !t.is_empty()
                && !marker
            {
                frame.push(l);
            }
        } else {
            break;
        }
        j += 1;
    }
    let last_frame = frames
        .iter()
        .rev()
        .find(|f| !is_library_frame(f[0]))
        .or(frames.last())
        .cloned();
    let Some(exception) = lines.get(j).filter(|l| !is_log_line(l)) else {
        return Traceback {
            last_frame,
            exception: None,
            message: Vec::new(),
            end: j,
        };
    };
    let mut end = j + 1;
    while end < lines.len() && !is_log_line(lines[end]) && !ends_python_message(lines[end]) {
        end += 1;
    }
    Traceback {
        last_frame,
        exception: Some(exception.to_string()),
        message: lines[j + 1..end].to_vec(),
        end,
    }
}

/// A frame in PySpark's or py4j's own code, where the application's error only passes through.
fn is_library_frame(frame: &str) -> bool {
    [
        "/pyspark.zip/",
        "/py4j-",
        "/site-packages/",
        "/pyspark/",
        "/lib/python3",
    ]
    .iter()
    .any(|p| frame.contains(p))
}

/// Lines that end a Python exception's message: the start of a chained traceback.
fn ends_python_message(line: &str) -> bool {
    line.starts_with("During handling of the above exception")
        || line.starts_with("The above exception was the direct cause")
}

fn is_py4j_error(exception: &str) -> bool {
    exception.starts_with("py4j.protocol.Py4JJavaError")
}

/// An exception message's lines, compressed: a traceback inside it keeps its last frame and
/// exception line, JVM frames are dropped, and at most [`MESSAGE_LINES`] lines of prose kept.
struct Message {
    lines: Vec<String>,
    /// The exception line of a traceback inside the message (a Python worker's error).
    inner_exception: Option<String>,
}

fn compress_message(message: &[&str]) -> Message {
    let mut out = Vec::new();
    let mut inner_exception = None;
    // The exception line itself is the first line of its message.
    let mut prose = 1;
    let mut k = 0;
    while k < message.len() {
        let l = message[k];
        if l.trim_end().ends_with("Traceback (most recent call last):") {
            let tb = parse_traceback(message, k);
            let head = l
                .trim_end()
                .strip_suffix("Traceback (most recent call last):")
                .unwrap_or_default()
                .trim_end();
            if !head.trim().is_empty() {
                out.push(clip(head));
            }
            if let Some(frame) = &tb.last_frame {
                out.extend(frame.iter().map(|l| clip(l)));
            }
            if let Some(e) = &tb.exception {
                out.push(clip(e));
                inner_exception = Some(e.clone());
            }
            // The inner exception's message, up to the JVM frames that follow it.
            for m in tb.message.iter().take_while(|m| !is_frame(m)).take(2) {
                if !m.trim().is_empty() {
                    out.push(clip(m));
                }
            }
            k = tb.end.max(k + 1);
            while k < message.len() && !message[k].starts_with("Caused by: ") {
                k += 1;
            }
            continue;
        }
        if is_frame(l) || l.trim().is_empty() || l.trim() == "Driver stacktrace:" {
            k += 1;
            continue;
        }
        if let Some(rest) = l.strip_prefix("Caused by: ") {
            out.push(clip(l));
            // The innermost cause that says something (`java.io.EOFException` alone does not).
            if rest.contains(": ") || inner_exception.is_none() {
                inner_exception = Some(rest.to_string());
            }
            prose = 1;
        } else if prose < MESSAGE_LINES {
            out.push(clip(l));
            prose += 1;
        }
        k += 1;
    }
    Message {
        lines: out,
        inner_exception,
    }
}

/// A JVM exception's block starting at `i`: the lines kept (exception lines, the first lines of
/// each message, `Caused by:` lines; no frames, no suppressed exceptions) and the index after
/// the block.
fn jvm_block(lines: &[&str], i: usize) -> (Vec<String>, usize) {
    let mut kept = vec![lines[i].to_string()];
    let mut j = i + 1;
    let mut in_frames = false;
    let mut in_suppressed = false;
    let mut in_traceback = false;
    while j < lines.len() {
        let l = lines[j];
        let t = l.trim_start();
        if is_log_line(l) {
            break;
        }
        if l.starts_with("Caused by: ") {
            kept.push(l.to_string());
            in_frames = false;
            in_suppressed = false;
            in_traceback = false;
        } else if t.starts_with("Suppressed: ") && l.starts_with(char::is_whitespace) {
            in_suppressed = true;
        } else if is_frame(l) || t == "Driver stacktrace:" {
            in_frames = true;
        } else if t.is_empty()
            && lines
                .get(j + 1)
                .is_some_and(|next| next.trim() == "Driver stacktrace:")
        {
            // The blank line before the driver's own frames.
        } else if in_suppressed {
            // Frames and causes of a suppressed exception: indented, skipped.
            if !l.starts_with(char::is_whitespace) {
                break;
            }
        } else if in_frames {
            // Something else after the frames: the block is over.
            break;
        } else if t.ends_with("Traceback (most recent call last):") || in_traceback {
            // A Python worker's traceback inside the message (compressed later).
            in_traceback = true;
            kept.push(l.to_string());
        } else {
            kept.push(l.to_string());
        }
        j += 1;
    }
    (kept, j)
}

/// The cause a JVM exception block (as [`jvm_block`] keeps it) amounts to.
fn jvm_cause(block: Vec<String>, i: usize) -> Cause {
    let refs: Vec<&str> = block.iter().map(String::as_str).collect();
    let first = refs.first().copied().unwrap_or_default();
    let message = compress_message(&refs[1.min(refs.len())..]);
    let mut lines = split_task_failure(first);
    lines.extend(message.lines);
    let text = block.join("\n");
    let headline = message.inner_exception.unwrap_or_else(|| {
        first
            .strip_prefix("Exception in thread \"main\" ")
            .unwrap_or(first)
            .to_string()
    });
    let kind = if text.contains("Job aborted due to stage failure") {
        CauseKind::StageFailure
    } else {
        CauseKind::Jvm
    };
    let mut cause = Cause {
        kind,
        lines: cap(lines),
        headline: clip(&headline),
        line: i + 1,
        of: 0,
        service_account: None,
    };
    if let Some(refusal) = forbidden_at(&text) {
        cause.kind = CauseKind::KubernetesApi;
        cause.service_account = service_account_of(refusal);
        cause.headline = clip(refusal);
    }
    cause
}

fn refusal_cause(lines: Vec<String>, i: usize, text: &str) -> Cause {
    let refusal = forbidden_at(text).unwrap_or(text);
    Cause {
        kind: CauseKind::KubernetesApi,
        lines: cap(lines),
        headline: clip(refusal),
        line: i + 1,
        of: 0,
        service_account: service_account_of(refusal),
    }
}

/// The API server's refusal inside `text`: from `<resource> is forbidden: User "…"` (or
/// `… "name" is forbidden`) to the end of its sentence (`… in the namespace "ns"`).
fn forbidden_at(text: &str) -> Option<&str> {
    let at = text.find(" is forbidden: User \"")?;
    // Back to the start of the resource (`pods`, `pods "name"`, `configmaps`).
    let before = &text[..at];
    let start = before.rfind(['.', '\n', ':']).map(|p| p + 1).unwrap_or(0);
    let rest = &text[at..];
    let end = rest
        .find("in the namespace \"")
        .and_then(|n| {
            let after = &rest[n + "in the namespace \"".len()..];
            after
                .find('"')
                .map(|q| n + "in the namespace \"".len() + q + 1)
        })
        .or_else(|| rest.find('\n'))
        .unwrap_or(rest.len());
    Some(text[start..at + end].trim())
}

/// `system:serviceaccount:NS:SA` in a refusal, as (NS, SA).
fn service_account_of(refusal: &str) -> Option<(String, String)> {
    let at = refusal.find("User \"system:serviceaccount:")? + "User \"system:serviceaccount:".len();
    let rest = &refusal[at..];
    let user = &rest[..rest.find('"')?];
    let (ns, sa) = user.split_once(':')?;
    Some((ns.to_string(), sa.to_string()))
}

/// The exception a line starts with (`Exception in thread "main" `, `Caused by: ` or PySpark's
/// `: ` taken off): a fully qualified class name whose last part names an exception or an error,
/// alone or followed by `: message`.
fn jvm_header(line: &str) -> Option<&str> {
    let rest = line
        .strip_prefix("Exception in thread \"")
        .and_then(|r| r.split_once("\" ").map(|(_, e)| e))
        .unwrap_or(line);
    let class = rest
        .split_once(": ")
        .map(|(c, _)| c)
        .unwrap_or(rest.trim_end());
    let parts: Vec<&str> = class.split('.').collect();
    let last = parts.last()?;
    let qualified = parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        });
    let named = ["Exception", "Error", "Throwable"]
        .iter()
        .any(|s| last.contains(s));
    let capitalised = last.starts_with(|c: char| c.is_ascii_uppercase());
    (qualified && named && capitalised).then_some(rest)
}

/// A JVM stack frame or an elision (`\tat org.x.Y.z(Y.java:1)`, `\t... 12 more`).
fn is_frame(line: &str) -> bool {
    let t = line.trim_start();
    line.starts_with(char::is_whitespace)
        && (t.starts_with("at ") || (t.starts_with("...") && t.ends_with(" more")))
}

/// Whether a line comes from log4j (`25/12/07 08:00:00 INFO SparkContext: …`, or an ISO date).
fn is_log_line(line: &str) -> bool {
    let b = line.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|k| b.get(k).is_some_and(u8::is_ascii_digit));
    // yy/MM/dd HH:mm:ss
    let spark = b.len() >= 17
        && digits(0..2)
        && b[2] == b'/'
        && digits(3..5)
        && b[5] == b'/'
        && digits(6..8)
        && b[8] == b' '
        && digits(9..11)
        && b[11] == b':';
    // yyyy-MM-dd[ T]HH:mm
    let iso = b.len() >= 16
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b' ' | b'T')
        && digits(11..13)
        && b[13] == b':';
    spark || iso
}

/// The level of a log4j line (`INFO`, `WARN`, `ERROR` …).
fn log_level(line: &str) -> Option<&str> {
    line.split_whitespace()
        .skip(2)
        .take(2)
        .find(|w| matches!(*w, "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR" | "FATAL"))
}

/// What a log4j line says after its logger (`Error initializing SparkContext.`), or the line.
fn log_message(line: &str) -> &str {
    match log_level(line).and_then(|lvl| line.find(&format!(" {lvl} ")).map(|at| (lvl, at))) {
        Some((lvl, at)) => {
            let after = &line[at + lvl.len() + 2..];
            after.split_once(": ").map(|(_, m)| m).unwrap_or(after)
        }
        None => line,
    }
}

/// The level of the log line an exception block belongs to (the line just above it).
fn preceding_level<'a>(lines: &[&'a str], i: usize) -> Option<&'a str> {
    let prev = lines[..i].last()?;
    if is_log_line(prev) {
        log_level(prev)
    } else {
        None
    }
}

/// Lines Spark logs while it shuts down: never the cause.
fn is_noise(line: &str) -> bool {
    const NOISE: &[&str] = &[
        "ShutdownHookManager",
        "Deleting directory",
        "Shutdown hook called",
        "SparkUI: Stopped",
        "MemoryStore cleared",
        "BlockManager stopped",
        "BlockManagerMaster stopped",
        "Successfully stopped SparkContext",
        "SparkContext: Successfully stopped",
        "MapOutputTrackerMasterEndpoint stopped",
        "OutputCommitCoordinator stopped",
        "Invoking stop() from shutdown hook",
        "SparkContext is stopping with exitCode",
        "Shutting down all executors",
        "Asking each executor to shut down",
        "Deleting executor",
        "ExecutorPodsAllocator: Deleting",
        "Kubernetes client has been closed",
        "Stopped Spark web UI",
        "Stopped o.e.j",
        "Could not find CoarseGrainedScheduler",
    ];
    NOISE.iter().any(|n| line.contains(n))
}

/// Exceptions Spark logs while stopping (threads interrupted, pools closed): not a cause unless
/// they ended the process.
fn is_noise_exception(header: &str) -> bool {
    const NOISE: &[&str] = &[
        "java.lang.InterruptedException",
        "java.util.concurrent.RejectedExecutionException",
        "java.nio.channels.ClosedChannelException",
        "org.apache.spark.rpc.RpcEnvStoppedException",
    ];
    NOISE.iter().any(|n| header.starts_with(n))
}

/// Spark's `Job aborted due to stage failure: Task 0 in stage 1.0 failed 4 times, most recent
/// failure: Lost task 0.3 in stage 1.0 (TID 3) (10.0.0.5 executor 1): <the task's exception>`
/// as two lines: where it failed, then what (indented); another line as it is.
fn split_task_failure(line: &str) -> Vec<String> {
    const LOST: &str = "most recent failure: Lost task ";
    if let Some(at) = line.find(LOST)
        && let Some(colon) = line[at..].find("): ")
    {
        let split = at + colon + 2;
        return vec![
            clip(&line[..split]),
            format!("  {}", clip(line[split..].trim_start())),
        ];
    }
    vec![clip(line)]
}

/// A line no longer than [`MAX_LINE_CHARS`] characters (`…` marks the cut).
fn clip(line: &str) -> String {
    match line.char_indices().nth(MAX_LINE_CHARS) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_string(),
    }
}

/// At most [`MAX_LINES`] lines: the first ones (where the error is named) and the last one (the
/// innermost cause).
fn cap(mut lines: Vec<String>) -> Vec<String> {
    lines.dedup();
    // A `Caused by:` that repeats an exception already shown (the task's exception, shown
    // again as the cause of the job's) is left out.
    let mut kept: Vec<String> = Vec::with_capacity(lines.len());
    for line in lines {
        let repeated = line.strip_prefix("Caused by: ").is_some_and(|rest| {
            let rest = rest.trim_end_matches('…');
            kept.iter().any(|k| k.contains(rest))
        });
        if !repeated {
            kept.push(line);
        }
    }
    // A cause without a message that only leads to another one (`Caused by:
    // java.lang.reflect.InvocationTargetException`) says nothing.
    let last_cause = kept.iter().rposition(|l| l.starts_with("Caused by: "));
    let mut lines: Vec<String> = kept
        .into_iter()
        .enumerate()
        .filter(|(n, l)| {
            let bare = l
                .strip_prefix("Caused by: ")
                .is_some_and(|rest| !rest.contains(": "));
            !(bare && Some(*n) != last_cause)
        })
        .map(|(_, l)| l)
        .collect();
    if lines.len() > MAX_LINES {
        let last = lines.pop().unwrap_or_default();
        lines.truncate(MAX_LINES - 2);
        lines.push("…".into());
        lines.push(last);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real driver log kept under `tests/fixtures/logs/` (captured on the real node).
    fn fixture(name: &str) -> String {
        let path = format!("{}/tests/fixtures/logs/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// The cause of a fixture, checked for what every cause must be: no frames, no shutdown
    /// noise, short, and pointing at a line of the log.
    fn cause_of(name: &str) -> Cause {
        let log = fixture(name);
        let c = find(&log).unwrap_or_else(|| panic!("no cause found in {name}"));
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(c.of, lines.len(), "{name}");
        assert!(c.line >= 1 && c.line <= lines.len(), "{name}: {c:?}");
        assert!(c.lines.len() <= MAX_LINES, "{name}: {c:#?}");
        for l in &c.lines {
            assert!(!is_frame(l), "{name}: a frame is shown: {l}");
            assert!(!is_noise(l), "{name}: shutdown noise is shown: {l}");
            assert!(l.chars().count() <= MAX_LINE_CHARS + 3, "{name}: {l}");
        }
        assert!(!c.headline.is_empty(), "{name}");
        c
    }

    #[test]
    fn a_python_driver_that_raises_shows_its_last_frame_and_exception() {
        let c = cause_of("python-driver-raises.log");
        assert_eq!(c.kind, CauseKind::Python);
        assert_eq!(
            c.lines,
            [
                "  File \"/tmp/spark-cae529b3-154a-4b5f-841f-ddc4674fb801/driver_raises.py\", line 6, in check",
                "    raise ValueError(f\"bad record id={record['id']}\")",
                "ValueError: bad record id=7",
            ]
        );
        assert_eq!(c.headline, "ValueError: bad record id=7");
        assert_eq!((c.line, c.of), (74, 102));
    }

    #[test]
    fn a_python_udf_that_raises_on_an_executor_shows_the_workers_exception() {
        let c = cause_of("python-udf-raises.log");
        assert_eq!(c.kind, CauseKind::StageFailure);
        assert_eq!(c.headline, "ValueError: bad record id=7");
        assert_eq!(
            c.lines[0],
            "Task 1 in stage 0.0 failed 4 times; aborting job"
        );
        // The application's own call (not PySpark's frames), then the worker's frame.
        assert!(
            c.lines[1].ends_with("udf_raises.py\", line 14, in <module>"),
            "{c:#?}"
        );
        assert!(
            c.lines
                .iter()
                .any(|l| l.ends_with("udf_raises.py\", line 10, in parse"))
        );
        assert_eq!(c.lines.last().unwrap(), "ValueError: bad record id=7");
        assert!(!c.lines.iter().any(|l| l.contains("pyspark.zip")), "{c:#?}");
    }

    #[test]
    fn a_failing_jvm_app_shows_its_exception_and_cause_chain() {
        let c = cause_of("jvm-read-fails.log");
        assert_eq!(c.kind, CauseKind::StageFailure);
        assert_eq!(
            c.lines,
            [
                "Task 0 in stage 0.0 failed 4 times; aborting job",
                "Exception in thread \"main\" org.apache.spark.SparkException: [FAILED_READ_FILE.FILE_NOT_EXIST] Encountered error while reading file file:///etc/shadow. File does not exist. It is possible the underlying files have been updated.",
                "You can explicitly invalidate the cache in Spark by running 'REFRESH TABLE tableName' command in SQL or by recreating the Dataset/DataFrame involved. SQLSTATE: KD001",
                "Caused by: java.io.FileNotFoundException: /etc/shadow (Permission denied)",
            ]
        );
        assert_eq!(
            c.headline,
            "java.io.FileNotFoundException: /etc/shadow (Permission denied)"
        );
    }

    #[test]
    fn a_py4j_error_shows_the_jvm_exception_it_wraps() {
        let c = cause_of("python-worker-crashed.log");
        assert_eq!(c.kind, CauseKind::StageFailure);
        assert!(
            c.lines[0].ends_with("oom.py\", line 13, in <module>"),
            "{c:#?}"
        );
        assert_eq!(
            c.lines[2],
            "org.apache.spark.SparkException: Job aborted due to stage failure: Task 0 in stage \
             0.0 failed 4 times, most recent failure: Lost task 0.3 in stage 0.0 (TID 6) \
             (198.18.0.16 executor 1):"
        );
        assert!(
            c.lines[3].starts_with(
                "  org.apache.spark.SparkException: Python worker exited unexpectedly (crashed)."
            ),
            "{c:#?}"
        );
        assert_eq!(c.lines[4..], ["Caused by: java.io.EOFException"]);
        assert!(!c.lines.iter().any(|l| l.contains("Py4JJavaError")));
        assert!(
            c.headline
                .starts_with("org.apache.spark.SparkException: Python worker exited unexpectedly"),
            "{}",
            c.headline
        );
    }

    #[test]
    fn a_refused_api_request_names_the_service_account() {
        let c = cause_of("forbidden-service-account.log");
        assert_eq!(c.kind, CauseKind::KubernetesApi);
        assert_eq!(
            c.headline,
            "pods \"forbidden-9aad9fa24fa1444b-driver\" is forbidden: User \
             \"system:serviceaccount:causes-fx-nosetup:default\" cannot get resource \"pods\" in \
             API group \"\" in the namespace \"causes-fx-nosetup\""
        );
        assert_eq!(
            c.service_account,
            Some(("causes-fx-nosetup".to_string(), "default".to_string()))
        );
        assert!(c.lines.iter().any(|l| l.contains(&c.headline)), "{c:#?}");
        // The reflection wrapper between the two says nothing.
        assert!(
            !c.lines
                .iter()
                .any(|l| l.contains("InvocationTargetException"))
        );
    }

    #[test]
    fn too_many_executor_failures_is_the_cause_not_what_stops_after_it() {
        let c = cause_of("executors-failed-exit-11.log");
        assert_eq!(c.kind, CauseKind::ExecutorFailures);
        assert_eq!(c.lines, ["Max number of executor failures (2) reached"]);
        assert_eq!(c.line, 63);
    }

    #[test]
    fn shutdown_noise_alone_is_no_cause() {
        let log = "\
26/12/07 08:27:23 INFO SparkContext: SparkContext is stopping with exitCode 0 from stop at SparkSubmit.scala:1036.
26/12/07 08:27:23 INFO SparkUI: Stopped Spark web UI at http://x-driver-svc.ns.svc:4040
26/12/07 08:27:23 INFO MemoryStore: MemoryStore cleared
26/12/07 08:27:23 INFO ShutdownHookManager: Deleting directory /tmp/spark-1
26/12/07 08:27:23 WARN ShutdownHookManager: ShutdownHook '$anon$2' timeout, java.util.concurrent.TimeoutException
";
        assert_eq!(find(log), None);
        assert_eq!(find(""), None);
    }

    #[test]
    fn spark_submit_refusals_and_long_messages() {
        let log = "Error: Failed to load class org.example.Missing.\n\
                   26/12/07 08:27:23 INFO ShutdownHookManager: Shutdown hook called\n";
        let c = find(log).unwrap();
        assert_eq!(c.kind, CauseKind::Submit);
        assert_eq!(c.headline, "Failed to load class org.example.Missing.");

        let long = format!(
            "Exception in thread \"main\" java.lang.IllegalStateException: {}\nline 2\nline 3\nline 4\n\tat a.B.c(B.java:1)\n\tSuppressed: java.lang.RuntimeException: hidden\n\t\tat d.E.f(E.java:2)\nCaused by: java.lang.ArithmeticException: / by zero\n\t... 3 more\n",
            "x".repeat(1000)
        );
        let c = find(&long).unwrap();
        assert_eq!(c.kind, CauseKind::Jvm);
        assert_eq!(c.lines.len(), 4, "{c:#?}");
        assert!(c.lines[0].ends_with('…') && c.lines[0].chars().count() == MAX_LINE_CHARS + 1);
        assert_eq!(c.lines[1..3], ["line 2", "line 3"]);
        assert_eq!(
            c.lines[3],
            "Caused by: java.lang.ArithmeticException: / by zero"
        );
        assert_eq!(c.headline, "java.lang.ArithmeticException: / by zero");
    }

    #[test]
    fn an_error_logged_before_the_end_beats_warnings() {
        let log = "\
26/12/07 08:00:01 WARN TaskSetManager: Lost task 0.0 in stage 0.0 (TID 0) (10.0.0.1 executor 1): java.io.IOException: flaky
26/12/07 08:00:02 ERROR SparkContext: Error initializing SparkContext.
org.apache.spark.SparkException: A master URL must be set in your configuration
\tat org.apache.spark.SparkContext.<init>(SparkContext.scala:1)
26/12/07 08:00:03 INFO ShutdownHookManager: Shutdown hook called
26/12/07 08:00:03 ERROR Utils: Uncaught exception in thread shutdown-hook-0
java.lang.InterruptedException
\tat java.lang.Object.wait(Native Method)
";
        let c = find(log).unwrap();
        assert_eq!(
            c.lines,
            ["org.apache.spark.SparkException: A master URL must be set in your configuration"]
        );
        assert_eq!(c.line, 3);
    }
}
