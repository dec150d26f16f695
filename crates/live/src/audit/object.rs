//! Writing an entry's payload object straight in canonical form, without a JSON tree: the
//! entries of every step (bars, intents, risk decisions, orders, fills) are written this way,
//! since building a `serde_json::Value` map for each costs more than the step itself.
//!
//! The canonical form is [`gauntlet_report::canonical_json`]'s: keys in byte order, no spaces,
//! scalars as `serde_json` writes them. The caller gives the keys in that order (checked in
//! debug builds); values are scalars, sequences of scalars, or objects written the same way.

use serde::Serialize;

use super::seal::scalar;

/// An object being written into `out`: `{` on creation, `}` on [`Object::end`].
pub(crate) struct Object<'a> {
    out: &'a mut Vec<u8>,
    fields: usize,
    #[cfg(debug_assertions)]
    last_key: &'static str,
}

impl<'a> Object<'a> {
    /// Opens an object at the end of `out`.
    pub(crate) fn open(out: &'a mut Vec<u8>) -> Object<'a> {
        out.push(b'{');
        Object {
            out,
            fields: 0,
            #[cfg(debug_assertions)]
            last_key: "",
        }
    }

    #[inline]
    fn key(&mut self, key: &'static str) {
        #[cfg(debug_assertions)]
        {
            assert!(
                self.fields == 0 || self.last_key < key,
                "key {key:?} after {:?}: canonical objects list their keys in byte order",
                self.last_key
            );
            assert!(
                key.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\'),
                "key {key:?} would need escaping"
            );
            self.last_key = key;
        }
        if self.fields > 0 {
            self.out.push(b',');
        }
        self.fields += 1;
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    /// A key whose value is a scalar (or a sequence of scalars, or an enum that serializes as
    /// a string or an object of one key), written as `serde_json` writes it.
    #[inline]
    pub(crate) fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        self.key(key);
        scalar(self.out, value);
    }

    /// A key whose value is JSON already in canonical form.
    #[inline]
    pub(crate) fn raw(&mut self, key: &'static str, json: &[u8]) {
        self.key(key);
        self.out.extend_from_slice(json);
    }

    /// A key whose value is an object, written by `write` into the object it is given.
    pub(crate) fn object(&mut self, key: &'static str, write: impl FnOnce(&mut Object<'_>)) {
        self.key(key);
        let mut inner = Object::open(self.out);
        write(&mut inner);
        inner.end();
    }

    /// Closes the object.
    pub(crate) fn end(self) {
        self.out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_report::canonical_json;
    use serde_json::json;

    #[test]
    fn writes_what_the_canonical_encoding_of_the_same_tree_is() {
        let mut out = Vec::new();
        let mut object = Object::open(&mut out);
        object.field("a", &[1u64, 2]);
        object.object("b", |inner| {
            inner.field("x", &f64::NAN);
            inner.field("y", &Some(0.1f64));
        });
        object.field("c", "quote \" and \u{1}");
        object.raw("d", b"[]");
        object.field("e", &Option::<String>::None);
        object.end();
        let tree = json!({
            "e": null, "d": [], "c": "quote \" and \u{1}",
            "b": { "y": 0.1, "x": f64::NAN }, "a": [1, 2]
        });
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            String::from_utf8(canonical_json(&tree, None)).expect("utf-8")
        );
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "byte order")]
    fn keys_out_of_order_are_caught_in_debug_builds() {
        let mut out = Vec::new();
        let mut object = Object::open(&mut out);
        object.field("symbol", "a");
        object.field("side", "buy");
    }
}
