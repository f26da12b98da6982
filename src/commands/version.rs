//! `kubectl spark version`: plugin version, server version, supported Spark versions; as text,
//! or `-o json|yaml` (kubectl's `clientVersion`/`serverVersion` shape); `--client` skips the
//! server.

use std::time::Duration;

use serde_json::{Value, json};

use crate::cli::{KubeFlags, VersionArgs};
use crate::conf::SparkVersion;
use crate::error::Result;
use crate::output;

/// What `version` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versions {
    /// The plugin's version.
    pub client: String,
    /// The API server's `gitVersion`, or why it is unknown; `None` with `--client`.
    pub server: Option<std::result::Result<String, String>>,
}

/// Prints the versions on stdout; the server version is best effort (a short timeout).
pub async fn run(flags: &KubeFlags, args: &VersionArgs) -> Result<u8> {
    let print = |versions: &Versions| -> Result<()> {
        let text = match args.output {
            Some(format) => output::render(&to_value(versions), format)?,
            None => text(versions),
        };
        output::print_data(&text)
    };
    let client = env!("CARGO_PKG_VERSION").to_string();
    let server = if args.client {
        None
    } else {
        match server_version(flags).await {
            Ok(server) => Some(server),
            // As kubectl: the client part, then the one-line error every command gives for
            // an API server that cannot be reached, exit 1.
            Err(unreachable) => {
                print(&Versions {
                    client,
                    server: None,
                })?;
                return Err(unreachable);
            }
        }
    };
    print(&Versions { client, server })?;
    Ok(0)
}

/// The server's version, or why it is unknown; an API server that cannot be reached is the
/// error.
async fn server_version(flags: &KubeFlags) -> Result<std::result::Result<String, String>> {
    let mut target = match crate::kube::resolve(flags).await {
        Ok(t) => t,
        Err(e) => return Ok(Err(format!("unavailable ({e})"))),
    };
    if flags.request_timeout.is_none() {
        target.config.connect_timeout = Some(Duration::from_secs(3));
        target.config.read_timeout = Some(Duration::from_secs(5));
    }
    let client = match target.client() {
        Ok(c) => c,
        Err(e) => return Ok(Err(format!("unavailable ({e})"))),
    };
    match client.apiserver_version().await {
        Ok(info) => Ok(Ok(info.git_version)),
        Err(e) => match crate::kube::unreachable(&e) {
            Some(u) => Err(u.clone().into()),
            None => Ok(Err(format!("unreachable ({e})"))),
        },
    }
}

fn spark_versions() -> String {
    let (old_major, old_minor) = SparkVersion::OLDEST;
    let (new_major, new_minor) = SparkVersion::NEWEST;
    format!(
        "{old_major}.{old_minor} to {new_major}.{new_minor} (default target {})",
        SparkVersion::DEFAULT
    )
}

/// The text form: one `label: value` line each.
pub fn text(v: &Versions) -> String {
    let mut out = format!("kubectl-spark: {}\n", v.client);
    if let Some(server) = &v.server {
        let s = match server {
            Ok(s) | Err(s) => s,
        };
        out.push_str(&format!("server: {s}\n"));
    }
    out.push_str(&format!("spark versions: {}\n", spark_versions()));
    out
}

/// The JSON/YAML form, shaped like `kubectl version -o json`: `clientVersion`, then
/// `serverVersion` (absent with `--client`; `serverError` when it could not be read), then the
/// Spark versions.
pub fn to_value(v: &Versions) -> Value {
    let (old_major, old_minor) = SparkVersion::OLDEST;
    let (new_major, new_minor) = SparkVersion::NEWEST;
    let mut out = json!({"clientVersion": {"gitVersion": format!("v{}", v.client)}});
    match &v.server {
        Some(Ok(s)) => out["serverVersion"] = json!({"gitVersion": s}),
        Some(Err(e)) => out["serverError"] = json!(e),
        None => {}
    }
    out["sparkVersions"] = json!({
        "oldest": format!("{old_major}.{old_minor}"),
        "newest": format!("{new_major}.{new_minor}"),
        "defaultTarget": SparkVersion::DEFAULT.to_string(),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_only_has_no_server() {
        let v = Versions {
            client: "1.2.3".into(),
            server: None,
        };
        assert!(!text(&v).contains("server:"));
        let value = to_value(&v);
        assert_eq!(value["clientVersion"]["gitVersion"], "v1.2.3");
        assert!(value.get("serverVersion").is_none());
        let v = Versions {
            client: "1.2.3".into(),
            server: Some(Ok("v1.33.1".into())),
        };
        assert!(text(&v).contains("server: v1.33.1\n"));
        assert_eq!(to_value(&v)["serverVersion"]["gitVersion"], "v1.33.1");
    }
}
