//! The reports made for people beside the terminal: the HTML page (no gap hidden,
//! repositories named as people know them, messages' code as code, findings grouped by
//! rule with counts) and the Markdown job summary (jobs coloured by their worst finding,
//! names quoted for Mermaid, links only where there is a page, the ignored counted).

use crate::{root, shiplint, stdout};

fn html(args: &[&str]) -> String {
    let mut all = vec!["audit", "-f", "html"];
    all.extend_from_slice(args);
    stdout(&shiplint(&all))
}

fn markdown(args: &[&str]) -> String {
    let mut all = vec!["audit", "-f", "markdown"];
    all.extend_from_slice(args);
    stdout(&shiplint(&all))
}

/// The page from its title on (the head holds only the style and the script).
fn body(page: &str) -> String {
    let start = page.find("<h1>").unwrap();
    let end = page.find("<script>").unwrap();
    page[start..end].to_string()
}

#[test]
fn the_html_page_lists_what_could_not_be_audited_and_counts_it() {
    let page = html(&[
        "testdata/repos/unparsable-workflow",
        "testdata/repos/static-keys",
    ]);
    assert!(page.contains("<div class=\"card gap\"><b>1</b>could not be audited</div>"));
    assert!(page.contains(
        "<li><code>.github/workflows/release.yml:4:5</code> invalid YAML: illegal placement of &#39;:&#39; indicator</li>"
    ));
    assert!(page.contains("Repository-settings rules were not evaluated"));
    insta::assert_snapshot!("unparsable_and_static_keys_html", body(&page));

    let clean = html(&["testdata/repos/exemplary"]);
    assert!(clean.contains("<div class=\"card\"><b>0</b>could not be audited</div>"));
    assert!(!clean.contains("Could not be audited ("));
}

#[test]
fn the_html_page_shows_code_spans_as_code_and_groups_findings_by_rule() {
    let page = html(&["testdata/repos/breaks-everything"]);
    assert!(!page.contains("`"), "a backtick is left in the page");
    assert!(page.contains("<code>aws-access-key-id</code>"));
    let groups = page.matches("<details class=\"g\"").count();
    let rules = page.matches("<th class=\"rot\"").count();
    assert_eq!(groups, rules, "one group per rule that fired");
    assert!(page.contains(
        "static-cloud-credentials</a></b> · 2 findings · Static cloud credentials</summary>"
    ));
}

#[test]
fn the_html_page_names_local_repositories_without_their_shared_folders() {
    let base = root().join("testdata/repos");
    let a = base.join("static-keys").display().to_string();
    let b = base.join("exemplary").display().to_string();
    let page = html(&[&a, &b]);
    assert!(page.contains(">static-keys</a></td>"), "{}", body(&page));
    assert!(page.contains("<h3 id=\"repo-"));
    assert!(page.contains(">exemplary</h3>"));
    // The full path is still there, as the row's title.
    assert!(page.contains(&format!("title=\"{a}\"")));
}

#[test]
fn markdown_colours_each_job_by_its_worst_finding() {
    // Only warnings: no job is drawn as an error.
    let md = markdown(&["testdata/rules/unpinned-action/tag-refs"]);
    assert!(md.contains(" warning\n"), "{md}");
    assert!(!md.contains(" error\n"), "{md}");
    let md = markdown(&["testdata/repos/breaks-everything"]);
    assert!(md.contains("  class w3j0 warning\n"), "{md}");
    assert!(md.contains("  class w0j0 error\n"), "{md}");
}

#[test]
fn markdown_quotes_names_for_mermaid() {
    let md = markdown(&["testdata/repos/hash-in-names"]);
    assert!(
        md.contains("subgraph w0[\"release #35;1; #lt;b#gt;hotfix#lt;/b#gt; (release.yml)\"]"),
        "{md}"
    );
    assert!(!md.contains("#1;"), "{md}");
}

#[test]
fn markdown_links_a_rule_only_to_its_page() {
    let md = markdown(&[
        "--policy",
        "testdata/policies/ecr-only",
        "testdata/repos/ecr-push",
    ]);
    assert!(!md.contains("]()"), "{md}");
    assert!(md.contains("| 🔴 error | `ecr-only` |"), "{md}");
}

#[test]
fn markdown_counts_the_ignored() {
    let md = markdown(&["testdata/repos/ignore-typo"]);
    assert!(
        md.contains(
            "**1 error**, **0 warnings**, **0 notes** in 1 file of 1 repository; 1 ignored."
        ),
        "{md}"
    );
}
