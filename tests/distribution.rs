//! Distribution: the krew manifest, the release archive, the man pages, the release profile.
//!
//! - The committed `plugin-manifest/spark.yaml` is a template; `plugin-manifest/release.sh`
//!   fills it. The test runs the script on the debug binary (stripped, fast gzip: no LTO build
//!   in CI), checks the filled manifest against krew's validation rules, then installs the way
//!   krew does: finds the platform for this machine, checks the archive's sha256, unpacks it,
//!   applies the `files` operations and runs the declared `bin` with `--help` and `version`.
//! - The committed `man/` pages are what the binary generates, and each renders with
//!   `man -l` (package man-db; else groff or mandoc) without warnings.
//!
//! Regenerate the man pages after changing the CLI: `KSPARK_BLESS=1 cargo test --test distribution`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_kubectl-spark");
const PLATFORMS: [(&str, &str); 5] = [
    ("linux", "amd64"),
    ("linux", "arm64"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
    ("windows", "amd64"),
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// krew's platform names for this machine.
fn host_platform() -> (&'static str, &'static str) {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    (os, arch)
}

// ------------------------------------------------------------------------------------------------
// krew's rules
// ------------------------------------------------------------------------------------------------

/// `vMAJOR.MINOR.PATCH[-PRE][+BUILD]`, as krew's semver parser (leading `v` required).
fn is_krew_semver(version: &str) -> bool {
    let Some(rest) = version.strip_prefix('v') else {
        return false;
    };
    let (rest, build) = rest
        .split_once('+')
        .map_or((rest, None), |(a, b)| (a, Some(b)));
    let (core, pre) = rest
        .split_once('-')
        .map_or((rest, None), |(a, b)| (a, Some(b)));
    let number = |p: &str| {
        !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) && (p == "0" || !p.starts_with('0'))
    };
    let ident = |s: &str| {
        !s.is_empty()
            && s.split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    };
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| number(p))
        && pre.is_none_or(ident)
        && build.is_none_or(ident)
}

/// krew's `ValidatePlugin` (internal/index/validation) plus the index's checks that two
/// platforms never match the same os/arch. `file_stem` is the manifest's file name without
/// `.yaml`. Returns every problem found.
fn krew_problems(plugin: &Value, file_stem: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut check = |ok: bool, problem: String| {
        if !ok {
            problems.push(problem);
        }
    };
    check(
        str_at(plugin, "/apiVersion") == "krew.googlecontainertools.github.com/v1alpha2",
        format!("apiVersion is {:?}", str_at(plugin, "/apiVersion")),
    );
    check(
        str_at(plugin, "/kind") == "Plugin",
        format!("kind is {:?}", str_at(plugin, "/kind")),
    );
    let name = str_at(plugin, "/metadata/name");
    let safe = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    let windows_reserved = ["CON", "PRN", "AUX", "NUL"]
        .iter()
        .any(|r| r.eq_ignore_ascii_case(name))
        || (name.len() == 4
            && (name[..3].eq_ignore_ascii_case("COM") || name[..3].eq_ignore_ascii_case("LPT"))
            && name[3..].chars().all(|c| ('1'..='9').contains(&c)));
    check(
        safe && !windows_reserved,
        format!("plugin name {name:?} is not allowed"),
    );
    check(
        name == file_stem,
        format!("plugin should be named {file_stem:?}, not {name:?}"),
    );
    let short = str_at(plugin, "/spec/shortDescription");
    check(!short.is_empty(), "should have a short description".into());
    check(
        !short.contains(['\r', '\n']),
        "short description has a line break".into(),
    );
    let version = str_at(plugin, "/spec/version");
    check(
        is_krew_semver(version),
        format!("version {version:?} is not v-prefixed semver"),
    );
    let platforms = plugin
        .pointer("/spec/platforms")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    check(
        !platforms.is_empty(),
        "should have a platform specified".into(),
    );
    let mut matched = BTreeSet::new();
    for (i, p) in platforms.iter().enumerate() {
        let at = format!("platforms[{i}]");
        check(
            !str_at(p, "/uri").is_empty(),
            format!("{at}: `uri` has to be set"),
        );
        let sha = str_at(p, "/sha256");
        check(
            sha.len() == 64 && sha.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')),
            format!("{at}: `sha256` {sha:?} must match ^[a-f0-9]{{64}}$"),
        );
        check(
            !str_at(p, "/bin").is_empty(),
            format!("{at}: `bin` has to be set"),
        );
        if let Some(files) = p.get("files") {
            let files = files.as_array().cloned().unwrap_or_default();
            check(
                !files.is_empty(),
                format!("{at}: `files` has to be unspecified or non-empty"),
            );
            for f in &files {
                check(
                    !str_at(f, "/from").is_empty() && !str_at(f, "/to").is_empty(),
                    format!("{at}: every file operation needs `from` and `to`"),
                );
            }
        }
        let labels = p
            .pointer("/selector/matchLabels")
            .and_then(Value::as_object);
        check(
            labels.is_some_and(|l| !l.is_empty()),
            format!("{at}: empty selector"),
        );
        for key in labels.into_iter().flat_map(|l| l.keys()) {
            check(
                key == "os" || key == "arch",
                format!("{at}: selector key {key:?} not supported"),
            );
        }
        check(
            p.pointer("/selector/matchExpressions").is_none(),
            format!("{at}: use matchLabels only"),
        );
        let os = str_at(p, "/selector/matchLabels/os").to_string();
        let arch = str_at(p, "/selector/matchLabels/arch").to_string();
        check(
            !os.is_empty() && !arch.is_empty(),
            format!("{at}: selector must name os and arch"),
        );
        check(
            matched.insert((os.clone(), arch.clone())),
            format!("{at}: {os}/{arch} matched by two platforms"),
        );
    }
    problems
}

