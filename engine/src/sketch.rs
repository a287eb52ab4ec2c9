//! Fixed-size summaries of chat that fit the per-LIVE state budget at any audience size: distinct
//! chatters (a small HyperLogLog per second) and recent messages (a table of echo candidates).

use serde::{Deserialize, Serialize};

/// Registers of a distinct-count sketch, 4 bits each: 16 bytes, about 18 % error on large
/// counts, exact enough on small ones (linear counting). A register saturates at rank 15, which
/// only a few thousand distinct chatters in one second approach.
const REGISTERS: usize = 32;
const INDEX_BITS: u32 = 5;
const MAX_RANK: u8 = 15;
/// 2^-r for every rank a register can hold.
const POWERS: [f32; 16] = {
    let mut p = [1.0f32; 16];
    let mut r = 1;
    while r < 16 {
        p[r] = p[r - 1] / 2.0;
        r += 1;
    }
    p
};

/// Distinct users seen in one second (or, merged, in a window): two registers per byte, so the
/// sixteen seconds a detector keeps take a few cache lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distinct([u8; REGISTERS / 2]);

impl Default for Distinct {
    fn default() -> Self {
        Distinct([0; REGISTERS / 2])
    }
}

impl Distinct {
    /// Counts the user whose (well mixed) hash is `h`.
    pub fn insert(&mut self, h: u64) {
        let i = (h & (REGISTERS as u64 - 1)) as usize;
        let rank = (((h >> INDEX_BITS) | (1 << (64 - INDEX_BITS))).trailing_zeros() as u8 + 1).min(MAX_RANK);
        let (byte, shift) = (i / 2, (i % 2) * 4);
        let old = (self.0[byte] >> shift) & 0x0f;
        if rank > old {
            self.0[byte] = (self.0[byte] & !(0x0f << shift)) | (rank << shift);
        }
    }

    /// Adds everyone `other` counted.
    pub fn merge(&mut self, other: &Distinct) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a = (*a & 0x0f).max(b & 0x0f) | (*a & 0xf0).max(b & 0xf0);
        }
    }

    /// Estimated number of distinct users.
    pub fn estimate(&self) -> f32 {
        let m = REGISTERS as f32;
        let (mut zeros, mut sum) = (0usize, 0.0f32);
        for r in self.0.iter().flat_map(|b| [b & 0x0f, b >> 4]) {
            zeros += usize::from(r == 0);
            sum += POWERS[usize::from(r)];
        }
        if zeros == REGISTERS {
            return 0.0;
        }
        let raw = 0.697 * m * m / sum;
        if raw <= 2.5 * m && zeros > 0 { m * (m / zeros as f32).ln() } else { raw }
    }
}

/// Slots of the echo table; popular texts keep their slot because they keep coming back.
const ECHO_SLOTS: usize = 64;
/// Slots of the table of recent opening words: the words a crowd opens with are few (an emote, a
/// name, "what"), and every slot is state each LIVE carries.
pub const OPENING_SLOTS: usize = 16;
/// Seconds a slot's clock counts before it wraps (about 18 hours); 0 marks an empty slot.
const CLOCK: u32 = u16::MAX as u32;

/// One remembered message in 6 bytes: 16 bits of its text's hash (beyond the 6 that chose the
/// slot), 16 of its writer's, and the second it was written. A tag clash between two texts or
/// two viewers is one in 65,536 and costs one echo miscounted.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct Slot {
    text: u16,
    user: u16,
    /// Second (since the LIVE's first event) the text was last written, on a wrapping clock
    /// from 1 to [`CLOCK`]; 0 = empty.
    at: u16,
}

/// Recent messages by text (or by opening word, `SLOTS` = [`OPENING_SLOTS`]), to tell whether
/// a message repeats what another viewer just wrote.
#[derive(Debug, Clone)]
pub struct Echoes<const SLOTS: usize = ECHO_SLOTS>([Slot; SLOTS]);

// Serde derives arrays up to 32 long; the table goes as a sequence and must come back whole.
impl<const SLOTS: usize> Serialize for Echoes<SLOTS> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter())
    }
}

impl<'de, const SLOTS: usize> Deserialize<'de> for Echoes<SLOTS> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let slots = Vec::<Slot>::deserialize(d)?;
        let n = slots.len();
        slots.try_into().map(Echoes).map_err(|_| serde::de::Error::invalid_length(n, &"as many slots as the table has"))
    }
}

impl<const SLOTS: usize> Default for Echoes<SLOTS> {
    fn default() -> Self {
        Echoes([Slot::default(); SLOTS])
    }
}

impl<const SLOTS: usize> Echoes<SLOTS> {
    /// Notes that `user` wrote `text` at second `at` (counted from 1); true when another viewer
    /// wrote the same within `window_s` seconds. A viewer repeating themselves is no echo.
    pub fn echo(&mut self, text: u64, user: u64, at: u32, window_s: u32) -> bool {
        let slot = &mut self.0[(text % SLOTS as u64) as usize];
        let (text, user) = ((text >> 48) as u16, user as u16);
        let now = (at.max(1) - 1) % CLOCK + 1;
        let elapsed = (now + CLOCK - u32::from(slot.at)) % CLOCK;
        let echoed = slot.at > 0 && slot.text == text && slot.user != user && elapsed <= window_s;
        *slot = Slot { text, user, at: now as u16 };
        echoed
    }
}

