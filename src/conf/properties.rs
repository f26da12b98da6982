//! Java `.properties` files: reading `--properties-file`, writing `spark.properties`.
