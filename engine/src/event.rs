//! LIVE events: one JSON object per line, or per element of an ingestion batch.

use serde::Deserialize;

/// What happened in a LIVE.
// Serde's derives are the event log's compact encoding (postcard), not the stream's JSON, which
// `to_json` and `Parsed` write and read.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
pub enum EventKind {
    /// The LIVE began.
    LiveStart {
        /// Title, when the stream carries one.
        title: Option<String>,
    },
    /// The LIVE ended.
    LiveEnd,
    /// A viewer commented.
    Comment {
        /// Who wrote it (platform user id or name); empty when the stream does not say.
        user: String,
        /// What they wrote; empty when the stream does not say.
        text: String,
    },
    /// Viewers liked, `count` times.
    Like {
        /// Number of likes in this event.
        count: u32,
    },
    /// A viewer shared the LIVE.
    Share,
    /// A viewer joined.
    ViewerJoin,
    /// A viewer left.
    ViewerLeave,
    /// The platform's count of viewers in the room, sent every few seconds while the LIVE is on:
    /// it moves the LIVE's clock through silent stretches, so a moment in a small LIVE whose chat
    /// falls quiet is decided on time.
    ViewerCount {
        /// Viewers in the room.
        count: u32,
    },
    /// A viewer sent a gift.
    Gift {
        /// Gift value (platform units).
        value: f64,
    },
    /// The seller pinned a product.
    ProductPin {
        /// The product.
        product_id: String,
        /// Display name, when the stream carries one.
        name: Option<String>,
    },
    /// The seller unpinned a product.
    ProductUnpin {
        /// The product.
        product_id: String,
    },
    /// A viewer opened a product.
    ProductClick {
        /// The product.
        product_id: String,
    },
    /// A viewer added a product to the cart.
    AddToCart {
        /// The product.
        product_id: String,
    },
    /// The platform's speech-to-text heard the seller say something: what subtitles show.
    Caption {
        /// The words.
        text: String,
        /// How long they were spoken, in ms.
        duration_ms: i64,
    },
    /// A viewer ordered.
    Order {
        /// The product.
        product_id: String,
        /// Units.
        quantity: u32,
        /// Order value in cents.
        amount_cents: i64,
    },
}

/// One event of one LIVE.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
pub struct LiveEvent {
    /// Event time (epoch ms).
    pub ts_ms: i64,
    /// The LIVE it belongs to.
    pub live_id: String,
    /// What happened.
    pub kind: EventKind,
}

/// Why an event was skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// Not JSON, or a field missing or of the wrong type.
    Malformed(String),
    /// A `type` this engine does not know.
    UnknownType(String),
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Malformed(m) => write!(f, "malformed event: {m}"),
            SkipReason::UnknownType(t) => write!(f, "unknown event type {t:?}"),
        }
    }
}

#[derive(Deserialize)]
struct Raw {
    ts_ms: i64,
    live_id: String,
    #[serde(rename = "type")]
    ty: String,
    title: Option<String>,
    user: Option<String>,
    text: Option<String>,
    count: Option<u32>,
    value: Option<f64>,
    product_id: Option<String>,
    name: Option<String>,
    quantity: Option<u32>,
    amount_cents: Option<i64>,
    duration_ms: Option<i64>,
}

/// Longest user name kept; longer ones are cut (a name is an identity, not content).
const MAX_USER_BYTES: usize = 128;
/// Longest a caption may stay on screen: speech-to-text cuts longer speech into several.
const MAX_CAPTION_MS: i64 = 30_000;
/// Longest comment text kept; the engine reads only its first words anyway.
const MAX_TEXT_BYTES: usize = 2_000;

fn truncated(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

fn valid_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 128 && !s.chars().any(char::is_control)
}

impl LiveEvent {
    /// Parses one JSON line.
    pub fn parse_line(line: &str) -> Result<Self, SkipReason> {
        let raw: Raw = serde_json::from_str(line).map_err(|e| SkipReason::Malformed(e.to_string()))?;
        Self::from_raw(raw)
    }

    /// Parses one JSON value of an ingestion batch.
    pub fn from_value(v: serde_json::Value) -> Result<Self, SkipReason> {
        let raw: Raw = serde_json::from_value(v).map_err(|e| SkipReason::Malformed(e.to_string()))?;
        Self::from_raw(raw)
    }

