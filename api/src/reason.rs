//! Why the engine picked a moment, as data: the apps word it in the seller's language, and the
//! English line older apps show is made from the same values.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Which LIVE signal a reason is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// Chat messages.
    Comments,
    /// Distinct viewers chatting.
    Chatters,
    /// Messages repeating another's words.
    EchoedMessages,
    /// Emoji and reaction messages.
    Reactions,
    /// Questions in the chat.
    Questions,
    /// Exclamations in the chat.
    Exclamations,
    /// Long chat messages.
    LongMessages,
    /// Messages alike one another.
    SimilarMessages,
    /// Likes.
    Likes,
    /// Shares of the LIVE.
    Shares,
    /// Gifts.
    Gifts,
    /// Viewers joining.
    ViewerJoins,
    /// Taps on the pinned product.
    ProductClicks,
    /// Add-to-carts.
    AddToCarts,
    /// Orders.
    Orders,
    /// Gross merchandise value of the orders.
    Gmv,
    /// A signal of a newer server that this version does not know.
    #[serde(other)]
    Other,
}

impl Signal {
    /// English name, for the line older apps show.
    pub const fn english(self) -> &'static str {
        match self {
            Signal::Comments => "comments",
            Signal::Chatters => "chatters",
            Signal::EchoedMessages => "echoed messages",
            Signal::Reactions => "reactions",
            Signal::Questions => "questions",
            Signal::Exclamations => "exclamations",
            Signal::LongMessages => "long messages",
            Signal::SimilarMessages => "similar messages",
            Signal::Likes => "likes",
            Signal::Shares => "shares",
            Signal::Gifts => "gifts",
            Signal::ViewerJoins => "viewer joins",
            Signal::ProductClicks => "product clicks",
            Signal::AddToCarts => "add-to-carts",
            Signal::Orders => "orders",
            Signal::Gmv => "GMV",
            Signal::Other => "activity",
        }
    }
}

/// One reason a moment stood out: a count or amount over a window, or a factor over usual.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Reason {
    /// The signal.
    pub signal: Signal,
    /// How many in the window (orders, add-to-carts, or a signal that is usually about zero).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Times its usual rate in this LIVE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<f64>,
    /// GMV in minor units of the config's currency (for [`Signal::Gmv`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_minor: Option<i64>,
    /// The window the count or amount is over, in seconds.
    pub window_s: u32,
    /// The product the moment is tied to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
}

impl Reason {
    /// `signal` at `factor` times its usual rate over `window_s` seconds, tied to no product.
    pub fn over_usual(signal: Signal, factor: f64, window_s: u32) -> Self {
        Self { signal, count: None, factor: Some(factor), amount_minor: None, window_s, product_id: None }
    }

    /// `count` of `signal` in `window_s` seconds, tied to no product.
    pub fn counted(signal: Signal, count: u64, window_s: u32) -> Self {
        Self { signal, count: Some(count), factor: None, amount_minor: None, window_s, product_id: None }
    }

    /// The English line of older apps, e.g. "5 orders in 7 s", "comments 4.2x baseline".
    pub fn english(&self) -> String {
        let (name, w) = (self.signal.english(), self.window_s);
        match (self.signal, self.count, self.factor, self.amount_minor) {
            (Signal::Gmv, _, _, Some(minor)) => format!("GMV {}.{:02} in {w} s", minor / 100, (minor % 100).abs()),
            (Signal::Orders | Signal::AddToCarts, Some(n), _, _) => format!("{n} {name} in {w} s"),
            (_, _, Some(f), _) => format!("{name} {f:.1}x baseline"),
            (_, Some(n), None, _) => format!("{name} {n} in {w} s (usually ~0)"),
            _ => name.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_lines_read_as_before() {
        let r = |signal, count, factor, amount_minor| Reason {
            signal,
            count,
            factor,
            amount_minor,
            window_s: 7,
            product_id: None,
        };
        assert_eq!(r(Signal::Orders, Some(5), None, None).english(), "5 orders in 7 s");
        assert_eq!(r(Signal::Gmv, None, None, Some(4990)).english(), "GMV 49.90 in 7 s");
        assert_eq!(r(Signal::Comments, None, Some(4.16), None).english(), "comments 4.2x baseline");
        assert_eq!(r(Signal::Likes, Some(3), None, None).english(), "likes 3 in 7 s (usually ~0)");
    }

    #[test]
    fn an_unknown_signal_reads_as_other() {
        let r: Reason = serde_json::from_str(r#"{"signal":"hearts","factor":2.0,"window_s":20}"#).unwrap();
        assert_eq!(r.signal, Signal::Other);
        assert_eq!(r.factor, Some(2.0));
    }
}
