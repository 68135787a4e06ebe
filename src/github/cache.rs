//! The on-disk cache behind conditional requests: the last `200` answer of each GET that
//! carried an `ETag`, so that the next run sends `If-None-Match` and a `304 Not Modified`
//! (which GitHub does not count against the rate limit) is answered from disk.
//!
//! One JSON file per request, named by the SHA-256 of the API base URL, the SHA-256 of
//! the token and the path: answers seen with one token are never served to another, and
//! neither the token nor anything it can be recovered from is written. An entry that
//! cannot be read or parsed is ignored (the request goes out unconditionally and the
//! entry is rewritten); failing to write is silent: the cache only saves requests.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Token;

/// The cache format; entries of another version are ignored.
const VERSION: u32 = 1;

/// `$XDG_CACHE_HOME/shiplint`, else `$HOME/.cache/shiplint` (the user cache dir on
/// Linux; the same convention elsewhere), `None` without either.
pub fn default_dir() -> Option<PathBuf> {
    let absolute = |v: std::ffi::OsString| {
        let p = PathBuf::from(v);
        p.is_absolute().then_some(p)
    };
    std::env::var_os("XDG_CACHE_HOME")
        .and_then(absolute)
        .or_else(|| {
            std::env::var_os("HOME")
                .and_then(absolute)
                .map(|h| h.join(".cache"))
        })
        .map(|d| d.join("shiplint"))
}

/// One cached answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub version: u32,
    /// The request path (for people looking into the cache; not trusted on read).
    pub path: String,
    pub etag: String,
    /// The `link` header of a list page, restored when a `304` leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    pub body: String,
}

/// The cache of one client: a directory and the scope (API URL and token) it is keyed by.
#[derive(Clone)]
pub struct Cache {
    dir: PathBuf,
    scope: String,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache").field("dir", &self.dir).finish()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Cache {
    /// The cache in `dir` (`…/shiplint`) for answers of `base_url` seen with `token`.
    pub fn new(dir: &Path, base_url: &str, token: Option<&Token>) -> Cache {
        let token_hash = match token {
            Some(t) => hex(&Sha256::digest(t.secret.as_bytes())),
            None => "anonymous".to_string(),
        };
        Cache {
            dir: dir.join("api"),
            scope: format!("{}\n{token_hash}", base_url.trim_end_matches('/')),
        }
    }

    /// The file of `path`'s entry.
    pub fn file(&self, path: &str) -> PathBuf {
        let mut h = Sha256::new();
        h.update(self.scope.as_bytes());
        h.update(b"\n");
        h.update(path.as_bytes());
        let name = hex(&h.finalize());
        self.dir
            .join(&name[..2])
            .join(format!("{}.json", &name[2..]))
    }

    /// The entry of `path`, when there is a readable one.
    pub fn load(&self, path: &str) -> Option<Entry> {
        let text = fs::read(self.file(path)).ok()?;
        let entry: Entry = serde_json::from_slice(&text).ok()?;
        (entry.version == VERSION && !entry.etag.is_empty()).then_some(entry)
    }

    /// Records `body` (and the `link` header of a list page) as the answer of `path`
    /// with `etag`, written whole or not at all.
    pub fn store(&self, path: &str, etag: &str, link: Option<&str>, body: &str) {
        let file = self.file(path);
        let entry = Entry {
            version: VERSION,
            path: path.to_string(),
            etag: etag.to_string(),
            link: link.map(str::to_string),
            body: body.to_string(),
        };
        let Ok(text) = serde_json::to_vec(&entry) else {
            return;
        };
        let Some(parent) = file.parent() else { return };
        if create_private_dir(parent).is_err() {
            return;
        }
        let tmp = file.with_extension(format!("tmp{}", std::process::id()));
        if fs::write(&tmp, text).is_ok() && fs::rename(&tmp, &file).is_err() {
            let _ = fs::remove_file(&tmp);
        }
    }
}

/// Cached answers may be private repositories' settings: the directories are the user's.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    {
        fs::create_dir_all(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_depend_on_url_token_and_path_and_hold_no_token() {
        let dir = tempfile::tempdir().unwrap();
        let secret = Token::new("ghp_cacheSecret42");
        let a = Cache::new(dir.path(), "https://api.github.com", Some(&secret));
        let b = Cache::new(dir.path(), "https://api.github.com", None);
        let c = Cache::new(dir.path(), "https://ghe.example.com/api/v3", Some(&secret));
        assert_ne!(a.file("/repos/o/r"), b.file("/repos/o/r"));
        assert_ne!(a.file("/repos/o/r"), c.file("/repos/o/r"));
        assert_ne!(a.file("/repos/o/r"), a.file("/repos/o/s"));
        a.store("/repos/o/r", "W/\"1\"", Some("<x>; rel=\"next\""), "{}");
        let text = fs::read_to_string(a.file("/repos/o/r")).unwrap();
        assert!(!text.contains("cacheSecret42"));
        assert!(!format!("{a:?}").contains("cacheSecret42"));
        let entry = a.load("/repos/o/r").unwrap();
        assert_eq!(entry.etag, "W/\"1\"");
        assert_eq!(entry.link.as_deref(), Some("<x>; rel=\"next\""));
        assert!(b.load("/repos/o/r").is_none());
    }

    #[test]
    fn corrupt_entries_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path(), "https://api.github.com", None);
        cache.store("/x", "\"e\"", None, "body");
        fs::write(cache.file("/x"), b"{not json").unwrap();
        assert!(cache.load("/x").is_none());
        fs::write(cache.file("/x"), b"\x00\xff").unwrap();
        assert!(cache.load("/x").is_none());
        cache.store("/x", "\"f\"", None, "again");
        assert_eq!(cache.load("/x").unwrap().body, "again");
    }
}
