//! The fast path of the JSON Lines reader: a line of valid UTF-8 is parsed
//! straight into the configured fields ([`FieldMap`]), without building the
//! whole object as a `serde_json::Value` map, without copying the line, and
//! with the UTF-8 check done by `simdutf8`.
//!
//! Guarantee: the fields are exactly what the general path
//! (`jsonl::parse_line`: `Value` object, `obj.get(name)`) finds. Every value
//! is parsed by the same `serde_json` deserializer with `deserialize_any`,
//! so numbers out of range, bad escapes and nesting limits fail the same
//! way; the values of the configured fields are built as `Value`s, the
//! others only checked. A repeated key keeps its last value, as the `Value`
//! map does. Anything else (invalid UTF-8, another encoding, a line that is
//! not one JSON object, any parse error) returns `None`, and the general
//! path makes the record or the `malformed_json` reject with its message.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::RawFields;
use super::{FieldMap, InputConfig};

/// The line without its line break, and its fields; `None` when the
/// general path must decide.
pub(super) fn parse<'a>(bytes: &'a [u8], cfg: &InputConfig) -> Option<(&'a str, RawFields)> {
    let enc =
        encoding_rs::Encoding::for_label(cfg.encoding.as_bytes()).unwrap_or(encoding_rs::UTF_8);
    if enc != encoding_rs::UTF_8 {
        return None;
    }
    let text = simdutf8::basic::from_utf8(bytes).ok()?;
    let trimmed = text.trim_end_matches(['\n', '\r']);
    let mut de = serde_json::Deserializer::from_str(trimmed);
    let values = Fields(&cfg.fields).deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some((trimmed, raw_fields(values, &cfg.fields)))
}

/// Index of each field in the parsed array.
const ID: usize = 0;
const TEXT: usize = 1;
const TITLE: usize = 2;
const URL: usize = 3;
const DATE: usize = 4;
const SOURCE: usize = 5;
const HTML: usize = 6;

fn names(f: &FieldMap) -> [&str; 7] {
    [
        &f.id, &f.text, &f.title, &f.url, &f.date, &f.source, &f.html,
    ]
}

/// What `jsonl::parse_line` makes of the fields' values.
fn raw_fields(mut v: [Option<Value>; 7], f: &FieldMap) -> RawFields {
    let text = match v[TEXT].take() {
        None => None,
        Some(Value::String(s)) => Some(Ok(s)),
        Some(Value::Null) => Some(Err(format!("field {:?} is null", f.text))),
        Some(other) => Some(Err(format!(
            "field {:?} is not a string: {}",
            f.text,
            super::jsonl::short(&other.to_string())
        ))),
    };
    RawFields {
        id: scalar(v[ID].take()),
        text,
        title: scalar(v[TITLE].take()),
        url: scalar(v[URL].take()),
        date: scalar(v[DATE].take()),
        source: scalar(v[SOURCE].take()),
        html: scalar(v[HTML].take()).filter(|_| !f.html.is_empty()),
        invalid_utf8: 0,
    }
}

/// `jsonl::scalar` on an owned value.
fn scalar(v: Option<Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Seed and visitor of the top-level object.
struct Fields<'f>(&'f FieldMap);

impl<'de> DeserializeSeed<'de> for Fields<'_> {
    type Value = [Option<Value>; 7];

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Fields<'_> {
    type Value = [Option<Value>; 7];

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let names = names(self.0);
        let mut out: [Option<Value>; 7] = Default::default();
        while let Some(Key(key)) = map.next_key::<Key>()? {
            let mut hits = names
                .iter()
                .enumerate()
                .filter(|(_, n)| **n == key.as_ref());
            match hits.next() {
                None => {
                    map.next_value::<Skip>()?;
                }
                Some((first, _)) => {
                    let v: Value = map.next_value()?;
                    // Two fields may name the same key.
                    for (i, _) in hits {
                        out[i] = Some(v.clone());
                    }
                    out[first] = Some(v);
                }
            }
        }
        Ok(out)
    }
}

