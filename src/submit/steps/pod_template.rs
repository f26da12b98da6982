//! Loading the driver pod template and choosing its Spark container (§6 of the spec).
