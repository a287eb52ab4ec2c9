//! What a chat message says about the moment, beyond its being there: who wrote it, whether it is
//! a short reaction (a few words, emotes, emoji), a question, an exclamation or a long sentence,
//! and whether it echoes (or opens like) what others just wrote.

use crate::settings::EngineSettings;

/// A 64-bit hash of bytes: FNV-1a with a final avalanche, stable across runs and platforms so that
/// a rebuilt detector finds the same moments.
pub fn hash(bytes: &[u8]) -> u64 {
    let mut h = Fnv::default();
    for b in bytes {
        h.byte(*b);
    }
    mix(h.0)
}

/// Spreads the bits of `h` (murmur3's finaliser), so that low and high bits are both usable.
pub fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// What the engine keeps of one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message {
    /// Hash of the text as people repeat it (case, spacing and repeated words ignored); `None`
    /// for a message without words, which echoes nothing.
    pub echo_key: Option<u64>,
    /// Hash of the first word as people repeat it (case ignored): messages opening alike ("LUL
    /// what a play", "LUL") are the same reaction worded differently. `None` without words.
    pub opening_key: Option<u64>,
    /// A short reaction rather than a sentence.
    pub reaction: bool,
    /// Ends in a question mark ("what?", "???"): viewers puzzled by what they just saw.
    pub question: bool,
    /// Ends in an exclamation mark: excitement. Chat commands (`!uptime`) start with one instead,
    /// so the last character is what counts.
    pub exclamation: bool,
    /// At least `long_min_words` words: someone took the time to write, which a crowd reacting
    /// rarely does.
    pub long: bool,
}

/// Characters of the normalised text that identify it.
const KEY_CHARS: usize = 64;

impl Message {
    /// Reads one message's text; what counts as a short reaction comes from `s`.
    pub fn read(s: &EngineSettings, text: &str) -> Self {
        let mut words = 0usize;
        let mut emotes = 0usize;
        // The key is hashed as it is built (FNV-1a is byte by byte), so no buffer is filled.
        let mut key = Fnv::default();
        let mut chars = 0usize;
        let mut previous: Option<&str> = None;
        let mut opening = None;
        for word in text.split_whitespace() {
            if words == 1 {
                // The first word is complete: the key so far is its hash.
                opening = Some(key);
            }
            words += 1;
            emotes += usize::from(is_emote(word));
            // "LUL LUL LUL" echoes "LUL": a repeated word adds nothing to what is said.
            if previous.is_some_and(|p| p.eq_ignore_ascii_case(word)) {
                continue;
            }
            previous = Some(word);
            let separator = (chars > 0).then_some(' ');
            for c in separator.into_iter().chain(word.chars()) {
                if chars == KEY_CHARS {
                    break;
                }
                // Most chat is ASCII: lowercase it without the general Unicode mapping.
                if c.is_ascii() {
                    key.byte(c.to_ascii_lowercase() as u8);
                } else {
                    for lower in c.to_lowercase() {
                        let mut buf = [0u8; 4];
                        for b in lower.encode_utf8(&mut buf).bytes() {
                            key.byte(b);
                        }
                    }
                }
                chars += 1;
            }
        }
        let reaction = words > 0
            && ((words <= s.reaction_max_words as usize && text.chars().count() <= s.reaction_max_chars as usize)
                || emotes * 2 >= words);
        let last = text.trim_end().chars().next_back();
        Message {
            echo_key: (words > 0).then(|| mix(key.0)),
            // Seeded apart from the echo key, so "LUL" opens like "LUL LUL" yet keys differ.
            opening_key: (words > 0).then(|| mix(opening.unwrap_or(key).0 ^ 0x5bd1_e995)),
            reaction,
            question: last == Some('?'),
            exclamation: last == Some('!'),
            long: words >= s.long_min_words as usize,
        }
    }
}

/// FNV-1a, fed one byte at a time; [`hash`] is this over a whole slice, then [`mix`].
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn byte(&mut self, b: u8) {
        self.0 ^= u64::from(b);
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
    }
}

