//! The README's supported-controls table is the registry's, word for word.

use hubfix::registry::markdown_table;
use hubfix_tests::{check_generated, workspace};

#[test]
fn readme_controls_table_matches_the_registry() {
    check_generated(
        &workspace().join("README.md"),
        "<!-- controls:start -->\n",
        "<!-- controls:end -->",
        &markdown_table(),
    );
}
