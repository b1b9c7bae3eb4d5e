//! `/acme-limits`: the ACME directory's `meta.website` (R-ACME-10). What this ACME server allows
//! and how often to poll it, from `GET /api/v1/acme/limits`, and its certificate profiles
//! (R-ACME-9). Public: people who run ACME clients read it without an account.

use leptos::prelude::*;
use shared::dto::{AcmeLimits, Locale};

use crate::api;
use crate::components::acme_profiles::{days_text, ProfileList};
use crate::components::notice::{ErrorNotice, Loading};
use crate::context::{use_i18n, use_title};
use crate::i18n::{error_message, tr, trf, Key};

/// A limit's window in the largest whole unit: 3600 → 「1時間」 / "1 hour".
pub fn window_text(locale: Locale, secs: i64) -> String {
    let n = |v: i64| v.to_string();
    match secs {
        s if s > 0 && s % 86_400 == 0 => days_text(locale, s / 86_400),
        3600 => tr(locale, Key::OneHour).to_owned(),
        s if s > 0 && s % 3600 == 0 => trf(locale, Key::Hours, &[("n", &n(s / 3600))]),
        60 => tr(locale, Key::OneMinute).to_owned(),
        s if s > 0 && s % 60 == 0 => trf(locale, Key::Minutes, &[("n", &n(s / 60))]),
        1 => tr(locale, Key::OneSecond).to_owned(),
        s => trf(locale, Key::Seconds, &[("n", &n(s))]),
    }
}

/// What a limit (its configuration name) counts, in the reader's language.
pub fn limit_label(locale: Locale, name: &str) -> String {
    let key = match name {
        "new_account_per_address" => Key::LimitNewAccountPerAddress,
        "new_order_per_account" => Key::LimitNewOrderPerAccount,
        "new_order_per_address" => Key::LimitNewOrderPerAddress,
        "failed_validation_per_account" => Key::LimitFailedValidationPerAccount,
        other => return other.to_owned(),
    };
    tr(locale, key).to_owned()
}

#[component]
pub fn AcmeLimitsPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(Key::LimitsTitle);
    let limits = LocalResource::new(api::acme_limits);
    view! {
        <section class="container page" data-testid="acme-limits-page">
            <div class="page-head">
                <h1>{move || i18n.t(Key::LimitsTitle)}</h1>
                <p class="page-lead">{move || i18n.t(Key::LimitsLead)}</p>
            </div>
            {move || match limits.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="acme-limits-error"/>
                }.into_any(),
                Some(Ok(l)) => view! { <LimitsView limits=l/> }.into_any(),
            }}
            <ProfileList/>
        </section>
    }
}

#[component]
fn LimitsView(limits: AcmeLimits) -> impl IntoView {
    let i18n = use_i18n();
    let secs = limits.retry_after_secs.to_string();
    let (orders, authzs) = (
        limits.order_lifetime_days,
        limits.authorization_lifetime_days,
    );
    view! {
        <div class="grid-2">
            <section class="card" aria-labelledby="limits-directory-title">
                <h2 id="limits-directory-title">{move || i18n.t(Key::LimitsDirectory)}</h2>
                <p><code class="mono" data-testid="limits-directory">{limits.directory_url.clone()}</code></p>
            </section>
            <section class="card" aria-labelledby="limits-polling-title">
                <h2 id="limits-polling-title">{move || i18n.t(Key::LimitsPollingTitle)}</h2>
                <p data-testid="limits-retry-after">{move || i18n.tf(Key::LimitsPollingBody, &[("secs", &secs)])}</p>
            </section>
        </div>
        <section class="card section-card" aria-labelledby="limits-rate-title">
            <h2 id="limits-rate-title">{move || i18n.t(Key::LimitsRateTitle)}</h2>
            <p>{move || i18n.t(Key::LimitsRateLead)}</p>
            <div class="table-wrap">
                <table class="table" data-testid="limit-list">
                    <thead><tr>
                        <th scope="col">{move || i18n.t(Key::ColLimit)}</th>
                        <th scope="col">{move || i18n.t(Key::ColLimitMax)}</th>
                    </tr></thead>
                    <tbody>
                        {limits.rate_limits.into_iter().map(|r| {
                            let name = r.name.clone();
                            let (max, window) = (r.max.to_string(), r.window_secs);
                            view! {
                                <tr data-testid="limit-row" data-limit=r.name.clone()>
                                    <td data-label=move || i18n.t(Key::ColLimit)>{move || limit_label(i18n.locale(), &name)}</td>
                                    <td data-label=move || i18n.t(Key::ColLimitMax) class="nowrap">
                                        {move || i18n.tf(Key::LimitPerWindow, &[("max", &max), ("window", &window_text(i18n.locale(), window))])}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <section class="card section-card" aria-labelledby="limits-other-title">
            <h2 id="limits-other-title">{move || i18n.t(Key::LimitsOtherTitle)}</h2>
            <dl class="facts">
                <dt>{move || i18n.t(Key::LimitsMaxIdentifiers)}</dt>
                <dd data-testid="limits-max-identifiers">{limits.max_identifiers_per_order}</dd>
                <dt>{move || i18n.t(Key::LimitsOrderLifetime)}</dt>
                <dd>{move || days_text(i18n.locale(), orders)}</dd>
                <dt>{move || i18n.t(Key::LimitsAuthzLifetime)}</dt>
                <dd>{move || days_text(i18n.locale(), authzs)}</dd>
            </dl>
            <p class="muted small">{move || i18n.t(Key::LimitsLanguageNote)}</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_use_the_largest_whole_unit() {
        for (secs, ja, en) in [
            (1, "1秒", "1 second"),
            (90, "90秒", "90 seconds"),
            (60, "1分", "1 minute"),
            (300, "5分", "5 minutes"),
            (3600, "1時間", "1 hour"),
            (7200, "2時間", "2 hours"),
            (86_400, "1日", "1 day"),
            (604_800, "7日", "7 days"),
        ] {
            assert_eq!(window_text(Locale::Ja, secs), ja);
            assert_eq!(window_text(Locale::En, secs), en);
        }
    }

    #[test]
    fn limits_are_named_by_what_they_count() {
        assert_eq!(
            limit_label(Locale::Ja, "new_order_per_account"),
            "新規オーダー(ACMEアカウントごと)"
        );
        assert_eq!(
            limit_label(Locale::En, "new_account_per_address"),
            "New accounts (per client address)"
        );
        assert_eq!(limit_label(Locale::En, "future_limit"), "future_limit");
    }
}
