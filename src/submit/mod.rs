//! `kubectl spark submit`: resolve the inputs into a [`plan::Plan`], build the objects with the
//! pure feature [`steps`], then [`apply`] them and [`wait`] for the driver.

pub mod apply;
pub mod plan;
pub mod resolve;
pub mod steps;
pub mod upload;
pub mod wait;
