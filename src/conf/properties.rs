//! Java `.properties` files: reading `--properties-file` and `spark-defaults.conf` with the
//! syntax of `java.util.Properties.load`, and writing `spark.properties` exactly as
//! `Properties.store` does (§4.1 of the spec).

use std::fmt;
use std::path::Path;

use crate::conf::SparkConf;
use crate::error::{Error, Result};

/// A properties text that `Properties.load` would reject (a malformed `\uXXXX` escape), or
/// that cannot be represented in Rust (an unpaired UTF-16 surrogate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based line on which the offending logical line starts.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// Parses properties text with the full syntax of Java's `Properties.load(Reader)`:
/// `#` and `!` comment lines, `=`, `:` or whitespace between key and value, a trailing odd
/// backslash continuing the line (leading whitespace of the continuation skipped), escapes
/// `\t \n \r \f \uXXXX` and `\<any>` → `<any>`.
///
/// Entries are returned in file order, duplicates included; applying them in order gives
/// Java's "last one wins". Values are not trimmed (Spark trims them when reading its own
/// files, see [`trim_except_crlf`]).
pub fn parse(text: &str) -> Result<Vec<(String, String)>, SyntaxError> {
    let chars: Vec<char> = text.chars().collect();
    let mut reader = LineReader {
        chars: &chars,
        pos: 0,
    };
    let mut entries = Vec::new();
    while let Some((start, line)) = reader.next_logical_line() {
        let (key, value) = split_key_value(&line);
        let line_no = || line_number(&chars, start);
        let key = load_convert(key).map_err(|message| SyntaxError {
            line: line_no(),
            message,
        })?;
        let value = load_convert(value).map_err(|message| SyntaxError {
            line: line_no(),
            message,
        })?;
        entries.push((key, value));
    }
    Ok(entries)
}

/// Reads a `--properties-file`: UTF-8 (undecodable bytes replaced, as Java's reader does),
/// parsed with [`parse`]. Errors name `--properties-file` and the path.
pub fn read_file(path: &Path) -> Result<Vec<(String, String)>> {
    read_named(path, "--properties-file")
}

/// [`read_file`] for a file that reached us some other way; `what` names it in errors
/// (e.g. `spark-defaults.conf`).
pub(crate) fn read_named(path: &Path, what: &str) -> Result<Vec<(String, String)>> {
    let shown = path.display();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::usage(
                format!("{what} `{shown}` does not exist"),
                format!(
                    "check the path given to {what}; relative paths are read from the current directory"
                ),
            ));
        }
        Err(e) if path.is_dir() => {
            return Err(Error::usage(
                format!("{what} `{shown}` is not a normal file ({e})"),
                format!("pass a Java .properties file to {what}, not a directory"),
            ));
        }
        Err(e) => {
            return Err(Error::usage(
                format!("cannot read {what} `{shown}`: {e}"),
                format!("make the file readable or pass another file to {what}"),
            ));
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    parse(&text).map_err(|e| {
        Error::usage(
            format!("{what} `{shown}`, {e}"),
            "write non-ASCII characters as they are (the file is read as UTF-8) or as \\uXXXX \
             with exactly four hex digits; write a literal backslash as \\\\",
        )
    })
}

/// Spark's `Utils.trimExceptCRLF`: trims characters ≤ U+0020 from both ends like Java's
/// `String.trim`, except `\r` and `\n` (which can only be there because they were escaped).
/// Spark applies it to every value it reads from a properties file.
pub fn trim_except_crlf(value: &str) -> &str {
    let keep = |c: char| c > ' ' || c == '\r' || c == '\n';
    match (value.find(keep), value.rfind(keep)) {
        (Some(first), Some(last)) => {
            let end = last + value[last..].chars().next().map_or(1, char::len_utf8);
            &value[first..end]
        }
        _ => "",
    }
}

