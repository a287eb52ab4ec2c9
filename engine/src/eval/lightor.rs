//! Reads a labelled chat dataset in the layout of the Lightor experiments (`sfu-db/Lightor_Exp`):
//! `chat/<stream> <offset_ms>.csv` (tab-separated: id, channel, user, text, …, time in ms) and
//! `labels/<stream>.csv` (one highlight per line: chat peak, start and end as `mmm-ss`, counted
//! from the offset).

use std::path::{Path, PathBuf};

use crate::event::{EventKind, LiveEvent};

/// A human-labelled highlight, in ms from the stream's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label {
    /// When chat peaked, as the labeller saw it.
    pub chat_peak_ms: i64,
    /// Highlight start.
    pub start_ms: i64,
    /// Highlight end.
    pub end_ms: i64,
}

/// One stream of chat with its labels, turned into LIVE events.
#[derive(Debug, Clone)]
pub struct LabelledStream {
    /// Stream name (the file name before the offset).
    pub name: String,
    /// Epoch ms of the stream's time zero: labels count from here.
    pub origin_ms: i64,
    /// `live_start`, a `product_pin`, the comments, `live_end`.
    pub events: Vec<LiveEvent>,
    /// Highlights people marked.
    pub labels: Vec<Label>,
    /// Label lines whose start came after their end (swapped, so the range is kept).
    pub swapped_labels: usize,
}

/// Why a dataset could not be read.
#[derive(Debug)]
pub enum DatasetError {
    /// A file or folder could not be read.
    Io(PathBuf, std::io::Error),
    /// A file is not in the expected layout; the message says where.
    Format(String),
}

