//! The state every page and component reads: the reader's language and the session, with the
//! document title. Provided once by the application shell (`app.rs`), which depends on the pages;
//! the pages and components depend only on this.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::dto::{AcmeApplicationState, Me, Role};

use crate::api;
use crate::browser;
use crate::i18n::{tr, trf, Key, Locale};

/// The reader's language, shared by every component.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    locale: RwSignal<Locale>,
}

impl I18n {
    /// The language state of a new page load, starting in `initial`.
    pub fn new(initial: Locale) -> Self {
        I18n {
            locale: RwSignal::new(initial),
        }
    }

    /// The current language (tracked: a view reading it re-renders on change).
    pub fn locale(&self) -> Locale {
        self.locale.get()
    }

    pub fn locale_untracked(&self) -> Locale {
        self.locale.get_untracked()
    }

    /// The text of `key` in the current language (tracked).
    pub fn t(&self, key: Key) -> &'static str {
        tr(self.locale.get(), key)
    }

    /// The text of `key` with placeholders filled (tracked).
    pub fn tf(&self, key: Key, args: &[(&str, &str)]) -> String {
        trf(self.locale.get(), key, args)
    }

    /// Shows the portal in `locale`, remembers it on this browser and sets `<html lang>`.
    fn apply(&self, locale: Locale) {
        self.locale.set(locale);
        browser::store_locale(locale);
        browser::set_document_lang(locale);
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// Who is logged in, as far as the portal knows.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    /// The customer, once `GET /me` or a login said so.
    pub me: RwSignal<Option<Me>>,
    /// Whether the first `GET /me` has answered.
    pub checked: RwSignal<bool>,
}

/// What a protected page should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthState {
    /// The first `GET /me` has not answered yet.
    Checking,
    Anonymous,
    LoggedIn,
}

impl Session {
    pub fn state(&self) -> AuthState {
        auth_state(self.checked.get(), self.me.with(Option::is_some))
    }

    /// Whether an operator is logged in (tracked).
    pub fn is_operator(&self) -> bool {
        self.me
            .with(|me| me.as_ref().is_some_and(|me| me.role == Role::Operator))
    }

    /// Whether the customer has made the ACME usage application (tracked).
    pub fn has_applied(&self) -> bool {
        self.me.with(|me| {
            me.as_ref()
                .is_some_and(|me| me.acme_application == AcmeApplicationState::Applied)
        })
    }

    /// The server said the customer has applied (a 201 or a 409 `already-applied`).
    pub fn mark_applied(&self) {
        self.me.update(|me| {
            if let Some(me) = me {
                me.acme_application = AcmeApplicationState::Applied;
            }
        });
    }

    /// A 401 means the session ended meanwhile: forget it, and protected pages send the reader
    /// to log in.
    pub fn forget_if_logged_out(&self, err: &api::ApiError) {
        if err.status() == Some(401) {
            self.me.set(None);
        }
    }
}

pub fn auth_state(checked: bool, logged_in: bool) -> AuthState {
    match (logged_in, checked) {
        (true, _) => AuthState::LoggedIn,
        (false, true) => AuthState::Anonymous,
        (false, false) => AuthState::Checking,
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// A customer has logged in (or was found logged in): remember them and, unless this browser
/// already has a language chosen, show the portal in the account's language.
pub fn logged_in(session: Session, i18n: I18n, me: Me) {
    if browser::stored_locale().is_none() && me.locale != i18n.locale_untracked() {
        i18n.apply(me.locale);
    }
    session.me.set(Some(me));
    session.checked.set(true);
}

/// The language switch: change the page at once, remember the choice, and tell the server when
/// logged in so emails follow (`PATCH /me`).
pub fn switch_locale(session: Session, i18n: I18n, locale: Locale) {
    i18n.apply(locale);
    let account_locale = session
        .me
        .with_untracked(|me| me.as_ref().map(|m| m.locale));
    if account_locale.is_some_and(|current| current != locale) {
        spawn_local(async move {
            let update = api::UpdateMe {
                locale: Some(locale),
                ..api::UpdateMe::default()
            };
            match api::update_me(&update).await {
                Ok(me) => session.me.set(Some(me)),
                Err(api::ApiError::Problem { problem, .. }) if problem.status == 401 => {
                    session.me.set(None)
                }
                // The page already shows the new language; the account keeps the old one until
                // the next switch. Nothing the reader must act on.
                Err(e) => leptos::logging::warn!("saving the language failed: {e}"),
            }
        });
    }
}

/// A list a page shows, fetched with `fetch` and again whenever `version` moves (after the
/// page's own change); an answer saying the session has lapsed forgets it on the way, so the page
/// offers the login.
pub fn reloading<T, Fut>(
    session: Session,
    version: RwSignal<u32>,
    fetch: impl Fn() -> Fut + 'static,
) -> LocalResource<Result<T, api::ApiError>>
where
    T: 'static,
    Fut: std::future::Future<Output = Result<T, api::ApiError>> + 'static,
{
    LocalResource::new(move || {
        version.track();
        let call = fetch();
        async move {
            let result = call.await;
            if let Err(e) = &result {
                session.forget_if_logged_out(e);
            }
            result
        }
    })
}

/// Sets the document title for the current page, following the language.
pub fn use_title(key: Key) {
    let i18n = use_i18n();
    Effect::new(move |_| {
        let brand = tr(i18n.locale(), Key::Brand);
        browser::set_title(&format!("{} | {brand}", i18n.t(key)));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_state_waits_for_the_first_answer() {
        assert_eq!(auth_state(false, false), AuthState::Checking);
        assert_eq!(auth_state(true, false), AuthState::Anonymous);
        assert_eq!(auth_state(true, true), AuthState::LoggedIn);
        // A login that finishes before the first GET /me still counts.
        assert_eq!(auth_state(false, true), AuthState::LoggedIn);
    }
}
