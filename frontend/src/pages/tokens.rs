//! `/mypage/tokens`: API tokens for the REST API (R-CUS-3): created with a name and scopes,
//! shown once, listed by prefix, revoked.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::dto::{CreateTokenRequest, CreatedToken, Scope, TokenInfo};
use shared::validate::check_token_request;

use crate::api;
use crate::browser;
use crate::components::field::{error_for, TextField};
use crate::components::notice::{ErrorNotice, Loading, SuccessNotice};
use crate::components::require_login::RequireLogin;
use crate::context::{reloading, use_i18n, use_session, use_title};
use crate::forms::{general_error, shown_errors};
use crate::i18n::{error_message, tr, trf, Key};
use crate::time::format_jst;

/// The request for the form's name and scope check boxes.
pub fn token_request(name: &str, read: bool, write: bool, acme: bool) -> CreateTokenRequest {
    let scopes = [
        (read, Scope::Read),
        (write, Scope::Write),
        (acme, Scope::Acme),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, scope)| scope.as_str().to_owned())
    .collect();
    CreateTokenRequest {
        name: name.trim().to_owned(),
        scopes,
    }
}

/// `read, write`.
pub fn scope_list(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
pub fn TokensPage() -> impl IntoView {
    use_title(Key::TokensTitle);
    view! {
        <RequireLogin>
            <TokensContent/>
        </RequireLogin>
    }
}

#[component]
fn TokensContent() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();

    // The list, fetched again whenever `version` moves (after a create or a revoke).
    let version = RwSignal::new(0u32);
    let tokens = reloading(session, version, api::list_tokens);

    // Creating
    let name = RwSignal::new(String::new());
    let read = RwSignal::new(true);
    let write = RwSignal::new(false);
    let acme = RwSignal::new(false);
    let attempted = RwSignal::new(false);
    let dismissed = RwSignal::new(false);
    let copy_state = RwSignal::new(None::<bool>);
    let create = Action::new_local(move |req: &CreateTokenRequest| {
        let req = req.clone();
        async move {
            let result = api::create_token(&req).await;
            match &result {
                Ok(_) => {
                    version.update(|v| *v += 1);
                    name.set(String::new());
                    attempted.set(false);
                }
                Err(e) => session.forget_if_logged_out(e),
            }
            result
        }
    });
    let last = create.value();
    let pending = create.pending();
    let errors = Signal::derive(move || {
        let (client, _) = check_token_request(&token_request(
            &name.get(),
            read.get(),
            write.get(),
            acme.get(),
        ));
        last.with(|last| shown_errors(attempted.get(), client, pending.get(), last.as_ref()))
    });
    let scopes_error = error_for(i18n, errors, "scopes");
    let general = Signal::derive(move || {
        let locale = i18n.locale();
        last.with(|last| {
            general_error(pending.get(), last.as_ref()).map(|e| error_message(locale, e))
        })
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        let req = token_request(
            &name.get_untracked(),
            read.get_untracked(),
            write.get_untracked(),
            acme.get_untracked(),
        );
        if check_token_request(&req).0.is_empty() {
            dismissed.set(false);
            copy_state.set(None);
            create.dispatch(req);
        }
    };
    let created = move || {
        if dismissed.get() {
            return None;
        }
        last.with(|last| match last {
            Some(Ok(token)) => Some(token.clone()),
            _ => None,
        })
    };

    // Revoking
    let revoke = Action::new_local(move |(id, _name): &(i64, String)| {
        let id = *id;
        async move {
            let result = api::revoke_token(id).await;
            match &result {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => session.forget_if_logged_out(e),
            }
            result
        }
    });
    let revoke_pending = revoke.pending();
    let revoke_last = revoke.value();
    let revoked_name = RwSignal::new(None::<String>);
    let on_revoke = move |token: TokenInfo| {
        let question = trf(
            i18n.locale_untracked(),
            Key::RevokeConfirm,
            &[("name", &token.name)],
        );
        if browser::confirm(&question) {
            revoked_name.set(Some(token.name.clone()));
            revoke.dispatch((token.id, token.name));
        }
    };
    let revoke_error = Signal::derive(move || {
        let locale = i18n.locale();
        revoke_last.with(|last| {
            general_error(revoke_pending.get(), last.as_ref()).map(|e| error_message(locale, e))
        })
    });
    let revoke_done =
        move || !revoke_pending.get() && revoke_last.with(|r| matches!(r, Some(Ok(()))));

    view! {
        <section class="container page">
            <div class="page-head">
                <p class="breadcrumb"><a href="/mypage">{move || i18n.t(Key::NavMyPage)}</a></p>
                <h1>{move || i18n.t(Key::TokensTitle)}</h1>
                <p class="page-lead">{move || i18n.t(Key::TokensLead)}</p>
            </div>

            {move || created().map(|token| view! { <CreatedTokenPanel token=token dismissed=dismissed copy_state=copy_state/> })}

            <section class="card" aria-labelledby="create-token-title">
                <h2 id="create-token-title">{move || i18n.t(Key::TokensCreateTitle)}</h2>
                <form class="form" novalidate=true on:submit=on_submit data-testid="token-form">
                    <ErrorNotice message=general testid="token-error"/>
                    <TextField id="token_name" testid="token-name" label=Key::TokenNameLabel value=name
                        error=error_for(i18n, errors, "name") hint=Key::TokenNameHint required=true/>
                    <fieldset class="field" class:field-invalid=move || scopes_error.with(Option::is_some)>
                        <legend>{move || i18n.t(Key::ScopesLabel)}</legend>
                        <label class="check">
                            <input type="checkbox" data-testid="token-scope-read" prop:checked=move || read.get()
                                on:change=move |ev| read.set(event_target_checked(&ev))/>
                            <span>{move || i18n.t(Key::ScopeRead)}</span>
                        </label>
                        <label class="check">
                            <input type="checkbox" data-testid="token-scope-write" prop:checked=move || write.get()
                                on:change=move |ev| write.set(event_target_checked(&ev))/>
                            <span>{move || i18n.t(Key::ScopeWrite)}</span>
                        </label>
                        <label class="check">
                            <input type="checkbox" data-testid="token-scope-acme" prop:checked=move || acme.get()
                                on:change=move |ev| acme.set(event_target_checked(&ev))/>
                            <span>{move || i18n.t(Key::ScopeAcme)}</span>
                        </label>
                        {move || scopes_error.get().map(|text| view! {
                            <p class="field-error" data-testid="token-scopes-error">
                                <span class="field-error-icon" aria-hidden="true"></span>{text}
                            </p>
                        })}
                    </fieldset>
                    <button type="submit" class="btn btn-primary" data-testid="token-create" disabled=move || pending.get()>
                        {move || i18n.t(Key::TokenCreateSubmit)}
                    </button>
                </form>
            </section>

            <section class="card" aria-labelledby="token-list-title">
                <h2 id="token-list-title">{move || i18n.t(Key::TokensListTitle)}</h2>
                <ErrorNotice message=revoke_error testid="token-revoke-error"/>
                {move || revoke_done().then(|| view! {
                    <SuccessNotice testid="token-revoked">
                        <p>{move || i18n.tf(Key::TokenRevoked, &[("name", &revoked_name.get().unwrap_or_default())])}</p>
                    </SuccessNotice>
                })}
                {move || match tokens.get() {
                    None => view! { <Loading/> }.into_any(),
                    Some(Err(e)) => view! {
                        <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="token-list-error"/>
                    }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! {
                        <p class="empty" data-testid="token-empty">{move || i18n.t(Key::TokensEmpty)}</p>
                    }.into_any(),
                    Some(Ok(list)) => view! { <TokenTable list=list on_revoke=on_revoke/> }.into_any(),
                }}
                <p class="muted small">{move || i18n.t(Key::TimeZoneNote)}</p>
            </section>
        </section>
    }
}

#[component]
fn CreatedTokenPanel(
    token: CreatedToken,
    dismissed: RwSignal<bool>,
    copy_state: RwSignal<Option<bool>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let secret = token.token.clone();
    let copy = move |_| {
        let secret = secret.clone();
        spawn_local(async move { copy_state.set(Some(browser::copy_text(&secret).await)) });
    };
    view! {
        <div class="notice notice-success token-once" role="status" data-testid="token-created">
            <span class="notice-icon" aria-hidden="true"></span>
            <div class="token-once-body">
                <h2 class="notice-title">{move || i18n.t(Key::TokenCreatedTitle)}</h2>
                <p class="warning-text">{move || i18n.t(Key::TokenCreatedWarn)}</p>
                <div class="secret-row">
                    <code class="secret" data-testid="token-value">{token.token.clone()}</code>
                    <button type="button" class="btn btn-secondary btn-sm" data-testid="token-copy" on:click=copy>
                        {move || match copy_state.get() {
                            Some(true) => i18n.t(Key::Copied),
                            _ => i18n.t(Key::Copy),
                        }}
                    </button>
                </div>
                {move || (copy_state.get() == Some(false)).then(|| view! {
                    <p class="field-error">{move || i18n.t(Key::CopyFailed)}</p>
                })}
                <button type="button" class="btn btn-ghost btn-sm" data-testid="token-dismiss" on:click=move |_| dismissed.set(true)>
                    {move || i18n.t(Key::Dismiss)}
                </button>
            </div>
        </div>
    }
}

#[component]
fn TokenTable(
    list: Vec<TokenInfo>,
    on_revoke: impl Fn(TokenInfo) + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="token-list">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(Key::ColName)}</th>
                        <th scope="col">{move || i18n.t(Key::ColPrefix)}</th>
                        <th scope="col">{move || i18n.t(Key::ColScopes)}</th>
                        <th scope="col">{move || i18n.t(Key::ColCreated)}</th>
                        <th scope="col">{move || i18n.t(Key::ColLastUsed)}</th>
                        <th scope="col"><span class="visually-hidden">{move || i18n.t(Key::ColActions)}</span></th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|token| {
                        let created = token.created_at.clone();
                        let last_used = token.last_used_at.clone();
                        let row = token.clone();
                        view! {
                            <tr data-testid=format!("token-row-{}", token.id)>
                                <td data-label=move || i18n.t(Key::ColName)>{token.name.clone()}</td>
                                <td data-label=move || i18n.t(Key::ColPrefix)><code>{format!("{}…", token.prefix)}</code></td>
                                <td data-label=move || i18n.t(Key::ColScopes)>{scope_list(&token.scopes)}</td>
                                <td data-label=move || i18n.t(Key::ColCreated)>{move || format_jst(i18n.locale(), &created)}</td>
                                <td data-label=move || i18n.t(Key::ColLastUsed)>{move || match &last_used {
                                    Some(t) => format_jst(i18n.locale(), t),
                                    None => tr(i18n.locale(), Key::NeverUsed).to_owned(),
                                }}</td>
                                <td>
                                    <button type="button" class="btn btn-danger btn-sm" data-testid=format!("token-revoke-{}", token.id)
                                        on:click=move |_| on_revoke(row.clone())>
                                        {move || i18n.t(Key::Revoke)}
                                    </button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_lists_the_ticked_scopes() {
        let req = token_request("  renewal ", true, true, false);
        assert_eq!(req.name, "renewal");
        assert_eq!(req.scopes, ["read", "write"]);
        assert_eq!(check_token_request(&req).1, [Scope::Read, Scope::Write]);
        let acme = token_request("certbot", false, false, true);
        assert_eq!(acme.scopes, ["acme"]);
        assert_eq!(check_token_request(&acme).1, [Scope::Acme]);
        let none = token_request("x", false, false, false);
        let (errors, _) = check_token_request(&none);
        assert_eq!(errors[0].field, "scopes");
    }

    #[test]
    fn scopes_are_listed_by_name() {
        assert_eq!(scope_list(&[Scope::Read, Scope::Write]), "read, write");
        assert_eq!(scope_list(&[]), "");
    }
}
