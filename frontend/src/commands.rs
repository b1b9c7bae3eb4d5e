//! Ready-made ACME client command lines for one usage FQDN: what the customer runs once the name
//! is paid for (certbot, lego and acme.sh, each with http-01 and dns-01; a wildcard only with
//! dns-01, R-VAL-1). Pure functions, unit-tested on the host; the components in
//! `components/commands.rs` only show them.
//!
//! The HMAC key is never written into a line: the commands read it from the shell variable
//! `EAB_HMAC_KEY`, which the customer sets from the copy button next to the command, so the
//! secret stays out of screenshots and shell history files.

use shared::fqdn::CertType;

/// The shell variable the commands read the EAB HMAC key from.
pub const HMAC_VARIABLE: &str = "EAB_HMAC_KEY";

/// Where the http-01 commands put the challenge files (the usual web root; the customer
/// changes it for another server layout).
pub const WEBROOT: &str = "/var/www/html";

/// The ACME clients the portal writes commands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    Certbot,
    Lego,
    AcmeSh,
}

impl Client {
    pub const ALL: [Client; 3] = [Client::Certbot, Client::Lego, Client::AcmeSh];

    /// The client's name as its users write it.
    pub fn name(self) -> &'static str {
        match self {
            Client::Certbot => "certbot",
            Client::Lego => "lego",
            Client::AcmeSh => "acme.sh",
        }
    }

    /// A name usable in ids and `data-testid`s (`acme-sh`).
    pub fn slug(self) -> &'static str {
        match self {
            Client::Certbot => "certbot",
            Client::Lego => "lego",
            Client::AcmeSh => "acme-sh",
        }
    }
}

/// The validation methods the commands use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Challenge {
    Http01,
    Dns01,
}

impl Challenge {
    pub fn name(self) -> &'static str {
        match self {
            Challenge::Http01 => "http-01",
            Challenge::Dns01 => "dns-01",
        }
    }

    /// The methods a registration of `cert_type` can use: http-01 is not offered for wildcard
    /// names (R-VAL-1).
    pub fn offered(cert_type: CertType) -> &'static [Challenge] {
        match cert_type {
            CertType::Dv => &[Challenge::Http01, Challenge::Dns01],
            CertType::DvWildcard => &[Challenge::Dns01],
        }
    }
}

/// What a command is filled with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueInputs {
    /// The ACME directory URL.
    pub directory_url: String,
    /// The EAB key ID.
    pub key_id: String,
    /// The contact address for the ACME account.
    pub email: String,
    /// The name to obtain a certificate for, A-label form (`*.example.jp` for a wildcard).
    pub fqdn: String,
}

