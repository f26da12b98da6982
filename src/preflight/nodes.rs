//! Whether a node could take the driver pod, or an executor pod ([`Role`]), as far as the
//! scheduler's static filters go: the
//! node is Ready and schedulable, matches the pod's node selector and required node affinity,
//! carries no NoSchedule/NoExecute taint the pod does not tolerate, and has the allocatable
//! CPU and memory the pod requests. Pure: nodes and the pod's placement go in.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Node, NodeSelector, NodeSelectorRequirement, PodSpec, Taint, Toleration,
};

/// Which pod of the application is placed: the texts of an explanation name it and its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The driver pod.
    Driver,
    /// An executor pod.
    Executor,
}

impl Role {
    /// `driver`, `executor`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Driver => "driver",
            Role::Executor => "executor",
        }
    }

    fn sizing_fix(self) -> &'static str {
        match self {
            Role::Driver => {
                "lower --driver-memory / --driver-cores (or spark.driver.memoryOverhead), or add nodes"
            }
            Role::Executor => {
                "lower --executor-memory / --executor-cores (or spark.executor.memoryOverhead, \
                 spark.kubernetes.executor.request.cores), or add nodes"
            }
        }
    }
}

/// Where a pod may go, from its spec.
#[derive(Debug, Clone, Default)]
pub struct Placement {
    /// `nodeSelector`.
    pub node_selector: BTreeMap<String, String>,
    /// `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`.
    pub required_affinity: Option<NodeSelector>,
    /// `tolerations`.
    pub tolerations: Vec<Toleration>,
}

impl Placement {
    /// The placement a pod spec asks for.
    pub fn of(spec: &PodSpec) -> Placement {
        Placement {
            node_selector: spec.node_selector.clone().unwrap_or_default(),
            required_affinity: spec
                .affinity
                .as_ref()
                .and_then(|a| a.node_affinity.as_ref())
                .and_then(|a| {
                    a.required_during_scheduling_ignored_during_execution
                        .clone()
                }),
            tolerations: spec.tolerations.clone().unwrap_or_default(),
        }
    }

