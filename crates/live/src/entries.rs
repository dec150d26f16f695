//! The payloads of the audit entries every step writes: the bar received, the strategy's
//! intents and the risk manager's decision on each, the orders decided, their fills, and the
//! orders that closed without one.
//!
//! Each is written straight in canonical form ([`Object`]), keys in byte order; the tests
//! check every one against the canonical encoding of the same payload built as a JSON tree,
//! which is what `gauntlet audit verify` hashes.

use gauntlet_data::Bar;
use gauntlet_engine::{Fill, OrderRecord};
use gauntlet_strategy::Intent;

use crate::audit::Object;

/// `bar`: a bar taken from feed line `line`; `symbol` is the symbol as a JSON string.
pub(crate) fn bar(out: &mut Vec<u8>, bar: &Bar, line: u64, symbol: &[u8]) {
    let mut o = Object::open(out);
    o.field("close", &bar.close);
    o.field("high", &bar.high);
    o.field("line", &line);
    o.field("low", &bar.low);
    o.field("open", &bar.open);
    o.raw("symbol", symbol);
    o.field("volume", &bar.volume);
    o.end();
}

/// `intent`: what the strategy asked for.
pub(crate) fn intent(out: &mut Vec<u8>, intent: &Intent, symbol: &[u8]) {
    let mut o = Object::open(out);
    o.object("intent", |i| {
        i.field("entry", &intent.entry);
        i.field("reduce_to", &intent.reduce_to);
        i.field("symbol", &intent.symbol);
        i.field("target", &intent.target);
    });
    o.raw("symbol", symbol);
    o.end();
}

/// `risk`: the risk manager's decision on an intent, the orders it made of it and the reasons
/// it refused (joined by `; `).
pub(crate) fn risk(out: &mut Vec<u8>, decision: &str, orders: &[u64], reason: &str, symbol: &[u8]) {
    let mut o = Object::open(out);
    o.field("decision", decision);
    o.field("orders", orders);
    o.field("reason", reason);
    o.raw("symbol", symbol);
    o.end();
}

/// `order`: an order decided at this step; `size` is its size while it waits (`None` once it
/// has already left the queue).
pub(crate) fn order(out: &mut Vec<u8>, record: &OrderRecord, size: Option<&str>, symbol: &[u8]) {
    let mut o = Object::open(out);
    o.field("bar", &record.created_bar);
    o.field("id", &record.id);
    o.field("kind", &format!("{:?}", record.kind));
    o.field("purpose", &record.purpose);
    o.field("side", &record.side);
    o.field("size", &size);
    o.raw("symbol", symbol);
    o.end();
}

/// `fill`: an order filled.
pub(crate) fn fill(out: &mut Vec<u8>, fill: &Fill, symbol: &[u8]) {
    let mut o = Object::open(out);
    o.field("bar", &fill.bar);
    o.field("fee", &fill.fee);
    o.field("order", &fill.order_id);
    o.field("price", &fill.price);
    o.field("quantity", &fill.quantity);
    o.field("side", &fill.side);
    o.raw("symbol", symbol);
    o.end();
}

/// `order_closed`: an order cancelled or rejected, and why.
pub(crate) fn order_closed(out: &mut Vec<u8>, record: &OrderRecord) {
    let mut o = Object::open(out);
    o.field("id", &record.id);
    o.field("reason", record.status.reason());
    o.field("status", record.status.as_str());
    o.end();
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_engine::OrderStatus;
    use gauntlet_report::canonical_json;
    use gauntlet_risk::{OrderKind, Purpose, Side};
    use gauntlet_strategy::{Direction, Entry};
    use serde_json::{Value, json};

    const SYMBOL: &str = "sp\"500";

    fn symbol() -> Vec<u8> {
        Value::String(SYMBOL.into()).to_string().into_bytes()
    }

    fn written(write: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        write(&mut out);
        String::from_utf8(out).expect("utf-8")
    }

    fn canonical(tree: Value) -> String {
        String::from_utf8(canonical_json(&tree, None)).expect("utf-8")
    }

    #[test]
    fn a_bar_is_its_canonical_tree() {
        let b = Bar {
            ts: 0,
            open: 1228.099976,
            high: 1e21,
            low: 0.1 + 0.2,
            close: 1244.0,
            volume: 877000000.0,
        };
        assert_eq!(
            written(|out| bar(out, &b, 42, &symbol())),
            canonical(
                json!({ "close": b.close, "high": b.high, "line": 42u64, "low": b.low,
                              "open": b.open, "symbol": SYMBOL, "volume": b.volume })
            )
        );
    }

    #[test]
    fn intents_and_risk_decisions_are_their_canonical_trees() {
        for i in [
            Intent {
                symbol: 1,
                target: Direction::Long,
                entry: Entry::Limit(101.25),
                reduce_to: None,
            },
            Intent {
                symbol: 0,
                target: Direction::Flat,
                entry: Entry::Market,
                reduce_to: Some(3.5),
            },
        ] {
            assert_eq!(
                written(|out| intent(out, &i, &symbol())),
                canonical(json!({ "symbol": SYMBOL, "intent": i }))
            );
        }
        for (decision, orders, reason) in [
            ("approved", &[3u64, 4][..], ""),
            ("rejected", &[][..], "max exposure; halted"),
        ] {
            assert_eq!(
                written(|out| risk(out, decision, orders, reason, &symbol())),
                canonical(
                    json!({ "symbol": SYMBOL, "decision": decision, "orders": orders,
                                  "reason": reason })
                )
            );
        }
    }

    #[test]
    fn orders_fills_and_closed_orders_are_their_canonical_trees() {
        let record = OrderRecord {
            id: 7,
            created_bar: 124,
            symbol: 0,
            side: Side::Sell,
            kind: OrderKind::Stop(99.5),
            purpose: Purpose::StopLoss,
            status: OrderStatus::Cancelled("position closed"),
            closed_bar: Some(130),
        };
        for size in [Some("Notional(100000.0)"), None] {
            assert_eq!(
                written(|out| order(out, &record, size, &symbol())),
                canonical(
                    json!({ "id": record.id, "symbol": SYMBOL, "side": record.side,
                                  "kind": format!("{:?}", record.kind), "size": size,
                                  "purpose": record.purpose, "bar": record.created_bar })
                )
            );
        }
        let f = Fill {
            order_id: 7,
            bar: 125,
            ts: 0,
            symbol: 0,
            side: Side::Buy,
            quantity: 72.39891511930668,
            price: 1381.0980569961,
            fee: 9.999000099990003,
        };
        assert_eq!(
            written(|out| fill(out, &f, &symbol())),
            canonical(
                json!({ "order": f.order_id, "symbol": SYMBOL, "side": f.side,
                              "quantity": f.quantity, "price": f.price, "fee": f.fee,
                              "bar": f.bar })
            )
        );
        assert_eq!(
            written(|out| order_closed(out, &record)),
            canonical(json!({ "id": record.id, "status": record.status.as_str(),
                              "reason": record.status.reason() }))
        );
    }
}
