//! Real media: recordings in, shoppable MP4s out. Segments are kept in a [`MediaStore`]; a
//! [`RenderWorker`] moves each queued highlight's edges to natural breaks, then cuts and formats
//! it with ffmpeg; storyboards (grids of frames) come with each video and each segment; a
//! [`SpeechWorker`] turns each segment's sound into words, the captions of LIVEs without any; a
//! [`Cleaner`] deletes what nothing points at any more.

pub mod breaks;
pub mod cleanup;
pub mod ffmpeg;
pub mod intake;
pub mod music;
mod queue;
pub mod render;
pub mod s3;
pub mod snap;
pub mod speech;
pub mod store;
pub mod storyboard;
pub mod test_pattern;
pub mod transcriber;
pub mod worker;

pub use cleanup::{Cleaner, Retention, Swept};
pub use ffmpeg::{Container, Ffmpeg, FfmpegError, Probe};
pub use s3::{S3Config, S3MediaStore};
pub use speech::{PocketSphinx, Recognizer};
pub use store::{LocalMediaStore, MediaError, MediaReader, MediaStore};
pub use transcriber::SpeechWorker;
pub use worker::RenderWorker;
