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

/// Defines a status enum with its one string conversion (`as_str` / `parse`) and serde names.
macro_rules! status_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $(#[serde(rename = $text)] $variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The wire and database form.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

status_enum! {
    /// An ACME order's status (RFC 8555 §7.1.6). Only `pending` (as stored), `processing`,
    /// `valid` and `invalid` are stored; `ready` and the effects of expiry are derived.
    OrderStatus {
        Pending => "pending",
        Ready => "ready",
        Processing => "processing",
        Valid => "valid",
        Invalid => "invalid",
    }
}

status_enum! {
    /// An ACME authorization's status (RFC 8555 §7.1.6). `expired` is never stored: it is a
    /// valid authorization seen after its expiry.
    AuthzStatus {
        Pending => "pending",
        Valid => "valid",
        Invalid => "invalid",
        Deactivated => "deactivated",
        Expired => "expired",
        Revoked => "revoked",
    }
}

status_enum! {
    /// An ACME challenge's status (RFC 8555 §7.1.6).
    ChallengeStatus {
        Pending => "pending",
        Processing => "processing",
        Valid => "valid",
        Invalid => "invalid",
    }
}

status_enum! {
    /// The challenge types this CA offers (RFC 8555 §8; dns-persist-01 from
    /// draft-ietf-acme-dns-persist, R-VAL-10).
    ChallengeType {
        Http01 => "http-01",
        Dns01 => "dns-01",
        DnsPersist01 => "dns-persist-01",
    }
}

impl OrderStatus {
    /// Whether a stored order may move `self → to` (RFC 8555 §7.1.6): finalize claims a pending
    /// (ready) order, issuance completes or fails a processing one, and a pending order may fail.
    pub fn can_become(self, to: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, to),
            (Pending, Processing)
                | (Pending, Invalid)
                | (Processing, Valid)
                | (Processing, Invalid)
        )
    }

    /// The order's status as a client sees it, from what is stored, whether the order has
    /// expired, and its authorizations' statuses as seen now.
    pub fn derive(
        stored: OrderStatus,
        expired: bool,
        authorizations: &[AuthzStatus],
    ) -> OrderStatus {
        match stored {
            OrderStatus::Processing | OrderStatus::Valid | OrderStatus::Invalid => return stored,
            OrderStatus::Pending | OrderStatus::Ready => {}
        }
        if expired
            || authorizations.iter().any(|s| {
                matches!(
                    s,
                    AuthzStatus::Invalid
                        | AuthzStatus::Deactivated
                        | AuthzStatus::Expired
                        | AuthzStatus::Revoked
                )
            })
        {
            OrderStatus::Invalid
        } else if !authorizations.is_empty()
            && authorizations.iter().all(|s| *s == AuthzStatus::Valid)
        {
            OrderStatus::Ready
        } else {
            OrderStatus::Pending
        }
    }
}

impl AuthzStatus {
    /// Whether a stored authorization may move `self → to`: validation decides a pending one,
    /// and the client may deactivate a pending or valid one (RFC 8555 §7.5.2).
    pub fn can_become(self, to: AuthzStatus) -> bool {
        use AuthzStatus::*;
        matches!(
            (self, to),
            (Pending, Valid) | (Pending, Invalid) | (Pending, Deactivated) | (Valid, Deactivated)
        )
    }

    /// The status a client sees at a time: a pending authorization past its expiry is
    /// `invalid`, a valid one `expired` (R-ACME-5).
    pub fn seen(self, expired: bool) -> AuthzStatus {
        match self {
            AuthzStatus::Pending if expired => AuthzStatus::Invalid,
            AuthzStatus::Valid if expired => AuthzStatus::Expired,
            other => other,
        }
    }
}

impl ChallengeStatus {
    /// Whether a challenge may move `self → to`: the client's answer starts validation, and
    /// the validator decides it.
    pub fn can_become(self, to: ChallengeStatus) -> bool {
        use ChallengeStatus::*;
        matches!(
            (self, to),
            (Pending, Processing) | (Processing, Valid) | (Processing, Invalid)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8555 §7.1.6, one row per case: stored status, expired, authorizations → seen status.
    #[test]
    fn order_status_is_derived_from_its_authorizations() {
        use AuthzStatus as A;
        use OrderStatus as O;
        let rows: &[(O, bool, &[A], O)] = &[
            (O::Pending, false, &[A::Pending, A::Valid], O::Pending),
            (O::Pending, false, &[A::Valid, A::Valid], O::Ready),
            (O::Pending, false, &[A::Valid, A::Invalid], O::Invalid),
            (O::Pending, false, &[A::Expired], O::Invalid),
            (O::Pending, false, &[A::Deactivated], O::Invalid),
            (O::Pending, true, &[A::Valid], O::Invalid),
            (O::Pending, false, &[], O::Pending),
            (O::Processing, false, &[A::Valid], O::Processing),
            (O::Valid, true, &[A::Valid], O::Valid),
            (O::Invalid, false, &[A::Valid], O::Invalid),
        ];
        for (stored, expired, authzs, want) in rows {
            assert_eq!(
                OrderStatus::derive(*stored, *expired, authzs),
                *want,
                "{stored} {expired} {authzs:?}"
            );
        }
    }

    #[test]
    fn statuses_round_trip_and_transitions_are_the_allowed_ones() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for s in AuthzStatus::ALL {
            assert_eq!(AuthzStatus::parse(s.as_str()), Some(*s));
        }
        for s in ChallengeStatus::ALL {
            assert_eq!(ChallengeStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(ChallengeType::parse("http-01"), Some(ChallengeType::Http01));
        assert_eq!(
            ChallengeType::parse("dns-persist-01"),
            Some(ChallengeType::DnsPersist01)
        );
        assert!(OrderStatus::Pending.can_become(OrderStatus::Processing));
        assert!(!OrderStatus::Valid.can_become(OrderStatus::Processing));
        assert!(!OrderStatus::Processing.can_become(OrderStatus::Pending));
        assert!(AuthzStatus::Valid.can_become(AuthzStatus::Deactivated));
        assert!(!AuthzStatus::Invalid.can_become(AuthzStatus::Valid));
        assert!(ChallengeStatus::Pending.can_become(ChallengeStatus::Processing));
        assert!(!ChallengeStatus::Valid.can_become(ChallengeStatus::Invalid));
        assert_eq!(AuthzStatus::Valid.seen(true), AuthzStatus::Expired);
        assert_eq!(AuthzStatus::Pending.seen(true), AuthzStatus::Invalid);
        assert_eq!(
            AuthzStatus::Deactivated.seen(true),
            AuthzStatus::Deactivated
        );
    }

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
