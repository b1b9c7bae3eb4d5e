//! What each remote validation perspective saw of a challenge (R-VAL-7), for the customer's
//! order view and the operator's validations list.

use leptos::prelude::*;
use shared::dto::PerspectiveInfo;

use crate::context::use_i18n;
use crate::i18n::Key;

/// What each remote validation perspective saw (R-VAL-7).
#[component]
pub fn PerspectivesView(perspectives: Vec<PerspectiveInfo>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <details class="perspectives" data-testid="order-perspectives">
            <summary>{move || i18n.t(Key::PerspectivesTitle)}</summary>
            <p class="small muted">{move || i18n.t(Key::PerspectiveHelp)}</p>
            <ul>
                {perspectives.into_iter().map(|p| {
                    let agreed = p.corroborated;
                    view! {
                        <li data-testid="order-perspective" data-perspective=p.perspective.clone() data-agreed=agreed.to_string()>
                            <span class="mono">{format!("{}@{}", p.perspective, p.region)}</span> " "
                            <span class=if agreed { "badge badge-ok" } else { "badge badge-off" }>
                                {move || i18n.t(if agreed { Key::PerspectiveAgreed } else { Key::PerspectiveDisagreed })}
                            </span>
                            {p.error_detail.map(|d| view! { " " <code class="mono small">{d}</code> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </details>
    }
}
