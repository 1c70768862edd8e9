//! The Makefile keeps its promises to a newcomer: its cargo invocations share one build
//! (so `make demo` after `make test` compiles nothing again), and `make test` stops at
//! once, with the command that installs it, where Chromium is missing and cannot be
//! installed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Command, Output};

use hubfix_tests::{unique, workspace};

/// The cargo subcommands that build (and so resolve features).
const BUILDING: [&str; 7] = [
    "build", "test", "bench", "clippy", "check", "run", "install",
];

/// The Makefile's recipe lines (those starting with a tab), with their target.
fn recipes() -> Vec<(String, String)> {
    let makefile = std::fs::read_to_string(workspace().join("Makefile")).unwrap();
    let mut target = String::new();
    let mut lines = Vec::new();
    for line in makefile.lines() {
        if let Some(recipe) = line.strip_prefix('\t') {
            lines.push((target.clone(), recipe.to_owned()));
        } else if let Some((name, _)) = line.split_once(':') {
            if !line.starts_with('#') && !name.contains(' ') && !name.contains('=') {
                target = name.to_owned();
            }
        }
    }
    lines
}

#[test]
fn every_cargo_invocation_in_the_makefile_selects_the_whole_workspace() {
    let makefile = std::fs::read_to_string(workspace().join("Makefile")).unwrap();
    assert!(
        makefile.contains("\nCARGO_PACKAGES := --workspace\n"),
        "CARGO_PACKAGES is the workspace"
    );
    let building: Vec<(String, String)> = recipes()
        .into_iter()
        .filter(|(_, line)| {
            let words: Vec<&str> = line.split_whitespace().collect();
            words
                .windows(2)
                .any(|w| w[0] == "cargo" && BUILDING.contains(&w[1]))
        })
        .collect();
    assert!(building.len() >= 8, "{building:?}");
    for (target, line) in &building {
        assert!(
            line.contains("$(CARGO_PACKAGES)"),
            "make {target}: `{line}` must select $(CARGO_PACKAGES), or it resolves other features and compiles the SDK again"
        );
        for narrowing in [
            " -p ",
            "--package",
            "--path",
            "--manifest-path",
            "--exclude",
        ] {
            assert!(
                !line.contains(narrowing),
                "make {target}: `{line}` narrows the package set with {narrowing}"
            );
        }
    }
}

/// Each package's feature sets in the workspace's dependency graph, with or without
/// dev-dependencies, as `cargo tree` resolves them (a package built both for the host
/// and the target may have two).
fn features(with_dev: bool) -> BTreeMap<String, BTreeSet<String>> {
    let edges = if with_dev {
        "normal,build,dev"
    } else {
        "normal,build"
    };
    let out = Command::new(env!("CARGO"))
        .args(["tree", "--locked", "--offline", "--workspace", "--prefix"])
        .args(["none", "-e", edges, "-f", "{p}|{f}"])
        .current_dir(workspace())
        .output()
        .expect("run cargo tree");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let line = line.trim_end_matches(" (*)");
        if let Some((package, features)) = line.split_once('|') {
            graph
                .entry(package.to_owned())
                .or_default()
                .insert(features.to_owned());
        }
    }
    graph
}

#[test]
fn dev_dependencies_add_no_features_to_what_builds_share() {
    let build = features(false);
    let test = features(true);
    assert!(
        build.keys().any(|p| p.starts_with("aws-sdk-s3 ")),
        "{build:?}"
    );
    let differing: Vec<String> = build
        .iter()
        .filter(|(package, sets)| test.get(*package) != Some(sets))
        .map(|(package, sets)| format!("{package}: {sets:?} built, {:?} tested", test.get(package)))
        .collect();
    assert!(
        differing.is_empty(),
        "dev-dependencies change the features of crates the binaries use, so `make demo` \
         after `make test` compiles them (and everything above them) again; turn the \
         features on for every build, as tests/Cargo.toml does for regex-syntax:\n{}",
        differing.join("\n")
    );
}

#[test]
fn make_test_checks_chromium_before_anything_else() {
    let makefile = std::fs::read_to_string(workspace().join("Makefile")).unwrap();
    let prerequisites = makefile
        .lines()
        .find_map(|l| l.strip_prefix("test:"))
        .expect("a test target");
    assert_eq!(
        prerequisites.split_whitespace().next(),
        Some("chromium"),
        "{prerequisites}"
    );
    let chromium_recipe: Vec<String> = recipes()
        .into_iter()
        .filter(|(target, _)| target == "chromium")
        .map(|(_, line)| line)
        .collect();
    assert_eq!(chromium_recipe, ["@sh tests/chromium.sh"]);
}

