// Prints the order in which Spark's own Kubernetes feature steps emit user volumes, mounted
// secrets and secretKeyRef env vars, for the conformance tests of kubectl-spark's emulation of
// Scala's hash-map/hash-set iteration order (src/submit/steps/scala_order.rs).
//
// Source only: tests/scala_order_probe.rs compiles it with javac against <spark-home>/jars/*
// of each oracle version into the cache directory and runs it with java -cp. It uses no
// Scala-version-specific source (only `var` for the Scala collection types), so the same file
// compiles against Spark 3.5 (Scala 2.12) and Spark 4.0 (Scala 2.13).
//
// Input (stdin): cases separated by a line `---`; the first line of a case is its kind
// (`volumes`, `secrets` or `env`), the other lines are `key=value` Spark properties.
// Output (stdout): one line per case:
//   volumes: `<pod volume>[=<claim name>],...|<mount name>,...`
//   secrets: `<pod volume>,...|<mount name>,...`
//   env:     `<env name>,...`
// or `error: <message>` when Spark rejects the configuration.

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.k8s.KubernetesConf;
import org.apache.spark.deploy.k8s.SparkPod;
import org.apache.spark.deploy.k8s.features.EnvSecretsFeatureStep;
import org.apache.spark.deploy.k8s.features.MountSecretsFeatureStep;
import org.apache.spark.deploy.k8s.features.MountVolumesFeatureStep;
import org.apache.spark.deploy.k8s.submit.JavaMainAppResource;

public final class OrderProbe {
    public static void main(String[] args) throws Exception {
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("---")) {
                runCase(lines);
                lines.clear();
            } else if (!line.isEmpty()) {
                lines.add(line);
            }
        }
        if (!lines.isEmpty()) {
            runCase(lines);
        }
        System.out.flush();
    }

    private static void runCase(List<String> lines) {
        try {
            System.out.println(probe(lines));
        } catch (Exception e) {
            System.out.println("error: " + String.valueOf(e.getMessage()).replace('\n', ' '));
        }
    }

    private static String probe(List<String> lines) {
        String kind = lines.get(0);
        SparkConf conf = new SparkConf(false);
        conf.set("spark.app.name", "probe");
        conf.set("spark.kubernetes.namespace", "default");
        for (String kv : lines.subList(1, lines.size())) {
            int eq = kv.indexOf('=');
            conf.set(kv.substring(0, eq), kv.substring(eq + 1));
        }
        var kconf = KubernetesConf.createDriverConf(
                conf,
                "spark-probe",
                new JavaMainAppResource(scala.Option.apply((String) null)),
                "Probe",
                new String[0],
                scala.Option.apply((String) null));
        SparkPod pod = SparkPod.initialPod();
        switch (kind) {
            case "volumes": {
                SparkPod out = new MountVolumesFeatureStep(kconf).configurePod(pod);
                List<String> vols = new ArrayList<>();
                for (Volume v : out.pod().getSpec().getVolumes()) {
                    String claim = v.getPersistentVolumeClaim() == null
                            ? ""
                            : "=" + v.getPersistentVolumeClaim().getClaimName();
                    vols.add(v.getName() + claim);
                }
                return String.join(",", vols) + "|" + mounts(out);
            }
            case "secrets": {
                SparkPod out = new MountSecretsFeatureStep(kconf).configurePod(pod);
                List<String> vols = new ArrayList<>();
                for (Volume v : out.pod().getSpec().getVolumes()) {
                    vols.add(v.getName());
                }
                return String.join(",", vols) + "|" + mounts(out);
            }
            case "env": {
                SparkPod out = new EnvSecretsFeatureStep(kconf).configurePod(pod);
                List<String> names = new ArrayList<>();
                for (EnvVar e : out.container().getEnv()) {
                    names.add(e.getName());
                }
                return String.join(",", names);
            }
            default:
                throw new IllegalArgumentException("unknown kind " + kind);
        }
    }

    private static String mounts(SparkPod out) {
        List<String> names = new ArrayList<>();
        for (VolumeMount m : out.container().getVolumeMounts()) {
            names.add(m.getName());
        }
        return String.join(",", names);
    }
}
