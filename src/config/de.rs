//! The serde side of reading a config: text (JSON with comments) to a `serde_json::Value`, a value to
//! a derived type with the JSON path of whatever is wrong (serde_path_to_error), and the few readers
//! the formats share: a value of one shape whose every problem is one sentence (`must`), an object
//! that must be one (`object`, `str_or_object`), an object read in file order (`Pairs`), and a
//! client's entry without the client's own keys (`ClientEntry`).
//!
//! Owns how a problem reads: `file: place: problem`, the place a JSON path (`targets.x.timeout`).
//! Must not: know the keys of any format (that is `file.rs`, `probes.rs`, `alerts_json.rs`).

use super::{ConfigError, PlaceErr, jsonc};

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, forward_to_deserialize_any};
use serde_json::Value;
use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

/// Parses config text (JSON, comments and trailing commas allowed); a syntax error names the file,
/// line and column.
pub(crate) fn parse_json(text: &str, shown: &str) -> Result<Value, ConfigError> {
    let json = jsonc::to_json(text);
    let value = serde_json::from_str(&json).map_err(|e| {
        let msg = e.to_string();
        // serde_json ends its message with the position, which leads the line here already
        let msg = msg.rfind(" at line ").map_or(msg.as_str(), |i| &msg[..i]);
        ConfigError(format!(
            "{shown}:{}:{}: invalid JSON: {msg}",
            e.line(),
            e.column()
        ))
    })?;
    // a key given twice would silently lose one of its values: a config error, with its place
    let mut d = serde_json::Deserializer::from_str(&json);
    if let Err(e) = serde::de::DeserializeSeed::deserialize(NoDuplicates(String::new()), &mut d) {
        let msg = e.to_string();
        let msg = msg.rfind(" at line ").map_or(msg.as_str(), |i| &msg[..i]);
        return Err(ConfigError(format!("{shown}: {msg}")));
    }
    Ok(value)
}

/// Walks a JSON document and fails on the first object that has a key twice, naming its place
/// (`targets.x: duplicate key \`timeout\``). Builds nothing.
struct NoDuplicates(String);

impl<'de> serde::de::DeserializeSeed<'de> for NoDuplicates {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for NoDuplicates {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        while seq
            .next_element_seed(NoDuplicates(format!("{}[{i}]", self.0)))?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let place = if self.0.is_empty() {
                key.clone()
            } else {
                format!("{}.{key}", self.0)
            };
            if !seen.insert(key.clone()) {
                let at = if self.0.is_empty() {
                    "the top level"
                } else {
                    self.0.as_str()
                };
                return Err(serde::de::Error::custom(format!(
                    "{at}: duplicate key `{key}` (one of its values would be lost)"
                )));
            }
            map.next_value_seed(NoDuplicates(place))?;
        }
        Ok(())
    }
}

/// A problem as one line: `file: place: problem`, or `file: problem` at the top of the file.
pub(crate) fn error(shown: &str, (place, problem): PlaceErr) -> ConfigError {
    if place.is_empty() {
        ConfigError(format!("{shown}: {problem}"))
    } else {
        ConfigError(format!("{shown}: {place}: {problem}"))
    }
}

/// Reads a `T` out of `value`, which sits at `place` in the file (`""`: the top). A problem's place
/// is `place` followed by the JSON path of the value it is about.
pub(crate) fn read<'de, D, T>(value: D, place: &str) -> Result<T, PlaceErr>
where
    D: Deserializer<'de, Error = serde_json::Error>,
    T: Deserialize<'de>,
{
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut at = place.to_string();
        if e.path().iter().next().is_some() {
            if !at.is_empty() {
                at.push('.');
            }
            at.push_str(&e.path().to_string());
        }
        (at, problem(&e.into_inner().to_string()))
    })
}

