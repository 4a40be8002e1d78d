//! The canonical encoding of a leaf, written straight from the typed event.
//!
//! Byte-identical to building the leaf as a `serde_json::Value` and writing
//! it with keys sorted at every depth (the tests compare the two on seeded
//! and adversarial events), without the intermediate `Value`: the fixed
//! fields are written in their sorted order, strings and numbers by
//! `serde_json`'s own serializer (the same escaping and number format), and
//! only `data` is walked.

use super::{AuditEvent, LEAF_FORMAT};
use crate::tlog::{self, Hash};
use serde::Serialize;
use serde_json::Value;

/// Writes a string or number as JSON. Serialising a string or number into
/// a `Vec` cannot fail (`Vec`'s `io::Write` never errors and neither value
/// can be rejected), so the result carries no information.
fn write_scalar<T: Serialize + ?Sized>(v: &T, out: &mut Vec<u8>) {
    let _ = serde_json::to_writer(&mut *out, v);
}

/// Writes `v` as JSON with object keys sorted (byte order) at every depth
/// and no white space.
pub(super) fn write_value(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(map) => {
            // serde_json's default map is ordered by key; a build with
            // `preserve_order` (feature unification) keeps insertion order.
            if map.keys().is_sorted() {
                write_object(map.iter(), out);
            } else {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                write_object(entries.into_iter(), out);
            }
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out);
            }
            out.push(b']');
        }
        other => write_scalar(other, out),
    }
}

/// Writes an object from entries already in key order.
pub(super) fn write_object<'a>(
    entries: impl Iterator<Item = (&'a String, &'a Value)>,
    out: &mut Vec<u8>,
) {
    out.push(b'{');
    for (i, (k, v)) in entries.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_scalar(k.as_str(), out);
        out.push(b':');
        write_value(v, out);
    }
    out.push(b'}');
}

/// Appends the canonical leaf of `e` to `out`: the keys of
/// `{action, actor, at, data, format, govVersion, keyId, prevHash, seq,
/// subject}` are listed here in their sorted order.
pub(super) fn write_leaf(e: &AuditEvent, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"action\":");
    write_scalar(e.action.as_str(), out);
    out.extend_from_slice(b",\"actor\":");
    write_scalar(e.actor.as_str(), out);
    out.extend_from_slice(b",\"at\":");
    write_scalar(&e.at, out);
    out.extend_from_slice(b",\"data\":");
    write_value(&e.data, out);
    out.extend_from_slice(b",\"format\":");
    write_scalar(LEAF_FORMAT, out);
    out.extend_from_slice(b",\"govVersion\":");
    match e.gov_version {
        Some(v) => write_scalar(&v, out),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"keyId\":");
    write_scalar(e.key_id.as_str(), out);
    out.extend_from_slice(b",\"prevHash\":");
    write_scalar(e.prev_hash.as_str(), out);
    out.extend_from_slice(b",\"seq\":");
    write_scalar(&e.seq, out);
    out.extend_from_slice(b",\"subject\":");
    write_scalar(e.subject.as_str(), out);
    out.push(b'}');
}

