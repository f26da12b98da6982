//! spark-submit's command line mapped onto a [`crate::conf::SparkConf`] (§2.1 of the spec).
