//! `kubectl spark describe`: one screen that explains an application — the driver's state,
//! conditions and containers, why it is pending, why a failed driver failed (the error in its
//! log, its exit code explained; otherwise the last lines of its log), its
//! executors, Service, conf map (secrets redacted), how to reach the Spark UI, and the recent
//! events in time order. Its summary says what was submitted: main class, resource,
//! application arguments, the driver's service account, and the driver's and each executor's
//! CPU and memory.
//!
//! Fetching is best effort beyond the driver pod: a section the user may not read (a 403 on
//! services, say) says so, names the permission, and the rest is still shown.

use std::fmt::Write as _;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{ConfigMap, ContainerStatus, Event, Pod, Service};
use kube::Client;
use kube::api::{Api, LogParams};

use crate::app::LABEL_APP_SELECTOR;
use crate::cli::{AppRefArgs, KubeFlags};
use crate::commands::history::{self, FinishedView};
use crate::conf::{is_secret_key, properties};
use crate::error::Result;
use crate::operate::selector::Scope;
use crate::operate::summary::{self, AppSummary, State, mounted_config_maps};
use crate::operate::{duration, find, plain_table};
use crate::output;
use crate::spark::failure;
use crate::spark::section::Origin;

/// How many events are shown (the most recent ones).
const MAX_EVENTS: usize = 25;
/// How many lines of a failed driver's log are shown when no error was found in it.
const FAILED_LOG_LINES: usize = 20;

/// How many failed stages have their first failed task read (one request each).
const SPARK_FAILED_STAGES: usize = 3;

/// A section that may have been refused.
#[derive(Debug, Clone)]
pub enum Section<T> {
    /// What the server returned.
    Found(T),
    /// Why it could not be read (the error and its hint).
    Unavailable(String),
}

impl<T> Section<T> {
    fn from_result(result: Result<T>) -> Section<T> {
        match result {
            Ok(v) => Section::Found(v),
            Err(e) => {
                let mut text = e.to_string();
                if let Some(hint) = e.hint() {
                    let _ = write!(text, " ({hint})");
                }
                Section::Unavailable(text)
            }
        }
    }
}

/// Everything `describe` shows, fetched.
#[derive(Debug, Clone)]
pub struct Description {
    /// The driver pod.
    pub driver: Pod,
    /// Its executor pods.
    pub executors: Vec<Pod>,
    /// Services labelled with the app id.
    pub services: Section<Vec<Service>>,
    /// The conf maps the driver mounts, by name.
    pub config_maps: Vec<(String, Section<Option<ConfigMap>>)>,
    /// Events of the driver, its executors, Service and conf maps.
    pub events: Section<Vec<Event>>,
    /// The end of the log of a driver container that failed (exit code ≠ 0), where the cause
    /// is looked for, with the container's name; `None` when no container failed.
    pub failed_log: Option<(String, Section<String>)>,
    /// Spark's own view: read from a running driver's REST API, or for a finished one from
    /// the namespace's History Server (`None`: pending, or nothing to say); an error says why
    /// there is no answer, a note why there is no section.
    pub spark: Option<FinishedView>,
}

/// The driver container that ended with a non-zero exit code, if any.
fn failed_container(pod: &Pod) -> Option<&ContainerStatus> {
    pod.status
        .as_ref()?
        .container_statuses
        .as_ref()?
        .iter()
        .find(|cs| {
            cs.state
                .as_ref()
                .and_then(|s| s.terminated.as_ref())
                .is_some_and(|t| t.exit_code != 0)
        })
}

/// Runs `describe`.
pub async fn run(flags: &KubeFlags, args: &AppRefArgs) -> Result<u8> {
    let target = crate::kube::resolve(flags).await?;
    let client = target.client()?;
    let Some(driver) = find::resolve_one_or_none(
        &client,
        &target.namespace,
        args.all_namespaces,
        &args.app,
        args.latest,
    )
    .await?
    else {
        // The driver pod is gone (kill, cleanup): the History Server may know the application.
        return crate::commands::history::describe_finished(
            &client,
            &target.namespace,
            args.all_namespaces,
            &args.app,
        )
        .await;
    };
    let description = fetch(&client, driver).await?;
    for warning in unavailable(&description) {
        output::warn(&warning);
    }
    output::print_data(&render(&description, Timestamp::now()))?;
    Ok(0)
}

fn unavailable(d: &Description) -> Vec<String> {
    let mut out = Vec::new();
    if let Section::Unavailable(e) = &d.services {
        out.push(e.clone());
    }
    for (_, cm) in &d.config_maps {
        if let Section::Unavailable(e) = cm {
            out.push(e.clone());
        }
    }
    if let Section::Unavailable(e) = &d.events {
        out.push(e.clone());
    }
    out
}

