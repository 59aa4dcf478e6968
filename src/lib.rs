//! Lindung's web app (Leptos, client-side rendered). Components render and
//! dispatch; every rule they show comes from `lindung-core`.

mod app;
mod check_form;
mod platform;

pub use app::App;
pub use check_form::CheckForm;
pub use platform::today;
