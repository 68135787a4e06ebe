//! Time in the client: the deadlines a request runs under ([`Clock`]), the waits between
//! attempts (backoff after 5xx and network errors, rate limits), and which waits are
//! refused. A rate-limit wait stops the deadline clocks (the server asked for it; it is
//! not the server being slow), a backoff does not.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::{Client, Deadline, GithubError, Response, NO_WAIT_LONGEST};

/// GitHub's advice for a secondary rate limit: wait at least a minute (or `Retry-After`),
/// then exponentially longer while it stays.
const SECONDARY_WAIT: Duration = Duration::from_secs(60);

/// A duration for people: `300 ms`, `45 s`, `2 min`, `1 min 30 s`, `27 h 47 min`.
pub fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0 => format!("{} ms", d.as_millis()),
        1..=59 => format!("{s} s"),
        60..=3599 if s % 60 == 0 => format!("{} min", s / 60),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600).div_ceil(60)),
    }
}

fn now_epoch() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The deadlines of one request: its own, and its repository's (held by the client).
pub(super) struct Clock<'c> {
    client: &'c Client,
    path: &'c str,
    request_end: Option<Instant>,
}

impl<'c> Clock<'c> {
    pub(super) fn start(client: &'c Client, path: &'c str) -> Clock<'c> {
        let limit = client.opts.request_timeout;
        Clock {
            client,
            path,
            request_end: (!limit.is_zero()).then(|| Instant::now() + limit),
        }
    }

    /// The deadline that ends first: when, which, and its length.
    fn first(&self) -> Option<(Instant, Deadline, Duration)> {
        let opts = &self.client.opts;
        let request = self
            .request_end
            .map(|end| (end, Deadline::Request, opts.request_timeout));
        let repository = self
            .client
            .repository_end
            .get()
            .map(|end| (end, Deadline::Repository, opts.repository_timeout));
        [request, repository]
            .into_iter()
            .flatten()
            .min_by_key(|(end, ..)| *end)
    }

    /// The time left (`None`: no deadline), or the error of the deadline that passed.
    pub(super) fn left(&self) -> Result<Option<Duration>, GithubError> {
        let Some((end, ..)) = self.first() else {
            return Ok(None);
        };
        match end.checked_duration_since(Instant::now()) {
            Some(left) if !left.is_zero() => Ok(Some(left)),
            _ => Err(self.expired()),
        }
    }

    /// The error of the first deadline (the one an attempt ran into).
    pub(super) fn expired(&self) -> GithubError {
        let (deadline, limit) = self
            .first()
            .map_or((Deadline::Request, Duration::ZERO), |(_, d, l)| (d, l));
        GithubError::TimedOut {
            path: self.path.to_string(),
            deadline,
            limit,
        }
    }

    /// Stops both clocks for `d`.
    pub(super) fn pause(&mut self, d: Duration) {
        self.request_end = self.request_end.map(|end| end + d);
        let repository = &self.client.repository_end;
        repository.set(repository.get().map(|end| end + d));
    }
}

/// A 403 or 429 that is a rate limit.
enum RateLimit {
    /// `x-ratelimit-remaining: 0`: no request until the reset (Unix time).
    Primary { reset: Option<u64>, limit: String },
    /// Too many requests at once: `Retry-After` seconds, or GitHub's minute.
    Secondary { retry_after: Option<u64> },
}

impl RateLimit {
    fn of(r: &Response) -> Option<RateLimit> {
        if r.header("x-ratelimit-remaining") == Some("0") {
            return Some(RateLimit::Primary {
                reset: r
                    .header("x-ratelimit-reset")
                    .and_then(|v| v.trim().parse().ok()),
                limit: r.header("x-ratelimit-limit").unwrap_or("?").to_string(),
            });
        }
        let retry_after = r.header("retry-after");
        let secondary = retry_after.is_some()
            || r.status == 429
            || r.message().to_lowercase().contains("secondary rate limit");
        secondary.then(|| RateLimit::Secondary {
            retry_after: retry_after.and_then(|v| v.trim().parse().ok()),
        })
    }

    /// How long to wait before retry `attempt + 1`.
    fn wait(&self, attempt: u32) -> Duration {
        match self {
            RateLimit::Primary { reset, .. } => {
                Duration::from_secs(reset.map_or(60, |t| t.saturating_sub(now_epoch()) + 1))
            }
            RateLimit::Secondary { retry_after } => {
                let asked = retry_after.map_or(SECONDARY_WAIT, Duration::from_secs);
                match attempt {
                    0 => asked,
                    n => asked.max(SECONDARY_WAIT.saturating_mul(1 << (n - 1).min(10))),
                }
            }
        }
    }
}

impl Client {
    /// The first backoff doubled `attempt` times.
    fn backoff(&self, attempt: u32) -> Duration {
        self.opts.backoff.saturating_mul(1 << attempt.min(10))
    }