/// A directory of stand-in commands for tests/chromium.sh, removed when dropped: `id`
/// answering `uid`, and each of `tools` logging its arguments; an `apt-get install`
/// puts a `chromium` there.
struct Machine {
    dir: PathBuf,
}

impl Machine {
    fn new(uid: u32, tools: &[&str]) -> Machine {
        let dir = std::env::temp_dir().join(unique("hubfix-chromium-check"));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("calls.log");
        let machine = Machine { dir };
        machine.command("id", &format!("echo {uid}"));
        for tool in tools {
            let mut script = format!("echo \"{tool} $*\" >> {}", log.display());
            if *tool == "apt-get" {
                script.push_str(&format!(
                    "\nif [ \"$1\" = install ]; then printf '#!/bin/sh\\n' > {0}/chromium; /bin/chmod +x {0}/chromium; fi",
                    machine.dir.display()
                ));
            }
            machine.command(tool, &script);
        }
        machine
    }

    /// Puts an executable shell script named `name` on the machine's PATH.
    fn command(&self, name: &str, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = self.dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    /// Runs the check with only this machine's commands on PATH; its output and the
    /// stand-ins' calls.
    fn check_chromium(&self, env: &[(&str, &str)]) -> (Output, String) {
        let out = Command::new("/bin/sh")
            .arg(workspace().join("tests/chromium.sh"))
            .env_clear()
            .env("PATH", &self.dir)
            .envs(env.iter().copied())
            .output()
            .expect("run tests/chromium.sh");
        let calls = std::fs::read_to_string(self.dir.join("calls.log")).unwrap_or_default();
        (out, calls)
    }
}

impl Drop for Machine {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn chromium_on_path_passes_without_installing_anything() {
    let machine = Machine::new(1000, &["apt-get"]);
    machine.command("chromium-browser", "");
    let (out, calls) = machine.check_chromium(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(calls, "");
}

#[test]
fn root_on_debian_installs_chromium() {
    let machine = Machine::new(0, &["apt-get"]);
    let (out, calls) = machine.check_chromium(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        calls,
        "apt-get update\napt-get install -y --no-install-recommends chromium\n"
    );
    assert!(machine.dir.join("chromium").exists());
}

#[test]
fn without_root_it_stops_at_once_with_the_command_that_installs_chromium() {
    let machine = Machine::new(1000, &["apt-get"]);
    let (out, calls) = machine.check_chromium(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(calls, "", "nothing tried");
    let expected = "Install it with:  sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends chromium'";
    assert!(stderr(&out).contains(expected), "{}", stderr(&out));
}

#[test]
fn without_apt_it_stops_with_the_package_managers_command() {
    for (uid, tool, command) in [
        (0, "dnf", "Install it with:  dnf install -y chromium"),
        (
            1000,
            "dnf",
            "Install it with:  sudo dnf install -y chromium",
        ),
        (
            1000,
            "pacman",
            "Install it with:  sudo pacman -S --noconfirm chromium",
        ),
        (
            501,
            "brew",
            "Install it with:  brew install --cask chromium",
        ),
    ] {
        let machine = Machine::new(uid, &[tool]);
        let (out, calls) = machine.check_chromium(&[]);
        assert_eq!(out.status.code(), Some(1), "{tool} as {uid}");
        assert_eq!(calls, "", "{tool} as {uid}: nothing tried");
        assert!(stderr(&out).contains(command), "{}", stderr(&out));
    }
    let (out, _) = Machine::new(1000, &[]).check_chromium(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("does not know this machine's package manager"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn hubfix_chromium_names_the_binary() {
    let machine = Machine::new(1000, &["apt-get"]);
    let browser = machine.command("my-chrome", "");
    let (out, _) = machine.check_chromium(&[("HUBFIX_CHROMIUM", browser.to_str().unwrap())]);
    assert!(out.status.success(), "{}", stderr(&out));
    let missing = machine.dir.join("no-such-browser");
    let (out, calls) = machine.check_chromium(&[("HUBFIX_CHROMIUM", missing.to_str().unwrap())]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(calls, "");
    assert!(
        stderr(&out).contains("is not an executable file"),
        "{}",
        stderr(&out)
    );
}
