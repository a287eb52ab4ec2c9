//! The server-side setting of whether and how the server learns from each seller, kept apart from
//! the learners so the engine's settings can hold it without importing the simulation.

use serde::{Deserialize, Serialize};

use super::bar::BarLearning;
use super::format::FormatLearning;

/// Whether and how the server learns from the sellers of the experiment's learning arm (the
/// control arm keeps the settings' bar and the hash's format either way): a server-side setting.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Learning {
    /// The learning arm's sellers get an auto-post bar learned from what they do (off: the
    /// settings' bar for everyone).
    pub bar_on: bool,
    /// The learning arm's sellers get formats chosen by what their viewers do (off: the
    /// experiment's hash for everyone).
    pub formats_on: bool,
    /// How the bar learns.
    pub bar: BarLearning,
    /// How formats are chosen.
    pub formats: FormatLearning,
}

impl Default for Learning {
    fn default() -> Self {
        Self { bar_on: true, formats_on: true, bar: BarLearning::default(), formats: FormatLearning::default() }
    }
}

impl Learning {
    /// Why these settings cannot be used, if they cannot.
    pub fn validate(&self) -> Result<(), String> {
        self.bar.validate()?;
        if !self.formats.prior_views.is_finite() || self.formats.prior_views <= 0.0 {
            return Err("formats.prior_views must be positive".into());
        }
        Ok(())
    }
}
