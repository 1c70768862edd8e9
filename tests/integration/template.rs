//! The SAM templates grant exactly the IAM actions the registry declares, never a
//! wildcard (a Deny, such as the audit bucket's TLS-only policy, may cover every
//! action), and route to the automatic path exactly the controls in automatic mode.

use hubfix::policy::{Mode, Policy};
use hubfix::registry::{all_iam_actions, rules};
use hubfix_tests::{check_generated, workspace};

const START: &str = "# hubfix:iam-actions:start\n";
const END: &str = "# hubfix:iam-actions:end";

fn action_block(indent: &str) -> String {
    let mut block: String = all_iam_actions()
        .iter()
        .map(|a| format!("{indent}- {a}\n"))
        .collect();
    block.push_str(indent);
    block
}

fn indent_of_marker(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.trim() == START.trim())
        .expect("marker line");
    line[..line.len() - line.trim_start().len()].to_owned()
}

#[test]
fn templates_grant_exactly_the_registry_actions() {
    for file in ["template.yaml", "templates/member-role.yaml"] {
        let path = workspace().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let indent = indent_of_marker(&text);
        check_generated(&path, START, END, &action_block(&indent));
    }
}

#[test]
fn templates_have_no_wildcard_actions() {
    for file in ["template.yaml", "templates/member-role.yaml"] {
        let text = std::fs::read_to_string(workspace().join(file)).unwrap();
        let mut effect = "";
        for line in text.lines().map(str::trim) {
            if let Some(e) = line.strip_prefix("Effect:") {
                effect = e.trim();
            }
            if effect == "Deny" {
                continue;
            }
            let action = line
                .trim_start_matches("- ")
                .trim_start_matches("Action:")
                .trim();
            let looks_like_action =
                action.contains(':') && !action.contains(' ') && !action.starts_with('!');
            if looks_like_action || line.starts_with("Action:") {
                assert!(!action.contains('*'), "{file}: wildcard action in `{line}`");
            }
        }
    }
}

#[test]
fn auto_controls_default_is_the_controls_in_automatic_mode() {
    let policy = Policy::default();
    let auto: Vec<_> = rules()
        .iter()
        .filter(|r| policy.mode(r) == Mode::Auto)
        .map(|r| r.control_id)
        .collect();
    let path = workspace().join("template.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let indent = "    ";
    assert!(text.contains("# hubfix:auto-controls:start"));
    check_generated(
        &path,
        "# hubfix:auto-controls:start\n",
        "# hubfix:auto-controls:end",
        &format!("{indent}Default: \"{}\"\n{indent}", auto.join(",")),
    );
}
