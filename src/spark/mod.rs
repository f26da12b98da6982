//! Spark's own view of an application, read from its REST API (`/api/v1/applications/…`):
//! [`rest`] is the one client (the source, a live driver or a History Server, is a parameter),
//! [`model`] the typed answers and the pure [`model::SparkSnapshot`] built from them.

pub mod live;
pub mod model;
pub mod progress;
pub mod rest;
pub mod section;
