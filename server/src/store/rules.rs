//! The store's rules that need no SQL, shared by both backends: experiment assignment, settings
//! changes, seller-made video checks, recording coverage, viewer-event sums, change pages, the
//! experiments report's arms, detector resumption, ids.

use std::collections::{BTreeMap, HashMap, HashSet};

use highlights_api::{
    CreateVideo, Experiments, FormatVariant, Highlight, Live, Reason, RecordingReport, RemoteConfig, Results, Settings,
    SettingsPatch, TimeRange, ViewerAction, ViewerEvent,
};
use highlights_engine::{EventKind, LiveEvent};
use sha2::{Digest, Sha256};

use super::contract::{ExperimentReport, FormatArm, PopupArm, Scorer, StoreError, hex};
use super::media_contract::{CaptionLine, JOIN_TOLERANCE_MS, SegmentRef};
use super::tokens::TOKEN_ID_LEN;
use crate::subtitles::{self, Cue, TimedWord};

/// A random id with a readable prefix, e.g. `hl_3f9a…`.
pub(crate) fn random_id(prefix: &str, bytes: usize) -> Result<String, StoreError> {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).map_err(|e| StoreError::backend("drawing randomness", e.to_string()))?;
    Ok(format!("{prefix}_{}", hex(&b)))
}

/// Why no new video can be made of a LIVE whose recording the cleanup job deleted.
pub(crate) fn recording_gone() -> StoreError {
    StoreError::rule(
        "recording_gone",
        "the recording of this LIVE is no longer kept, so no new video can be made of it",
    )
}

/// A fresh key stem for one render attempt of a highlight's video (see `rendered_keys`).
pub(crate) fn attempt_stem(highlight_id: &str) -> Result<String, StoreError> {
    let token = random_id("r", 8)?;
    Ok(format!("videos/{highlight_id}-{}", &token[2..]))
}

/// JSON text of plain data (string lists, flag structs) whose serialisation cannot fail.
pub(crate) fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// A highlight's stored reasons, read back as its English lines and its reasons as data. Rows
/// from before reasons were data hold the English lines alone; they keep them and have no data.
pub(crate) fn stored_reasons(text: &str) -> (Vec<String>, Vec<Reason>) {
    let entries: Vec<serde_json::Value> = serde_json::from_str(text).unwrap_or_default();
    let (mut signals, mut reasons) = (Vec::new(), Vec::new());
    for entry in entries {
        match entry {
            serde_json::Value::String(line) => signals.push(line),
            other => {
                if let Ok(r) = serde_json::from_value::<Reason>(other) {
                    signals.push(r.english());
                    reasons.push(r);
                }
            }
        }
    }
    (signals, reasons)
}

