//! Moving the keyboard focus to what just appeared.

use std::time::Duration;

use leptos::html::Button;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::browser;

/// A `node_ref` for a button that takes the keyboard focus when it appears: the "yes" of a
/// confirmation step, so keyboard and screen reader users land on the question.
pub fn focus_on_mount() -> NodeRef<Button> {
    let node = NodeRef::<Button>::new();
    Effect::new(move |_| {
        if let Some(button) = node.get() {
            let _ = button.focus();
        }
    });
    node
}

/// How often, and how many times, to look for the new page's title after a route change (pages
/// behind the login check render their title once the session is known).
const TITLE_POLL: Duration = Duration::from_millis(50);
const TITLE_TRIES: u32 = 40;

/// After every route change (not the first page load), focus the new page's `h1`.
pub fn focus_title_on_route_change() {
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.as_ref().is_some_and(|p| *p != path) {
            try_focus_title(TITLE_TRIES);
        }
        path
    });
}

fn try_focus_title(tries: u32) {
    set_timeout(
        move || {
            if !browser::focus_page_title() && tries > 1 {
                try_focus_title(tries - 1);
            }
        },
        TITLE_POLL,
    );
}
