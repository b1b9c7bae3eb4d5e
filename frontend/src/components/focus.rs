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

/// How long to wait at most for a route's code (a lazily loaded chunk) before giving up on
/// focusing its title.
const ROUTING_TRIES: u32 = 600;

/// After every route change (not the first page load), focus the new page's `h1`. While the
/// router is still loading the new page (`is_routing`, a lazily loaded chunk) the old page is
/// on screen: wait for the new one rather than focusing the old title.
pub fn focus_title_on_route_change(is_routing: ReadSignal<bool>) {
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.as_ref().is_some_and(|p| *p != path) {
            try_focus_title(TITLE_TRIES, ROUTING_TRIES, is_routing);
        }
        path
    });
}

fn try_focus_title(tries: u32, routing_tries: u32, is_routing: ReadSignal<bool>) {
    set_timeout(
        move || {
            if is_routing.get_untracked() {
                if routing_tries > 1 {
                    try_focus_title(tries, routing_tries - 1, is_routing);
                }
            } else if !browser::focus_page_title() && tries > 1 {
                try_focus_title(tries - 1, routing_tries, is_routing);
            }
        },
        TITLE_POLL,
    );
}