async fn fetch(client: &Client, driver: Pod) -> Result<Description> {
    let ns = driver.metadata.namespace.clone().unwrap_or_default();
    let scope = Scope::Namespace(ns.clone());
    let app_id = driver
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(LABEL_APP_SELECTOR))
        .cloned();
    let executors = match &app_id {
        Some(id) => find::list_executors(client, &scope, Some(id)).await?,
        None => Vec::new(),
    };
    let services = match &app_id {
        Some(id) => {
            let api: Api<Service> = Api::namespaced(client.clone(), &ns);
            let selector = format!("{LABEL_APP_SELECTOR}={id}");
            Section::from_result(
                find::list_paged(&api, Some(&selector), None, "list services", &scope).await,
            )
        }
        None => Section::Found(Vec::new()),
    };
    let cm_api: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    let mut config_maps = Vec::new();
    for name in mounted_config_maps(&driver) {
        let got = cm_api
            .get_opt(&name)
            .await
            .map_err(|e| crate::kube::api_error(e, "get configmaps", &ns));
        config_maps.push((name, Section::from_result(got)));
    }
    // Executors Spark already deleted keep their events (found by pod name, recorded since the
    // driver was created).
    let properties = config_maps.iter().find_map(|(_, cm)| match cm {
        Section::Found(Some(cm)) => cm.data.as_ref()?.get("spark.properties").cloned(),
        _ => None,
    });
    let mut prefixes =
        crate::operate::executors::pod_name_prefixes(&driver, properties.as_deref(), &executors);
    let since = summary::created_at(&driver);
    // Other applications' executors still there: their events are theirs.
    let others: Vec<String> = find::list_executors(client, &scope, None)
        .await
        .unwrap_or_default()
        .iter()
        .filter(|p| !executors.iter().any(|e| e.metadata.uid == p.metadata.uid))
        .filter_map(|p| {
            p.metadata
                .name
                .as_deref()?
                .rsplit_once("-exec-")
                .map(|(x, _)| x.to_string())
        })
        .collect();
    let event_api: Api<Event> = Api::namespaced(client.clone(), &ns);
    let events = find::list_paged(&event_api, None, None, "list events", &scope)
        .await
        .map(|all| {
            prefixes.extend(crate::operate::executors::orphan_prefix(
                &all,
                &prefixes,
                &others,
                since,
                summary::finished_at(&driver).map(|t| t + jiff::SignedDuration::from_secs(60)),
            ));
            let uids: Vec<String> = std::iter::once(&driver)
                .chain(executors.iter())
                .filter_map(|p| p.metadata.uid.clone())
                .collect();
            let mut names: Vec<(String, String)> = config_maps
                .iter()
                .map(|(n, _)| ("ConfigMap".to_string(), n.clone()))
                .collect();
            if let Section::Found(svcs) = &services {
                names.extend(
                    svcs.iter()
                        .filter_map(|s| s.metadata.name.clone())
                        .map(|n| ("Service".to_string(), n)),
                );
            }
            all.into_iter()
                .filter(|e| {
                    let o = &e.involved_object;
                    o.uid.as_ref().is_some_and(|u| uids.contains(u))
                        || names.iter().any(|(k, n)| {
                            o.kind.as_deref() == Some(k) && o.name.as_deref() == Some(n)
                        })
                        || (o.kind.as_deref() == Some("Pod")
                            && o.name.as_deref().is_some_and(|n| {
                                crate::operate::executors::is_executor_pod_name(n, &prefixes)
                            })
                            && event_time(e).zip(since).is_none_or(|(t, s)| t >= s))
                })
                .collect::<Vec<_>>()
        });
    let failed_log = match failed_container(&driver) {
        Some(cs) => {
            let api: Api<Pod> = Api::namespaced(client.clone(), &ns);
            let params = LogParams {
                container: Some(cs.name.clone()),
                tail_lines: Some(i64::from(failure::LOG_LINES_READ)),
                ..LogParams::default()
            };
            let name = driver.metadata.name.clone().unwrap_or_default();
            let log = api
                .logs(&name, &params)
                .await
                .map_err(|e| crate::kube::api_error(e, "get pods/log", &ns));
            Some((cs.name.clone(), Section::from_result(log)))
        }
        None => None,
    };
    let summary = summary::summarize(&driver, [], Timestamp::now());
    let ended = summary.state.is_finished() || summary.exit_code.is_some();
    let spark = match &app_id {
        _ if crate::spark::live::is_live(&driver) && !ended => Some(FinishedView::Section(
            Origin::Driver,
            crate::spark::live::snapshot_of(client, &driver, SPARK_FAILED_STAGES)
                .await
                .map_err(|e| e.to_string()),
        )),
        Some(id) if ended => {
            let dir = properties.as_deref().and_then(event_log_dir);
            history::finished_view(client, &ns, id, dir.as_deref()).await
        }
        _ => None,
    };
    Ok(Description {
        driver,
        executors,
        services,
        config_maps,
        events: Section::from_result(events),
        failed_log,
        spark,
    })
}

/// The executors an application lost, counted as `status -o wide` does: the failed pods still
/// there and, while it runs, the executors Spark deleted that its events tell about, named
/// from the driver's REST answer (Spark's `removeReason`).
fn executor_losses(d: &Description, s: &AppSummary) -> crate::operate::executors::Losses {
    use crate::operate::executors;
    let mut lost = s.executors.lost.clone();
    if s.state != State::Running {
        return lost;
    }
    if let Section::Found(events) = &d.events {
        // The events kept are the application's: their executor pod names give its prefixes.
        let present: Vec<&str> = d
            .executors
            .iter()
            .filter_map(|p| p.metadata.name.as_deref())
            .collect();
        let prefixes = executors::prefixes_in(events);
        lost.merge(&executors::lost_in_events(
            events,
            &prefixes,
            &present,
            summary::created_at(&d.driver),
        ));
    }
    if let Some(FinishedView::Section(Origin::Driver, Ok(snapshot))) = &d.spark {
        lost.complete(&snapshot.executors);
    }
    lost
}

/// Where an application wrote its event log (`spark.eventLog.dir` when
/// `spark.eventLog.enabled` is true), from its `spark.properties`.
pub fn event_log_dir(properties: &str) -> Option<String> {
    let entries = properties::parse(properties).ok()?;
    let get = |k: &str| {
        entries
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim())
    };
    (get("spark.eventLog.enabled")? == "true").then(|| {
        get("spark.eventLog.dir")
            .unwrap_or("file:/tmp/spark-events")
            .to_string()
    })
}

