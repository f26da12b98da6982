//! Server applications in operator manifests. The Apache operator's examples run Spark's
//! Connect server and Thrift server as `SparkApplication`s, with the server class in client
//! mode inside the driver pod (spark-submit refuses both classes in cluster mode). `submit -f`
//! does the same: a Connect server is launched exactly as `kubectl spark connect` launches one
//! ([`Launch::ConnectServer`]: token, loopback binding, readiness probe, so that
//! `connect --attach` reaches it); a Thrift server is an application whose class is allowed
//! ([`Launch::ThriftServer`]).

use crate::conf::submit_args::{CONNECT_SERVER_CLASS, Launch, SubmitOptions, THRIFT_SERVER_CLASS};
use crate::error::{Error, Result};

/// spark-submit's stand-in for "no primary resource".
const SPARK_INTERNAL: &str = "spark-internal";

/// How the driver of a manifest's application is launched, adjusting its options for it: a
/// Connect server's options name no class and no application (a jar given as the primary
/// resource, as Kubeflow's required `mainApplicationFile`, is kept on the class path).
pub fn launch_of(options: &mut SubmitOptions, label: &str) -> Result<Launch> {
    match options.class.as_deref() {
        Some(CONNECT_SERVER_CLASS) => {
            if !options.app_args.is_empty() {
                return Err(Error::usage(
                    format!(
                        "{label}: a Spark Connect server takes no application arguments (got {})",
                        options.app_args.join(" ")
                    ),
                    "remove the arguments (arguments/driverArgs); configure the server with sparkConf",
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
                            "{label}: a Spark Connect server runs no application, but the manifest names {p}"
                        ),
                        "remove the application file (a Connect server's clients send their code)",
                    ));
                }
            }
            Ok(Launch::ConnectServer)
        }
        Some(THRIFT_SERVER_CLASS) => Ok(Launch::ThriftServer),
        _ => Ok(Launch::Application),
    }
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
}
