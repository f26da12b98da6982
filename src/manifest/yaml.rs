//! A YAML document as a tree that remembers where each value was written, and a reader over
//! it that names the field path and line of every mistake (`spec.driver.cores: expected a
//! number, got a string (app.yaml line 12)`).
//!
//! serde-saphyr parses the text (one or several `---` documents) into [`Node`]s through its
//! `Spanned` wrapper; the manifest translators then walk the tree with [`Obj`], which knows the
//! path it stands at, so errors read like the API server's own validation messages.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::error::{Error, Result};

/// A YAML value with the line of every child.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `null`, `~` or nothing.
    Null,
    /// `true`/`false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Spanned<Node>>),
    /// A mapping, in document order.
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
}

impl Node {
    /// What kind of value this is, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Int(_) | Node::Float(_) => "a number",
            Node::Str(_) => "a string",
            Node::Seq(_) => "a list",
            Node::Map(_) => "a mapping",
        }
    }

    /// The value as JSON (for the Kubernetes types, which are deserialised by serde_json).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Int(i) => Value::from(*i),
            Node::Float(f) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            Node::Str(s) => Value::String(s.clone()),
            Node::Seq(items) => Value::Array(items.iter().map(|i| i.value.to_json()).collect()),
            Node::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.value.clone(), v.value.to_json()))
                    .collect(),
            ),
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Node, E> {
        Ok(i64::try_from(v).map_or(Node::Float(v as f64), Node::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Node, E> {
        Ok(Node::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Node>>()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<Spanned<String>, Spanned<Node>>()? {
            entries.push(entry);
        }
        Ok(Node::Map(entries))
    }
}

/// One document of a manifest stream.
#[derive(Debug, Clone)]
pub struct Document {
    /// Where the text came from (a path, a URL, `-`).
    pub source: String,
    /// The root value.
    pub root: Spanned<Node>,
}

/// Parses every `---`-separated document of `text`; empty documents are skipped.
pub fn parse_documents(text: &str, source: &str) -> Result<Vec<Document>> {
    let docs: Vec<Spanned<Node>> = serde_saphyr::from_multiple(text).map_err(|e| {
        let line = e
            .location()
            .map(|l| format!(" line {}", l.line()))
            .unwrap_or_default();
        Error::usage(
            format!(
                "{source}{line}: not valid YAML: {}",
                first_line(&e.to_string())
            ),
            "fix the YAML syntax (each document a mapping, documents separated by `---`)",
        )
    })?;
    Ok(docs
        .into_iter()
        .filter(|d| d.value != Node::Null)
        .map(|root| Document {
            source: source.to_string(),
            root,
        })
        .collect())
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// A position in a document: the field path and the line, for messages.
#[derive(Debug, Clone)]
pub struct At<'a> {
    /// The source label.
    pub source: &'a str,
    /// The dotted field path (`spec.driver.cores`, `spec.volumes[2].name`).
    pub path: String,
    /// 1-based line.
    pub line: u64,
}

impl At<'_> {
    /// A usage error at this position.
    pub fn error(&self, what: impl fmt::Display, hint: impl Into<String>) -> Error {
        Error::usage(
            format!("{}: {what} ({} line {})", self.path, self.source, self.line),
            hint,
        )
    }

    /// `path (source line N)`, for warnings.
    pub fn describe(&self) -> String {
        format!("{} ({} line {})", self.path, self.source, self.line)
    }
}

/// A mapping being read, at a known path.
#[derive(Debug, Clone, Copy)]
pub struct Obj<'a> {
    source: &'a str,
    path: &'a str,
    line: u64,
    entries: &'a [(Spanned<String>, Spanned<Node>)],
}

/// A value being read, at a known path.
#[derive(Debug, Clone)]
pub struct Val<'a> {
    /// Where it is.
    pub at: At<'a>,
    /// The value.
    pub node: &'a Node,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl<'a> Val<'a> {
    fn type_error(&self, expected: &str) -> Error {
        let hint = match (expected, self.node) {
            ("a string", Node::Int(_) | Node::Float(_) | Node::Bool(_)) => {
                "quote the value (e.g. \"2\"): the manifest schema wants a string here".to_string()
            }
            _ => format!("write {expected} here, as in the operator's CRD"),
        };
        self.at.error(
            format!("expected {expected}, got {}", self.node.kind()),
            hint,
        )
    }

    /// The value as a mapping.
    pub fn obj(&self, path: &'a str) -> Result<Obj<'a>> {
        match self.node {
            Node::Map(entries) => Ok(Obj {
                source: self.at.source,
                path,
                line: self.at.line,
                entries,
            }),
            _ => Err(self.type_error("a mapping")),
        }
    }

    /// The value as a string.
    pub fn str(&self) -> Result<String> {
        match self.node {
            Node::Str(s) => Ok(s.clone()),
            _ => Err(self.type_error("a string")),
        }
    }

    /// The value as an integer.
    pub fn int(&self) -> Result<i64> {
        match self.node {
            Node::Int(i) => Ok(*i),
            _ => Err(self.type_error("a number")),
        }
    }

    /// The value as a boolean.
    pub fn bool(&self) -> Result<bool> {
        match self.node {
            Node::Bool(b) => Ok(*b),
            _ => Err(self.type_error("a boolean (true or false)")),
        }
    }

    /// The items of a list, each with its path.
    pub fn items(&self) -> Result<Vec<Val<'a>>> {
        match self.node {
            Node::Seq(items) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, item)| Val {
                    at: At {
                        source: self.at.source,
                        path: format!("{}[{i}]", self.at.path),
                        line: item.referenced.line(),
                    },
                    node: &item.value,
                })
                .collect()),
            _ => Err(self.type_error("a list")),
        }
    }

    /// A list of strings.
    pub fn str_list(&self) -> Result<Vec<String>> {
        self.items()?.iter().map(Val::str).collect()
    }

    /// A mapping of strings to strings, in document order.
    pub fn str_map(&self) -> Result<Vec<(String, String)>> {
        let Node::Map(entries) = self.node else {
            return Err(self.type_error("a mapping of strings"));
        };
        entries
            .iter()
            .map(|(k, v)| {
                let val = Val {
                    at: At {
                        source: self.at.source,
                        path: join(&self.at.path, &k.value),
                        line: v.referenced.line(),
                    },
                    node: &v.value,
                };
                Ok((k.value.clone(), val.str()?))
            })
            .collect()
    }

    /// The value deserialised as a Kubernetes type (e.g. `Toleration`), through JSON.
    pub fn k8s<T: DeserializeOwned>(&self, what: &str) -> Result<T> {
        serde_json::from_value(self.node.to_json()).map_err(|e| {
            self.at.error(
                format!("not a valid {what}: {e}"),
                format!("write a Kubernetes {what} here, as in a Pod spec"),
            )
        })
    }
}