/// Properties as `key=value` lines, secrets replaced by `<redacted>`.
pub fn redacted_properties(text: &str) -> String {
    match properties::parse(text) {
        Ok(entries) => entries
            .iter()
            .map(|(k, v)| format!("{k}={}\n", if is_secret_key(k) { "<redacted>" } else { v }))
            .collect(),
        Err(e) => format!("(cannot parse: {e})\n"),
    }
}

/// When an event was last seen, whichever API wrote it: `lastTimestamp` (core events),
/// `series.lastObservedTime` (a repeated `events.k8s.io` event, whose `eventTime` is its first
/// occurrence), `eventTime`, then the first and creation times. One meaning for all, so that
/// the list sorted by it is really oldest first.
fn event_time(e: &Event) -> Option<Timestamp> {
    e.last_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| e.series.as_ref()?.last_observed_time.as_ref().map(|t| t.0))
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| e.first_timestamp.as_ref().map(|t| t.0))
        .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0))
}

fn ago(t: Option<Timestamp>, now: Timestamp) -> String {
    match t {
        Some(t) => format!(
            "{t} ({} ago)",
            duration::human(now.duration_since(t).as_secs())
        ),
        None => "-".to_string(),
    }
}

/// One line for a container's state.
pub fn container_state(cs: &ContainerStatus) -> String {
    let state = cs.state.as_ref();
    if let Some(r) = state.and_then(|s| s.running.as_ref()) {
        let since = r
            .started_at
            .as_ref()
            .map(|t| format!(" since {}", t.0))
            .unwrap_or_default();
        format!("running{since}")
    } else if let Some(w) = state.and_then(|s| s.waiting.as_ref()) {
        let reason = w.reason.as_deref().unwrap_or("waiting");
        match w.message.as_deref().filter(|m| !m.is_empty()) {
            Some(m) => format!("waiting: {reason}: {m}"),
            None => format!("waiting: {reason}"),
        }
    } else if let Some(t) = state.and_then(|s| s.terminated.as_ref()) {
        let mut text = format!(
            "terminated: {}, exit code {}",
            t.reason.as_deref().unwrap_or("-"),
            t.exit_code
        );
        if let Some(m) = t.message.as_deref().filter(|m| !m.is_empty()) {
            let _ = write!(text, ": {m}");
        }
        text
    } else {
        "unknown".to_string()
    }
}

fn conditions(pod: &Pod) -> String {
    let conds = pod.status.as_ref().and_then(|s| s.conditions.as_ref());
    let Some(conds) = conds else {
        return "-".to_string();
    };
    conds
        .iter()
        .map(
            |c| match c.reason.as_deref().filter(|_| c.status != "True") {
                Some(r) => format!("{}={} ({r})", c.type_, c.status),
                None => format!("{}={}", c.type_, c.status),
            },
        )
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a pending driver is pending: the scheduler's condition message and the latest
/// scheduling or pull problem from the events.
pub fn why_pending(pod: &Pod, summary: &AppSummary, events: &[Event]) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(reason) = &summary.reason {
        match &summary.message {
            Some(m) if !m.is_empty() => out.push(format!("{reason}: {m}")),
            _ => out.push(reason.clone()),
        }
    }
    let uid = pod.metadata.uid.as_deref();
    let latest = events
        .iter()
        .filter(|e| {
            e.involved_object.uid.as_deref() == uid && e.type_.as_deref() == Some("Warning")
        })
        .max_by_key(|e| event_time(e));
    if let Some(e) = latest {
        let line = format!(
            "{}: {}",
            e.reason.as_deref().unwrap_or("Warning"),
            e.message.as_deref().unwrap_or("").trim()
        );
        if !out.iter().any(|l| {
            l == &line
                || summary
                    .message
                    .as_deref()
                    .is_some_and(|m| line.ends_with(m.trim()))
        }) {
            out.push(line);
        }
    }
    out
}

/// What was submitted, read back from the driver pod (its container's arguments, written by
/// Spark's `DriverCommandFeatureStep`), its conf map's `spark.properties` and an executor pod.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Submitted {
    /// `--class` (PythonRunner/RRunner for Python/R applications).
    pub main_class: Option<String>,
    /// The primary resource (`spark-internal` stands for a jar Spark ships in `spark.jars`).
    pub resource: Option<String>,
    /// The application's own arguments.
    pub app_args: Vec<String>,
    /// The driver pod's service account.
    pub service_account: String,
    /// The driver container's CPU and memory.
    pub driver: String,
    /// One executor's CPU and memory, and how many were asked for.
    pub executors: String,
}

