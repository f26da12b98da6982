//! `kubectl spark submit`: resolve the arguments ([`args`], low level) into a prepared
//! submission in one call ([`prepare`]: a [`plan::Plan`] built from the conf layers, the
//! files [`resolve`] reads, the client of [`target`], and the objects of the pure feature
//! [`steps`]; `-f` manifests come in through [`manifests`]), then [`apply`] them and [`wait`]
//! for the driver.

pub mod apply;
pub mod args;
pub mod bundled;
pub mod manifests;
pub mod outcome;
pub mod plan;
pub mod prepare;
pub mod resolve;
pub mod retry;
pub mod steps;
pub mod target;
pub mod upload;
pub mod wait;
