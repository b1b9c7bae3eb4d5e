//! ACME-side values the portal shows: ready-made client command lines.

use serde::{Deserialize, Serialize};

/// A command line for one ACME client, with the customer's EAB filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientCommand {
    /// `certbot`, `lego` or `acme.sh`.
    pub client: String,
    pub command: String,
}

/// Quotes `s` for a POSIX shell when it holds anything but safe characters.
fn sh_quote(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_.,:/@+=%".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The account registration command lines for certbot, lego and acme.sh. `fqdn` is used by lego,
/// which registers as part of its first order.
pub fn client_commands(
    directory_url: &str,
    key_id: &str,
    hmac_key: &str,
    email: &str,
    fqdn: &str,
) -> Vec<ClientCommand> {
    let (dir, kid, hmac, email, fqdn) = (
        sh_quote(directory_url),
        sh_quote(key_id),
        sh_quote(hmac_key),
        sh_quote(email),
        sh_quote(fqdn),
    );
    vec![
        ClientCommand {
            client: "certbot".into(),
            command: format!(
                "certbot register --server {dir} --eab-kid {kid} --eab-hmac-key {hmac} --email {email} --agree-tos --no-eff-email"
            ),
        },
        ClientCommand {
            client: "lego".into(),
            command: format!(
                "lego --server {dir} --eab --kid {kid} --hmac {hmac} --email {email} --accept-tos --domains {fqdn} --http run"
            ),
        },
        ClientCommand {
            client: "acme.sh".into(),
            command: format!("acme.sh --register-account --server {dir} --eab-kid {kid} --eab-hmac-key {hmac} -m {email}"),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_carry_the_eab_and_quote_what_needs_it() {
        let cmds = client_commands(
            "https://ca.example.jp/acme/directory",
            "kid123",
            "hmac-_x",
            "a@b.jp",
            "example.jp",
        );
        assert_eq!(cmds.len(), 3);
        assert_eq!(
            cmds[0].command,
            "certbot register --server https://ca.example.jp/acme/directory --eab-kid kid123 --eab-hmac-key hmac-_x --email a@b.jp --agree-tos --no-eff-email"
        );
        assert!(cmds[1]
            .command
            .contains("--eab --kid kid123 --hmac hmac-_x"));
        assert!(cmds[2].command.starts_with("acme.sh --register-account"));
        let odd = client_commands(
            "https://x/acme/directory",
            "k",
            "h",
            "o'brien@example.jp",
            "x.jp",
        );
        assert!(
            odd[0].command.contains(r"--email 'o'\''brien@example.jp'"),
            "{}",
            odd[0].command
        );
    }
}
