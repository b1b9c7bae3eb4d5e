//! The operator console's gate: its pages show only to operators; anyone else is told so.

use leptos::prelude::*;

use crate::components::require_login::RequireLogin;
use crate::context::{use_i18n, use_session};
use crate::i18n::Key;

/// Operators only: anyone else is told so.
#[component]
pub fn OperatorGate(children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let operator = Memo::new(move |_| session.is_operator());
    view! {
        <RequireLogin>
            {
                let children = children.clone();
                move || if operator.get() {
                    children().into_any()
                } else {
                    view! {
                        <section class="container page">
                            <div class="notice notice-error" role="alert" data-testid="operator-only">
                                <span class="notice-icon" aria-hidden="true"></span>
                                <p>{move || i18n.t(Key::OperatorOnly)}</p>
                            </div>
                        </section>
                    }.into_any()
                }
            }
        </RequireLogin>
    }
}
