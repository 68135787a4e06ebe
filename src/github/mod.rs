//! The GitHub API client: one octocrab instance, a base URL the user named (github.com,
//! `--github-url`, or GHE through `GH_HOST`), a token from the environment, timeouts on
//! every request, retries with backoff on 5xx and network errors, `Retry-After` on
//! secondary rate limits and a message (or a stop, with `--no-wait`) on the primary one.
//!
//! Requests go through octocrab's raw `_get` so that every status is seen here: a 404
//! means different things on different endpoints (branch protection: "Branch not
//! protected" is an answer, "Not Found" is a permission problem).
//!
//! With a cache directory, every GET is conditional: the stored `ETag` goes out as
//! `If-None-Match` and a `304 Not Modified` is answered with the stored body (see
//! [`cache`]).

pub mod cache;
pub mod org;
pub mod settings;
mod spec;

pub use spec::RemoteSpec;

use std::fmt;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http_body_util::BodyExt;
use octocrab::Octocrab;
use serde_json::Value as Json;

/// The public API of github.com.
pub const GITHUB_API: &str = "https://api.github.com";

/// A GitHub token. Never printed: `Debug` and `Display` redact it.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn new(token: impl Into<String>) -> Token {
        Token(token.into())
    }

    /// `GH_TOKEN`, else `GITHUB_TOKEN` (the first that is set and not empty).
    pub fn from_env() -> Option<Token> {
        ["GH_TOKEN", "GITHUB_TOKEN"].iter().find_map(|k| {
            std::env::var(k)
                .ok()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .map(Token)
        })
    }

    /// The token in the environment variable `name` (`--token-env NAME`), else the one
    /// of [`Token::from_env`]. A named variable that is unset or empty is an error (the
    /// message names the variable, never a value).
    pub fn from_env_named(name: Option<&str>) -> Result<Option<Token>, MissingToken> {
        let Some(name) = name else {
            return Ok(Token::from_env());
        };
        match std::env::var(name) {
            Ok(v) if !v.trim().is_empty() => Ok(Some(Token(v.trim().to_string()))),
            _ => Err(MissingToken(name.to_string())),
        }
    }
}

/// `--token-env NAME` names a variable that is not set (or is empty).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--token-env {0}: the environment variable {0} is not set or empty")]
pub struct MissingToken(pub String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// The API base URL: `--github-url`, else `GH_HOST` (GitHub Enterprise Server:
/// `https://HOST/api/v3`), else github.com.
pub fn base_url(flag: Option<&str>, gh_host: Option<&str>) -> String {
    if let Some(url) = flag.map(str::trim).filter(|u| !u.is_empty()) {
        return url.trim_end_matches('/').to_string();
    }
    match gh_host.map(str::trim).filter(|h| !h.is_empty()) {
        None | Some("github.com") | Some("api.github.com") => GITHUB_API.to_string(),
        Some(host) => {
            let host = host
                .trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_end_matches('/');
            format!("https://{host}/api/v3")
        }
    }
}

/// How the client talks to the API.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub base_url: String,
    pub token: Option<Token>,
    /// Connect, read and write timeout of every request.
    pub timeout: Duration,
    /// Retries after the first attempt, on 5xx, network errors and rate limits.
    pub retries: u32,
    /// First backoff; doubled on every retry. Zero in tests.
    pub backoff: Duration,
    /// The longest single wait (backoff, `Retry-After`, rate-limit reset). Zero in tests.
    pub max_wait: Duration,
    /// Wait for the primary rate limit to reset (false: `--no-wait`, stop with an error).
    pub wait_for_reset: bool,
    /// The cache directory for conditional requests (`None`: no cache, `--no-cache`).
    pub cache_dir: Option<std::path::PathBuf>,
    /// Request counters, shared by every client made from clones of these options.
    pub stats: Arc<RequestStats>,
}

/// What the clients of one run used: requests sent, the rate limit left (last seen).
#[derive(Debug)]
pub struct RequestStats {
    requests: AtomicU64,
    remaining: AtomicI64,
}

impl Default for RequestStats {
    fn default() -> Self {
        RequestStats {
            requests: AtomicU64::new(0),
            remaining: AtomicI64::new(-1),
        }
    }
}

impl RequestStats {
    /// Requests sent (every attempt counts).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// `x-ratelimit-remaining` of the last answer that had it.
    pub fn rate_remaining(&self) -> Option<u64> {
        u64::try_from(self.remaining.load(Ordering::Relaxed)).ok()
    }