    /// `key=value,…` of the node selector.
    pub fn selector_text(&self) -> String {
        self.node_selector
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Why a node cannot take the pod (the first reason found, in the scheduler's order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Misfit {
    /// Not Ready, or cordoned.
    NotSchedulable,
    /// Its labels do not match the node selector.
    Selector,
    /// Its labels or name do not match the required node affinity.
    Affinity,
    /// It has a taint the pod does not tolerate (`key=value:Effect`).
    Taint(String),
    /// Too little allocatable CPU or memory: what it has (millicores, bytes).
    Capacity(i64, i64),
}

/// Whether the node is Ready and not cordoned.
pub fn schedulable(node: &Node) -> bool {
    let ready = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
    let cordoned = node
        .spec
        .as_ref()
        .and_then(|s| s.unschedulable)
        .unwrap_or(false);
    ready && !cordoned
}

fn labels(node: &Node) -> BTreeMap<String, String> {
    node.metadata.labels.clone().unwrap_or_default()
}

fn requirement_holds(req: &NodeSelectorRequirement, value: Option<&String>) -> bool {
    let values = req.values.as_deref().unwrap_or_default();
    let number = |s: &str| s.parse::<i64>().ok();
    match req.operator.as_str() {
        "In" => value.is_some_and(|v| values.contains(v)),
        "NotIn" => value.is_none_or(|v| !values.contains(v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(have), Some(bound)) = (
                value.and_then(|v| number(v)),
                values.first().and_then(|v| number(v)),
            ) else {
                return false;
            };
            if req.operator == "Gt" {
                have > bound
            } else {
                have < bound
            }
        }
        _ => false,
    }
}

/// Whether the node matches a required node affinity: any term, each with all its
/// expressions (labels) and fields (`metadata.name`).
pub fn affinity_matches(selector: &NodeSelector, node: &Node) -> bool {
    let labels = labels(node);
    let name = node.metadata.name.clone().unwrap_or_default();
    selector.node_selector_terms.iter().any(|term| {
        let exprs = term.match_expressions.as_deref().unwrap_or_default();
        let fields = term.match_fields.as_deref().unwrap_or_default();
        // A term with no requirement matches nothing (as the scheduler has it).
        (!exprs.is_empty() || !fields.is_empty())
            && exprs
                .iter()
                .all(|r| requirement_holds(r, labels.get(&r.key)))
            && fields
                .iter()
                .all(|r| r.key == "metadata.name" && requirement_holds(r, Some(&name)))
    })
}

/// Whether one toleration tolerates the taint.
pub fn tolerates(toleration: &Toleration, taint: &Taint) -> bool {
    let effect_ok = toleration
        .effect
        .as_deref()
        .is_none_or(|e| e.is_empty() || e == taint.effect);
    let key = toleration.key.as_deref().unwrap_or_default();
    let key_ok = match toleration.operator.as_deref().unwrap_or("Equal") {
        "Exists" => key.is_empty() || key == taint.key,
        _ => {
            key == taint.key
                && toleration.value.as_deref().unwrap_or_default()
                    == taint.value.as_deref().unwrap_or_default()
        }
    };
    effect_ok && key_ok
}

/// `key=value:Effect` (or `key:Effect`).
fn taint_text(taint: &Taint) -> String {
    match taint.value.as_deref().filter(|v| !v.is_empty()) {
        Some(v) => format!("{}={v}:{}", taint.key, taint.effect),
        None => format!("{}:{}", taint.key, taint.effect),
    }
}

/// Why the node cannot take a pod with this placement and these requests, or None if it can.
pub fn misfit(node: &Node, placement: &Placement, cpu: i64, mem: i64) -> Option<Misfit> {
    if !schedulable(node) {
        return Some(Misfit::NotSchedulable);
    }
    let labels = labels(node);
    if placement
        .node_selector
        .iter()
        .any(|(k, v)| labels.get(k) != Some(v))
    {
        return Some(Misfit::Selector);
    }
    if let Some(affinity) = &placement.required_affinity
        && !affinity_matches(affinity, node)
    {
        return Some(Misfit::Affinity);
    }
    let untolerated = node
        .spec
        .as_ref()
        .and_then(|s| s.taints.as_ref())
        .into_iter()
        .flatten()
        .filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
        .find(|t| !placement.tolerations.iter().any(|tol| tolerates(tol, t)));
    if let Some(taint) = untolerated {
        return Some(Misfit::Taint(taint_text(taint)));
    }
    let alloc = node.status.as_ref().and_then(|s| s.allocatable.as_ref());
    let capacity = (
        super::req(alloc, "cpu", 1000.0),
        super::req(alloc, "memory", 1.0),
    );
    if capacity.0 < cpu || capacity.1 < mem {
        return Some(Misfit::Capacity(capacity.0, capacity.1));
    }
    None
}

/// Why no node fits, summed up over the nodes: the detail and the fix of a failed check.
pub fn explain(
    misfits: &[(String, Misfit)],
    placement: &Placement,
    cpu: i64,
    mem: i64,
    role: Role,
) -> (String, String) {
    let who = role.name();
    const MIB: i64 = 1024 * 1024;
    let count = |f: &dyn Fn(&Misfit) -> bool| misfits.iter().filter(|(_, m)| f(m)).count();
    let mut parts = Vec::new();
    let mut fixes = Vec::new();
    let not_ready = count(&|m| *m == Misfit::NotSchedulable);
    if not_ready > 0 {
        parts.push(format!("{not_ready} not Ready or cordoned"));
    }
    let selector = count(&|m| *m == Misfit::Selector);
    if selector > 0 {
        parts.push(format!(
            "{selector} without the labels of its node selector {}",
            placement.selector_text()
        ));
        fixes.push(format!(
            "fix spark.kubernetes.node.selector.* / spark.kubernetes.{who}.node.selector.* \
             or the {who} pod template's nodeSelector (the nodes' labels: kubectl get nodes --show-labels)"
        ));
    }
    let affinity = count(&|m| *m == Misfit::Affinity);
    if affinity > 0 {
        parts.push(format!(
            "{affinity} not matching its required node affinity"
        ));
        fixes.push(format!("fix the node affinity of the {who}'s pod template"));
    }
    let tainted: Vec<&(String, Misfit)> = misfits
        .iter()
        .filter(|(_, m)| matches!(m, Misfit::Taint(_)))
        .collect();
    if let Some((node, Misfit::Taint(taint))) = tainted.first() {
        parts.push(format!(
            "{} with a taint it does not tolerate ({taint} on {node})",
            tainted.len()
        ));
        fixes.push(format!(
            "add a toleration to the {who}'s pod template (spark.kubernetes.{who}.podTemplateFile)"
        ));
    }
    let small: Vec<(i64, i64)> = misfits
        .iter()
        .filter_map(|(_, m)| match m {
            Misfit::Capacity(c, b) => Some((*c, *b)),
            _ => None,
        })
        .collect();
    if !small.is_empty() {
        let largest = small
            .iter()
            .fold((0, 0), |a, (c, b)| (a.0.max(*c), a.1.max(*b)));
        parts.push(format!(
            "{} with less than {cpu}m CPU and {} MiB memory allocatable (largest: {}m CPU, {} MiB)",
            small.len(),
            mem / MIB,
            largest.0,
            largest.1 / MIB
        ));
        fixes.push(role.sizing_fix().to_string());
    }
    let detail = if misfits.is_empty() {
        "the cluster has no nodes".to_string()
    } else {
        format!(
            "no Ready node can take the {who}: of {} node(s), {}",
            misfits.len(),
            parts.join("; ")
        )
    };
    let fix = if fixes.is_empty() {
        "add nodes, or wait for them to become Ready".to_string()
    } else {
        fixes.join("; ")
    };
    (detail, fix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(name: &str, labels: serde_json::Value, taints: serde_json::Value) -> Node {
        serde_json::from_value(json!({
            "metadata": {"name": name, "labels": labels},
            "spec": {"taints": taints},
            "status": {"allocatable": {"cpu": "4", "memory": "8Gi"},
                       "conditions": [{"type": "Ready", "status": "True"}]}
        }))
        .unwrap()
    }

    fn placement(spec: serde_json::Value) -> Placement {
        let mut spec = spec;
        spec["containers"] = json!([]);
        Placement::of(&serde_json::from_value(spec).unwrap())
    }

    const GI: i64 = 1 << 30;

    #[test]
    fn node_selector_must_match_labels() {
        let ssd = node("a", json!({"disk": "ssd"}), json!([]));
        let hdd = node("b", json!({"disk": "hdd"}), json!([]));
        let p = placement(json!({"nodeSelector": {"disk": "ssd"}}));
        assert_eq!(misfit(&ssd, &p, 1000, GI), None);
        assert_eq!(misfit(&hdd, &p, 1000, GI), Some(Misfit::Selector));
        assert_eq!(misfit(&hdd, &Placement::default(), 1000, GI), None);
    }

    #[test]
    fn taints_need_tolerations() {
        let tainted = node(
            "t",
            json!({}),
            json!([{"key": "dedicated", "value": "spark", "effect": "NoSchedule"},
                   {"key": "soft", "effect": "PreferNoSchedule"}]),
        );
        assert_eq!(
            misfit(&tainted, &Placement::default(), 1000, GI),
            Some(Misfit::Taint("dedicated=spark:NoSchedule".into()))
        );
        for tol in [
            json!({"key": "dedicated", "value": "spark", "effect": "NoSchedule"}),
            json!({"key": "dedicated", "operator": "Exists"}),
            json!({"operator": "Exists"}),
        ] {
            let p = placement(json!({"tolerations": [tol]}));
            assert_eq!(misfit(&tainted, &p, 1000, GI), None, "{tol}");
        }
        for tol in [
            json!({"key": "dedicated", "value": "other", "effect": "NoSchedule"}),
            json!({"key": "dedicated", "value": "spark", "effect": "NoExecute"}),
            json!({"key": "other", "operator": "Exists"}),
        ] {
            let p = placement(json!({"tolerations": [tol]}));
            assert!(
                matches!(misfit(&tainted, &p, 1000, GI), Some(Misfit::Taint(_))),
                "{tol}"
            );
        }
    }

    #[test]
    fn required_affinity() {
        let a = node("a", json!({"zone": "z1", "gen": "5"}), json!([]));
        let p = |expr: serde_json::Value| {
            placement(
                json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
                {"nodeSelectorTerms": [{"matchExpressions": [expr]}]}}}}),
            )
        };
        assert_eq!(
            misfit(
                &a,
                &p(json!({"key": "zone", "operator": "In", "values": ["z1", "z2"]})),
                1,
                1
            ),
            None
        );
        assert_eq!(
            misfit(
                &a,
                &p(json!({"key": "zone", "operator": "NotIn", "values": ["z1"]})),
                1,
                1
            ),
            Some(Misfit::Affinity)
        );
        assert_eq!(
            misfit(&a, &p(json!({"key": "gpu", "operator": "Exists"})), 1, 1),
            Some(Misfit::Affinity)
        );
        assert_eq!(
            misfit(
                &a,
                &p(json!({"key": "gpu", "operator": "DoesNotExist"})),
                1,
                1
            ),
            None
        );
        assert_eq!(
            misfit(
                &a,
                &p(json!({"key": "gen", "operator": "Gt", "values": ["4"]})),
                1,
                1
            ),
            None
        );
        assert_eq!(
            misfit(
                &a,
                &p(json!({"key": "gen", "operator": "Lt", "values": ["4"]})),
                1,
                1
            ),
            Some(Misfit::Affinity)
        );
        let by_name = placement(
            json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
            {"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["b"]}]}]}}}}),
        );
        assert_eq!(misfit(&a, &by_name, 1, 1), Some(Misfit::Affinity));
    }