/// Writes `spark.properties` exactly as Spark's submitter does (§4.1): the comment line
/// `#Java properties built from Kubernetes config map with name: <name>`, the date line
/// (`#` + Java `Date.toString()` of `now` in UTC), then `key=value` lines sorted by key with
/// `Properties.store`'s escaping ([`escape_key`], [`escape_value`]). Lines end with `\n`;
/// non-ASCII characters are written as they are (the ConfigMap holds UTF-8).
pub fn write_spark_properties(
    conf: &SparkConf,
    config_map_name: &str,
    now: jiff::Timestamp,
) -> String {
    let mut out = String::new();
    write_comment(
        &mut out,
        &format!("Java properties built from Kubernetes config map with name: {config_map_name}"),
    );
    out.push('#');
    out.push_str(&java_date_utc(now));
    out.push('\n');
    for (key, value) in conf.iter() {
        out.push_str(&escape_key(key));
        out.push('=');
        out.push_str(&escape_value(value));
        out.push('\n');
    }
    out
}

/// `now` in Java's `Date.toString()` form in UTC, e.g. `Mon Feb 06 21:26:11 UTC 2023`.
pub fn java_date_utc(now: jiff::Timestamp) -> String {
    now.to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%a %b %d %H:%M:%S UTC %Y")
        .to_string()
}

/// Escapes a key as `Properties.store` does: `\`, `=`, `:`, `#`, `!` and every space are
/// backslash-escaped; tab, LF, CR and FF become `\t`, `\n`, `\r`, `\f`; everything else,
/// including non-ASCII, is written as it is.
pub fn escape_key(key: &str) -> String {
    save_convert(key, true)
}

/// Escapes a value as `Properties.store` does: like [`escape_key`], except that a space is
/// escaped only when it is the first character.
pub fn escape_value(value: &str) -> String {
    save_convert(value, false)
}

fn save_convert(text: &str, escape_space: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.chars().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            ' ' => {
                if i == 0 || escape_space {
                    out.push('\\');
                }
                out.push(' ');
            }
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\x0c' => out.push_str("\\f"),
            '=' | ':' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// `Properties.writeComments`: `#` + the comment; characters above U+00FF as `\uXXXX`
/// (upper-case hex, per UTF-16 unit); a line break starts a new `#` line unless the next
/// character already is `#` or `!`.
fn write_comment(out: &mut String, comment: &str) {
    out.push('#');
    let chars: Vec<char> = comment.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c as u32 > 0xff {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04X}"));
            }
        } else if c == '\n' || c == '\r' {
            out.push('\n');
            if c == '\r' && chars.get(i + 1) == Some(&'\n') {
                i += 1;
            }
            match chars.get(i + 1) {
                Some('#') | Some('!') => {}
                _ => out.push('#'),
            }
        } else {
            out.push(c);
        }
        i += 1;
    }
    out.push('\n');
}

/// A port of `Properties.LineReader`: yields logical lines (comments and blank lines
/// dropped, continuations joined) with the index of their first character.
struct LineReader<'a> {
    chars: &'a [char],
    pos: usize,
}

impl LineReader<'_> {
    fn next_logical_line(&mut self) -> Option<(usize, Vec<char>)> {
        let mut line: Vec<char> = Vec::new();
        let mut start = self.pos;
        let mut skip_white_space = true;
        let mut appended_line_begin = false;
        let mut preceding_backslash = false;
        loop {
            let Some(&c) = self.chars.get(self.pos) else {
                if line.is_empty() {
                    return None;
                }
                if preceding_backslash {
                    line.pop();
                }
                return Some((start, line));
            };
            self.pos += 1;
            if skip_white_space {
                if c == ' ' || c == '\t' || c == '\x0c' {
                    continue;
                }
                if !appended_line_begin && (c == '\r' || c == '\n') {
                    continue;
                }
                skip_white_space = false;
                appended_line_begin = false;
            }
            if line.is_empty() {
                if c == '#' || c == '!' {
                    while let Some(&d) = self.chars.get(self.pos) {
                        self.pos += 1;
                        if d == '\n' || d == '\r' {
                            break;
                        }
                    }
                    skip_white_space = true;
                    continue;
                }
                start = self.pos - 1;
            }
            if c != '\n' && c != '\r' {
                line.push(c);
                preceding_backslash = c == '\\' && !preceding_backslash;
                continue;
            }
            // End of a natural line.
            if line.is_empty() {
                skip_white_space = true;
                continue;
            }
            if self.pos >= self.chars.len() {
                if preceding_backslash {
                    line.pop();
                }
                return Some((start, line));
            }
            if preceding_backslash {
                line.pop();
                skip_white_space = true;
                appended_line_begin = true;
                preceding_backslash = false;
                if c == '\r' && self.chars.get(self.pos) == Some(&'\n') {
                    self.pos += 1;
                }
            } else {
                return Some((start, line));
            }
        }
    }
}

