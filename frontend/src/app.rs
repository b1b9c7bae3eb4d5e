//! The application shell: provides the language and session state (`context.rs`), the header,
//! the routes.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, Lazy, LazyRoute};

use crate::api;
use crate::browser;
use crate::components::header::{Footer, Header};
use crate::context::{logged_in, I18n, Session};
use crate::i18n::Key;
use crate::pages;
use crate::pages::not_found::PageLoadFailed;

/// Focuses each new page's title after a route change (inside the router), once the page's
/// code has arrived.
#[component]
fn RouteFocus(is_routing: ReadSignal<bool>) -> impl IntoView {
    crate::components::focus::focus_title_on_route_change(is_routing);
}

/// Routes whose pages are compiled into a lazily loaded part of the wasm, which the browser
/// fetches the first time one of them is visited (`wasm-split`, run by `cargo xtask wasm`). The
/// first page a visitor sees, `/` or `/login`, needs only the shell: the app, the header and
/// those two pages (docs/performance.md, "Portal weight"). Pages are grouped by who visits them
/// together (`public`, `customer`, `register`, `operator`), one split module each: code two
/// groups share goes into a further chunk both load, and a few groups keep those chunks few
/// (one module per page made 330 chunks, a hundred of them for My Page alone).
///
/// Each route is a [`LazyRoute`] whose view awaits its page's split function; the function's
/// name is the page's, so its link symbols are unique. When the chunk cannot be fetched, the
/// route shows [`PageLoadFailed`] instead of stopping the app (wasm-split's default is a panic).
macro_rules! lazy_pages {
    ($($group:ident { $($route:ident => $module:ident :: $page:ident;)+ })+) => {
        $($(
            #[derive(Debug, Clone, Copy)]
            struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(this: Self) -> AnyView {
                    let _ = this;
                    #[allow(non_snake_case)]
                    #[::leptos::wasm_split::wasm_split(
                        $group,
                        wasm_split_path = ::leptos::wasm_split,
                        fallible
                    )]
                    fn $page() -> Result<AnyView, ::leptos::wasm_split::SplitLoaderError> {
                        use crate::pages::$module::$page as Page;
                        Ok(view! { <Page/> }.into_any())
                    }
                    match $page().await {
                        Ok(page) => page,
                        // The next visit tries again (a failed load is not remembered).
                        Err(_) => view! { <PageLoadFailed/> }.into_any(),
                    }
                }
            }
        )+)+
    };
}

lazy_pages! {
    public {
        SignupRoute => signup::SignupPage;
        VerifyEmailRoute => verify_email::VerifyEmailPage;
        ForgotPasswordRoute => forgot_password::ForgotPasswordPage;
        ResetPasswordRoute => reset_password::ResetPasswordPage;
        TermsRoute => terms::TermsPage;
        PrivacyRoute => privacy::PrivacyPage;
        AcmeLimitsRoute => acme_limits::AcmeLimitsPage;
    }
    customer {
        MyRoute => mypage::MyPage;
        TokensRoute => tokens::TokensPage;
        WebhooksRoute => webhooks::WebhooksPage;
        AcmeRoute => acme::AcmePage;
        RegistrationsRoute => registrations::RegistrationsPage;
        InvoicesRoute => invoices::InvoicesPage;
        InvoicePrintRoute => invoice_print::InvoicePrintPage;
        ReceiptPrintRoute => invoice_print::ReceiptPrintPage;
        SupportRoute => support::SupportPage;
        InquiryRoute => support::InquiryPage;
        CertificatesRoute => certificates::CertificatesPage;
        OrdersRoute => orders::OrdersPage;
    }
    register {
        RegisterRoute => register::RegisterPage;
    }
    operator {
        OperatorCustomersRoute => operator::OperatorCustomersPage;
        OperatorInvoicesRoute => operator_billing::OperatorInvoicesPage;
        OperatorStatementsRoute => operator_billing::OperatorStatementsPage;
        OperatorValidationsRoute => operator_validations::OperatorValidationsPage;
        OperatorRenewalsRoute => operator_renewals::OperatorRenewalsPage;
        OperatorInquiriesRoute => operator_inquiries::OperatorInquiriesPage;
    }
}

