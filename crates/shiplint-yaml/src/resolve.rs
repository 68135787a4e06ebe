//! Scalar resolution by the YAML 1.2 core schema, which GitHub Actions uses: `on`, `yes` and
//! `no` are strings (YAML 1.1 would make them booleans), and explicit core tags win.

use saphyr_parser::{ScalarStyle, Tag};

use crate::tree::Value;

const CORE_TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// The value of a scalar written as `text` in `style` with an optional `tag`; an error
/// message for a core tag its text does not fit (`!!int twelve`).
pub(crate) fn resolve_scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
) -> Result<Value, String> {
    let invalid = |kind: &str| format!("invalid !!{kind} value `{text}`");
    match tag.and_then(core_tag) {
        Some("str") => Ok(Value::Str(text.to_owned())),
        Some("null") => match resolve_plain(text) {
            Value::Null => Ok(Value::Null),
            _ => Err(invalid("null")),
        },
        Some("bool") => match resolve_plain(text) {
            v @ Value::Bool(_) => Ok(v),
            _ => Err(invalid("bool")),
        },
        Some("int") => match parse_int(text) {
            Some(v @ Value::Int(_)) => Ok(v),
            _ => Err(invalid("int")),
        },
        Some("float") => match parse_int(text).or_else(|| parse_float(text)) {
            Some(Value::Int(i)) => Ok(Value::Float(i as f64)),
            Some(v @ Value::Float(_)) => Ok(v),
            _ => Err(invalid("float")),
        },
        // Unknown and non-scalar tags are ignored.
        _ if style == ScalarStyle::Plain => Ok(resolve_plain(text)),
        _ => Ok(Value::Str(text.to_owned())),
    }
}

/// Core-schema suffix (`str`, `int`, ...) of a `!!x` or `!<tag:yaml.org,2002:x>` tag; `!` (the
/// non-specific tag, which forces a string) is reported as `str`.
fn core_tag(tag: &Tag) -> Option<&str> {
    if tag.handle == CORE_TAG_PREFIX {
        return Some(&tag.suffix);
    }
    if tag.handle.is_empty() {
        if tag.suffix == "!" {
            return Some("str");
        }
        return tag.suffix.strip_prefix(CORE_TAG_PREFIX);
    }
    None
}

/// YAML 1.2 core schema for plain scalars (so `yes`, `no`, `on` stay strings).
fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ => parse_int(text)
            .or_else(|| parse_float(text))
            .unwrap_or_else(|| Value::Str(text.to_owned())),
    }
}

/// Core-schema integers. Decimal values beyond i64 become floats; hex/octal ones stay strings.
fn parse_int(text: &str) -> Option<Value> {
    let radix_digits = |prefix: &str, radix: u32| {
        text.strip_prefix(prefix)
            .filter(|d| !d.is_empty() && d.chars().all(|c| c.is_digit(radix)))
            .map(|d| {
                i64::from_str_radix(d, radix)
                    .map_or_else(|_| Value::Str(text.to_owned()), Value::Int)
            })
    };
    if let Some(v) = radix_digits("0x", 16).or_else(|| radix_digits("0o", 8)) {
        return Some(v);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    match text.parse::<i64>() {
        Ok(i) => Some(Value::Int(i)),
        Err(_) => text.parse::<f64>().ok().map(Value::Float),
    }
}

/// Core-schema floats: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `.inf`, `.nan`.
fn parse_float(text: &str) -> Option<Value> {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let negative = text.starts_with('-');
    match unsigned {
        ".inf" | ".Inf" | ".INF" => {
            let inf = if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
            return Some(Value::Float(inf));
        }
        ".nan" | ".NaN" | ".NAN" if unsigned.len() == text.len() => {
            return Some(Value::Float(f64::NAN));
        }
        _ => {}
    }
    let b = unsigned.as_bytes();
    let digits_from = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let int_end = digits_from(0);
    let mut i = int_end;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        let frac_end = digits_from(i + 1);
        frac_digits = frac_end - (i + 1);
        i = frac_end;
    }
    if int_end == 0 && frac_digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'-' | b'+')) {
            j += 1;
        }
        let exp_end = digits_from(j);
        if exp_end == j {
            return None;
        }
        i = exp_end;
    }
    if i != b.len() {
        return None;
    }
    // The grammar above is a subset of what Rust's float parser accepts.
    text.parse::<f64>().ok().map(Value::Float)
}
