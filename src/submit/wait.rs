//! Watching the driver pod until the application ends.
