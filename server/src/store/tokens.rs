//! What the store promises about bearer tokens beyond who they speak for: how long a new one
//! lasts, and what an admin sees of one to list or revoke it without its secret.

use std::time::Duration;

/// Days a seller token lasts when the admin does not say otherwise.
pub const SELLER_TOKEN_DAYS: u32 = 90;
/// Days the streaming service's token lasts when the admin does not say otherwise.
pub const SERVICE_TOKEN_DAYS: u32 = 365;
/// Hex characters of the stored hash that make a token's public id (48 bits: collisions are
/// possible but rare, and revoking refuses an ambiguous id).
pub const TOKEN_ID_LEN: usize = 12;

const DAY: Duration = Duration::from_secs(86_400);

/// How long a newly issued token is good for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenLifetime {
    /// Good until revoked.
    Never,
    /// Expires this long after it is issued.
    For(Duration),
}

impl TokenLifetime {
    /// The default for seller tokens.
    pub const SELLER: Self = Self::For(Duration::from_secs(DAY.as_secs() * SELLER_TOKEN_DAYS as u64));
    /// The default for the service token.
    pub const SERVICE: Self = Self::For(Duration::from_secs(DAY.as_secs() * SERVICE_TOKEN_DAYS as u64));

    /// A lifetime of `days` days, as an admin gives it: 0 means never.
    pub fn days(days: u32) -> Self {
        if days == 0 { Self::Never } else { Self::For(DAY * days) }
    }

    /// When a token issued at `now_ms` expires (epoch ms), if ever.
    pub(crate) fn expires_at_ms(self, now_ms: i64) -> Option<i64> {
        match self {
            Self::Never => None,
            Self::For(d) => Some(now_ms.saturating_add(i64::try_from(d.as_millis()).unwrap_or(i64::MAX))),
        }
    }
}

/// Whom a token was issued to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A seller's app.
    Seller,
    /// The streaming service that feeds LIVE events.
    Service,
}

impl TokenKind {
    /// The kind as stored.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Seller => "seller",
            Self::Service => "service",
        }
    }

    /// Reads a stored kind; the schema allows no other.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        [Self::Seller, Self::Service].into_iter().find(|k| k.as_str() == s)
    }
}

/// A token as an admin sees it: never its secret, nor its full hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// Its public id: the first [`TOKEN_ID_LEN`] hex characters of its hash.
    pub id: String,
    /// Whom it was issued to.
    pub kind: TokenKind,
    /// The seller it speaks for (seller tokens only).
    pub seller_id: Option<String>,
    /// When it was issued (epoch ms).
    pub created_at_ms: i64,
    /// When it expires (epoch ms); `None`: never.
    pub expires_at_ms: Option<i64>,
    /// When it was revoked (epoch ms), if it was.
    pub revoked_at_ms: Option<i64>,
}

impl TokenInfo {
    /// One line for `admin list-tokens`: every field as `name=value`, times in UTC.
    pub fn line(&self) -> String {
        format!(
            "id={} kind={} seller={} created={} expires={} revoked={}",
            self.id,
            self.kind.as_str(),
            self.seller_id.as_deref().unwrap_or("-"),
            utc(self.created_at_ms),
            self.expires_at_ms.map_or_else(|| "never".into(), utc),
            self.revoked_at_ms.map_or_else(|| "-".into(), utc),
        )
    }
}

// Both backends cut the id with `substr(hash, 1, 12)` in their SQL.
const _: () = assert!(TOKEN_ID_LEN == 12);

/// Epoch ms as `YYYY-MM-DDTHH:MM:SSZ` (the civil-from-days algorithm, so no date crate is needed).
pub(crate) fn utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_utc_dates() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(utc(1_793_491_261_000), "2026-11-01T00:01:01Z");
    }

    #[test]
    fn lifetimes_in_days() {
        assert_eq!(TokenLifetime::days(0).expires_at_ms(5), None);
        assert_eq!(TokenLifetime::days(2).expires_at_ms(5), Some(5 + 2 * 86_400_000));
        assert_eq!(TokenLifetime::For(Duration::MAX).expires_at_ms(5), Some(i64::MAX));
    }
}
