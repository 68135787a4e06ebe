//! The GitHub API client: one octocrab instance, a base URL the user named (github.com,
//! `--github-url`, or GHE through `GH_HOST`), a token from the environment, and bounds on
//! everything a server can make it do: an idle timeout on every read, a deadline on every
//! request (all its attempts and bodies) and on every repository ([`Client::within`]), a
//! cap on every body, retries with backoff on 5xx and network errors, secondary rate
//! limits waited out with backoff (`Retry-After`, then GitHub's minute doubled), the
//! primary one waited for (or a stop, with `--no-wait`), and no wait ever longer than
//! [`ClientOptions::max_wait`] (or [`NO_WAIT_LONGEST`] under `--no-wait`).
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
mod wait;

pub use spec::RemoteSpec;
pub use wait::human_duration;

use std::cell::Cell;
use std::collections::BTreeSet;
use std::fmt;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::BodyExt;
use octocrab::Octocrab;
use serde_json::Value as Json;

/// The public API of github.com.
pub const GITHUB_API: &str = "https://api.github.com";

/// Under `--no-wait`, the longest rate-limit wait shiplint still sits out (a short
/// `Retry-After`); anything longer stops the run.
pub const NO_WAIT_LONGEST: Duration = Duration::from_secs(10);

/// A GitHub token. Never printed: `Debug` and `Display` redact it.
#[derive(Clone)]
pub struct Token {
    secret: String,
    /// Where it came from (`GH_TOKEN`, ...), for messages.
    var: String,
}

impl Token {
    pub fn new(token: impl Into<String>) -> Token {
        Token {
            secret: token.into(),
            var: String::new(),
        }
    }

    /// The token in the variable `var`, trimmed, when it is set and not empty.
    fn from_var(var: &str) -> Option<Token> {
        let value = std::env::var(var).ok()?;
        let value = value.trim();
        (!value.is_empty()).then(|| Token {
            secret: value.to_string(),
            var: var.to_string(),
        })
    }

    /// `GH_TOKEN`, else `GITHUB_TOKEN` (the first that is set and not empty).
    pub fn from_env() -> Option<Token> {
        ["GH_TOKEN", "GITHUB_TOKEN"]
            .iter()
            .find_map(|k| Token::from_var(k))
    }

    /// The token in the environment variable `name` (`--token-env NAME`), else the one
    /// of [`Token::from_env`]. A named variable that is unset or empty is an error (the
    /// message names the variable, never a value).
    pub fn from_env_named(name: Option<&str>) -> Result<Option<Token>, MissingToken> {
        let Some(name) = name else {
            return Ok(Token::from_env());
        };
        match Token::from_var(name) {
            Some(t) => Ok(Some(t)),
            None => Err(MissingToken(name.to_string())),
        }
    }

    /// Whether the token can go into an `Authorization` header: printable ASCII only (a
    /// line break or a control byte would make octocrab panic; no GitHub token has one).
    /// The error names the variable and the position, never the token.
    pub fn check(&self) -> Result<(), BadToken> {
        let Some((at, c)) = self
            .secret
            .chars()
            .enumerate()
            .find(|(_, c)| !c.is_ascii_graphic())
        else {
            return Ok(());
        };
        let what = match c {
            '\n' | '\r' => "a line break",
            ' ' => "a space",
            c if c.is_control() => "a control character",
            _ => "a non-ASCII character",
        };
        Err(BadToken {
            var: self.var.clone(),
            what,
            at: at + 1,
        })
    }
}

/// `--token-env NAME` names a variable that is not set (or is empty).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--token-env {0}: the environment variable {0} is not set or empty")]
pub struct MissingToken(pub String);

/// A token that cannot be sent (see [`Token::check`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadToken {
    /// The variable it came from (empty: given by the caller).
    pub var: String,
    pub what: &'static str,
    /// The position of the first such character, from 1.
    pub at: usize,
}

impl fmt::Display for BadToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (from, fix) = match self.var.as_str() {
            "" => (String::new(), "give it again".to_string()),
            var => (format!(" in {var}"), format!("set {var} again")),
        };
        write!(
            f,
            "the token{from} contains {} (character {}); a GitHub token is printable ASCII: {fix} without it",
            self.what, self.at
        )
    }
}

impl std::error::Error for BadToken {}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// A `--github-url` that names no API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--github-url `{url}`: {why}")]
pub struct BadApiUrl {
    pub url: String,
    pub why: &'static str,
}

