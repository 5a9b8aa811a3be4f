//! The domain every layer shares, and nothing else: what to watch (`Target` and its `ProbeSpec`s), what
//! was seen (`Observation` and its `Facts`), what it means (`Finding`, `Status`, `Reason`, `CheckId`),
//! alert state and events, and the history record.
//!
//! The bottom of the house: no module here does I/O, reads the clock, the environment or the terminal,
//! and nothing here imports another module of the crate. Every other layer depends downward on it.

pub mod alert;
pub mod baseline;
pub mod call;
pub mod checked;
pub mod condition;
pub mod document;
pub mod facts;
pub mod failure;
pub mod finding;
pub mod goal;
pub mod history;
pub mod human;
pub mod observation;
pub mod remedy;
pub mod secret;
pub mod silence;
pub mod spell;
pub mod stats;
pub mod status;
pub mod target;
pub mod texts;
pub mod zone;

pub use alert::*;
pub use baseline::*;
pub use call::*;
pub use condition::{BodyRegex, Condition};
pub use facts::*;
pub use failure::*;
pub use finding::*;
pub use goal::{GoalName, GoalSpec, Goals};
pub use history::*;
pub use observation::*;
pub use remedy::*;
pub use silence::{Matcher, Mute, Silence, Silenced, Window};
pub use status::*;
pub use target::*;
pub use texts::Texts;
