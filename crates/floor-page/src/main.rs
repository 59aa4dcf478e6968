//! A bare Leptos page: one heading and one line of text, mounted the way the
//! app mounts (`mount_to_body`). Only a floor to measure the app against.

use leptos::prelude::*;

fn main() {
    leptos::mount::mount_to_body(|| {
        view! {
            <main>
                <h1>"Lindung"</h1>
                <p>"Pendaftaran pekerja rentan desa."</p>
            </main>
        }
    });
}
