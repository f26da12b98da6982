//! Reading a manifest source, the one piece of I/O of this front door: `-f -` (stdin), a
//! `http(s)://` URL, or a file. Used by `submit -f` and `convert -f`.

use std::io::Read;

use crate::conf::SparkConf;
use crate::error::{Error, Result};
use crate::store::{self, settings::StoreEnv};

/// Reads a manifest: `-` is stdin, `http(s)://…` is downloaded, anything else is a file.
pub async fn read_source(source: &str) -> Result<String> {
    let bytes = if source == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Error::io("reading the manifest from stdin", e))?;
        buf
    } else if source.starts_with("http://") || source.starts_with("https://") {
        store::fetch(source, &SparkConf::new(), &StoreEnv::capture(), "-f").await?
    } else {
        std::fs::read(source).map_err(|e| {
            Error::usage(
                format!("-f {source}: cannot read the manifest: {e}"),
                "pass the path of a SparkApplication YAML file, a http(s) URL, or - for stdin",
            )
        })?
    };
    String::from_utf8(bytes).map_err(|_| {
        Error::usage(
            format!("-f {source}: not UTF-8 text"),
            "pass a YAML SparkApplication manifest",
        )
    })
}
