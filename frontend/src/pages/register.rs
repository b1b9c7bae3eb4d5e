//! `/mypage/registrations/new` (利用FQDN情報登録, SPEC.md §2 items 5–10): the wizard with the
//! seed's screens and buttons. The FQDN preview runs in the browser (R-FQDN-1..3); availability
//! (R-FQDN-4) is asked once, on 「次へ」; 「申し込みを確定する」 sends `POST /registrations`, and
//! the result shows the invoice number with the card payment form right there (R-BILL-3).

use leptos::prelude::*;
use shared::billing::{yen, PaymentMethod, Product};
use shared::dto::{
    FqdnCheck, FqdnCheckRequest, Invoice, Locale, RegistrationCreated, RegistrationRequest,
};
use shared::fqdn::{CertType, Normalized};
use shared::problem::FieldError;

use crate::api::{self, ApiError};
use crate::components::bank::BankTransferDetails;
use crate::components::card_pay::CardPayForm;
use crate::components::commands::IssueCommands;
use crate::components::fqdn_input::{display_unicode, preview, CertTypeSelect, FqdnInput};
use crate::components::notice::{ErrorNotice, Loading, SuccessNotice};
use crate::components::require_login::RequireLogin;
use crate::context::{use_i18n, use_session, use_title};
use crate::i18n::{error_message, field_message, tr, years as years_text, Key};
use crate::paths::{ACME_PAGE, INVOICES_PAGE, REGISTRATIONS_PAGE};
use crate::time::format_jst;

/// The screens of the wizard, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WizardStep {
    /// 利用FQDN情報登録: type, FQDN, contract period and price.
    Entry,
    /// 購入商品を選択
    Product,
    /// 利用FQDNを確認
    ConfirmFqdn,
    /// お支払い方法を選択: method, terms and the 特定商取引法 notice.
    Payment,
    /// 申し込み内容を確定する
    Confirm,
    /// The invoice, and for a card the payment form.
    Done,
}

impl WizardStep {
    pub const FLOW: [WizardStep; 5] = [
        WizardStep::Entry,
        WizardStep::Product,
        WizardStep::ConfirmFqdn,
        WizardStep::Payment,
        WizardStep::Confirm,
    ];

    pub fn title(self) -> Key {
        match self {
            WizardStep::Entry => Key::WizEntryTitle,
            WizardStep::Product => Key::WizProductTitle,
            WizardStep::ConfirmFqdn => Key::WizFqdnTitle,
            WizardStep::Payment => Key::WizPaymentTitle,
            WizardStep::Confirm => Key::WizConfirmTitle,
            WizardStep::Done => Key::WizDoneTitle,
        }
    }

    /// The label of the step's primary button (`wizard-next`).
    pub fn next_label(self) -> Option<Key> {
        match self {
            WizardStep::Entry => Some(Key::WizEntryNext),
            WizardStep::Product => Some(Key::WizProductNext),
            WizardStep::ConfirmFqdn => Some(Key::WizFqdnNext),
            WizardStep::Payment => Some(Key::WizPaymentNext),
            WizardStep::Confirm => Some(Key::WizConfirmNext),
            WizardStep::Done => None,
        }
    }

    pub fn next(self) -> WizardStep {
        match self {
            WizardStep::Entry => WizardStep::Product,
            WizardStep::Product => WizardStep::ConfirmFqdn,
            WizardStep::ConfirmFqdn => WizardStep::Payment,
            WizardStep::Payment => WizardStep::Confirm,
            WizardStep::Confirm | WizardStep::Done => WizardStep::Done,
        }
    }

    pub fn back(self) -> WizardStep {
        match self {
            WizardStep::Entry | WizardStep::Product => WizardStep::Entry,
            WizardStep::ConfirmFqdn => WizardStep::Product,
            WizardStep::Payment => WizardStep::ConfirmFqdn,
            WizardStep::Confirm => WizardStep::Payment,
            WizardStep::Done => WizardStep::Done,
        }
    }
}

/// Where one screen of the wizard stands while `current` is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressState {
    Done,
    Current,
    Upcoming,
}

