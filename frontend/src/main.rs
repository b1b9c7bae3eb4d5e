//! CertDirect portal: a Leptos single-page app compiled to WebAssembly (DESIGN.md §4).

mod api;
mod app;
mod browser;
mod commands;
mod components;
mod context;
mod forms;
mod i18n;
mod pages;
mod paths;
mod time;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
    browser::remove_splash();
}