/// Whether a word is an emote or emoji rather than a word: a pictograph, or a platform emote
/// spelled as one token with inner capitals (`PogChamp`, `monkaS`), all capitals (`LUL`) or
/// letters mixed with digits (`4Head`).
pub fn is_emote(word: &str) -> bool {
    let mut letters = 0usize;
    let (mut upper_inside, mut lower, mut digits, mut all_upper) = (false, false, false, true);
    for (i, c) in word.chars().enumerate() {
        if !c.is_alphanumeric() && u32::from(c) >= 0x2000 && !c.is_whitespace() {
            return true;
        }
        if c.is_alphabetic() {
            letters += 1;
            if c.is_uppercase() {
                upper_inside |= i > 0;
            } else {
                lower = true;
                all_upper = false;
            }
        } else if c.is_ascii_digit() {
            digits = true;
        }
    }
    (upper_inside && lower) || (all_upper && letters >= 3) || (digits && letters >= 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emotes_and_emoji_are_recognised_words_are_not() {
        for e in ["PogChamp", "monkaS", "LUL", "4Head", "OMEGALUL", "😍", "🔥🔥", "haHAA"] {
            assert!(is_emote(e), "{e}");
        }
        for w in ["hello", "Hello", "ok", "1", "i", "wow", "it's", "A"] {
            assert!(!is_emote(w), "{w}");
        }
    }

    #[test]
    fn reactions_are_short_or_mostly_emotes() {
        assert!(Message::read(&EngineSettings::default(), "LUL").reaction);
        assert!(Message::read(&EngineSettings::default(), "wow so cute").reaction);
        assert!(Message::read(&EngineSettings::default(), "PogChamp PogChamp what a play PogChamp 4Head").reaction);
        assert!(
            !Message::read(&EngineSettings::default(), "how much is shipping to Jakarta for two of them?").reaction
        );
        assert!(!Message::read(&EngineSettings::default(), "   ").reaction);
        assert_eq!(Message::read(&EngineSettings::default(), "").echo_key, None, "an empty message echoes nothing");
        // What counts as short is the admin's setting, not a constant.
        let one_word = EngineSettings { reaction_max_words: 1, ..Default::default() };
        assert!(!Message::read(&one_word, "wow so cute").reaction);
        assert!(Message::read(&one_word, "wow").reaction);
    }

    #[test]
    fn echoes_ignore_case_spacing_and_repeated_words() {
        let k = |t: &str| Message::read(&EngineSettings::default(), t).echo_key.unwrap();
        assert_eq!(k("KYLE LUL"), k("kyle   lul"));
        assert_eq!(k("LUL LUL LUL"), k("LUL"));
        assert_ne!(k("KYLE LUL"), k("KY LUL"));
        assert_eq!(k(&"é".repeat(500)), k(&"É".repeat(499)), "long texts are cut, multibyte safe");
    }

    #[test]
    fn questions_exclamations_and_long_messages_are_told_apart() {
        let s = EngineSettings::default();
        let m = |t: &str| Message::read(&s, t);
        assert!(m("what just happened?").question && m("??? ").question && !m("what? LUL").question);
        assert!(m("WHAT A PLAY!!").exclamation && !m("!uptime").exclamation && !m("nice").exclamation);
        assert!(!m("nice?").exclamation && !m("nice!").question);
        assert!(m("i really do not think that was the right call there honestly").long);
        assert!(!m("PogChamp what a play").long);
        let short = EngineSettings { long_min_words: 3, ..Default::default() };
        assert!(Message::read(&short, "what a play").long, "what counts as long is the admin's setting");
        assert_eq!(m("").opening_key, None);
    }

    #[test]
    fn messages_open_alike_by_their_first_word_whatever_follows() {
        let k = |t: &str| Message::read(&EngineSettings::default(), t).opening_key.unwrap();
        assert_eq!(k("LUL what a play"), k("lul"));
        assert_eq!(k("LUL"), k("LUL LUL LUL"));
        assert_eq!(k("  rip   the tower"), k("RIP"));
        assert_ne!(k("LUL what a play"), k("what a play"));
        assert_ne!(k("rip"), Message::read(&EngineSettings::default(), "rip").echo_key.unwrap(), "keys of their own");
    }

    #[test]
    fn hashes_are_stable() {
        assert_eq!(hash(b"live-1"), hash(b"live-1"));
        assert_ne!(hash(b"live-1"), hash(b"live-2"));
        assert_eq!(hash(b""), mix(0xcbf2_9ce4_8422_2325));
    }
}
