//! Which repositories an org sweep audits: the organization's listing
//! (`GET /orgs/{org}/repos`, paginated), a `--repos-file`, and `--shard K/N`.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use super::RemoteSpec;
use super::{Client, GithubError, ListCut};

/// One repository of an organization's listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRepo {
    pub spec: RemoteSpec,
    pub archived: bool,
    pub fork: bool,
    /// The listing's item: the same repository object `GET /repos/{slug}` returns
    /// (owner, name, default branch, visibility), so the audit need not ask again.
    pub listing: Json,
}

/// At most this many pages of 100 repositories are listed (100,000 repositories).
const MAX_PAGES: usize = 1000;

/// An organization's repositories as its listing gave them.
#[derive(Debug, Default)]
pub struct OrgListing {
    /// Each repository once.
    pub repos: Vec<OrgRepo>,
    /// Why the listing stopped early (a `Link` loop, a link to another host, too many
    /// pages), when it did: repositories may be missing.
    pub cut: Option<ListCut>,
}

/// Every repository of `org`, following `Link` pagination, each once: by its `id`
/// (GitHub repeats items across pages when repositories are created or deleted while
/// the listing is paged), and by its name (a repository deleted and created again).
pub fn list(client: &Client, org: &str) -> Result<OrgListing, GithubError> {
    let listing = client.list(&format!("/orgs/{org}/repos?type=all"), MAX_PAGES, repo_key)?;
    let mut slugs = BTreeSet::new();
    let repos = listing
        .items
        .iter()
        .filter_map(org_repo)
        .filter(|r| slugs.insert(r.spec.slug().to_ascii_lowercase()))
        .collect();
    Ok(OrgListing {
        repos,
        cut: listing.cut,
    })
}

/// What identifies a repository of a listing: its `id`, else its name.
fn repo_key(item: &Json) -> Option<String> {
    match item["id"].as_u64() {
        Some(id) => Some(format!("id:{id}")),
        None => item["full_name"].as_str().map(str::to_ascii_lowercase),
    }
}

fn org_repo(item: &Json) -> Option<OrgRepo> {
    let full = item["full_name"].as_str()?;
    Some(OrgRepo {
        spec: RemoteSpec::parse(full)?,
        archived: item["archived"].as_bool().unwrap_or(false),
        fork: item["fork"].as_bool().unwrap_or(false),
        listing: item.clone(),
    })
}

/// `owner/name` lines; blank lines and `#` comments (whole-line or trailing) are skipped.
/// A line that is not `owner/name` is an error naming its line number.
pub fn parse_repos_file(text: &str) -> Result<Vec<RemoteSpec>, BadReposLine> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        match RemoteSpec::parse(line) {
            Some(spec) => {
                if !out.contains(&spec) {
                    out.push(spec);
                }
            }
            None => {
                return Err(BadReposLine {
                    line: i + 1,
                    text: line.to_string(),
                })
            }
        }
    }
    Ok(out)
}

/// A `--repos-file` line that is not `owner/name`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: `{text}` is not OWNER/NAME")]
pub struct BadReposLine {
    pub line: usize,
    pub text: String,
}

/// A `--shard` that is not `K/N` with 1 <= K <= N.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not K/N with 1 <= K <= N (e.g. 2/4)")]
pub struct BadShard(pub String);

/// `--shard K/N`: the K-th (1-based) of N disjoint shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// `K/N` as typed.
    pub fn parse(s: &str) -> Result<Shard, BadShard> {
        let err = || BadShard(s.to_string());
        let (k, n) = s.split_once('/').ok_or_else(err)?;
        let index: u32 = k.trim().parse().map_err(|_| err())?;
        let count: u32 = n.trim().parse().map_err(|_| err())?;
        if index == 0 || count == 0 || index > count {
            return Err(err());
        }
        Ok(Shard { index, count })
    }

    /// Whether `owner/name` belongs to this shard: a stable hash (FNV-1a, 64 bits) of the
    /// lower-cased slug, so every runner of a matrix agrees whatever order it lists in.
    pub fn contains(&self, slug: &str) -> bool {
        shard_hash(slug) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

/// FNV-1a (64 bits) of the lower-cased `owner/name`.
pub fn shard_hash(slug: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in slug.to_ascii_lowercase().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repos_files() {
        let specs =
            parse_repos_file("# team\nacme/api\n\n  acme/web  # the site\nacme/api\n").unwrap();
        assert_eq!(
            specs.iter().map(RemoteSpec::slug).collect::<Vec<_>>(),
            ["acme/api", "acme/web"]
        );
        assert_eq!(
            parse_repos_file("acme/api\nnot a repo\n")
                .unwrap_err()
                .to_string(),
            "line 2: `not a repo` is not OWNER/NAME"
        );
    }

    #[test]
    fn shards_partition_and_are_stable() {
        assert!(Shard::parse("0/3").is_err() && Shard::parse("4/3").is_err());
        assert!(Shard::parse("x").is_err());
        let shards: Vec<Shard> = (1..=3).map(|k| Shard { index: k, count: 3 }).collect();
        let mut sizes = [0; 3];
        for i in 0..300 {
            let slug = format!("acme/repo-{i}");
            let owners: Vec<usize> = (0..3).filter(|&k| shards[k].contains(&slug)).collect();
            assert_eq!(owners.len(), 1, "{slug}");
            sizes[owners[0]] += 1;
            assert!(shards[owners[0]].contains(&slug.to_uppercase()));
        }
        assert!(sizes.iter().all(|&n| n > 60), "{sizes:?}");
        assert_eq!(shard_hash("acme/api"), shard_hash("ACME/Api"));
    }

    #[test]
    fn listing_items() {
        let body: Json =
            serde_json::from_str(include_str!("../../testdata/github/org-repos-page1.json"))
                .unwrap();
        let repos: Vec<OrgRepo> = body
            .as_array()
            .unwrap()
            .iter()
            .filter_map(org_repo)
            .collect();
        assert!(!repos.is_empty());
        assert_eq!(repos[0].spec.slug(), "octo-org/octo-repo");
    }
}
