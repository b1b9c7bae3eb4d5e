//! The ACME certificate profiles (R-ACME-9) with the option each ACME client takes to ask for
//! one (certbot `--preferred-profile`, lego `--profile`, acme.sh `--cert-profile`). Shown on
//! `/mypage/acme` and on `/acme-limits`, the directory's `meta.website`.

use leptos::prelude::*;
use shared::dto::{AcmeProfileInfo, Locale};

use crate::api;
use crate::components::notice::{ErrorNotice, Loading};
use crate::context::use_i18n;
use crate::i18n::{error_message, tr, trf, Key};

/// The command-line option of each client that asks for `profile`.
pub fn client_flags(profile: &str) -> [(&'static str, String); 3] {
    [
        ("certbot", format!("--preferred-profile {profile}")),
        ("lego", format!("--profile {profile}")),
        ("acme.sh", format!("--cert-profile {profile}")),
    ]
}

/// `6` → 「6日」 / "6 days".
pub fn days_text(locale: Locale, days: i64) -> String {
    if days == 1 {
        tr(locale, Key::OneDay).to_owned()
    } else {
        trf(locale, Key::Days, &[("n", &days.to_string())])
    }
}

/// The products a profile is for, in the reader's language.
pub fn products_text(locale: Locale, profile: &AcmeProfileInfo) -> String {
    let sep = match locale {
        Locale::Ja => "、",
        Locale::En => ", ",
    };
    profile
        .products
        .iter()
        .map(|t| t.label(locale))
        .collect::<Vec<_>>()
        .join(sep)
}

/// The profiles as a table, loaded from `GET /api/v1/acme/profiles`.
#[component]
pub fn ProfileList() -> impl IntoView {
    let i18n = use_i18n();
    let profiles = LocalResource::new(api::acme_profiles);
    view! {
        <section class="card section-card" id="profiles" aria-labelledby="profiles-title" data-testid="acme-profiles">
            <h2 id="profiles-title">{move || i18n.t(Key::ProfilesTitle)}</h2>
            {move || match profiles.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="acme-profiles-error"/>
                }.into_any(),
                Some(Ok(list)) => {
                    let default_name = list.iter().find(|p| p.default).map(|p| p.name.clone()).unwrap_or_default();
                    view! {
                        <p>{move || i18n.tf(Key::ProfilesLead, &[("name", &default_name)])}</p>
                        <div class="table-wrap">
                            <table class="table" data-testid="profile-list">
                                <thead><tr>
                                    <th scope="col">{move || i18n.t(Key::ProfileLabel)}</th>
                                    <th scope="col">{move || i18n.t(Key::ColDescription)}</th>
                                    <th scope="col">{move || i18n.t(Key::ColValidity)}</th>
                                    <th scope="col">{move || i18n.t(Key::ColProducts)}</th>
                                    <th scope="col">{move || i18n.t(Key::ColClientFlags)}</th>
                                </tr></thead>
                                <tbody>{list.into_iter().map(profile_row).collect_view()}</tbody>
                            </table>
                        </div>
                    }.into_any()
                }
            }}
            <p class="muted small">{move || i18n.t(Key::ProfilesNote)}</p>
        </section>
    }
}

fn profile_row(profile: AcmeProfileInfo) -> impl IntoView {
    let i18n = use_i18n();
    let (ja, en) = (
        profile.description_ja.clone(),
        profile.description_en.clone(),
    );
    let days = profile.validity_days;
    let products = profile.clone();
    view! {
        <tr data-testid="profile-row" data-profile=profile.name.clone()>
            <td data-label=move || i18n.t(Key::ProfileLabel)>
                <code class="mono" data-testid="profile-name">{profile.name.clone()}</code>
                {profile.default.then(|| view! {
                    " "<span class="badge badge-ok" data-testid="profile-default">{move || i18n.t(Key::ProfileDefault)}</span>
                })}
                {profile.short_lived.then(|| view! {
                    " "<span class="badge badge-info">{move || i18n.t(Key::ProfileShortLived)}</span>
                })}
            </td>
            <td data-label=move || i18n.t(Key::ColDescription)>
                {move || if i18n.locale() == Locale::Ja { ja.clone() } else { en.clone() }}
            </td>
            <td class="nowrap" data-label=move || i18n.t(Key::ColValidity) data-testid="profile-days">
                {move || days_text(i18n.locale(), days)}
            </td>
            <td data-label=move || i18n.t(Key::ColProducts)>{move || products_text(i18n.locale(), &products)}</td>
            <td data-label=move || i18n.t(Key::ColClientFlags)>
                <ul class="coverage">
                    {client_flags(&profile.name).into_iter().map(|(client, flag)| view! {
                        <li><span class="muted small">{client}</span>" "
                            <code class="mono" data-testid=format!("profile-flag-{client}")>{flag}</code></li>
                    }).collect_view()}
                </ul>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::fqdn::CertType;

    #[test]
    fn each_client_has_its_option() {
        let flags = client_flags("shortlived");
        assert_eq!(
            flags[0],
            ("certbot", "--preferred-profile shortlived".to_owned())
        );
        assert_eq!(flags[1], ("lego", "--profile shortlived".to_owned()));
        assert_eq!(
            flags[2],
            ("acme.sh", "--cert-profile shortlived".to_owned())
        );
    }

    #[test]
    fn days_and_products_are_worded() {
        assert_eq!(days_text(Locale::Ja, 6), "6日");
        assert_eq!(days_text(Locale::En, 6), "6 days");
        assert_eq!(days_text(Locale::En, 1), "1 day");
        let p = AcmeProfileInfo {
            name: "classic".into(),
            description_ja: "標準".into(),
            description_en: "Classic".into(),
            validity_days: 90,
            products: vec![CertType::Dv, CertType::DvWildcard],
            short_lived: false,
            default: true,
        };
        assert_eq!(
            products_text(Locale::Ja, &p),
            "ドメイン認証型(DV)、ドメイン認証型(DV・ワイルドカード)"
        );
        assert!(products_text(Locale::En, &p).contains(", "));
    }
}
