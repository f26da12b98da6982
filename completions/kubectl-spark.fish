# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_spark_global_optspecs
    string join \n v/verbose kubeconfig= context= cluster= user= n/namespace= s/server= token= as= as-group= certificate-authority= insecure-skip-tls-verify request-timeout= h/help V/version
end

function __fish_kubectl_spark_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_spark_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_spark_using_subcommand
    set -l cmd (__fish_kubectl_spark_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -s s -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -l token -d 'Bearer token for authentication to the API server (overrides the kubeconfig user\'s credentials)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -l as -d 'Username to impersonate for the operation (a user or a service account, system:serviceaccount:NS:NAME)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the API server\'s TLS certificate' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -l request-timeout -d 'How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace)'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -l insecure-skip-tls-verify -d 'Do not check the API server\'s certificate (insecure: for test clusters only)'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -f -a "submit" -d 'Submit a Spark application in cluster mode (same arguments as spark-submit)'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -f -a "status" -d 'Show the state of one or more applications'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -f -a "list" -d 'List Spark applications'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -f -a "ls" -d 'List Spark applications'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -f -a "describe" -d 'Explain one application: driver, executors, events'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -f -a "logs" -d 'Print the logs of an application\'s driver or executors'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -f -a "ui" -d 'Port-forward to an application\'s Spark UI'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -f -a "connect" -d 'Start a Spark Connect server on the cluster and tunnel to it (sc://localhost:15002)'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -f -a "wait" -d 'Wait for applications to end and exit with their result (0 succeeded, 3 failed, 4 --timeout)'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -f -a "kill" -d 'Stop one or more applications'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -f -a "cleanup" -d 'Delete finished applications and their leftovers'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -f -a "history" -d 'List finished applications from the namespace\'s Spark History Server (started on first use), open its UI, or stop it'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -f -a "setup" -d 'Create the driver\'s ServiceAccount and permissions'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -f -a "doctor" -d 'Check that submissions can work: access, permissions, referenced objects'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -f -a "client-setup" -d 'Prepare a pod to act as a client-mode driver'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -f -a "version" -d 'Print the plugin, server and supported Spark versions'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish, powershell) or kubectl\'s plugin completion helper'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -f -a "convert" -d 'Convert between SparkApplication manifests and submit arguments'
