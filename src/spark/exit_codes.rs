//! What a Spark container's exit code means, and the fix that fits: Spark's own codes
//! (`SparkExitCode`, `ExecutorExitCode`), the JVM's, and the signals Kubernetes sends
//! (128 + N). Pure: the caller says what the container and its pod reported.

/// Which Spark process exited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The driver (or a server such as Spark Connect, which is a driver).
    Driver,
    /// An executor.
    Executor,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Driver => "driver",
            Role::Executor => "executor",
        }
    }
}

/// How a container ended, as its status says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Termination {
    /// The exit code.
    pub exit_code: i32,
    /// The termination reason (`Error`, `OOMKilled`, `Completed` …).
    pub reason: Option<String>,
    /// The container's memory limit (`1408Mi`), if it had one.
    pub memory_limit: Option<String>,
}

/// What is known about the executors that were lost (for exit 11).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecutorLosses {
    /// How many executors were lost.
    pub lost: usize,
    /// How many of them were OOMKilled.
    pub oom_killed: usize,
    /// An executor container's memory limit, if known.
    pub memory_limit: Option<String>,
}

/// Spark: executor failures exceeded `spark.executor.maxNumFailures`.
pub const EXCEED_MAX_EXECUTOR_FAILURES: i32 = 11;
/// The JVM was killed (SIGKILL): by the kernel's OOM killer, or after the grace period.
pub const SIGKILL: i32 = 137;
/// The JVM was asked to stop (SIGTERM): the pod was deleted, evicted, or its node drained.
pub const SIGTERM: i32 = 143;

/// The explanation of `t` (one or two sentences, with the settings that fix it), or `None` for a
/// success. `losses` is what is known about lost executors (exit 11's advice depends on it).
pub fn explain(role: Role, t: &Termination, losses: Option<&ExecutorLosses>) -> Option<String> {
    let who = role.name();
    let code = t.exit_code;
    let oom_killed = t.reason.as_deref() == Some("OOMKilled");
    let memory = match role {
        Role::Driver => ("spark.driver.memory", "spark.driver.memoryOverhead"),
        Role::Executor => ("spark.executor.memory", "spark.executor.memoryOverhead"),
    };
    if oom_killed {
        let limit = t
            .memory_limit
            .as_deref()
            .map(|l| format!(" of {l}"))
            .unwrap_or_default();
        return Some(format!(
            "exit {code}, OOMKilled: the {who} container used more than its memory limit{limit} \
             (the JVM heap, {} + the memory outside it, {}: Python workers, native and direct \
             buffers) and the kernel killed it. Raise {} (the usual fix when Python or native \
             code runs), or {} if the heap itself is short.",
            memory.0, memory.1, memory.1, memory.0
        ));
    }
    let text = match code {
        0 => return None,
        1 => format!(
            "exit 1: the application failed (an uncaught exception, or it exited with 1); the \
             {who}'s log says why"
        ),
        2 => "exit 2: a command line was refused (spark-submit's or the application's own \
              argument check, e.g. Python's argparse)"
            .to_string(),
        EXCEED_MAX_EXECUTOR_FAILURES => executor_failures(losses),
        50 => format!(
            "exit 50: an uncaught exception in one of the {who}'s threads (Spark's default \
             handler); the {who}'s log says which"
        ),
        51 => format!(
            "exit 51: an uncaught exception in one of the {who}'s threads, and logging it \
             failed too"
        ),
        52 => format!(
            "exit 52: the {who} JVM ran out of heap (java.lang.OutOfMemoryError). Raise {} \
             (the heap; the container's limit grows with it)",
            memory.0
        ),
        53 => "exit 53: the executor could not create a local directory (check spark.local.dir \
               and the volumes mounted for it)"
            .to_string(),
        54 | 55 => format!("exit {code}: the executor's external block store failed"),
        56 => "exit 56: the executor could not send heartbeats to the driver \
               (spark.executor.heartbeat.maxFailures times in a row): the driver was gone or \
               unreachable"
            .to_string(),
        101 => "exit 101: the main class was not found: check --class, and that the jar holding \
                it is the primary resource or in --jars"
            .to_string(),
        124 => {
            "exit 124: the driver ran longer than spark.driver.timeout and was stopped".to_string()
        }
        127 => format!(
            "exit 127: a command in the {who} container was not found (the image's entrypoint, \
             or the Python named by spark.pyspark.python)"
        ),
        134 => format!(
            "exit 134 (SIGABRT): the {who} JVM aborted (a crash in native code; the JVM may \
             have written hs_err_pid*.log in its working directory)"
        ),
        SIGKILL => format!(
            "exit 137 (SIGKILL): the {who} was killed, most likely for using more memory than \
             its container's limit (raise {} or {}), or because it did not stop within its \
             grace period",
            memory.1, memory.0
        ),
        139 => format!("exit 139 (SIGSEGV): the {who} crashed in native code"),
        SIGTERM => format!(
            "exit 143 (SIGTERM): the {who} was asked to stop: its pod was deleted (`kubectl \
             spark kill`), evicted, or its node drained"
        ),
        c if c > 128 && c < 160 => {
            format!("exit {c}: the {who} was killed by signal {}", c - 128)
        }
        c => format!("exit {c}: the {who} failed; its log says why"),
    };
    Some(text)
}

