//! Formatting for people (stderr: progress, warnings, hints) and machines (stdout: json,
//! yaml). Nothing here decides anything; it only renders.

use std::io::{IsTerminal, Write};

use k8s_openapi::api::core::v1::Pod;
use serde::Serialize;
use serde_json::Value;

use crate::cli::ObjectFormat;
use crate::error::{Error, Result};

/// Whether stderr is a terminal (progress bars and spinners only then).
pub fn stderr_is_tty() -> bool {
    std::io::stderr().is_terminal()
}

/// Whether colours may be used on a stream that is a terminal: off when `NO_COLOR` is set
/// (to anything non-empty) or `TERM=dumb`.
pub fn color_allowed(is_tty: bool) -> bool {
    is_tty
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map(|t| t != "dumb").unwrap_or(true)
}

/// Prints a warning line on stderr.
pub fn warn(message: &str) {
    let _ = writeln!(std::io::stderr(), "warning: {message}");
}

/// Prints an informational line on stderr.
pub fn info(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

/// Serialises objects into one `v1` `List`, as `kubectl get -o json|yaml` prints several.
pub fn object_list<T: Serialize>(items: &[T]) -> Result<Value> {
    let items = items
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Other(format!("cannot serialise objects: {e}")))?;
    Ok(serde_json::json!({
        "apiVersion": "v1",
        "kind": "List",
        "metadata": {"resourceVersion": ""},
        "items": items,
    }))
}

/// Renders a value as JSON (pretty, trailing newline) or YAML.
pub fn render(value: &Value, format: ObjectFormat) -> Result<String> {
    match format {
        ObjectFormat::Json => {
            let mut s = serde_json::to_string_pretty(value)
                .map_err(|e| Error::Other(format!("cannot render JSON: {e}")))?;
            s.push('\n');
            Ok(s)
        }
        ObjectFormat::Yaml => serde_saphyr::to_string(value)
            .map_err(|e| Error::Other(format!("cannot render YAML: {e}"))),
    }
}

/// kubectl's `-o custom-columns=HEADER:PATH,…` over objects: one column per pair, each cell
/// the path's results joined by `,`, `<none>` when it has none; `no_headers` drops the header.
pub fn custom_columns(spec: &str, items: &[Value], no_headers: bool) -> Result<String> {
    let mut columns = Vec::new();
    for column in spec.split(',') {
        let Some((header, path)) = column
            .split_once(':')
            .filter(|(h, p)| !h.is_empty() && !p.is_empty())
        else {
            return Err(Error::usage(
                format!("-o custom-columns: `{column}` is not HEADER:PATH"),
                "e.g. -o custom-columns=NAME:.appName,STATE:.state,ID:.submissionId",
            ));
        };
        let template = crate::jsonpath::Template::parse(path).map_err(|e| {
            Error::usage(
                format!("-o custom-columns: column {header}: {e}"),
                "each column is HEADER:PATH with a path of `-o json`, e.g. STATE:.state",
            )
        })?;
        columns.push((header, template));
    }
    let mut rows = Vec::new();
    for item in items {
        let mut row = Vec::new();
        for (_, template) in &columns {
            let values = template.values(item)?;
            let cell = values
                .iter()
                .filter(|v| !v.is_null())
                .map(|v| crate::jsonpath::value_text(v))
                .collect::<Vec<_>>()
                .join(",");
            row.push(if cell.is_empty() {
                "<none>".to_string()
            } else {
                cell
            });
        }
        rows.push(row);
    }
    let headers: Vec<&str> = columns.iter().map(|(h, _)| *h).collect();
    let text = crate::operate::plain_table(&headers, rows);
    Ok(if no_headers {
        text.split_once('\n')
            .map(|(_, rest)| rest.to_string())
            .unwrap_or_default()
    } else {
        text
    })
}

/// Writes data to stdout; a closed pipe (`| head`) is not an error.
pub fn print_data(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io("writing to stdout", e)),
    }
}

/// Renders (label, value) pairs as Spark's `formatPairsBundle`: each pair on a new line,
/// indented by `indent` tabs and one space; empty values print `N/A`.
pub fn pairs_bundle(pairs: &[(&str, String)], indent: usize) -> String {
    let tabs = "\t".repeat(indent);
    pairs
        .iter()
        .map(|(k, v)| format!("\n{tabs} {k}: {}", if v.is_empty() { "N/A" } else { v }))
        .collect()
}

fn time_text(t: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>) -> String {
    t.map(|t| t.0.to_string()).unwrap_or_default()
}

