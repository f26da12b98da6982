//! The error type every command returns, with the hint a user needs and the exit code.

use std::fmt;

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, in a form that can be shown to a person on one screen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input from the user: a flag, a `--conf` key, a file. Nothing was created.
    #[error("{message}")]
    Usage {
        /// What is wrong, naming the flag or key.
        message: String,
        /// How to fix it.
        hint: Option<String>,
    },
    /// A command or feature that exists in the CLI but is not built yet.
    #[error("`kubectl spark {0}` is not implemented yet")]
    NotImplemented(&'static str),
    /// The Kubernetes API refused or failed a request.
    #[error("{message}")]
    Api {
        /// What was being done and what the server said.
        message: String,
        /// How to fix it (e.g. which permission is missing).
        hint: Option<String>,
        /// HTTP status code when known.
        code: Option<u16>,
    },
    /// Reading the kubeconfig or building the client failed.
    #[error("{message}")]
    Config {
        /// What was wrong with the configuration.
        message: String,
        /// How to fix it.
        hint: Option<String>,
    },
    /// The Spark application ended unsuccessfully (driver failed or was deleted).
    #[error("{0}")]
    AppFailed(String),
    /// `submit --timeout` ended the wait; the application keeps running.
    #[error("{0}")]
    TimedOut(String),
    /// Local I/O failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An object store (upload path, remote pod template) refused or failed a request.
    #[error("{message}")]
    Storage {
        /// What was being done and why it failed (secrets redacted).
        message: String,
        /// How to fix it.
        hint: Option<String>,
    },
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// A usage error naming what is wrong and how to fix it.
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    /// A usage error without a separate hint.
    pub fn usage_plain(message: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: None,
        }
    }

    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// The hint to print below the message, if any.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Usage { hint, .. }
            | Error::Api { hint, .. }
            | Error::Config { hint, .. }
            | Error::Storage { hint, .. } => hint.as_deref(),
            _ => None,
        }
    }

    /// Adds a sentence to an error's message, keeping its kind and hint.
    pub fn with_note(self, note: &str) -> Error {
        match self {
            Error::Usage { message, hint } => Error::Usage {
                message: format!("{message}\n  {note}"),
                hint,
            },
            Error::Api {
                message,
                hint,
                code,
            } => Error::Api {
                message: format!("{message}\n  {note}"),
                hint,
                code,
            },
            Error::Config { message, hint } => Error::Config {
                message: format!("{message}\n  {note}"),
                hint,
            },
            Error::Storage { message, hint } => Error::Storage {
                message: format!("{message}\n  {note}"),
                hint,
            },
            Error::Io { context, source } => Error::Io {
                context: format!("{context} {note}"),
                source,
            },
            other => Error::Other(format!("{other}\n  {note}")),
        }
    }

    /// Process exit code: 2 for bad input, 3 for a failed application, 4 when `--timeout`
    /// ended a wait, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage { .. } | Error::Config { .. } | Error::NotImplemented(_) => 2,
            Error::AppFailed(_) => 3,
            Error::TimedOut(_) => 4,
            _ => 1,
        }
    }
}

/// Renders an error for stderr: `error: …` then `  hint: …`.
pub struct Report<'a>(pub &'a Error);

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.0)?;
        if let Some(hint) = self.0.hint() {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_keep_the_error_kind_and_hint() {
        let e = Error::Storage {
            message: "m".into(),
            hint: Some("h".into()),
        }
        .with_note("n");
        assert!(
            matches!(&e, Error::Storage { message, hint: Some(h) } if message == "m\n  n" && h == "h")
        );
        assert_eq!(Error::usage("u", "h").with_note("n").exit_code(), 2);
    }
}
