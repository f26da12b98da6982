//! The table of configuration keys the submitter knows (for "did you mean" warnings).
