#!/usr/bin/env python3
"""Measurements for tests/bench/run.sh (see there). Python 3 standard library only.

Every measured command is one child process: wall time from fork to exit, CPU time from wait4()
(the child and every descendant it waited for: spark-submit's launcher JVM and its submit JVM
count), peak RSS from GNU time's %M when /usr/bin/time exists (same rule). Not from wait4's
ru_maxrss: Linux carries the forking process's resident size over exec, so a child of this
harness would never measure below the harness's own memory (20-55 MiB here), which hid the
plugin's real figure.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

SPARK_PI = "org.apache.spark.examples.SparkPi"
EXAMPLES_JAR = "local:///opt/spark/examples/jars/spark-examples.jar"
ROWS = []  # (section, label, runs, wall[], cpu[], rss_kib[], ratio_text)


def say(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def load_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                env[k] = v.strip("'\"")
    return env


class Ctx:
    pass


GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


class Peak:
    """cmd run under GNU time, which forks it from its own small image and writes its peak RSS."""

    def __init__(self, cmd):
        self.path = None
        self.cmd = cmd
        if GNU_TIME:
            fd, self.path = tempfile.mkstemp(prefix="kspark-bench-rss-")
            os.close(fd)
            self.cmd = [GNU_TIME, "-q", "-f", "%M", "-o", self.path, *cmd]

    def kib(self, fallback):
        """The peak RSS in KiB (wait4's figure, `fallback`, without GNU time)."""
        if not self.path:
            return fallback
        try:
            with open(self.path) as f:
                words = f.read().split()
            return int(words[-1])
        except (OSError, ValueError, IndexError):
            return fallback
        finally:
            os.unlink(self.path)


def measure(cmd, env, stdout=subprocess.DEVNULL, timeout=300):
    """Runs cmd once: (wall s, user+sys s, peak RSS KiB, exit code, stdout+stderr text)."""
    peak = Peak(cmd)
    t0 = time.perf_counter()
    # A session of its own: signals reach the command itself, not only GNU time (which ignores
    # SIGINT while it waits).
    p = subprocess.Popen(peak.cmd, env=env, stdin=subprocess.DEVNULL, stdout=stdout,
                         stderr=subprocess.PIPE, start_new_session=True)
    # Drain pipes in threads so a chatty child never blocks; wait4 gives this child's rusage.
    bufs = {}
    readers = [threading.Thread(target=lambda k=k, f=f: bufs.__setitem__(k, f.read()))
               for k, f in (("out", p.stdout), ("err", p.stderr)) if f is not None]
    for t in readers:
        t.start()
    killer = threading.Timer(timeout, lambda: os.killpg(p.pid, signal.SIGKILL))
    killer.start()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    killer.cancel()
    for t in readers:
        t.join()
    p.returncode = os.waitstatus_to_exitcode(status)
    out = (bufs.get("out", b"") + bufs.get("err", b"")).decode(errors="replace")
    return wall, ru.ru_utime + ru.ru_stime, peak.kib(ru.ru_maxrss), p.returncode, out


def series(cmd_fn, env, n, setup=None, check=None, stdout_fn=None):
    """n measured runs; setup(i) before each (not timed). Returns (walls, cpus, rsss, last output)."""
    walls, cpus, rsss, out = [], [], [], ""
    for i in range(n):
        if setup:
            setup(i)
        stdout = stdout_fn(i) if stdout_fn else subprocess.DEVNULL
        wall, cpu, rss, rc, out = measure(cmd_fn(i), env, stdout=stdout)
        if hasattr(stdout, "close"):
            stdout.close()
        if rc != 0:
            raise SystemExit(f"[bench] FAILED: {' '.join(cmd_fn(i))} exited {rc}:\n{out[-3000:]}")
        if check:
            check(i, out)
        walls.append(wall)
        cpus.append(cpu)
        rsss.append(rss)
    return walls, cpus, rsss, out


def med(xs):
    return statistics.median(xs)


def record(section, label, res, baseline=None):
    walls, cpus, rsss = res[:3]
    ratio = ""
    if baseline is not None:
        bw, bc, br = med(baseline[0]), med(baseline[1]), med(baseline[2])
        ratio = (f"{bw / med(walls):.1f}x faster, {bc / max(med(cpus), 1e-6):.1f}x less CPU, "
                 f"{med(rsss) / br:.3f} of the memory")
    ROWS.append((section, label, len(walls), walls, cpus, rsss, ratio))
    say(f"{section} | {label}: wall {fmt_t(med(walls))} cpu {fmt_t(med(cpus))} rss {med(rsss) / 1024:.1f} MiB {ratio}")


def fmt_t(s):
    return f"{s * 1000:.0f} ms" if s < 10 else f"{s:.1f} s"


def fmt_range(xs, f):
    return f"{f(med(xs))} [{f(min(xs))}–{f(max(xs))}]"


def print_table(extra):
    hdr = ("benchmark", "command", "runs", "wall median [min–max]", "CPU user+sys median",
           "peak RSS median", "ratio (same run)")
    lines = [hdr]
    for section, label, runs, walls, cpus, rsss, ratio in ROWS:
        lines.append((section, label, str(runs), fmt_range(walls, fmt_t), fmt_t(med(cpus)),
                      f"{med(rsss) / 1024:.1f} MiB", ratio))
    out = ["| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
    out += ["| " + " | ".join(r) + " |" for r in lines[1:]]
    print("\n".join(out))
    print()
    for line in extra:
        print(line)


# --- cluster helpers -----------------------------------------------------------------------------

def kubectl(ctx, *args, stdin=None, check=True):
    p = subprocess.run([ctx.kubectl, "--kubeconfig", ctx.kubeconfig, *args], input=stdin,
                       capture_output=True, text=True, env=ctx.env)
    if check and p.returncode != 0:
        raise SystemExit(f"[bench] FAILED: kubectl {' '.join(args)}: {p.stderr}")
    return p.stdout


def driver_pods_list(names, app_prefix):
    items = []
    for i, name in enumerate(names):
        items.append({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": {
                "spark-role": "driver", "spark-app-name": f"{app_prefix}-{i}",
                "spark-app-selector": f"spark-{app_prefix}{i:028x}"[:38],
                "spark-version": "4.0.5"}},
            "spec": {"restartPolicy": "Never", "containers": [{
                "name": "spark-kubernetes-driver", "image": "apache/spark:4.0.5",
                "ports": [{"name": "spark-ui", "containerPort": 4040, "protocol": "TCP"}]}]},
        })
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": items})


