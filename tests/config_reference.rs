//! Every config key has an entry in `docs/config.md`.
//!
//! The keys are taken from the code, not from a list kept by hand: a tracing
//! [`serde::Deserializer`] asks `Config`'s derived `Deserialize` for the
//! fields of every struct it reads (`deserialize_struct` receives the field
//! names, after any `rename`), recursing into nested sections, into
//! `Option`s (so keys that are `None` by default are included) and into maps
//! (the map's key becomes `<lang>`, so `filter.quality.per_language` yields
//! `filter.quality.per_language.<lang>.min_doc_words`). As a check on the
//! tracer, every key of `Config::default()` serialized to TOML must be among
//! the traced keys.
//!
//! docs/config.md documents a key by a table row whose first cell is the
//! key's full dotted path in backticks, e.g.
//! `` | `clean.repeated.min_docs` | `5` | ... | ``; a key only mentioned in
//! prose does not count.

use std::collections::BTreeSet;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use corpusforge::config::Config;

/// The placeholder for a map's key in a traced path.
const MAP_KEY: &str = "<lang>";

#[derive(Debug)]
struct TraceError(String);

impl std::fmt::Display for TraceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TraceError {}

impl de::Error for TraceError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        TraceError(msg.to_string())
    }
}

/// Deserializes any value at `path`, recording the leaf key paths it meets.
struct Tracer<'a> {
    path: String,
    keys: &'a mut BTreeSet<String>,
}

impl Tracer<'_> {
    fn leaf(&mut self) {
        if !self.path.is_empty() {
            self.keys.insert(self.path.clone());
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Offers the given keys, each with a traced value.
struct Entries<'a> {
    path: String,
    names: Vec<String>,
    next: usize,
    keys: &'a mut BTreeSet<String>,
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = TraceError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, TraceError> {
        match self.names.get(self.next) {
            None => Ok(None),
            Some(name) => {
                let key: de::value::StringDeserializer<TraceError> =
                    name.clone().into_deserializer();
                seed.deserialize(key).map(Some)
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, TraceError> {
        let name = &self.names[self.next];
        self.next += 1;
        seed.deserialize(Tracer {
            path: join(&self.path, name),
            keys: self.keys,
        })
    }
}

struct Empty;

impl<'de> SeqAccess<'de> for Empty {
    type Error = TraceError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        _seed: T,
    ) -> Result<Option<T::Value>, TraceError> {
        Ok(None)
    }
}

impl<'de> de::Deserializer<'de> for Tracer<'_> {
    type Error = TraceError;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, TraceError> {
        Err(TraceError(format!(
            "{}: a type the tracer does not know; teach tests/config_reference.rs",
            self.path
        )))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, TraceError> {
        visitor.visit_map(Entries {
            path: self.path,
            names: fields.iter().map(|f| f.to_string()).collect(),
            next: 0,
            keys: self.keys,
        })
    }

    fn deserialize_map<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, TraceError> {
        self.leaf();
        visitor.visit_map(Entries {
            path: self.path,
            names: vec![MAP_KEY.to_string()],
            next: 0,
            keys: self.keys,
        })
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TraceError> {
        visitor.visit_some(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        mut self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, TraceError> {
        self.leaf();
        let first: de::value::StrDeserializer<TraceError> = variants[0].into_deserializer();
        visitor.visit_enum(first)
    }

    fn deserialize_seq<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, TraceError> {
        self.leaf();
        visitor.visit_seq(Empty)
    }

    fn deserialize_bool<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, TraceError> {
        self.leaf();
        visitor.visit_bool(false)
    }

    fn deserialize_str<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, TraceError> {
        self.leaf();
        visitor.visit_str("x")
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TraceError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, TraceError> {
        self.leaf();
        visitor.visit_f64(0.5)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TraceError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, TraceError> {
        self.leaf();
        visitor.visit_u64(1)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TraceError> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TraceError> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TraceError> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_i64<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, TraceError> {
        self.leaf();
        visitor.visit_i64(1)
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TraceError> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TraceError> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TraceError> {
        self.deserialize_i64(visitor)
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char bytes byte_buf unit unit_struct newtype_struct tuple
        tuple_struct identifier ignored_any
    }
}

/// Every leaf key path `Config`'s `Deserialize` accepts.
fn traced_keys() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    Config::deserialize(Tracer {
        path: String::new(),
        keys: &mut keys,
    })
    .expect("trace Config's fields");
    keys
}

/// Leaf key paths of a TOML value (tables are walked, arrays are leaves).
fn toml_keys(value: &toml::Value, path: &str, out: &mut BTreeSet<String>) {
    match value {
        toml::Value::Table(table) => {
            for (key, value) in table {
                toml_keys(value, &join(path, key), out);
            }
        }
        _ => {
            out.insert(path.to_string());
        }
    }
}

/// Keys with an entry in docs/config.md: the backticked first cell of a
/// table row, `` | `clean.repeated.min_docs` | 5 | ... | ``. A key only
/// mentioned in prose has no entry.
fn documented_keys(docs: &str) -> BTreeSet<String> {
    docs.lines()
        .filter_map(|line| {
            let cell = line.strip_prefix("| `")?;
            let (key, rest) = cell.split_once('`')?;
            rest.trim_start().starts_with('|').then(|| key.to_string())
        })
        .collect()
}

#[test]
fn documented_keys_are_first_cells_of_table_rows() {
    let docs = "Prose naming `a.b` is no entry.\n| key | default |\n|---|---|\n| `c.d` | `1` |\n| `e.f` and more | x |\n";
    let keys: Vec<_> = documented_keys(docs).into_iter().collect();
    assert_eq!(keys, ["c.d"]);
}

#[test]
fn tracer_finds_every_serialized_default_key() {
    let traced = traced_keys();
    let value = toml::Value::try_from(Config::default()).expect("serialize the default config");
    let mut serialized = BTreeSet::new();
    toml_keys(&value, "", &mut serialized);
    assert!(serialized.len() > 50, "too few keys: {serialized:?}");
    let untraced: Vec<_> = serialized.difference(&traced).collect();
    assert!(
        untraced.is_empty(),
        "keys of Config::default() the tracer missed: {untraced:?}"
    );
    // Keys that are None by default are traced too.
    for key in [
        "langid.model",
        "release.name",
        "dedup.near.verify_min_jaccard",
    ] {
        assert!(traced.contains(key), "{key} not traced: {traced:?}");
    }
}

#[test]
fn every_config_key_is_in_the_config_reference() {
    let docs_path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/config.md");
    let docs = std::fs::read_to_string(docs_path).expect("read docs/config.md");
    let documented = documented_keys(&docs);
    let missing: Vec<_> = traced_keys()
        .into_iter()
        .filter(|key| !documented.contains(key))
        .collect();
    assert!(
        missing.is_empty(),
        "{} config key(s) have no entry in docs/config.md (add a table row whose first cell is the key in backticks, e.g. | `clean.repeated.min_docs` | `5` | meaning |):\n  {}",
        missing.len(),
        missing.join("\n  ")
    );
}
