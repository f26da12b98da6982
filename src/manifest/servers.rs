//! Server applications in operator manifests. The Apache operator's examples run Spark's
//! Connect server, Thrift server and History Server as `SparkApplication`s, with the server
//! class in client mode inside the driver pod (spark-submit refuses the first two in cluster
//! mode). `submit -f` does the same, and launches each as kubectl-spark's own command does:
//!
//! - a Connect server exactly as `kubectl spark connect` ([`Launch::ConnectServer`]: token,
//!   loopback binding, readiness probe, so that `connect --attach` reaches it);
//! - a History Server exactly as `kubectl spark history` ([`Launch::HistoryServer`]: labelled
//!   so no command takes it for an application, readiness on its REST API, so that `history`
//!   finds and reuses it);
//! - a Thrift server as an application whose class is allowed ([`Launch::ThriftServer`]).
//!
//! A server runs until it is deleted, so an operator's restart policy does not resubmit it
//! after an end: [`restart_in_place`] has the kubelet restart its container instead.

use k8s_openapi::api::core::v1::Pod;

use crate::conf::submit_args::{CONNECT_SERVER_CLASS, Launch, SubmitOptions, THRIFT_SERVER_CLASS};
use crate::error::{Error, Result};
use crate::history::HISTORY_SERVER_CLASS;
use crate::submit::retry::RetryPolicy;

/// spark-submit's stand-in for "no primary resource".
const SPARK_INTERNAL: &str = "spark-internal";

/// How the driver of a manifest's application is launched, adjusting its options for it: a
/// Connect server's or History Server's options name no class and no application (a jar given
/// as the primary resource, as Kubeflow's required `mainApplicationFile`, is kept on the class
/// path).
pub fn launch_of(options: &mut SubmitOptions, label: &str) -> Result<Launch> {
    let (launch, what) = match options.class.as_deref() {
        Some(CONNECT_SERVER_CLASS) => (
            Launch::ConnectServer,
            ServerKind {
                name: "a Spark Connect server",
                settings: "configure the server with sparkConf",
                no_file: "a Connect server's clients send their code",
            },
        ),
        Some(HISTORY_SERVER_CLASS) => (
            Launch::HistoryServer,
            ServerKind {
                name: "a History Server",
                settings: "configure the server with sparkConf (spark.history.*)",
                no_file: "a History Server reads the event logs of spark.history.fs.logDirectory",
            },
        ),
        Some(THRIFT_SERVER_CLASS) => return Ok(Launch::ThriftServer),
        _ => return Ok(Launch::Application),
    };
    runs_no_application(options, label, &what)?;
    Ok(launch)
}

/// What the errors of [`runs_no_application`] say about a server.
struct ServerKind {
    name: &'static str,
    settings: &'static str,
    no_file: &'static str,
}

/// Refuses application arguments and a primary resource other than a jar (which joins the
/// class path), and clears the class: the launch names it.
fn runs_no_application(options: &mut SubmitOptions, label: &str, what: &ServerKind) -> Result<()> {
    if !options.app_args.is_empty() {
        return Err(Error::usage(
            format!(
                "{label}: {} takes no application arguments (got {})",
                what.name,
                options.app_args.join(" ")
            ),
            format!(
                "remove the arguments (arguments/driverArgs); {}",
                what.settings
            ),
        ));
    }
    options.class = None;
    match options.primary_resource.take() {
        None => {}
        Some(p) if p == SPARK_INTERNAL => {}
        Some(p) if p.ends_with(".jar") => {
            let mut jars = options.jars.take().map(|j| vec![j]).unwrap_or_default();
            jars.insert(0, p);
            options.jars = Some(jars.join(","));
        }
        Some(p) => {
            return Err(Error::usage(
                format!(
                    "{label}: {} runs no application, but the manifest names {p}",
                    what.name
                ),
                format!("remove the application file ({})", what.no_file),
            ));
        }
    }
    Ok(())
}

