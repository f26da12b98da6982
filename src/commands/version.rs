//! `kubectl spark version`: plugin version, server version, supported Spark versions.

use std::time::Duration;

use crate::cli::KubeFlags;
use crate::conf::SparkVersion;
use crate::error::Result;
use crate::output;

/// Prints the versions on stdout; the server version is best effort (a short timeout).
pub async fn run(flags: &KubeFlags) -> Result<u8> {
    let (old_major, old_minor) = SparkVersion::OLDEST;
    let (new_major, new_minor) = SparkVersion::NEWEST;
    let server = match crate::kube::resolve(flags).await {
        Ok(mut target) => {
            if flags.request_timeout.is_none() {
                target.config.connect_timeout = Some(Duration::from_secs(3));
                target.config.read_timeout = Some(Duration::from_secs(5));
            }
            match target.client() {
                Ok(client) => match client.apiserver_version().await {
                    Ok(info) => info.git_version,
                    Err(e) => format!("unreachable ({e})"),
                },
                Err(e) => format!("unavailable ({e})"),
            }
        }
        Err(e) => format!("unavailable ({e})"),
    };
    output::print_data(&format!(
        "kubectl-spark: {}\nserver: {server}\nspark versions: {old_major}.{old_minor} to {new_major}.{new_minor} (default target {})\n",
        env!("CARGO_PKG_VERSION"),
        SparkVersion::DEFAULT,
    ))?;
    Ok(0)
}
