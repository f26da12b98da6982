//! Spark Connect servers (`kubectl spark connect`). A Connect server is a submission whose
//! driver runs Spark's `SparkConnectServer` class (see [`crate::conf::submit_args::Launch`]);
//! this module holds what else makes it one, all pure:
//!
//! - [`configure`]: the Spark properties — the pod label that marks it, the gRPC server bound to
//!   the pod's loopback only (4.0+), the Connect jar on 3.5 (`--packages`), and the token's env
//!   var read from a Secret (4.0+);
//! - [`build`]: Spark's own objects ([`steps::build`]) plus what Spark does not make: the
//!   readiness probe on the Connect port (and so a Service that publishes the pod before it is
//!   Ready, for the executors), that port on the container and the Service before 4.1 (Spark
//!   adds it itself from 4.1), and the token Secret;
//! - [`connection_string`] and the readers used to reattach to a running server.
//!
//! What protects a server: it has no NodePort or LoadBalancer; from 4.0 its gRPC port listens
//! on the pod's loopback only, so the only way in is a port-forward (which needs
//! `pods/portforward`), and every request must carry the server's token, which lives in a
//! Secret (never in the ConfigMap) and in the connection string printed on stdout. On 3.5 the
//! server has neither: it listens on the pod IP without authentication.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, ExecAction, Pod, Probe, Secret, ServicePort,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::app::LABEL_APP_SELECTOR;
pub use crate::app::{LABEL_CONNECT, is_connect_server};
use crate::conf::{SparkConf, SparkVersion};
use crate::error::{Error, Result};
use crate::submit::plan::{Plan, PostObject, Submission};
use crate::submit::steps::{self, basic, env_secrets, resource_prefix};

/// The env var the server reads its token from (Spark 4.0+, `SparkConnectService`).
pub const TOKEN_ENV: &str = "SPARK_CONNECT_AUTHENTICATE_TOKEN";
/// The Spark property of the token, refused here: it would be written to the ConfigMap.
pub const TOKEN_KEY: &str = "spark.connect.authenticate.token";
/// The key of the token in its Secret.
pub const TOKEN_SECRET_KEY: &str = "token";
/// The gRPC server's bind address (Spark 4.0+; before, every interface).
pub const BINDING_ADDRESS_KEY: &str = "spark.connect.grpc.binding.address";
/// The gRPC server's port.
pub const BINDING_PORT_KEY: &str = "spark.connect.grpc.binding.port";
/// Name of the Connect port on the container and the Service (as Spark 4.1+ names it).
pub const PORT_NAME: &str = crate::app::CONNECT_PORT_NAME;
/// Where the 4.0+ server listens unless told otherwise: only a port-forward reaches it.
pub const LOOPBACK: &str = "127.0.0.1";
/// The Connect jar's Maven group and artifact (3.5 does not ship it in `jars/`).
const CONNECT_ARTIFACT: &str = "org.apache.spark:spark-connect_";

/// Whether the version's server checks a shared token (`spark.connect.authenticate.token` /
/// [`TOKEN_ENV`], SPARK-51156, first released in 4.0.0).
pub fn supports_token(version: &SparkVersion) -> bool {
    version.at_least(4, 0)
}

/// Whether the version's server can be bound to one address ([`BINDING_ADDRESS_KEY`], 4.0.0).
pub fn supports_binding_address(version: &SparkVersion) -> bool {
    version.at_least(4, 0)
}

/// The `--packages` coordinate of the Connect jar for versions that do not ship it (3.5),
/// in the image's Scala version (2.12 unless the image tag says `scala2.13`).
pub fn connect_package(version: &SparkVersion, image: Option<&str>) -> Option<String> {
    if version.at_least(4, 0) {
        return None;
    }
    let scala = if image.is_some_and(|i| i.contains("scala2.13")) {
        "2.13"
    } else {
        "2.12"
    };
    Some(format!("{CONNECT_ARTIFACT}{scala}:{version}"))
}

/// The version an image tag names when it is one Spark release older than 3.5 (`3.4.1`):
/// such an image cannot run this Connect server (only newer ones are supported).
pub fn unsupported_image_version(image: &str) -> Option<String> {
    let tag = image.rsplit('/').next()?.split_once(':')?.1;
    let head: String = tag
        .trim_start_matches('v')
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let mut parts = head.trim_end_matches('.').split('.').map(str::parse::<u32>);
    let (major, minor) = (parts.next()?.ok()?, parts.next()?.ok()?);
    ((major, minor) < SparkVersion::OLDEST).then(|| head.trim_end_matches('.').to_string())
}