/// serde's wording in the house style. The only message serde writes itself here is the one of
/// `deny_unknown_fields` (every other one comes from `must`, `object` or a format's own check):
/// "unknown field `k`, expected one of `a`, `b`" is "unknown key (known: a, b)"; the path already
/// ends with the key.
fn problem(msg: &str) -> String {
    match msg.strip_prefix("unknown field `") {
        // "k`, expected one of `a`, `b`" (or "expected `a` or `b`"): every other piece between
        // backquotes after the key is a known one
        Some(rest) => {
            let known: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
            let key = rest.split('`').next().unwrap_or_default();
            let hint = crate::model::spell::nearest(key, &known, 2)
                .map(|k| format!("did you mean `{k}`? "))
                .unwrap_or_default();
            format!("unknown key ({hint}known: {})", known.join(", "))
        }
        None => msg.to_string(),
    }
}

/// Reads a `T` whose every problem is `what` (a string, a number of one kind, a list of strings, one
/// of some names), said of the value itself rather than of a part of it.
pub(crate) fn must<'de, D, T>(d: D, what: &str) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let v = Value::deserialize(d)?;
    T::deserialize(v).map_err(|_| de::Error::custom(what))
}

/// A number, or `null` for none (a bound's side).
pub(crate) fn number_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    must(d, "must be a number or null")
}

/// `Some` whenever the key is there: `null` is a value to judge (or to keep), not "absent".
pub(crate) fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// A key written as a plain string or as an object that says more (`"hub": "http://…"` or
/// `"hub": {"url": "http://…", "headers": {…}}`).
pub(crate) enum StrOr<T> {
    Str(String),
    Object(T),
}

/// Reads a string or an object (`T`); any other value is `what`. Problems inside the object keep
/// their own place and text.
pub(crate) fn str_or_object<'de, D, T>(d: D, what: &'static str) -> Result<StrOr<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let taken = Cell::new(false);
    let read = d.deserialize_any(Shape {
        what,
        taken: &taken,
        marker: PhantomData,
    });
    said(read, &taken, what)
}

/// Reads an object (`T`: a derived struct or `Pairs`); any other value is `what`.
pub(crate) fn object<'de, D, T>(d: D, what: &'static str) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    match str_or_object(d, what)? {
        StrOr::Object(t) => Ok(t),
        StrOr::Str(_) => Err(de::Error::custom(what)),
    }
}

/// Reads an array of `T`; any other value is `what`. Problems inside an element keep their own place
/// (`patterns[1].regex`) and text.
pub(crate) fn list<'de, D, T>(d: D, what: &'static str) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Seq<'a, T> {
        what: &'static str,
        taken: &'a Cell<bool>,
        marker: PhantomData<T>,
    }
    impl<'de, T: Deserialize<'de>> Visitor<'de> for Seq<'_, T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(self.what)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            self.taken.set(true);
            let mut out = Vec::new();
            while let Some(t) = seq.next_element()? {
                out.push(t);
            }
            Ok(out)
        }
    }
    let taken = Cell::new(false);
    let read = d.deserialize_seq(Seq {
        what,
        taken: &taken,
        marker: PhantomData,
    });
    said(read, &taken, what)
}

/// A problem before a visitor took the value is its shape: `what`, not serde's sentence; one inside
/// it keeps its own place and text.
fn said<T, E: de::Error>(read: Result<T, E>, taken: &Cell<bool>, what: &str) -> Result<T, E> {
    read.map_err(|e| if taken.get() { e } else { E::custom(what) })
}

struct Shape<'a, T> {
    what: &'static str,
    taken: &'a Cell<bool>,
    marker: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for Shape<'_, T> {
    type Value = StrOr<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.what)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        self.taken.set(true);
        Ok(StrOr::Str(s.to_string()))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.taken.set(true);
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(StrOr::Object)
    }
}

/// A JSON object read in file order, as (key, value) pairs. Read it through `object` so that a value
/// that is no object at all is said in the format's words.
pub(crate) struct Pairs<K, V>(pub Vec<(K, V)>);

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for Pairs<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PairsVisitor<K, V>(PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for PairsVisitor<K, V> {
            type Value = Pairs<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry()? {
                    pairs.push(pair);
                }
                Ok(Pairs(pairs))
            }
        }
        d.deserialize_map(PairsVisitor(PhantomData))
    }
}

