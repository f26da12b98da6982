//! Spark's own view of an application, read from its REST API (`/api/v1/applications/…`):
//! [`rest`] is the one client (the source, a live driver or a History Server, is a parameter),
//! [`model`] the typed answers and the pure [`model::SparkSnapshot`] built from them; and what
//! its driver's log and exit code say about why it failed ([`cause`], [`exit_codes`],
//! [`failure`]).

pub mod cause;
pub mod exit_codes;
pub mod failure;
pub mod live;
pub mod model;
pub mod progress;
pub mod rest;
pub mod section;
