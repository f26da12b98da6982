//! `DriverCommandFeatureStep` (§3.1.2 of the spec): the driver container's arguments (read by
//! the image's entrypoint), the Python interpreter env, the upload of a local Python primary
//! file, and `spark.kubernetes.resource.type`.

use k8s_openapi::api::core::v1::EnvVar;

use crate::error::{Error, Result};
use crate::submit::plan::{DriverSpec, PRIMARY_RESOURCE, Plan, ResourceType};
use crate::submit::steps::basic::{NO_RESOURCE, is_local_and_resolvable, upload_for};
use crate::submit::steps::derived;

/// Where the driver reads its properties (the conf ConfigMap's mount).
pub const SPARK_CONF_PATH: &str = "/opt/spark/conf/spark.properties";
/// Main class that runs Python applications.
pub const PYTHON_RUNNER: &str = "org.apache.spark.deploy.PythonRunner";
/// Main class that runs R applications.
pub const R_RUNNER: &str = "org.apache.spark.deploy.RRunner";

/// Applies this step to the driver spec.
pub fn apply(plan: &Plan, spec: &mut DriverSpec) -> Result<()> {
    let app = &plan.app;
    let resource = app.primary_resource.as_deref().unwrap_or(NO_RESOURCE);
    let (main_class, resource) = match app.resource_type {
        ResourceType::Java => {
            let class = app.main_class.as_deref().ok_or_else(|| {
                Error::usage(
                    "Main class must be specified via --main-class",
                    "pass --class <fully.qualified.MainClass> for a JVM application",
                )
            })?;
            let resource = if is_local_and_resolvable(resource) {
                NO_RESOURCE.to_string()
            } else {
                resource.to_string()
            };
            (class, resource)
        }
        ResourceType::Python => {
            if !plan.spark_version.at_least(4, 1)
                && plan.conf.contains("spark.kubernetes.pyspark.pythonVersion")
            {
                spec.warnings.push(python_version_warning());
            }
            let resource = if is_local_and_resolvable(resource) {
                let uuid = plan.ids.derived_uuid(derived::PRIMARY_RESOURCE_UPLOAD_UUID);
                let upload = upload_for(&plan.conf, PRIMARY_RESOURCE, resource, &uuid)?;
                let target = upload.target.clone();
                spec.uploads.push(upload);
                target
            } else {
                resource.to_string()
            };
            (PYTHON_RUNNER, resource)
        }
        ResourceType::R => (R_RUNNER, resource.to_string()),
    };

    let args = driver_args(
        app.proxy_user.as_deref(),
        main_class,
        &resource,
        &app.app_args,
    );
    spec.container
        .args
        .get_or_insert_with(Vec::new)
        .extend(args);
    if app.resource_type == ResourceType::Python {
        spec.container
            .env
            .get_or_insert_with(Vec::new)
            .extend(python_env(plan));
    }
    spec.properties
        .set("spark.kubernetes.resource.type", app.resource_type.as_str());
    Ok(())
}

/// `driver [--proxy-user <u>] --properties-file /opt/spark/conf/spark.properties --class
/// <main> <resource> <args…>`.
pub fn driver_args(
    proxy_user: Option<&str>,
    main_class: &str,
    resource: &str,
    app_args: &[String],
) -> Vec<String> {
    let mut args = vec!["driver".to_string()];
    if let Some(user) = proxy_user {
        args.extend(["--proxy-user".to_string(), user.to_string()]);
    }
    args.extend(
        [
            "--properties-file",
            SPARK_CONF_PATH,
            "--class",
            main_class,
            resource,
        ]
        .map(str::to_string),
    );
    args.extend(app_args.iter().cloned());
    args
}

