//! Sizes and durations written the way Spark reads them (`1g`, `512m`, `30s`, `1min`).

use crate::error::Error;

/// The unit a bare number is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteUnit {
    /// Bytes.
    Byte,
    /// Kibibytes.
    KiB,
    /// Mebibytes.
    MiB,
    /// Gibibytes.
    GiB,
}

impl ByteUnit {
    fn shift(self) -> u32 {
        match self {
            ByteUnit::Byte => 0,
            ByteUnit::KiB => 10,
            ByteUnit::MiB => 20,
            ByteUnit::GiB => 30,
        }
    }
}

/// A value that could not be parsed; [`UnitError::for_key`] turns it into a user error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitError {
    /// The offending text.
    pub value: String,
    /// Which kind of value was expected ("size" or "duration").
    pub kind: &'static str,
}

impl UnitError {
    /// The user-facing error for this value under `key`.
    pub fn for_key(self, key: &str) -> Error {
        let example = if self.kind == "size" {
            "e.g. 512m, 2g or 1024k"
        } else {
            "e.g. 500ms, 30s or 5min"
        };
        Error::usage(
            format!("{key}: `{}` is not a valid {}", self.value, self.kind),
            format!("write the {} as a number with a unit, {example}", self.kind),
        )
    }
}

/// Parses a size like Spark's `JavaUtils.byteStringAs`: a whole number with an optional
/// suffix `b`, `k`/`kb`, `m`/`mb`, `g`/`gb`, `t`/`tb`, `p`/`pb` (any case); a bare number is in
/// `unit`. The result is in `unit`, rounded down.
pub fn parse_bytes_as(text: &str, unit: ByteUnit) -> Result<i64, UnitError> {
    let err = || UnitError {
        value: text.to_string(),
        kind: "size",
    };
    let t = text.trim().to_ascii_lowercase();
    let digits_end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    if digits_end == 0 {
        return Err(err());
    }
    let n: i128 = t[..digits_end].parse().map_err(|_| err())?;
    let shift: u32 = match &t[digits_end..] {
        "" => unit.shift(),
        "b" => 0,
        "k" | "kb" => 10,
        "m" | "mb" => 20,
        "g" | "gb" => 30,
        "t" | "tb" => 40,
        "p" | "pb" => 50,
        _ => return Err(err()),
    };
    let bytes = n.checked_shl(shift).ok_or_else(err)?;
    let v = bytes >> unit.shift();
    i64::try_from(v).map_err(|_| err())
}

/// Parses a duration like Spark's `JavaUtils.timeStringAs` and returns milliseconds: a whole
/// number with an optional suffix `us`, `ms`, `s`, `m`/`min`, `h`, `d`; a bare number is in
/// `bare_unit_ms` milliseconds (1 for ms-keys, 1000 for second-keys).
pub fn parse_duration_ms(text: &str, bare_unit_ms: i64) -> Result<i64, UnitError> {
    let err = || UnitError {
        value: text.to_string(),
        kind: "duration",
    };
    let t = text.trim().to_ascii_lowercase();
    let digits_end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    if digits_end == 0 {
        return Err(err());
    }
    let n: i64 = t[..digits_end].parse().map_err(|_| err())?;
    let (num, den): (i64, i64) = match t[digits_end..].trim() {
        "" => (bare_unit_ms, 1),
        "ns" => (1, 1_000_000),
        "us" => (1, 1000),
        "ms" => (1, 1),
        "s" => (1000, 1),
        "m" | "min" => (60_000, 1),
        "h" => (3_600_000, 1),
        "d" => (86_400_000, 1),
        _ => return Err(err()),
    };
    n.checked_mul(num).map(|v| v / den).ok_or_else(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_bytes_as("1g", ByteUnit::MiB), Ok(1024));
        assert_eq!(parse_bytes_as("512", ByteUnit::MiB), Ok(512));
        assert_eq!(parse_bytes_as("384m", ByteUnit::MiB), Ok(384));
        assert_eq!(parse_bytes_as("2GB", ByteUnit::MiB), Ok(2048));
        assert_eq!(parse_bytes_as("1536k", ByteUnit::MiB), Ok(1));
        assert!(parse_bytes_as("1.5g", ByteUnit::MiB).is_err());
        assert!(parse_bytes_as("g", ByteUnit::MiB).is_err());
        assert!(parse_bytes_as("12x", ByteUnit::MiB).is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("1s", 1), Ok(1000));
        assert_eq!(parse_duration_ms("30", 1000), Ok(30_000));
        assert_eq!(parse_duration_ms("2min", 1), Ok(120_000));
        assert!(parse_duration_ms("soon", 1).is_err());
    }
}
