//! One component per screen. Screens read the shared [`Ctx`](crate::state::Ctx)
//! and call its actions; rules and numbers come from the core.

mod export;
mod first_run;
mod home;
mod record;
mod register;
mod settings;
mod village;

pub use export::ExportScreen;
pub use home::HomeScreen;
pub use record::RecordScreen;
pub use register::RegisterScreen;
pub use settings::SettingsScreen;
pub use village::VillageScreen;

use leptos::prelude::*;
use lindung_core::roster::Status;
use lindung_core::Lang;

/// "Didanai", "Daftar tunggu #3", "Aparatur desa".
fn status_badge(status: Status, lang: Lang) -> impl IntoView {
    let class = match status {
        Status::Funded => "badge funded",
        Status::Waitlisted { .. } => "badge waitlisted",
        Status::Apparatus => "badge apparatus",
    };
    view! { <span class=class data-status=status.code()>{status.label(lang)}</span> }
}
