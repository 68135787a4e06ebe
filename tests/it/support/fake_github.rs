//! A fake GitHub REST API on 127.0.0.1, so that no test or benchmark reaches github.com.
//!
//! It answers, in this order: the replies queued for a path (recorded bodies from
//! `testdata/github/` with their real status codes and headers, or injected faults: 5xx,
//! secondary and primary rate limits), then a [`SyntheticOrg`] when one is served, then
//! `404 Not Found`. Like GitHub, it answers `304 Not Modified` to a request whose
//! `If-None-Match` is the reply's `etag`. Every request is recorded with the headers the
//! tests check (authorization, if-none-match) and the status it got; `GET /_stats` (not
//! recorded) counts them for a benchmark that runs shiplint in another process.
//!
//! Hostile servers are replies too: a body that drips a few bytes at a time
//! ([`Reply::drip`]), a body that never ends ([`Reply::endless`]), `Link` loops and items
//! repeated across pages (on the [`SyntheticOrg`]), and rate limits with any `Retry-After`
//! or reset time. Connections are counted, so a test can show that a host was never
//! contacted.
//!
//! A thread per connection, keep-alive as GitHub does. Latency is added only when asked for
//! (the benchmark), and a drip waits only as long as it is told; other tests never wait.

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::synthetic_org::SyntheticOrg;

/// One answer: status, headers (`{base}` in a value becomes the server's URL) and body.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// How the body is sent.
    pub delivery: Delivery,
}

/// How a reply's body goes out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Delivery {
    /// At once, after the head.
    #[default]
    Whole,
    /// The head at once, then `bytes` bytes of the body every `every` (a slow or hostile
    /// server that keeps every read alive).
    Drip { bytes: usize, every: Duration },
    /// The head without a length, then spaces until the client hangs up (or 256 MiB): a
    /// body with no end.
    Endless,
}

/// The most an endless body sends, when the client reads it all.
const ENDLESS_BYTES: usize = 256 << 20;

impl Reply {
    /// `status` with `body` and no headers.
    pub fn new(status: u16, body: impl Into<String>) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: body.into(),
            delivery: Delivery::Whole,
        }
    }

    /// This reply with its body sent `bytes` bytes every `every`.
    pub fn drip(mut self, bytes: usize, every: Duration) -> Reply {
        self.delivery = Delivery::Drip {
            bytes: bytes.max(1),
            every,
        };
        self
    }

    /// `200 OK` whose body never ends (see [`Delivery::Endless`]).
    pub fn endless() -> Reply {
        let mut reply = Reply::json(200, "");
        reply.delivery = Delivery::Endless;
        reply
    }

    /// `status` with `body` and GitHub's rate-limit headers (plenty left).
    pub fn json(status: u16, body: impl std::fmt::Display) -> Reply {
        Reply::new(status, body.to_string()).rate_limit("4990")
    }

    /// `200 OK` with `body`, the rate-limit headers and, as GitHub sends on every 200, a
    /// weak `etag` of the body.
    pub fn ok(body: impl std::fmt::Display) -> Reply {
        let reply = Reply::json(200, body);
        // FNV-1a of the body: the same body always has the same tag.
        let tag = reply.body.bytes().fold(0xcbf29ce484222325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
        });
        reply.header("etag", &format!("W/\"{tag:016x}\""))
    }

    /// `status` with the body of `testdata/github/<file>` and no headers.
    pub fn file(status: u16, file: &str) -> Reply {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/github")
            .join(file);
        let body = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("testdata/github/{file}: {e}"));
        Reply::new(status, body)
    }

    /// A recorded body as GitHub sends it: rate-limit headers, and a weak `etag` per body
    /// when the status is 200.
    pub fn recorded(status: u16, file: &str) -> Reply {
        let reply = Reply::file(status, file).rate_limit("4990");
        if status != 200 {
            return reply;
        }
        let etag = format!("W/\"{file}-{}\"", reply.body.len());
        reply.header("etag", &etag)
    }

    /// This reply with one more header.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// This reply with GitHub's `x-ratelimit-*` headers, `remaining` requests left (the
    /// window resets in the year 2100).
    pub fn rate_limit(self, remaining: &str) -> Reply {
        self.rate_limit_until(remaining, 4_102_444_800)
    }

    /// This reply with GitHub's `x-ratelimit-*` headers: `remaining` requests left until
    /// `reset` (Unix time).
    pub fn rate_limit_until(self, remaining: &str, reset: u64) -> Reply {
        self.header("x-ratelimit-limit", "5000")
            .header("x-ratelimit-remaining", remaining)
            .header("x-ratelimit-used", "10")
            .header("x-ratelimit-reset", &reset.to_string())
            .header("x-ratelimit-resource", "core")
    }

    /// A server error (`502 Bad Gateway`, ...): no headers, the reason as the message.
    pub fn server_error(status: u16) -> Reply {
        let message = serde_json::json!({ "message": reason(status) });
        Reply::new(status, message.to_string())
    }

    /// A secondary rate limit: `403` with `retry-after` (seconds), GitHub's recorded body.
    pub fn secondary_rate_limit(retry_after_secs: u64) -> Reply {
        Reply::file(403, "error-secondary-rate-limit.json")
            .header("retry-after", &retry_after_secs.to_string())
    }

    /// The primary rate limit: `403` with no requests left, GitHub's recorded body.
    pub fn primary_rate_limit() -> Reply {
        Reply::file(403, "error-rate-limit.json").rate_limit("0")
    }

    /// The primary rate limit, resetting `secs` seconds from now.
    pub fn primary_rate_limit_resetting_in(secs: u64) -> Reply {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Reply::file(403, "error-rate-limit.json").rate_limit_until("0", now + secs)
    }
}