/// Quotes `s` for a POSIX shell when it holds anything but safe characters.
pub fn sh_quote(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_.,:/@+=%".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The name a certificate command asks for: the registration's name, with `*.` for a wildcard
/// (`example.jp` typed with the wildcard type means `*.example.jp`).
pub fn certificate_name(fqdn: &str, cert_type: CertType) -> String {
    match cert_type {
        CertType::DvWildcard if !fqdn.starts_with("*.") => format!("*.{fqdn}"),
        _ => fqdn.to_owned(),
    }
}

/// The command line that registers the ACME account with the EAB (if not yet done) and obtains
/// a certificate for `inputs.fqdn` with `challenge`.
pub fn issue_command(client: Client, challenge: Challenge, inputs: &IssueInputs) -> String {
    let dir = sh_quote(&inputs.directory_url);
    let kid = sh_quote(&inputs.key_id);
    let email = sh_quote(&inputs.email);
    let name = sh_quote(&inputs.fqdn);
    let hmac = format!("\"${HMAC_VARIABLE}\"");
    match (client, challenge) {
        (Client::Certbot, _) => {
            let how = match challenge {
                Challenge::Http01 => format!("--webroot -w {WEBROOT}"),
                Challenge::Dns01 => "--manual --preferred-challenges dns".to_owned(),
            };
            format!(
                "certbot certonly --server {dir} --eab-kid {kid} --eab-hmac-key {hmac} --email {email} --agree-tos --no-eff-email {how} -d {name}"
            )
        }
        (Client::Lego, _) => {
            let how = match challenge {
                Challenge::Http01 => format!("--http --http.webroot {WEBROOT}"),
                Challenge::Dns01 => "--dns manual".to_owned(),
            };
            format!(
                "lego --server {dir} --eab --kid {kid} --hmac {hmac} --email {email} --accept-tos --domains {name} {how} run"
            )
        }
        (Client::AcmeSh, _) => {
            let how = match challenge {
                Challenge::Http01 => format!("-w {WEBROOT}"),
                Challenge::Dns01 => {
                    "--dns --yes-I-know-dns-manual-mode-enough-go-ahead-please".to_owned()
                }
            };
            format!(
                "acme.sh --register-account --server {dir} --eab-kid {kid} --eab-hmac-key {hmac} -m {email} && acme.sh --issue --server {dir} -d {name} {how}"
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(fqdn: &str) -> IssueInputs {
        IssueInputs {
            directory_url: "https://ca.example.jp/acme/directory".into(),
            key_id: "kid-123".into(),
            email: "taro@example.jp".into(),
            fqdn: fqdn.into(),
        }
    }

    /// Every command for a registration of `cert_type`: each client with each offered method.
    fn all(cert_type: CertType, inputs: &IssueInputs) -> Vec<(Client, Challenge, String)> {
        Client::ALL
            .iter()
            .flat_map(|&client| {
                Challenge::offered(cert_type)
                    .iter()
                    .map(move |&m| (client, m, issue_command(client, m, inputs)))
            })
            .collect()
    }

    #[test]
    fn a_dv_name_gets_every_client_with_both_methods() {
        let all = all(CertType::Dv, &inputs("xn--r8jz45g.jp"));
        assert_eq!(all.len(), 6);
        for (client, _, cmd) in &all {
            assert!(
                cmd.contains("https://ca.example.jp/acme/directory"),
                "{cmd}"
            );
            assert!(cmd.contains("kid-123"), "{cmd}");
            assert!(cmd.contains("\"$EAB_HMAC_KEY\""), "{cmd}");
            assert!(cmd.contains("xn--r8jz45g.jp"), "{cmd}");
            assert!(cmd.starts_with(client.name()), "{cmd}");
        }
        assert_eq!(
            issue_command(Client::Certbot, Challenge::Http01, &inputs("example.jp")),
            "certbot certonly --server https://ca.example.jp/acme/directory --eab-kid kid-123 \
             --eab-hmac-key \"$EAB_HMAC_KEY\" --email taro@example.jp --agree-tos --no-eff-email \
             --webroot -w /var/www/html -d example.jp"
        );
        assert!(
            issue_command(Client::Lego, Challenge::Dns01, &inputs("example.jp"))
                .ends_with("--domains example.jp --dns manual run")
        );
        let acme_sh = issue_command(Client::AcmeSh, Challenge::Http01, &inputs("example.jp"));
        assert!(
            acme_sh.starts_with("acme.sh --register-account"),
            "{acme_sh}"
        );
        assert!(acme_sh.contains("&& acme.sh --issue"), "{acme_sh}");
    }

    #[test]
    fn a_wildcard_is_dns_only_and_quoted() {
        let all = all(CertType::DvWildcard, &inputs("*.example.jp"));
        assert_eq!(all.len(), 3);
        assert!(all.iter().all(|(_, m, _)| *m == Challenge::Dns01));
        for (_, _, cmd) in &all {
            assert!(cmd.contains("'*.example.jp'"), "{cmd}");
        }
        assert_eq!(
            Challenge::offered(CertType::Dv),
            [Challenge::Http01, Challenge::Dns01]
        );
    }

    #[test]
    fn names_and_quoting() {
        assert_eq!(
            certificate_name("example.jp", CertType::DvWildcard),
            "*.example.jp"
        );
        assert_eq!(
            certificate_name("*.example.jp", CertType::DvWildcard),
            "*.example.jp"
        );
        assert_eq!(certificate_name("example.jp", CertType::Dv), "example.jp");
        assert_eq!(sh_quote("a@b.jp"), "a@b.jp");
        assert_eq!(sh_quote("o'brien@b.jp"), r"'o'\''brien@b.jp'");
        assert_eq!(sh_quote(""), "''");
        assert_eq!(Client::AcmeSh.slug(), "acme-sh");
    }
}