/// Exit 11's explanation, with the memory advice when executors were OOMKilled.
fn executor_failures(losses: Option<&ExecutorLosses>) -> String {
    let base = "exit 11: Spark stopped the application after too many executor failures \
                (spark.executor.maxNumFailures; by default twice the number of executors, at \
                least 3)";
    match losses {
        Some(l) if l.oom_killed > 0 => {
            let limit = l
                .memory_limit
                .as_deref()
                .map(|m| format!(" (each had {m})"))
                .unwrap_or_default();
            format!(
                "{base}. {} of {} executors lost were OOMKilled{limit}: raise \
                 spark.executor.memoryOverhead (Python workers, native memory) or \
                 spark.executor.memory",
                l.oom_killed,
                l.lost.max(l.oom_killed)
            )
        }
        Some(l) if l.lost > 0 => format!(
            "{base}. {} executors were lost: `kubectl spark describe` shows how they ended",
            l.lost
        ),
        _ => format!(
            "{base}. If executors were OOMKilled, raise spark.executor.memoryOverhead or \
             spark.executor.memory; the driver's log says how each ended"
        ),
    }
}

/// What a driver's log says about the executors it lost: Spark logs each loss as `The executor
/// with id N exited with exit code 137(SIGKILL, possible container OOM)` and, on Kubernetes,
/// the container's reason (`OOMKilled`).
pub fn losses_in_log(log: &str) -> ExecutorLosses {
    let mut lost = std::collections::BTreeSet::new();
    let mut oom = std::collections::BTreeSet::new();
    let mut last_id: Option<String> = None;
    for line in log.lines() {
        if let Some(at) = line.find("The executor with id ") {
            let rest = &line[at + "The executor with id ".len()..];
            let id: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if !id.is_empty() && rest[id.len()..].starts_with(" exited with exit code") {
                lost.insert(id.clone());
                last_id = Some(id);
            }
        }
        if line.contains("OOMKilled")
            && let Some(id) = &last_id
        {
            oom.insert(id.clone());
        }
    }
    ExecutorLosses {
        lost: lost.len(),
        oom_killed: oom.len(),
        memory_limit: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(code: i32, reason: &str, limit: Option<&str>) -> Termination {
        Termination {
            exit_code: code,
            reason: Some(reason.into()),
            memory_limit: limit.map(str::to_string),
        }
    }

    #[test]
    fn success_needs_no_explanation() {
        assert_eq!(explain(Role::Driver, &t(0, "Completed", None), None), None);
    }

    #[test]
    fn an_oom_killed_driver_names_its_memory_and_the_settings() {
        let text = explain(Role::Driver, &t(137, "OOMKilled", Some("1408Mi")), None).unwrap();
        assert!(text.starts_with("exit 137, OOMKilled: the driver container used more than its memory limit of 1408Mi"), "{text}");
        assert!(text.contains("Raise spark.driver.memoryOverhead"), "{text}");
        assert!(text.contains("spark.driver.memory "), "{text}");
        let executor = explain(Role::Executor, &t(137, "OOMKilled", None), None).unwrap();
        assert!(
            executor.contains("the executor container used more than its memory limit ("),
            "{executor}"
        );
        assert!(
            executor.contains("spark.executor.memoryOverhead"),
            "{executor}"
        );
    }

    #[test]
    fn killed_and_terminated() {
        let killed = explain(Role::Driver, &t(137, "Error", None), None).unwrap();
        assert!(
            killed.starts_with(
                "exit 137 (SIGKILL): the driver was killed, most likely for using more memory"
            ),
            "{killed}"
        );
        let term = explain(Role::Driver, &t(143, "Error", None), None).unwrap();
        assert!(term.starts_with("exit 143 (SIGTERM)"), "{term}");
        assert!(term.contains("kubectl spark kill"), "{term}");
        assert_eq!(
            explain(Role::Driver, &t(130, "Error", None), None).unwrap(),
            "exit 130: the driver was killed by signal 2"
        );
    }

    #[test]
    fn too_many_executor_failures_gives_memory_advice_when_they_were_oom_killed() {
        let none = explain(Role::Driver, &t(11, "Error", None), None).unwrap();
        assert!(none.contains("spark.executor.maxNumFailures"), "{none}");
        assert!(none.contains("If executors were OOMKilled"), "{none}");
        let losses = ExecutorLosses {
            lost: 4,
            oom_killed: 3,
            memory_limit: Some("896Mi".into()),
        };
        let oom = explain(Role::Driver, &t(11, "Error", None), Some(&losses)).unwrap();
        assert!(
            oom.ends_with(
                "3 of 4 executors lost were OOMKilled (each had 896Mi): raise \
                 spark.executor.memoryOverhead (Python workers, native memory) or \
                 spark.executor.memory"
            ),
            "{oom}"
        );
        let other = ExecutorLosses {
            lost: 2,
            ..ExecutorLosses::default()
        };
        let lost = explain(Role::Driver, &t(11, "Error", None), Some(&other)).unwrap();
        assert!(
            lost.ends_with("2 executors were lost: `kubectl spark describe` shows how they ended"),
            "{lost}"
        );
    }

    #[test]
    fn spark_codes() {
        let say = |c| explain(Role::Driver, &t(c, "Error", None), None).unwrap();
        assert!(say(1).starts_with("exit 1: the application failed"));
        assert!(say(52).contains("OutOfMemoryError"));
        assert!(say(52).contains("spark.driver.memory"));
        assert!(say(101).contains("--class"));
        assert!(say(124).contains("spark.driver.timeout"));
        assert!(say(42).starts_with("exit 42: the driver failed"));
    }

    #[test]
    fn losses_are_counted_from_the_drivers_log() {
        let log = "\
25/12/07 08:40:01 ERROR TaskSchedulerImpl: Lost executor 1 on 10.0.0.7: \n\
The executor with id 1 exited with exit code 137(SIGKILL, possible container OOM).\n\
The API gave the following container statuses:\n\
\t container name: spark-kubernetes-executor\n\
\t termination reason: OOMKilled\n\
25/12/07 08:40:09 ERROR TaskSchedulerImpl: Lost executor 2 on 10.0.0.8: \n\
The executor with id 2 exited with exit code 1(Error).\n\
The executor with id 2 exited with exit code 1(Error).\n";
        assert_eq!(
            losses_in_log(log),
            ExecutorLosses {
                lost: 2,
                oom_killed: 1,
                memory_limit: None
            }
        );
    }
}
