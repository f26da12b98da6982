//! End-to-end tests of `kubectl spark setup`, the preflight checks (`doctor` and in `submit`)
//! and `client-setup` on the local cluster.

mod common;

use std::process::Output;

use common::{Cluster, TestNamespace, User};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::{Pod, Service, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kube::api::{Api, ListParams, PostParams};
use kube::{Client, Resource};

const SPARK_PI: &str = "org.apache.spark.examples.SparkPi";
const EXAMPLES: &str = "local:///opt/spark/examples/jars/spark-examples.jar";

fn kubectl_spark(ns: &TestNamespace, user: User, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-spark"))
        .env("KUBECONFIG", ns.kubeconfig(user))
        .env_remove("SPARK_CONF_DIR")
        .env_remove("SPARK_HOME")
        .env_remove("HADOOP_CONF_DIR")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run kubectl-spark")
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn ok(ns: &TestNamespace, user: User, args: &[&str]) -> String {
    let o = kubectl_spark(ns, user, args);
    assert!(o.status.success(), "{args:?} failed: {}", text(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn submit(ns: &TestNamespace, user: User, extra: &[&str]) -> Output {
    let mut args = vec![
        "submit",
        "--no-wait",
        "--class",
        SPARK_PI,
        "--conf",
        "spark.kubernetes.container.image=apache/spark:4.0.1",
    ];
    args.extend_from_slice(extra);
    args.push(EXAMPLES);
    kubectl_spark(ns, user, &args)
}

async fn pod_count(client: &Client, ns: &str) -> usize {
    Api::<Pod>::namespaced(client.clone(), ns)
        .list(&ListParams::default())
        .await
        .expect("list pods")
        .items
        .len()
}

async fn sar(client: &Client, user: &str, ns: &str, verb: &str, group: &str, res: &str) -> bool {
    let review = SubjectAccessReview {
        spec: SubjectAccessReviewSpec {
            user: Some(user.into()),
            groups: Some(vec![
                "system:serviceaccounts".into(),
                "system:authenticated".into(),
            ]),
            resource_attributes: Some(ResourceAttributes {
                namespace: Some(ns.into()),
                verb: Some(verb.into()),
                group: Some(group.into()),
                resource: Some(res.into()),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    Api::<SubjectAccessReview>::all(client.clone())
        .create(&PostParams::default(), &review)
        .await
        .expect("create SubjectAccessReview")
        .status
        .is_some_and(|s| s.allowed)
}

/// [`sar`] polled until allowed (up to 15 s): RBAC is evaluated from the API server's informer
/// cache, which sees a new RoleBinding a moment after it is created.
async fn sar_eventually(
    client: &Client,
    user: &str,
    ns: &str,
    verb: &str,
    group: &str,
    res: &str,
) -> bool {
    for _ in 0..150 {
        if sar(client, user, ns, verb, group, res).await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

async fn versions(client: &Client, ns: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let sas = Api::<ServiceAccount>::namespaced(client.clone(), ns);
    let roles = Api::<Role>::namespaced(client.clone(), ns);
    let rbs = Api::<RoleBinding>::namespaced(client.clone(), ns);
    for o in sas.list(&ListParams::default()).await.unwrap().items {
        out.push((
            format!("sa/{}", o.meta().name.clone().unwrap()),
            o.meta().resource_version.clone().unwrap(),
        ));
    }
    for o in roles.list(&ListParams::default()).await.unwrap().items {
        out.push((
            format!("role/{}", o.meta().name.clone().unwrap()),
            o.meta().resource_version.clone().unwrap(),
        ));
    }
    for o in rbs.list(&ListParams::default()).await.unwrap().items {
        out.push((
            format!("rb/{}", o.meta().name.clone().unwrap()),
            o.meta().resource_version.clone().unwrap(),
        ));
    }
    out.sort();
    out
}

#[tokio::test]
async fn setup_grants_exactly_the_drivers_needs_and_is_idempotent() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "setup");
    let admin = ns.client(User::Admin).await;
    let out = ok(&ns, User::Admin, &["setup"]);
    assert_eq!(
        out,
        "--conf spark.kubernetes.authenticate.driver.serviceAccountName=spark\n"
    );
    let before = versions(&admin, &ns.name).await;
    ok(&ns, User::Admin, &["setup"]);
    assert_eq!(
        versions(&admin, &ns.name).await,
        before,
        "setup twice changed objects"
    );

    let sa = format!("system:serviceaccount:{}:spark", ns.name);
    for verb in [
        "create",
        "get",
        "list",
        "watch",
        "delete",
        "deletecollection",
        "patch",
    ] {
        for res in ["pods", "services", "configmaps", "persistentvolumeclaims"] {
            assert!(
                sar_eventually(&admin, &sa, &ns.name, verb, "", res).await,
                "{verb} {res}"
            );
        }
    }
    // The executor allocators' kinds (spark.kubernetes.allocation.pods.allocator).
    for res in ["statefulsets", "deployments"] {
        for verb in ["create", "get", "watch", "delete", "patch"] {
            assert!(
                sar_eventually(&admin, &sa, &ns.name, verb, "apps", res).await,
                "{verb} {res}.apps"
            );
        }
    }
    assert!(!sar(&admin, &sa, &ns.name, "create", "", "secrets").await);
    assert!(!sar(&admin, &sa, &ns.name, "get", "", "secrets").await);
    assert!(
        !sar(
            &admin,
            &sa,
            &ns.name,
            "create",
            "networking.k8s.io",
            "networkpolicies"
        )
        .await
    );
    assert!(!sar(&admin, &sa, "default", "create", "", "pods").await);

    // Spark 4.2 drivers also manage the executor NetworkPolicy.
    ok(&ns, User::Admin, &["setup", "--spark-version", "4.2.0"]);
    assert!(
        sar_eventually(
            &admin,
            &sa,
            &ns.name,
            "create",
            "networking.k8s.io",
            "networkpolicies"
        )
        .await
    );

    // After setup, bob's submission with the spark service account passes preflight.
    let o = submit(
        &ns,
        User::Bob,
        &[
            "--conf",
            "spark.kubernetes.authenticate.driver.serviceAccountName=spark",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(pod_count(&admin, &ns.name).await, 1);

    // As admin (who may ask SubjectAccessReviews) the same passes too, and doctor agrees.
    let d = ok(&ns, User::Admin, &["doctor"]);
    assert!(!d.contains('✗'), "{d}");
}

#[tokio::test]
async fn setup_dry_run_submitter_and_delete() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "setup-delete");
    let admin = ns.client(User::Admin).await;
    let y = ok(
        &ns,
        User::Admin,
        &[
            "setup",
            "--dry-run",
            "-o",
            "json",
            "--submitter",
            "User:carol",
        ],
    );
    let list: serde_json::Value = serde_json::from_str(&y).unwrap();
    assert_eq!(list["kind"], "List");
    let kinds: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "ServiceAccount",
            "Role",
            "RoleBinding",
            "Role",
            "RoleBinding"
        ]
    );
    assert!(
        versions(&admin, &ns.name)
            .await
            .iter()
            .all(|(n, _)| n != "sa/spark" && !n.contains("kubectl-spark"))
    );

    ok(&ns, User::Admin, &["setup", "--submitter", "User:carol"]);
    let carol = "carol";
    assert!(sar_eventually(&admin, carol, &ns.name, "create", "", "secrets").await);
    assert!(sar_eventually(&admin, carol, &ns.name, "get", "", "pods/log").await);
    assert!(sar_eventually(&admin, carol, &ns.name, "create", "", "pods/portforward").await);
    assert!(sar_eventually(&admin, carol, &ns.name, "get", "", "pods/proxy").await);

    // A foreign service account survives --delete.
    Api::<ServiceAccount>::namespaced(admin.clone(), &ns.name)
        .create(
            &PostParams::default(),
            &serde_json::from_value(serde_json::json!({"metadata": {"name": "foreign"}})).unwrap(),
        )
        .await
        .unwrap();
    ok(
        &ns,
        User::Admin,
        &["setup", "--delete", "--submitter", "User:carol"],
    );
    let left: Vec<String> = versions(&admin, &ns.name)
        .await
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert!(left.contains(&"sa/foreign".to_string()), "{left:?}");
    assert!(left.contains(&"sa/default".to_string()), "{left:?}");
    assert!(
        !left.iter().any(|n| n == "sa/spark"
            || n.contains("kubectl-spark")
            || n.ends_with("/spark-driver")),
        "{left:?}"
    );
}

/// Each missing object is caught before anything is created (exit 2, no pods).
#[tokio::test]
async fn preflight_catches_missing_objects_before_creating_anything() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "preflight");
    let admin = ns.client(User::Admin).await;
    ok(&ns, User::Admin, &["setup"]);
    let spark = [
        "--conf",
        "spark.kubernetes.authenticate.driver.serviceAccountName=spark",
    ];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "--conf",
                "spark.kubernetes.driver.secretKeyRef.TOKEN=nosecret:token",
            ],
            "Secret nosecret",
        ),
        (
            vec![
                "--conf",
                "spark.kubernetes.driver.volumes.persistentVolumeClaim.data.mount.path=/data",
                "--conf",
                "spark.kubernetes.driver.volumes.persistentVolumeClaim.data.options.claimName=noclaim",
            ],
            "PersistentVolumeClaim noclaim",
        ),
        (
            vec![
                "--conf",
                "spark.kubernetes.container.image.pullSecrets=nopull",
            ],
            "Secret nopull",
        ),
    ];
    for (extra, expect) in cases {
        let mut args: Vec<&str> = spark.to_vec();
        args.extend(extra.iter());
        let o = submit(&ns, User::Bob, &args);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(expect), "{extra:?}: {err}");
        assert!(err.contains("fix:"), "{err}");
    }
    // A request no node fits (checked as admin: bob may not list nodes, a warning for him).
    let mut args: Vec<&str> = spark.to_vec();
    args.extend(["--driver-memory", "10000g"]);
    let o = submit(&ns, User::Admin, &args);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no Ready node"),
        "{}",
        text(&o)
    );
    // A missing driver service account (checked as admin, who may look).
    let o = submit(
        &ns,
        User::Admin,
        &[
            "--conf",
            "spark.kubernetes.authenticate.driver.serviceAccountName=nosa",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("ServiceAccount nosa"), "{err}");
    assert!(err.contains("kubectl spark setup"), "{err}");
    // Alice may not create Services (nor look at secrets: a warning, not a failure).
    let o = submit(&ns, User::Alice, &spark);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("you may not create services"), "{err}");
    // The hint names the user the API server knows (it was `User:<you>`).
    assert!(err.contains("--submitter User:alice`"), "{err}");
    assert_eq!(
        pod_count(&admin, &ns.name).await,
        0,
        "preflight let something through"
    );
    // --skip-preflight submits anyway.
    let o = submit(
        &ns,
        User::Bob,
        &[
            "--skip-preflight",
            "--conf",
            "spark.kubernetes.container.image.pullSecrets=nopull",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(pod_count(&admin, &ns.name).await, 1);
}

/// A driver account with only what `setup` granted before the allocators were covered: pods,
/// services, configmaps.
async fn old_driver_role(client: &Client, ns: &str) {
    let objects = serde_json::json!([
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "spark"}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
         "metadata": {"name": "old-driver"},
         "rules": [{"apiGroups": [""], "resources": ["pods", "services", "configmaps"],
                    "verbs": ["create", "get", "list", "watch", "delete", "deletecollection", "patch"]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": {"name": "old-driver"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "old-driver"},
         "subjects": [{"kind": "ServiceAccount", "name": "spark", "namespace": ns}]},
    ]);
    let pp = PostParams::default();
    let [sa, role, rb] = [0, 1, 2].map(|i| objects[i].clone());
    Api::<ServiceAccount>::namespaced(client.clone(), ns)
        .create(&pp, &serde_json::from_value(sa).unwrap())
        .await
        .expect("create service account");
    Api::<Role>::namespaced(client.clone(), ns)
        .create(&pp, &serde_json::from_value(role).unwrap())
        .await
        .expect("create role");
    Api::<RoleBinding>::namespaced(client.clone(), ns)
        .create(&pp, &serde_json::from_value(rb).unwrap())
        .await
        .expect("create role binding");
}

const STATEFULSET_ALLOCATOR: &str = "spark.kubernetes.allocation.pods.allocator=statefulset";

#[tokio::test]
async fn doctor_and_preflight_check_what_the_settings_need() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "doctor-conf");
    let admin = ns.client(User::Admin).await;
    old_driver_role(&admin, &ns.name).await;
    let sa = format!("system:serviceaccount:{}:spark", ns.name);
    assert!(sar_eventually(&admin, &sa, &ns.name, "create", "", "pods").await);

    // Without settings, the account may run a driver.
    let plain = ok(&ns, User::Admin, &["doctor"]);
    assert!(
        plain.contains("✓ service account spark may run a driver"),
        "{plain}"
    );
    // The statefulset allocator needs StatefulSets: doctor says so, naming the setting.
    let o = kubectl_spark(
        &ns,
        User::Admin,
        &["doctor", "--conf", STATEFULSET_ALLOCATOR],
    );
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        out.contains("✗ service account spark may run a driver")
            && out.contains(
                "may not create statefulsets.apps (for spark.kubernetes.allocation.pods.allocator=statefulset)"
            )
            && out.contains(&format!("fix: kubectl spark setup -n {}", ns.name)),
        "{out}"
    );
    // An OnDemand executor claim needs PVCs; a 4.2 image the NetworkPolicy (admin may).
    let o = kubectl_spark(
        &ns,
        User::Admin,
        &[
            "doctor",
            "--conf",
            "spark.kubernetes.executor.volumes.persistentVolumeClaim.data.options.claimName=OnDemand",
            "--conf",
            "spark.kubernetes.container.image=apache/spark:4.2.0",
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        out.contains("may not create persistentvolumeclaims (for an OnDemand executor claim")
            && out.contains("✓ you may create networkpolicies")
            && !out.contains("statefulsets"),
        "{out}"
    );

    // submit's preflight refuses the same settings before creating anything.
    let o = submit(
        &ns,
        User::Admin,
        &[
            "--conf",
            STATEFULSET_ALLOCATOR,
            "--conf",
            "spark.kubernetes.authenticate.driver.serviceAccountName=spark",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("preflight") && err.contains("statefulsets.apps"),
        "{}",
        text(&o)
    );
    assert_eq!(pod_count(&admin, &ns.name).await, 0);

    // setup covers the allocators: then doctor and submit pass with the same settings.
    ok(&ns, User::Admin, &["setup"]);
    assert!(sar_eventually(&admin, &sa, &ns.name, "create", "apps", "statefulsets").await);
    let out = ok(
        &ns,
        User::Admin,
        &["doctor", "--conf", STATEFULSET_ALLOCATOR],
    );
    assert!(
        out.contains("may create pods, services, configmaps, statefulsets.apps"),
        "{out}"
    );
    let o = submit(
        &ns,
        User::Admin,
        &[
            "--conf",
            STATEFULSET_ALLOCATOR,
            "--conf",
            "spark.kubernetes.authenticate.driver.serviceAccountName=spark",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(pod_count(&admin, &ns.name).await, 1);
}

#[tokio::test]
async fn doctor_reports_alices_missing_permissions() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "doctor");
    let o = kubectl_spark(&ns, User::Alice, &["doctor"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("✓ you may create pods"), "{out}");
    assert!(out.contains("✗ you may create services"), "{out}");
    assert!(out.contains("fix: "), "{out}");
}

#[tokio::test]
async fn client_setup_creates_a_service_selecting_the_pod() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "client");
    let admin = ns.client(User::Admin).await;
    ok(&ns, User::Admin, &["setup"]);
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "notebook"},
        "spec": {"serviceAccountName": "spark", "containers": [{"name": "main", "image": "apache/spark:4.0.1"}]}
    }))
    .unwrap();
    let pods = Api::<Pod>::namespaced(admin.clone(), &ns.name);
    let created = pods.create(&PostParams::default(), &pod).await.unwrap();
    let out = ok(&ns, User::Bob, &["client-setup", "--pod", "notebook"]);
    let expected = format!(
        "--conf spark.master=k8s://https://kubernetes.default.svc\n\
         --conf spark.submit.deployMode=client\n\
         --conf spark.driver.host=notebook-driver.{ns}.svc\n\
         --conf spark.driver.port=7078\n\
         --conf spark.driver.blockManager.port=7079\n\
         --conf spark.driver.bindAddress=0.0.0.0\n\
         --conf spark.kubernetes.driver.pod.name=notebook\n\
         --conf spark.kubernetes.namespace={ns}\n\
         --conf spark.kubernetes.authenticate.driver.serviceAccountName=spark\n",
        ns = ns.name
    );
    assert_eq!(out, expected);
    let svc = Api::<Service>::namespaced(admin.clone(), &ns.name)
        .get("notebook-driver")
        .await
        .unwrap();
    let spec = svc.spec.clone().unwrap();
    assert_eq!(spec.cluster_ip.as_deref(), Some("None"));
    let selector = spec.selector.unwrap();
    let labels = pods.get("notebook").await.unwrap().metadata.labels.unwrap();
    for (k, v) in &selector {
        assert_eq!(
            labels.get(k),
            Some(v),
            "the pod does not match the selector"
        );
    }
    let ports: Vec<(String, i32)> = spec
        .ports
        .unwrap()
        .into_iter()
        .map(|p| (p.name.unwrap(), p.port))
        .collect();
    assert_eq!(
        ports,
        [
            ("driver-rpc-port".to_string(), 7078),
            ("blockmanager".to_string(), 7079)
        ]
    );
    assert_eq!(
        svc.metadata.owner_references.unwrap()[0].uid,
        created.metadata.uid.unwrap()
    );
    // As a properties file.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("client.properties");
    ok(
        &ns,
        User::Bob,
        &[
            "client-setup",
            "--pod",
            "notebook",
            "--properties-file",
            file.to_str().unwrap(),
        ],
    );
    let props = std::fs::read_to_string(&file).unwrap();
    assert!(props.contains("spark.driver.port=7078\n"), "{props}");
}

