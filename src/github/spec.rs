//! `OWNER/NAME[@REF]`: how a GitHub repository is named on the command line, in a
//! `--repos-file` and in an organization's listing.

/// `OWNER/NAME[@REF]` as typed on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSpec {
    pub owner: String,
    pub name: String,
    /// A branch, tag or commit SHA (default: the default branch).
    pub git_ref: Option<String>,
}

impl RemoteSpec {
    /// `owner/name[@ref]` with GitHub's allowed characters; anything else is not a
    /// remote spec.
    pub fn parse(s: &str) -> Option<RemoteSpec> {
        let (s, git_ref) = match s.split_once('@') {
            Some((s, r)) => {
                let bad = r.is_empty()
                    || r.starts_with(['-', '/'])
                    || r.contains("..")
                    || r.chars()
                        .any(|c| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(c));
                if bad {
                    return None;
                }
                (s, Some(r.to_string()))
            }
            None => (s, None),
        };
        let (owner, name) = s.split_once('/')?;
        let ok = |p: &str, extra: &[u8]| {
            !p.is_empty()
                && !p.starts_with('.')
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || extra.contains(&b))
        };
        (ok(owner, b"") && ok(name, b"._")).then(|| RemoteSpec {
            owner: owner.to_string(),
            name: name.trim_end_matches(".git").to_string(),
            git_ref,
        })
    }

    pub fn slug(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}