/// Spark's description of each container status (§7), blocks separated by a blank line.
pub fn container_statuses(pod: &Pod, indent: usize) -> String {
    let statuses = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref());
    let Some(statuses) = statuses else {
        return String::new();
    };
    statuses
        .iter()
        .map(|cs| {
            let mut pairs = vec![
                ("container name", cs.name.clone()),
                ("container image", cs.image.clone()),
            ];
            let state = cs.state.as_ref();
            if let Some(r) = state.and_then(|s| s.running.as_ref()) {
                pairs.push(("container state", "running".into()));
                pairs.push(("container started at", time_text(r.started_at.as_ref())));
            } else if let Some(w) = state.and_then(|s| s.waiting.as_ref()) {
                pairs.push(("container state", "waiting".into()));
                pairs.push(("pending reason", w.reason.clone().unwrap_or_default()));
            } else if let Some(t) = state.and_then(|s| s.terminated.as_ref()) {
                pairs.push(("container state", "terminated".into()));
                pairs.push(("container started at", time_text(t.started_at.as_ref())));
                pairs.push(("container finished at", time_text(t.finished_at.as_ref())));
                pairs.push(("exit code", t.exit_code.to_string()));
                pairs.push(("termination reason", t.reason.clone().unwrap_or_default()));
            } else {
                pairs.push(("container state", "N/A".into()));
            }
            pairs_bundle(&pairs, indent)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Spark's pod state block (`KubernetesUtils.formatPodState`, §7 of the spec).
pub fn pod_state_block(pod: &Pod) -> String {
    let meta = &pod.metadata;
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let labels = meta
        .labels
        .as_ref()
        .map(|l| {
            l.iter()
                .map(|(k, v)| format!("{k} -> {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let volumes = spec
        .and_then(|s| s.volumes.as_ref())
        .map(|v| {
            v.iter()
                .map(|v| v.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let creation = time_text(meta.creation_timestamp.as_ref());
    let pairs = [
        ("pod name", meta.name.clone().unwrap_or_default()),
        ("namespace", meta.namespace.clone().unwrap_or_default()),
        ("labels", labels),
        ("pod uid", meta.uid.clone().unwrap_or_default()),
        ("creation time", creation),
        (
            "service account name",
            spec.and_then(|s| s.service_account_name.clone())
                .unwrap_or_default(),
        ),
        ("volumes", volumes),
        (
            "node name",
            spec.and_then(|s| s.node_name.clone()).unwrap_or_default(),
        ),
        (
            "start time",
            time_text(status.and_then(|s| s.start_time.as_ref())),
        ),
        (
            "phase",
            status.and_then(|s| s.phase.clone()).unwrap_or_default(),
        ),
        ("container status", container_statuses(pod, 2)),
    ];
    pairs_bundle(&pairs, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_render_as_json_and_yaml() {
        let v = object_list(&[serde_json::json!({"kind": "Pod", "apiVersion": "v1"})]).unwrap();
        let json = render(&v, ObjectFormat::Json).unwrap();
        assert!(json.contains("\"kind\": \"List\""));
        let yaml = render(&v, ObjectFormat::Yaml).unwrap();
        assert!(yaml.contains("kind: List"));
        let back: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn custom_columns_as_kubectl() {
        let items = [
            serde_json::json!({"appName": "pi", "state": "running", "executors": {"total": 2}}),
            serde_json::json!({"appName": "etl", "state": "failed", "executors": {"total": 0}, "reason": null}),
        ];
        let text = custom_columns(
            "NAME:.appName,EXEC:{.executors.total},WHY:.reason",
            &items,
            false,
        )
        .unwrap();
        assert_eq!(
            text,
            "NAME   EXEC   WHY\npi     2      <none>\netl    0      <none>\n"
        );
        let text = custom_columns("NAME:appName", &items, true).unwrap();
        assert_eq!(text, "pi\netl\n");
        let err = custom_columns("NAME", &items, false).unwrap_err();
        assert!(err.to_string().contains("`NAME` is not HEADER:PATH"));
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn pod_state_block_matches_sparks_layout() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p-driver", "namespace": "default", "uid": "u1",
                         "labels": {"spark-role": "driver", "spark-app-name": "pi"},
                         "creationTimestamp": "2025-01-01T10:00:00Z"},
            "spec": {"containers": [], "serviceAccountName": "spark", "nodeName": "node-1",
                     "volumes": [{"name": "a", "emptyDir": {}}, {"name": "b", "emptyDir": {}}]},
            "status": {"phase": "Running", "startTime": "2025-01-01T10:00:01Z",
                       "containerStatuses": [{"name": "spark-kubernetes-driver", "image": "apache/spark:4.0.1",
                           "ready": true, "restartCount": 0, "imageID": "",
                           "state": {"running": {"startedAt": "2025-01-01T10:00:05Z"}}}]}
        }))
        .unwrap();
        let expected = "\n\t pod name: p-driver\n\t namespace: default\n\t labels: spark-app-name -> pi, spark-role -> driver\n\t pod uid: u1\n\t creation time: 2025-01-01T10:00:00Z\n\t service account name: spark\n\t volumes: a, b\n\t node name: node-1\n\t start time: 2025-01-01T10:00:01Z\n\t phase: Running\n\t container status: \n\t\t container name: spark-kubernetes-driver\n\t\t container image: apache/spark:4.0.1\n\t\t container state: running\n\t\t container started at: 2025-01-01T10:00:05Z";
        assert_eq!(pod_state_block(&pod), expected);
    }
}