impl<K, V> Pairs<K, V> {
    /// The pairs with each value mapped (`Pairs<String, Text>` → `Vec<(String, String)>`).
    pub(crate) fn map<W>(self, f: impl Fn(V) -> W) -> Vec<(K, W)> {
        self.0.into_iter().map(|(k, v)| (k, f(v))).collect()
    }
}

/// A string value of an object (a header, an env variable, a label); anything else "must be a string".
pub(crate) struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        must(d, "must be a string").map(Text)
    }
}

/// An entry of a client's config (`mcpServers`, `servers`): the keys mcpmon does not read belong to
/// the client (`alwaysAllow`, `autoApprove`, `gallery`, …) and are dropped before the entry's struct,
/// strict about its own keys, reads the rest.
pub(crate) struct ClientEntry(pub Value);

impl<'de> Deserializer<'de> for ClientEntry {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let value = match self.0 {
            Value::Object(mut keys) => {
                keys.retain(|k, _| fields.contains(&k.as_str()));
                Value::Object(keys)
            }
            other => other,
        };
        value.deserialize_struct(name, fields, visitor)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[serde(default, deserialize_with = "port")]
        port: Option<u16>,
    }

    fn port<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
        must(d, "must be a TCP port number").map(Some)
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        #[serde(default, deserialize_with = "inner")]
        inner: Option<Inner>,
        #[serde(default)]
        _other: Option<u8>,
    }

    fn inner<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Inner>, D::Error> {
        object(d, "must be an object").map(Some)
    }

    fn outer(v: Value) -> Result<Outer, PlaceErr> {
        read(v, "targets.x")
    }

    #[test]
    fn problems_name_the_json_path_below_the_place() {
        let e = outer(serde_json::json!({"inner": {"port": "80"}})).unwrap_err();
        assert_eq!(
            e,
            (
                "targets.x.inner.port".into(),
                "must be a TCP port number".into()
            )
        );
        let e = outer(serde_json::json!({"inner": [1]})).unwrap_err();
        assert_eq!(e, ("targets.x.inner".into(), "must be an object".into()));
        let e = outer(serde_json::json!({"inner": {"prot": 1}})).unwrap_err();
        assert_eq!(
            e,
            (
                "targets.x.inner.prot".into(),
                "unknown key (did you mean `port`? known: port)".into()
            )
        );
        let e = outer(serde_json::json!({"inner": {"speed": 1}})).unwrap_err();
        assert_eq!(
            e,
            (
                "targets.x.inner.speed".into(),
                "unknown key (known: port)".into()
            )
        );
        let e = outer(serde_json::json!({"x": 1})).unwrap_err();
        assert_eq!(
            e,
            (
                "targets.x.x".into(),
                "unknown key (known: inner, _other)".into()
            )
        );
        let e = read::<_, Pairs<String, Text>>(serde_json::json!({"a": "b", "c": 1}), "");
        assert_eq!(e.err(), Some(("c".into(), "must be a string".into())));
    }

    #[test]
    fn a_client_entry_drops_the_clients_keys_only() {
        let v = serde_json::json!({"inner": {"port": 1}, "alwaysAllow": []});
        assert!(outer(v.clone()).is_err());
        let o: Outer = read(ClientEntry(v), "mcpServers.x").unwrap();
        assert_eq!(o.inner.and_then(|i| i.port), Some(1));
        let v = serde_json::json!({"inner": {"port": 1, "alwaysAllow": []}});
        assert!(read::<_, Outer>(ClientEntry(v), "mcpServers.x").is_err());
    }

    #[test]
    fn pairs_keep_file_order() {
        let p: Pairs<String, Text> = read(serde_json::json!({"z": "1", "a": "2"}), "").unwrap();
        assert_eq!(
            p.map(|t| t.0),
            vec![("z".into(), "1".into()), ("a".into(), "2".into())]
        );
    }

    #[test]
    fn invalid_json_names_line_and_column_once() {
        let e = parse_json("{\n \"a\": }", "f.json").unwrap_err().0;
        assert_eq!(e, "f.json:2:7: invalid JSON: expected value");
    }
}