    fn record(&self, headers: &http::HeaderMap) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if let Some(n) = headers
            .get("x-ratelimit-remaining")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<i64>().ok())
        {
            self.remaining.store(n, Ordering::Relaxed);
        }
    }
}

impl ClientOptions {
    pub fn new(base_url: String, token: Option<Token>) -> ClientOptions {
        ClientOptions {
            base_url,
            token,
            timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_secs(1),
            max_wait: Duration::from_secs(15 * 60),
            wait_for_reset: true,
            cache_dir: None,
            stats: Arc::default(),
        }
    }
}

/// Why the API could not be used. Never carries the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GithubError {
    /// No answer: connection refused, DNS, timeout, TLS (after retries).
    Unreachable { url: String, reason: String },
    /// 401: the token is missing, wrong or expired.
    Unauthorized { message: String },
    /// The primary rate limit is exhausted and waiting was not allowed (or not enough).
    RateLimited { message: String },
    /// Any other status the caller cannot interpret.
    Status {
        status: u16,
        path: String,
        message: String,
    },
    /// A body that is not the JSON the endpoint documents.
    Invalid { path: String, reason: String },
    /// The client could not be set up (bad base URL).
    Setup { reason: String },
}

impl fmt::Display for GithubError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GithubError::Unreachable { url, reason } => {
                write!(f, "cannot reach the GitHub API at {url}: {reason}")
            }
            GithubError::Unauthorized { message } => write!(
                f,
                "the GitHub API refused the token (401 {message}); check GH_TOKEN/GITHUB_TOKEN (or the variable of --token-env)"
            ),
            GithubError::RateLimited { message } => write!(f, "{message}"),
            GithubError::Status {
                status,
                path,
                message,
            } => write!(f, "GitHub API: GET {path} answered {status} {message}"),
            GithubError::Invalid { path, reason } => {
                write!(
                    f,
                    "GitHub API: GET {path} returned an unexpected body: {reason}"
                )
            }
            GithubError::Setup { reason } => write!(f, "GitHub client: {reason}"),
        }
    }
}

impl std::error::Error for GithubError {}

/// One answer of the API.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub path: String,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl Response {
    pub fn json(&self) -> Result<Json, GithubError> {
        serde_json::from_str(&self.body).map_err(|e| GithubError::Invalid {
            path: self.path.clone(),
            reason: e.to_string(),
        })
    }

    /// The `message` of an error body (`{"message": "Not Found", ...}`).
    pub fn message(&self) -> String {
        serde_json::from_str::<Json>(&self.body)
            .ok()
            .and_then(|j| j.get("message").and_then(Json::as_str).map(str::to_string))
            .unwrap_or_default()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// An error for a status the caller did not expect.
    pub fn unexpected(&self) -> GithubError {
        GithubError::Status {
            status: self.status,
            path: self.path.clone(),
            message: self.message(),
        }
    }
}

/// The blocking client shiplint uses (one current-thread runtime inside).
pub struct Client {
    octo: Octocrab,
    runtime: tokio::runtime::Runtime,
    opts: ClientOptions,
    cache: Option<cache::Cache>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("opts", &self.opts).finish()
    }
}

