# Prints every configuration key a Spark version registers (ConfigEntry.knownConfigs, with
# alternative names), for src/conf/spark_keys.txt. Run with the oracle's spark-submit:
#   $(tests/oracle/install.sh)/4.0.5/bin/spark-submit --master "local[1]" tests/oracle/spark_keys.py
from pyspark.sql import SparkSession
spark = SparkSession.builder.master("local[1]").getOrCreate()
jvm = spark.sparkContext._jvm
objects = """org.apache.spark.internal.config.package$
org.apache.spark.internal.config.Python$
org.apache.spark.internal.config.UI$
org.apache.spark.internal.config.History$
org.apache.spark.internal.config.Network$
org.apache.spark.internal.config.Status$
org.apache.spark.internal.config.Streaming$
org.apache.spark.internal.config.Kryo$
org.apache.spark.internal.config.Deploy$
org.apache.spark.internal.config.Worker$
org.apache.spark.internal.config.R$
org.apache.spark.internal.config.Tests$
org.apache.spark.sql.internal.SQLConf$
org.apache.spark.sql.internal.StaticSQLConf$
org.apache.spark.sql.connect.config.Connect$
org.apache.spark.deploy.k8s.Config$
org.apache.spark.sql.hive.HiveUtils$
org.apache.spark.internal.config.History$
org.apache.spark.streaming.StreamingConf$
org.apache.spark.sql.execution.streaming.state.RocksDBConf$
org.apache.spark.sql.avro.AvroOptions$
org.apache.spark.deploy.yarn.config.package$""".split()
for o in objects:
    try:
        jvm.java.lang.Class.forName(o)
    except Exception:
        print("# not in this version:", o)
cls = jvm.java.lang.Class.forName("org.apache.spark.internal.config.ConfigEntry$")
module = cls.getField("MODULE$").get(None)
known = module.knownConfigs()
keys = set()
for e in list(known.values()):
    keys.add(e.key())
    alts = e.alternatives()
    for i in range(alts.size()):
        keys.add(alts.apply(i))
for k in sorted(keys):
    print(k)
spark.stop()
