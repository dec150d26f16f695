//! Intents: what a strategy would like its position to be. The risk manager decides what, if
//! anything, becomes an order.

/// The position a strategy wants in a symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Direction {
    /// Hold a long position (sized by the risk manager).
    Long,
    /// Hold a short position (sized by the risk manager).
    Short,
    /// Hold nothing.
    Flat,
}

/// How to get into the position, on the next bar.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Entry {
    /// At the next bar's open.
    Market,
    /// At this price or better, if the next bar trades there.
    Limit(f64),
    /// Once the next bar trades through this price (buy stop above, sell stop below).
    Stop(f64),
}

/// One intent: a target direction for a symbol and how to reach it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Intent {
    /// Index of the symbol in the run's panel.
    pub symbol: usize,
    /// The position wanted.
    pub target: Direction,
    /// How to reach it.
    pub entry: Entry,
    /// A partial exit: when the position already points the `target` way, cut it to this many
    /// units (it never grows; nothing happens when it already holds no more). `None` for an
    /// ordinary intent.
    pub reduce_to: Option<f64>,
}

/// The buffer a strategy writes its intents into. The engine owns it and clears it every bar;
/// the strategy can only add to it.
#[derive(Debug, Default)]
pub struct Intents {
    buffer: Vec<Intent>,
}

impl Intents {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Wants `target` in `symbol`, entering at the next open.
    #[inline]
    pub fn target(&mut self, symbol: usize, target: Direction) {
        self.push(Intent {
            symbol,
            target,
            entry: Entry::Market,
            reduce_to: None,
        });
    }

    /// Wants the position in `symbol` cut, at the next open, to `keep` (signed quantity: the
    /// sign says which side it must be on; a position on the other side is left alone).
    #[inline]
    pub fn reduce(&mut self, symbol: usize, keep: f64) {
        self.push(Intent {
            symbol,
            target: if keep < 0.0 {
                Direction::Short
            } else {
                Direction::Long
            },
            entry: Entry::Market,
            reduce_to: Some(keep.abs()),
        });
    }

    /// Adds an intent.
    #[inline]
    pub fn push(&mut self, intent: Intent) {
        self.buffer.push(intent);
    }

    /// The intents written so far this bar.
    #[inline]
    pub fn as_slice(&self) -> &[Intent] {
        &self.buffer
    }

    /// True when the strategy wrote nothing.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.buffer.is_empty()
    }

    /// Empties the buffer (the engine does this before every bar).
    #[inline]
    pub fn clear(&mut self) {
        self.buffer.clear();
    }
}
