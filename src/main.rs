//! Entry point of the web app: mounts [`lindung::App`] in place of the loading
//! shell of `index.html`.

fn main() {
    console_error_panic_hook::set_once();
    lindung::register_service_worker();
    lindung::remove_loading_shell();
    leptos::mount::mount_to_body(lindung::App);
}