    /// Parses one JSON value of an ingestion batch without taking it (no copy of the value).
    pub fn from_ref(v: &serde_json::Value) -> Result<Self, SkipReason> {
        let raw = Raw::deserialize(v).map_err(|e| SkipReason::Malformed(e.to_string()))?;
        Self::from_raw(raw)
    }

    fn from_raw(r: Raw) -> Result<Self, SkipReason> {
        if !valid_id(&r.live_id) {
            return Err(SkipReason::Malformed("invalid live_id".into()));
        }
        if r.ts_ms <= 0 {
            return Err(SkipReason::Malformed("ts_ms must be a positive epoch time".into()));
        }
        let product = |p: Option<String>| match p {
            Some(p) if valid_id(&p) => Ok(p),
            Some(_) => Err(SkipReason::Malformed("invalid product_id".into())),
            None => Err(SkipReason::Malformed(format!("{} needs product_id", r.ty))),
        };
        let kind = match r.ty.as_str() {
            "live_start" => EventKind::LiveStart { title: r.title },
            "live_end" => EventKind::LiveEnd,
            "comment" => EventKind::Comment {
                user: truncated(r.user.unwrap_or_default(), MAX_USER_BYTES),
                text: truncated(r.text.unwrap_or_default(), MAX_TEXT_BYTES),
            },
            "like" => EventKind::Like { count: r.count.unwrap_or(1).min(1_000_000) },
            "share" => EventKind::Share,
            "viewer_join" => EventKind::ViewerJoin,
            "viewer_leave" => EventKind::ViewerLeave,
            "viewer_count" => match r.count {
                Some(count) => EventKind::ViewerCount { count },
                None => return Err(SkipReason::Malformed("viewer_count needs count".into())),
            },
            "gift" => {
                let value = r.value.unwrap_or(1.0);
                if !value.is_finite() || value < 0.0 {
                    return Err(SkipReason::Malformed("gift value must be a finite non-negative number".into()));
                }
                EventKind::Gift { value }
            }
            "caption" => {
                let duration_ms = r.duration_ms.unwrap_or(0);
                if !(1..=MAX_CAPTION_MS).contains(&duration_ms) {
                    return Err(SkipReason::Malformed(format!(
                        "caption needs duration_ms between 1 and {MAX_CAPTION_MS}"
                    )));
                }
                EventKind::Caption { text: truncated(r.text.unwrap_or_default(), MAX_TEXT_BYTES), duration_ms }
            }
            "product_pin" => EventKind::ProductPin { product_id: product(r.product_id)?, name: r.name },
            "product_unpin" => EventKind::ProductUnpin { product_id: product(r.product_id)? },
            "product_click" => EventKind::ProductClick { product_id: product(r.product_id)? },
            "add_to_cart" => EventKind::AddToCart { product_id: product(r.product_id)? },
            "order" => EventKind::Order {
                product_id: product(r.product_id)?,
                quantity: r.quantity.unwrap_or(1).clamp(1, 10_000),
                amount_cents: r.amount_cents.unwrap_or(0).clamp(0, 1_000_000_000),
            },
            other => return Err(SkipReason::UnknownType(other.chars().take(64).collect())),
        };
        Ok(LiveEvent { ts_ms: r.ts_ms, live_id: r.live_id, kind })
    }
}

/// An event decoded straight from its JSON as part of a larger document (a log entry), or why it
/// is not one: the document decodes in one pass with no intermediate tree, and a bad event does
/// not fail the others. A field of the wrong JSON type still fails the whole document.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed(pub Result<LiveEvent, SkipReason>);

impl<'de> Deserialize<'de> for Parsed {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Parsed(LiveEvent::from_raw(Raw::deserialize(d)?)))
    }
}