complete -c kubectl-spark -n "__fish_kubectl_spark_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l master -d 'Kubernetes master, k8s://https://host:port (default: the kubeconfig context\'s server)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l deploy-mode -d 'Only `cluster` is supported' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l name -d 'Application name (spark.app.name)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l class -d 'Main class of a Java/Scala application' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -s c -l conf -d 'A Spark property, key=value (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l properties-file -d 'File of extra properties (default: $SPARK_CONF_DIR/spark-defaults.conf)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l jars -d 'Comma-separated jars for the driver and executor classpaths' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l files -d 'Comma-separated files placed in each executor\'s working directory' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l archives -d 'Comma-separated archives extracted into each executor\'s working directory' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l py-files -d 'Comma-separated .zip, .egg or .py files for Python apps' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l packages -d 'Comma-separated Maven coordinates (resolved by the driver)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l repositories -d 'Comma-separated extra Maven repositories' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l exclude-packages -d 'Comma-separated groupId:artifactId to exclude from --packages' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l driver-memory -d 'Driver memory, e.g. 1g' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l driver-cores -d 'Driver cores' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l executor-memory -d 'Executor memory, e.g. 2g' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l executor-cores -d 'Executor cores' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l num-executors -d 'Number of executors' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l driver-java-options -d 'Extra Java options for the driver' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l driver-class-path -d 'Extra driver classpath entries' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l driver-library-path -d 'Extra driver library path entries' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l proxy-user -d 'User to impersonate when running the application' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l principal -d 'Kerberos principal' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l keytab -d 'Kerberos keytab file' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l spark-version -d 'Target Spark version (3.5 to 4.3); default: the image tag\'s version, else 4.0.1' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l dry-run -d 'Print (client) or server-validate (server) the objects instead of creating them. The strategy goes after `=` (as kubectl): `--dry-run local:///app.jar` is `--dry-run=client` then the resource' -r -f -a "client\t'Print the objects without contacting the API server'
server\t'Send the objects with dryRun=All: validated by the server, nothing persisted'
none\t'No dry run'"
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -s o -l output -d 'Output format for --dry-run' -r -f -a "json\t'JSON'
yaml\t'YAML'"
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l timeout -d 'Stop waiting after this long (e.g. 30s, 10m, 2h) and exit 4; the application keeps running' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l log-tail -d 'Raw lines of the driver\'s log printed when it fails, after the error found in it (0: none; default: none when an error was found in the log, otherwise 20)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -s f -l filename -d 'Submit the SparkApplication manifest(s) in FILE, at URL, or on stdin (-): Kubeflow v1beta2 (also ScheduledSparkApplication, run once now) or Apache v1/v1beta1' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l retries -d 'Resubmit a failed application up to N times (a new driver each time) while waiting, as an operator\'s restartPolicy OnFailure does; exit with the last attempt\'s code' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l retry-interval -d 'Pause before each retry (e.g. 10s, 1m; default 5s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -s s -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l token -d 'Bearer token for authentication to the API server (overrides the kubeconfig user\'s credentials)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l as -d 'Username to impersonate for the operation (a user or a service account, system:serviceaccount:NS:NAME)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the API server\'s TLS certificate' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l request-timeout -d 'How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l load-spark-defaults -d 'Load spark-defaults.conf even when --properties-file is given'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l spark-verbose -d 'spark-submit\'s --verbose (accepted; use -v for our own logging)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l no-wait -d 'Return right after creating the objects (spark.kubernetes.submission.waitAppCompletion=false)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l spark-exit-code -d 'Exit 0 whatever the driver\'s fate, like spark-submit'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l skip-preflight -d 'Skip the preflight checks'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l strict -d 'With -f: fail on manifest fields only an operator acts on, instead of warning'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -l insecure-skip-tls-verify -d 'Do not check the API server\'s certificate (insecure: for test clusters only)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand submit" -s V -l version -d 'Print version'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -s o -l output -d 'Output format: table, wide, json, yaml, spark, name, jsonpath=TEMPLATE, custom-columns=SPEC' -r -f -a "table\t'Table (default)'
wide\t'Table with more columns'
json\t'JSON'
yaml\t'YAML'
spark\t'spark-submit\'s status block'
name\t'Submission ids only'
jsonpath=\t'kubectl\'s JSONPath template, e.g. jsonpath={.items[*].submissionId}'
custom-columns=\t'Columns HEADER:PATH,…, e.g. custom-columns=NAME:.appName,STATE:.state'"
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -s l -l selector -d 'Only applications whose driver pod matches this label selector (e.g. -l team=etl,tier!=dev)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -l sort-by -d 'Sort by a field of the JSON output, as a JSONPath (e.g. --sort-by=.created, .state, .appName)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -s s -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -l token -d 'Bearer token for authentication to the API server (overrides the kubeconfig user\'s credentials)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -l as -d 'Username to impersonate for the operation (a user or a service account, system:serviceaccount:NS:NAME)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the API server\'s TLS certificate' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -l request-timeout -d 'How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -l latest -d 'When an APP names several runs, show only the newest'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -s A -l all-namespaces -d 'Look in every namespace'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -l all -d 'Also finished applications whose driver pods are gone, as the namespace\'s History Server (`kubectl spark history`) knows them: STATE `completed (pod gone)`'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -l no-headers -d 'Do not print the header row of tables'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -s w -l watch -d 'After printing, watch for changes and print each application again when its state changes (exits 0 whatever their fate, as kubectl get -w; `kubectl spark wait` exits with it)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -l insecure-skip-tls-verify -d 'Do not check the API server\'s certificate (insecure: for test clusters only)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -s h -l help -d 'Print help'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand status" -s V -l version -d 'Print version'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -l state -d 'Only applications in these states (comma-separated or repeated, e.g. --state running,pending)' -r -f -a "pending\t'Driver not running yet'
running\t'Driver running'
succeeded\t'Driver succeeded'
failed\t'Driver failed'
completed\t'Ended in any way: succeeded, failed, or known only to the History Server (its driver pod is gone, with --all)'"
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -s o -l output -d 'Output format: table, wide, json, yaml, spark, name, jsonpath=TEMPLATE, custom-columns=SPEC' -r -f -a "table\t'Table (default)'
wide\t'Table with more columns'
json\t'JSON'
yaml\t'YAML'
spark\t'spark-submit\'s status block'
name\t'Submission ids only'
jsonpath=\t'kubectl\'s JSONPath template, e.g. jsonpath={.items[*].submissionId}'
custom-columns=\t'Columns HEADER:PATH,…, e.g. custom-columns=NAME:.appName,STATE:.state'"
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -s l -l selector -d 'Only applications whose driver pod matches this label selector (e.g. -l team=etl,tier!=dev)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -l sort-by -d 'Sort by a field of the JSON output, as a JSONPath (e.g. --sort-by=.created, .state, .appName)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -s s -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -l token -d 'Bearer token for authentication to the API server (overrides the kubeconfig user\'s credentials)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -l as -d 'Username to impersonate for the operation (a user or a service account, system:serviceaccount:NS:NAME)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the API server\'s TLS certificate' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -l request-timeout -d 'How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -s A -l all-namespaces -d 'Look in every namespace'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -l all -d 'Also finished applications whose driver pods are gone, as the namespace\'s History Server (`kubectl spark history`) knows them: STATE `completed (pod gone)`'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -l no-headers -d 'Do not print the header row of tables'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -s w -l watch -d 'After printing, watch for changes and print each application again when its state changes (exits 0 whatever their fate, as kubectl get -w; `kubectl spark wait` exits with it)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -l insecure-skip-tls-verify -d 'Do not check the API server\'s certificate (insecure: for test clusters only)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand list" -s V -l version -d 'Print version'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -l state -d 'Only applications in these states (comma-separated or repeated, e.g. --state running,pending)' -r -f -a "pending\t'Driver not running yet'
running\t'Driver running'
succeeded\t'Driver succeeded'
failed\t'Driver failed'
completed\t'Ended in any way: succeeded, failed, or known only to the History Server (its driver pod is gone, with --all)'"
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -s o -l output -d 'Output format: table, wide, json, yaml, spark, name, jsonpath=TEMPLATE, custom-columns=SPEC' -r -f -a "table\t'Table (default)'
wide\t'Table with more columns'
json\t'JSON'
yaml\t'YAML'
spark\t'spark-submit\'s status block'
name\t'Submission ids only'
jsonpath=\t'kubectl\'s JSONPath template, e.g. jsonpath={.items[*].submissionId}'
custom-columns=\t'Columns HEADER:PATH,…, e.g. custom-columns=NAME:.appName,STATE:.state'"
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -s l -l selector -d 'Only applications whose driver pod matches this label selector (e.g. -l team=etl,tier!=dev)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -l sort-by -d 'Sort by a field of the JSON output, as a JSONPath (e.g. --sort-by=.created, .state, .appName)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -s s -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -l token -d 'Bearer token for authentication to the API server (overrides the kubeconfig user\'s credentials)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -l as -d 'Username to impersonate for the operation (a user or a service account, system:serviceaccount:NS:NAME)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the API server\'s TLS certificate' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -l request-timeout -d 'How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -s A -l all-namespaces -d 'Look in every namespace'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -l all -d 'Also finished applications whose driver pods are gone, as the namespace\'s History Server (`kubectl spark history`) knows them: STATE `completed (pod gone)`'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -l no-headers -d 'Do not print the header row of tables'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -s w -l watch -d 'After printing, watch for changes and print each application again when its state changes (exits 0 whatever their fate, as kubectl get -w; `kubectl spark wait` exits with it)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -l insecure-skip-tls-verify -d 'Do not check the API server\'s certificate (insecure: for test clusters only)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ls" -s V -l version -d 'Print version'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand describe" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand describe" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand describe" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand describe" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand describe" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand describe" -s s -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand describe" -l token -d 'Bearer token for authentication to the API server (overrides the kubeconfig user\'s credentials)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand describe" -l as -d 'Username to impersonate for the operation (a user or a service account, system:serviceaccount:NS:NAME)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand describe" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand describe" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the API server\'s TLS certificate' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand describe" -l request-timeout -d 'How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand describe" -l latest -d 'When APP names several runs (an app name submitted many times), take the newest'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand describe" -s A -l all-namespaces -d 'Look in every namespace'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand describe" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand describe" -l insecure-skip-tls-verify -d 'Do not check the API server\'s certificate (insecure: for test clusters only)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand describe" -s h -l help -d 'Print help'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand describe" -s V -l version -d 'Print version'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -l executor -d 'One executor by id (e.g. 1)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -l tail -d 'Lines from the end to show (-1, the default, shows all)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -l since -d 'Only logs newer than a duration, e.g. 5m' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -s s -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -l token -d 'Bearer token for authentication to the API server (overrides the kubeconfig user\'s credentials)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -l as -d 'Username to impersonate for the operation (a user or a service account, system:serviceaccount:NS:NAME)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the API server\'s TLS certificate' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -l request-timeout -d 'How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -l all-executors -d 'All executors, multiplexed with a prefix per pod'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -s f -l follow -d 'Follow the log'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -l timestamps -d 'Prefix lines with timestamps'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -l latest -d 'When APP names several runs, take the newest'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -s p -l previous -d 'Logs of the previous container instance'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -s A -l all-namespaces -d 'Look in every namespace'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -l insecure-skip-tls-verify -d 'Do not check the API server\'s certificate (insecure: for test clusters only)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -s h -l help -d 'Print help'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand logs" -s V -l version -d 'Print version'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ui" -l port -d 'Local port (default: 4040, or the next free one when taken; 0 picks any free port)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ui" -l address -d 'Local address to listen on' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ui" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ui" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ui" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ui" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ui" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ui" -s s -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ui" -l token -d 'Bearer token for authentication to the API server (overrides the kubeconfig user\'s credentials)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ui" -l as -d 'Username to impersonate for the operation (a user or a service account, system:serviceaccount:NS:NAME)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ui" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ui" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the API server\'s TLS certificate' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ui" -l request-timeout -d 'How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ui" -l open -d 'Open the UI in a browser'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ui" -l latest -d 'When APP names several runs, take the newest'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ui" -s A -l all-namespaces -d 'Look in every namespace'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ui" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ui" -l insecure-skip-tls-verify -d 'Do not check the API server\'s certificate (insecure: for test clusters only)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ui" -s h -l help -d 'Print help'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand ui" -s V -l version -d 'Print version'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l port -d 'Local port for Spark Connect (default: 15002, or the next free one; 0 picks any)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l ui-port -d 'Local port for the Spark UI (default: 4040, or the next free one; 0 picks any)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l address -d 'Local address to listen on' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l master -d 'Kubernetes master, k8s://https://host:port (default: the kubeconfig context\'s server)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l name -d 'Application name (spark.app.name)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -s c -l conf -d 'A Spark property, key=value (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l properties-file -d 'File of extra properties (default: $SPARK_CONF_DIR/spark-defaults.conf)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l jars -d 'Comma-separated jars for the driver and executor classpaths' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l files -d 'Comma-separated files placed in each executor\'s working directory' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l archives -d 'Comma-separated archives extracted into each executor\'s working directory' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l py-files -d 'Comma-separated .zip, .egg or .py files for Python apps' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l packages -d 'Comma-separated Maven coordinates (resolved by the driver)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l repositories -d 'Comma-separated extra Maven repositories' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l exclude-packages -d 'Comma-separated groupId:artifactId to exclude from --packages' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l driver-memory -d 'Driver memory, e.g. 1g' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l driver-cores -d 'Driver cores' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l executor-memory -d 'Executor memory, e.g. 2g' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l executor-cores -d 'Executor cores' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l num-executors -d 'Number of executors' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l driver-java-options -d 'Extra Java options for the driver' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l driver-class-path -d 'Extra driver classpath entries' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l driver-library-path -d 'Extra driver library path entries' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l proxy-user -d 'User to impersonate when running the application' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l principal -d 'Kerberos principal' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l keytab -d 'Kerberos keytab file' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l spark-version -d 'Target Spark version (3.5 to 4.3); default: the image tag\'s version, else 4.0.1' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l dry-run -d 'Print (client) or server-validate (server) the objects instead of creating them. The strategy goes after `=` (as kubectl): `--dry-run local:///app.jar` is `--dry-run=client` then the resource' -r -f -a "client\t'Print the objects without contacting the API server'
server\t'Send the objects with dryRun=All: validated by the server, nothing persisted'
none\t'No dry run'"
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -s o -l output -d 'Output format for --dry-run' -r -f -a "json\t'JSON'
yaml\t'YAML'"
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l class -d 'Main class of a Java/Scala application' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l deploy-mode -d 'Only `cluster` is supported' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -s f -l filename -d 'Submit the SparkApplication manifest(s) in FILE, at URL, or on stdin (-): Kubeflow v1beta2 (also ScheduledSparkApplication, run once now) or Apache v1/v1beta1' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l retries -d 'Resubmit a failed application up to N times (a new driver each time) while waiting, as an operator\'s restartPolicy OnFailure does; exit with the last attempt\'s code' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l retry-interval -d 'Pause before each retry (e.g. 10s, 1m; default 5s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l timeout -d 'How long to wait for the server to be ready (e.g. 90s, 10m; default 5m); then it is deleted and the exit code is 4' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l log-tail -d 'Raw lines of the server\'s log printed when it fails to start, after the error found in it (0: none; default: none when an error was found, otherwise 20)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -s s -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l token -d 'Bearer token for authentication to the API server (overrides the kubeconfig user\'s credentials)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l as -d 'Username to impersonate for the operation (a user or a service account, system:serviceaccount:NS:NAME)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the API server\'s TLS certificate' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l request-timeout -d 'How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l detach -d 'Create the server, wait until it is ready, and return, leaving it running'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l attach -d 'Reopen the tunnel to a running server (NAME); it keeps running after Ctrl-C'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -s A -l all-namespaces -d 'With --attach: look in every namespace'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l load-spark-defaults -d 'Load spark-defaults.conf even when --properties-file is given'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l spark-verbose -d 'spark-submit\'s --verbose (accepted; use -v for our own logging)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l skip-preflight -d 'Skip the preflight checks'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l no-wait -d 'Return right after creating the objects (spark.kubernetes.submission.waitAppCompletion=false)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l spark-exit-code -d 'Exit 0 whatever the driver\'s fate, like spark-submit'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l strict -d 'With -f: fail on manifest fields only an operator acts on, instead of warning'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -l insecure-skip-tls-verify -d 'Do not check the API server\'s certificate (insecure: for test clusters only)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand connect" -s V -l version -d 'Print version'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -s l -l selector -d 'Only applications whose driver pod matches this label selector (e.g. -l team=etl)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -l timeout -d 'Stop waiting after this long (e.g. 30s, 10m, 2h) and exit 4; the applications keep running' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -l log-tail -d 'Raw lines of the driver\'s log printed when it failed, after the error found in it (0: none; default: none when an error was found in the log, otherwise 20)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -s c -l conf -d 'Spark properties, as `submit` takes them: spark.kubernetes.report.interval paces the progress lines on a pipe (default 1s; e.g. 30s in CI logs)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -s s -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -l token -d 'Bearer token for authentication to the API server (overrides the kubeconfig user\'s credentials)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -l as -d 'Username to impersonate for the operation (a user or a service account, system:serviceaccount:NS:NAME)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the API server\'s TLS certificate' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -l request-timeout -d 'How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -l all -d 'Wait for every application of the namespace (every namespace with -A)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -l latest -d 'When an APP names several runs, wait only for the newest'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -s A -l all-namespaces -d 'Look in every namespace'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -l insecure-skip-tls-verify -d 'Do not check the API server\'s certificate (insecure: for test clusters only)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -s h -l help -d 'Print help'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand wait" -s V -l version -d 'Print version'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -l grace-period -d 'Seconds to wait before the driver is killed (default: spark.kubernetes.appKillPodDeletionGracePeriod, else the pod\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -s c -l conf -d 'Spark properties (e.g. spark.kubernetes.appKillPodDeletionGracePeriod)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -s s -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -l token -d 'Bearer token for authentication to the API server (overrides the kubeconfig user\'s credentials)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -l as -d 'Username to impersonate for the operation (a user or a service account, system:serviceaccount:NS:NAME)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the API server\'s TLS certificate' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -l request-timeout -d 'How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -l wait -d 'Wait until the driver and what it owns are gone'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -l latest -d 'When an APP names several runs, kill only the newest'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -l dry-run -d 'List what would be deleted; delete nothing'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -s y -l yes -d 'Kill several applications without asking (needed when stdin is not a terminal)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -s A -l all-namespaces -d 'Look in every namespace'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -l insecure-skip-tls-verify -d 'Do not check the API server\'s certificate (insecure: for test clusters only)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -s h -l help -d 'Print help'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand kill" -s V -l version -d 'Print version'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -l older-than -d 'Only applications finished longer ago than this, e.g. 24h' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -l state -d 'Only applications in these end states: succeeded, failed (comma list or repeated; default both)' -r -f -a "pending\t'Driver not running yet'
running\t'Driver running'
succeeded\t'Driver succeeded'
failed\t'Driver failed'
completed\t'Ended in any way: succeeded, failed, or known only to the History Server (its driver pod is gone, with --all)'"
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -s l -l selector -d 'Only applications whose driver matches this label selector, e.g. -l team=etl' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -s s -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -l token -d 'Bearer token for authentication to the API server (overrides the kubeconfig user\'s credentials)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -l as -d 'Username to impersonate for the operation (a user or a service account, system:serviceaccount:NS:NAME)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the API server\'s TLS certificate' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -l request-timeout -d 'How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -l keep-uploads -d 'Leave the files the applications uploaded (spark-upload-*) in the object store'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -l dry-run -d 'List what would be deleted; delete nothing'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -s y -l yes -d 'Delete several applications without asking (needed when stdin is not a terminal)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -s A -l all-namespaces -d 'Look in every namespace'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -l insecure-skip-tls-verify -d 'Do not check the API server\'s certificate (insecure: for test clusters only)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand cleanup" -s V -l version -d 'Print version'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -l port -d 'Forward the UI on this local port (default: 18080, or the next free one; 0 picks any)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -l address -d 'Local address to listen on' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -s o -l output -d 'Output format of the listing: json, yaml or name (default: a table)' -r -f -a "json\t'JSON array of applications'
yaml\t'YAML list of applications'
name\t'One application id per line'"
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -s c -l conf -d 'A Spark property for a new server, over the namespace defaults (repeatable), e.g. spark.history.fs.logDirectory=s3a://bucket/events' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -l timeout -d 'How long a new server may take to be ready (default 5m)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -s s -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -l token -d 'Bearer token for authentication to the API server (overrides the kubeconfig user\'s credentials)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -l as -d 'Username to impersonate for the operation (a user or a service account, system:serviceaccount:NS:NAME)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the API server\'s TLS certificate' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -l request-timeout -d 'How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -l stop -d 'Stop the History Server and remove everything it created'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -l open -d 'Forward the UI and open it in a browser (prints the URL on stdout; Ctrl-C stops)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -l insecure-skip-tls-verify -d 'Do not check the API server\'s certificate (insecure: for test clusters only)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand history" -s V -l version -d 'Print version'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -l service-account -d 'ServiceAccount name for the driver' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -l cluster-role -d 'Bind this existing ClusterRole instead of creating a Role' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -l submitter -d 'Also grant an identity what submitting needs (repeatable). Accepted forms: User:NAME, Group:NAME, ServiceAccount:NAMESPACE:NAME, or system:serviceaccount:NAMESPACE:NAME as Kubernetes names service accounts (the kind is case-insensitive)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -l spark-version -d 'Target Spark version' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -s o -l output -d 'Output format for --dry-run' -r -f -a "json\t'JSON'
yaml\t'YAML'"
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -l event-log-dir -d 'Namespace default: write event logs here (spark.eventLog.enabled=true and spark.eventLog.dir), any Hadoop URI the image reads (s3a://, gs://, abfs://, hdfs://) or a path on a volume mounted in drivers and the History Server' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -l image -d 'Namespace default: the container image (spark.kubernetes.container.image)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -s c -l conf -d 'Namespace default: a Spark property applied by submit/connect/history below every setting they are given (repeatable). Secret values (keys, passwords, tokens) go into the Secret kubectl-spark-defaults, never into the ConfigMap' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -s s -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -l token -d 'Bearer token for authentication to the API server (overrides the kubeconfig user\'s credentials)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -l as -d 'Username to impersonate for the operation (a user or a service account, system:serviceaccount:NS:NAME)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the API server\'s TLS certificate' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -l request-timeout -d 'How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -l cluster-wide -d 'Use a ClusterRoleBinding'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -l create-namespace -d 'Create the namespace if missing'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -l dry-run -d 'Print the objects instead of applying them'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -l delete -d 'Remove what setup created'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -l insecure-skip-tls-verify -d 'Do not check the API server\'s certificate (insecure: for test clusters only)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand setup" -s V -l version -d 'Print version'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand doctor" -l service-account -d 'Service account the driver will use (default: spark.kubernetes.authenticate.driver.serviceAccountName, else spark)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand doctor" -s c -l conf -d 'The submission\'s Spark properties, as `submit` takes them: the permissions checked follow from them (the statefulset allocator needs StatefulSets, OnDemand claims PVCs…)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand doctor" -l properties-file -d 'File of extra properties (default: $SPARK_CONF_DIR/spark-defaults.conf)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand doctor" -l spark-version -d 'Target Spark version; default: the image tag\'s version, else 4.0.1' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand doctor" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand doctor" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand doctor" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand doctor" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand doctor" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand doctor" -s s -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand doctor" -l token -d 'Bearer token for authentication to the API server (overrides the kubeconfig user\'s credentials)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand doctor" -l as -d 'Username to impersonate for the operation (a user or a service account, system:serviceaccount:NS:NAME)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand doctor" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand doctor" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the API server\'s TLS certificate' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand doctor" -l request-timeout -d 'How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand doctor" -l load-spark-defaults -d 'Load spark-defaults.conf even when --properties-file is given'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand doctor" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand doctor" -l insecure-skip-tls-verify -d 'Do not check the API server\'s certificate (insecure: for test clusters only)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand client-setup" -l pod -d 'The pod that runs the client-mode driver' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand client-setup" -l properties-file -d 'Write the confs as a properties file here' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand client-setup" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand client-setup" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand client-setup" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand client-setup" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand client-setup" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand client-setup" -s s -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand client-setup" -l token -d 'Bearer token for authentication to the API server (overrides the kubeconfig user\'s credentials)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand client-setup" -l as -d 'Username to impersonate for the operation (a user or a service account, system:serviceaccount:NS:NAME)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand client-setup" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand client-setup" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the API server\'s TLS certificate' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand client-setup" -l request-timeout -d 'How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand client-setup" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand client-setup" -l insecure-skip-tls-verify -d 'Do not check the API server\'s certificate (insecure: for test clusters only)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand client-setup" -s h -l help -d 'Print help'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand client-setup" -s V -l version -d 'Print version'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand version" -s o -l output -d 'Output format: json or yaml (default: text)' -r -f -a "json\t'JSON'
yaml\t'YAML'"
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand version" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand version" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand version" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand version" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand version" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand version" -s s -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand version" -l token -d 'Bearer token for authentication to the API server (overrides the kubeconfig user\'s credentials)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand version" -l as -d 'Username to impersonate for the operation (a user or a service account, system:serviceaccount:NS:NAME)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand version" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand version" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the API server\'s TLS certificate' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand version" -l request-timeout -d 'How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand version" -l client -d 'Print the plugin\'s version only; do not contact the API server'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand version" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand version" -l insecure-skip-tls-verify -d 'Do not check the API server\'s certificate (insecure: for test clusters only)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand version" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand version" -s V -l version -d 'Print version'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand completion" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand completion" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand completion" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand completion" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand completion" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand completion" -s s -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand completion" -l token -d 'Bearer token for authentication to the API server (overrides the kubeconfig user\'s credentials)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand completion" -l as -d 'Username to impersonate for the operation (a user or a service account, system:serviceaccount:NS:NAME)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand completion" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand completion" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the API server\'s TLS certificate' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand completion" -l request-timeout -d 'How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand completion" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand completion" -l insecure-skip-tls-verify -d 'Do not check the API server\'s certificate (insecure: for test clusters only)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand completion" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand completion" -s V -l version -d 'Print version'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand convert" -s f -l filename -d 'The manifest(s) to convert to a command line: FILE, URL, or - for stdin' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand convert" -l to -d 'What to produce' -r -f -a "args\t'A `kubectl spark submit` command line (from a manifest)'
kubeflow\t'A Kubeflow `sparkoperator.k8s.io/v1beta2` SparkApplication (from submit arguments)'
apache\t'An Apache `spark.apache.org/v1` SparkApplication (from submit arguments)'"
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand convert" -l template-dir -d 'With --to args: write the pod templates a manifest needs into this directory' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand convert" -l spark-version -d 'With --to kubeflow|apache: the manifest\'s Spark version (default: the image tag\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand convert" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand convert" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand convert" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand convert" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand convert" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand convert" -s s -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand convert" -l token -d 'Bearer token for authentication to the API server (overrides the kubeconfig user\'s credentials)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand convert" -l as -d 'Username to impersonate for the operation (a user or a service account, system:serviceaccount:NS:NAME)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand convert" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand convert" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the API server\'s TLS certificate' -r -F
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand convert" -l request-timeout -d 'How long to wait for a single server request (e.g. 1s, 2m, 3h; 0 = no limit)' -r
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand convert" -s v -l verbose -d 'More logging on stderr (-v info, -vv debug, -vvv trace)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand convert" -l insecure-skip-tls-verify -d 'Do not check the API server\'s certificate (insecure: for test clusters only)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand convert" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand convert" -s V -l version -d 'Print version'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand help; and not __fish_seen_subcommand_from submit status list describe logs ui connect wait kill cleanup history setup doctor client-setup version completion convert help" -f -a "submit" -d 'Submit a Spark application in cluster mode (same arguments as spark-submit)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand help; and not __fish_seen_subcommand_from submit status list describe logs ui connect wait kill cleanup history setup doctor client-setup version completion convert help" -f -a "status" -d 'Show the state of one or more applications'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand help; and not __fish_seen_subcommand_from submit status list describe logs ui connect wait kill cleanup history setup doctor client-setup version completion convert help" -f -a "list" -d 'List Spark applications'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand help; and not __fish_seen_subcommand_from submit status list describe logs ui connect wait kill cleanup history setup doctor client-setup version completion convert help" -f -a "describe" -d 'Explain one application: driver, executors, events'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand help; and not __fish_seen_subcommand_from submit status list describe logs ui connect wait kill cleanup history setup doctor client-setup version completion convert help" -f -a "logs" -d 'Print the logs of an application\'s driver or executors'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand help; and not __fish_seen_subcommand_from submit status list describe logs ui connect wait kill cleanup history setup doctor client-setup version completion convert help" -f -a "ui" -d 'Port-forward to an application\'s Spark UI'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand help; and not __fish_seen_subcommand_from submit status list describe logs ui connect wait kill cleanup history setup doctor client-setup version completion convert help" -f -a "connect" -d 'Start a Spark Connect server on the cluster and tunnel to it (sc://localhost:15002)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand help; and not __fish_seen_subcommand_from submit status list describe logs ui connect wait kill cleanup history setup doctor client-setup version completion convert help" -f -a "wait" -d 'Wait for applications to end and exit with their result (0 succeeded, 3 failed, 4 --timeout)'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand help; and not __fish_seen_subcommand_from submit status list describe logs ui connect wait kill cleanup history setup doctor client-setup version completion convert help" -f -a "kill" -d 'Stop one or more applications'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand help; and not __fish_seen_subcommand_from submit status list describe logs ui connect wait kill cleanup history setup doctor client-setup version completion convert help" -f -a "cleanup" -d 'Delete finished applications and their leftovers'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand help; and not __fish_seen_subcommand_from submit status list describe logs ui connect wait kill cleanup history setup doctor client-setup version completion convert help" -f -a "history" -d 'List finished applications from the namespace\'s Spark History Server (started on first use), open its UI, or stop it'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand help; and not __fish_seen_subcommand_from submit status list describe logs ui connect wait kill cleanup history setup doctor client-setup version completion convert help" -f -a "setup" -d 'Create the driver\'s ServiceAccount and permissions'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand help; and not __fish_seen_subcommand_from submit status list describe logs ui connect wait kill cleanup history setup doctor client-setup version completion convert help" -f -a "doctor" -d 'Check that submissions can work: access, permissions, referenced objects'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand help; and not __fish_seen_subcommand_from submit status list describe logs ui connect wait kill cleanup history setup doctor client-setup version completion convert help" -f -a "client-setup" -d 'Prepare a pod to act as a client-mode driver'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand help; and not __fish_seen_subcommand_from submit status list describe logs ui connect wait kill cleanup history setup doctor client-setup version completion convert help" -f -a "version" -d 'Print the plugin, server and supported Spark versions'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand help; and not __fish_seen_subcommand_from submit status list describe logs ui connect wait kill cleanup history setup doctor client-setup version completion convert help" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish, powershell) or kubectl\'s plugin completion helper'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand help; and not __fish_seen_subcommand_from submit status list describe logs ui connect wait kill cleanup history setup doctor client-setup version completion convert help" -f -a "convert" -d 'Convert between SparkApplication manifests and submit arguments'
complete -c kubectl-spark -n "__fish_kubectl_spark_using_subcommand help; and not __fish_seen_subcommand_from submit status list describe logs ui connect wait kill cleanup history setup doctor client-setup version completion convert help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