/// A new token: 32 random bytes from the OS-seeded CSPRNG, as hex (safe in a connection
/// string, which splits on `;` and `=`).
pub fn draw_token() -> String {
    use rand::Rng;
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Name of the token Secret: `<resource prefix>-connect-token`.
pub fn token_secret_name(plan: &Plan) -> String {
    format!("{}-connect-token", resource_prefix(plan))
}

/// The Connect server's port: [`BINDING_PORT_KEY`] or 15002.
pub fn server_port(conf: &SparkConf) -> Result<i32> {
    basic::connect_port(conf)
}

/// Adds what makes the plan's driver a Connect server to its Spark properties. `token` is
/// the server's token (None on 3.5, which cannot check one). Returns warnings for the user.
pub fn configure(plan: &mut Plan, token: Option<&str>) -> Result<Vec<String>> {
    let mut warnings = Vec::new();
    if plan.conf.contains(TOKEN_KEY) {
        return Err(Error::usage(
            format!(
                "--conf {TOKEN_KEY}: Spark would write the token in plain text into the driver's ConfigMap"
            ),
            format!(
                "leave it out: `kubectl spark connect` makes a token per server, keeps it in a Secret (env {TOKEN_ENV}) and prints it in the connection string"
            ),
        ));
    }
    server_port(&plan.conf)?;
    let version = plan.spark_version.clone();
    let secret = token_secret_name(plan);
    let conf = &mut plan.conf;
    conf.set(
        format!("spark.kubernetes.driver.label.{LABEL_CONNECT}"),
        "true",
    );
    if supports_binding_address(&version) {
        conf.set_if_missing(BINDING_ADDRESS_KEY, LOOPBACK);
    }
    let image = conf
        .get_non_empty("spark.kubernetes.driver.container.image")
        .or_else(|| conf.get_non_empty("spark.kubernetes.container.image"))
        .map(str::to_string);
    if let Some(package) = connect_package(&version, image.as_deref()) {
        let mut packages = conf.get_list("spark.jars.packages");
        if !packages.iter().any(|p| p.starts_with(CONNECT_ARTIFACT)) {
            packages.push(package);
            conf.set("spark.jars.packages", packages.join(","));
        }
        // The image's user cannot write Ivy's default ~/.ivy2 under /opt/spark.
        conf.set_if_missing("spark.jars.ivy", "/tmp/.ivy2");
        warnings.push(format!(
            "Spark {version}'s Connect server has no authentication and listens on the pod's IP: \
             anyone who can reach pod IPs in the cluster can use it (4.0+ listens on the pod's \
             loopback only and checks a token); its driver downloads the Connect jar with Ivy, \
             so it needs access to Maven Central (or --repositories)"
        ));
    }
    match token {
        Some(_) if supports_token(&version) => {
            conf.set(
                format!("{}{TOKEN_ENV}", env_secrets::PREFIX),
                format!("{secret}:{TOKEN_SECRET_KEY}"),
            );
        }
        Some(_) => {
            return Err(Error::Other(format!(
                "Spark {version}'s Connect server cannot check a token"
            )));
        }
        None => {}
    }
    Ok(warnings)
}

/// The readiness probe: the gRPC port accepts connections on the pod's loopback (where a 4.0+
/// server listens; a kubelet's TCP probe goes to the pod IP), with the image's bash.
pub fn readiness_probe(host: &str, port: i32) -> Probe {
    Probe {
        exec: Some(ExecAction {
            command: Some(vec![
                "bash".into(),
                "-c".into(),
                format!("exec 3<>/dev/tcp/{host}/{port}"),
            ]),
        }),
        period_seconds: Some(2),
        timeout_seconds: Some(2),
        failure_threshold: Some(3),
        ..Probe::default()
    }
}

/// Builds the server's objects: Spark's own submission for the plan (configured with
/// [`configure`]), with the readiness probe, the Connect port on the driver container and its
/// Service, and, with a token, the token Secret (created right after the pod, owned by it).
pub fn build(plan: &Plan, token: Option<&str>) -> Result<Submission> {
    let mut submission = steps::build(plan)?;
    let port = server_port(&plan.conf)?;
    let host = match plan.conf.get_non_empty(BINDING_ADDRESS_KEY) {
        Some("0.0.0.0" | "::" | "[::]") | None => LOOPBACK,
        Some(address) => address,
    };
    let container = spark_container(&mut submission.pod)?;
    let ports = container.ports.get_or_insert_with(Vec::new);
    if !ports.iter().any(|p| p.name.as_deref() == Some(PORT_NAME)) {
        ports.push(ContainerPort {
            name: Some(PORT_NAME.into()),
            container_port: port,
            protocol: Some("TCP".into()),
            ..ContainerPort::default()
        });
    }
    container.readiness_probe = Some(readiness_probe(host, port));
    for object in &mut submission.post {
        if let PostObject::Service(service) = object {
            let spec = service.spec.get_or_insert_with(Default::default);
            // The readiness probe keeps the pod not Ready until the gRPC port is up, which
            // is after the SparkContext has asked for executors: they must resolve and reach
            // the driver before that, or they fail (and too many failures end the server).
            spec.publish_not_ready_addresses = Some(true);
            let ports = spec.ports.get_or_insert_with(Vec::new);
            if !ports.iter().any(|p| p.name.as_deref() == Some(PORT_NAME)) {
                ports.push(ServicePort {
                    name: Some(PORT_NAME.into()),
                    port,
                    target_port: Some(IntOrString::Int(port)),
                    ..ServicePort::default()
                });
            }
        }
    }
    if let Some(token) = token {
        submission
            .post
            .insert(0, PostObject::Secret(token_secret(plan, token)));
    }
    Ok(submission)
}

/// The token Secret: labelled with the app id like Spark's other objects, immutable.
fn token_secret(plan: &Plan, token: &str) -> Secret {
    Secret {
        metadata: ObjectMeta {
            name: Some(token_secret_name(plan)),
            namespace: Some(plan.namespace.clone()),
            labels: Some(BTreeMap::from([
                (LABEL_APP_SELECTOR.to_string(), plan.ids.app_id.clone()),
                (LABEL_CONNECT.to_string(), "true".to_string()),
            ])),
            ..ObjectMeta::default()
        },
        immutable: Some(true),
        type_: Some("Opaque".into()),
        data: Some(BTreeMap::from([(
            TOKEN_SECRET_KEY.to_string(),
            ByteString(token.as_bytes().to_vec()),
        )])),
        ..Secret::default()
    }
}

/// The driver pod's Spark container (appended last by the steps).
fn spark_container(pod: &mut Pod) -> Result<&mut Container> {
    pod.spec
        .as_mut()
        .and_then(|s| s.containers.last_mut())
        .ok_or_else(|| Error::Other("the driver pod has no container".into()))
}

/// The token a submission's Secret holds, if it has one.
pub fn token_of(submission: &Submission) -> Option<String> {
    submission.post.iter().find_map(|o| match o {
        PostObject::Secret(s)
            if s.metadata
                .labels
                .as_ref()
                .is_some_and(|l| l.contains_key(LABEL_CONNECT)) =>
        {
            let bytes = s.data.as_ref()?.get(TOKEN_SECRET_KEY)?;
            String::from_utf8(bytes.0.clone()).ok()
        }
        _ => None,
    })
}

/// The connection string a Spark Connect client takes (`SPARK_REMOTE`, `--remote`):
/// `sc://<host>:<port>` with `/;token=<token>` when the server checks one. PySpark sends a
/// token without TLS only to the host `localhost`.
pub fn connection_string(host: &str, port: u16, token: Option<&str>) -> String {
    match token {
        Some(token) => format!("sc://{host}:{port}/;token={token}"),
        None => format!("sc://{host}:{port}"),
    }
}

/// [`connection_string`] with the token elided, for messages on stderr.
pub fn connection_string_shown(host: &str, port: u16, token: Option<&str>) -> String {
    connection_string(host, port, token.map(|_| "…"))
}

/// The Connect port of a server's driver pod: its `spark-connect` container port, else 15002.
pub fn port_of(pod: &Pod) -> u16 {
    crate::app::named_port(pod, PORT_NAME).unwrap_or(basic::DEFAULT_CONNECT_PORT as u16)
}

/// The Secret and key a server's driver reads its token from, if it has one.
pub fn token_ref_of(pod: &Pod) -> Option<(String, String)> {
    pod.spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .flat_map(|c| c.env.iter().flatten())
        .find(|e| e.name == TOKEN_ENV)
        .and_then(|e| e.value_from.as_ref()?.secret_key_ref.as_ref())
        .map(|r| (r.name.clone(), r.key.clone()))
}

#[cfg(test)]
mod tests;