/// A seller's fixed place among 2^64 for one experiment (`salt`), so arms are stable and independent.
pub(crate) fn bucket(salt: &str, seller_id: &str) -> u64 {
    let d = Sha256::digest(format!("{salt}:{seller_id}").as_bytes());
    u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

/// LIVEs whose newest event arrived before this server time (epoch ms) count as gone silent.
pub(crate) fn silent_before(cfg: &RemoteConfig, wall_now_ms: i64) -> i64 {
    wall_now_ms - i64::from(cfg.live_silence_s) * 1000
}

/// Deterministic assignment: the same seller always lands in the same arms, unless an admin pinned them.
pub(crate) fn assign(
    seller_id: &str,
    cfg: &RemoteConfig,
    popup_override: Option<bool>,
    format_override: Option<&str>,
) -> Experiments {
    let popup = popup_override.unwrap_or(bucket("popup", seller_id).is_multiple_of(2));
    let mut arms = vec![FormatVariant::Control];
    arms.extend(cfg.format_experiments.iter().filter_map(|e| FormatVariant::parse(e)));
    let pinned = format_override.and_then(FormatVariant::parse).filter(|v| arms.contains(v));
    let variant = pinned.unwrap_or_else(|| arms[(bucket("format", seller_id) % arms.len() as u64) as usize]);
    Experiments { popup, format_variant: variant.as_str().to_string(), format: variant.spec() }
}

fn invalid_change(message: &str) -> StoreError {
    StoreError::rule("invalid_change", message)
}

/// The settings after a patch, or `None` when it changes nothing; a stale `expected_version` is
/// refused with the current state. The caller stores the result as a new version.
pub(crate) fn patched(current: Settings, p: &SettingsPatch) -> Result<Option<Settings>, StoreError> {
    let mut s = current;
    if let Some(v) = p.expected_version
        && v != s.version
    {
        return Err(StoreError::Stale { expected: v, current: Box::new(s) });
    }
    if p.onboarding_completed == Some(false) {
        return Err(invalid_change("onboarding cannot be un-completed"));
    }
    if p.popup_shows_delta.is_some_and(|d| d > 100) {
        return Err(invalid_change("popup_shows_delta is at most 100"));
    }
    if p.popup_dismissed_at_ms.is_some_and(|t| t <= 0) {
        return Err(invalid_change("popup_dismissed_at_ms must be an epoch time"));
    }
    if let Some(ids) = &p.only_products {
        if ids.len() > highlights_api::MAX_ONLY_PRODUCTS {
            return Err(invalid_change(&format!(
                "only_products holds at most {} products",
                highlights_api::MAX_ONLY_PRODUCTS
            )));
        }
        if !ids.iter().all(|id| highlights_api::is_valid_id(id)) {
            return Err(invalid_change("only_products holds product ids"));
        }
    }
    if p.reset_posting_bar == Some(false) {
        return Err(invalid_change("reset_posting_bar can only be true"));
    }
    let before = s.clone();
    if p.reset_posting_bar == Some(true) {
        s.posting_bar = highlights_api::PostingBar::default();
    }
    if let Some(on) = p.highlights_on {
        s.highlights_on = on;
    }
    if p.onboarding_completed == Some(true) {
        s.onboarding_completed = true;
    }
    s.popup_shows = s.popup_shows.saturating_add(p.popup_shows_delta.unwrap_or(0));
    if let Some(t) = p.popup_dismissed_at_ms {
        s.popup_dismissed_at_ms = Some(s.popup_dismissed_at_ms.map_or(t, |d| d.max(t)));
    }
    if let Some(on) = p.next_live_highlights_on {
        s.next_live_highlights_on = on;
    }
    if let Some(on) = p.review_before_posting {
        s.review_before_posting = on;
    }
    if let Some(ids) = &p.only_products {
        let mut ids = ids.clone();
        ids.sort();
        ids.dedup();
        s.only_products = ids;
    }
    if s == before {
        return Ok(None);
    }
    let now = crate::clock::now_ms();
    s.updated_at_ms = p.acted_at_ms.filter(|t| *t > 0).map_or(now, |t| t.min(now));
    Ok(Some(s))
}

fn invalid_segment(message: String) -> StoreError {
    StoreError::rule("invalid_segment", message)
}

/// Checks a seller-made video as the app core does: inside the recording, within the clip bounds,
/// of a product shown in the LIVE.
pub(crate) fn check_video(live: &Live, cfg: &RemoteConfig, v: &CreateVideo, now_ms: i64) -> Result<(), StoreError> {
    if v.end_ms <= v.start_ms {
        return Err(invalid_segment("the end must come after the start".into()));
    }
    let live_end = live.ended_at_ms.unwrap_or(now_ms);
    if v.start_ms < live.started_at_ms || v.end_ms > live_end {
        return Err(invalid_segment("the segment must lie inside the recording".into()));
    }
    let len = v.end_ms - v.start_ms;
    if len < i64::from(cfg.clip_min_s) * 1000 || len > i64::from(cfg.clip_max_s) * 1000 {
        return Err(invalid_segment(format!("a video must be {}–{} s long", cfg.clip_min_s, cfg.clip_max_s)));
    }
    if v.product_id.is_empty() || !live.products.iter().any(|p| p.id == v.product_id) {
        return Err(StoreError::rule("unknown_product", "the product was not in that LIVE"));
    }
    Ok(())
}

/// What is held of a LIVE's recording, from its segments by start: coverage, holes, unreadable
/// segments, late arrivals.
pub(crate) fn coverage(live_id: &str, segments: &[SegmentRef], out_of_order: u32) -> RecordingReport {
    let mut gaps = Vec::new();
    let mut covered_ms = 0;
    let mut reached: Option<i64> = None;
    for s in segments.iter().filter(|s| s.readable) {
        let end = s.start_ms + s.duration_ms;
        match reached {
            Some(r) if s.start_ms > r + JOIN_TOLERANCE_MS => gaps.push(TimeRange { start_ms: r, end_ms: s.start_ms }),
            _ => {}
        }
        covered_ms += (end - reached.unwrap_or(i64::MIN).max(s.start_ms)).max(0);
        reached = Some(reached.map_or(end, |r| r.max(end)));
    }
    RecordingReport {
        live_id: live_id.to_string(),
        segments: segments.len() as u32,
        covered_ms,
        gaps,
        corrupt: segments.iter().filter(|s| !s.readable).map(|s| s.start_ms).collect(),
        out_of_order,
    }
}

/// The caption in a stored event's JSON, if it is one spoken after `start_ms`.
pub(crate) fn caption(json: &str, start_ms: i64) -> Option<CaptionLine> {
    match LiveEvent::parse_line(json) {
        Ok(LiveEvent { ts_ms, kind: EventKind::Caption { text, duration_ms }, .. })
            if ts_ms + duration_ms > start_ms && !text.trim().is_empty() =>
        {
            Some(CaptionLine { at_ms: ts_ms, duration_ms, text })
        }
        _ => None,
    }
}

/// A LIVE's captions over a span: the platform's (from `caption` events), and the recogniser's
/// `words` as readable cues where the platform said nothing; only those still shown at `start_ms`.
pub(crate) fn with_speech(platform: Vec<CaptionLine>, words: &[TimedWord], start_ms: i64) -> Vec<CaptionLine> {
    let cue = |c: CaptionLine| Cue { at_ms: c.at_ms, duration_ms: c.duration_ms, text: c.text };
    let merged = subtitles::merge(platform.into_iter().map(cue).collect(), subtitles::cues(words));
    merged
        .into_iter()
        .filter(|c| c.at_ms + c.duration_ms > start_ms)
        .map(|c| CaptionLine { at_ms: c.at_ms, duration_ms: c.duration_ms, text: c.text })
        .collect()
}

/// Longest word kept from a recogniser: longer is no word a subtitle should show.
const MAX_WORD_CHARS: usize = 64;

/// A recogniser's words as both stores keep them alike: control characters (which PostgreSQL's
/// text refuses as NUL, and a subtitle must not carry) dropped, each cut to a readable length,
/// empty ones and ones ending before they start left out.
pub(crate) fn storable_words(words: &[TimedWord]) -> Vec<TimedWord> {
    words
        .iter()
        .filter(|w| w.end_ms >= w.start_ms)
        .map(|w| TimedWord {
            text: w
                .text
                .chars()
                .filter(|c| !c.is_control())
                .take(MAX_WORD_CHARS)
                .collect::<String>()
                .trim()
                .to_string(),
            ..w.clone()
        })
        .filter(|w| !w.text.is_empty())
        .collect()
}

/// Viewer events read from a batch: the well-formed ones, and how many were not.
pub(crate) fn viewer_events(raw: Vec<serde_json::Value>) -> (Vec<ViewerEvent>, u64) {
    let mut skipped = 0;
    let events = raw
        .into_iter()
        .filter_map(|r| match ViewerEvent::from_value(r) {
            Ok(e) => Some(e),
            Err(reason) => {
                tracing::warn!(%reason, "viewer event skipped");
                skipped += 1;
                None
            }
        })
        .collect();
    (events, skipped)
}

/// Viewer events summed per highlight (so a busy video is one write per batch); events on a
/// highlight never posted are counted as skipped. Returns the sums, accepted and skipped.
pub(crate) fn sum_viewer_events(
    events: Vec<ViewerEvent>,
    posted: &HashSet<String>,
) -> (HashMap<String, Results>, u64, u64) {
    let (mut accepted, mut skipped) = (0, 0);
    let mut sums: HashMap<String, Results> = HashMap::new();
    for e in events {
        if !posted.contains(&e.highlight_id) {
            tracing::warn!(highlight_id = %e.highlight_id, "viewer event on a video never posted skipped");
            skipped += 1;
            continue;
        }
        let r = sums.entry(e.highlight_id).or_default();
        match e.action {
            ViewerAction::View { watch_ms } => {
                r.views += 1;
                r.watch_ms += watch_ms;
            }
            ViewerAction::LiveEntry => r.live_entries += 1,
            ViewerAction::ProductClick => r.product_clicks += 1,
            ViewerAction::Order { amount_minor } => {
                r.orders += 1;
                r.gmv_minor += amount_minor;
            }
        }
        accepted += 1;
    }
    (sums, accepted, skipped)
}

/// What becomes of a due post: whether the seller still wants it (toggle on, LIVE chosen),
/// whether its video is ready (or not needed), whether it still waits for the seller's approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DuePost {
    /// Goes out now.
    Post,
    /// Waits for its video.
    Wait,
    /// Becomes a recommendation the seller can still post.
    Recommend,
}