/// The API base URL: `--github-url`, else `GH_HOST` (GitHub Enterprise Server:
/// `https://HOST/api/v3`), else github.com. A `--github-url` that is empty or not an
/// `http(s)://HOST...` URL is refused: falling back to github.com would send the token
/// to a host the user did not name.
pub fn base_url(flag: Option<&str>, gh_host: Option<&str>) -> Result<String, BadApiUrl> {
    if let Some(given) = flag {
        let url = given.trim();
        let bad = |why| {
            Err(BadApiUrl {
                url: given.to_string(),
                why,
            })
        };
        if url.is_empty() {
            return bad("empty; give the API URL, e.g. https://ghe.example.com/api/v3");
        }
        let Some(rest) = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
        else {
            return bad("not an http:// or https:// URL");
        };
        if rest.split('/').next().is_none_or(str::is_empty) {
            return bad("no host");
        }
        return Ok(url.trim_end_matches('/').to_string());
    }
    Ok(match gh_host.map(str::trim).filter(|h| !h.is_empty()) {
        None | Some("github.com") | Some("api.github.com") => GITHUB_API.to_string(),
        Some(host) => {
            let host = host
                .trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_end_matches('/');
            format!("https://{host}/api/v3")
        }
    })
}

/// How the run fetches from the API: where, with which token, and within which bounds.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub base_url: String,
    pub token: Option<Token>,
    /// Connect, read and write timeout: the longest the server may stay silent.
    pub timeout: Duration,
    /// The longest one request may take: every attempt with its whole body, and the
    /// backoff between attempts (rate-limit waits are not counted). Zero: no deadline.
    pub request_timeout: Duration,
    /// The longest the requests of one repository may take together
    /// ([`Client::within`]; rate-limit waits are not counted). Zero: no deadline.
    pub repository_timeout: Duration,
    /// The largest body read from one answer; a larger one is an error
    /// ([`GithubError::TooLarge`]) and is not read further.
    pub max_body: u64,
    /// Files fetched per repository (workflows, local actions); the rest are reported
    /// as not audited.
    pub max_files: usize,
    /// Files larger than this are reported and not fetched (`--max-file-size`).
    pub max_file_size: u64,
    /// Retries after the first attempt, on 5xx, network errors and rate limits.
    pub retries: u32,
    /// First backoff; doubled on every retry.
    pub backoff: Duration,
    /// The longest single wait (backoff, `Retry-After`, rate-limit reset); a rate limit
    /// that asks for more is not waited out. Zero: no wait at all (library tests).
    pub max_wait: Duration,
    /// Wait for the primary rate limit to reset (false: `--no-wait`, stop with an error;
    /// secondary limits are then waited out only up to [`NO_WAIT_LONGEST`]).
    pub wait_for_reset: bool,
    /// Tests and benchmarks (`SHIPLINT_TEST_BACKOFF_MS`): every wait sleeps this long
    /// instead; what is waited for and what is refused is decided as without it.
    pub test_wait: Option<Duration>,
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
            request_timeout: Duration::from_secs(60),
            repository_timeout: Duration::from_secs(5 * 60),
            max_body: 32 << 20,
            max_files: 300,
            max_file_size: 1024 * 1024,
            retries: 3,
            backoff: Duration::from_secs(1),
            max_wait: Duration::from_secs(15 * 60),
            wait_for_reset: true,
            test_wait: None,
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
    /// A secondary rate limit still there after the retries, each waited out: this
    /// request failed, the run goes on.
    Throttled { path: String, message: String },
    /// An answer whose body is over the cap (`limit` bytes); it was not read further.
    TooLarge { path: String, limit: u64 },
    /// A deadline passed: the request's (`--request-timeout`) or its repository's
    /// (`--repo-timeout`).
    TimedOut {
        path: String,
        deadline: Deadline,
        limit: Duration,
    },
    /// A body that is not the JSON the endpoint documents.
    Invalid { path: String, reason: String },
    /// The client could not be set up (bad base URL, a token that cannot be sent).
    Setup { reason: String },
}

