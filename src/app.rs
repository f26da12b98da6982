//! What a Spark application is on the cluster: its ids, the names Spark derives from the
//! app name, its labels, and submission ids (`namespace:pod`); and what its pods are made of:
//! the Spark containers' names, the named ports, and the label that marks a Connect server.

use k8s_openapi::api::core::v1::Pod;
use rand::Rng;

/// Label carrying the application id on every object.
pub const LABEL_APP_SELECTOR: &str = "spark-app-selector";
/// Label carrying the sanitised application name.
pub const LABEL_APP_NAME: &str = "spark-app-name";
/// Label saying `driver` or `executor`.
pub const LABEL_ROLE: &str = "spark-role";
/// Label carrying the Spark version.
pub const LABEL_VERSION: &str = "spark-version";
/// Labels Spark reserves on the driver pod.
pub const RESERVED_LABELS: [&str; 4] = [
    LABEL_APP_SELECTOR,
    LABEL_APP_NAME,
    LABEL_ROLE,
    LABEL_VERSION,
];

/// Name Spark gives the driver's container (when no pod template renames it).
pub const DRIVER_CONTAINER: &str = "spark-kubernetes-driver";
/// Name Spark gives the executors' container.
pub const EXECUTOR_CONTAINER: &str = "spark-kubernetes-executor";
/// Label carrying the executor id on executor pods.
pub const LABEL_EXEC_ID: &str = "spark-exec-id";
/// Name of the driver container port serving the Spark UI.
pub const UI_PORT_NAME: &str = "spark-ui";
/// The Spark UI's port when the pod does not say.
pub const DEFAULT_UI_PORT: u16 = 4040;
/// Label on a Spark Connect server's driver pod (and so on its Service's selector) that marks
/// it.
pub const LABEL_CONNECT: &str = "kubectl-spark.io/connect-server";
/// Name of the Connect port on the container and the Service (as Spark 4.1+ names it).
pub const CONNECT_PORT_NAME: &str = "spark-connect";

/// A new application id: `spark-` + a random UUID without dashes.
pub fn new_app_id() -> String {
    format!("spark-{}", uuid::Uuid::new_v4().simple())
}

/// Spark's `KubernetesUtils.uniqueID()`: 3 random bytes as 6 hex chars, then
/// `millis & 0xFFFFFFFFFF` in hex without padding.
pub fn unique_id(random: [u8; 3], now_millis: i64) -> String {
    format!(
        "{:02x}{:02x}{:02x}{:x}",
        random[0],
        random[1],
        random[2],
        (now_millis as u64) & 0xFF_FFFF_FFFF
    )
}

/// [`unique_id`] with fresh random bytes.
pub fn new_unique_id(now_millis: i64) -> String {
    unique_id(rand::rng().random(), now_millis)
}

fn sanitise(text: &str) -> String {
    let lowered = text.trim().to_lowercase();
    let mut out = String::with_capacity(lowered.len());
    for c in lowered.chars() {
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' {
            c
        } else {
            '-'
        };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    out
}

/// The resource name prefix Spark derives from the app name (§2.2): `<appName>-<uniqueID>`,
/// lower-cased, non `[a-z0-9-]` → `-`, runs of `-` collapsed, one leading `-` removed, a
/// leading digit replaced by `x`.
pub fn resource_prefix(app_name: &str, unique_id: &str) -> String {
    let mut s = sanitise(&format!("{app_name}-{unique_id}"));
    if s.starts_with('-') {
        s.remove(0);
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.replace_range(0..1, "x");
    }
    s
}

/// The `spark-app-name` label value: sanitised, cut to 63 chars, then one leading and one
/// trailing `-` stripped.
pub fn app_name_label(app_name: &str) -> String {
    let s: String = sanitise(app_name).chars().take(63).collect();
    let s = s.strip_prefix('-').unwrap_or(&s);
    let s = s.strip_suffix('-').unwrap_or(s);
    s.to_string()
}

/// A submission id split on the first `:` into (namespace, pod name part).
pub fn parse_submission_id(id: &str) -> (Option<&str>, &str) {
    match id.split_once(':') {
        Some((ns, name)) => (Some(ns), name),
        None => (None, id),
    }
}

/// The Spark container of a pod: the one named `default_name`, else the last one (Spark
/// appends its container after a pod template's other containers).
pub fn spark_container_name(pod: &Pod, default_name: &str) -> Option<String> {
    let containers = &pod.spec.as_ref()?.containers;
    containers
        .iter()
        .find(|c| c.name == default_name)
        .or(containers.last())
        .map(|c| c.name.clone())
}

/// The number of a pod's container port named `name`, if one is.
pub fn named_port(pod: &Pod, name: &str) -> Option<u16> {
    pod.spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .flat_map(|c| c.ports.iter().flatten())
        .find(|p| p.name.as_deref() == Some(name))
        .and_then(|p| u16::try_from(p.container_port).ok())
}

/// Whether a driver pod is a Connect server started by `kubectl spark connect`.
pub fn is_connect_server(pod: &Pod) -> bool {
    pod.metadata
        .labels
        .as_ref()
        .is_some_and(|l| l.get(LABEL_CONNECT).map(String::as_str) == Some("true"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_id_format() {
        assert_eq!(
            unique_id([0xab, 0x01, 0xff], 0x18d_2a3b_4c5d),
            "ab01ff8d2a3b4c5d"
        );
        assert_eq!(unique_id([0, 0, 1], 0x10), "00000110");
    }

    #[test]
    fn prefix_rules() {
        assert_eq!(
            resource_prefix("spark-pi", "3b69a48626b0db6c"),
            "spark-pi-3b69a48626b0db6c"
        );
        assert_eq!(resource_prefix("My App!!", "abc"), "my-app-abc");
        assert_eq!(resource_prefix("-x", "1"), "x-1");
        assert_eq!(resource_prefix("1st", "1"), "xst-1");
        assert_eq!(resource_prefix("__a", "1"), "a-1");
    }

    #[test]
    fn label_rules() {
        assert_eq!(app_name_label("Spark Pi"), "spark-pi");
        assert_eq!(app_name_label("-a-"), "a");
        assert_eq!(app_name_label(&"a".repeat(70)).len(), 63);
        assert_eq!(app_name_label("pi.py"), "pi-py");
    }

    #[test]
    fn submission_ids() {
        assert_eq!(parse_submission_id("ns:pod:x"), (Some("ns"), "pod:x"));
        assert_eq!(parse_submission_id("pod"), (None, "pod"));
    }
}
