//! A generated organization for org sweeps: N repositories whose workflows and settings
//! follow from their number, so a test (or the benchmark) can say what a sweep must find
//! without any recorded bodies. Its listing can misbehave as servers do: a `Link` loop back
//! to the first page, and items repeated across pages (GitHub's listing under churn).

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{json, Value as Json};

use super::fake_github::Reply;

/// Repositories per page of the org listing, as GitHub pages them with `per_page=100`.
const PAGE: usize = 100;

/// `size` repositories `repo-000`, `repo-001`, ... of the organization `name`.
#[derive(Debug, Clone)]
pub struct SyntheticOrg {
    name: String,
    size: usize,
    /// Every tenth repository archived and every fifteenth a fork (else all active).
    inactive_ones: bool,
    /// Repositories per listing page.
    page: usize,
    /// The last page links back to the first.
    link_loop: bool,
    /// Every page after the first starts with the previous page's last item again.
    churn: bool,
    /// Repositories with this many more workflow files (`wf-0000.yml`, ...).
    wide: BTreeMap<usize, usize>,
}

impl SyntheticOrg {
    /// Every tenth repository (`repo-009`, `repo-019`, ...) is archived and every fifteenth
    /// (`repo-014`, ...) a fork, which a sweep skips by default.
    pub fn new(name: &str, size: usize) -> SyntheticOrg {
        SyntheticOrg {
            name: name.to_string(),
            size,
            inactive_ones: true,
            page: PAGE,
            link_loop: false,
            churn: false,
            wide: BTreeMap::new(),
        }
    }

    /// The listing pages `n` repositories at a time (GitHub: 100).
    pub fn page_size(mut self, n: usize) -> SyntheticOrg {
        self.page = n.max(1);
        self
    }

    /// The last page of the listing says `rel="next"` is the first page: a loop.
    pub fn link_loop(mut self) -> SyntheticOrg {
        self.link_loop = true;
        self
    }

    /// Each page after the first repeats the previous page's last repository, as
    /// GitHub's listing does when repositories are created while it is paged.
    pub fn churn(mut self) -> SyntheticOrg {
        self.churn = true;
        self
    }

    /// Repository `i` has `n` more workflow files, `wf-0000.yml` ... (each like `ci.yml`).
    pub fn wide(mut self, i: usize, n: usize) -> SyntheticOrg {
        self.wide.insert(i, n);
        self
    }

    /// No repository archived or a fork: a sweep audits all of them (the benchmark's org).
    #[allow(dead_code)] // used by examples/fake_github.rs
    pub fn all_active(mut self) -> SyntheticOrg {
        self.inactive_ones = false;
        self
    }

    /// The name of repository `i`.
    pub fn repo_name(i: usize) -> String {
        format!("repo-{i:03}")
    }

    /// The API path of repository `i` (`/repos/ORG/repo-NNN`): its metadata, which a
    /// sweep of the org's listing never asks for (the listing has it).
    pub fn repo_path(&self, i: usize) -> String {
        format!("/repos/{}/{}", self.name, Self::repo_name(i))
    }

    /// The git tree of repository `i`'s default branch: the first request a sweep makes
    /// for it, where faults are injected.
    pub fn tree_path(&self, i: usize) -> String {
        format!("{}/git/trees/main", self.repo_path(i))
    }

    /// True when repository `i` is archived.
    pub fn archived(&self, i: usize) -> bool {
        self.inactive_ones && i % 10 == 9
    }

    /// True when repository `i` is a fork.
    pub fn fork(&self, i: usize) -> bool {
        self.inactive_ones && i % 15 == 14
    }

    /// Slugs (`ORG/repo-NNN`) a sweep keeps by default (neither archived nor forks), in order.
    pub fn active(&self) -> Vec<String> {
        (0..self.size)
            .filter(|&i| !self.archived(i) && !self.fork(i))
            .map(|i| format!("{}/{}", self.name, Self::repo_name(i)))
            .collect()
    }

