//! ACME client command lines on screen: the account commands of the ACME page (`CommandList`)
//! and "now run this for the name you just bought" (`IssueCommands`), built by `crate::commands`.

use leptos::prelude::*;
use shared::acme::ClientCommand;
use shared::fqdn::CertType;

use crate::api;
use crate::commands::{
    certificate_name, issue_command, Challenge, Client, IssueInputs, HMAC_VARIABLE,
};
use crate::components::copy::CopyButton;
use crate::components::notice::{ErrorNotice, Loading};
use crate::context::{use_i18n, use_session};
use crate::i18n::{error_message, Key};

/// The `data-testid` of a client's command line (`command-acme.sh`).
pub fn command_testid(client: &str) -> String {
    format!("command-{client}")
}

/// One command line with its copy button.
#[component]
pub fn CommandLine(command: String, testid: String, client: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="copy-row">
            <pre class="command-line"><code data-testid=testid.clone()>{command.clone()}</code></pre>
            <CopyButton text=command testid=format!("{testid}-copy")
                label=Signal::derive(move || i18n.tf(Key::CopyCommandOf, &[("client", &client)]))/>
        </div>
    }
}

/// The account registration commands the server wrote for the customer (ACME page).
#[component]
pub fn CommandList(commands: Vec<ClientCommand>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card section-card" aria-labelledby="commands-title" data-testid="acme-commands">
            <h2 id="commands-title">{move || i18n.t(Key::CommandsTitle)}</h2>
            <p>{move || i18n.t(Key::CommandsLead)}</p>
            {commands.into_iter().map(|cmd| {
                let is_lego = cmd.client == "lego";
                view! {
                    <div class="command">
                        <h3 class="command-client">{cmd.client.clone()}</h3>
                        {is_lego.then(|| view! { <p class="muted small">{move || i18n.t(Key::CommandsLegoNote)}</p> })}
                        <CommandLine command=cmd.command testid=command_testid(&cmd.client) client=cmd.client/>
                    </div>
                }
            }).collect_view()}
        </section>
    }
}

/// "Now run this command for the name you just bought": one command at a time, chosen by
/// client (certbot, lego, acme.sh) and method (http-01, dns-01; a wildcard only dns-01), filled
/// with the directory URL, the EAB key ID and the account's email. The HMAC key is read from a
/// shell variable and has its own copy button.
#[component]
pub fn IssueCommands(
    /// The registration's name, A-label form (without `*.`, or with it).
    fqdn: String,
    cert_type: CertType,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let application = LocalResource::new(move || async move {
        let result = api::acme_application().await;
        if let Err(e) = &result {
            session.forget_if_logged_out(e);
        }
        result
    });
    let name = certificate_name(&fqdn, cert_type);
    let client = RwSignal::new(Client::Certbot);
    let challenge = RwSignal::new(Challenge::offered(cert_type)[0]);
    let shown_name = name.clone();
    let attr_name = name.clone();
    view! {
        <section class="card section-card issue-commands" aria-labelledby="issue-commands-title" data-testid="issue-commands"
            data-fqdn=attr_name>
            <h2 id="issue-commands-title">{move || i18n.t(Key::IssueTitle)}</h2>
            <p>{move || i18n.t(Key::IssueLead)}" "<span class="domain mono" data-testid="issue-commands-name">{shown_name.clone()}</span></p>
            {move || match application.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorNotice message=Signal::derive(move || Some(error_message(i18n.locale(), &e))) testid="issue-commands-error"/>
                }.into_any(),
                Some(Ok(None)) => view! {
                    <p data-testid="issue-commands-no-eab">{move || i18n.t(Key::IssueNeedsApplication)}</p>
                }.into_any(),
                Some(Ok(Some(app))) => {
                    let email = session.me.with_untracked(|me| me.as_ref().map(|m| m.email.clone()).unwrap_or_default());
                    let inputs = IssueInputs {
                        directory_url: app.directory_url.clone(),
                        key_id: app.eab.key_id.clone(),
                        email,
                        fqdn: name.clone(),
                    };
                    let hmac = app.eab.hmac_key.clone();
                    let expired = app.eab.expired;
                    view! {
                        <div class="choice-row">
                            <fieldset class="choice">
                                <legend>{move || i18n.t(Key::IssueClientLabel)}</legend>
                                {Client::ALL.into_iter().map(|c| view! {
                                    <label class="choice-option">
                                        <input type="radio" name="issue-client" value=c.slug()
                                            data-testid=format!("issue-client-{}", c.slug())
                                            prop:checked=move || client.get() == c
                                            on:change=move |_| client.set(c)/>
                                        <span>{c.name()}</span>
                                    </label>
                                }).collect_view()}
                            </fieldset>
                            <fieldset class="choice">
                                <legend>{move || i18n.t(Key::IssueChallengeLabel)}</legend>
                                {Challenge::offered(cert_type).iter().map(|&m| view! {
                                    <label class="choice-option">
                                        <input type="radio" name="issue-challenge" value=m.name()
                                            data-testid=format!("issue-challenge-{}", m.name())
                                            prop:checked=move || challenge.get() == m
                                            on:change=move |_| challenge.set(m)/>
                                        <span>{m.name()}</span>
                                    </label>
                                }).collect_view()}
                            </fieldset>
                        </div>
                        {(cert_type == CertType::DvWildcard).then(|| view! {
                            <p class="muted small" data-testid="issue-wildcard-note">{move || i18n.t(Key::IssueWildcardDnsOnly)}</p>
                        })}
                        <p class="muted small">{move || i18n.t(match challenge.get() {
                            Challenge::Http01 => Key::IssueHttpNote,
                            Challenge::Dns01 => Key::IssueDnsNote,
                        })}</p>
                        {move || {
                            let c = client.get();
                            let m = challenge.get();
                            let line = issue_command(c, m, &inputs);
                            view! {
                                <div class="command" data-client=c.slug() data-challenge=m.name()>
                                    <CommandLine command=line testid="issue-command".to_owned() client=c.name().to_owned()/>
                                </div>
                            }
                        }}
                        <div class="issue-hmac">
                            <p class="small">{move || i18n.tf(Key::IssueHmacNote, &[("var", HMAC_VARIABLE)])}</p>
                            {match hmac {
                                Some(key) if !expired => view! {
                                    <CopyButton text=key testid="issue-hmac-copy".to_owned()
                                        label=Signal::derive(move || i18n.tf(Key::CopyLabel, &[("what", i18n.t(Key::EabHmacLabel))]))/>
                                }.into_any(),
                                _ => view! {
                                    <p class="small"><a href="/mypage/acme#eab">{move || i18n.t(Key::IssueHmacOnAcmePage)}</a></p>
                                }.into_any(),
                            }}
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_testids_follow_the_client_name() {
        assert_eq!(command_testid("acme.sh"), "command-acme.sh");
        assert_eq!(command_testid("certbot"), "command-certbot");
    }
}