/// No fix line repeats a command (`setup -n NS --service-account spark, or run setup -n NS…`).
fn assert_no_duplicated_fix(out: &str) {
    for line in out.lines().filter(|l| l.trim_start().starts_with("fix:")) {
        assert!(
            line.matches("kubectl spark setup").count() <= 1,
            "duplicated fix: {line}"
        );
    }
}

#[tokio::test]
async fn a_missing_namespace_is_named_with_the_fix() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    // A namespace that does not exist, named like a test namespace (and deleted at the end).
    let ns = TestNamespace::new(cluster, "nsfix");
    let missing = format!("{}-missing", ns.name);
    let admin = ns.client(User::Admin).await;

    let o = kubectl_spark(&ns, User::Admin, &["-n", &missing, "doctor"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        out.contains(&format!(
            "✗ namespace {missing} exists: namespace {missing} does not exist\n    fix: kubectl spark setup -n {missing} --create-namespace"
        )),
        "{out}"
    );
    // Not "you may create pods", not a missing service account with a fix that then fails.
    assert!(!out.contains("you may create"), "{out}");
    assert!(!out.contains("ServiceAccount"), "{out}");
    assert_no_duplicated_fix(&out);

    let o = kubectl_spark(
        &ns,
        User::Admin,
        &[
            "-n",
            &missing,
            "submit",
            "--no-wait",
            "--class",
            SPARK_PI,
            "--conf",
            "spark.kubernetes.container.image=apache/spark:4.0.1",
            EXAMPLES,
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        err.contains(&format!("namespace {missing} does not exist"))
            && err.contains(&format!(
                "kubectl spark setup -n {missing} --create-namespace"
            ))
            && !err.contains("ServiceAccount"),
        "{err}"
    );

    // The fix works: then doctor's only failure left is nothing.
    ok(
        &ns,
        User::Admin,
        &["-n", &missing, "setup", "--create-namespace"],
    );
    let namespaces = Api::<k8s_openapi::api::core::v1::Namespace>::all(admin.clone());
    let doctor = kubectl_spark(&ns, User::Admin, &["-n", &missing, "doctor"]);
    let _ = namespaces.delete(&missing, &Default::default()).await;
    let out = String::from_utf8_lossy(&doctor.stdout).into_owned();
    assert!(
        out.contains(&format!("✓ namespace {missing} exists")),
        "{out}"
    );
    assert_eq!(doctor.status.code(), Some(0), "{}", text(&doctor));

    // The driver's service account lacking permissions: one fix, said once.
    let o = kubectl_spark(&ns, User::Admin, &["doctor"]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        out.contains(&format!("fix: kubectl spark setup -n {}\n", ns.name)),
        "{out}"
    );
    assert_no_duplicated_fix(&out);
}

#[tokio::test]
async fn client_setup_warns_when_the_pods_account_may_not_create_executors() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "client-sa");
    let admin = ns.client(User::Admin).await;
    ok(&ns, User::Admin, &["setup"]);
    let pods = Api::<Pod>::namespaced(admin.clone(), &ns.name);
    for (name, sa) in [("plain", "default"), ("sparky", "spark")] {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": name},
            "spec": {"serviceAccountName": sa, "containers": [{"name": "main", "image": "apache/spark:4.0.1"}]}
        }))
        .unwrap();
        pods.create(&PostParams::default(), &pod).await.unwrap();
    }
    // As admin, who may ask SubjectAccessReviews.
    let o = kubectl_spark(&ns, User::Admin, &["client-setup", "--pod", "plain"]);
    assert!(o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(
        err.contains(
            "warning: service account default of pod plain may not create pods, configmaps"
        ) && err.contains("could not start executors")
            && err.contains(&format!(
                "kubectl spark setup -n {} --service-account default",
                ns.name
            )),
        "{err}"
    );
    let o = kubectl_spark(&ns, User::Admin, &["client-setup", "--pod", "sparky"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        !String::from_utf8_lossy(&o.stderr).contains("warning"),
        "{}",
        text(&o)
    );
}
