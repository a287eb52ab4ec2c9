//! The detectors an engine holds, found by LIVE id.
//!
//! Every event looks its LIVE up, and with thousands of LIVEs each lookup is a few cache misses:
//! a `String`-keyed map compares the event's id with a key on its own heap block, then follows a
//! second pointer to the detector. Here the table holds only the id's hash and one pointer, and
//! the id itself sits inline next to its detector, so the comparison reads memory the detector
//! needs anyway. Different ids with the same hash chain, so lookups stay exact. The hash is fast
//! and unkeyed: LIVE ids come from the ingestion service, not from viewers.

use std::hash::BuildHasher;

use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::detector::Detector;

/// Bytes of an id kept inline; platform ids (UUIDs and the like) are well within it.
const INLINE: usize = 62;

/// A LIVE id, inline when short enough.
#[derive(Debug, Clone)]
enum Id {
    Inline(u8, [u8; INLINE]),
    Heap(Box<str>),
}

impl Id {
    fn new(id: &str) -> Self {
        let b = id.as_bytes();
        if b.len() <= INLINE {
            let mut buf = [0; INLINE];
            buf[..b.len()].copy_from_slice(b);
            Id::Inline(b.len() as u8, buf)
        } else {
            Id::Heap(id.into())
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Id::Inline(len, buf) => &buf[..usize::from(*len)],
            Id::Heap(s) => s.as_bytes(),
        }
    }

    fn is(&self, id: &str) -> bool {
        self.bytes() == id.as_bytes()
    }

    fn as_str(&self) -> &str {
        // Built from a `str`, so always valid UTF-8.
        std::str::from_utf8(self.bytes()).unwrap_or_default()
    }

    fn heap_bytes(&self) -> usize {
        match self {
            Id::Inline(..) => 0,
            Id::Heap(s) => s.len(),
        }
    }
}

/// One LIVE: its id, its detector, and the next LIVE whose id has the same hash.
#[derive(Debug, Clone)]
struct Tracked {
    id: Id,
    detector: Detector,
    next: Option<Box<Tracked>>,
}

impl Tracked {
    fn new(id: &str) -> Box<Self> {
        Box::new(Tracked { id: Id::new(id), detector: Detector::default(), next: None })
    }

    fn get_or_insert(&mut self, id: &str, added: &mut bool) -> &mut Detector {
        if self.id.is(id) {
            return &mut self.detector;
        }
        let next = self.next.get_or_insert_with(|| {
            *added = true;
            Tracked::new(id)
        });
        next.get_or_insert(id, added)
    }

    /// This LIVE and those chained behind it.
    fn chain(&self) -> impl Iterator<Item = &Tracked> {
        std::iter::successors(Some(self), |t| t.next.as_deref())
    }
}

/// Detectors by LIVE id.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lives {
    table: FxHashMap<u64, Box<Tracked>>,
    len: usize,
}

/// The table's hash of a LIVE id.
pub(crate) fn hash(id: &str) -> u64 {
    FxBuildHasher.hash_one(id)
}

impl Lives {
    /// The LIVE's detector, made fresh on its first event.
    pub fn get_or_insert(&mut self, id: &str) -> &mut Detector {
        self.get_or_insert_hashed(hash(id), id)
    }

    /// [`Lives::get_or_insert`] with the id's [`hash`] already taken.
    pub fn get_or_insert_hashed(&mut self, h: u64, id: &str) -> &mut Detector {
        let mut added = false;
        let head = self.table.entry(h).or_insert_with(|| {
            added = true;
            Tracked::new(id)
        });
        let d = head.get_or_insert(id, &mut added);
        self.len += usize::from(added);
        d
    }

    /// The LIVE's detector, if held.
    pub fn get(&self, id: &str) -> Option<&Detector> {
        self.table.get(&hash(id))?.chain().find(|t| t.id.is(id)).map(|t| &t.detector)
    }

    /// Asks for the memory of the LIVE held under hash `h` (the first of its chain), soon needed.
    pub fn prefetch(&self, h: u64) {
        if let Some(t) = self.table.get(&h) {
            crate::prefetch::prefetch::<Tracked>(t);
        }
    }

    /// Holds `detector` for the LIVE, replacing what was held.
    pub fn insert(&mut self, id: &str, detector: Detector) {
        *self.get_or_insert(id) = detector;
    }

    /// Drops the LIVE's detector.
    pub fn remove(&mut self, id: &str) {
        let h = hash(id);
        let Some(head) = self.table.remove(&h) else { return };
        let (mut rest, mut kept) = (Some(head), None);
        while let Some(mut t) = rest {
            rest = t.next.take();
            if t.id.is(id) {
                self.len -= 1;
            } else {
                t.next = kept;
                kept = Some(t);
            }
        }
        if let Some(kept) = kept {
            self.table.insert(h, kept);
        }
    }

    /// LIVEs held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Every LIVE with its detector.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Detector)> {
        self.table.values().flat_map(|head| head.chain()).map(|t| (t.id.as_str(), &t.detector))
    }

    /// Every LIVE with its detector, to change.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut Detector)> {
        self.table.values_mut().flat_map(|head| ChainMut(Some(head.as_mut())))
    }

    /// Bytes held, table and detectors.
    pub fn bytes(&self) -> usize {
        let table = self.table.capacity() * (std::mem::size_of::<(u64, Box<Tracked>)>() + 1);
        let around = std::mem::size_of::<Tracked>() - std::mem::size_of::<Detector>();
        let lives: usize = self
            .table
            .values()
            .flat_map(|head| head.chain())
            .map(|t| around + t.id.heap_bytes() + t.detector.bytes())
            .sum();
        table + lives
    }
}

/// Walks one hash chain, handing out each detector to change.
struct ChainMut<'a>(Option<&'a mut Tracked>);

impl<'a> Iterator for ChainMut<'a> {
    type Item = (&'a str, &'a mut Detector);

    fn next(&mut self) -> Option<Self::Item> {
        let Tracked { id, detector, next } = self.0.take()?;
        self.0 = next.as_deref_mut();
        Some((id.as_str(), detector))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_found_exactly_short_long_and_sharing_a_hash() {
        let mut lives = Lives::default();
        let long = "x".repeat(200);
        for id in ["a", "live-1", long.as_str(), ""] {
            lives.get_or_insert(id);
        }
        lives.get_or_insert("live-1");
        assert_eq!(lives.len(), 4);
        assert!(lives.get(&long).is_some() && lives.get("live-2").is_none());
        // Force a chain: two ids under one head, found, listed and removed one by one.
        let head = lives.table.remove(&hash("a")).unwrap();
        let mut other = Tracked::new("b");
        other.next = Some(head);
        lives.table.insert(hash("a"), other);
        lives.len += 1;
        let mut ids: Vec<&str> = lives.iter().map(|(id, _)| id).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["", "a", "b", "live-1", long.as_str()]);
        assert_eq!(lives.iter_mut().count(), 5);
        assert!(lives.get("a").is_some(), "found behind another id of the same hash");
        lives.get_or_insert("a");
        assert_eq!(lives.len(), 5, "and not added twice");
        lives.remove("a");
        assert_eq!(lives.len(), 4);
        assert!(lives.iter().any(|(id, _)| id == "b") && lives.iter().all(|(id, _)| id != "a"));
        for id in ["", "live-1", &long] {
            lives.remove(id);
        }
        assert_eq!((lives.len(), lives.table.len()), (1, 1), "only the chained id is left");
    }
}
