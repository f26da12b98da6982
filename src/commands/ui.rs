//! `kubectl spark ui`: forwards a local port to the driver's Spark UI (the `spark-ui`
//! container port, 4040 by default) through the API server, and prints the URL on stdout.
//!
//! Each accepted connection gets its own port-forward stream ([`crate::forward`]: a pair of
//! SPDY streams in one tunnel, as kubectl does, or its own WebSocket on API servers that cannot
//! tunnel), so a browser's many parallel connections are served and a dropped stream only
//! costs the connection it carried. The forward ends on Ctrl-C, or by itself once the driver
//! has ended.

use std::sync::Arc;

use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;

use crate::cli::{KubeFlags, UiArgs};
use crate::commands::history;
use crate::error::{Error, Result};
use crate::forward::local::{self, Stopped};
use crate::forward::{self, Forwarder};
use crate::operate::summary::{self, DRIVER_CONTAINER, State};
use crate::operate::{find, waiting};
use crate::output;

/// The local port tried first when `--port` is not given (Spark's own UI port).
pub const DEFAULT_LOCAL_PORT: u16 = 4040;

/// Runs `ui`.
pub async fn run(flags: &KubeFlags, args: &UiArgs) -> Result<u8> {
    let mut target = crate::kube::resolve(flags).await?;
    let client = target.client()?;
    let found = find::resolve_one_or_none(
        &client,
        &target.namespace,
        args.all_namespaces,
        &args.app,
        args.latest,
    )
    .await?;
    target.config.read_timeout = None;
    // An application that has ended (its driver finished, or deleted) is shown by the
    // namespace's History Server, when one runs and knows it.
    let ended = found.as_ref().is_none_or(|d| {
        summary::State::from_phase(summary::phase(d)).is_finished()
            || d.metadata.deletion_timestamp.is_some()
    });
    if ended {
        let ns = found
            .as_ref()
            .and_then(|d| d.metadata.namespace.clone())
            .or_else(|| args.app.split_once(':').map(|(ns, _)| ns.to_string()))
            .unwrap_or_else(|| target.namespace.clone());
        let app_id = found.as_ref().and_then(|d| {
            d.metadata
                .labels
                .as_ref()?
                .get(crate::app::LABEL_APP_SELECTOR)
                .cloned()
        });
        if let Some(known) = history::known(&client, &ns, &args.app, app_id.as_deref()).await? {
            return history::forward_finished(
                target.client()?,
                &known,
                &args.address,
                args.port,
                args.open,
            )
            .await;
        }
    }
    let driver = match found {
        Some(driver) => driver,
        // Names no driver and no application the History Server knows: the usual error.
        None => {
            find::resolve_one(
                &client,
                &target.namespace,
                args.all_namespaces,
                &args.app,
                args.latest,
            )
            .await?
        }
    };
    let ns = driver.metadata.namespace.clone().unwrap_or_default();
    let name = driver.metadata.name.clone().unwrap_or_default();
    // One client (one connection pool) for watching the driver and for the forwards.
    let stream_client = target.client()?;
    let pods: Api<Pod> = Api::namespaced(stream_client.clone(), &ns);
    let remote_port = summary::ui_port(&driver);

    until_running(&pods, &name, &format!("driver pod {ns}/{name}")).await?;
    let tunnel = forward::tunnel_allowed(std::env::var(forward::TUNNEL_ENV).ok().as_deref());
    let forwarder = Forwarder::start(stream_client, &ns, &name, remote_port, tunnel).await?;

    let (listener, moved_from) =
        local::bind(&args.address, args.port, DEFAULT_LOCAL_PORT, "--port").await?;
    let local_port = local::local_port(&listener)?;
    if let Some(wanted) = moved_from {
        output::info(&format!(
            "Port {wanted} is in use; using {local_port} instead"
        ));
    }
    let url = url_for(&args.address, local_port);
    output::print_data(&format!("{url}\n"))?;
    output::info(&format!(
        "Forwarding {url} to the Spark UI of {ns}:{name} (port {remote_port}); press Ctrl-C to stop"
    ));
    if args.open {
        open_browser(&url);
    }
    match local::serve(vec![(listener, Arc::new(forwarder))], pods, &name).await {
        Stopped::Interrupted => output::info("Stopped forwarding."),
        Stopped::PodGone(reason) => output::info(&format!(
            "The driver {reason}; its Spark UI is gone. Stopped forwarding."
        )),
    }
    Ok(0)
}

/// Waits for the driver to run; an ended application has no UI.
async fn until_running(pods: &Api<Pod>, name: &str, what: &str) -> Result<Pod> {
    let mut spinner = waiting::Spinner::new();
    loop {
        let pod = waiting::get(pods, name, what).await?;
        let state = summary::State::from_phase(summary::phase(&pod));
        if state.is_finished() || pod.metadata.deletion_timestamp.is_some() {
            let s = summary::summarize(&pod, [], jiff::Timestamp::now());
            return Err(Error::usage(
                format!(
                    "the application has ended ({}): its Spark UI is gone with the driver",
                    s.state_text()
                ),
                history::no_history_hint(pod.metadata.namespace.as_deref().unwrap_or_default()),
            ));
        }
        let container = summary::spark_container_name(&pod, DRIVER_CONTAINER).unwrap_or_default();
        if state == State::Running && waiting::container_started(&pod, &container) {
            return Ok(pod);
        }
        spinner.set(&format!(
            "Waiting for {what} to run ({})",
            waiting::waiting_text(&pod, &container)
        ));
        tokio::time::sleep(waiting::POLL).await;
    }
}

/// The URL to print for a listening address: wildcard addresses become `localhost`, IPv6
/// literals get brackets.
pub fn url_for(address: &str, port: u16) -> String {
    format!("http://{}:{port}", local::host_for(address))
}

/// Opens `url` in the desktop's browser (a warning when none can be started).
pub fn open_browser(url: &str) {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    let spawned = std::process::Command::new(program)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        output::warn(&format!(
            "cannot open a browser with {program} ({e}); open {url} yourself"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(url_for("127.0.0.1", 4040), "http://127.0.0.1:4040");
        assert_eq!(url_for("0.0.0.0", 4041), "http://localhost:4041");
        assert_eq!(url_for("::1", 4040), "http://[::1]:4040");
        assert_eq!(url_for("localhost", 1), "http://localhost:1");
    }
}