fn now_epoch() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The error chain of a transport failure, without Debug output (which could show headers).
fn reason(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

impl Client {
    pub fn new(opts: ClientOptions) -> Result<Client, GithubError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| GithubError::Setup {
                reason: e.to_string(),
            })?;
        let octo = {
            // octocrab's builder spawns nothing, but hyper's connector wants a runtime.
            let _guard = runtime.enter();
            let mut builder = Octocrab::builder()
                .base_uri(opts.base_url.as_str())
                .map_err(|_| GithubError::Setup {
                    reason: format!("invalid API URL `{}`", opts.base_url),
                })?
                .set_connect_timeout(Some(opts.timeout))
                .set_read_timeout(Some(opts.timeout))
                .set_write_timeout(Some(opts.timeout));
            if let Some(token) = &opts.token {
                builder = builder.personal_token(token.0.clone());
            }
            builder
                .build()
                .map_err(|e| GithubError::Setup { reason: reason(&e) })?
        };
        let cache = opts
            .cache_dir
            .as_deref()
            .map(|dir| cache::Cache::new(dir, &opts.base_url, opts.token.as_ref()));
        Ok(Client {
            octo,
            runtime,
            opts,
            cache,
        })
    }

    pub fn options(&self) -> &ClientOptions {
        &self.opts
    }

    fn sleep(&self, d: Duration) {
        let d = d.min(self.opts.max_wait);
        if d >= Duration::from_secs(5) && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            // A visible countdown for long waits (rate-limit resets).
            let end = std::time::Instant::now() + d;
            while let Some(left) = end.checked_duration_since(std::time::Instant::now()) {
                let s = left.as_secs();
                eprint!(
                    "\rshiplint: waiting for the GitHub API: {}:{:02} left ",
                    s / 60,
                    s % 60
                );
                std::thread::sleep(left.min(Duration::from_secs(1)));
            }
            eprintln!();
        } else if !d.is_zero() {
            std::thread::sleep(d);
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.opts.backoff.saturating_mul(1 << attempt.min(10))
    }

    /// `GET path` (relative to the base URL, e.g. `/repos/o/r`), with retries. Returns
    /// every final status to the caller except 401, which is an error everywhere.
    ///
    /// With a cache, the request is conditional: a `304` comes back as the cached `200`,
    /// and a `200` with an `ETag` is stored.
    pub fn get(&self, path: &str) -> Result<Response, GithubError> {
        let cached = self.cache.as_ref().and_then(|c| c.load(path));
        let mut response = self.get_uncached(path, cached.as_ref().map(|e| e.etag.as_str()))?;
        match (&self.cache, cached, response.status) {
            (Some(_), Some(entry), 304) => {
                response.status = 200;
                response.body = entry.body;
                if let Some(link) = entry
                    .link
                    .and_then(|l| http::HeaderValue::from_str(&l).ok())
                {
                    response.headers.entry(http::header::LINK).or_insert(link);
                }
            }
            (Some(cache), _, 200) => {
                if let Some(etag) = response.header("etag") {
                    cache.store(path, etag, response.header("link"), &response.body);
                }
            }
            _ => {}
        }
        Ok(response)
    }

    fn get_uncached(&self, path: &str, etag: Option<&str>) -> Result<Response, GithubError> {
        let headers = etag
            .and_then(|e| http::HeaderValue::from_str(e).ok())
            .map(|e| {
                let mut h = http::HeaderMap::new();
                h.insert(http::header::IF_NONE_MATCH, e);
                h
            });
        let mut attempt = 0;
        loop {
            let result = self.runtime.block_on(async {
                let res = self.octo._get_with_headers(path, headers.clone()).await?;
                let (parts, body) = res.into_parts();
                let bytes = body.collect().await?.to_bytes();
                Ok::<_, octocrab::Error>((parts, bytes))
            });
            let last = attempt >= self.opts.retries;
            let (parts, bytes) = match result {
                Ok(r) => r,
                Err(_) if !last => {
                    self.sleep(self.backoff(attempt));
                    attempt += 1;
                    continue;
                }
                Err(e) => {
                    return Err(GithubError::Unreachable {
                        url: self.opts.base_url.clone(),
                        reason: reason(&e),
                    })
                }
            };
            self.opts.stats.record(&parts.headers);
            let response = Response {
                status: parts.status.as_u16(),
                path: path.to_string(),
                headers: parts.headers,
                body: String::from_utf8_lossy(&bytes).into_owned(),
            };
            match response.status {
                401 => {
                    return Err(GithubError::Unauthorized {
                        message: response.message(),
                    })
                }
                500..=599 if !last => {
                    self.sleep(self.backoff(attempt));
                    attempt += 1;
                    continue;
                }
                403 | 429 => {
                    if let Some(wait) = self.rate_limit_wait(&response)? {
                        if last {
                            return Err(GithubError::RateLimited {
                                message: format!(
                                    "GitHub API rate limit: still limited after {} retries ({})",
                                    self.opts.retries,
                                    response.message()
                                ),
                            });
                        }
                        self.sleep(wait);
                        attempt += 1;
                        continue;
                    }
                }
                _ => {}
            }
            return Ok(response);
        }
    }

    /// Every item of a paginated list (`per_page=100`, following `link: rel="next"` on
    /// this API only), at most `max_pages` pages.
    pub fn get_list(&self, path: &str, max_pages: usize) -> Result<Vec<Json>, GithubError> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut next = Some(format!("{path}{sep}per_page=100"));
        let mut items = Vec::new();
        for _ in 0..max_pages {
            let Some(p) = next.take() else { break };
            let r = self.get(&p)?;
            if r.status != 200 {
                return Err(r.unexpected());
            }
            match r.json()? {
                Json::Array(mut page) => items.append(&mut page),
                _ => {
                    return Err(GithubError::Invalid {
                        path: p,
                        reason: "expected an array".into(),
                    })
                }
            }
            next = r.header("link").and_then(|l| self.next_link(l));
        }
        Ok(items)
    }

    /// The `rel="next"` URL of a `link` header as a path on this API (never another host).
    fn next_link(&self, link: &str) -> Option<String> {
        let url = link.split(',').find_map(|part| {
            let (url, rel) = part.split_once(';')?;
            rel.contains("rel=\"next\"")
                .then(|| url.trim().trim_start_matches('<').trim_end_matches('>'))
        })?;
        let base = self.opts.base_url.trim_end_matches('/');
        let rest = url.strip_prefix(base)?;
        // The base URL's own path (GHE `/api/v3`) is added back by the client.
        let base_path = base
            .splitn(4, '/')
            .nth(3)
            .map_or(String::new(), |p| format!("/{p}"));
        Some(format!("{base_path}{rest}"))
    }

    /// For a 403/429: how long to wait when it is a rate limit, `None` when it is a plain
    /// permission refusal, an error when waiting is not allowed.
    fn rate_limit_wait(&self, r: &Response) -> Result<Option<Duration>, GithubError> {
        if r.header("x-ratelimit-remaining") == Some("0") {
            let reset = r
                .header("x-ratelimit-reset")
                .and_then(|v| v.parse::<u64>().ok());
            let wait = reset.map_or(60, |t| t.saturating_sub(now_epoch()) + 1);
            let limit = r.header("x-ratelimit-limit").unwrap_or("?");
            let when = match reset {
                Some(t) => format!("resets at {t} (Unix time), in {} min", wait.div_ceil(60)),
                None => "reset time unknown".to_string(),
            };
            if !self.opts.wait_for_reset {
                return Err(GithubError::RateLimited {
                    message: format!(
                        "GitHub API rate limit exhausted ({limit} requests per hour); it {when}; stopped (--no-wait)"
                    ),
                });
            }
            if Duration::from_secs(wait) > self.opts.max_wait && !self.opts.max_wait.is_zero() {
                return Err(GithubError::RateLimited {
                    message: format!(
                        "GitHub API rate limit exhausted ({limit} requests per hour); it {when}, longer than shiplint waits"
                    ),
                });
            }
            eprintln!(
                "shiplint: GitHub API rate limit exhausted ({limit} requests per hour); it {when}; waiting (--no-wait to stop instead)"
            );
            return Ok(Some(Duration::from_secs(wait)));
        }
        if let Some(after) = r.header("retry-after") {
            let secs = after.trim().parse::<u64>().unwrap_or(60);
            return Ok(Some(Duration::from_secs(secs)));
        }
        if r.message().to_lowercase().contains("secondary rate limit") {
            return Ok(Some(Duration::from_secs(60)));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_from_flag_host_or_default() {
        assert_eq!(base_url(None, None), GITHUB_API);
        assert_eq!(base_url(None, Some("github.com")), GITHUB_API);
        assert_eq!(
            base_url(None, Some("ghe.example.com")),
            "https://ghe.example.com/api/v3"
        );
        assert_eq!(
            base_url(Some("http://127.0.0.1:9/"), Some("ghe.example.com")),
            "http://127.0.0.1:9"
        );
    }

    #[test]
    fn next_links_stay_on_the_api() {
        let client = Client::new(ClientOptions::new(
            "https://ghe.example.com/api/v3".into(),
            None,
        ))
        .unwrap();
        let link = "<https://ghe.example.com/api/v3/repositories/1/branches?per_page=100&page=2>; rel=\"next\", <https://ghe.example.com/api/v3/repositories/1/branches?per_page=100&page=4>; rel=\"last\"";
        assert_eq!(
            client.next_link(link).as_deref(),
            Some("/api/v3/repositories/1/branches?per_page=100&page=2")
        );
        let elsewhere = "<https://evil.example.com/x?page=2>; rel=\"next\"";
        assert_eq!(client.next_link(elsewhere), None);
    }

    #[test]
    fn tokens_are_never_printed() {
        let t = Token::new("ghp_secret123");
        assert!(!format!("{t:?}").contains("secret"));
        let opts = ClientOptions::new(GITHUB_API.into(), Some(t));
        assert!(!format!("{opts:?}").contains("secret"));
    }
}
