//! Pages for logged-in customers: anyone else is sent to the login page and brought back after.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

use crate::components::notice::Loading;
use crate::context::{use_session, AuthState};

/// Where to go after logging in: only paths on this site (no `//host` or `https://…`).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/mypage".to_owned(),
    }
}

/// The login page's address for coming back to `path`.
pub fn login_url(path: &str) -> String {
    if path == "/mypage" {
        "/login".to_owned()
    } else {
        format!(
            "/login?next={}",
            path.replace('%', "%25")
                .replace('&', "%26")
                .replace('#', "%23")
        )
    }
}

#[component]
pub fn RequireLogin(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    // Re-render only when the state changes, not when the account's data does.
    let state = Memo::new(move |_| session.state());
    move || match state.get() {
        AuthState::Checking => view! { <Loading/> }.into_any(),
        AuthState::Anonymous => {
            let back = location.pathname.get_untracked();
            view! { <Redirect path=login_url(&back)/> }.into_any()
        }
        AuthState::LoggedIn => children().into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/mypage/tokens")), "/mypage/tokens");
        for bad in [
            None,
            Some(""),
            Some("https://evil.example/"),
            Some("//evil.example/x"),
            Some("/\\evil"),
            Some("mypage"),
        ] {
            assert_eq!(safe_next(bad), "/mypage", "{bad:?}");
        }
    }

    #[test]
    fn login_url_carries_the_page_to_come_back_to() {
        assert_eq!(login_url("/mypage"), "/login");
        assert_eq!(login_url("/mypage/tokens"), "/login?next=/mypage/tokens");
        assert_eq!(login_url("/a&b"), "/login?next=/a%26b");
    }
}