impl std::fmt::Display for DatasetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatasetError::Io(path, e) => write!(f, "{}: {e}", path.display()),
            DatasetError::Format(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for DatasetError {}

/// Epoch ms the converted streams start at (any positive time works; this one reads well).
const ORIGIN_MS: i64 = 1_700_000_000_000;

fn read(path: &Path) -> Result<String, DatasetError> {
    let bytes = std::fs::read(path).map_err(|e| DatasetError::Io(path.to_path_buf(), e))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn mmss(s: &str, file: &str) -> Result<i64, DatasetError> {
    let bad = || DatasetError::Format(format!("{file}: {s:?} is not mmm-ss"));
    let (m, sec) = s.split_once('-').ok_or_else(bad)?;
    let (m, sec): (i64, i64) = (m.parse().map_err(|_| bad())?, sec.parse().map_err(|_| bad())?);
    Ok((m * 60 + sec) * 1000)
}

fn labels(path: &Path) -> Result<(Vec<Label>, usize), DatasetError> {
    let file = path.display().to_string();
    let mut out = Vec::new();
    let mut swapped = 0;
    for line in read(path)?.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        let [peak, a, b] = fields[..] else {
            return Err(DatasetError::Format(format!("{file}: label line {line:?} does not hold three times")));
        };
        let (a, b) = (mmss(a, &file)?, mmss(b, &file)?);
        swapped += usize::from(a > b);
        out.push(Label { chat_peak_ms: mmss(peak, &file)?, start_ms: a.min(b), end_ms: a.max(b) });
    }
    Ok((out, swapped))
}

/// Reads every stream of `dir` that has both chat and labels, sorted by name.
pub fn load(dir: &Path) -> Result<Vec<LabelledStream>, DatasetError> {
    let chat_dir = dir.join("chat");
    let entries = std::fs::read_dir(&chat_dir).map_err(|e| DatasetError::Io(chat_dir.clone(), e))?;
    let mut streams = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| DatasetError::Io(chat_dir.clone(), e))?.path();
        let Some(stem) =
            path.file_stem().and_then(|s| s.to_str()).filter(|_| path.extension().is_some_and(|e| e == "csv"))
        else {
            continue;
        };
        let Some((name, offset)) = stem.rsplit_once(' ').and_then(|(n, o)| Some((n, o.parse::<i64>().ok()?))) else {
            return Err(DatasetError::Format(format!(
                "{}: the name is not \"<stream> <offset_ms>.csv\"",
                path.display()
            )));
        };
        let label_path = dir.join("labels").join(format!("{name}.csv"));
        if !label_path.exists() {
            continue;
        }
        let (labels, swapped_labels) = labels(&label_path)?;
        let live_id = format!("lightor-{name}");
        let event = |ts_ms: i64, kind: EventKind| LiveEvent { ts_ms, live_id: live_id.clone(), kind };
        let mut comments = Vec::new();
        for line in read(&path)?.lines() {
            let fields: Vec<&str> = line.split('\t').collect();
            let (Some(user), Some(ts)) = (fields.get(2), fields.last().and_then(|t| t.trim().parse::<i64>().ok()))
            else {
                continue;
            };
            if fields.len() < 5 || ts < offset {
                continue;
            }
            let text = fields[3..fields.len() - 2].join("\t");
            comments.push(event(ORIGIN_MS + ts - offset, EventKind::Comment { user: user.to_string(), text }));
        }
        if comments.is_empty() {
            return Err(DatasetError::Format(format!("{}: no chat lines", path.display())));
        }
        // Chat files are mostly but not always in time order; a recording arrives in order.
        comments.sort_by_key(|e| e.ts_ms);
        let last = comments.last().map_or(ORIGIN_MS, |e| e.ts_ms);
        let mut events = vec![
            event(ORIGIN_MS, EventKind::LiveStart { title: Some(name.to_string()) }),
            event(ORIGIN_MS, EventKind::ProductPin { product_id: "sku-stream".into(), name: None }),
        ];
        events.extend(comments);
        events.push(event(last + 1_000, EventKind::LiveEnd));
        streams.push(LabelledStream { name: name.to_string(), origin_ms: ORIGIN_MS, events, labels, swapped_labels });
    }
    if streams.is_empty() {
        return Err(DatasetError::Format(format!(
            "{}: no stream with both chat/<name> <offset>.csv and labels/<name>.csv",
            dir.display()
        )));
    }
    streams.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(streams)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_layout_and_converts_chat_to_comments() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("chat")).unwrap();
        std::fs::create_dir_all(dir.path().join("labels")).unwrap();
        std::fs::write(
            dir.path().join("chat/s1 5000.csv"),
            "1\ts1\tann\tPogChamp\t0\t6000\n2\ts1\tbob\twhat\ta tab\t0\t9000\n3\ts1\tcid\tearly\t0\t1000\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("labels/s1.csv"), "000-30 000-10 000-20\n001-00 000-50 000-40\n").unwrap();
        std::fs::write(dir.path().join("chat/unlabelled 0.csv"), "1\tx\tu\thi\t0\t1\n").unwrap();
        let streams = load(dir.path()).unwrap();
        assert_eq!(streams.len(), 1, "streams without labels are skipped");
        let s = &streams[0];
        assert_eq!(s.labels[0], Label { chat_peak_ms: 30_000, start_ms: 10_000, end_ms: 20_000 });
        assert_eq!((s.labels[1].start_ms, s.labels[1].end_ms, s.swapped_labels), (40_000, 50_000, 1));
        let comments: Vec<_> = s.events.iter().filter(|e| matches!(e.kind, EventKind::Comment { .. })).collect();
        assert_eq!(comments.len(), 2, "chat before the offset is not part of the stream");
        assert_eq!(comments[0].ts_ms - s.origin_ms, 1_000);
        assert_eq!(comments[1].kind, EventKind::Comment { user: "bob".into(), text: "what\ta tab".into() });
        assert!(matches!(s.events.last().unwrap().kind, EventKind::LiveEnd));
    }

    #[test]
    fn a_missing_or_foreign_folder_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(load(dir.path()), Err(DatasetError::Io(..))));
        std::fs::create_dir_all(dir.path().join("chat")).unwrap();
        std::fs::write(dir.path().join("chat/nooffset.csv"), "x").unwrap();
        assert!(load(dir.path()).unwrap_err().to_string().contains("offset"));
    }
}