/// Recent posters tracked; in a busy LIVE the table churns and nobody stands out, which is right:
/// one account cannot flood 2,000 messages a second.
const POSTER_SLOTS: usize = 8;

/// Who posted a lot just now (a decayed count per account, most active first), so that a viewer
/// repeating themselves, or a spam account, counts once as a reaction rather than every message;
/// and how many messages lately were such repeats, against those that counted.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Posters {
    slots: [(u32, f32); POSTER_SLOTS],
    counted: f32,
    repeats: f32,
}

impl Posters {
    /// Notes a message by `user`; true when that user had already posted within the last seconds.
    pub fn repeat(&mut self, user: u64) -> bool {
        let again = self.seen(user);
        if again {
            self.repeats += 1.0;
        } else {
            self.counted += 1.0;
        }
        again
    }

    fn seen(&mut self, user: u64) -> bool {
        let id = (user >> 32) as u32 | 1;
        if let Some(slot) = self.slots.iter_mut().find(|(u, _)| *u == id) {
            let again = slot.1 >= 1.0;
            slot.1 += 1.0;
            return again;
        }
        let weakest = (0..POSTER_SLOTS).min_by(|a, b| self.slots[*a].1.total_cmp(&self.slots[*b].1)).unwrap_or(0);
        if self.slots[weakest].1 < 1.0 {
            self.slots[weakest] = (id, 1.0);
        }
        false
    }

    /// One second passes; each count keeps the share `keep` (the `repeat_keep` setting).
    pub fn tick(&mut self, keep: f32) {
        for slot in &mut self.slots {
            slot.1 *= keep;
        }
        self.counted *= keep;
        self.repeats *= keep;
    }

    /// Whether repeats outnumbered the messages that counted lately by more than `ratio`: a few
    /// accounts flooding rather than a crowd reacting.
    pub fn flooding(&self, ratio: f32) -> bool {
        self.repeats > ratio * self.counted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::mix;

    #[test]
    fn distinct_counts_are_close_small_and_large() {
        for n in [1u64, 5, 20, 100, 1_000, 50_000] {
            let mut d = Distinct::default();
            for u in 0..n {
                let user = crate::chat::hash(format!("viewer-{u}").as_bytes());
                d.insert(user);
                d.insert(user);
            }
            let e = d.estimate();
            // 32 registers: about 18 % standard error on large counts.
            let tolerance = if n <= 20 { 0.25 * n as f32 + 1.0 } else { 0.5 * n as f32 };
            assert!((e - n as f32).abs() <= tolerance, "{n} users estimated as {e}");
        }
        assert_eq!(Distinct::default().estimate(), 0.0);
        let mut huge = Distinct::default();
        for u in 0..2_000_000u64 {
            huge.insert(mix(u));
        }
        assert!(huge.estimate() > 100_000.0, "saturated registers still read as a crowd: {}", huge.estimate());
    }

    #[test]
    fn merged_seconds_count_each_user_once() {
        let (mut a, mut b) = (Distinct::default(), Distinct::default());
        for u in 0..10 {
            a.insert(mix(u));
            b.insert(mix(u));
        }
        a.merge(&b);
        assert!((a.estimate() - 10.0).abs() <= 3.5, "{}", a.estimate());
    }

    #[test]
    fn a_flooding_account_repeats_a_viewer_once_in_a_while_does_not() {
        let mut p = Posters::default();
        assert!(!p.repeat(mix(1)));
        assert!(p.repeat(mix(1)), "twice in a second");
        for _ in 0..10 {
            p.tick(0.8);
        }
        assert!(!p.repeat(mix(1)), "ten seconds later it is a fresh message");
        assert!(!p.repeat(mix(2)));
        assert!(!p.flooding(1.0), "two of three messages counted");
        for _ in 0..3 {
            p.repeat(mix(2));
        }
        assert!(p.flooding(1.0), "three repeats against two counted");
    }

    #[test]
    fn a_smaller_table_of_opening_words_works_alike_and_comes_back_whole() {
        let mut openings: Echoes<OPENING_SLOTS> = Echoes::default();
        assert!(!openings.echo(mix(7), mix(1), 10, 30));
        assert!(openings.echo(mix(7), mix(2), 11, 30), "another viewer opening alike");
        let bytes = postcard::to_allocvec(&openings).unwrap();
        let back: Echoes<OPENING_SLOTS> = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back.0.len(), OPENING_SLOTS);
        assert!(postcard::from_bytes::<Echoes>(&bytes).is_err(), "a table of another size is refused");
    }

    #[test]
    fn echoes_need_another_viewer_and_a_recent_message() {
        let mut e: Echoes = Echoes::default();
        assert!(!e.echo(mix(7), mix(1), 10, 30), "first time");
        assert!(!e.echo(mix(7), mix(1), 11, 30), "same viewer again");
        assert!(e.echo(mix(7), mix(2), 12, 30), "another viewer");
        assert!(!e.echo(mix(7), mix(3), 100, 30), "too long after");
        // The slot's clock wraps after about 18 hours; an echo across the wrap still counts.
        let wrap = u32::from(u16::MAX);
        assert!(!e.echo(mix(8), mix(1), wrap - 2, 30));
        assert!(e.echo(mix(8), mix(2), wrap + 3, 30), "five seconds later, across the wrap");
    }
}