#[test]
fn krew_rules_catch_bad_manifests() {
    let good: Value = serde_json::json!({
        "apiVersion": "krew.googlecontainertools.github.com/v1alpha2", "kind": "Plugin",
        "metadata": {"name": "spark"},
        "spec": {"version": "v1.2.3", "shortDescription": "x", "platforms": [
            {"selector": {"matchLabels": {"os": "linux", "arch": "amd64"}}, "uri": "https://x/a.tar.gz",
             "sha256": "a".repeat(64), "bin": "kubectl-spark", "files": [{"from": "kubectl-spark", "to": "."}]}]}
    });
    assert_eq!(krew_problems(&good, "spark"), Vec::<String>::new());
    assert_eq!(krew_problems(&good, "spork").len(), 1);
    let mut bad = good.clone();
    bad["spec"]["version"] = "1.2.3".into();
    assert_eq!(krew_problems(&bad, "spark").len(), 1);
    let mut bad = good.clone();
    bad["spec"]["platforms"][0]["sha256"] = "{{SHA256_LINUX_AMD64}}".into();
    assert_eq!(krew_problems(&bad, "spark").len(), 1);
    let mut bad = good.clone();
    let twin = bad["spec"]["platforms"][0].clone();
    bad["spec"]["platforms"].as_array_mut().unwrap().push(twin);
    assert_eq!(
        krew_problems(&bad, "spark"),
        ["platforms[1]: linux/amd64 matched by two platforms"]
    );
    assert!(
        is_krew_semver("v0.1.0-rc.1+build.5")
            && !is_krew_semver("v01.1.0")
            && !is_krew_semver("v1.2")
    );
}

// ------------------------------------------------------------------------------------------------
// The template and the release script
// ------------------------------------------------------------------------------------------------