/// A History Server from a manifest whose restart policy retries (`OnFailure`/`Always`):
/// the pod's `restartPolicy` becomes `Always`, so the kubelet restarts the server's container
/// whenever it exits (with its back-off, without a limit: a server is meant to run until it is
/// deleted), keeping its pod, name, Service and ConfigMap, which `kubectl spark history`
/// finds. Resubmitting instead would need someone waiting for its end. Returns whether the
/// pod was changed.
pub fn restart_in_place(pod: &mut Pod, launch: Launch, policy: &RetryPolicy) -> bool {
    if launch != Launch::HistoryServer || !policy.retries() {
        return false;
    }
    pod.spec.get_or_insert_with(Default::default).restart_policy = Some("Always".into());
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(class: &str, primary: Option<&str>) -> SubmitOptions {
        SubmitOptions {
            class: Some(class.into()),
            primary_resource: primary.map(str::to_string),
            ..SubmitOptions::default()
        }
    }

    #[test]
    fn a_connect_server_is_launched_as_connect_launches_it() {
        let mut o = opts(CONNECT_SERVER_CLASS, None);
        assert_eq!(launch_of(&mut o, "x").unwrap(), Launch::ConnectServer);
        assert_eq!(o.class, None);
        let mut o = opts(
            CONNECT_SERVER_CLASS,
            Some("local:///opt/spark/jars/connect.jar"),
        );
        o.jars = Some("local:///a.jar".into());
        assert_eq!(launch_of(&mut o, "x").unwrap(), Launch::ConnectServer);
        assert_eq!(o.primary_resource, None);
        assert_eq!(
            o.jars.as_deref(),
            Some("local:///opt/spark/jars/connect.jar,local:///a.jar")
        );
        let mut o = opts(CONNECT_SERVER_CLASS, Some("app.py"));
        let e = launch_of(&mut o, "m.yaml").unwrap_err().to_string();
        assert!(e.contains("m.yaml") && e.contains("app.py"), "{e}");
        let mut o = opts(CONNECT_SERVER_CLASS, None);
        o.app_args = vec!["x".into()];
        assert!(launch_of(&mut o, "m.yaml").is_err());
    }

    #[test]
    fn a_thrift_server_keeps_its_class_and_other_classes_are_applications() {
        let mut o = opts(THRIFT_SERVER_CLASS, None);
        assert_eq!(launch_of(&mut o, "x").unwrap(), Launch::ThriftServer);
        assert_eq!(o.class.as_deref(), Some(THRIFT_SERVER_CLASS));
        let mut o = opts("org.apache.spark.examples.SparkPi", Some("local:///x.jar"));
        assert_eq!(launch_of(&mut o, "x").unwrap(), Launch::Application);
        assert_eq!(o.primary_resource.as_deref(), Some("local:///x.jar"));
    }

    #[test]
    fn a_history_server_is_launched_as_history_launches_it() {
        let mut o = opts(HISTORY_SERVER_CLASS, None);
        assert_eq!(launch_of(&mut o, "x").unwrap(), Launch::HistoryServer);
        assert_eq!(o.class, None);
        let mut o = opts(HISTORY_SERVER_CLASS, Some("local:///opt/extra/plugin.jar"));
        assert_eq!(launch_of(&mut o, "x").unwrap(), Launch::HistoryServer);
        assert_eq!(o.jars.as_deref(), Some("local:///opt/extra/plugin.jar"));
        let mut o = opts(HISTORY_SERVER_CLASS, Some("app.py"));
        let e = launch_of(&mut o, "m.yaml").unwrap_err().to_string();
        assert!(e.contains("a History Server runs no application"), "{e}");
        let mut o = opts(HISTORY_SERVER_CLASS, None);
        o.app_args = vec!["--properties-file".into()];
        let e = launch_of(&mut o, "m.yaml").unwrap_err().to_string();
        assert!(
            e.contains("History Server takes no application arguments"),
            "{e}"
        );
    }

    #[test]
    fn a_retrying_history_server_restarts_in_place_and_nothing_else_does() {
        let retrying = RetryPolicy {
            on_failure: 3,
            ..RetryPolicy::default()
        };
        let mut pod = Pod::default();
        assert!(!restart_in_place(
            &mut pod,
            Launch::HistoryServer,
            &RetryPolicy::default()
        ));
        assert!(!restart_in_place(&mut pod, Launch::ThriftServer, &retrying));
        assert!(!restart_in_place(&mut pod, Launch::Application, &retrying));
        assert_eq!(pod.spec, None);
        assert!(restart_in_place(&mut pod, Launch::HistoryServer, &retrying));
        assert_eq!(pod.spec.unwrap().restart_policy.as_deref(), Some("Always"));
    }
}
