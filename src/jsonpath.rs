//! kubectl's JSONPath templates (`-o jsonpath=…`, `-o custom-columns=…`, `--sort-by`) over JSON
//! values. Pure.
//!
//! A template is text with `{…}` actions, as kubectl takes them:
//! - `{.items[*].submissionId}`: a path from the current object (written `.`, `@` or `$`: the
//!   root, except inside a range where it is the range's item). Paths are RFC 9535 JSONPath
//!   (evaluated by the
//!   `jsonpath-rust` crate), written the kubectl way: `.a.b`, `[0]`, `[*]`, `[1:3]`, `..name`,
//!   `['key']`, filters `[?(@.state=="failed")]`, and names with `-` or `/` after a dot;
//! - `{range .items[*]}…{end}`: the actions in between once per result, with `.` that result;
//! - `{"\n"}`, `{"\t"}`: a quoted literal (with `\n`, `\t`, `\r`, `\\`, `\"` escapes).
//!
//! Strings print as they are, other values as compact JSON, several results of one path
//! separated by a space; a path that matches nothing prints nothing (kubectl's default
//! `--allow-missing-template-keys=true`). A template without any `{` is taken as one path
//! (`.items[*].state`), as kubectl's custom columns and `--sort-by` take them.

use jsonpath_rust::JsonPath;
use serde_json::Value;

use crate::error::{Error, Result};

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// Text printed as it is.
    Text(String),
    /// A path whose results are printed.
    Path(String),
    /// A path whose results each run the body, as the current object.
    Range(String, Vec<Node>),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    nodes: Vec<Node>,
}

fn bad(template: &str, why: impl std::fmt::Display) -> Error {
    Error::usage(
        format!("jsonpath template `{template}`: {why}"),
        "write it as kubectl does, e.g. '{.items[*].submissionId}' or \
         '{range .items[*]}{.submissionId}{\"\\t\"}{.state}{\"\\n\"}{end}'",
    )
}

impl Template {
    /// Parses a template; a template with no `{` is one path.
    pub fn parse(template: &str) -> Result<Template> {
        if !template.contains('{') {
            let path = to_rfc9535(template.trim()).map_err(|e| bad(template, e))?;
            return Ok(Template {
                nodes: vec![Node::Path(path)],
            });
        }
        // Open ranges: (path, nodes collected so far); the bottom entry is the template.
        let mut stack: Vec<(Option<String>, Vec<Node>)> = vec![(None, Vec::new())];
        let mut rest = template;
        while !rest.is_empty() {
            let Some(open) = rest.find('{') else {
                push_text(&mut stack, rest);
                break;
            };
            push_text(&mut stack, &rest[..open]);
            let close = action_end(&rest[open + 1..])
                .ok_or_else(|| bad(template, "a `{` is never closed"))?;
            let action = rest[open + 1..open + 1 + close].trim();
            rest = &rest[open + 2 + close..];
            if let Some(quoted) = action.strip_prefix('"') {
                let text = unquote(quoted).ok_or_else(|| bad(template, "bad quoted text"))?;
                push_text(&mut stack, &text);
            } else if action == "end" {
                if stack.len() == 1 {
                    return Err(bad(template, "`{end}` without `{range …}`"));
                }
                let (path, body) = stack.pop().expect("a range");
                let node = Node::Range(path.expect("a range path"), body);
                stack.last_mut().expect("the template").1.push(node);
            } else if let Some(path) = action.strip_prefix("range ") {
                let path = to_rfc9535(path.trim()).map_err(|e| bad(template, e))?;
                stack.push((Some(path), Vec::new()));
            } else if action.is_empty() {
                return Err(bad(template, "empty `{}`"));
            } else {
                let path = to_rfc9535(action).map_err(|e| bad(template, e))?;
                stack
                    .last_mut()
                    .expect("the template")
                    .1
                    .push(Node::Path(path));
            }
        }
        if stack.len() > 1 {
            return Err(bad(template, "`{range …}` without `{end}`"));
        }
        let nodes = stack.pop().expect("the template").1;
        // Check every path once, so that a bad one fails even when nothing reaches it.
        check_paths(&nodes).map_err(|e| bad(template, e))?;
        Ok(Template { nodes })
    }

    /// Renders the template against `root`.
    pub fn render(&self, root: &Value) -> Result<String> {
        let mut out = String::new();
        render_nodes(&self.nodes, root, &mut out)?;
        Ok(out)
    }

    /// The results of a one-path template (custom columns, `--sort-by`) against `value`.
    pub fn values<'a>(&self, value: &'a Value) -> Result<Vec<&'a Value>> {
        match self.nodes.as_slice() {
            [Node::Path(path)] => query(value, path),
            _ => Err(Error::usage(
                "a column or sort key must be a single path",
                "e.g. .state or {.created}",
            )),
        }
    }
}

fn push_text(stack: &mut [(Option<String>, Vec<Node>)], text: &str) {
    if text.is_empty() {
        return;
    }
    let nodes = &mut stack.last_mut().expect("the template").1;
    match nodes.last_mut() {
        Some(Node::Text(t)) => t.push_str(text),
        _ => nodes.push(Node::Text(text.to_string())),
    }
}

/// Where the action that starts `text` ends (the index of its `}`), skipping quoted text and
/// brackets.
fn action_end(text: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '}' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// The text of a quoted literal, without its closing quote.
fn unquote(quoted: &str) -> Option<String> {
    let body = quoted.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            other => other,
        });
    }
    Some(out)
}