/// The reason phrase of the statuses the fake answers.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        304 => "Not Modified",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// One request the server answered.
#[derive(Debug, Clone)]
pub struct Request {
    /// The request target: the path and its query.
    pub path: String,
    pub authorization: Option<String>,
    pub if_none_match: Option<String>,
    /// The status the server answered.
    pub status: u16,
}

/// The replies queued for one path.
#[derive(Debug)]
struct Route {
    replies: VecDeque<Reply>,
    /// Repeat the last reply forever (else, once the queue is empty, the path answers as if
    /// it had no route).
    repeat_last: bool,
}

impl Route {
    fn next(&mut self) -> Option<Reply> {
        if self.repeat_last && self.replies.len() == 1 {
            return self.replies.front().cloned();
        }
        self.replies.pop_front()
    }
}

/// What a server will answer, set before it starts.
#[derive(Debug, Default)]
pub struct Setup {
    routes: BTreeMap<String, Route>,
    org: Option<SyntheticOrg>,
    latency: Duration,
}

impl Setup {
    /// `path` answers `replies` in order, repeating the last. A route with a query (a list
    /// page) wins over its bare path.
    pub fn reply(mut self, path: &str, replies: Vec<Reply>) -> Setup {
        let route = Route {
            replies: replies.into(),
            repeat_last: true,
        };
        self.routes.insert(path.to_string(), route);
        self
    }

    /// `path` answers `reply` once, then as if it had no route (a passing fault).
    pub fn reply_once(mut self, path: &str, reply: Reply) -> Setup {
        let route = Route {
            replies: VecDeque::from([reply]),
            repeat_last: false,
        };
        self.routes.insert(path.to_string(), route);
        self
    }

    /// Serves `org` for every path no route answers.
    pub fn org(mut self, org: SyntheticOrg) -> Setup {
        self.org = Some(org);
        self
    }

    /// Delays every answer by `latency`, like a real network.
    #[allow(dead_code)] // used by examples/fake_github.rs; tests never wait
    pub fn latency(mut self, latency: Duration) -> Setup {
        self.latency = latency;
        self
    }

    /// Listens on a free port of 127.0.0.1 and serves until the process ends.
    pub fn start(self) -> FakeGithub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("its address"));
        let state = Arc::new(State {
            url: url.clone(),
            routes: Mutex::new(self.routes),
            org: self.org,
            latency: self.latency,
            log: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
        });
        let server = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                server.connections.fetch_add(1, Ordering::SeqCst);
                // Each answer is one write; without this, Nagle's algorithm holds it back
                // until the client acknowledges the previous one on a kept-alive connection.
                let _ = stream.set_nodelay(true);
                let state = server.clone();
                std::thread::spawn(move || state.serve(stream));
            }
        });
        FakeGithub { url, state }
    }
}

/// A running fake GitHub.
pub struct FakeGithub {
    url: String,
    state: Arc<State>,
}

impl FakeGithub {
    /// A server to set up: routes, an org, latency.
    pub fn setup() -> Setup {
        Setup::default()
    }

    /// A server answering `routes` (each path its replies in order, repeating the last).
    pub fn start(routes: Vec<(&str, Vec<Reply>)>) -> FakeGithub {
        routes
            .into_iter()
            .fold(Setup::default(), |setup, (path, replies)| {
                setup.reply(path, replies)
            })
            .start()
    }

    /// `http://127.0.0.1:PORT`, the API base URL to give shiplint.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// From now on `path` answers as if it had no route (a lifted rate limit).
    pub fn remove_route(&self, path: &str) {
        self.state.routes().remove(path);
    }

    /// Every request so far, in the order they were answered.
    pub fn requests(&self) -> Vec<Request> {
        self.state.log().clone()
    }

    /// The target (path and query) of every request so far.
    pub fn paths(&self) -> Vec<String> {
        self.state.log().iter().map(|r| r.path.clone()).collect()
    }

    /// The `Authorization` header of every request so far.
    pub fn authorizations(&self) -> Vec<Option<String>> {
        self.state
            .log()
            .iter()
            .map(|r| r.authorization.clone())
            .collect()
    }

