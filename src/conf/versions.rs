//! Behaviour that changed inside a release line: the table of every patch-level difference
//! this submitter knows, and [`has`] to ask whether a full target version (`3.5.4`, not just
//! `3.5`) has one. Differences between minor lines (4.1 adds the Connect port, 4.2 the
//! NetworkPolicy…) are plain `at_least(major, minor)` checks next to the step they change;
//! only what a maintenance release changed lives here, so that choosing by the full version is
//! one look-up and the table can be read as the list of such changes.

use super::SparkVersion;

/// A behaviour that some release brought to one or more release lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// `spark.kubernetes.configMap.maxSize` defaults to 1048576 and larger values are refused
    /// (before: default 1572864, no cap).
    ConfigMapMaxSizeCapped,
    /// With `--proxy-user`, the driver's `SPARK_USER` is always the proxy user. Before, it was
    /// `Utils.getCurrentUserName()` run inside the proxy user's `doAs`: the submitter's own
    /// `SPARK_USER` variable when exported, else the proxy user.
    SparkUserIsProxyUser,
}

/// One row of [`PATCH_CHANGES`].
#[derive(Debug)]
pub struct PatchChange {
    /// The behaviour.
    pub change: Change,
    /// The first release of each line that has it, oldest line first. Every line newer than
    /// the last one listed has it from its first release.
    pub first: &'static [(u32, u32, u32)],
    /// Where it comes from (JIRA, and how it was checked).
    pub source: &'static str,
}

/// Every patch-level difference known, with the releases that brought it.
pub const PATCH_CHANGES: &[PatchChange] = &[
    PatchChange {
        change: Change::ConfigMapMaxSizeCapped,
        first: &[(3, 5, 5), (4, 0, 0)],
        source: "spec §9 (3.5.5+ and 4.x, read from the released jars)",
    },
    PatchChange {
        change: Change::SparkUserIsProxyUser,
        first: &[(4, 3, 0)],
        source: "SPARK-58926 (apache/spark#58190), merged for 4.3.0 RC2 and not backported: \
                 3.5.9 and 4.0.5 still call Utils.getCurrentUserName() in BasicDriverFeatureStep \
                 (checked in their spark-kubernetes jars)",
    },
];

/// Whether `version` has `change`: it is a release of a listed line at or after that line's
/// first release, or of a line newer than every listed one.
pub fn has(version: &SparkVersion, change: Change) -> bool {
    let Some(row) = PATCH_CHANGES.iter().find(|r| r.change == change) else {
        return false;
    };
    let line = (version.major, version.minor);
    if let Some((_, _, patch)) = row.first.iter().find(|(ma, mi, _)| (*ma, *mi) == line) {
        return version.patch >= *patch;
    }
    row.first
        .last()
        .is_some_and(|(ma, mi, _)| line > (*ma, *mi))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> SparkVersion {
        SparkVersion::parse(text).unwrap()
    }

    #[test]
    fn chosen_by_the_full_version() {
        let cap = Change::ConfigMapMaxSizeCapped;
        assert!(!has(&v("3.5.0"), cap));
        assert!(!has(&v("3.5.4"), cap));
        assert!(has(&v("3.5.5"), cap));
        assert!(has(&v("3.5.9"), cap));
        assert!(has(&v("4.0.0"), cap));
        assert!(has(&v("4.3.0"), cap));
        let user = Change::SparkUserIsProxyUser;
        for old in ["3.5.7", "3.5.9", "4.0.1", "4.0.5", "4.1.2", "4.2.1"] {
            assert!(!has(&v(old), user), "{old}");
        }
        assert!(has(&v("4.3.0"), user));
        assert!(has(&v("4.3.1"), user));
    }

    #[test]
    fn every_row_lists_lines_oldest_first() {
        for row in PATCH_CHANGES {
            assert!(!row.first.is_empty(), "{:?}", row.change);
            assert!(
                row.first
                    .windows(2)
                    .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1)),
                "{:?}",
                row.change
            );
        }
    }
}