/// The RFC 6962 leaf hash of `e`, encoding into `buf` (cleared first), so
/// a loop over many events reuses one buffer.
pub(super) fn leaf_hash_with(e: &AuditEvent, buf: &mut Vec<u8>) -> Hash {
    buf.clear();
    write_leaf(e, buf);
    tlog::leaf_hash(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Number, json};

    /// The encoder as it was: a `Value` built with `json!`, keys sorted and
    /// re-serialised. The reference the typed encoder must match.
    fn reference_canonical(v: &Value, out: &mut String) {
        match v {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(k.as_str()).unwrap());
                    out.push(':');
                    reference_canonical(&map[k.as_str()], out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    reference_canonical(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }

    fn reference_leaf(e: &AuditEvent) -> Vec<u8> {
        let body = json!({
            "format": LEAF_FORMAT,
            "seq": e.seq,
            "at": e.at,
            "actor": e.actor,
            "action": e.action,
            "subject": e.subject,
            "data": e.data,
            "govVersion": e.gov_version,
            "keyId": e.key_id,
            "prevHash": e.prev_hash,
        });
        let mut s = String::new();
        reference_canonical(&body, &mut s);
        s.into_bytes()
    }

    fn typed_leaf(e: &AuditEvent) -> Vec<u8> {
        let mut out = Vec::new();
        write_leaf(e, &mut out);
        out
    }

    /// SplitMix64, seeded.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// Characters that stress the escaping: quotes, backslashes, every
    /// control character class, DEL, line/paragraph separators, non-BMP.
    const NASTY: &[char] = &[
        '"',
        '\\',
        '/',
        '\u{0}',
        '\u{1}',
        '\u{8}',
        '\t',
        '\n',
        '\u{b}',
        '\u{c}',
        '\r',
        '\u{1f}',
        '\u{7f}',
        '\u{80}',
        '\u{2028}',
        '\u{2029}',
        '\u{feff}',
        'é',
        'ß',
        '中',
        '😀',
        '\u{10ffff}',
        'a',
        'Z',
        '0',
        ' ',
        '{',
        '}',
        ':',
        ',',
    ];

    fn string(rng: &mut Rng) -> String {
        let len = rng.below(12);
        (0..len)
            .map(|_| NASTY[rng.below(NASTY.len() as u64) as usize])
            .collect()
    }

    fn number(rng: &mut Rng) -> Value {
        match rng.below(8) {
            0 => json!(u64::MAX),
            1 => json!(i64::MIN),
            2 => json!(rng.next()),
            3 => json!(-(rng.below(1 << 53) as i64)),
            4 => json!(f64::from_bits(rng.next() >> 2) / 7.0),
            5 => Value::Number(Number::from_f64(-0.0).unwrap()),
            6 => json!(1e300),
            _ => json!(0.1),
        }
    }

    fn value(rng: &mut Rng, depth: u32) -> Value {
        match rng.below(if depth > 3 { 5 } else { 7 }) {
            0 => Value::Null,
            1 => Value::Bool(rng.below(2) == 0),
            2 => number(rng),
            3 | 4 => Value::String(string(rng)),
            5 => Value::Array((0..rng.below(4)).map(|_| value(rng, depth + 1)).collect()),
            _ => {
                let mut m = Map::new();
                for _ in 0..rng.below(6) {
                    m.insert(string(rng), value(rng, depth + 1));
                }
                Value::Object(m)
            }
        }
    }

    fn event(rng: &mut Rng) -> AuditEvent {
        AuditEvent {
            seq: if rng.below(4) == 0 {
                u64::MAX
            } else {
                rng.next()
            },
            at: rng.next() as i64,
            actor: string(rng),
            action: string(rng),
            subject: string(rng),
            data: value(rng, 0),
            gov_version: match rng.below(3) {
                0 => None,
                1 => Some(u32::MAX),
                _ => Some(rng.below(100) as u32),
            },
            key_id: string(rng),
            prev_hash: string(rng),
            entry_hash: string(rng),
            entry_mac: string(rng),
            nodes: vec![string(rng)],
        }
    }

    #[test]
    fn typed_leaf_is_byte_identical_to_the_value_encoder_on_seeded_events() {
        let mut rng = Rng(0x5eed_1eaf);
        let mut buf = Vec::new();
        for i in 0..20_000 {
            let e = event(&mut rng);
            let want = reference_leaf(&e);
            assert_eq!(typed_leaf(&e), want, "event {i}: {e:?}");
            assert_eq!(leaf_hash_with(&e, &mut buf), tlog::leaf_hash(&want));
        }
    }

    #[test]
    fn typed_leaf_matches_on_adversarial_events() {
        let deep = (0..100).fold(json!("x"), |acc, i| json!({ format!("k{i}"): [acc] }));
        let datas = [
            Value::Null,
            json!({}),
            json!([]),
            json!(""),
            json!({"": ""}),
            json!({"b": 1, "a": {"d": [1, {"z": 0, "y": null}], "c": "x"}}),
            json!({"\u{0}": 1, "\u{1f}": 2, "\"": 3, "\\": 4, "é": 5, "e": 6, "😀": 7, "E": 8}),
            json!([
                u64::MAX,
                i64::MIN,
                0,
                -0.0,
                1.5e-300,
                123456789.125,
                f64::MAX
            ]),
            json!({"nested": {"b": [{"y": 1, "x": 2}], "a": "\u{2028}\u{7f}"}}),
            deep,
        ];
        let texts = [
            "",
            "\"",
            "\\",
            "\u{0}\n\r\t\u{8}\u{c}",
            "中文😀",
            "</script>",
            "a\u{7f}b",
        ];
        for data in &datas {
            for t in texts {
                let e = AuditEvent {
                    seq: 0,
                    at: i64::MIN,
                    actor: t.into(),
                    action: t.into(),
                    subject: t.into(),
                    data: data.clone(),
                    gov_version: Some(0),
                    key_id: t.into(),
                    prev_hash: t.into(),
                    entry_hash: String::new(),
                    entry_mac: String::new(),
                    nodes: Vec::new(),
                };
                assert_eq!(typed_leaf(&e), reference_leaf(&e), "{data} / {t:?}");
            }
        }
    }

    #[test]
    fn unsorted_maps_are_sorted_as_the_reference_does() {
        // The branch taken when serde_json keeps insertion order.
        let (a, b, c) = ("b".to_string(), "a".to_string(), "\u{e9}".to_string());
        let (x, y, z) = (json!(1), json!({"q": 2, "p": [3]}), json!("s"));
        let entries = vec![(&a, &x), (&c, &z), (&b, &y)];
        let mut sorted = entries.clone();
        sorted.sort_by(|l, r| l.0.cmp(r.0));
        let mut out = Vec::new();
        write_object(sorted.into_iter(), &mut out);
        let m: Map<String, Value> = entries
            .into_iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut want = String::new();
        reference_canonical(&Value::Object(m), &mut want);
        assert_eq!(String::from_utf8(out).unwrap(), want);
        assert_eq!(want, r#"{"a":{"p":[3],"q":2},"b":1,"é":"s"}"#);
    }
}