impl DuePost {
    /// The decision for one due post.
    pub(crate) fn decide(wanted: bool, ready: bool, unapproved: bool) -> Self {
        match (wanted, ready, unapproved) {
            (true, _, true) | (false, _, _) => DuePost::Recommend,
            (true, true, false) => DuePost::Post,
            (true, false, false) => DuePost::Wait,
        }
    }
}

/// Puts a LIVE's detector where the store says the log left it: nothing to do when it is held at
/// that point already; resumed from the checkpoint (`seq` and its bytes) otherwise; forgotten
/// (rebuilt from stored events) when there is no checkpoint or it cannot be read.
pub(crate) fn resume_detector(
    scorer: &dyn Scorer,
    live_id: &str,
    checkpoint: Option<(u64, Option<Vec<u8>>)>,
    worker: &str,
) {
    match checkpoint {
        Some((seq, _)) if scorer.position(live_id) == Some(seq) => {}
        Some((seq, state)) => {
            if scorer.resume(live_id, seq, state.as_deref()) {
                tracing::info!(live_id, seq, worker, "detector resumed from its checkpoint");
            } else {
                // Written by another engine version: rebuilt from the stored events instead.
                tracing::warn!(live_id, "detector checkpoint unreadable; warming up from history");
                scorer.forget(live_id);
            }
        }
        None => scorer.forget(live_id),
    }
}