/// Which deadline a [`GithubError::TimedOut`] request ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// The request's own, all its attempts included (`--request-timeout`).
    Request,
    /// Its repository's, all its requests included (`--repo-timeout`).
    Repository,
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
            GithubError::Throttled { path, message } => write!(
                f,
                "GitHub API secondary rate limit on GET {path}: still limited after every retry ({message})"
            ),
            GithubError::TooLarge { path, limit } => write!(
                f,
                "GitHub API: GET {path} answered more than {limit} bytes; not read further"
            ),
            GithubError::TimedOut {
                path,
                deadline: Deadline::Request,
                limit,
            } => write!(
                f,
                "GitHub API: GET {path} gave no complete answer within {} (--request-timeout)",
                human_duration(*limit)
            ),
            GithubError::TimedOut {
                path,
                deadline: Deadline::Repository,
                limit,
            } => write!(
                f,
                "GitHub API: the repository's requests took longer than {} (--repo-timeout); stopped at GET {path}",
                human_duration(*limit)
            ),
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
    /// The end of the current repository's time ([`Client::within`]).
    repository_end: Cell<Option<Instant>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("opts", &self.opts).finish()
    }
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

/// Why one attempt brought no answer.
enum Failure {
    Transport(octocrab::Error),
    TooLarge,
    Deadline,
}

/// Clears the repository deadline when [`Client::within`] ends, even by a panic.
struct RepositoryScope<'c>(&'c Cell<Option<Instant>>);

impl Drop for RepositoryScope<'_> {
    fn drop(&mut self) {
        self.0.set(None);
    }
}