/// The Spark container's requests and limits: `cpu 1 (limit 2), memory 1408Mi`.
fn resources_text(pod: &Pod, container: &str) -> Option<String> {
    let name = summary::spark_container_name(pod, container)?;
    let c = pod
        .spec
        .as_ref()?
        .containers
        .iter()
        .find(|c| c.name == name)?;
    let r = c.resources.as_ref()?;
    let get = |map: &Option<
        std::collections::BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
    >,
               key: &str| {
        map.as_ref().and_then(|m| m.get(key)).map(|q| q.0.clone())
    };
    let cpu = get(&r.requests, "cpu");
    let cpu_limit = get(&r.limits, "cpu");
    let memory = get(&r.limits, "memory").or_else(|| get(&r.requests, "memory"));
    let mut parts = Vec::new();
    match (cpu, cpu_limit) {
        (Some(c), Some(l)) if c != l => parts.push(format!("cpu {c} (limit {l})")),
        (Some(c), _) | (None, Some(c)) => parts.push(format!("cpu {c}")),
        (None, None) => {}
    }
    if let Some(m) = memory {
        parts.push(format!("memory {m}"));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The memory of an executor pod as Spark's driver sizes it (`BasicExecutorFeatureStep`), in
/// MiB: `spark.executor.memory` (default 1g) + `spark.executor.memoryOverhead`, else the
/// overhead factor (`spark.executor.memoryOverheadFactor`, else
/// `spark.kubernetes.memoryOverheadFactor`, which submit writes, else 0.1) times the memory,
/// at least `spark.executor.minMemoryOverhead` (384m); + `spark.executor.pyspark.memory`.
/// None when a value cannot be read.
fn executor_pod_memory_mib(prop: &dyn Fn(&str) -> Option<String>) -> Option<i64> {
    use crate::conf::units::{ByteUnit, parse_bytes_as};
    let mib = |key: &str, default: &str| {
        parse_bytes_as(&prop(key).unwrap_or_else(|| default.into()), ByteUnit::MiB).ok()
    };
    let memory = mib("spark.executor.memory", "1g")?;
    let overhead = match prop("spark.executor.memoryOverhead") {
        Some(_) => mib("spark.executor.memoryOverhead", "0")?,
        None => {
            let factor: f64 = prop("spark.executor.memoryOverheadFactor")
                .or_else(|| prop("spark.kubernetes.memoryOverheadFactor"))
                .unwrap_or_else(|| "0.1".into())
                .trim()
                .parse()
                .ok()?;
            ((factor * memory as f64) as i64).max(mib("spark.executor.minMemoryOverhead", "384m")?)
        }
    };
    let pyspark = match prop("spark.executor.pyspark.memory") {
        Some(_) => mib("spark.executor.pyspark.memory", "0")?,
        None => 0,
    };
    Some(memory + overhead + pyspark)
}

/// Reads back what was submitted. `properties` is the conf map's `spark.properties`, if read.
pub fn submitted(driver: &Pod, properties: Option<&str>, executors: &[Pod]) -> Submitted {
    let mut out = Submitted {
        service_account: driver
            .spec
            .as_ref()
            .and_then(|s| s.service_account_name.clone())
            .unwrap_or_else(|| "default".into()),
        driver: resources_text(driver, summary::DRIVER_CONTAINER).unwrap_or_else(|| "-".into()),
        ..Submitted::default()
    };
    let args = summary::spark_container_name(driver, summary::DRIVER_CONTAINER)
        .and_then(|name| {
            driver
                .spec
                .as_ref()?
                .containers
                .iter()
                .find(|c| c.name == name)?
                .args
                .clone()
        })
        .unwrap_or_default();
    let mut words = args.iter().skip_while(|a| *a != "driver").skip(1);
    while let Some(word) = words.next() {
        match word.as_str() {
            "--class" => out.main_class = words.next().cloned(),
            "--properties-file" | "--proxy-user" => {
                words.next();
            }
            _ => {
                out.resource = Some(word.clone());
                out.app_args = words.cloned().collect();
                break;
            }
        }
    }
    let props: Vec<(String, String)> = properties
        .and_then(|t| properties::parse(t).ok())
        .unwrap_or_default();
    let prop = |key: &str| {
        props
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let size = match executors
        .iter()
        .find_map(|p| resources_text(p, summary::EXECUTOR_CONTAINER))
    {
        Some(text) => text,
        None => {
            let cpu = prop("spark.kubernetes.executor.request.cores")
                .or_else(|| prop("spark.executor.cores"))
                .unwrap_or_else(|| "1".into());
            // In the unit the executor pods had (memory + overhead, in Mi), so that the size
            // reads the same while they run and after they are gone.
            match executor_pod_memory_mib(&prop) {
                Some(mib) => format!("cpu {cpu}, memory {mib}Mi"),
                None => {
                    let memory = prop("spark.executor.memory").unwrap_or_else(|| "1g".into());
                    format!("cpu {cpu}, memory {memory} (+ overhead)")
                }
            }
        }
    };
    let count = if prop("spark.dynamicAllocation.enabled").as_deref() == Some("true") {
        "dynamic allocation".to_string()
    } else {
        format!(
            "{} asked",
            prop("spark.executor.instances").unwrap_or_else(|| "2".into())
        )
    };
    out.executors = format!("{size} each; {count}");
    out
}

/// Shell-style words: quoted when they hold spaces or quotes.
fn shell_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if w.is_empty() || w.contains(|c: char| c.is_whitespace() || "'\"$`\\".contains(c)) {
                format!("'{}'", w.replace('\'', "'\\''"))
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn pair(out: &mut String, indent: usize, label: &str, value: impl AsRef<str>) {
    let label = format!("{label}:");
    let _ = writeln!(
        out,
        "{:indent$}{label:<width$}{}",
        "",
        value.as_ref(),
        width = 18 - indent.min(16)
    );
}

fn indented(text: &str, by: usize) -> String {
    text.lines().map(|l| format!("{:by$}{l}\n", "")).collect()
}

/// Renders the description.
pub fn render(d: &Description, now: Timestamp) -> String {
    let pod = &d.driver;
    let s = summary::summarize(pod, d.executors.iter(), now);
    let mut out = String::new();
    pair(&mut out, 0, "Name", s.app_name.as_deref().unwrap_or("-"));
    pair(&mut out, 0, "Submission ID", &s.submission_id);
    pair(
        &mut out,
        0,
        "Application ID",
        s.app_id.as_deref().unwrap_or("-"),
    );
    pair(
        &mut out,
        0,
        "Spark version",
        s.spark_version.as_deref().unwrap_or("-"),
    );
    let properties = d.config_maps.iter().find_map(|(_, cm)| match cm {
        Section::Found(Some(cm)) => cm.data.as_ref()?.get("spark.properties").cloned(),
        _ => None,
    });
    let what = submitted(pod, properties.as_deref(), &d.executors);
    pair(
        &mut out,
        0,
        "Main class",
        what.main_class.as_deref().unwrap_or("-"),
    );
    pair(
        &mut out,
        0,
        "Resource",
        what.resource.as_deref().unwrap_or("-"),
    );
    pair(
        &mut out,
        0,
        "Arguments",
        if what.app_args.is_empty() {
            "none".to_string()
        } else {
            shell_words(&what.app_args)
        },
    );
    pair(&mut out, 0, "Service account", &what.service_account);
    let defaults = crate::defaults::applied_of(pod);
    if !defaults.is_empty() {
        pair(
            &mut out,
            0,
            "Defaults applied",
            format!(
                "{} (namespace defaults, ConfigMap {}/{})",
                defaults.join(", "),
                s.namespace,
                crate::defaults::NAME
            ),
        );
    }
    pair(&mut out, 0, "Driver", &what.driver);
    pair(&mut out, 0, "Executor size", &what.executors);
    pair(&mut out, 0, "State", s.state_text());
    // A pending driver's message is shown under "Why pending".
    if let Some(m) = s
        .message
        .as_deref()
        .filter(|m| !m.is_empty() && s.state != State::Pending)
    {
        pair(&mut out, 0, "Message", m.trim());
    }
    pair(&mut out, 0, "Created", ago(s.created, now));
    pair(&mut out, 0, "Started", ago(s.started, now));
    if s.finished.is_some() {
        pair(&mut out, 0, "Finished", ago(s.finished, now));
    }
    pair(
        &mut out,
        0,
        "Duration",
        s.duration_seconds
            .map(duration::human)
            .unwrap_or_else(|| "-".into()),
    );
    let ui_port = summary::ui_port(pod);
    let ui = match s.state {
        State::Running if !s.terminating => format!(
            "`kubectl spark ui {}` (forwards localhost:4040 to the driver's port {ui_port})",
            s.submission_id
        ),
        State::Pending => format!(
            "once the driver runs: `kubectl spark ui {}`",
            s.submission_id
        ),
        _ => format!(
            "gone with the driver; `kubectl spark ui {}` opens it on the namespace's History Server (`kubectl spark history -n {}` starts one)",
            s.submission_id, s.namespace
        ),
    };
    pair(&mut out, 0, "Spark UI", ui);
    if s.kind == summary::AppKind::ConnectServer {
        let connect = match s.state {
            State::Running | State::Pending if !s.terminating => format!(
                "a Spark Connect server (gRPC port {}); `kubectl spark connect --attach {}` opens the tunnel and prints the connection string",
                crate::connect::port_of(pod),
                s.submission_id
            ),
            _ => "a Spark Connect server, ended".to_string(),
        };
        pair(&mut out, 0, "Spark Connect", connect);
    }

    out.push_str("\nDriver pod:\n");
    pair(&mut out, 2, "Name", &s.driver_pod);
    pair(&mut out, 2, "Node", s.node.as_deref().unwrap_or("-"));
    pair(&mut out, 2, "Phase", summary::phase(pod).unwrap_or("-"));
    pair(&mut out, 2, "Conditions", conditions(pod));
    let statuses = pod.status.as_ref();
    let all_statuses = statuses
        .and_then(|s| s.init_container_statuses.as_ref())
        .into_iter()
        .flatten()
        .map(|c| ("init container", c))
        .chain(
            statuses
                .and_then(|s| s.container_statuses.as_ref())
                .into_iter()
                .flatten()
                .map(|c| ("container", c)),
        );
    for (kind, cs) in all_statuses {
        let _ = writeln!(out, "  {kind} {} ({}):", cs.name, cs.image);
        pair(&mut out, 4, "State", container_state(cs));
        if cs.restart_count > 0 {
            pair(&mut out, 4, "Restarts", cs.restart_count.to_string());
        }
        if let Some(last) = cs.last_state.as_ref().and_then(|l| l.terminated.as_ref()) {
            pair(
                &mut out,
                4,
                "Last state",
                format!(
                    "terminated: {}, exit code {}",
                    last.reason.as_deref().unwrap_or("-"),
                    last.exit_code
                ),
            );
        }
    }
    let events: &[Event] = match &d.events {
        Section::Found(e) => e,
        Section::Unavailable(_) => &[],
    };
    if s.state == State::Pending {
        let why = why_pending(pod, &s, events);
        pair(
            &mut out,
            2,
            "Why pending",
            if why.is_empty() {
                "no problem reported yet".to_string()
            } else {
                why.join("\n                  ")
            },
        );
    }

    match &d.failed_log {
        Some((container, Section::Found(log))) => {
            let id = format!(
                "{}:{}",
                pod.metadata.namespace.as_deref().unwrap_or_default(),
                pod.metadata.name.as_deref().unwrap_or_default()
            );
            let subject = failure::Subject {
                who: "driver",
                id: &id,
            };
            let report = failure::compose(pod, Ok(log), Some(0), subject, None);
            out.push('\n');
            for line in report.cause_lines.iter().chain(&report.exit) {
                let _ = writeln!(out, "{line}");
            }
            if report.cause.is_none() {
                let lines: Vec<&str> = log.trim_end().lines().collect();
                let last = lines[lines.len().saturating_sub(FAILED_LOG_LINES)..].join("\n");
                let _ = writeln!(out, "Last log lines ({container}):");
                out.push_str(&indented(&last, 2));
            }
        }
        Some((container, Section::Unavailable(e))) => {
            let _ = writeln!(out, "\nLast log lines ({container}): unavailable: {e}");
        }
        None => {}
    }

    let _ = writeln!(
        out,
        "\nExecutors:        {} running of {}{}",
        s.executors.running,
        s.executors.total,
        executor_losses(d, &s)
            .text()
            .map(|l| format!(", {l}"))
            .unwrap_or_default()
    );
    if !d.executors.is_empty() {
        let mut execs: Vec<&Pod> = d.executors.iter().collect();
        execs.sort_by_key(|p| {
            let id = p
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(summary::LABEL_EXEC_ID))
                .cloned()
                .unwrap_or_default();
            (id.parse::<u64>().unwrap_or(u64::MAX), id)
        });
        let rows = execs.iter().map(|p| {
            let e = summary::summarize(p, [], now);
            let (reason, _, code) = summary::reason(p, summary::EXECUTOR_CONTAINER);
            let mut state = e.state.as_str().to_string();
            let details: Vec<String> = reason
                .into_iter()
                .chain(code.filter(|c| *c != 0).map(|c| format!("exit {c}")))
                .collect();
            if !details.is_empty() {
                let _ = write!(state, " ({})", details.join(", "));
            }
            let restarts: i32 = p
                .status
                .as_ref()
                .and_then(|s| s.container_statuses.as_ref())
                .map(|c| c.iter().map(|c| c.restart_count).sum())
                .unwrap_or(0);
            vec![
                p.metadata.name.clone().unwrap_or_default(),
                p.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(summary::LABEL_EXEC_ID))
                    .cloned()
                    .unwrap_or_else(|| "-".into()),
                state,
                p.spec
                    .as_ref()
                    .and_then(|s| s.node_name.clone())
                    .unwrap_or_else(|| "-".into()),
                restarts.to_string(),
                e.age_seconds
                    .map(duration::human)
                    .unwrap_or_else(|| "-".into()),
            ]
        });
        out.push_str(&indented(
            &plain_table(&["NAME", "ID", "STATE", "NODE", "RESTARTS", "AGE"], rows),
            2,
        ));
    }

    if let Some(FinishedView::Note(note)) = &d.spark {
        out.push('\n');
        pair(&mut out, 0, "Spark", note);
    }
    if let Some(FinishedView::Section(origin, answer)) = &d.spark {
        let pods = d
            .executors
            .iter()
            .filter_map(|p| {
                let id = p.metadata.labels.as_ref()?.get(summary::LABEL_EXEC_ID)?;
                Some((id.clone(), p.metadata.name.clone()?))
            })
            .collect();
        out.push_str(&crate::spark::section::render(answer, &pods, origin));
    }

    out.push('\n');
    match &d.services {
        Section::Found(svcs) if svcs.is_empty() => pair(&mut out, 0, "Service", "none"),
        Section::Found(svcs) => {
            for svc in svcs {
                let spec = svc.spec.as_ref();
                let ports = spec
                    .and_then(|s| s.ports.as_ref())
                    .map(|ps| {
                        ps.iter()
                            .map(|p| format!("{} {}", p.name.as_deref().unwrap_or("-"), p.port))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default();
                let cluster_ip = spec.and_then(|s| s.cluster_ip.as_deref()).unwrap_or("-");
                pair(
                    &mut out,
                    0,
                    "Service",
                    format!(
                        "{} (cluster IP {cluster_ip}; ports {ports})",
                        svc.metadata.name.as_deref().unwrap_or("-")
                    ),
                );
            }
        }
        Section::Unavailable(e) => pair(&mut out, 0, "Service", format!("unavailable: {e}")),
    }

    for (name, cm) in &d.config_maps {
        match cm {
            Section::Found(Some(cm)) => {
                pair(&mut out, 0, "Conf map", name);
                let data = cm.data.clone().unwrap_or_default();
                for (key, value) in &data {
                    if key.ends_with(".properties") || key.ends_with(".conf") {
                        let _ = writeln!(out, "  {key}:");
                        out.push_str(&indented(&redacted_properties(value), 4));
                    } else if is_secret_key(key) {
                        let _ = writeln!(out, "  {key}: <redacted>");
                    } else if value.contains('\n') {
                        let _ = writeln!(out, "  {key}: ({} lines)", value.lines().count());
                    } else {
                        let _ = writeln!(out, "  {key}: {value}");
                    }
                }
            }
            Section::Found(None) => pair(&mut out, 0, "Conf map", format!("{name} (missing)")),
            Section::Unavailable(e) => {
                pair(&mut out, 0, "Conf map", format!("{name}: unavailable: {e}"))
            }
        }
    }

    match &d.events {
        Section::Found(events) if events.is_empty() => out.push_str("\nEvents:           none\n"),
        Section::Found(events) => {
            let mut events: Vec<&Event> = events.iter().collect();
            events.sort_by_key(|e| event_time(e));
            let skip = events.len().saturating_sub(MAX_EVENTS);
            out.push_str(if skip > 0 {
                "\nEvents (most recent, oldest first):\n"
            } else {
                "\nEvents (oldest first):\n"
            });
            let rows = events.iter().skip(skip).map(|e| {
                let o = &e.involved_object;
                let count = e
                    .count
                    .filter(|c| *c > 1)
                    .map(|c| format!(" (x{c})"))
                    .unwrap_or_default();
                vec![
                    event_time(e)
                        .map(|t| duration::human(now.duration_since(t).as_secs()))
                        .unwrap_or_else(|| "-".into()),
                    e.type_.clone().unwrap_or_default(),
                    e.reason.clone().unwrap_or_default(),
                    format!(
                        "{}/{}",
                        o.kind.as_deref().unwrap_or("-").to_lowercase(),
                        o.name.as_deref().unwrap_or("-")
                    ),
                    format!("{}{count}", e.message.as_deref().unwrap_or("").trim()),
                ]
            });
            out.push_str(&indented(
                &plain_table(&["AGE", "TYPE", "REASON", "OBJECT", "MESSAGE"], rows),
                2,
            ));
        }
        Section::Unavailable(e) => {
            let _ = writeln!(out, "\nEvents:           unavailable: {e}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executor_memory_after_the_end_is_sized_as_the_pods_were() {
        let props = |pairs: &'static [(&'static str, &'static str)]| {
            move |key: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(executor_pod_memory_mib(&props(&[])), Some(1408));
        // A Python app: submit wrote the 0.4 factor.
        assert_eq!(
            executor_pod_memory_mib(&props(&[
                ("spark.executor.memory", "2g"),
                ("spark.kubernetes.memoryOverheadFactor", "0.4")
            ])),
            Some(2048 + 819)
        );
        assert_eq!(
            executor_pod_memory_mib(&props(&[
                ("spark.executor.memory", "512m"),
                ("spark.executor.memoryOverhead", "1g"),
                ("spark.executor.pyspark.memory", "256m")
            ])),
            Some(512 + 1024 + 256)
        );
        assert_eq!(
            executor_pod_memory_mib(&props(&[("spark.executor.memory", "lots")])),
            None
        );
    }

    #[test]
    fn events_sort_by_when_they_were_last_seen_whatever_api_wrote_them() {
        let event = |name: &str, json: serde_json::Value| -> Event {
            let mut value = serde_json::json!({"metadata": {"name": name}, "involvedObject": {}});
            value
                .as_object_mut()
                .unwrap()
                .extend(json.as_object().unwrap().clone());
            serde_json::from_value(value).unwrap()
        };
        // A scheduler event repeated until 10:00:30 (first at 10:00:00), and a kubelet event
        // at 10:00:10: the repeated one was seen last.
        let repeated = event(
            "repeated",
            serde_json::json!({"eventTime": "2026-01-01T10:00:00.000000Z",
                "series": {"count": 4, "lastObservedTime": "2026-01-01T10:00:30.000000Z"}}),
        );
        let kubelet = event(
            "kubelet",
            serde_json::json!({"lastTimestamp": "2026-01-01T10:00:10Z"}),
        );
        let mut events = [&repeated, &kubelet];
        events.sort_by_key(|e| event_time(e));
        let names: Vec<_> = events
            .iter()
            .map(|e| e.metadata.name.as_deref().unwrap())
            .collect();
        assert_eq!(names, ["kubelet", "repeated"]);
    }

    fn now() -> Timestamp {
        "2025-01-01T11:00:00Z".parse().unwrap()
    }

    fn pending_driver() -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "pi-1-driver", "namespace": "ns", "uid": "d-uid", "creationTimestamp": "2025-01-01T10:59:00Z",
                         "labels": {"spark-role": "driver", "spark-app-name": "pi", "spark-app-selector": "spark-1"}},
            "spec": {"containers": [{"name": "spark-kubernetes-driver", "image": "apache/spark:4.0.1"}],
                     "volumes": [{"name": "spark-conf-volume-driver", "configMap": {"name": "spark-drv-1-conf-map"}}]},
            "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                        "message": "0/2 nodes are available: 2 Insufficient cpu."}]}
        }))
        .unwrap()
    }

    fn event(reason: &str, message: &str, at: &str) -> Event {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": format!("e-{reason}")},
            "involvedObject": {"kind": "Pod", "name": "pi-1-driver", "uid": "d-uid"},
            "type": "Warning", "reason": reason, "message": message, "lastTimestamp": at
        }))
        .unwrap()
    }

    #[test]
    fn the_summary_says_what_was_submitted() {
        let driver: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "pi-1-driver", "namespace": "ns"},
            "spec": {"serviceAccountName": "spark", "containers": [{
                "name": "spark-kubernetes-driver",
                "args": ["driver", "--proxy-user", "bob", "--properties-file", "/opt/spark/conf/spark.properties",
                         "--class", "org.apache.spark.examples.SparkPi", "spark-internal", "1000", "two words"],
                "resources": {"requests": {"cpu": "1", "memory": "1408Mi"}, "limits": {"cpu": "2", "memory": "1408Mi"}}}]}
        }))
        .unwrap();
        let props =
            "spark.executor.cores=3\nspark.executor.memory=4g\nspark.executor.instances=5\n";
        let s = submitted(&driver, Some(props), &[]);
        assert_eq!(
            s.main_class.as_deref(),
            Some("org.apache.spark.examples.SparkPi")
        );
        assert_eq!(s.resource.as_deref(), Some("spark-internal"));
        assert_eq!(s.app_args, ["1000", "two words"]);
        assert_eq!(shell_words(&s.app_args), "1000 'two words'");
        assert_eq!(s.service_account, "spark");
        assert_eq!(s.driver, "cpu 1 (limit 2), memory 1408Mi");
        // In the executor pods' unit (4g + 10% overhead), as while they ran (below).
        assert_eq!(s.executors, "cpu 3, memory 4505Mi each; 5 asked");
        let executor: Pod = serde_json::from_value(serde_json::json!({
            "spec": {"containers": [{"name": "spark-kubernetes-executor",
                "resources": {"requests": {"cpu": "3", "memory": "4505Mi"}, "limits": {"memory": "4505Mi"}}}]}
        }))
        .unwrap();
        let s = submitted(&driver, Some(props), &[executor]);
        assert_eq!(s.executors, "cpu 3, memory 4505Mi each; 5 asked");
        let rendered = render(
            &Description {
                driver: driver.clone(),
                executors: vec![],
                services: Section::Found(vec![]),
                config_maps: vec![],
                events: Section::Found(vec![]),
                failed_log: None,
                spark: None,
            },
            now(),
        );
        for line in [
            "Main class:       org.apache.spark.examples.SparkPi\n",
            "Arguments:        1000 'two words'\n",
            "Service account:  spark\n",
            "Driver:           cpu 1 (limit 2), memory 1408Mi\n",
            "Executor size:    cpu 1, memory 1408Mi each; 2 asked\n",
        ] {
            assert!(rendered.contains(line), "{line} in\n{rendered}");
        }
    }

    #[test]
    fn secrets_are_redacted() {
        assert!(is_secret_key("spark.hadoop.fs.s3a.secret.key"));
        assert!(is_secret_key("spark.hadoop.fs.s3a.access.key"));
        assert!(is_secret_key(
            "spark.kubernetes.authenticate.submission.oauthToken"
        ));
        assert!(is_secret_key("spark.ssl.keyPassword"));
        assert!(is_secret_key(
            "spark.hadoop.google.cloud.auth.service.account.json.credentials"
        ));
        assert!(!is_secret_key("spark.app.name"));
        let text = "spark.app.name=pi\nspark.hadoop.fs.s3a.secret.key=hunter2\nspark.master=k8s\\://https\\://h\\:6443\n";
        assert_eq!(
            redacted_properties(text),
            "spark.app.name=pi\nspark.hadoop.fs.s3a.secret.key=<redacted>\nspark.master=k8s://https://h:6443\n"
        );
    }

    #[test]
    fn pending_driver_explains_why() {
        let cm: ConfigMap = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "spark-drv-1-conf-map"},
            "data": {"spark.properties": "spark.app.name=pi\nspark.kubernetes.authenticate.submission.oauthToken=abc\n",
                     "spark.kubernetes.namespace": "ns"}
        }))
        .unwrap();
        let d = Description {
            driver: pending_driver(),
            executors: vec![],
            services: Section::Unavailable(
                "cannot list services in namespace ns: forbidden".into(),
            ),
            config_maps: vec![("spark-drv-1-conf-map".into(), Section::Found(Some(cm)))],
            events: Section::Found(vec![
                event(
                    "FailedScheduling",
                    "0/2 nodes are available: 2 Insufficient cpu.",
                    "2025-01-01T10:59:30Z",
                ),
                event("Other", "first", "2025-01-01T10:59:10Z"),
            ]),
            failed_log: None,
            spark: None,
        };
        let text = render(&d, now());
        assert!(
            text.contains("State:            pending (Unschedulable)\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "  Why pending:    Unschedulable: 0/2 nodes are available: 2 Insufficient cpu.\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("Service:          unavailable: cannot list services"),
            "{text}"
        );
        assert!(
            text.contains("    spark.kubernetes.authenticate.submission.oauthToken=<redacted>\n"),
            "{text}"
        );
        assert!(!text.contains("abc"));
        assert!(text.contains("  spark.kubernetes.namespace: ns\n"));
        assert!(
            text.contains(
                "Spark UI:         once the driver runs: `kubectl spark ui ns:pi-1-driver`"
            )
        );
        let first = text.find("first").unwrap();
        let second = text.find("FailedScheduling").unwrap();
        assert!(first < second, "events in time order:\n{text}");
        assert_eq!(
            mounted_config_maps(&d.driver),
            vec!["spark-drv-1-conf-map".to_string()]
        );
        assert_eq!(unavailable(&d).len(), 1);
    }

    #[test]
    fn container_states() {
        let cs: ContainerStatus = serde_json::from_value(serde_json::json!({
            "name": "c", "image": "i", "imageID": "", "ready": false, "restartCount": 0,
            "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}
        }))
        .unwrap();
        assert_eq!(container_state(&cs), "terminated: OOMKilled, exit code 137");
    }

    #[test]
    fn a_failed_driver_shows_why_it_failed_or_the_end_of_its_log() {
        let mut driver = pending_driver();
        driver.status = Some(
            serde_json::from_value(serde_json::json!({
                "phase": "Failed",
                "containerStatuses": [{
                    "name": "spark-kubernetes-driver", "image": "spark:4.0.5", "imageID": "",
                    "ready": false, "restartCount": 0,
                    "state": {"terminated": {"exitCode": 1, "reason": "Error"}}
                }]
            }))
            .unwrap(),
        );
        assert_eq!(
            failed_container(&driver).map(|c| c.name.as_str()),
            Some("spark-kubernetes-driver")
        );
        let d = Description {
            driver,
            executors: vec![],
            services: Section::Found(vec![]),
            config_maps: vec![],
            events: Section::Found(vec![]),
            failed_log: Some((
                "spark-kubernetes-driver".into(),
                Section::Found("Traceback (most recent call last):\nRuntimeError: boom\n".into()),
            )),
            spark: None,
        };
        let text = render(&d, now());
        assert!(text.contains("terminated: Error, exit code 1"), "{text}");
        assert!(
            text.contains(
                "\nWhy the driver failed (Python exception, line 1 of 2 of its log):\n  RuntimeError: boom\n\
                 Exit 1: the application failed with the error above\n"
            ),
            "{text}"
        );
        assert!(!text.contains("Last log lines"), "{text}");

        // No error found in the log: its last lines.
        let d = Description {
            failed_log: Some((
                "spark-kubernetes-driver".into(),
                Section::Found("26/12/07 08:00:00 INFO X: started\nkilled\n".into()),
            )),
            ..d
        };
        let text = render(&d, now());
        assert!(
            text.contains(
                "\nLast log lines (spark-kubernetes-driver):\n  26/12/07 08:00:00 INFO X: started\n  killed\n"
            ),
            "{text}"
        );
    }
}