    /// Sleeps the backoff before retry `attempt + 1`, unless it would outlast a
    /// deadline: then `false`, and the caller gives up now.
    pub(super) fn back_off(&self, attempt: u32, clock: &Clock<'_>) -> bool {
        let backoff = self.backoff(attempt);
        match clock.left() {
            Err(_) => false,
            Ok(Some(left)) if backoff >= left => false,
            Ok(_) => {
                self.wait(backoff);
                true
            }
        }
    }

    /// Sleeps `d` (or the test wait), with a countdown on a terminal for long waits.
    pub(super) fn wait(&self, d: Duration) {
        if self.opts.max_wait.is_zero() {
            return;
        }
        let d = self.opts.test_wait.unwrap_or(d);
        if d >= Duration::from_secs(5) && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            let end = Instant::now() + d;
            while let Some(left) = end.checked_duration_since(Instant::now()) {
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

    /// For a 403/429 answer to attempt `attempt`: how long to wait before the next one
    /// when it is a rate limit to wait out, `None` when it is not a rate limit (a
    /// permission refusal, for the caller). A rate limit that cannot be waited out (too
    /// long, or `--no-wait`) stops the run ([`GithubError::RateLimited`]); a secondary
    /// one still there after the retries fails this request only
    /// ([`GithubError::Throttled`]).
    pub(super) fn rate_limit_wait(
        &self,
        r: &Response,
        attempt: u32,
    ) -> Result<Option<Duration>, GithubError> {
        let Some(limit) = RateLimit::of(r) else {
            return Ok(None);
        };
        let wait = limit.wait(attempt);
        let message = match &limit {
            RateLimit::Primary { reset, limit } => primary_message(*reset, limit, wait),
            RateLimit::Secondary { .. } => format!(
                "GitHub API secondary rate limit on GET {}: the API asks to wait {}",
                r.path,
                human_duration(wait)
            ),
        };
        if let Some(why) = self.refusal(&limit, wait) {
            return Err(GithubError::RateLimited {
                message: format!("{message}; {why}"),
            });
        }
        if attempt >= self.opts.retries {
            return Err(match limit {
                RateLimit::Primary { .. } => GithubError::RateLimited {
                    message: format!(
                        "{message}; still limited after {} retries",
                        self.opts.retries
                    ),
                },
                RateLimit::Secondary { .. } => GithubError::Throttled {
                    path: r.path.clone(),
                    message: r.message(),
                },
            });
        }
        eprintln!(
            "shiplint: {message}: waiting {}, then retry {} of {} (--no-wait to stop instead)",
            human_duration(wait),
            attempt + 1,
            self.opts.retries
        );
        Ok(Some(wait))
    }

    /// Why `wait` for `limit` is not waited out, if it is not.
    fn refusal(&self, limit: &RateLimit, wait: Duration) -> Option<String> {
        let no_wait = !self.opts.wait_for_reset;
        match limit {
            RateLimit::Primary { .. } if no_wait => return Some("stopped (--no-wait)".into()),
            RateLimit::Secondary { .. } if no_wait && wait > NO_WAIT_LONGEST => {
                return Some(format!(
                    "stopped (--no-wait waits at most {})",
                    human_duration(NO_WAIT_LONGEST)
                ))
            }
            _ => {}
        }
        let longest = self.opts.max_wait;
        (!longest.is_zero() && wait > longest).then(|| {
            format!(
                "longer than shiplint waits ({}); stopped",
                human_duration(longest)
            )
        })
    }
}

/// What the primary limit is and when it resets.
fn primary_message(reset: Option<u64>, limit: &str, wait: Duration) -> String {
    let when = match reset {
        Some(t) => format!(
            "resets at {t} (Unix time), in {} min",
            wait.as_secs().div_ceil(60)
        ),
        None => "reset time unknown".to_string(),
    };
    format!("GitHub API rate limit exhausted ({limit} requests per hour); it {when}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_say_them() {
        let s = Duration::from_secs;
        assert_eq!(human_duration(Duration::from_millis(300)), "300 ms");
        assert_eq!(human_duration(s(30)), "30 s");
        assert_eq!(human_duration(s(120)), "2 min");
        assert_eq!(human_duration(s(90)), "1 min 30 s");
        assert_eq!(human_duration(s(15 * 60)), "15 min");
        assert_eq!(human_duration(s(100_000)), "27 h 47 min");
    }

    #[test]
    fn secondary_waits_grow_from_retry_after() {
        let limit = RateLimit::Secondary {
            retry_after: Some(30),
        };
        let waits: Vec<u64> = (0..4).map(|n| limit.wait(n).as_secs()).collect();
        assert_eq!(waits, [30, 60, 120, 240]);
        let long = RateLimit::Secondary {
            retry_after: Some(600),
        };
        assert_eq!(long.wait(2).as_secs(), 600);
        let none = RateLimit::Secondary { retry_after: None };
        assert_eq!(none.wait(0).as_secs(), 60);
    }
}
