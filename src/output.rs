//! Formatting for people (stderr: progress, warnings) and machines (stdout: json, yaml).
