//! Integers in request bodies, accepted as JSON Schema defines them: `1500.0` is the integer 1500.
//! serde alone refuses a number written with a fraction, which a conforming client may send.

use serde::de::Error;
use serde::{Deserialize, Deserializer};

fn integral(n: &serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18).map(|f| f as i64))
}

/// An `i64` written as an integer or as a number with a zero fraction.
pub fn i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    integral(&n).ok_or_else(|| D::Error::custom(format!("expected an integer, got {n}")))
}

/// An optional `i64`, as [`i64`].
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Option::<serde_json::Number>::deserialize(d)?
        .map(|n| integral(&n).ok_or_else(|| D::Error::custom(format!("expected an integer, got {n}"))))
        .transpose()
}

/// An optional `u32`, as [`i64`] and within range.
pub fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    opt_i64(d)?
        .map(|v| u32::try_from(v).map_err(|_| D::Error::custom(format!("{v} is out of range for a count"))))
        .transpose()
}

#[cfg(test)]
mod tests {
    use crate::{CreateVideo, SettingsPatch};

    #[test]
    fn integral_floats_are_integers_and_fractions_are_not() {
        let v: CreateVideo =
            serde_json::from_str(r#"{"live_id":"l","start_ms":1500.0,"end_ms":2500,"product_id":"p"}"#).unwrap();
        assert_eq!((v.start_ms, v.end_ms), (1500, 2500));
        assert!(
            serde_json::from_str::<CreateVideo>(r#"{"live_id":"l","start_ms":1.5,"end_ms":2,"product_id":"p"}"#)
                .is_err()
        );
        let p: SettingsPatch = serde_json::from_str(r#"{"popup_shows_delta":2.0}"#).unwrap();
        assert_eq!((p.popup_shows_delta, p.expected_version), (Some(2), None));
        assert!(serde_json::from_str::<SettingsPatch>(r#"{"popup_shows_delta":-1}"#).is_err());
        assert!(
            serde_json::from_str::<SettingsPatch>(r#"{"expected_version":null}"#).unwrap().expected_version.is_none()
        );
    }
}
