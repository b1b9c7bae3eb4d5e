//! The operator console's section on the mail outbox: emails that keep failing (not sent after 3
//! attempts) with their last error, and "retry now" (docs/decisions.md, "Mail outbox").

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::notice::{ErrorNotice, Loading};
use crate::context::{use_i18n, use_session};
use crate::i18n::{error_message, Key};
use crate::time::format_jst;

#[component]
pub fn FailingMail() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let reload = RwSignal::new(0u32);
    let note = RwSignal::new(None::<String>);
    let list = LocalResource::new(move || {
        reload.get();
        async move {
            let result = api::operator_failing_mail().await;
            if let Err(e) = &result {
                session.forget_if_logged_out(e);
            }
            result
        }
    });
    let retry = move |id: i64| {
        spawn_local(async move {
            match api::operator_retry_mail(id).await {
                Ok(_) => note.set(Some(i18n.t(Key::OperatorMailRetried).to_owned())),
                Err(e) => note.set(Some(error_message(i18n.locale(), &e))),
            }
            reload.update(|n| *n += 1);
        });
    };
    view! {
        <section class="container page" data-testid="failing-mail">
            <h2>{move || i18n.t(Key::OperatorMailTitle)}</h2>
            <p class="lead">{move || i18n.t(Key::OperatorMailLead)}</p>
            {move || note.get().map(|n| view! { <p class="muted" data-testid="failing-mail-note">{n}</p> })}
            {move || match list.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="failing-mail-error"/>
                }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! {
                    <p class="muted" data-testid="failing-mail-empty">{move || i18n.t(Key::OperatorMailEmpty)}</p>
                }.into_any(),
                Some(Ok(rows)) => view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="failing-mail-table">
                            <thead><tr>
                                <th>{move || i18n.t(Key::ColCreated)}</th>
                                <th>{move || i18n.t(Key::ColRecipient)}</th>
                                <th>{move || i18n.t(Key::ColSubject)}</th>
                                <th>{move || i18n.t(Key::ColAttempts)}</th>
                                <th>{move || i18n.t(Key::ColLastError)}</th>
                                <th></th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|m| {
                                    let created = m.created_at.clone();
                                    let id = m.id;
                                    view! {
                                        <tr data-testid="failing-mail-row">
                                            <td>{move || format_jst(i18n.locale(), &created)}</td>
                                            <td class="mono">{m.to.clone()}</td>
                                            <td>{m.subject.clone()}</td>
                                            <td>{m.attempts}</td>
                                            <td><code class="mono small">{m.last_error.clone().unwrap_or_default()}</code></td>
                                            <td>
                                                <button type="button" class="btn btn-secondary btn-sm" data-testid="failing-mail-retry"
                                                    on:click=move |_| retry(id)>
                                                    {move || i18n.t(Key::OperatorMailRetry)}
                                                </button>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}
