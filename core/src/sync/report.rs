//! What a sync achieved, for the shells and the logs.

/// What one push achieved.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PushReport {
    /// Actions the server accepted (or had already accepted).
    pub delivered: u32,
    /// Actions refused for good and shown to the seller.
    pub rejected: u32,
    /// Actions still waiting (for a retry time, or behind one that is).
    pub waiting: u32,
}

/// What one full sync did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncReport {
    /// Outbox delivery.
    pub push: PushReport,
    /// Pages of changes applied.
    pub pages: u32,
}
