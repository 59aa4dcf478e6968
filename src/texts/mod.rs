//! Every text people see, one module per screen (or part of the app), each
//! declared with [`crate::text::texts!`]: Indonesian, then English. See
//! `src/text.rs` for how components use them.

pub(crate) mod app;
pub(crate) mod common;
pub(crate) mod export;
pub(crate) mod form;
pub(crate) mod home;
pub(crate) mod record;
pub(crate) mod region_picker;
pub(crate) mod settings;
pub(crate) mod sync;
pub(crate) mod village;