#[test]
fn manifest_template_declares_every_platform_once() {
    let template = yaml(&repo().join("plugin-manifest/spark.yaml"));
    // Everything but the checksums (and the version they are built from) is final already.
    let problems = krew_problems(&template, "spark");
    let expected: Vec<String> = (0..PLATFORMS.len())
        .map(|i| {
            format!(
                "platforms[{i}]: `sha256` {:?} must match ^[a-f0-9]{{64}}$",
                placeholder(PLATFORMS[i])
            )
        })
        .collect();
    let problems: Vec<String> = problems
        .into_iter()
        .filter(|p| !p.starts_with("version "))
        .collect();
    assert_eq!(problems, expected);
    assert_eq!(str_at(&template, "/spec/version"), "{{VERSION}}");
    let platforms = template
        .pointer("/spec/platforms")
        .unwrap()
        .as_array()
        .unwrap();
    for (p, (os, arch)) in platforms.iter().zip(PLATFORMS) {
        assert_eq!(
            (
                str_at(p, "/selector/matchLabels/os"),
                str_at(p, "/selector/matchLabels/arch")
            ),
            (os, arch)
        );
        assert_eq!(
            str_at(p, "/uri"),
            format!(
                "https://github.com/kubectl-spark/kubectl-spark/releases/download/{{{{VERSION}}}}/\
                 kubectl-spark-{{{{VERSION}}}}-{os}-{arch}.tar.gz"
            )
        );
        let exe = if os == "windows" {
            "kubectl-spark.exe"
        } else {
            "kubectl-spark"
        };
        assert_eq!(str_at(p, "/bin"), exe);
        assert_eq!(str_at(p, "/files/0/from"), exe);
    }
    assert!(str_at(&template, "/spec/caveats").contains("kubectl spark setup"));
}

fn placeholder((os, arch): (&str, &str)) -> String {
    format!(
        "{{{{SHA256_{}_{}}}}}",
        os.to_uppercase(),
        arch.to_uppercase()
    )
}