/// `Properties.load0`: the key ends at the first unescaped `=`, `:` or whitespace; then
/// whitespace and at most one `=`/`:` are skipped before the value.
fn split_key_value(line: &[char]) -> (&[char], &[char]) {
    let limit = line.len();
    let mut key_len = 0;
    let mut value_start = limit;
    let mut has_sep = false;
    let mut preceding_backslash = false;
    while key_len < limit {
        let c = line[key_len];
        if (c == '=' || c == ':') && !preceding_backslash {
            value_start = key_len + 1;
            has_sep = true;
            break;
        } else if (c == ' ' || c == '\t' || c == '\x0c') && !preceding_backslash {
            value_start = key_len + 1;
            break;
        }
        preceding_backslash = c == '\\' && !preceding_backslash;
        key_len += 1;
    }
    while value_start < limit {
        let c = line[value_start];
        if c != ' ' && c != '\t' && c != '\x0c' {
            if !has_sep && (c == '=' || c == ':') {
                has_sep = true;
            } else {
                break;
            }
        }
        value_start += 1;
    }
    (&line[..key_len], &line[value_start..])
}

/// `Properties.loadConvert`: resolves escapes. `\uXXXX` pairs forming a UTF-16 surrogate
/// pair are combined; an unpaired surrogate is an error (Rust strings cannot hold one).
fn load_convert(input: &[char]) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(input.len());
    let mut pending_high: Option<u16> = None;
    let mut i = 0;
    while i < input.len() {
        let mut c = input[i];
        i += 1;
        let mut unit: Option<u16> = None;
        if c == '\\' {
            // A trailing lone backslash cannot reach here (the line reader drops it); be
            // lenient anyway.
            let Some(&next) = input.get(i) else { break };
            i += 1;
            c = match next {
                'u' => {
                    let hex: String = input
                        .get(i..i + 4)
                        .map(|h| h.iter().collect())
                        .unwrap_or_default();
                    if hex.len() != 4 || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                        return Err("Malformed \\uxxxx encoding.".to_string());
                    }
                    i += 4;
                    unit = Some(u16::from_str_radix(&hex, 16).map_err(|e| e.to_string())?);
                    '\0'
                }
                't' => '\t',
                'r' => '\r',
                'n' => '\n',
                'f' => '\x0c',
                other => other,
            };
        }
        match (pending_high.take(), unit) {
            (Some(high), Some(low)) if (0xDC00..0xE000).contains(&low) => {
                let code = 0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                out.push(char::from_u32(code).ok_or_else(|| unpaired(high))?);
            }
            (Some(high), _) => return Err(unpaired(high)),
            (None, Some(u)) if (0xD800..0xDC00).contains(&u) => pending_high = Some(u),
            (None, Some(u)) => out.push(char::from_u32(u32::from(u)).ok_or_else(|| unpaired(u))?),
            (None, None) => out.push(c),
        }
    }
    if let Some(high) = pending_high {
        return Err(unpaired(high));
    }
    Ok(out)
}

fn unpaired(unit: u16) -> String {
    format!(
        "unpaired UTF-16 surrogate \\u{unit:04X} (a character outside the BMP needs both halves, e.g. \\uD83D\\uDE00)"
    )
}

