//! Lindung's web app (Leptos, client-side rendered). Components render and
//! dispatch; every rule they show comes from `lindung-core`.

// Lets shared test files name this crate `lindung` from inside it too.
extern crate self as lindung;

mod app;
mod check_form;
mod platform;
pub mod store;

pub use app::App;
pub use check_form::CheckForm;
pub use platform::today;