impl LiveEvent {
    /// The event as the JSON object of the stream format.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        let mut v = json!({ "ts_ms": self.ts_ms, "live_id": self.live_id });
        let (ty, extra) = match &self.kind {
            EventKind::LiveStart { title } => ("live_start", title.as_ref().map(|t| json!({ "title": t }))),
            EventKind::LiveEnd => ("live_end", None),
            EventKind::Comment { user, text } => ("comment", Some(json!({ "text": text, "user": user }))),
            EventKind::Like { count } => ("like", Some(json!({ "count": count }))),
            EventKind::Share => ("share", None),
            EventKind::ViewerJoin => ("viewer_join", None),
            EventKind::ViewerLeave => ("viewer_leave", None),
            EventKind::ViewerCount { count } => ("viewer_count", Some(json!({ "count": count }))),
            EventKind::Gift { value } => ("gift", Some(json!({ "value": value }))),
            EventKind::ProductPin { product_id, name } => {
                ("product_pin", Some(json!({ "product_id": product_id, "name": name })))
            }
            EventKind::ProductUnpin { product_id } => ("product_unpin", Some(json!({ "product_id": product_id }))),
            EventKind::ProductClick { product_id } => ("product_click", Some(json!({ "product_id": product_id }))),
            EventKind::AddToCart { product_id } => ("add_to_cart", Some(json!({ "product_id": product_id }))),
            EventKind::Caption { text, duration_ms } => {
                ("caption", Some(json!({ "text": text, "duration_ms": duration_ms })))
            }
            EventKind::Order { product_id, quantity, amount_cents } => {
                ("order", Some(json!({ "product_id": product_id, "quantity": quantity, "amount_cents": amount_cents })))
            }
        };
        v["type"] = json!(ty);
        if let (Some(serde_json::Value::Object(extra)), Some(obj)) = (extra, v.as_object_mut()) {
            for (k, val) in extra {
                if !val.is_null() {
                    obj.insert(k, val);
                }
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_type_and_skips_bad_lines() {
        let ok = [
            r#"{"ts_ms":1,"live_id":"l","type":"live_start","title":"Spring sale"}"#,
            r#"{"ts_ms":1,"live_id":"l","type":"comment","text":"wow","user":"u1"}"#,
            r#"{"ts_ms":1,"live_id":"l","type":"like","count":5}"#,
            r#"{"ts_ms":1,"live_id":"l","type":"gift","value":2.5}"#,
            r#"{"ts_ms":1,"live_id":"l","type":"order","product_id":"p","quantity":2,"amount_cents":1999}"#,
            r#"{"ts_ms":1,"live_id":"l","type":"live_end","extra":"ignored"}"#,
            r#"{"ts_ms":1,"live_id":"l","type":"caption","text":"only today","duration_ms":1800}"#,
            r#"{"ts_ms":1,"live_id":"l","type":"viewer_count","count":212}"#,
        ];
        for line in ok {
            LiveEvent::parse_line(line).unwrap();
        }
        let bad = [
            "",
            "not json",
            r#"{"ts_ms":"1","live_id":"l","type":"comment"}"#,
            r#"{"live_id":"l","type":"comment"}"#,
            r#"{"ts_ms":1,"live_id":"","type":"comment"}"#,
            r#"{"ts_ms":1,"live_id":"l","type":"order"}"#,
            r#"{"ts_ms":1,"live_id":"l","type":"gift","value":-1}"#,
            r#"{"ts_ms":1,"live_id":"l","type":"caption","text":"no duration"}"#,
            r#"{"ts_ms":1,"live_id":"l","type":"viewer_count"}"#,
        ];
        for line in bad {
            assert!(matches!(LiveEvent::parse_line(line), Err(SkipReason::Malformed(_))), "{line}");
        }
        let long = format!(r#"{{"ts_ms":1,"live_id":"l","type":"comment","user":"u","text":"{}"}}"#, "é".repeat(5_000));
        let EventKind::Comment { text, user } = LiveEvent::parse_line(&long).unwrap().kind else { unreachable!() };
        assert_eq!((text.len(), user.as_str()), (MAX_TEXT_BYTES, "u"), "long texts are cut on a character boundary");
        let bare = LiveEvent::parse_line(r#"{"ts_ms":1,"live_id":"l","type":"comment"}"#).unwrap();
        assert_eq!(bare.kind, EventKind::Comment { user: String::new(), text: String::new() });
        assert_eq!(LiveEvent::parse_line(&bare.to_json().to_string()).unwrap(), bare, "round trip");
        assert_eq!(
            LiveEvent::parse_line(r#"{"ts_ms":1,"live_id":"l","type":"dance"}"#),
            Err(SkipReason::UnknownType("dance".into()))
        );
    }
}