impl ProgressState {
    pub fn as_str(self) -> &'static str {
        match self {
            ProgressState::Done => "done",
            ProgressState::Current => "current",
            ProgressState::Upcoming => "upcoming",
        }
    }
}

/// The progress mark of `step` while `current` is shown: earlier screens are done (and all of
/// them once the application is accepted).
pub fn progress_state(step: WizardStep, current: WizardStep) -> ProgressState {
    let index = |s: WizardStep| WizardStep::FLOW.iter().position(|f| *f == s);
    match (index(step), index(current)) {
        (Some(a), Some(b)) if a < b => ProgressState::Done,
        (Some(a), Some(b)) if a == b => ProgressState::Current,
        (Some(_), None) => ProgressState::Done,
        _ => ProgressState::Upcoming,
    }
}

/// The contract periods the catalogue offers for `cert_type`, shortest first.
pub fn periods(products: &[Product], cert_type: CertType) -> Vec<u32> {
    let mut years: Vec<u32> = products
        .iter()
        .filter(|p| p.cert_type == cert_type)
        .map(|p| p.period_years)
        .collect();
    years.sort_unstable();
    years.dedup();
    years
}

/// The product for `cert_type` and `years`, or the shortest period of that type.
pub fn product_for(products: &[Product], cert_type: CertType, years: u32) -> Option<Product> {
    products
        .iter()
        .find(|p| p.cert_type == cert_type && p.period_years == years)
        .or_else(|| {
            products
                .iter()
                .filter(|p| p.cert_type == cert_type)
                .min_by_key(|p| p.period_years)
        })
        .cloned()
}

/// Whether the server's check lets the customer go on: the name must be valid, and free or
/// already the customer's own (a renewal, R-FQDN-8). Otherwise the first reason.
pub fn check_refusal(check: &FqdnCheck) -> Option<FieldError> {
    if let Some(first) = check.errors.first() {
        return Some(first.clone());
    }
    if !check.valid {
        return Some(FieldError::new("fqdn", "invalid", "is not a valid FQDN"));
    }
    if !check.available && !check.renewal {
        return Some(FieldError::new("fqdn", "taken", "is already registered"));
    }
    None
}

/// A refused FQDN, period or agreement in the reader's language, by its code.
pub fn registration_field_message(locale: Locale, err: &FieldError) -> String {
    match err.code.as_str() {
        "taken" if err.field == "fqdn" => tr(locale, Key::FqdnTaken).to_owned(),
        "awaiting_payment" => tr(locale, Key::FqdnAwaitingPayment).to_owned(),
        "renewal_pending" => tr(locale, Key::FqdnRenewalPending).to_owned(),
        "type_mismatch" => tr(locale, Key::FqdnTypeMismatch).to_owned(),
        "must_agree" => tr(locale, Key::AgreeRequired).to_owned(),
        "unknown_period" => tr(locale, Key::UnknownPeriod).to_owned(),
        "unknown_payment_method" => tr(locale, Key::ChoosePaymentMethod).to_owned(),
        _ => field_message(locale, err),
    }
}

