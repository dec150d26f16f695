//! Sealing: an entry's body becomes a chained line, its keys in sorted order (so that the line
//! is its own canonical encoding) and its hash taken over the line without the `sha256` key,
//! as [`gauntlet_registry::chain::entry_hash`] computes it when the log is verified.

use gauntlet_registry::chain::ChainHead;
use sha2::{Digest, Sha256};

/// Writes a string or number as serde_json does (the canonical form of a scalar).
pub(crate) fn scalar<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Writing a scalar into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// Writes the keys of an entry that come before `prev_sha256`: `{"event":…,"payload":…`, the
/// payload written by `write_payload` in canonical form.
pub(super) fn write_opening(
    out: &mut Vec<u8>,
    event: &str,
    write_payload: impl FnOnce(&mut Vec<u8>),
) {
    out.extend_from_slice(b"{\"event\":");
    if event.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        // An event name is a plain word: as serde_json would write it, without its escaping
        // pass (a measurable part of writing a million entries).
        out.push(b'"');
        out.extend_from_slice(event.as_bytes());
        out.push(b'"');
    } else {
        scalar(out, event);
    }
    out.extend_from_slice(b",\"payload\":");
    write_payload(out);
}

/// The end of the chain, and what turns the next entry into a line after it.
#[derive(Debug)]
pub(super) struct Sealer {
    head: ChainHead,
    /// The keys after `seq` of the entry being sealed (they follow its hash).
    tail: Vec<u8>,
}

impl Sealer {
    pub(super) fn new(head: ChainHead) -> Sealer {
        Sealer {
            head,
            tail: Vec::with_capacity(64),
        }
    }

    /// The last entry sealed.
    pub(super) fn head(&self) -> &ChainHead {
        &self.head
    }

    /// Appends to `out` the line of the next entry: `opening` (from [`write_opening`]), then
    /// `prev_sha256`, `seq`, `sha256`, `ts` (the bar time) and `wall_ms`.
    pub(super) fn seal(&mut self, opening: &[u8], ts: i64, wall_ms: i64, out: &mut Vec<u8>) {
        self.seal_hashed(opening, Sha256::new_with_prefix(opening), ts, wall_ms, out);
    }

    /// [`Sealer::seal`], with the hash of `opening` begun already (`hashing` has been fed
    /// exactly `opening`): the opening does not depend on the chain, so another thread can
    /// hash it while this one seals the entries before it.
    pub(super) fn seal_hashed(
        &mut self,
        opening: &[u8],
        mut hashing: Sha256,
        ts: i64,
        wall_ms: i64,
        out: &mut Vec<u8>,
    ) {
        let seq = self.head.seq + 1;
        out.extend_from_slice(opening);
        let start = out.len();
        out.extend_from_slice(b",\"prev_sha256\":\"");
        out.extend_from_slice(self.head.sha256.as_bytes());
        out.extend_from_slice(b"\",\"seq\":");
        scalar(out, &seq);
        let tail = &mut self.tail;
        tail.clear();
        tail.extend_from_slice(b",\"ts\":");
        scalar(tail, &ts);
        tail.extend_from_slice(b",\"wall_ms\":");
        scalar(tail, &wall_ms);
        tail.extend_from_slice(b"}\n");
        // `update` in place: `chain_update` moves the hasher's state (a block and more) each time.
        hashing.update(&out[start..]);
        hashing.update(&tail[..tail.len() - 1]);
        let hash = lower_hex(&hashing.finalize().into());
        out.extend_from_slice(b",\"sha256\":\"");
        out.extend_from_slice(&hash);
        out.push(b'"');
        out.extend_from_slice(tail);
        self.head.seq = seq;
        self.head.sha256.clear();
        // Hex digits are ASCII.
        self.head
            .sha256
            .push_str(std::str::from_utf8(&hash).unwrap_or_default());
    }
}

/// Two lower-case hex digits for every byte value.
const HEX_PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut pairs = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        pairs[i] = [DIGITS[i >> 4], DIGITS[i & 15]];
        i += 1;
    }
    pairs
};

/// A SHA-256 digest in lower-case hex, a byte at a time from a table (the `hex` crate goes a
/// nibble at a time; this runs once per entry).
fn lower_hex(digest: &[u8; 32]) -> [u8; 64] {
    let mut hex = [0u8; 64];
    for (pair, &byte) in hex.chunks_exact_mut(2).zip(digest) {
        pair.copy_from_slice(&HEX_PAIRS[byte as usize]);
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_registry::chain::entry_hash;
    use serde_json::Value;

    #[test]
    fn an_event_name_that_needs_escaping_is_escaped() {
        for event in ["order_closed", "odd \"name\\"] {
            let mut opening = Vec::new();
            write_opening(&mut opening, event, |out| out.extend_from_slice(b"{}"));
            let mut line = Vec::new();
            Sealer::new(ChainHead::default()).seal(&opening, 1, 2, &mut line);
            let entry: Value = serde_json::from_slice(&line).expect("json");
            assert_eq!(entry["event"], event);
            assert_eq!(entry.to_string().as_bytes(), &line[..line.len() - 1]);
        }
    }

    #[test]
    fn hex_digits_are_the_hex_crates() {
        let digest: [u8; 32] = std::array::from_fn(|i| (i * 37 + 11) as u8 ^ 0xa5);
        assert_eq!(
            lower_hex(&digest).to_vec(),
            hex::encode(digest).into_bytes()
        );
        assert_eq!(lower_hex(&[0xff; 32]).to_vec(), vec![b'f'; 64]);
    }

    #[test]
    fn a_sealed_line_is_canonical_and_hashes_as_the_verifier_does() {
        let mut sealer = Sealer::new(ChainHead::default());
        let mut opening = Vec::new();
        write_opening(&mut opening, "bar", |out| {
            out.extend_from_slice(br#"{"close":1.5,"symbol":"a\"b"}"#);
        });
        let mut out = Vec::new();
        sealer.seal(&opening, 86_400_000, 7, &mut out);
        sealer.seal(&opening, 86_400_001, 8, &mut out);
        let text = String::from_utf8(out).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        let first: Value = serde_json::from_str(lines[0]).expect("json");
        // serde_json's map keeps keys sorted: written back, a canonical line is unchanged.
        assert_eq!(first.to_string(), lines[0]);
        assert_eq!(first["sha256"].as_str(), Some(entry_hash(&first).as_str()));
        assert_eq!(first["payload"]["symbol"], "a\"b");
        let second: Value = serde_json::from_str(lines[1]).expect("json");
        assert_eq!(second["prev_sha256"], first["sha256"]);
        assert_eq!(second["seq"], 2);
        assert_eq!(
            sealer.head().sha256,
            second["sha256"].as_str().expect("hash")
        );
    }
}