impl Client {
    pub fn new(opts: ClientOptions) -> Result<Client, GithubError> {
        if let Some(token) = &opts.token {
            token.check().map_err(|e| GithubError::Setup {
                reason: e.to_string(),
            })?;
        }
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
                builder = builder.personal_token(token.secret.clone());
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
            repository_end: Cell::new(None),
        })
    }

    pub fn options(&self) -> &ClientOptions {
        &self.opts
    }

    /// Runs `f`, the requests of one repository, under the repository deadline
    /// ([`ClientOptions::repository_timeout`]): once it has passed, every request fails
    /// with [`GithubError::TimedOut`]. Inside another `within`, the outer deadline holds.
    pub fn within<T>(&self, f: impl FnOnce() -> Result<T, GithubError>) -> Result<T, GithubError> {
        let limit = self.opts.repository_timeout;
        if self.repository_end.get().is_some() || limit.is_zero() {
            return f();
        }
        self.repository_end.set(Some(Instant::now() + limit));
        let _scope = RepositoryScope(&self.repository_end);
        f()
    }

    /// `GET path` (relative to the base URL, e.g. `/repos/o/r`), with retries, its body
    /// at most [`ClientOptions::max_body`] bytes. Returns every final status to the
    /// caller except 401, which is an error everywhere.
    ///
    /// With a cache, the request is conditional: a `304` comes back as the cached `200`,
    /// and a `200` with an `ETag` is stored.
    pub fn get(&self, path: &str) -> Result<Response, GithubError> {
        self.get_capped(path, self.opts.max_body)
    }

    /// [`Client::get`] with a body of at most `max_body` bytes instead (a file's answer
    /// is capped by the file size cap).
    pub fn get_capped(&self, path: &str, max_body: u64) -> Result<Response, GithubError> {
        let cached = self.cache.as_ref().and_then(|c| c.load(path));
        let etag = cached.as_ref().map(|e| e.etag.as_str());
        let mut response = self.get_uncached(path, etag, max_body)?;
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

    fn get_uncached(
        &self,
        path: &str,
        etag: Option<&str>,
        max_body: u64,
    ) -> Result<Response, GithubError> {
        let headers = etag
            .and_then(|e| http::HeaderValue::from_str(e).ok())
            .map(|e| {
                let mut h = http::HeaderMap::new();
                h.insert(http::header::IF_NONE_MATCH, e);
                h
            });
        let mut clock = wait::Clock::start(self, path);
        let mut attempt = 0;
        loop {
            let last = attempt >= self.opts.retries;
            let (parts, body) = match self.attempt(path, headers.clone(), max_body, clock.left()?) {
                Ok(answer) => answer,
                Err(Failure::Deadline) => return Err(clock.expired()),
                Err(Failure::TooLarge) => {
                    return Err(GithubError::TooLarge {
                        path: path.to_string(),
                        limit: max_body,
                    })
                }
                Err(Failure::Transport(_)) if !last && self.back_off(attempt, &clock) => {
                    attempt += 1;
                    continue;
                }
                Err(Failure::Transport(e)) => {
                    return Err(GithubError::Unreachable {
                        url: self.opts.base_url.clone(),
                        reason: reason(&e),
                    })
                }
            };
            let response = Response {
                status: parts.status.as_u16(),
                path: path.to_string(),
                headers: parts.headers,
                body: String::from_utf8_lossy(&body).into_owned(),
            };
            match response.status {
                401 => {
                    return Err(GithubError::Unauthorized {
                        message: response.message(),
                    })
                }
                500..=599 if !last && self.back_off(attempt, &clock) => {}
                403 | 429 => match self.rate_limit_wait(&response, attempt)? {
                    Some(wait) => {
                        self.wait(wait);
                        clock.pause(wait);
                    }
                    None => return Ok(response),
                },
                _ => return Ok(response),
            }
            attempt += 1;
        }
    }

    /// One attempt within `left`: the answer's head and its whole body, at most
    /// `max_body` bytes of it.
    fn attempt(
        &self,
        path: &str,
        headers: Option<http::HeaderMap>,
        max_body: u64,
        left: Option<Duration>,
    ) -> Result<(http::response::Parts, Vec<u8>), Failure> {
        let exchange = async {
            let res = self
                .octo
                ._get_with_headers(path, headers)
                .await
                .map_err(Failure::Transport)?;
            let (parts, mut body) = res.into_parts();
            self.opts.stats.record(&parts.headers);
            let declared = parts
                .headers
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if declared.is_some_and(|n| n > max_body) {
                return Err(Failure::TooLarge);
            }
            let mut bytes = Vec::new();
            while let Some(frame) = body.frame().await {
                let Ok(data) = frame.map_err(Failure::Transport)?.into_data() else {
                    continue;
                };
                if (bytes.len() + data.len()) as u64 > max_body {
                    return Err(Failure::TooLarge);
                }
                bytes.extend_from_slice(&data);
            }
            Ok((parts, bytes))
        };
        self.runtime.block_on(async {
            match left {
                Some(left) => tokio::time::timeout(left, exchange)
                    .await
                    .unwrap_or(Err(Failure::Deadline)),
                None => exchange.await,
            }
        })
    }

    /// Every item of a paginated list (`per_page=100`, following `link: rel="next"` on
    /// this API only), at most `max_pages` pages, each item once.
    pub fn get_list(&self, path: &str, max_pages: usize) -> Result<Vec<Json>, GithubError> {
        Ok(self
            .list(path, max_pages, |item| Some(item.to_string()))?
            .items)
    }

    /// The items of a paginated list, each `key` once (items without a key are left
    /// out), following `link: rel="next"`: at most `max_pages` pages, never to another
    /// host, and not past a page seen before (the same URL, or a page with nothing new
    /// on it that still links on: a loop). Why it stopped early, if it did, is in
    /// [`Listing::cut`].
    pub fn list(
        &self,
        path: &str,
        max_pages: usize,
        key: impl Fn(&Json) -> Option<String>,
    ) -> Result<Listing, GithubError> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut next = Some(format!("{path}{sep}per_page=100"));
        let mut listing = Listing::default();
        let (mut pages, mut keys) = (BTreeSet::new(), BTreeSet::new());
        while let Some(p) = next.take() {
            let page = pages.len() + 1;
            if page > max_pages {
                listing.cut = Some(ListCut::TooLong { pages: max_pages });
                break;
            }
            if !pages.insert(p.clone()) {
                listing.cut = Some(ListCut::Loop { page });
                break;
            }
            let r = self.get(&p)?;
            if r.status != 200 {
                return Err(r.unexpected());
            }
            let Json::Array(items) = r.json()? else {
                return Err(GithubError::Invalid {
                    path: p,
                    reason: "expected an array".into(),
                });
            };
            let before = listing.items.len();
            let new = items
                .into_iter()
                .filter(|i| key(i).is_some_and(|k| keys.insert(k)));
            listing.items.extend(new);
            let Some(url) = r.header("link").and_then(next_url) else {
                break;
            };
            next = self.on_this_api(url);
            if next.is_none() {
                listing.cut = Some(ListCut::Foreign { page });
            } else if listing.items.len() == before {
                listing.cut = Some(ListCut::Loop { page });
                next = None;
            }
        }
        Ok(listing)
    }

    /// The `rel="next"` URL of a `link` header as a path on this API (never another host),
    /// for lists whose pages are objects (`{total_count, <items>}`), which `list` does not
    /// read.
    pub(crate) fn next_link(&self, link: &str) -> Option<String> {
        next_url(link).and_then(|url| self.on_this_api(url))
    }

    /// An absolute URL of this API as a path for the client (never another host).
    fn on_this_api(&self, url: &str) -> Option<String> {
        let base = self.opts.base_url.trim_end_matches('/');
        let rest = url.strip_prefix(base)?;
        if !(rest.is_empty() || rest.starts_with(['/', '?'])) {
            return None; // `https://api.github.com.evil.example/...`
        }
        // The base URL's own path (GHE `/api/v3`) is added back by the client.
        let base_path = base
            .splitn(4, '/')
            .nth(3)
            .map_or(String::new(), |p| format!("/{p}"));
        Some(format!("{base_path}{rest}"))
    }
}