/// What a refused `POST /registrations` tells the reader.
pub fn registration_error(locale: Locale, err: &ApiError) -> String {
    if err.kind_ends_with("acme-application-required") {
        return tr(locale, Key::WizAcmeRequired).to_owned();
    }
    match err.field_errors() {
        [] => error_message(locale, err),
        list => list
            .iter()
            .map(|e| registration_field_message(locale, e))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    use_title(Key::WizEntryTitle);
    view! {
        <RequireLogin>
            <Wizard/>
        </RequireLogin>
    }
}

#[component]
fn Wizard() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let step = RwSignal::new(WizardStep::Entry);
    // Each new screen takes the keyboard focus on its title, so screen readers announce it.
    let title = NodeRef::<leptos::html::H1>::new();
    Effect::new(move |previous: Option<WizardStep>| {
        let now = step.get();
        if previous.is_some_and(|p| p != now) {
            if let Some(h1) = title.get_untracked() {
                let _ = h1.focus();
            }
        }
        now
    });
    let fqdn = RwSignal::new(String::new());
    let cert_type = RwSignal::new(CertType::Dv);
    let years = RwSignal::new(1u32);
    let method = RwSignal::new(None::<PaymentMethod>);
    let agree_terms = RwSignal::new(false);
    let agree_tokutei = RwSignal::new(false);
    let tried_agree = RwSignal::new(false);
    let renewal = RwSignal::new(false);

    let catalogue = LocalResource::new(move || async move {
        let result = api::products().await;
        if let Err(e) = &result {
            session.forget_if_logged_out(e);
        }
        result
    });
    let products = move || catalogue.get().and_then(Result::ok).unwrap_or_default();
    let product = Memo::new(move |_| product_for(&products(), cert_type.get(), years.get()));
    let local = Memo::new(move |_| fqdn.with(|v| preview(v, cert_type.get())));
    let normalized = move || -> Option<Normalized> { local.get().and_then(Result::ok) };

    // 「次へ」 on the first screen: one availability check (R-FQDN-4).
    let check = Action::new_local(move |req: &FqdnCheckRequest| {
        let req = req.clone();
        async move {
            let result = api::fqdn_check(&req).await;
            match &result {
                Ok(c) if check_refusal(c).is_none() => {
                    renewal.set(c.renewal);
                    step.set(WizardStep::Product);
                }
                Ok(_) => {}
                Err(e) => session.forget_if_logged_out(e),
            }
            result
        }
    });
    let checking = check.pending();
    // A new name or type forgets the last answer about the old one.
    Effect::new(move |seen: Option<()>| {
        fqdn.track();
        cert_type.track();
        if seen.is_some() {
            check.value().set(None);
        }
    });
    let entry_tried = RwSignal::new(false);
    let entry_error = Signal::derive(move || {
        let locale = i18n.locale();
        if checking.get() {
            return None;
        }
        match check.value().get() {
            Some(Ok(c)) => check_refusal(&c).map(|e| registration_field_message(locale, &e)),
            Some(Err(e)) => Some(error_message(locale, &e)),
            None => None,
        }
    });

    // 「申し込みを確定する」
    let submit = Action::new_local(move |req: &RegistrationRequest| {
        let req = req.clone();
        async move {
            let result = api::create_registration(&req).await;
            match &result {
                Ok(_) => step.set(WizardStep::Done),
                Err(e) => session.forget_if_logged_out(e),
            }
            result
        }
    });
    let submitting = submit.pending();
    let submit_error = move || -> Option<ApiError> {
        if submitting.get() {
            return None;
        }
        submit.value().get().and_then(Result::err)
    };
    let created = move || submit.value().get().and_then(Result::ok);

    let next = move |_| match step.get_untracked() {
        WizardStep::Entry => {
            entry_tried.set(true);
            check.value().set(None);
            if local.with_untracked(|l| matches!(l, Some(Ok(_))))
                && product.get_untracked().is_some()
            {
                check.dispatch(FqdnCheckRequest {
                    fqdn: fqdn.get_untracked(),
                    cert_type: cert_type.get_untracked().as_str().to_owned(),
                });
            }
        }
        WizardStep::Payment => {
            tried_agree.set(true);
            if method.get_untracked().is_some()
                && agree_terms.get_untracked()
                && agree_tokutei.get_untracked()
            {
                step.set(WizardStep::Confirm);
            }
        }
        WizardStep::Confirm => {
            if let (Some(p), Some(m)) = (product.get_untracked(), method.get_untracked()) {
                submit.dispatch(RegistrationRequest {
                    fqdn: fqdn.get_untracked(),
                    cert_type: cert_type.get_untracked().as_str().to_owned(),
                    period_years: p.period_years,
                    payment_method: m.as_str().to_owned(),
                    agree_terms: agree_terms.get_untracked() && agree_tokutei.get_untracked(),
                });
            }
        }
        s => step.set(s.next()),
    };
    let back = move |_| {
        submit.value().set(None);
        step.update(|s| *s = s.back());
    };
    let entry_local_error = move || entry_tried.get() && local.with(|l| !matches!(l, Some(Ok(_))));

    view! {
        <section class="container page wizard">
            <div class="page-head">
                <p class="breadcrumb"><a href="/mypage">{move || i18n.t(Key::NavMyPage)}</a></p>
                <h1 data-testid="wizard-title" tabindex="-1" node_ref=title>{move || i18n.t(step.get().title())}</h1>
                <p class="page-lead">{move || i18n.t(Key::WizLead)}</p>
            </div>
            {move || (!session.has_applied() && step.get() != WizardStep::Done).then(|| view! {
                <div class="notice notice-error" role="alert" data-testid="wizard-acme-required">
                    <span class="notice-icon" aria-hidden="true"></span>
                    <div>
                        <p>{move || i18n.t(Key::WizAcmeRequired)}</p>
                        <p><a href=ACME_PAGE data-testid="wizard-acme-link">{move || i18n.t(Key::AcmeCardLinkApply)}</a></p>
                    </div>
                </div>
            })}
            <ol class="wizard-progress" data-testid="wizard-progress" aria-label=move || i18n.t(Key::WizProgressLabel)>
                {WizardStep::FLOW.into_iter().enumerate().map(|(i, s)| {
                    let state = move || progress_state(s, step.get());
                    view! {
                        <li class:wizard-current=move || state() == ProgressState::Current
                            class:wizard-done=move || state() == ProgressState::Done
                            data-testid=format!("wizard-progress-{}", i + 1)
                            data-state=move || state().as_str()
                            aria-current=move || (state() == ProgressState::Current).then_some("step")>
                            {move || if state() == ProgressState::Done {
                                view! {
                                    <span class="wizard-progress-number wizard-check" role="img"
                                        aria-label=move || i18n.t(Key::StepDone)>"✓"</span>
                                }.into_any()
                            } else {
                                view! { <span class="wizard-progress-number" aria-hidden="true">{i + 1}</span> }.into_any()
                            }}
                            <span class="wizard-progress-label">{move || i18n.t(s.title())}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <section class="card" data-testid=move || format!("wizard-step-{}", match step.get() {
                WizardStep::Entry => "entry",
                WizardStep::Product => "product",
                WizardStep::ConfirmFqdn => "fqdn",
                WizardStep::Payment => "payment",
                WizardStep::Confirm => "confirm",
                WizardStep::Done => "done",
            })>
                {move || (renewal.get() && step.get() != WizardStep::Entry && step.get() != WizardStep::Done).then(|| view! {
                    <p class="notice notice-success" data-testid="wizard-renewal">{move || i18n.t(Key::WizRenewal)}</p>
                })}
                {move || match step.get() {
                    WizardStep::Entry => view! {
                        <CertTypeSelect cert_type=cert_type/>
                        <FqdnInput value=fqdn cert_type=cert_type refused=Signal::derive(move || entry_error.with(Option::is_some))/>
                        {move || entry_local_error().then(|| view! {
                            <p class="field-error" data-testid="fqdn-entry-error">{move || i18n.t(Key::WizFixFqdn)}</p>
                        })}
                        <ErrorNotice message=entry_error testid="fqdn-check-error"/>
                        {move || match catalogue.get() {
                            None => view! { <Loading/> }.into_any(),
                            Some(Err(e)) => view! {
                                <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="products-error"/>
                            }.into_any(),
                            Some(Ok(list)) => view! { <PeriodSelect products=list cert_type=cert_type years=years/> }.into_any(),
                        }}
                        {move || product.get().map(|p| view! { <PriceLine product=p/> })}
                    }.into_any(),
                    WizardStep::Product => view! {
                        <p>{move || i18n.t(Key::WizProductLead)}</p>
                        {move || product.get().map(|p| view! { <ProductTable product=p/> })}
                    }.into_any(),
                    WizardStep::ConfirmFqdn => view! {
                        <p>{move || i18n.t(Key::WizFqdnLead)}</p>
                        {move || normalized().map(|n| view! { <NameFacts name=n/> })}
                    }.into_any(),
                    WizardStep::Payment => view! {
                        <PaymentChoice method=method agree_terms=agree_terms agree_tokutei=agree_tokutei tried=tried_agree.into()/>
                    }.into_any(),
                    WizardStep::Confirm => view! {
                        {move || normalized().map(|n| view! { <NameFacts name=n/> })}
                        {move || product.get().map(|p| view! { <ProductTable product=p/> })}
                        <dl class="facts">
                            <dt>{move || i18n.t(Key::PaymentMethodLabel)}</dt>
                            <dd data-testid="confirm-payment-method">{move || method.get().map(|m| m.label(i18n.locale())).unwrap_or_default()}</dd>
                        </dl>
                        <div class="notice notice-error" role="note" data-testid="confirm-warning">
                            <span class="notice-icon" aria-hidden="true"></span>
                            <p><strong>{move || i18n.t(Key::WizMisspellWarning)}</strong></p>
                        </div>
                        {move || submit_error().map(|e| {
                            let needs_acme = e.kind_ends_with("acme-application-required");
                            let text = registration_error(i18n.locale(), &e);
                            view! {
                                <div class="notice notice-error" role="alert" data-testid="wizard-error">
                                    <span class="notice-icon" aria-hidden="true"></span>
                                    <div>
                                        <p>{text}</p>
                                        {needs_acme.then(|| view! {
                                            <p><a href=ACME_PAGE data-testid="wizard-error-acme-link">{move || i18n.t(Key::AcmeCardLinkApply)}</a></p>
                                        })}
                                    </div>
                                </div>
                            }
                        })}
                    }.into_any(),
                    WizardStep::Done => match created() {
                        Some(done) => view! { <DoneView done=done/> }.into_any(),
                        None => ().into_any(),
                    },
                }}
                {move || step.get().next_label().map(|label| view! {
                    <div class="wizard-actions">
                        {(step.get() != WizardStep::Entry).then(|| view! {
                            <button type="button" class="btn btn-ghost" data-testid="wizard-back" on:click=back>
                                {move || i18n.t(Key::WizBack)}
                            </button>
                        })}
                        <button type="button" class="btn btn-primary btn-lg" data-testid="wizard-next"
                            disabled=move || checking.get() || submitting.get()
                            on:click=next>
                            {move || i18n.t(label)}
                        </button>
                    </div>
                })}
            </section>
            <p class="muted small">{move || i18n.t(Key::TimeZoneNote)}</p>
        </section>
    }
}

/// The contract period (契約期間) of the chosen type.
#[component]
fn PeriodSelect(
    products: Vec<Product>,
    cert_type: RwSignal<CertType>,
    years: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let options = move || periods(&products, cert_type.get());
    view! {
        <div class="field">
            <label for="period-select">{move || i18n.t(Key::PeriodLabel)}</label>
            <select id="period-select" data-testid="period-select"
                prop:value=move || years.get().to_string()
                on:change=move |ev| {
                    if let Ok(y) = event_target_value(&ev).parse() {
                        years.set(y);
                    }
                }>
                {move || options().into_iter().map(|y| view! {
                    <option value=y.to_string() selected=move || years.get() == y>
                        {move || years_text(i18n.locale(), y)}
                    </option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// Price including 10 % tax, with the breakdown (R-BILL-1).
#[component]
fn PriceLine(product: Product) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="price" data-testid="wizard-price">
            <strong>{move || i18n.tf(Key::PriceInclTax, &[("amount", &yen(product.price_incl_tax))])}</strong>
            " "
            <span class="muted small">{move || i18n.tf(Key::PriceBreakdown, &[
                ("excl", &yen(product.price_excl_tax)), ("tax", &yen(product.tax)),
            ])}</span>
        </p>
    }
}

/// The product being bought: type, period, prices.
#[component]
fn ProductTable(product: Product) -> impl IntoView {
    let i18n = use_i18n();
    let t = product.cert_type;
    let period = product.period_years;
    view! {
        <dl class="facts" data-testid="wizard-product">
            <dt>{move || i18n.t(Key::CertTypeLabel)}</dt>
            <dd data-testid="confirm-type">{move || t.label(i18n.locale())}</dd>
            <dt>{move || i18n.t(Key::PeriodLabel)}</dt>
            <dd data-testid="confirm-period">{move || years_text(i18n.locale(), period)}</dd>
            <dt>{move || i18n.t(Key::PriceLabel)}</dt>
            <dd><PriceLine product=product.clone()/></dd>
        </dl>
    }
}

/// The FQDN in both forms and the covered names.
#[component]
fn NameFacts(name: Normalized) -> impl IntoView {
    let i18n = use_i18n();
    let coverage: Vec<(String, String)> = name
        .coverage
        .iter()
        .cloned()
        .zip(name.coverage_unicode.iter().cloned())
        .collect();
    view! {
        <dl class="facts" data-testid="wizard-name">
            <dt>{move || i18n.t(Key::FqdnAsciiLabel)}</dt>
            <dd><code class="mono domain" data-testid="confirm-fqdn-ascii">{name.display_ascii()}</code></dd>
            <dt>{move || i18n.t(Key::FqdnUnicodeLabel)}</dt>
            <dd><span class="domain" data-testid="confirm-fqdn-unicode">{display_unicode(&name)}</span></dd>
            <dt>{move || i18n.t(Key::FqdnCoverageLabel)}</dt>
            <dd>
                <ul class="coverage" data-testid="confirm-coverage">
                    {coverage.into_iter().map(|(a, u)| {
                        let extra = (a != u).then(|| format!("({u})"));
                        view! { <li><span class="mono domain">{a}</span>{extra.map(|u| view! { " " <span class="domain">{u}</span> })}</li> }
                    }).collect_view()}
                </ul>
            </dd>
        </dl>
    }
}

/// Card or bank transfer, the service terms and the 特定商取引法 notice.
#[component]
fn PaymentChoice(
    method: RwSignal<Option<PaymentMethod>>,
    agree_terms: RwSignal<bool>,
    agree_tokutei: RwSignal<bool>,
    tried: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let radio = move |m: PaymentMethod, testid: &'static str, note: Key| {
        view! {
            <label class="check">
                <input type="radio" name="payment-method" value=m.as_str() data-testid=testid
                    prop:checked=move || method.get() == Some(m)
                    on:change=move |_| method.set(Some(m))/>
                <span>
                    <strong>{move || m.label(i18n.locale())}</strong>
                    <span class="muted small block">{move || i18n.t(note)}</span>
                </span>
            </label>
        }
    };
    let missing_method = move || tried.get() && method.get().is_none();
    let missing_agree = move || tried.get() && !(agree_terms.get() && agree_tokutei.get());
    view! {
        <fieldset class="field">
            <legend>{move || i18n.t(Key::PaymentMethodLabel)}</legend>
            {radio(PaymentMethod::Card, "payment-card", Key::PaymentCardNote)}
            {radio(PaymentMethod::BankTransfer, "payment-bank", Key::PaymentBankNote)}
            {move || missing_method().then(|| view! {
                <p class="field-error" data-testid="payment-method-error">{move || i18n.t(Key::ChoosePaymentMethod)}</p>
            })}
        </fieldset>
        <section class="tokutei" aria-labelledby="tokutei-title" data-testid="tokutei">
            <h3 id="tokutei-title">{move || i18n.t(Key::TokuteiTitle)}</h3>
            <dl class="facts">
                <dt>{move || i18n.t(Key::TokuteiSellerLabel)}</dt><dd>{move || i18n.t(Key::TokuteiSeller)}</dd>
                <dt>{move || i18n.t(Key::TokuteiPriceLabel)}</dt><dd>{move || i18n.t(Key::TokuteiPrice)}</dd>
                <dt>{move || i18n.t(Key::TokuteiTimingLabel)}</dt><dd>{move || i18n.t(Key::TokuteiTiming)}</dd>
                <dt>{move || i18n.t(Key::TokuteiDeliveryLabel)}</dt><dd>{move || i18n.t(Key::TokuteiDelivery)}</dd>
                <dt>{move || i18n.t(Key::TokuteiRefundLabel)}</dt><dd>{move || i18n.t(Key::TokuteiRefund)}</dd>
            </dl>
        </section>
        <div class="field">
            <label class="check">
                <input type="checkbox" data-testid="agree-terms" prop:checked=move || agree_terms.get()
                    on:change=move |ev| agree_terms.set(event_target_checked(&ev))/>
                <span>{move || i18n.t(Key::AgreeTerms)} " " <a href="/terms" target="_blank" rel="noopener">{move || i18n.t(Key::TermsTitle)}</a></span>
            </label>
            <label class="check">
                <input type="checkbox" data-testid="agree-tokutei" prop:checked=move || agree_tokutei.get()
                    on:change=move |ev| agree_tokutei.set(event_target_checked(&ev))/>
                <span>{move || i18n.t(Key::AgreeTokutei)}</span>
            </label>
            {move || missing_agree().then(|| view! {
                <p class="field-error" data-testid="agree-error">{move || i18n.t(Key::AgreeRequired)}</p>
            })}
        </div>
    }
}

/// The accepted application: invoice number, amount, due date; for a card, the payment form and,
/// once paid, the command to run for the name just bought; for a bank transfer, where to pay.
#[component]
fn DoneView(done: RegistrationCreated) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let paid = RwSignal::new(None::<Invoice>);
    let number = done.invoice.number.clone();
    let amount = done.invoice.amount_incl_tax;
    let due = done.invoice.due_at.clone();
    let is_card = done.invoice.payment_method == PaymentMethod::Card;
    let fqdn = done.registration.fqdn.clone();
    let cert_type = done.registration.cert_type;
    let invoice = done.invoice.clone();
    let billing_email = move || {
        session.me.with(|me| {
            me.as_ref()
                .map(|m| m.billing_email.clone())
                .unwrap_or_default()
        })
    };
    let on_paid = Callback::new(move |invoice: Invoice| paid.set(Some(invoice)));
    let shown_number = number.clone();
    view! {
        <SuccessNotice testid="wizard-done">
            <p>{move || i18n.t(Key::WizDoneLead)}</p>
            <dl class="facts">
                <dt>{move || i18n.t(Key::InvoiceNumberLabel)}</dt>
                <dd><span class="mono customer-id" data-testid="invoice-number">{shown_number}</span></dd>
                <dt>{move || i18n.t(Key::AmountLabel)}</dt>
                <dd data-testid="invoice-amount">{move || i18n.tf(Key::PriceInclTax, &[("amount", &yen(amount))])}</dd>
                <dt>{move || i18n.t(Key::DueLabel)}</dt>
                <dd data-testid="invoice-due">{move || format_jst(i18n.locale(), &due)}</dd>
            </dl>
            <p class="muted small">{move || i18n.tf(Key::WizDoneMail, &[("email", &billing_email())])}</p>
        </SuccessNotice>
        {move || {
            let number = number.clone();
            match (paid.get(), is_card) {
            (Some(_), _) => view! {
                <SuccessNotice testid="wizard-paid">
                    <p>{move || i18n.t(Key::PaidRegistered)}</p>
                    <p><a class="btn btn-secondary" href=REGISTRATIONS_PAGE data-testid="wizard-registrations-link">{move || i18n.t(Key::RegistrationsTitle)}</a></p>
                </SuccessNotice>
                <IssueCommands fqdn=fqdn.clone() cert_type=cert_type/>
            }.into_any(),
            (None, true) => view! {
                <CardPayForm number=number amount=amount on_paid=on_paid/>
            }.into_any(),
            (None, false) => view! {
                <div data-testid="wizard-bank-transfer">
                    <BankTransferDetails invoice=invoice.clone()/>
                    <p><a href=INVOICES_PAGE data-testid="wizard-invoices-link">{move || i18n.t(Key::InvoicesTitle)}</a></p>
                </div>
            }.into_any(),
        }}}
        {move || (paid.get().is_none()).then(|| view! {
            <p><a href=REGISTRATIONS_PAGE data-testid="wizard-list-link">{move || i18n.t(Key::RegistrationsTitle)}</a></p>
        })}
    }
}

#[cfg(test)]
fn text(locale: Locale, key: Key) -> String {
    tr(locale, key).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::from_response;
    use shared::billing::default_catalogue;

    #[test]
    fn the_steps_go_forward_and_back_with_the_seed_labels() {
        let mut s = WizardStep::Entry;
        let mut labels = Vec::new();
        while let Some(label) = s.next_label() {
            labels.push(tr(Locale::Ja, label));
            s = s.next();
        }
        assert_eq!(
            labels,
            [
                "次へ",
                "次へ(購入手続き)",
                "お支払い方法の選択",
                "同意して次へ",
                "申し込みを確定する"
            ]
        );
        assert_eq!(WizardStep::Confirm.back(), WizardStep::Payment);
        assert_eq!(WizardStep::Product.back(), WizardStep::Entry);
        assert_eq!(
            tr(Locale::Ja, WizardStep::Product.title()),
            "購入商品を選択"
        );
    }

    #[test]
    fn earlier_screens_are_marked_done() {
        use ProgressState::*;
        let marks = |current| {
            WizardStep::FLOW
                .iter()
                .map(|s| progress_state(*s, current))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            marks(WizardStep::Entry),
            [Current, Upcoming, Upcoming, Upcoming, Upcoming]
        );
        assert_eq!(
            marks(WizardStep::Payment),
            [Done, Done, Done, Current, Upcoming]
        );
        assert_eq!(marks(WizardStep::Done), [Done; 5]);
    }

    #[test]
    fn periods_and_prices_come_from_the_catalogue() {
        let c = default_catalogue();
        assert_eq!(periods(&c, CertType::Dv), [1, 2]);
        assert_eq!(
            product_for(&c, CertType::Dv, 1).unwrap().price_incl_tax,
            11_990
        );
        assert_eq!(
            product_for(&c, CertType::DvWildcard, 2)
                .unwrap()
                .price_incl_tax,
            95_920
        );
        // A period the type does not offer falls back to its shortest.
        assert_eq!(
            product_for(&c, CertType::DvWildcard, 9)
                .unwrap()
                .period_years,
            1
        );
        assert!(product_for(&[], CertType::Dv, 1).is_none());
    }

    fn checked(valid: bool, available: bool, renewal: bool, errors: Vec<FieldError>) -> FqdnCheck {
        FqdnCheck {
            ascii: Some("example.jp".into()),
            unicode: Some("example.jp".into()),
            coverage: vec![],
            coverage_unicode: vec![],
            valid,
            available,
            renewal,
            errors,
        }
    }

    #[test]
    fn a_name_held_by_someone_else_stops_the_wizard() {
        assert!(check_refusal(&checked(true, true, false, vec![])).is_none());
        assert!(
            check_refusal(&checked(true, false, true, vec![])).is_none(),
            "a renewal goes on"
        );
        let taken = check_refusal(&checked(true, false, false, vec![])).unwrap();
        assert_eq!(
            registration_field_message(Locale::Ja, &taken),
            text(Locale::Ja, Key::FqdnTaken)
        );
        let server = FieldError::new("fqdn", "taken", "is already registered");
        assert_eq!(
            check_refusal(&checked(true, false, false, vec![server]))
                .unwrap()
                .code,
            "taken"
        );
    }

    #[test]
    fn the_acme_application_409_is_explained() {
        let err = from_response(
            409,
            Some("application/problem+json"),
            r#"{"type":"urn:certdirect:problem:acme-application-required","title":"t","status":409,"detail":"d"}"#,
            None,
        );
        assert_eq!(
            registration_error(Locale::Ja, &err),
            text(Locale::Ja, Key::WizAcmeRequired)
        );
        let conflict = from_response(
            409,
            Some("application/problem+json"),
            r#"{"type":"urn:certdirect:problem:conflict","title":"t","status":409,"detail":"d",
               "errors":[{"field":"fqdn","code":"awaiting_payment","reason":"r"}]}"#,
            None,
        );
        assert_eq!(
            registration_error(Locale::En, &conflict),
            text(Locale::En, Key::FqdnAwaitingPayment)
        );
    }
}