/// An object key, borrowed from the line unless it has escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(s.into()))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(s.to_string().into()))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Key<'de>, E> {
                Ok(Key(s.into()))
            }
        }
        d.deserialize_str(V)
    }
}

/// Any JSON value, parsed as a `Value` would be (`deserialize_any`) but
/// kept nowhere.
struct Skip;

impl<'de> de::Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Skip)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_none<E: de::Error>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        // Keys are parsed as `Value`'s map keys are (strings).
        while map.next_key::<Key>()?.is_some() {
            map.next_value::<Skip>()?;
        }
        Ok(Skip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The general path's fields, as `jsonl::parse_line` computes them.
    fn general(line: &str, f: &FieldMap) -> Option<Vec<Option<Result<String, String>>>> {
        let Ok(Value::Object(obj)) = serde_json::from_str::<Value>(line) else {
            return None;
        };
        let sc = |k: &str| super::super::jsonl::scalar(obj.get(k)).map(Ok);
        let text = match obj.get(&f.text) {
            None => None,
            Some(Value::String(s)) => Some(Ok(s.clone())),
            Some(Value::Null) => Some(Err(format!("field {:?} is null", f.text))),
            Some(v) => Some(Err(format!(
                "field {:?} is not a string: {}",
                f.text,
                super::super::jsonl::short(&v.to_string())
            ))),
        };
        Some(vec![
            sc(&f.id),
            text,
            sc(&f.title),
            sc(&f.url),
            sc(&f.date),
            sc(&f.source),
        ])
    }

    fn fast(line: &str, cfg: &InputConfig) -> Option<Vec<Option<Result<String, String>>>> {
        let (trimmed, r) = parse(line.as_bytes(), cfg)?;
        assert_eq!(trimmed, line.trim_end_matches(['\n', '\r']));
        Some(vec![
            r.id.map(Ok),
            r.text,
            r.title.map(Ok),
            r.url.map(Ok),
            r.date.map(Ok),
            r.source.map(Ok),
        ])
    }

    #[test]
    fn same_fields_as_the_general_path() {
        let mut cfg = InputConfig::default();
        let lines = [
            r#"{"id": "a1", "text": "Hello \"world\"\n", "title": null, "url": 3, "date": 2.50, "source": true, "meta": {"x": [1, 2, {"y": null}]}}"#,
            r#"{"text": "t", "text": "last wins", "id": 12345678901234567890}"#,
            r#"{"te\u0078t": "escaped key", "id": -1e3, "title": ["a"], "url": {"u": 1}}"#,
            r#"{"text": 5}"#,
            r#"{"text": null, "id": ""}"#,
            r#"{"text": {"nested": "object that is long enough to be cut short in the message"}}"#,
            r#"{"id": 1}"#,
            "{\"text\": \"crlf\"}\r\n",
            r#"{"text": "x", "other": 1e400}"#,
            r#"{"text": "x", "other": "\ud800"}"#,
            r#"{"text": "x"} trailing"#,
            r#"["not", "an", "object"]"#,
            r#""string""#,
            r#"{"text": "x",}"#,
            r#"{"text": "unterminated"#,
        ];
        for line in lines {
            let want = general(line.trim_end_matches(['\n', '\r']), &cfg.fields);
            assert_eq!(fast(line, &cfg), want, "{line}");
        }
        // Two fields naming the same key both get its value.
        cfg.fields.title = "text".into();
        let line = r#"{"text": "both", "id": "i"}"#;
        let got = fast(line, &cfg).unwrap();
        assert_eq!(got[1], Some(Ok("both".to_string())));
        assert_eq!(got[2], Some(Ok("both".to_string())));
        assert_eq!(Some(got), general(line, &cfg.fields));
        // Invalid UTF-8 and other encodings take the general path.
        assert!(parse(b"{\"text\": \"\xff\"}", &InputConfig::default()).is_none());
        let latin = InputConfig {
            encoding: "latin1".into(),
            ..InputConfig::default()
        };
        assert!(parse(br#"{"text": "x"}"#, &latin).is_none());
    }
}