/// Which partitions `worker` holds after a renewal, and which of its own it frees, given every
/// lease as (partition, owner, valid until) and how many workers run: a fair share of
/// `ceil(partitions / workers)` each, the extras above it freed (a newcomer takes them at its next
/// renewal), free or lapsed ones taken up to it. Lapsed leases of this worker that nobody took are
/// still its own: nothing was applied from them since (every commit checks the lease).
pub(crate) fn share_partitions(
    leases: &[(u32, String, i64)],
    worker: &str,
    partitions: u32,
    workers: u32,
    now_ms: i64,
) -> (Vec<u32>, Vec<u32>) {
    let share = partitions.div_ceil(workers.max(1)) as usize;
    let mut mine: Vec<u32> =
        leases.iter().filter(|(p, o, _)| o == worker && *p < partitions).map(|(p, _, _)| *p).collect();
    mine.sort_unstable();
    let freed = mine.split_off(share.min(mine.len()));
    let taken: HashSet<u32> =
        leases.iter().filter(|(_, o, until)| o != worker && *until > now_ms).map(|(p, _, _)| *p).collect();
    let free: Vec<u32> = (0..partitions).filter(|p| !taken.contains(p) && !mine.contains(p)).collect();
    mine.extend(free.into_iter().take(share.saturating_sub(mine.len())));
    mine.sort_unstable();
    (mine, freed)
}

