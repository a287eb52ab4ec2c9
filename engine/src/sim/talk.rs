//! Who chats and what they write, for the generator: regulars and lurkers, sentences and short
//! reactions, a moment's catchphrase that many repeat, and spam that a few accounts repeat.

/// Words of ordinary chat, from which sentences are drawn.
const WORDS: [&str; 48] = [
    "how", "much", "is", "this", "the", "shipping", "to", "my", "city", "do", "you", "have", "it", "in", "blue",
    "size", "please", "show", "again", "what", "about", "price", "for", "two", "can", "i", "get", "a", "discount",
    "love", "your", "shop", "just", "joined", "where", "from", "today", "color", "material", "cotton", "fits", "small",
    "large", "next", "one", "bought", "last", "week",
];

/// Short reactions people write anyway: in real chat they are diverse, so two viewers rarely
/// write the very same one by chance.
const REACTIONS: [&str; 24] = [
    "wow",
    "nice",
    "lol",
    "hi",
    "hello",
    "cute",
    "ok",
    "haha",
    "yes",
    "cool",
    "omg",
    "love it",
    "hey",
    "so pretty",
    "nice color",
    "hmm",
    "ya",
    "lmao",
    "good",
    "great",
    "wah",
    "beautiful",
    "yay",
    "hii",
];

/// What people put after a short reaction, or nothing.
const FLOURISH: [&str; 12] = ["", "", "", "!", "!!", " ❤️", " 😍", " 👍", " 😂", " ✨", " 🙏", "?"];

/// What a crowd shouts when something happens; one per moment, repeated by many.
const CATCHPHRASES: [&str; 10] =
    ["🔥🔥🔥", "OMG", "NEED IT", "SO CUTE 😍", "WOW", "take my money", "LOL", "😱😱", "YESSS", "PogChamp"];

/// What spam accounts and emote walls post over and over.
const SPAM: [&str; 4] =
    ["follow me for free gifts ✨✨", "✨✨✨✨✨✨✨✨", "check my shop link in bio", "🎁🎁🎁🎁 GIVEAWAY 🎁🎁🎁🎁"];

/// A viewer who writes: regulars (low numbers) far more often than lurkers.
pub fn chatter(rng: &mut fastrand::Rng, audience: f64) -> String {
    let u = rng.f64();
    format!("viewer-{}", (audience.max(1.0) * u * u * u) as u64)
}

/// Any viewer at all: how a crowd reacting looks (lurkers speak up too).
pub fn anyone(rng: &mut fastrand::Rng, audience: f64) -> String {
    format!("viewer-{}", rng.u64(0..audience.max(1.0) as u64 + 1))
}

/// An ordinary message: mostly sentences, some short reactions.
pub fn ordinary(rng: &mut fastrand::Rng) -> String {
    if rng.f64() < 0.3 {
        return format!("{}{}", REACTIONS[rng.usize(..REACTIONS.len())], FLOURISH[rng.usize(..FLOURISH.len())]);
    }
    let n = rng.usize(4..12);
    let mut s = String::with_capacity(n * 6);
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(WORDS[rng.usize(..WORDS.len())]);
    }
    s
}

/// A reaction to a moment: its catchphrase most of the time, else any short reaction.
pub fn reaction(rng: &mut fastrand::Rng, catchphrase: usize) -> String {
    if rng.f64() < 0.6 {
        CATCHPHRASES[catchphrase % CATCHPHRASES.len()].to_string()
    } else {
        format!("{}{}", REACTIONS[rng.usize(..REACTIONS.len())], FLOURISH[rng.usize(..FLOURISH.len())])
    }
}

/// Number of catchphrases to pick from.
pub const CATCHPHRASE_COUNT: usize = CATCHPHRASES.len();

/// What a spam account posts.
pub fn spam(which: usize) -> String {
    SPAM[which % SPAM.len()].to_string()
}