def create_drivers(ctx, ns, names, app_prefix, wait_running=False):
    for start in range(0, len(names), 250):
        kubectl(ctx, "create", "-n", ns, "-f", "-",
                stdin=driver_pods_list(names[start:start + 250], app_prefix))
    if wait_running:
        deadline = time.time() + 300
        while time.time() < deadline:
            out = kubectl(ctx, "get", "pods", "-n", ns, "--field-selector=status.phase=Running",
                          "-o", "name")
            if len(out.split()) >= len(names):
                return
            time.sleep(1)
        raise SystemExit(f"[bench] FAILED: {len(names)} pods in {ns} not Running after 300 s")


def wait_port(port, proc, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"[bench] FAILED: forwarder exited {proc.returncode}: {proc.stderr.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"[bench] FAILED: port {port} not listening after {timeout} s")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path):
    """One GET on a new connection; the body is read by Content-Length (kwok limit)."""
    t0 = time.perf_counter()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    if r.status != 200:
        raise RuntimeError(f"GET {path}: {r.status}")
    return time.perf_counter() - t0, len(body)


def http_load(port, seq, conc, per_thread, big_path, big_runs):
    """Sequential latencies, concurrent throughput, large-download throughput."""
    for _ in range(3):
        get(port, "/index.html")  # warm up (first stream may set up the tunnel)
    lat = [get(port, "/index.html")[0] for _ in range(seq)]
    errors = []
    clat = []
    lock = threading.Lock()

    def worker():
        mine = []
        try:
            for _ in range(per_thread):
                mine.append(get(port, "/index.html")[0])
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))
        with lock:
            clat.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(conc)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    conc_wall = time.perf_counter() - t0
    big = []
    for _ in range(big_runs):
        dt, n = get(port, big_path)
        big.append(n / dt / 2**20)
    lat.sort()
    clat.sort()
    return {
        "seq_p50": lat[len(lat) // 2], "seq_p95": lat[int(len(lat) * 0.95)],
        "conc_rps": len(clat) / conc_wall, "conc_p50": clat[len(clat) // 2] if clat else 0,
        "conc_p95": clat[int(len(clat) * 0.95)] if clat else 0, "errors": len(errors),
        "big_mibps": med(big) if big else 0,
    }


def forwarder_run(cmd, env, port, load):
    """Starts a forwarder, runs the HTTP load through it, stops it with SIGINT; its rusage too."""
    peak = Peak(cmd)
    t0 = time.perf_counter()
    p = subprocess.Popen(peak.cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, start_new_session=True)
    wait_port(port, p)
    ready = time.perf_counter() - t0
    try:
        res = load(port)
    finally:
        os.killpg(p.pid, signal.SIGINT)
        try:
            _, _, ru = os.wait4(p.pid, 0)
        except ChildProcessError:
            ru = None
    res["ready"] = ready
    res["cpu"] = ru.ru_utime + ru.ru_stime if ru else 0
    res["rss"] = peak.kib(ru.ru_maxrss if ru else 0)
    return res


# --- the benchmarks ------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--env", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--spark-submit", required=True)
    ap.add_argument("--spark-version", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    e = load_env(a.env)
    ctx = Ctx()
    ctx.kubectl = e["KSPARK_KUBECTL"]
    ctx.kubeconfig = e["KSPARK_ADMIN_KUBECONFIG"]
    api = e["KSPARK_API_URL"]
    conf_dir = tempfile.mkdtemp(dir=a.work, prefix="spark-conf-")
    # Both tools get the same environment: the admin kubeconfig, an empty SPARK_CONF_DIR, no
    # other SPARK_*/HADOOP_* variables (as tests/conformance.rs does).
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SPARK_", "PYSPARK_", "HADOOP_", "KUBERNETES_")) and k != "KUBECONFIG"}
    env["KUBECONFIG"] = ctx.kubeconfig
    env["SPARK_CONF_DIR"] = conf_dir
    env["NO_COLOR"] = "1"
    ctx.env = env
    # A modest, quick-starting JVM (as the conformance suite runs it): the fairest baseline.
    senv = dict(env, SPARK_SUBMIT_OPTS="-Xmx384m -Xss1m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
    n_plugin, n_spark = (3, 2) if a.quick else (10, 5)
    plugin, spark_submit, version = a.bin, a.spark_submit, a.spark_version
    master = f"k8s://{api}"
    extra = []

    for ns in ("bench-submit", "bench-10", "bench-100", "bench-1000", "bench-kill"):
        kubectl(ctx, "create", "namespace", ns)
    # The driver's service account, as the README asks users to create it.
    kubectl(ctx, "create", "serviceaccount", "spark", "-n", "bench-submit")
    kubectl(ctx, "create", "rolebinding", "spark-edit", "-n", "bench-submit", "--clusterrole=edit",
            "--serviceaccount=bench-submit:spark")
    # What the rich submission refers to (the preflight checks they exist).
    for secret in ("app-secret", "tls-certs", "db-credentials"):
        kubectl(ctx, "create", "secret", "generic", secret, "-n", "bench-submit",
                "--from-literal=password=x")
    kubectl(ctx, "apply", "-n", "bench-submit", "-f", "-", stdin=json.dumps({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "my-claim"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}))
    submit_help = subprocess.run([plugin, "submit", "--help"], capture_output=True, text=True).stdout

    # 1. start-up and size
    nokube = dict(env, KUBECONFIG=os.path.join(a.work, "no-such-kubeconfig"))
    record("start-up", "kubectl spark --help", series(lambda i: [plugin, "--help"], env, 20))
    record("start-up", "kubectl spark version (no server)",
           series(lambda i: [plugin, "version"], nokube, 20))
    base = series(lambda i: [spark_submit, "--version"], senv, n_spark)
    record("start-up", "spark-submit --version", base)
    record("start-up", "kubectl version --client (reference)",
           series(lambda i: [ctx.kubectl, "version", "--client"], env, n_plugin))
    size = os.path.getsize(plugin)
    extra.append(f"Release binary: {size / 2**20:.1f} MiB ({size} bytes), {plugin}")

    # 2. submit
    common = ["--master", master, "--deploy-mode", "cluster", "--class", SPARK_PI,
              "--conf", "spark.kubernetes.namespace=bench-submit",
              "--conf", f"spark.kubernetes.container.image=apache/spark:{version}",
              "--conf", "spark.kubernetes.authenticate.driver.serviceAccountName=spark",
              "--conf", "spark.kubernetes.submission.waitAppCompletion=false"]
    template = os.path.join(a.repo, "tests/fixtures/conformance/driver-template.yaml")
    d = "spark.kubernetes.driver.volumes"
    rich_conf = {
        "spark.kubernetes.driver.secrets.app-secret": "/etc/secrets/app",
        "spark.kubernetes.executor.secrets.tls-certs": "/etc/tls",
        "spark.kubernetes.driver.secretKeyRef.DB_PASSWORD": "db-credentials:password",
        "spark.kubernetes.executor.secretKeyRef.DB_PASSWORD": "db-credentials:password",
        "spark.kubernetes.driverEnv.FOO": "bar",
        f"{d}.hostPath.host-data.mount.path": "/host-data",
        f"{d}.hostPath.host-data.options.path": "/mnt/data",
        f"{d}.emptyDir.scratch.mount.path": "/scratch",
        f"{d}.emptyDir.scratch.options.sizeLimit": "1Gi",
        f"{d}.persistentVolumeClaim.existing.mount.path": "/data",
        f"{d}.persistentVolumeClaim.existing.options.claimName": "my-claim",
        "spark.kubernetes.driver.podTemplateFile": template,
    }
    rich = [x for k, v in rich_conf.items() for x in ("--conf", f"{k}={v}")]
    first_pod = {}
    bases = {}

    def grab_pod(i, out):
        for line in out.splitlines():
            if line.strip().startswith("bench-submit:"):
                first_pod.setdefault("id", line.strip())

    for label, extra_args in (("SparkPi", []), ("secrets+volumes+template", rich)):
        def sargs(tool, i, extra_args=extra_args, label=label):
            name = f"{'ks' if tool == 'plugin' else 'ss'}-{'pi' if label == 'SparkPi' else 'rich'}-{i}"
            return ["--name", name, *common, *extra_args, EXAMPLES_JAR, "100"]
        base = series(lambda i: [spark_submit, *sargs("spark", i)], senv, n_spark)
        record(f"submit {label}", "spark-submit (waitAppCompletion=false)", base)
        bases[label] = (base, sargs)
        res = series(lambda i: [plugin, "submit", "--no-wait", *sargs("plugin", i)], env, n_plugin,
                     stdout_fn=lambda i: subprocess.PIPE,
                     check=grab_pod if label == "SparkPi" else None)
        record(f"submit {label}", "kubectl spark submit --no-wait", res, base)
        if "--skip-preflight" in submit_help:
            record(f"submit {label}", "kubectl spark submit --no-wait --skip-preflight",
                   series(lambda i: [plugin, "submit", "--no-wait", "--skip-preflight",
                                     *sargs("plugin", i + 100)], env, n_plugin), base)
    sub_id = first_pod.get("id")
    if not sub_id:
        raise SystemExit("[bench] FAILED: no submission id printed by kubectl spark submit")
    sub_ns, sub_pod = sub_id.split(":", 1)

    # 3. status of one app
    base = series(lambda i: [spark_submit, "--master", master, "--status", sub_id], senv, n_spark)
    record("status of 1 app", "spark-submit --status ns:pod", base)
    record("status of 1 app", "kubectl spark status ns:pod",
           series(lambda i: [plugin, "status", sub_id], env, n_plugin), base)
    record("status of 1 app", "kubectl spark status -o spark ns:pod",
           series(lambda i: [plugin, "status", "-o", "spark", sub_id], env, n_plugin), base)

    # 4. status / list with 10, 100, 1,000 driver pods
    for n in (10, 100, 1000):
        ns = f"bench-{n}"
        say(f"creating {n} driver pods in {ns}")
        create_drivers(ctx, ns, [f"app-{i:04d}-driver" for i in range(n)], f"app{n}", wait_running=True)

        def count_lines(expect):
            def check(i, out):
                got = sum(1 for line in out.splitlines() if line.startswith(f"{ns}:"))
                if got != expect:
                    raise SystemExit(f"[bench] FAILED: expected {expect} ids, got {got}")
            return check
        record(f"{n} apps", "kubectl spark status '*' (table)",
               series(lambda i: [plugin, "status", "-n", ns, "*"], env, n_plugin))
        record(f"{n} apps", "kubectl spark status -o name '*'",
               series(lambda i: [plugin, "status", "-n", ns, "-o", "name", "*"], env, n_plugin,
                      stdout_fn=lambda i: subprocess.PIPE, check=count_lines(n)))
        if n == 100:
            # Spark's REST API of each running driver through the API server's pod proxy,
            # concurrently (16 at once, 1 s budget each). kwok's pods serve no UI: the proxy
            # fails fast, so this measures the fan-out, not Spark's answers.
            record(f"{n} apps", "kubectl spark status -o wide '*' (+ REST API of 100 drivers)",
                   series(lambda i: [plugin, "status", "-n", ns, "-o", "wide", "*"], env, n_plugin))
        record(f"{n} apps", "kubectl spark list",
               series(lambda i: [plugin, "list", "-n", ns], env, n_plugin))
        record(f"{n} apps", "kubectl get pods -l spark-role=driver (reference)",
               series(lambda i: [ctx.kubectl, "get", "pods", "-n", ns, "-l", "spark-role=driver"],
                      env, n_plugin))

    # 4b. submit again, now that the cluster holds 1,000+ pods (the preflight lists pods)
    base, sargs = bases["SparkPi"]
    label = "submit SparkPi, 1,000+ pods in the cluster"
    record(label, "kubectl spark submit --no-wait",
           series(lambda i: [plugin, "submit", "--no-wait", *sargs("plugin", i + 200)], env,
                  n_plugin), base)
    if "--skip-preflight" in submit_help:
        record(label, "kubectl spark submit --no-wait --skip-preflight",
               series(lambda i: [plugin, "submit", "--no-wait", "--skip-preflight",
                                 *sargs("plugin", i + 300)], env, n_plugin), base)

    # 5. kill of a 100-app glob (fresh pods before every run, not timed)
    def make_kill(prefix):
        return lambda i: create_drivers(ctx, "bench-kill", [f"{prefix}{i}-{j:03d}-driver" for j in range(100)],
                                        f"{prefix}{i}")

    def gone(prefix):
        def check(i, out):
            left = [x for x in kubectl(ctx, "get", "pods", "-n", "bench-kill", "-o", "name").split()
                    if x.startswith(f"pod/{prefix}{i}-")]
            if left:
                deadline = time.time() + 5
                while left and time.time() < deadline:
                    time.sleep(0.2)
                    left = [x for x in kubectl(ctx, "get", "pods", "-n", "bench-kill", "-o", "name").split()
                            if x.startswith(f"pod/{prefix}{i}-")]
                if left:
                    raise SystemExit(f"[bench] FAILED: {len(left)} pods left after kill run {i}")
        return check
    base = series(lambda i: [spark_submit, "--master", master, "--kill", f"bench-kill:ss{i}-*"],
                  senv, n_spark, setup=make_kill("ss"), check=gone("ss"))
    record("kill 100-app glob", "spark-submit --kill 'ns:prefix*'", base)
    record("kill 100-app glob", "kubectl spark kill 'prefix*' --yes",
           series(lambda i: [plugin, "kill", "-n", "bench-kill", f"ks{i}-*", "--yes"], env, n_plugin,
                  setup=make_kill("ks"), check=gone("ks")), base)

    # 6. logs of a large log: kwok serves KSPARK_DRIVER_LOG_FILE (opened per request)
    log_file = e["KSPARK_DRIVER_LOG_FILE"]
    line = "INFO SparkContext: " + "x" * 60
    n_lines = 400_000
    with open(log_file, "w") as f:
        for i in range(n_lines):
            f.write(f"2026-01-01T00:00:00.000000000Z stdout F {i:07d} {line}\n")
    raw = os.path.getsize(log_file)
    payload = raw - n_lines * len("2026-01-01T00:00:00.000000000Z stdout F ")
    outs = os.path.join(a.work, "log-out")

    def sized(expect):
        def check(i, out):
            got = os.path.getsize(outs)
            if got != expect:
                raise SystemExit(f"[bench] FAILED: log output {got} bytes, expected {expect}")
        return check
    base = series(lambda i: [ctx.kubectl, "logs", "-n", sub_ns, sub_pod], env, n_plugin,
                  stdout_fn=lambda i: open(outs, "wb"), check=sized(payload))
    record(f"logs ({payload / 2**20:.0f} MiB)", "kubectl logs", base)
    res = series(lambda i: [plugin, "logs", "-n", sub_ns, sub_pod], env, n_plugin,
                 stdout_fn=lambda i: open(outs, "wb"), check=sized(payload))
    record(f"logs ({payload / 2**20:.0f} MiB)", "kubectl spark logs", res, base)
    extra.append(f"Logs: {n_lines} lines, {payload} bytes of log text, written to a file.")

    # 7. ui: many HTTP requests through the forward
    ui_dir = os.path.join(os.path.dirname(log_file), "..", "ui")
    with open(os.path.join(ui_dir, "big.bin"), "wb") as f:
        f.write(os.urandom(32 * 2**20))
    seq, conc, per = (100, 8, 10) if a.quick else (500, 16, 25)
    reps = 2 if a.quick else 3
    load = lambda port: http_load(port, seq, conc, per, "/big.bin", 3)  # noqa: E731
    results = {}
    for tool in ("kubectl port-forward", "kubectl spark ui"):
        runs = []
        for _ in range(reps):
            port = free_port()
            if tool == "kubectl spark ui":
                cmd = [plugin, "ui", "-n", sub_ns, sub_pod, "--port", str(port)]
            else:
                cmd = [ctx.kubectl, "port-forward", "-n", sub_ns, f"pod/{sub_pod}", f"{port}:4040"]
            runs.append(forwarder_run(cmd, env, port, load))
        results[tool] = runs
    extra.append(f"UI ({reps} runs each, medians): {seq} sequential GETs of index.html, then "
                 f"{conc} threads x {per} GETs, then 3 downloads of a 32 MiB file; a new "
                 "connection per request.")
    extra.append("")
    extra.append("| forwarder | ready | seq p50 | seq p95 | concurrent req/s | conc p50 | conc p95 "
                 "| 32 MiB download | errors | CPU | peak RSS |")
    extra.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for tool, runs in results.items():
        m = lambda k: med([r[k] for r in runs])  # noqa: E731
        extra.append(f"| {tool} | {fmt_t(m('ready'))} | {m('seq_p50') * 1000:.2f} ms | "
                     f"{m('seq_p95') * 1000:.2f} ms | {m('conc_rps'):.0f} | "
                     f"{m('conc_p50') * 1000:.1f} ms | {m('conc_p95') * 1000:.1f} ms | "
                     f"{m('big_mibps'):.0f} MiB/s | {sum(r['errors'] for r in runs)} | "
                     f"{fmt_t(m('cpu'))} | {m('rss') / 1024:.1f} MiB |")
    print_table(extra)


if __name__ == "__main__":
    main()