/// `PYSPARK_PYTHON` = `spark.pyspark.python`, else the submitter's `PYSPARK_PYTHON`;
/// `PYSPARK_DRIVER_PYTHON` = `spark.pyspark.driver.python`, else `spark.pyspark.python`, else
/// the submitter's `PYSPARK_DRIVER_PYTHON`, else its `PYSPARK_PYTHON`. Each only when set.
fn python_env(plan: &Plan) -> Vec<EnvVar> {
    let conf = &plan.conf;
    let env = &plan.env;
    let python = conf
        .get("spark.pyspark.python")
        .or(env.pyspark_python.as_deref());
    let driver_python = conf
        .get("spark.pyspark.driver.python")
        .or_else(|| conf.get("spark.pyspark.python"))
        .or(env.pyspark_driver_python.as_deref())
        .or(env.pyspark_python.as_deref());
    [
        ("PYSPARK_PYTHON", python),
        ("PYSPARK_DRIVER_PYTHON", driver_python),
    ]
    .into_iter()
    .filter_map(|(name, value)| {
        value.map(|v| EnvVar {
            name: name.into(),
            value: Some(v.into()),
            ..EnvVar::default()
        })
    })
    .collect()
}

/// 3.5/4.0 warning for the deprecated `spark.kubernetes.pyspark.pythonVersion`.
fn python_version_warning() -> String {
    "spark.kubernetes.pyspark.pythonVersion was deprecated in Spark 3.1. Please set 'spark.pyspark.python' and 'spark.pyspark.driver.python' configurations or PYSPARK_PYTHON and PYSPARK_DRIVER_PYTHON environment variables instead.".into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submit::plan::Upload;
    use crate::submit::steps::fixtures::{empty_spec, test_plan, test_plan_with};

    fn run(plan: &Plan) -> Result<DriverSpec> {
        let mut spec = empty_spec(plan);
        apply(plan, &mut spec).map(|_| spec)
    }

    fn python_plan(version: &str, resource: &str, conf: &[(&str, &str)]) -> Plan {
        let mut plan = test_plan_with(version, conf);
        plan.app.resource_type = ResourceType::Python;
        plan.app.primary_resource = Some(resource.into());
        plan.app.main_class = None;
        plan
    }

    fn env_pairs(spec: &DriverSpec) -> Vec<(String, String)> {
        spec.container
            .env
            .iter()
            .flatten()
            .map(|e| (e.name.clone(), e.value.clone().unwrap_or_default()))
            .collect()
    }

    #[test]
    fn worked_example_args() {
        let spec = run(&test_plan("4.0.1")).unwrap();
        assert_eq!(
            spec.container.args.unwrap(),
            [
                "driver",
                "--properties-file",
                "/opt/spark/conf/spark.properties",
                "--class",
                "org.apache.spark.examples.SparkPi",
                "local:///opt/spark/examples/jars/spark-examples.jar",
                "1000"
            ]
        );
        assert_eq!(
            spec.properties.get("spark.kubernetes.resource.type"),
            Some("java")
        );
        assert!(spec.container.env.is_none());
    }

    #[test]
    fn local_jars_and_no_resource_become_spark_internal() {
        for resource in [
            Some("file:/home/me/app.jar"),
            Some("/home/me/app.jar"),
            None,
        ] {
            let mut plan = test_plan("4.0.1");
            plan.app.primary_resource = resource.map(str::to_string);
            plan.app.proxy_user = Some("bob".into());
            let args = run(&plan).unwrap().container.args.unwrap();
            assert_eq!(&args[..3], ["driver", "--proxy-user", "bob"]);
            assert_eq!(args[7], "spark-internal");
            assert!(run(&plan).unwrap().uploads.is_empty());
        }
        let mut plan = test_plan("4.0.1");
        plan.app.main_class = None;
        assert_eq!(
            run(&plan).unwrap_err().to_string(),
            "Main class must be specified via --main-class"
        );
    }

    #[test]
    fn template_args_come_first() {
        let plan = test_plan("4.0.1");
        let mut spec = empty_spec(&plan);
        spec.container.args = Some(vec!["tpl".into()]);
        apply(&plan, &mut spec).unwrap();
        assert_eq!(&spec.container.args.unwrap()[..2], ["tpl", "driver"]);
    }

    #[test]
    fn remote_python_is_used_verbatim_with_env() {
        let mut plan = python_plan("4.0.1", "local:///opt/app/pi.py", &[]);
        plan.app.app_args = vec!["10".into()];
        plan.env.pyspark_python = Some("python3".into());
        let spec = run(&plan).unwrap();
        assert_eq!(
            spec.container.args.clone().unwrap(),
            [
                "driver",
                "--properties-file",
                "/opt/spark/conf/spark.properties",
                "--class",
                "org.apache.spark.deploy.PythonRunner",
                "local:///opt/app/pi.py",
                "10"
            ]
        );
        assert_eq!(
            env_pairs(&spec),
            [
                ("PYSPARK_PYTHON".into(), "python3".into()),
                ("PYSPARK_DRIVER_PYTHON".into(), "python3".into())
            ]
        );
        assert_eq!(
            spec.properties.get("spark.kubernetes.resource.type"),
            Some("python")
        );
    }

    #[test]
    fn python_env_precedence() {
        let mut plan = python_plan(
            "4.0.1",
            "local:///a.py",
            &[("spark.pyspark.python", "/conf/py")],
        );
        plan.env.pyspark_python = Some("envpy".into());
        plan.env.pyspark_driver_python = Some("envdriver".into());
        assert_eq!(
            env_pairs(&run(&plan).unwrap()),
            [
                ("PYSPARK_PYTHON".into(), "/conf/py".into()),
                ("PYSPARK_DRIVER_PYTHON".into(), "/conf/py".into())
            ]
        );
        plan.conf.set("spark.pyspark.driver.python", "/conf/driver");
        assert_eq!(env_pairs(&run(&plan).unwrap())[1].1, "/conf/driver");
        plan.conf.remove("spark.pyspark.python");
        plan.conf.remove("spark.pyspark.driver.python");
        assert_eq!(
            env_pairs(&run(&plan).unwrap()),
            [
                ("PYSPARK_PYTHON".into(), "envpy".into()),
                ("PYSPARK_DRIVER_PYTHON".into(), "envdriver".into())
            ]
        );
        plan.env = Default::default();
        assert!(env_pairs(&run(&plan).unwrap()).is_empty());
    }

    #[test]
    fn local_python_is_uploaded() {
        let plan = python_plan(
            "4.0.1",
            "file:/home/me/job.py",
            &[("spark.kubernetes.file.upload.path", "s3a://b/up")],
        );
        let spec = run(&plan).unwrap();
        let uuid = plan.ids.derived_uuid(derived::PRIMARY_RESOURCE_UPLOAD_UUID);
        let target = format!("s3a://b/up/spark-upload-{uuid}/job.py");
        assert_eq!(spec.container.args.unwrap()[5], target);
        assert_eq!(
            spec.uploads,
            [Upload {
                key: PRIMARY_RESOURCE.into(),
                local_path: "/home/me/job.py".into(),
                target
            }]
        );
        let plan = python_plan("4.0.1", "file:/home/me/job.py", &[]);
        assert_eq!(
            run(&plan).unwrap_err().to_string(),
            "Please specify spark.kubernetes.file.upload.path property."
        );
    }

    #[test]
    fn r_is_verbatim_and_not_uploaded() {
        let mut plan = test_plan("4.0.1");
        plan.app.resource_type = ResourceType::R;
        plan.app.primary_resource = Some("file:/home/me/a.R".into());
        let spec = run(&plan).unwrap();
        let args = spec.container.args.unwrap();
        assert_eq!(
            &args[4..6],
            ["org.apache.spark.deploy.RRunner", "file:/home/me/a.R"]
        );
        assert!(spec.uploads.is_empty());
        assert_eq!(
            spec.properties.get("spark.kubernetes.resource.type"),
            Some("r")
        );
    }

    #[test]
    fn deprecated_python_version_warns_before_4_1() {
        let conf = [("spark.kubernetes.pyspark.pythonVersion", "3")];
        let spec = run(&python_plan("4.0.1", "local:///a.py", &conf)).unwrap();
        assert_eq!(spec.warnings.len(), 1);
        let spec = run(&python_plan("4.1.0", "local:///a.py", &conf)).unwrap();
        assert!(spec.warnings.is_empty());
    }
}
