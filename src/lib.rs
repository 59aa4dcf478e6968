//! Lindung's web app (Leptos, client-side rendered). Components render and
//! dispatch; every rule they show comes from `lindung-core`.

// Lets shared test files name this crate `lindung` from inside it too.
extern crate self as lindung;

mod app;
mod backend;
mod check_form;
pub mod device;
mod lazy;
mod net;
mod offline;
mod platform;
mod qr;
pub mod region_picker;
mod route;
mod screens;
mod state;
pub mod store;
mod sync;
mod text;
mod texts;

pub use app::App;
pub use backend::AppStore;
pub use check_form::CheckForm;
pub use offline::{register_service_worker, UpdateBanner};
pub use platform::{remove_loading_shell, today};
pub use region_picker::{PickedVillage, RegionPicker};