    /// Forgets the requests so far.
    pub fn forget(&self) {
        self.state.log().clear();
    }

    /// TCP connections accepted so far (whether or not a request followed).
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }
}

struct State {
    url: String,
    routes: Mutex<BTreeMap<String, Route>>,
    org: Option<SyntheticOrg>,
    latency: Duration,
    log: Mutex<Vec<Request>>,
    connections: AtomicUsize,
}

/// The request line and the headers the server looks at.
struct Head {
    target: String,
    authorization: Option<String>,
    if_none_match: Option<String>,
    content_length: usize,
    close: bool,
}

impl State {
    fn routes(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Route>> {
        self.routes.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Vec<Request>> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Answers the requests of one connection until the client closes it.
    fn serve(&self, stream: TcpStream) {
        let Ok(read_half) = stream.try_clone() else {
            return;
        };
        let mut reader = BufReader::new(read_half);
        let mut writer = stream;
        while let Some(head) = read_head(&mut reader) {
            // A GET has no body, but skip one so the next request starts where it should.
            let mut body = (&mut reader).take(head.content_length as u64);
            if std::io::copy(&mut body, &mut std::io::sink()).is_err() {
                return;
            }
            let reply = self.answer(&head);
            let close = head.close || reply.delivery == Delivery::Endless;
            if write_reply(&mut writer, &reply, &self.url, close).is_err() || close {
                return;
            }
        }
    }

    /// The reply to one request, recorded.
    fn answer(&self, head: &Head) -> Reply {
        if head.target == "/_stats" {
            return Reply::ok(serde_json::json!({ "requests": self.log().len() }));
        }
        if !self.latency.is_zero() {
            std::thread::sleep(self.latency);
        }
        let mut reply = self.route(&head.target);
        let etag = reply
            .headers
            .iter()
            .find(|(k, _)| k == "etag")
            .map(|h| &h.1);
        if head.if_none_match.is_some() && head.if_none_match.as_ref() == etag {
            reply.status = 304;
            reply.body = String::new();
            // The worst case: a 304 without the page's `link`.
            reply.headers.retain(|(k, _)| k != "link");
        }
        self.log().push(Request {
            path: head.target.clone(),
            authorization: head.authorization.clone(),
            if_none_match: head.if_none_match.clone(),
            status: reply.status,
        });
        reply
    }

    /// The queued reply of the target (with its query, else its bare path), else the org's
    /// answer, else 404.
    fn route(&self, target: &str) -> Reply {
        let path = target.split('?').next().unwrap_or(target);
        let queued = {
            let mut routes = self.routes();
            [target, path]
                .iter()
                .find_map(|key| routes.get_mut(*key).and_then(Route::next))
        };
        queued
            .or_else(|| self.org.as_ref()?.answer(&self.url, target))
            .unwrap_or_else(|| Reply::recorded(404, "error-not-found.json"))
    }
}

/// Reads one request head; `None` at the end of the connection.
fn read_head(reader: &mut impl BufRead) -> Option<Head> {
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).ok()? == 0 {
        return None;
    }
    let mut head = Head {
        target: request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("/")
            .to_string(),
        authorization: None,
        if_none_match: None,
        content_length: 0,
        close: false,
    };
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().to_string();
        match name.to_ascii_lowercase().as_str() {
            "authorization" => head.authorization = Some(value),
            "if-none-match" => head.if_none_match = Some(value),
            "content-length" => head.content_length = value.parse().unwrap_or(0),
            "connection" => head.close = value.eq_ignore_ascii_case("close"),
            _ => {}
        }
    }
    Some(head)
}

fn write_reply(out: &mut impl Write, r: &Reply, base: &str, close: bool) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json; charset=utf-8\r\nx-github-api-version-selected: 2022-11-28\r\n",
        r.status,
        reason(r.status),
    );
    if r.delivery != Delivery::Endless {
        head.push_str(&format!("content-length: {}\r\n", r.body.len()));
    }
    if close {
        head.push_str("connection: close\r\n");
    }
    for (k, v) in &r.headers {
        head.push_str(&format!("{k}: {}\r\n", v.replace("{base}", base)));
    }
    head.push_str("\r\n");
    match r.delivery {
        Delivery::Whole => {
            head.push_str(&r.body);
            out.write_all(head.as_bytes())?;
        }
        Delivery::Drip { bytes, every } => {
            out.write_all(head.as_bytes())?;
            for piece in r.body.as_bytes().chunks(bytes) {
                out.flush()?;
                std::thread::sleep(every);
                out.write_all(piece)?;
            }
        }
        Delivery::Endless => {
            out.write_all(head.as_bytes())?;
            let spaces = [b' '; 64 * 1024];
            for _ in 0..ENDLESS_BYTES / spaces.len() {
                out.write_all(&spaces)?;
            }
        }
    }
    out.flush()
}