/// The `rel="next"` URL of a `link` header.
fn next_url(link: &str) -> Option<&str> {
    link.split(',').find_map(|part| {
        let (url, rel) = part.split_once(';')?;
        rel.contains("rel=\"next\"")
            .then(|| url.trim().trim_start_matches('<').trim_end_matches('>'))
    })
}

/// A paginated list as [`Client::list`] read it.
#[derive(Debug, Default)]
pub struct Listing {
    pub items: Vec<Json>,
    /// Why it stopped before a last page, when it did: items may be missing.
    pub cut: Option<ListCut>,
}

/// Why a paginated list stopped before its last page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListCut {
    #[error("page {page} is a page seen before, or brings nothing new and links on (a `Link` loop); the listing stopped there")]
    Loop { page: usize },
    #[error("the `rel=\"next\"` link of page {page} points to another host; not followed")]
    Foreign { page: usize },
    #[error("stopped after {pages} pages")]
    TooLong { pages: usize },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_from_flag_host_or_default() {
        let url = |flag, host| base_url(flag, host).unwrap();
        assert_eq!(url(None, None), GITHUB_API);
        assert_eq!(url(None, Some("github.com")), GITHUB_API);
        assert_eq!(
            url(None, Some("ghe.example.com")),
            "https://ghe.example.com/api/v3"
        );
        assert_eq!(
            url(Some("http://127.0.0.1:9/"), Some("ghe.example.com")),
            "http://127.0.0.1:9"
        );
        // A flag that names no API is refused, never replaced by GH_HOST or github.com.
        for bad in [
            "",
            "  ",
            "ghe.example.com",
            "ftp://ghe.example.com",
            "https://",
        ] {
            assert!(
                base_url(Some(bad), Some("ghe.example.com")).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn tokens_that_cannot_be_sent_are_refused_by_name() {
        assert!(Token::new("ghp_abc123").check().is_ok());
        for (token, what, at) in [
            ("ghp_a\nb", "a line break", 6),
            ("ghp a", "a space", 4),
            ("ghp_\u{7f}", "a control character", 5),
            ("ghp_é", "a non-ASCII character", 5),
        ] {
            let e = Token::new(token).check().unwrap_err();
            assert_eq!((e.what, e.at), (what, at), "{token:?}");
            assert!(!e.to_string().contains("ghp"));
        }
        let opts = ClientOptions::new(GITHUB_API.into(), Some(Token::new("a\nb")));
        assert!(matches!(Client::new(opts), Err(GithubError::Setup { .. })));
    }

    #[test]
    fn next_links_stay_on_the_api() {
        let client = Client::new(ClientOptions::new(
            "https://ghe.example.com/api/v3".into(),
            None,
        ))
        .unwrap();
        let link = "<https://ghe.example.com/api/v3/repositories/1/branches?per_page=100&page=2>; rel=\"next\", <https://ghe.example.com/api/v3/repositories/1/branches?per_page=100&page=4>; rel=\"last\"";
        let next = |link| next_url(link).and_then(|url| client.on_this_api(url));
        assert_eq!(
            next(link).as_deref(),
            Some("/api/v3/repositories/1/branches?per_page=100&page=2")
        );
        let elsewhere = "<https://evil.example.com/x?page=2>; rel=\"next\"";
        assert_eq!(next(elsewhere), None);
        let lookalike = "<https://ghe.example.com/api/v3.evil.example/x>; rel=\"next\"";
        assert_eq!(next(lookalike), None);
    }

    #[test]
    fn tokens_are_never_printed() {
        let t = Token::new("ghp_secret123");
        assert!(!format!("{t:?}").contains("secret"));
        let opts = ClientOptions::new(GITHUB_API.into(), Some(t));
        assert!(!format!("{opts:?}").contains("secret"));
    }
}