fn line_number(chars: &[char], pos: usize) -> usize {
    let mut line = 1;
    let mut i = 0;
    while i < pos.min(chars.len()) {
        match chars[i] {
            '\n' => line += 1,
            '\r' => {
                line += 1;
                if chars.get(i + 1) == Some(&'\n') {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        parse(text).unwrap()
    }

    fn kv(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn separators_and_whitespace() {
        let got = pairs("a=1\nb:2\nc 3\nd\t=\t4\n  e  :  5\nf\ng=\nh = = x\ni::y\n");
        assert_eq!(
            got,
            vec![
                kv("a", "1"),
                kv("b", "2"),
                kv("c", "3"),
                kv("d", "4"),
                kv("e", "5"),
                kv("f", ""),
                kv("g", ""),
                kv("h", "= x"),
                kv("i", ":y"),
            ]
        );
    }

    #[test]
    fn values_keep_trailing_whitespace() {
        assert_eq!(pairs("k = v  \n"), vec![kv("k", "v  ")]);
    }

    #[test]
    fn comments_and_blank_lines() {
        let got =
            pairs("# comment\n! other\n\n   \n  # indented comment\nk=v # not a comment\n#x=y\n");
        assert_eq!(got, vec![kv("k", "v # not a comment")]);
    }

    #[test]
    fn comment_lines_do_not_continue() {
        assert_eq!(pairs("# comment \\\nk=v\n"), vec![kv("k", "v")]);
    }

    #[test]
    fn continuations() {
        let got = pairs("k = a,\\\n     b,\\\n\t c\nnext=1\n");
        assert_eq!(got, vec![kv("k", "a,b,c"), kv("next", "1")]);
        // An even number of backslashes does not continue.
        assert_eq!(pairs("k=a\\\\\nl=b"), vec![kv("k", "a\\"), kv("l", "b")]);
        // CRLF and CR line ends.
        assert_eq!(
            pairs("k=a\\\r\n  b\r\nl=c\rm=d"),
            vec![kv("k", "ab"), kv("l", "c"), kv("m", "d")]
        );
        // A trailing backslash at end of input is dropped.
        assert_eq!(pairs("k=a\\"), vec![kv("k", "a")]);
        // An empty continuation line ends the logical line.
        assert_eq!(pairs("k=a\\\n\nl=b"), vec![kv("k", "a"), kv("l", "b")]);
    }

    #[test]
    fn escapes() {
        let got = pairs(
            "a\\ b\\=c\\:d = x\\ty\\nz\\rw\\fv\\\\u\\q\nu=\\u00e9\\u20AC\nemoji=\\uD83D\\uDE00\n",
        );
        assert_eq!(
            got,
            vec![
                kv("a b=c:d", "x\ty\nz\rw\x0cv\\uq"),
                kv("u", "é€"),
                kv("emoji", "😀"),
            ]
        );
    }

    #[test]
    fn escaped_leading_space_in_value() {
        assert_eq!(pairs("k=\\  v"), vec![kv("k", "  v")]);
    }

    #[test]
    fn utf8_as_is() {
        assert_eq!(
            pairs("name=Ünïcødé 名前\n"),
            vec![kv("name", "Ünïcødé 名前")]
        );
    }

    #[test]
    fn duplicates_are_kept_in_order() {
        assert_eq!(pairs("k=1\nk=2\n"), vec![kv("k", "1"), kv("k", "2")]);
    }

    #[test]
    fn malformed_unicode_escape_names_the_line() {
        let err = parse("a=1\n\nb=\\u12G4\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert_eq!(err.message, "Malformed \\uxxxx encoding.");
        assert!(parse("b=\\u12").is_err());
        assert!(parse("b=\\uD83D").unwrap_err().message.contains("unpaired"));
    }

    #[test]
    fn trims_like_spark() {
        assert_eq!(trim_except_crlf("  a b \t"), "a b");
        assert_eq!(trim_except_crlf("\na\r"), "\na\r");
        assert_eq!(trim_except_crlf("   "), "");
        assert_eq!(trim_except_crlf(" é "), "é");
    }

    #[test]
    fn escaping_rules() {
        assert_eq!(escape_key("a b=c:d#e!f\\g"), "a\\ b\\=c\\:d\\#e\\!f\\\\g");
        assert_eq!(
            escape_value("k8s://https://10.0.0.1:6443"),
            "k8s\\://https\\://10.0.0.1\\:6443"
        );
        assert_eq!(escape_value("  a b "), "\\  a b ");
        assert_eq!(escape_value("\t\n\r\x0c"), "\\t\\n\\r\\f");
        assert_eq!(escape_value("é名"), "é名");
        assert_eq!(escape_key(" x"), "\\ x");
    }

    #[test]
    fn java_date_form() {
        let t: jiff::Timestamp = "2023-02-06T21:26:11Z".parse().unwrap();
        assert_eq!(java_date_utc(t), "Mon Feb 06 21:26:11 UTC 2023");
    }

    #[test]
    fn worked_example_lines() {
        let mut conf = SparkConf::new();
        conf.set("spark.master", "k8s://https://10.0.0.1:6443");
        conf.set("spark.kubernetes.container.image", "apache/spark:4.0.1");
        conf.set(
            "spark.jars",
            "local:///opt/spark/examples/jars/spark-examples.jar",
        );
        conf.set("spark.submit.pyFiles", "");
        conf.set("spark.app.name", "spark-pi");
        let t: jiff::Timestamp = "2023-02-06T21:26:11Z".parse().unwrap();
        let text = write_spark_properties(&conf, "spark-drv-ba5ad08a119168fa-conf-map", t);
        assert_eq!(
            text,
            "#Java properties built from Kubernetes config map with name: spark-drv-ba5ad08a119168fa-conf-map\n\
             #Mon Feb 06 21:26:11 UTC 2023\n\
             spark.app.name=spark-pi\n\
             spark.jars=local\\:///opt/spark/examples/jars/spark-examples.jar\n\
             spark.kubernetes.container.image=apache/spark\\:4.0.1\n\
             spark.master=k8s\\://https\\://10.0.0.1\\:6443\n\
             spark.submit.pyFiles=\n"
        );
    }

    #[test]
    fn comment_writer_escapes() {
        let mut out = String::new();
        write_comment(&mut out, "a\nb\n#c\u{20ac}");
        assert_eq!(out, "#a\n#b\n#c\\u20AC\n");
    }

    #[test]
    fn round_trip() {
        let mut conf = SparkConf::new();
        let samples = [
            ("spark.master", "k8s://https://10.0.0.1:6443"),
            ("key with spaces", "  leading and trailing  "),
            ("k=:#!", "v=:#!\\"),
            ("tabs\tand\nlines", "a\tb\nc\rd\x0ce"),
            ("unicode.é", "名前 😀"),
            ("empty", ""),
            ("spark.driver.extraJavaOptions", "-Dx=y -Dz=\"a b\""),
        ];
        for (k, v) in samples {
            conf.set(k, v);
        }
        let t: jiff::Timestamp = "2024-01-01T00:00:00Z".parse().unwrap();
        let text = write_spark_properties(&conf, "cm", t);
        let back: SparkConf = parse(&text).unwrap().into_iter().collect();
        assert_eq!(back, conf);
    }

    #[test]
    fn read_file_errors_name_the_flag_and_path() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.conf");
        let err = read_file(&missing).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("--properties-file"), "{text}");
        assert!(text.contains("nope.conf"), "{text}");
        let err = read_file(dir.path()).unwrap_err().to_string();
        assert!(err.contains("--properties-file"), "{err}");

        let good = dir.path().join("ok.conf");
        std::fs::write(&good, "spark.a=1\nspark.b = 2 \n").unwrap();
        assert_eq!(
            read_file(&good).unwrap(),
            vec![kv("spark.a", "1"), kv("spark.b", "2 ")]
        );

        let bad = dir.path().join("bad.conf");
        std::fs::write(&bad, "spark.a=\\uZZZZ\n").unwrap();
        let err = read_file(&bad).unwrap_err().to_string();
        assert!(err.contains("bad.conf") && err.contains("line 1"), "{err}");
    }
}
