//! Moving the keyboard focus to what just appeared.

use leptos::html::Button;
use leptos::prelude::*;

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