/// What one ingested batch already looked up, so a busy LIVE costs one lookup per batch, not per
/// event.
#[derive(Default)]
pub(crate) struct BatchState {
    /// LIVE id → whether it belongs to the batch's seller.
    pub ours: HashMap<String, bool>,
    /// LIVE id → newest event time in the batch.
    pub clock: HashMap<String, i64>,
    /// (LIVE, product) pairs already recorded.
    pub products: HashSet<(String, String)>,
    /// How the seller's bar is learned (from the engine settings in force).
    pub learning: highlights_engine::learn::Learning,
    /// LIVEs the batch opened, with the bar shift each starts with: their detectors start with it.
    pub opened: Vec<(String, f64)>,
    /// LIVEs whose newest event arrived before this (server time, ms) have gone silent: over, for
    /// the bar's learning, like ended ones.
    pub silent_before: i64,
}

/// The product an event shows (pinned, clicked, put in a cart, ordered), with its name if given.
pub(crate) fn product_of(k: &EventKind) -> Option<(&str, Option<&str>)> {
    match k {
        EventKind::ProductPin { product_id, name } => Some((product_id, name.as_deref())),
        EventKind::ProductClick { product_id } | EventKind::AddToCart { product_id } => Some((product_id, None)),
        EventKind::Order { product_id, .. } => Some((product_id, None)),
        _ => None,
    }
}

/// One page of changes from the LIVEs and highlights changed after `since` (each list `limit` + 1
/// at most, by change number): the rows of the page in change order across both, so a highlight
/// never arrives before its LIVE, and the cursor after it (`None`: nothing left, the caller
/// jumps to the head of the sequence).
pub(crate) fn change_page(lives: &mut Vec<Live>, highlights: &mut Vec<Highlight>, limit: u32) -> Option<i64> {
    let mut seqs: Vec<i64> = lives.iter().map(|l| l.seq).chain(highlights.iter().map(|h| h.seq)).collect();
    seqs.sort_unstable();
    if seqs.len() <= limit as usize {
        return None;
    }
    let last = seqs[limit as usize - 1];
    lives.retain(|l| l.seq <= last);
    highlights.retain(|h| h.seq <= last);
    Some(last)
}

/// One seller's videos made in one format variant, for the experiments report.
#[derive(Debug, Clone, Default)]
pub(crate) struct VariantVideos {
    /// The variant's name.
    pub variant: String,
    /// On their profile now.
    pub posted: u32,
    /// Ever posted (taken down since included).
    pub ever_posted: u32,
    /// Views.
    pub views: u64,
    /// LIVE-room entries.
    pub live_entries: u64,
    /// Attributed orders.
    pub orders: u64,
    /// Attributed GMV, in minor units.
    pub gmv_minor: i64,
}

/// What one seller counts for in the experiments report.
pub(crate) struct SellerFacts {
    /// Their arms.
    pub experiments: Experiments,
    /// Their settings now.
    pub settings: Settings,
    /// Their arm of the learning experiment, by name (`learning::arm_name`).
    pub arm: &'static str,
    /// Their videos, by the variant each was made in.
    pub videos: Vec<VariantVideos>,
    /// Each configured variant's share of their next clips.
    pub shares: Vec<(String, f64)>,
}

/// The experiments report as it is counted, seller by seller.
#[derive(Default)]
pub(crate) struct Arms {
    popup: BTreeMap<bool, PopupArm>,
    /// (learning arm, variant) → its row.
    formats: BTreeMap<(String, String), FormatArm>,
    /// Sellers per learning arm.
    sellers: BTreeMap<String, u32>,
}

impl Arms {
    /// Counts one seller into their arms: their pop-up arm; in their learning arm, their videos
    /// under the variant each was made in, their next clips' shares, and themselves under the
    /// variant most of their next clips get.
    pub(crate) fn count(&mut self, f: SellerFacts) {
        let arm = self
            .popup
            .entry(f.experiments.popup)
            .or_insert_with(|| PopupArm { shows_popup: f.experiments.popup, ..Default::default() });
        arm.sellers += 1;
        let exposed = f.settings.popup_shows > 0;
        arm.exposed += u32::from(exposed);
        arm.turned_on += u32::from(f.settings.highlights_on);
        arm.turned_on_after_exposure += u32::from(exposed && f.settings.highlights_on);
        let arm = f.arm.to_string();
        *self.sellers.entry(arm.clone()).or_default() += 1;
        for (variant, share) in &f.shares {
            format_row(&mut self.formats, &arm, variant).share += share;
        }
        let top = f.shares.iter().max_by(|a, b| a.1.total_cmp(&b.1)).map(|(v, _)| v.clone());
        format_row(&mut self.formats, &arm, &top.unwrap_or(f.experiments.format_variant)).sellers += 1;
        for v in f.videos {
            let r = format_row(&mut self.formats, &arm, &v.variant);
            r.videos_posted += v.posted;
            r.videos_ever_posted += v.ever_posted;
            r.views += v.views;
            r.live_entries += v.live_entries;
            r.orders += v.orders;
            r.gmv_minor += v.gmv_minor;
        }
    }