/// A kubectl path as RFC 9535: `$` in front (for `.x`, `[…]`, `@…` and bare names), and
/// names with characters RFC 9535's dot notation refuses (`-`, `/`) in brackets.
pub fn to_rfc9535(path: &str) -> std::result::Result<String, String> {
    let path = path.trim();
    if path.is_empty() {
        return Err("empty path".into());
    }
    let body = if let Some(rest) = path.strip_prefix('$').or_else(|| path.strip_prefix('@')) {
        rest.to_string()
    } else if path.starts_with('.') || path.starts_with('[') {
        path.to_string()
    } else {
        format!(".{path}")
    };
    let mut out = String::from("$");
    let mut chars = body.chars().peekable();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => {
                quote = Some(c);
                out.push(c);
            }
            '[' => {
                depth += 1;
                out.push(c);
            }
            ']' => {
                depth = depth.saturating_sub(1);
                out.push(c);
            }
            '.' if depth == 0 => {
                if chars.peek() == Some(&'.') {
                    chars.next();
                    out.push_str("..");
                }
                let mut name = String::new();
                while let Some(&n) = chars.peek() {
                    if n == '.' || n == '[' {
                        break;
                    }
                    name.push(n);
                    chars.next();
                }
                let plain = name
                    .chars()
                    .all(|n| n.is_ascii_alphanumeric() || n == '_' || !n.is_ascii())
                    && !name.starts_with(|n: char| n.is_ascii_digit());
                if name.is_empty() || name == "*" || plain {
                    if !out.ends_with("..") {
                        out.push('.');
                    }
                    out.push_str(&name);
                } else {
                    // After `..` this is `$..['name-x']`: descendants by a bracketed name.
                    out.push_str(&format!("['{}']", name.replace('\'', "\\'")));
                }
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

fn query<'a>(value: &'a Value, path: &str) -> Result<Vec<&'a Value>> {
    value
        .query(path)
        .map_err(|e| Error::usage(format!("jsonpath `{path}`: {e}"), "check the path's syntax"))
}

fn check_paths(nodes: &[Node]) -> std::result::Result<(), String> {
    for node in nodes {
        match node {
            Node::Text(_) => {}
            Node::Path(p) => {
                Value::Null.query(p).map_err(|e| format!("`{p}`: {e}"))?;
            }
            Node::Range(p, body) => {
                Value::Null.query(p).map_err(|e| format!("`{p}`: {e}"))?;
                check_paths(body)?;
            }
        }
    }
    Ok(())
}

/// A result as kubectl prints it: strings as they are, the rest as compact JSON.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn render_nodes(nodes: &[Node], current: &Value, out: &mut String) -> Result<()> {
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Path(p) => {
                let texts: Vec<String> = query(current, p)?.into_iter().map(value_text).collect();
                out.push_str(&texts.join(" "));
            }
            Node::Range(p, body) => {
                for item in query(current, p)? {
                    render_nodes(body, item, out)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({"kind": "List", "items": [
            {"submissionId": "a:x-driver", "state": "running", "appName": "x", "executors": {"total": 2},
             "labels": {"spark-app-name": "x"}},
            {"submissionId": "a:y-driver", "state": "failed", "appName": "y", "executors": {"total": 0},
             "labels": {"spark-app-name": "y"}},
        ]})
    }

    fn render(t: &str) -> String {
        Template::parse(t).unwrap().render(&doc()).unwrap()
    }

    #[test]
    fn kubectl_forms() {
        assert_eq!(render("{.items[*].submissionId}"), "a:x-driver a:y-driver");
        assert_eq!(render("{.items[0].state}"), "running");
        assert_eq!(render("{$.items[-1:].appName}"), "y");
        assert_eq!(
            render("{range .items[*]}{.submissionId}{\"\\t\"}{.state}{\"\\n\"}{end}"),
            "a:x-driver\trunning\na:y-driver\tfailed\n"
        );
        assert_eq!(
            render("{.items[?(@.state==\"failed\")].submissionId}"),
            "a:y-driver"
        );
        assert_eq!(render("{..total}"), "2 0");
        assert_eq!(render("{.items[0].executors}"), "{\"total\":2}");
        assert_eq!(render("{.items[1].labels.spark-app-name}"), "y");
        assert_eq!(render("names: {.items[*].appName}!"), "names: x y!");
        assert_eq!(render("{.items[*].missing}"), "");
        assert_eq!(render(".items[*].state"), "running failed");
        assert_eq!(render("{range .items[*]}[{@.appName}]{end}"), "[x][y]");
    }

    #[test]
    fn bad_templates_say_why() {
        for t in [
            "{.items[*]",
            "{range .items[*]}{.a}",
            "{end}",
            "{}",
            "{.items[?(@.x=)]}",
        ] {
            let err = Template::parse(t).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{t}");
            assert!(err.to_string().contains("jsonpath template"), "{t}: {err}");
        }
    }

    #[test]
    fn single_paths_for_columns() {
        let item = &doc()["items"][0];
        let t = Template::parse("{.executors.total}").unwrap();
        assert_eq!(t.values(item).unwrap(), vec![&json!(2)]);
        let t = Template::parse("state").unwrap();
        assert_eq!(t.values(item).unwrap(), vec![&json!("running")]);
    }
}
