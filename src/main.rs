//! Entry point of the web app: mounts [`lindung::App`] in place of the loading
//! shell of `index.html`.

fn main() {
    console_error_panic_hook::set_once();
    lindung::register_service_worker();
    // Mounting is a task of its own, after the one that instantiated the module:
    // two shorter tasks instead of one long one on a slow phone's start-up.
    leptos::prelude::set_timeout(
        || {
            lindung::remove_loading_shell();
            leptos::mount::mount_to_body(lindung::App);
        },
        std::time::Duration::ZERO,
    );
}