#[component]
pub fn App() -> impl IntoView {
    let initial = browser::stored_locale().unwrap_or_default();
    browser::set_document_lang(initial);
    let i18n = I18n::new(initial);
    let session = Session {
        me: RwSignal::new(None),
        checked: RwSignal::new(false),
    };
    provide_context(i18n);
    provide_context(session);

    spawn_local(async move {
        match api::me().await {
            Ok(Some(me)) => logged_in(session, i18n, me),
            Ok(None) => session.checked.set(true),
            Err(e) => {
                leptos::logging::warn!("GET /me failed: {e}");
                session.checked.set(true);
            }
        }
    });

    // True while a route's chunk (and the page) is loading; the old page stays until then.
    let (is_routing, set_is_routing) = signal(false);

    view! {
        <Router set_is_routing>
            <RouteFocus is_routing/>
            <a class="skip-link" href="#main">{move || i18n.t(Key::SkipToContent)}</a>
            <Header/>
            <main id="main" class="main" tabindex="-1" aria-busy=move || is_routing.get().then_some("true")>
                <Routes fallback=pages::not_found::NotFoundPage>
                    <Route path=path!("/") view=pages::home::HomePage/>
                    <Route path=path!("/signup") view={Lazy::<SignupRoute>::new()}/>
                    <Route path=path!("/verify-email") view={Lazy::<VerifyEmailRoute>::new()}/>
                    <Route path=path!("/login") view=pages::login::LoginPage/>
                    <Route path=path!("/forgot-password") view={Lazy::<ForgotPasswordRoute>::new()}/>
                    <Route path=path!("/reset-password") view={Lazy::<ResetPasswordRoute>::new()}/>
                    <Route path=path!("/mypage") view={Lazy::<MyRoute>::new()}/>
                    <Route path=path!("/mypage/tokens") view={Lazy::<TokensRoute>::new()}/>
                    <Route path=path!("/mypage/webhooks") view={Lazy::<WebhooksRoute>::new()}/>
                    <Route path=path!("/mypage/acme") view={Lazy::<AcmeRoute>::new()}/>
                    <Route path=path!("/mypage/registrations") view={Lazy::<RegistrationsRoute>::new()}/>
                    <Route path=path!("/mypage/registrations/new") view={Lazy::<RegisterRoute>::new()}/>
                    <Route path=path!("/mypage/invoices") view={Lazy::<InvoicesRoute>::new()}/>
                    <Route path=path!("/mypage/invoices/:number/print") view={Lazy::<InvoicePrintRoute>::new()}/>
                    <Route path=path!("/mypage/invoices/:number/receipt") view={Lazy::<ReceiptPrintRoute>::new()}/>
                    <Route path=path!("/support") view={Lazy::<SupportRoute>::new()}/>
                    <Route path=path!("/support/:id") view={Lazy::<InquiryRoute>::new()}/>
                    <Route path=path!("/mypage/certificates") view={Lazy::<CertificatesRoute>::new()}/>
                    <Route path=path!("/mypage/orders") view={Lazy::<OrdersRoute>::new()}/>
                    <Route path=path!("/terms") view={Lazy::<TermsRoute>::new()}/>
                    <Route path=path!("/privacy") view={Lazy::<PrivacyRoute>::new()}/>
                    <Route path=path!("/operator") view={Lazy::<OperatorCustomersRoute>::new()}/>
                    <Route path=path!("/acme-limits") view={Lazy::<AcmeLimitsRoute>::new()}/>
                    <Route path=path!("/operator/customers") view={Lazy::<OperatorCustomersRoute>::new()}/>
                    <Route path=path!("/operator/invoices") view={Lazy::<OperatorInvoicesRoute>::new()}/>
                    <Route path=path!("/operator/bank-statements") view={Lazy::<OperatorStatementsRoute>::new()}/>
                    <Route path=path!("/operator/validations") view={Lazy::<OperatorValidationsRoute>::new()}/>
                    <Route path=path!("/operator/renewals") view={Lazy::<OperatorRenewalsRoute>::new()}/>
                    <Route path=path!("/operator/inquiries") view={Lazy::<OperatorInquiriesRoute>::new()}/>
                </Routes>
            </main>
            <Footer/>
        </Router>
    }
}