    /// The report: shares become the mean over the arm's sellers.
    pub(crate) fn report(mut self, currency: String) -> ExperimentReport {
        for ((arm, _), r) in &mut self.formats {
            r.share /= f64::from(self.sellers.get(arm).copied().unwrap_or(1).max(1));
        }
        ExperimentReport {
            popup: self.popup.into_values().collect(),
            formats: self.formats.into_values().collect(),
            currency,
        }
    }
}

/// The report's row of one variant in one learning arm.
fn format_row<'a>(
    formats: &'a mut BTreeMap<(String, String), FormatArm>,
    arm: &str,
    variant: &str,
) -> &'a mut FormatArm {
    formats.entry((arm.to_string(), variant.to_string())).or_insert_with(|| FormatArm {
        arm: arm.to_string(),
        variant: variant.to_string(),
        ..Default::default()
    })
}

/// Whether revoking by `id` may go on when `matching` tokens have that id: exactly one must.
pub(crate) fn one_token(id: &str, matching: i64) -> Result<(), StoreError> {
    match matching {
        1 => Ok(()),
        0 => Err(StoreError::NotFound("token")),
        n => Err(StoreError::rule(
            "ambiguous_token_id",
            format!("{n} tokens have the id {id}: revoke a seller's tokens with --seller instead"),
        )),
    }
}

/// Checks a token id an admin typed (any case), answering it as stored.
pub(crate) fn parse_token_id(id: &str) -> Result<String, StoreError> {
    if id.len() == TOKEN_ID_LEN && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(id.to_ascii_lowercase())
    } else {
        Err(StoreError::Invalid(format!("a token id is {TOKEN_ID_LEN} hex characters, as admin list-tokens prints it")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignment_is_deterministic_and_spreads() {
        let cfg = RemoteConfig::default();
        let a = assign("seller-1", &cfg, None, None);
        assert_eq!(a, assign("seller-1", &cfg, None, None));
        let popups = (0..1000).filter(|i| assign(&format!("s{i}"), &cfg, None, None).popup).count();
        assert!((400..600).contains(&popups), "{popups} of 1000 in the pop-up arm");
        let variants: std::collections::HashSet<_> =
            (0..1000).map(|i| assign(&format!("s{i}"), &cfg, None, None).format_variant).collect();
        assert_eq!(variants.len(), 5);
        let pinned = assign("seller-1", &cfg, Some(true), Some("click_now_end_card"));
        assert!(pinned.popup && pinned.format.click_now_end_card);
    }

    #[test]
    fn a_due_post_goes_out_only_wanted_ready_and_not_waiting_for_approval() {
        assert_eq!(DuePost::decide(true, true, false), DuePost::Post);
        assert_eq!(DuePost::decide(true, false, false), DuePost::Wait);
        assert_eq!(DuePost::decide(true, true, true), DuePost::Recommend);
        assert_eq!(DuePost::decide(true, false, true), DuePost::Recommend);
        assert_eq!(DuePost::decide(false, true, false), DuePost::Recommend);
    }

    #[test]
    fn token_ids_as_listed() {
        assert_eq!(parse_token_id("ABCDEF012345").unwrap(), "abcdef012345");
        assert!(parse_token_id("abc").is_err() && parse_token_id("zzzzzzzzzzzz").is_err());
        assert!(matches!(one_token("abcdef012345", 2), Err(StoreError::Rule { code: "ambiguous_token_id", .. })));
        assert!(matches!(one_token("abcdef012345", 0), Err(StoreError::NotFound("token"))));
    }
}