fn sha256(path: &Path) -> String {
    let out = match Command::new("sha256sum").arg(path).output() {
        Ok(out) if out.status.success() => out,
        _ => run(Command::new("shasum").args(["-a", "256"]).arg(path)),
    };
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// krew's file operation for a plain (non-glob) `from`: the file or directory moves to `to`,
/// or keeps its name when `to` is `.`.
fn krew_move(extracted: &Path, install: &Path, from: &str, to: &str) {
    assert!(
        !from.contains(['*', '?', '[']),
        "this simulation does not expand globs: {from}"
    );
    let source = extracted.join(from);
    assert!(
        source.exists(),
        "the archive has no {from} (a file operation names it)"
    );
    let target = if to == "." {
        install.join(source.file_name().unwrap())
    } else {
        install.join(to)
    };
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::rename(&source, &target).unwrap();
}

#[test]
fn release_archive_installs_like_krew() {
    let dist = tempfile::tempdir().unwrap();
    // The debug binary, stripped when `strip` exists: a few MB instead of ~200.
    let binary = dist.path().join("bin/kubectl-spark");
    std::fs::create_dir_all(binary.parent().unwrap()).unwrap();
    std::fs::copy(BIN, &binary).unwrap();
    let _ = Command::new("strip").arg(&binary).status();
    let out = dist.path().join("dist");
    let release = run(Command::new(repo().join("plugin-manifest/release.sh"))
        .args([
            "--binary",
            binary.to_str().unwrap(),
            "--gzip-level",
            "1",
            "--out",
        ])
        .arg(&out));
    let log = String::from_utf8_lossy(&release.stderr);

    // The filled manifest obeys krew's rules and holds only the platform built here.
    let manifest = yaml(&out.join("spark.yaml"));
    assert_eq!(krew_problems(&manifest, "spark"), Vec::<String>::new());
    let version = format!("v{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(str_at(&manifest, "/spec/version"), version);
    let (os, arch) = host_platform();
    let platforms = manifest
        .pointer("/spec/platforms")
        .unwrap()
        .as_array()
        .unwrap();
    let matching: Vec<&Value> = platforms
        .iter()
        .filter(|p| {
            str_at(p, "/selector/matchLabels/os") == os
                && str_at(p, "/selector/matchLabels/arch") == arch
        })
        .collect();
    assert_eq!((platforms.len(), matching.len()), (1, 1), "{platforms:?}");
    assert!(
        log.contains("warning: leaving out platforms without an archive checksum"),
        "{log}"
    );
    let platform = matching[0];
    let text = std::fs::read_to_string(out.join("spark.yaml")).unwrap();
    assert!(!text.contains("{{") && !text.contains("TEMPLATE"), "{text}");

    // The archive the uri names, with the declared checksum.
    let uri = str_at(platform, "/uri");
    let archive_name = uri.rsplit('/').next().unwrap();
    assert_eq!(
        archive_name,
        format!("kubectl-spark-{version}-{os}-{arch}.tar.gz")
    );
    assert!(
        uri.contains(&format!("/releases/download/{version}/")),
        "{uri}"
    );
    let archive = out.join(archive_name);
    assert_eq!(sha256(&archive), str_at(platform, "/sha256"));
    let sumfile = std::fs::read_to_string(out.join(format!("{archive_name}.sha256"))).unwrap();
    assert_eq!(
        sumfile,
        format!("{}  {archive_name}\n", str_at(platform, "/sha256"))
    );

    // Unpack and install as krew does.
    let listing =
        String::from_utf8(run(Command::new("tar").arg("-tzf").arg(&archive)).stdout).unwrap();
    for entry in listing.lines() {
        assert!(
            !entry.starts_with('/') && !entry.split('/').any(|p| p == ".."),
            "unsafe entry {entry}"
        );
    }
    let extracted = dist.path().join("extracted");
    let install = dist.path().join("store/spark").join(&version);
    std::fs::create_dir_all(&extracted).unwrap();
    std::fs::create_dir_all(&install).unwrap();
    run(Command::new("tar")
        .arg("-xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&extracted));
    for op in platform
        .pointer("/files")
        .and_then(Value::as_array)
        .unwrap()
    {
        krew_move(&extracted, &install, str_at(op, "/from"), str_at(op, "/to"));
    }
    let bin = install.join(str_at(platform, "/bin"));
    assert!(
        bin.is_file(),
        "the declared bin {} is not in the archive",
        bin.display()
    );
    for extra in [
        "README.md",
        "completions/kubectl_complete-spark",
        "completions/kubectl-spark.bash",
        "man/kubectl-spark.1",
    ] {
        assert!(
            install.join(extra).is_file(),
            "{extra} missing from the install"
        );
    }

    let help = run(Command::new(&bin).arg("--help"));
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("Usage: kubectl spark"), "{help}");
    let home = dist.path().join("home");
    let version_out = run(Command::new(&bin)
        .arg("version")
        .env("KUBECONFIG", home.join("missing"))
        .env("HOME", &home)
        .env_remove("KUBERNETES_SERVICE_HOST"));
    let text = String::from_utf8_lossy(&version_out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        format!("kubectl-spark: {}", env!("CARGO_PKG_VERSION"))
    );
    assert!(lines[1].starts_with("server: unavailable"), "{text}");
    assert!(lines[2].starts_with("spark versions: 3.5 to 4.3"), "{text}");

    // Publishing needs every platform's checksum; the script never makes one up.
    let refused = Command::new(repo().join("plugin-manifest/release.sh"))
        .args(["--manifest-only", "--require-all", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("no archive checksum for:"), "{stderr}");
}

// ------------------------------------------------------------------------------------------------
// Man pages
// ------------------------------------------------------------------------------------------------

#[test]
fn man_pages_are_up_to_date_and_render() {
    let generated = tempfile::tempdir().unwrap();
    run(Command::new(BIN).arg("__man").arg(generated.path()));
    let names = |dir: &Path| -> BTreeSet<String> {
        std::fs::read_dir(dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let committed_dir = repo().join("man");
    let pages = names(generated.path());
    assert!(
        pages.contains("kubectl-spark.1") && pages.contains("kubectl-spark-submit.1"),
        "{pages:?}"
    );
    let committed = names(&committed_dir);
    let stale: Vec<&String> = pages
        .iter()
        .filter(|p| {
            std::fs::read(generated.path().join(p)).ok()
                != std::fs::read(committed_dir.join(p)).ok()
        })
        .chain(committed.iter().filter(|p| !pages.contains(*p)))
        .collect();
    if std::env::var_os("KSPARK_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(&committed_dir);
        std::fs::create_dir_all(&committed_dir).unwrap();
        for page in &pages {
            std::fs::copy(generated.path().join(page), committed_dir.join(page)).unwrap();
        }
    } else {
        assert!(
            stale.is_empty(),
            "man/ is out of date with the CLI ({stale:?}): regenerate with \
             `KSPARK_BLESS=1 cargo test --test distribution` and commit it"
        );
    }
    // `kubectl-spark __man` alone prints the top page.
    let top = run(Command::new(BIN).arg("__man")).stdout;
    assert_eq!(
        top,
        std::fs::read(generated.path().join("kubectl-spark.1")).unwrap()
    );

    for page in &pages {
        let path = generated.path().join(page);
        let Some(rendered) = render_man(&path) else {
            return;
        };
        let title = page.trim_end_matches(".1");
        assert!(
            rendered.contains("NAME") && rendered.contains("SYNOPSIS"),
            "{page}:\n{rendered}"
        );
        assert!(rendered.contains(title), "{page} does not name {title}");
    }
}

/// Renders with `man -l` (man-db), else groff, else mandoc; fails on any warning. `None` (and a
/// note) when none is installed, which fails under CI=true.
fn render_man(path: &Path) -> Option<String> {
    let attempts: [(&str, Vec<&str>); 3] = [
        ("man", vec!["--warnings", "-l"]),
        ("groff", vec!["-man", "-Tutf8", "-ww"]),
        ("mandoc", vec!["-W", "warning", "-T", "utf8"]),
    ];
    for (program, args) in attempts {
        let Ok(out) = Command::new(program)
            .args(&args)
            .arg(path)
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .env("MANWIDTH", "100")
            .env("LC_ALL", "C.UTF-8")
            .output()
        else {
            continue;
        };
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.trim().is_empty(),
            "{program} {}: {stderr}",
            path.display()
        );
        return Some(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    assert_ne!(
        std::env::var("CI").as_deref(),
        Ok("true"),
        "no man page renderer: apt-get install man-db (or groff-base, or mandoc)"
    );
    eprintln!("SKIPPED rendering: install man-db (or groff-base, or mandoc)");
    None
}

// ------------------------------------------------------------------------------------------------
// Release build settings
// ------------------------------------------------------------------------------------------------

#[test]
fn release_profile_is_tuned_and_tls_is_rustls_only() {
    let manifest = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let profile = manifest
        .split("[profile.release]")
        .nth(1)
        .expect("a [profile.release]");
    let profile = profile.split("\n[").next().unwrap();
    for setting in [
        "lto = true",
        "codegen-units = 1",
        "strip = true",
        "panic = \"abort\"",
    ] {
        assert!(
            profile.contains(setting),
            "[profile.release] lacks `{setting}`"
        );
    }
    // One crypto provider (ring through rustls); nothing that links OpenSSL at run time.
    let lock = std::fs::read_to_string(repo().join("Cargo.lock")).unwrap();
    let packages: BTreeSet<&str> = lock
        .lines()
        .filter_map(|l| l.strip_prefix("name = \"")?.strip_suffix('"'))
        .collect();
    for forbidden in [
        "openssl-sys",
        "openssl",
        "native-tls",
        "aws-lc-sys",
        "aws-lc-rs",
    ] {
        assert!(
            !packages.contains(forbidden),
            "Cargo.lock pulls in {forbidden}"
        );
    }
    for needed in ["rustls", "ring"] {
        assert!(packages.contains(needed), "Cargo.lock lacks {needed}");
    }
}