    #[test]
    fn capacity_and_readiness() {
        let a = node("a", json!({}), json!([]));
        assert_eq!(
            misfit(&a, &Placement::default(), 8000, GI),
            Some(Misfit::Capacity(4000, 8 * GI))
        );
        let mut cordoned = a.clone();
        cordoned.spec.as_mut().unwrap().unschedulable = Some(true);
        assert_eq!(
            misfit(&cordoned, &Placement::default(), 1, 1),
            Some(Misfit::NotSchedulable)
        );
    }

    #[test]
    fn explanations_name_every_cause_and_its_fix() {
        let p = placement(json!({"nodeSelector": {"disk": "ssd"}}));
        let (detail, fix) = explain(
            &[
                ("a".into(), Misfit::Selector),
                ("b".into(), Misfit::Selector),
                ("c".into(), Misfit::Taint("x=y:NoSchedule".into())),
                ("d".into(), Misfit::Capacity(2000, 4 * GI)),
            ],
            &p,
            3000,
            GI,
            Role::Driver,
        );
        assert_eq!(
            detail,
            "no Ready node can take the driver: of 4 node(s), 2 without the labels of its node selector \
             disk=ssd; 1 with a taint it does not tolerate (x=y:NoSchedule on c); 1 with less than \
             3000m CPU and 1024 MiB memory allocatable (largest: 2000m CPU, 4096 MiB)"
        );
        assert!(
            fix.starts_with("fix spark.kubernetes.node.selector.*"),
            "{fix}"
        );
        assert!(
            fix.contains("toleration") && fix.contains("--driver-memory"),
            "{fix}"
        );
    }

    #[test]
    fn executor_explanations_name_the_executor_settings() {
        let p = placement(json!({"nodeSelector": {"pool": "spot"}}));
        let (detail, fix) = explain(
            &[
                ("a".into(), Misfit::Selector),
                ("b".into(), Misfit::Capacity(2000, 4 * GI)),
            ],
            &p,
            1000,
            8 * GI,
            Role::Executor,
        );
        assert!(
            detail.starts_with("no Ready node can take the executor: of 2 node(s), 1 without the labels of its node selector pool=spot;"),
            "{detail}"
        );
        assert!(
            fix.contains("spark.kubernetes.executor.node.selector.*")
                && fix.contains("--executor-memory")
                && !fix.contains("driver"),
            "{fix}"
        );
    }
}
