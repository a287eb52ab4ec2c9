//! What the engine learns per seller: their auto-post bar from what they do with their
//! highlights, and their clips' format from what their viewers do; and the simulated population
//! they are proved on.

pub mod bar;
pub mod format;
pub mod population;
pub mod tuning;

pub use bar::{BarLearning, Feedback, SellerBar};
pub use format::{Earned, FormatChoice, FormatLearning};
pub use tuning::Learning;