    /// Workflow files of repository `i`: `ci.yml` always (an unpinned third-party action),
    /// `release.yml` for every third (deploys with static AWS keys).
    pub fn workflows(i: usize) -> Vec<(&'static str, String)> {
        let mut files = vec![(
            "ci.yml",
            "name: ci\non: [pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: someone/lint-action@v2\n      - run: make test\n".to_string(),
        )];
        if i % 3 == 0 {
            files.push((
                "release.yml",
                "name: deploy\non:\n  push:\n    branches: [main]\npermissions:\n  contents: read\njobs:\n  deploy:\n    runs-on: ubuntu-24.04\n    environment: production\n    steps:\n      - uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502\n        with:\n          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}\n          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n          aws-region: eu-west-1\n      - run: aws ecs update-service --cluster prod --service api --force-new-deployment\n".to_string(),
            ));
        }
        files
    }

    /// The repository's own `.github/shiplint.yml`: repository 6 disables
    /// `static-cloud-credentials` and names policies of its own (which an audit through
    /// the API does not load).
    pub fn config(i: usize) -> Option<&'static str> {
        (i == 6).then_some(
            "rules:\n  static-cloud-credentials: {disable: true}\npolicies: [ci/policies]\n",
        )
    }

    /// Every workflow file of repository `i`: [`SyntheticOrg::workflows`] and, for a
    /// [`SyntheticOrg::wide`] one, its extra files.
    pub fn files_of(&self, i: usize) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = Self::workflows(i)
            .into_iter()
            .map(|(n, t)| (n.to_string(), t))
            .collect();
        let ci = files[0].1.clone();
        let extra = self.wide.get(&i).copied().unwrap_or(0);
        files.extend((0..extra).map(|k| (format!("wf-{k:04}.yml"), ci.clone())));
        files
    }

    /// Requests per repository among `paths`, by their `/repos/ORG/repo-NNN` prefix.
    pub fn requests_by_repo(&self, paths: &[String]) -> BTreeMap<usize, usize> {
        let mut by = BTreeMap::new();
        for p in paths {
            if let Some((i, _)) = self.repo_of(p.split('?').next().unwrap_or(p)) {
                *by.entry(i).or_insert(0) += 1;
            }
        }
        by
    }

    /// The repository number of a `/repos/ORG/repo-NNN...` path (the org may have no such
    /// repository) and the rest of the path.
    fn repo_of<'p>(&self, path: &'p str) -> Option<(usize, &'p str)> {
        let rest = path
            .strip_prefix("/repos/")?
            .strip_prefix(self.name.as_str())?
            .strip_prefix("/repo-")?;
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let (num, sub) = rest.split_at(digits);
        let i = num.parse::<usize>().ok()?;
        (Self::repo_name(i) == format!("repo-{num}")).then_some((i, sub))
    }

    /// The answer this org gives to `GET target`, so that a test can queue it slowed down
    /// or otherwise changed (a listing page's `link` then has no host).
    pub fn reply_for(&self, target: &str) -> Option<Reply> {
        self.answer("", target)
    }

    /// The answer to `GET target` (a path with its query) when it is one of this org's;
    /// `None` otherwise. `base_url` is where the server listens, for `link` headers.
    pub(super) fn answer(&self, base_url: &str, target: &str) -> Option<Reply> {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        if path == format!("/orgs/{}/repos", self.name) {
            return Some(self.listing(base_url, query));
        }
        let (i, sub) = self.repo_of(path).filter(|&(i, _)| i < self.size)?;
        if sub.is_empty() {
            let name = Self::repo_name(i);
            return Some(Reply::ok(json!({
                "name": name, "full_name": format!("{}/{name}", self.name),
                "owner": {"login": self.name}, "default_branch": "main", "visibility": "public"
            })));
        }
        self.repo_answer(i, sub)
    }

    /// Files and settings of repository `i` (`sub` is the path after `/repos/ORG/repo-NNN`).
    fn repo_answer(&self, i: usize, sub: &str) -> Option<Reply> {
        let files = self.files_of(i);
        let file = |name: Option<&str>| files.iter().find(|(n, _)| Some(n.as_str()) == name);
        let reply = match sub {
            "/contents/.github/workflows" => Reply::ok(Json::Array(
                files
                    .iter()
                    .map(|(f, _)| {
                        json!({"name": f, "path": format!(".github/workflows/{f}"), "type": "file"})
                    })
                    .collect(),
            )),
            // The git trees path of remote audits: one tree, then one blob per file.
            s if s.starts_with("/git/trees/") => {
                let mut tree: Vec<Json> = files
                    .iter()
                    .map(|(f, text)| json!({
                        "path": format!(".github/workflows/{f}"), "type": "blob",
                        "sha": format!("blob-{f}"), "size": text.len()
                    }))
                    .collect();
                if Self::config(i).is_some() {
                    tree.push(json!({"path": ".github/shiplint.yml", "type": "blob", "sha": "blob-shiplint.yml"}));
                }
                Reply::ok(json!({"truncated": false, "tree": tree}))
            }
            "/git/blobs/blob-shiplint.yml" => {
                Reply::ok(json!({"encoding": "base64", "content": base64_of(Self::config(i)?)}))
            }
            s if s.starts_with("/git/blobs/blob-") => {
                let (_, text) = file(s.strip_prefix("/git/blobs/blob-"))?;
                Reply::ok(json!({"encoding": "base64", "content": base64_of(text)}))
            }
            s if s.starts_with("/contents/.github/workflows/") => {
                let (_, text) = file(s.strip_prefix("/contents/.github/workflows/"))?;
                Reply::ok(json!({"type": "file", "encoding": "base64", "content": base64_of(text)}))
            }
            "/branches/main/protection" if i % 2 == 0 => {
                Reply::recorded(404, "error-branch-not-protected.json")
            }
            "/branches/main/protection" => Reply::ok(json!({
                "required_pull_request_reviews": {"required_approving_review_count": 1},
                "required_status_checks": {"strict": true, "contexts": ["test"]},
                "allow_force_pushes": {"enabled": false},
                "enforce_admins": {"enabled": true}
            })),
            "/rules/branches/main" => Reply::ok(json!([])),
            "/environments" => Reply::ok(json!({"total_count": 0, "environments": []})),
            _ => return None,
        };
        Some(reply)
    }

    /// `GET /orgs/ORG/repos?…&page=N`: a page of repositories, with `link` to the next
    /// page (from the last one, back to the first under [`SyntheticOrg::link_loop`]).
    fn listing(&self, base_url: &str, query: &str) -> Reply {
        let page: usize = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("page="))
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        let start = page.saturating_sub(1) * self.page;
        let end = (start + self.page).min(self.size);
        let from = if self.churn && page > 1 {
            start - 1
        } else {
            start
        };
        let items: Vec<Json> = (from..end).map(|i| self.listed(i)).collect();
        let reply = Reply::ok(Json::Array(items));
        let next = match end >= self.size {
            false => page + 1,
            true if self.link_loop => 1,
            true => return reply,
        };
        let link = format!(
            "<{base_url}/orgs/{}/repos?type=all&per_page={PAGE}&page={next}>; rel=\"next\"",
            self.name
        );
        reply.header("link", &link)
    }

    /// Repository `i` as the listing shows it.
    fn listed(&self, i: usize) -> Json {
        let name = Self::repo_name(i);
        json!({"id": 1000 + i, "name": name, "full_name": format!("{}/{name}", self.name),
               "owner": {"login": self.name}, "archived": self.archived(i),
               "fork": self.fork(i), "default_branch": "main", "visibility": "public"})
    }
}

fn base64_of(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}