impl<'a> Obj<'a> {
    /// The root mapping of a document.
    pub fn root(doc: &'a Document) -> Result<Obj<'a>> {
        let val = Val {
            at: At {
                source: &doc.source,
                path: String::new(),
                line: doc.root.referenced.line(),
            },
            node: &doc.root.value,
        };
        match &doc.root.value {
            Node::Map(entries) => Ok(Obj {
                source: &doc.source,
                path: "",
                line: val.at.line,
                entries,
            }),
            other => Err(Error::usage(
                format!(
                    "{} line {}: a manifest document must be a mapping, got {}",
                    doc.source,
                    val.at.line,
                    other.kind()
                ),
                "each document needs apiVersion, kind, metadata and spec",
            )),
        }
    }

    /// This mapping's path.
    pub fn path(&self) -> &str {
        self.path
    }

    /// Where this mapping starts.
    pub fn at(&self) -> At<'a> {
        At {
            source: self.source,
            path: if self.path.is_empty() {
                "(document)".into()
            } else {
                self.path.to_string()
            },
            line: self.line,
        }
    }

    /// The field `key`, if present and not null.
    pub fn get(&self, key: &str) -> Option<Val<'a>> {
        self.entries
            .iter()
            .find(|(k, _)| k.value == key)
            .filter(|(_, v)| v.value != Node::Null)
            .map(|(_, v)| Val {
                at: At {
                    source: self.source,
                    path: join(self.path, key),
                    line: v.referenced.line(),
                },
                node: &v.value,
            })
    }

    /// Whether the field `key` is present (even as null).
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The keys present, in document order, with their lines.
    pub fn keys(&self) -> impl Iterator<Item = (&'a str, u64)> + 'a {
        self.entries
            .iter()
            .map(|(k, v)| (k.value.as_str(), v.referenced.line()))
    }

    /// Fails on the first key not in `known`, naming it, its line and the closest known key.
    pub fn deny_unknown(&self, known: &[&str]) -> Result<()> {
        for (key, line) in self.keys() {
            if !known.contains(&key) {
                let suggestion = crate::conf::keys::closest(key, known, 3)
                    .map(|k| format!("did you mean `{k}`? "))
                    .unwrap_or_default();
                return Err(Error::usage(
                    format!(
                        "{}: unknown field ({} line {line})",
                        join(self.path, key),
                        self.source
                    ),
                    format!(
                        "{suggestion}fields allowed in {}: {}",
                        if self.path.is_empty() {
                            "a document"
                        } else {
                            self.path
                        },
                        known.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A string field.
    pub fn str(&self, key: &str) -> Result<Option<String>> {
        self.get(key).map(|v| v.str()).transpose()
    }

    /// A required string field.
    pub fn required_str(&self, key: &str) -> Result<String> {
        match self.str(key)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(self.at().error(
                format!("missing required field `{}`", join(self.path, key)),
                format!("add `{key}:` under {}", self.at().path),
            )),
        }
    }

    /// An integer field.
    pub fn int(&self, key: &str) -> Result<Option<i64>> {
        self.get(key).map(|v| v.int()).transpose()
    }

    /// A boolean field.
    pub fn bool(&self, key: &str) -> Result<Option<bool>> {
        self.get(key).map(|v| v.bool()).transpose()
    }

    /// A list-of-strings field (empty when absent).
    pub fn str_list(&self, key: &str) -> Result<Vec<String>> {
        Ok(self
            .get(key)
            .map(|v| v.str_list())
            .transpose()?
            .unwrap_or_default())
    }

    /// A string-map field (empty when absent), in document order.
    pub fn str_map(&self, key: &str) -> Result<Vec<(String, String)>> {
        Ok(self
            .get(key)
            .map(|v| v.str_map())
            .transpose()?
            .unwrap_or_default())
    }

    /// A Kubernetes-typed field.
    pub fn k8s<T: DeserializeOwned>(&self, key: &str, what: &str) -> Result<Option<T>> {
        self.get(key).map(|v| v.k8s(what)).transpose()
    }

    /// A list of Kubernetes-typed items (empty when absent).
    pub fn k8s_list<T: DeserializeOwned>(&self, key: &str, what: &str) -> Result<Vec<T>> {
        let Some(v) = self.get(key) else {
            return Ok(Vec::new());
        };
        v.items()?.iter().map(|i| i.k8s(what)).collect()
    }
}

/// Reads a nested mapping field with its own path: `with_obj(obj, "driver", |d| …)`.
pub fn with_obj<T>(
    obj: &Obj<'_>,
    key: &str,
    f: impl FnOnce(Option<Obj<'_>>) -> Result<T>,
) -> Result<T> {
    match obj.get(key) {
        None => f(None),
        Some(v) => {
            let path = v.at.path.clone();
            let inner = v.obj(&path)?;
            f(Some(inner))
        }
    }
}

/// Sorted copy of a string map, for deterministic output where order does not matter.
pub fn sorted(map: &[(String, String)]) -> BTreeMap<String, String> {
    map.iter().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_paths_are_reported() {
        let text = "a: 1\n---\nspec:\n  driver:\n    cores: \"2\"\n";
        let docs = parse_documents(text, "app.yaml").unwrap();
        assert_eq!(docs.len(), 2);
        let root = Obj::root(&docs[1]).unwrap();
        let err = with_obj(&root, "spec", |spec| {
            with_obj(&spec.unwrap(), "driver", |d| d.unwrap().int("cores"))
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "spec.driver.cores: expected a number, got a string (app.yaml line 5)"
        );
    }

    #[test]
    fn unknown_fields_name_the_path_and_suggest() {
        let docs = parse_documents("spec:\n  mainClas: X\n", "f").unwrap();
        let root = Obj::root(&docs[0]).unwrap();
        let err = with_obj(&root, "spec", |s| s.unwrap().deny_unknown(&["mainClass"])).unwrap_err();
        assert_eq!(err.to_string(), "spec.mainClas: unknown field (f line 2)");
        assert!(err.hint().unwrap().contains("did you mean `mainClass`?"));
    }

    #[test]
    fn numbers_for_strings_get_a_quoting_hint() {
        let docs = parse_documents("sparkConf:\n  spark.executor.instances: 2\n", "f").unwrap();
        let root = Obj::root(&docs[0]).unwrap();
        let err = root.str_map("sparkConf").unwrap_err();
        assert_eq!(
            err.to_string(),
            "sparkConf.spark.executor.instances: expected a string, got a number (f line 2)"
        );
        assert!(err.hint().unwrap().contains("quote"));
    }

    #[test]
    fn bad_yaml_names_the_line() {
        let err = parse_documents("a: [1, 2\nb: c\n", "x.yaml").unwrap_err();
        assert!(err.to_string().starts_with("x.yaml line"), "{err}");
    }
}
