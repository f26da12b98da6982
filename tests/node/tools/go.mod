module kubectl-spark.local/nodetools

go 1.24
