//! Timestamps as GitHub writes them (`2026-11-30T10:02:11Z`, RFC 3339 in UTC) and the
//! `--since` window, as seconds since the Unix epoch. GitHub's REST API writes every
//! timestamp in UTC with a `Z`; an offset (`+01:00`) and fractions are accepted too.

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn number(s: &str) -> Option<i64> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// `YYYY-MM-DD` as days since the epoch.
fn date(s: &str) -> Option<i64> {
    let mut parts = s.splitn(3, '-');
    let (y, m, d) = (
        number(parts.next()?)?,
        number(parts.next()?)?,
        number(parts.next()?)?,
    );
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| days_from_civil(y, m, d))
}

/// Seconds since the epoch of an RFC 3339 timestamp (`2026-11-30T10:02:11Z`), or of a
/// date alone (midnight UTC).
pub fn parse(s: &str) -> Option<i64> {
    let s = s.trim();
    let Some((day, rest)) = s.split_once(['T', 't', ' ']) else {
        return date(s).map(|d| d * 86_400);
    };
    let days = date(day)?;
    let (clock, offset) = match rest.find(['Z', 'z', '+', '-']) {
        Some(i) => rest.split_at(i),
        None => return None,
    };
    let clock = clock.split('.').next()?;
    let mut hms = clock.splitn(3, ':');
    let (h, m, sec) = (
        number(hms.next()?)?,
        number(hms.next()?)?,
        number(hms.next().unwrap_or("0"))?,
    );
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let shift = match offset {
        "Z" | "z" => 0,
        o => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let (oh, om) = o[1..].split_once(':')?;
            sign * (number(oh)? * 3600 + number(om)? * 60)
        }
    };
    Some(days * 86_400 + h * 3600 + m * 60 + sec - shift)
}

/// `2026-11-30T10:02:11Z`.
pub fn format(secs: i64) -> String {
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
        t / 3600,
        t / 60 % 60,
        t % 60
    )
}

/// `2026-11-30 10:02` (UTC), for people; the input when it is not a timestamp.
pub fn short(timestamp: &str) -> String {
    match parse(timestamp) {
        Some(secs) => {
            let full = format(secs);
            format!("{} {}", &full[..10], &full[11..16])
        }
        None => timestamp.to_string(),
    }
}

/// The start of the window `--since` names, `now` being the end: a duration back from
/// now (`30d`, `12h`, `2w`) or a date or timestamp (`2026-11-01`, RFC 3339).
pub fn since(text: &str, now: i64) -> Result<i64, String> {
    let t = text.trim();
    let scale = match t.chars().last() {
        Some('h') => Some(3600),
        Some('d') => Some(86_400),
        Some('w') => Some(7 * 86_400),
        _ => None,
    };
    // The unit is one ASCII byte.
    if let Some((scale, n)) = scale.and_then(|s| Some((s, number(&t[..t.len() - 1])?))) {
        return n
            .checked_mul(scale)
            .and_then(|back| now.checked_sub(back))
            .ok_or_else(|| format!("--since {text}: too far back"));
    }
    match parse(t) {
        Some(at) if at <= now => Ok(at),
        Some(_) => Err(format!("--since {text}: in the future")),
        None => Err(format!(
            "--since {text}: expected a duration (30d, 12h, 2w) or a date (2026-11-01, or RFC 3339)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip() {
        let t = parse("2026-11-30T10:02:11Z").unwrap();
        assert_eq!(format(t), "2026-11-30T10:02:11Z");
        assert_eq!(parse("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse("2024-02-29"),
            Some(parse("2024-02-29T00:00:00Z").unwrap())
        );
        assert_eq!(
            parse("2026-11-30T11:02:11+01:00"),
            parse("2026-11-30T10:02:11.250Z")
        );
        assert_eq!(short("2026-11-30T10:02:11Z"), "2026-11-30 10:02");
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-11-30T25:00:00Z",
            "2026-11-30T10:02",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn since_takes_durations_and_dates() {
        let now = parse("2026-12-01T12:00:00Z").unwrap();
        assert_eq!(format(since("30d", now).unwrap()), "2026-11-01T12:00:00Z");
        assert_eq!(format(since("12h", now).unwrap()), "2026-12-01T00:00:00Z");
        assert_eq!(format(since("2w", now).unwrap()), "2026-11-17T12:00:00Z");
        assert_eq!(
            format(since("2026-11-01", now).unwrap()),
            "2026-11-01T00:00:00Z"
        );
        assert!(since("2027-01-01", now).unwrap_err().contains("future"));
        assert!(since("30 days", now)
            .unwrap_err()
            .contains("expected a duration"));
        assert!(since("d", now).is_err());
        assert!(since("", now).is_err());
        assert!(since("é", now).is_err());
        assert!(since("99999999999999999d", now).is_err());
    }
}
