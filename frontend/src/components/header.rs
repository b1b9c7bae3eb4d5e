//! The site header (brand, navigation, language switch, logout) and footer.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use crate::api;
use crate::context::{switch_locale, use_i18n, use_session, AuthState};
use crate::i18n::{other, tr, Key};

/// The operator console's first page, where operators land after logging in.
pub const OPERATOR_HOME: &str = "/operator";

/// `aria-current="page"` for the link to the page being shown.
fn current(pathname: &str, href: &str) -> Option<&'static str> {
    (pathname == href).then_some("page")
}

#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let location = use_location();
    let navigate = use_navigate();
    let path = move || location.pathname.get();
    // The menu of narrow screens (a disclosure button; wide screens show the nav as it is).
    let menu_open = RwSignal::new(false);
    Effect::new(move |_| {
        location.pathname.track();
        menu_open.set(false);
    });
    let toggle = NodeRef::<leptos::html::Button>::new();
    let close_on_escape = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" && menu_open.get_untracked() {
            menu_open.set(false);
            if let Some(button) = toggle.get_untracked() {
                let _ = button.focus();
            }
        }
    };

    let logout = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            // Whatever the server says, this browser no longer shows the account.
            if let Err(e) = api::logout().await {
                leptos::logging::warn!("logout failed: {e}");
            }
            session.me.set(None);
            navigate("/", NavigateOptions::default());
        });
    };

    let nav_link = move |href: &'static str, key: Key, testid: &'static str| {
        view! {
            <li>
                <a href=href data-testid=testid aria-current=move || current(&path(), href)>
                    {move || i18n.t(key)}
                </a>
            </li>
        }
    };

    view! {
        <header class="site-header">
            <div class="container header-inner">
                <a href="/" class="brand" data-testid="brand">
                    <span class="brand-mark" aria-hidden="true"></span>
                    <span class="brand-text">
                        <span class="brand-name">{move || i18n.t(Key::Brand)}</span>
                        <span class="brand-tagline">{move || i18n.t(Key::BrandTagline)}</span>
                    </span>
                </a>
                <button type="button" class="menu-toggle" data-testid="menu-toggle" node_ref=toggle
                    aria-controls="site-nav"
                    aria-expanded=move || if menu_open.get() { "true" } else { "false" }
                    on:keydown=close_on_escape
                    on:click=move |_| menu_open.update(|open| *open = !*open)>
                    <span class="menu-icon" aria-hidden="true"></span>
                    {move || i18n.t(Key::MenuButton)}
                </button>
                <nav id="site-nav" class="site-nav" class:site-nav-open=move || menu_open.get()
                    aria-label=move || i18n.t(Key::NavMain) on:keydown=close_on_escape>
                    <ul>
                        {move || match session.state() {
                            AuthState::LoggedIn => view! {
                                {nav_link("/mypage", Key::NavMyPage, "nav-mypage")}
                                {move || (!session.is_operator()).then(|| view! {
                                    {nav_link("/mypage/acme", Key::NavAcme, "nav-acme")}
                                    {nav_link("/mypage/registrations", Key::NavRegistrations, "nav-registrations")}
                                    {nav_link("/mypage/invoices", Key::NavInvoices, "nav-invoices")}
                                    {nav_link("/mypage/certificates", Key::NavCertificates, "nav-certificates")}
                                    {nav_link("/support", Key::NavSupport, "nav-support")}
                                })}
                                {nav_link("/mypage/tokens", Key::NavTokens, "nav-tokens")}
                                {move || session.is_operator().then(|| view! {
                                    {nav_link(OPERATOR_HOME, Key::NavOperator, "nav-operator")}
                                    {nav_link("/operator/invoices", Key::NavOperatorInvoices, "nav-operator-invoices")}
                                    {nav_link("/operator/bank-statements", Key::NavOperatorStatements, "nav-operator-statements")}
                                    {nav_link("/operator/validations", Key::NavOperatorValidations, "nav-operator-validations")}
                                    {nav_link("/operator/renewals", Key::NavOperatorRenewals, "nav-operator-renewals")}
                                    {nav_link("/operator/inquiries", Key::NavOperatorInquiries, "nav-operator-inquiries")}
                                })}
                                <li>
                                    <button type="button" class="btn btn-ghost btn-sm" data-testid="logout" on:click=logout.clone()>
                                        {move || i18n.t(Key::Logout)}
                                    </button>
                                </li>
                            }.into_any(),
                            AuthState::Anonymous => view! {
                                {nav_link("/login", Key::NavLogin, "nav-login")}
                                <li>
                                    <a href="/signup" class="btn btn-primary btn-sm" data-testid="nav-signup"
                                        aria-current=move || current(&path(), "/signup")>
                                        {move || i18n.t(Key::NavSignup)}
                                    </a>
                                </li>
                            }.into_any(),
                            AuthState::Checking => ().into_any(),
                        }}
                    </ul>
                </nav>
                <button
                    type="button"
                    class="lang-switch"
                    data-testid="lang-switch"
                    lang=move || other(i18n.locale()).as_str()
                    aria-label=move || i18n.t(Key::LangSwitchLabel)
                    on:click=move |_| switch_locale(session, i18n, other(i18n.locale_untracked()))
                >
                    <span class="lang-icon" aria-hidden="true"></span>
                    {move || tr(i18n.locale(), Key::LangSwitch)}
                </button>
            </div>
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <footer class="site-footer">
            <div class="container footer-inner">
                <p>{move || i18n.t(Key::FooterText)}</p>
                <p><a href="/api/v1/openapi.json" rel="external">{move || i18n.t(Key::FooterApi)}</a></p>
                <p><a href="/acme-limits" data-testid="footer-acme-limits">{move || i18n.t(Key::FooterLimits)}</a></p>
                <p data-testid="footer-support-hours"><a href="/support">{move || i18n.t(Key::FooterSupportHours)}</a></p>
            </div>
        </footer>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_shown_page_is_current() {
        assert_eq!(current("/mypage", "/mypage"), Some("page"));
        assert_eq!(current("/mypage/tokens", "/mypage"), None);
    }
}
