//! Entry point of the web app: mounts [`lindung::App`] and nothing else.

fn main() {
    console_error_panic_hook::set_once();
    lindung::register_service_worker();
    leptos::mount::mount_to_body(lindung::App);
}
