//! Creating a submission's objects on the API server, in Spark's order, with rollback.
