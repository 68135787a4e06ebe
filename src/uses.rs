//! The `uses:` reference of a job or step: `owner/repo[/path]@ref`, `./local/path` or
//! `docker://image`. A leaf module because two stages read it: the sources (which follow
//! a repository's references to its own actions to load them) and the model (which types
//! every `uses:` of the input document).

use serde::Serialize;

/// A parsed `uses:` reference.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UsesRef {
    /// The reference as written.
    pub raw: String,
    /// `owner` of `owner/repo…` (`""` for local and docker references).
    pub owner: String,
    /// `repo` of `owner/repo…` (`""` for local and docker references).
    pub repo: String,
    /// The sub-path after `owner/repo/`, the local path, or the docker image.
    pub path: String,
    /// What follows `@` (a docker reference's tag or digest).
    #[serde(rename = "ref")]
    pub ref_: String,
    /// What kind of reference this is.
    pub ref_kind: RefKind,
    /// Lower-cased `owner/repo[/path]` of a remote reference, else `""`: policies compare
    /// names with `==` or `in` instead of calling a function per step.
    pub action: String,
    /// Lower-cased `owner/repo` of a remote reference (sub-path dropped), else `""`.
    pub action_repo: String,
    /// For local references: the repo-relative file it names, when that file was loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
}

/// The kind of a `uses:` reference, as `ref_kind` spells it in the input document.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RefKind {
    /// Pinned to a full 40-character commit SHA.
    Sha,
    /// A ref that looks like a release (`v4`, `1.2.0`).
    Tag,
    /// Any other ref, or none: it can move.
    Branch,
    /// `./path`, or this repository's own full name once resolved to a loaded file.
    Local,
    /// `docker://image`.
    Docker,
}

/// Parses `owner/repo[/path]@ref`, `./local/path` and `docker://image[:tag|@digest]`.
pub fn parse_uses(raw: &str) -> UsesRef {
    let trimmed = raw.trim();
    let mut u = UsesRef {
        raw: raw.to_string(),
        owner: String::new(),
        repo: String::new(),
        path: String::new(),
        ref_: String::new(),
        ref_kind: RefKind::Branch,
        action: String::new(),
        action_repo: String::new(),
        resolved: None,
    };
    if trimmed.starts_with("./") || trimmed.starts_with("../") {
        u.path = trimmed.to_string();
        u.ref_kind = RefKind::Local;
    } else if let Some(image) = trimmed.strip_prefix("docker://") {
        u.ref_kind = RefKind::Docker;
        (u.path, u.ref_) = split_image(image);
    } else {
        remote(trimmed, &mut u);
    }
    u
}

/// A docker image reference split into the image and its digest or tag.
fn split_image(image: &str) -> (String, String) {
    if let Some((name, digest)) = image.split_once('@') {
        return (name.to_string(), digest.to_string());
    }
    // A colon after the last slash separates the tag (not a registry port).
    let last_slash = image.rfind('/').map_or(0, |i| i + 1);
    match image[last_slash..].rfind(':') {
        Some(i) => (
            image[..last_slash + i].to_string(),
            image[last_slash + i + 1..].to_string(),
        ),
        None => (image.to_string(), String::new()),
    }
}

/// Fills `u` from `owner/repo[/path][@ref]`.
fn remote(reference: &str, u: &mut UsesRef) {
    let (name, r) = reference.rsplit_once('@').unwrap_or((reference, ""));
    let mut parts = name.splitn(3, '/');
    u.owner = parts.next().unwrap_or_default().to_string();
    u.repo = parts.next().unwrap_or_default().to_string();
    u.path = parts.next().unwrap_or_default().to_string();
    u.ref_ = r.to_string();
    u.ref_kind = if is_hex(r, 40) {
        RefKind::Sha
    } else if looks_like_version(r) {
        RefKind::Tag
    } else {
        RefKind::Branch
    };
    u.action_repo = format!("{}/{}", u.owner, u.repo).to_lowercase();
    u.action = if u.path.is_empty() {
        u.action_repo.clone()
    } else {
        format!("{}/{}", u.action_repo, u.path.to_lowercase())
    };
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A ref that names a release (`v4`, `v4.1.0`, `1.2`, `v2-beta`) rather than a branch.
fn looks_like_version(r: &str) -> bool {
    let r = r
        .strip_prefix('v')
        .or_else(|| r.strip_prefix('V'))
        .unwrap_or(r);
    r.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// A relative path with `.`, empty segments and `..` resolved, `/`-separated; `None` when
/// it climbs out of its root.
pub fn normalize_rel(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.trim().split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_references_are_classified() {
        let u = parse_uses("actions/checkout@v4");
        assert_eq!(
            (u.owner.as_str(), u.repo.as_str(), u.ref_kind),
            ("actions", "checkout", RefKind::Tag)
        );
        let u = parse_uses("github/codeql-action/analyze@0123456789abcdef0123456789abcdef01234567");
        assert_eq!((u.path.as_str(), u.ref_kind), ("analyze", RefKind::Sha));
        let u = parse_uses("org/repo/.github/workflows/build.yml@main");
        assert_eq!(
            (u.path.as_str(), u.ref_.as_str(), u.ref_kind),
            (".github/workflows/build.yml", "main", RefKind::Branch)
        );
        let u = parse_uses("./.github/actions/setup");
        assert_eq!(u.ref_kind, RefKind::Local);
        let u = parse_uses("docker://ghcr.io:443/org/img:1.2");
        assert_eq!(
            (u.path.as_str(), u.ref_.as_str(), u.ref_kind),
            ("ghcr.io:443/org/img", "1.2", RefKind::Docker)
        );
        let u = parse_uses("docker://alpine@sha256:abc");
        assert_eq!((u.path.as_str(), u.ref_.as_str()), ("alpine", "sha256:abc"));
        let u = parse_uses("actions/checkout@abc1234");
        assert_eq!(u.ref_kind, RefKind::Branch, "a short SHA is not a pin");
        let u = parse_uses("actions/checkout");
        assert_eq!((u.ref_.as_str(), u.ref_kind), ("", RefKind::Branch));
    }

    #[test]
    fn remote_references_carry_their_lower_cased_action_names() {
        let u = parse_uses("GitHub/CodeQL-Action/Analyze@v3");
        assert_eq!(
            (u.action.as_str(), u.action_repo.as_str()),
            ("github/codeql-action/analyze", "github/codeql-action")
        );
        let u = parse_uses("actions/checkout@v4");
        assert_eq!(
            (u.action.as_str(), u.action_repo.as_str()),
            ("actions/checkout", "actions/checkout")
        );
        for local_or_image in ["./.github/actions/setup", "docker://alpine:3"] {
            let u = parse_uses(local_or_image);
            assert_eq!(
                (u.action.as_str(), u.action_repo.as_str()),
                ("", ""),
                "{local_or_image}"
            );
        }
    }

    #[test]
    fn ref_kinds_serialize_as_the_input_document_spells_them() {
        let kinds = [
            RefKind::Sha,
            RefKind::Tag,
            RefKind::Branch,
            RefKind::Local,
            RefKind::Docker,
        ];
        let json = serde_json::to_string(&kinds).unwrap();
        assert_eq!(json, r#"["sha","tag","branch","local","docker"]"#);
    }

    #[test]
    fn relative_paths_are_normalised() {
        assert_eq!(
            normalize_rel("./ci//actions/./x/").as_deref(),
            Some("ci/actions/x")
        );
        assert_eq!(normalize_rel("./ci/../tools/x").as_deref(), Some("tools/x"));
        assert_eq!(normalize_rel("../elsewhere/x"), None);
    }
}
