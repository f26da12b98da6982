//! TODO(step): see the spec; not built yet.

use crate::error::Result;
use crate::submit::plan::{DriverSpec, Plan};

/// Applies this step to the driver spec.
pub fn apply(_plan: &Plan, _spec: &mut DriverSpec) -> Result<()> {
    Ok(())
}
