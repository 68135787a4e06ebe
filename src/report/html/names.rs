//! How the page names repositories: `OWNER/NAME` where it is known, else the path without
//! the folders every audited path shares (a sweep of local clones under `/home/…/clones`
//! lists `api`, `web`, not the same long prefix on every row). Names stay unique: where two
//! repositories would share one, both keep their full display.

use std::collections::BTreeMap;

use crate::audit::AuditReport;

/// The folders (`a/b/`) that every path in `paths` starts with, when there are any.
fn common_folder<'a>(paths: &[&'a str]) -> &'a str {
    let Some(first) = paths.first() else {
        return "";
    };
    let mut end = first.rfind('/').map_or(0, |i| i + 1);
    for p in &paths[1..] {
        while end > 0 && !(p.len() > end && p.is_char_boundary(end) && p[..end] == first[..end]) {
            end = first[..end - 1].rfind('/').map_or(0, |i| i + 1);
        }
    }
    &first[..end]
}

/// The name shown for each repository display name of `report` (its repositories, and
/// those only its errors name).
pub fn shown_names(report: &AuditReport) -> BTreeMap<String, String> {
    let mut displays: Vec<&str> = report.repos.iter().map(|r| r.display.as_str()).collect();
    displays.extend(report.errors.iter().filter_map(|e| e.repository.as_deref()));
    displays.sort_unstable();
    displays.dedup();
    let slug_of = |d: &str| {
        report
            .repos
            .iter()
            .find(|r| r.display == d)
            .and_then(|r| r.slug.clone())
    };
    let paths: Vec<&str> = displays
        .iter()
        .copied()
        .filter(|d| slug_of(d).is_none() && d.starts_with('/'))
        .collect();
    let prefix = common_folder(&paths);
    let mut names: BTreeMap<String, String> = displays
        .iter()
        .map(|d| {
            let shown = match slug_of(d) {
                Some(slug) => slug,
                None if d.starts_with('/') && !prefix.is_empty() => d[prefix.len()..].to_string(),
                None => d.to_string(),
            };
            (d.to_string(), shown)
        })
        .collect();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for shown in names.values() {
        *seen.entry(shown.clone()).or_default() += 1;
    }
    for (display, shown) in names.iter_mut() {
        if seen[shown.as_str()] > 1 {
            shown.clone_from(display);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::RepoSummary;

    fn repo(display: &str, slug: Option<&str>) -> RepoSummary {
        RepoSummary {
            display: display.into(),
            files: 1,
            settings_evaluated: false,
            slug: slug.map(str::to_string),
            graph: None,
            trace: None,
        }
    }

    #[test]
    fn owner_and_name_where_known_else_the_path_without_the_shared_folders() {
        let report = AuditReport {
            repos: vec![
                repo("/home/ci/clones/acme__api", None),
                repo("/home/ci/clones/acme__web", None),
                repo("/home/ci/clones/tools", Some("acme/tools")),
                repo("testdata/repos/exemplary", None),
            ],
            ..AuditReport::default()
        };
        let names = shown_names(&report);
        assert_eq!(names["/home/ci/clones/acme__api"], "acme__api");
        assert_eq!(names["/home/ci/clones/acme__web"], "acme__web");
        assert_eq!(names["/home/ci/clones/tools"], "acme/tools");
        assert_eq!(
            names["testdata/repos/exemplary"],
            "testdata/repos/exemplary"
        );
        // One absolute path: its folder's name.
        let one = AuditReport {
            repos: vec![repo("/srv/checkout/api", None)],
            ..AuditReport::default()
        };
        assert_eq!(shown_names(&one)["/srv/checkout/api"], "api");
        assert_eq!(common_folder(&["/a/bc/x", "/a/b/y"]), "/a/");
    }

    #[test]
    fn names_that_would_collide_keep_their_paths() {
        let report = AuditReport {
            repos: vec![
                repo("/w/one/api", Some("acme/api")),
                repo("/w/two/api", Some("acme/api")),
            ],
            ..AuditReport::default()
        };
        let names = shown_names(&report);
        assert_eq!(names["/w/one/api"], "/w/one/api");
        assert_eq!(names["/w/two/api"], "/w/two/api");
    }
}
