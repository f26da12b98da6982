//! kubectl-spark: runs Apache Spark applications on Kubernetes the way
//! `spark-submit --master k8s://… --deploy-mode cluster` does, without a JVM.
//!
//! Data flows one way: [`cli`] (flags) → resolve ([`kube`], [`conf`]) → plan
//! ([`submit::plan`], pure) → apply ([`submit::apply`], I/O) → report ([`output`]).

pub mod app;
pub mod cli;
pub mod commands;
pub mod conf;
pub mod connect;
pub mod defaults;
pub mod error;
pub mod forward;
pub mod history;
pub mod jsonpath;
pub mod kube;
pub mod manifest;
pub mod operate;
pub mod output;
pub mod preflight;
pub mod spark;
pub mod store;
pub mod submit;

pub use error::{Error, Result};
