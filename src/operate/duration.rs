//! Durations typed on the command line (`--since 5m`, `--older-than 1d12h`) and ages shown
//! to people (`5m`, `2d3h`, like kubectl's `AGE` column).

use std::time::Duration;

use crate::conf::units;
use crate::error::{Error, Result};

/// Parses a duration flag: a number of seconds, or one or more `<n><unit>` parts with units
/// `ms`, `s`, `m`/`min`, `h`, `d` (e.g. `90s`, `1h30m`, `7d`).
pub fn parse_flag(flag: &str, text: &str) -> Result<Duration> {
    let bad = || {
        Error::usage(
            format!("{flag}: `{text}` is not a valid duration"),
            "use a number of seconds or a duration such as 30s, 5m, 1h30m or 7d",
        )
    };
    let t = text.trim();
    if t.is_empty() {
        return Err(bad());
    }
    let mut total_ms: i64 = 0;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(bad());
        }
        let unit_end = rest[digits..]
            .find(|c: char| c.is_ascii_digit())
            .map(|i| digits + i)
            .unwrap_or(rest.len());
        let part = units::parse_duration_ms(&rest[..unit_end], 1000).map_err(|_| bad())?;
        total_ms = total_ms.checked_add(part).ok_or_else(bad)?;
        rest = &rest[unit_end..];
    }
    Ok(Duration::from_millis(total_ms as u64))
}

/// A short age as kubectl prints it (`HumanDuration`): `45s`, `3m20s`, `42m`, `5h10m`, `30h`,
/// `3d4h`, `120d`, `2y30d`. Negative ages (clock skew) print as `0s`.
pub fn human(seconds: i64) -> String {
    let s = seconds.max(0);
    let (m, h, d) = (s / 60, s / 3600, s / 86_400);
    if s < 120 {
        format!("{s}s")
    } else if m < 10 {
        match s % 60 {
            0 => format!("{m}m"),
            rest => format!("{m}m{rest}s"),
        }
    } else if m < 180 {
        format!("{m}m")
    } else if h < 8 {
        match m % 60 {
            0 => format!("{h}h"),
            rest => format!("{h}h{rest}m"),
        }
    } else if h < 48 {
        format!("{h}h")
    } else if h < 24 * 8 {
        match h % 24 {
            0 => format!("{d}d"),
            rest => format!("{d}d{rest}h"),
        }
    } else if d < 365 * 2 {
        format!("{d}d")
    } else if d < 365 * 8 {
        match d % 365 {
            0 => format!("{}y", d / 365),
            rest => format!("{}y{rest}d", d / 365),
        }
    } else {
        format!("{}y", d / 365)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags() {
        assert_eq!(
            parse_flag("--since", "30").unwrap(),
            Duration::from_secs(30)
        );
        assert_eq!(
            parse_flag("--since", "5m").unwrap(),
            Duration::from_secs(300)
        );
        assert_eq!(
            parse_flag("--since", "1h30m").unwrap(),
            Duration::from_secs(5400)
        );
        assert_eq!(
            parse_flag("--since", "7d").unwrap(),
            Duration::from_secs(7 * 86_400)
        );
        assert_eq!(
            parse_flag("--since", "250ms").unwrap(),
            Duration::from_millis(250)
        );
        assert_eq!(
            parse_flag("--since", "2min").unwrap(),
            Duration::from_secs(120)
        );
        for bad in ["", "h", "5x", "-5m", "1.5h"] {
            let err = parse_flag("--older-than", bad).unwrap_err();
            assert!(err.to_string().starts_with("--older-than:"), "{bad}");
        }
    }

    #[test]
    fn ages_like_kubectl() {
        assert_eq!(human(-3), "0s");
        assert_eq!(human(45), "45s");
        assert_eq!(human(119), "119s");
        assert_eq!(human(200), "3m20s");
        assert_eq!(human(300), "5m");
        assert_eq!(human(42 * 60), "42m");
        assert_eq!(human(5 * 3600 + 600), "5h10m");
        assert_eq!(human(30 * 3600), "30h");
        assert_eq!(human(3 * 86_400 + 4 * 3600), "3d4h");
        assert_eq!(human(120 * 86_400), "120d");
        assert_eq!(human(2 * 365 * 86_400 + 30 * 86_400), "2y30d");
        assert_eq!(human(10 * 365 * 86_400), "10y");
    }
}
