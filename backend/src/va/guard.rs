//! The one address guard every validation connection goes through (R-VAL-4). An allow-list:
//! IPv6 only inside the global unicast block 2000::/3 and outside the IANA IPv6 special-purpose
//! registry; every IPv4 address an IPv6 address carries (IPv4-compatible, IPv4-mapped, 6to4,
//! Teredo, NAT64) is checked as the IPv4 address it reaches; IPv4 outside the IANA IPv4
//! special-purpose registry and multicast.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::cidr::Cidr;

/// The IANA IPv4 Special-Purpose Address Registry (RFC 6890 and successors), plus multicast
/// (224.0.0.0/4): none of it is a public unicast destination for validation.
const V4_REFUSED: [(Cidr, &str); 19] = [
    (
        Cidr::v4(Ipv4Addr::new(0, 0, 0, 0), 8),
        "\"this network\" (0.0.0.0/8)",
    ),
    (
        Cidr::v4(Ipv4Addr::new(10, 0, 0, 0), 8),
        "private (10.0.0.0/8)",
    ),
    (
        Cidr::v4(Ipv4Addr::new(100, 64, 0, 0), 10),
        "shared carrier-grade NAT space (100.64.0.0/10)",
    ),
    (
        Cidr::v4(Ipv4Addr::new(127, 0, 0, 0), 8),
        "loopback (127.0.0.0/8)",
    ),
    (
        Cidr::v4(Ipv4Addr::new(169, 254, 0, 0), 16),
        "link-local (169.254.0.0/16)",
    ),
    (
        Cidr::v4(Ipv4Addr::new(172, 16, 0, 0), 12),
        "private (172.16.0.0/12)",
    ),
    (
        Cidr::v4(Ipv4Addr::new(192, 0, 0, 0), 24),
        "IETF protocol assignments (192.0.0.0/24)",
    ),
    (
        Cidr::v4(Ipv4Addr::new(192, 0, 2, 0), 24),
        "documentation (192.0.2.0/24)",
    ),
    (
        Cidr::v4(Ipv4Addr::new(192, 31, 196, 0), 24),
        "AS112-v4 (192.31.196.0/24)",
    ),
    (
        Cidr::v4(Ipv4Addr::new(192, 52, 193, 0), 24),
        "AMT (192.52.193.0/24)",
    ),
    (
        Cidr::v4(Ipv4Addr::new(192, 88, 99, 0), 24),
        "deprecated 6to4 relay anycast (192.88.99.0/24)",
    ),
    (
        Cidr::v4(Ipv4Addr::new(192, 168, 0, 0), 16),
        "private (192.168.0.0/16)",
    ),
    (
        Cidr::v4(Ipv4Addr::new(192, 175, 48, 0), 24),
        "direct delegation AS112 service (192.175.48.0/24)",
    ),
    (
        Cidr::v4(Ipv4Addr::new(198, 18, 0, 0), 15),
        "benchmarking (198.18.0.0/15)",
    ),
    (
        Cidr::v4(Ipv4Addr::new(198, 51, 100, 0), 24),
        "documentation (198.51.100.0/24)",
    ),
    (
        Cidr::v4(Ipv4Addr::new(203, 0, 113, 0), 24),
        "documentation (203.0.113.0/24)",
    ),
    (
        Cidr::v4(Ipv4Addr::new(224, 0, 0, 0), 4),
        "multicast (224.0.0.0/4)",
    ),
    (
        Cidr::v4(Ipv4Addr::new(255, 255, 255, 255), 32),
        "limited broadcast (255.255.255.255/32)",
    ),
    (
        Cidr::v4(Ipv4Addr::new(240, 0, 0, 0), 4),
        "reserved (240.0.0.0/4)",
    ),
];

/// The IANA IPv6 Special-Purpose Address Registry entries inside 2000::/3 (everything outside
/// 2000::/3 is refused before these are looked at), the more specific blocks first so that a
/// refusal names the most precise reason. The registry marks a few small blocks inside
/// 2001::/23 as globally reachable (anycast services); validation has no business with them
/// either, so all of 2001::/23 is refused.
const V6_REFUSED: [(Cidr, &str); 10] = [
    (
        Cidr::v6(Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 32),
        "Teredo (2001::/32)",
    ),
    (
        Cidr::v6(Ipv6Addr::new(0x2001, 0x2, 0, 0, 0, 0, 0, 0), 48),
        "benchmarking (2001:2::/48)",
    ),
    (
        Cidr::v6(Ipv6Addr::new(0x2001, 0x10, 0, 0, 0, 0, 0, 0), 28),
        "deprecated ORCHID (2001:10::/28)",
    ),
    (
        Cidr::v6(Ipv6Addr::new(0x2001, 0x20, 0, 0, 0, 0, 0, 0), 28),
        "ORCHIDv2 (2001:20::/28)",
    ),
    (
        Cidr::v6(Ipv6Addr::new(0x2001, 0x30, 0, 0, 0, 0, 0, 0), 28),
        "drone remote ID (2001:30::/28)",
    ),
    (
        Cidr::v6(Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23),
        "IETF protocol assignments (2001::/23)",
    ),
    (
        Cidr::v6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32),
        "documentation (2001:db8::/32)",
    ),
    (
        Cidr::v6(Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16),
        "6to4 (2002::/16)",
    ),
    (
        Cidr::v6(Ipv6Addr::new(0x2620, 0x4f, 0x8000, 0, 0, 0, 0, 0), 48),
        "direct delegation AS112 service (2620:4f:8000::/48)",
    ),
    (
        Cidr::v6(Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20),
        "documentation (3fff::/20)",
    ),
];

/// The global unicast block: the only IPv6 space validation connects to.
const V6_GLOBAL: Cidr = Cidr::v6(Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0), 3);

fn v4(a: u16, b: u16) -> Ipv4Addr {
    Ipv4Addr::from((u32::from(a) << 16) | u32::from(b))
}

/// An IPv4 address an IPv6 address carries, and the form that carries it.
fn embedded_v4(v6: Ipv6Addr) -> Option<(Ipv4Addr, &'static str)> {
    let s = v6.segments();
    let low32 = v4(s[6], s[7]);
    if s[..6] == [0, 0, 0, 0, 0, 0xffff] {
        Some((low32, "IPv4-mapped (::ffff:0:0/96)"))
    } else if s[..6] == [0; 6] {
        // :: and ::1 are judged as what they are.
        (u32::from(low32) > 1).then_some((low32, "IPv4-compatible (::/96)"))
    } else if s[0] == 0x2002 {
        Some((v4(s[1], s[2]), "6to4 (2002::/16)"))
    } else if s[0] == 0x2001 && s[1] == 0 {
        // Teredo: the client's address is the last 32 bits, inverted.
        Some((Ipv4Addr::from(!u32::from(low32)), "Teredo (2001::/32)"))
    } else if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        Some((low32, "NAT64 (64:ff9b::/96)"))
    } else if s[..3] == [0x64, 0xff9b, 1] {
        // RFC 6052 with a /48 prefix: 16 bits, the reserved u octet, then 16 bits.
        Some((
            v4(s[3], ((s[4] & 0xff) << 8) | (s[5] >> 8)),
            "local-use NAT64 (64:ff9b:1::/48)",
        ))
    } else {
        None
    }
}

/// Why `ip` is not a public unicast address, if it is not.
pub fn reserved(ip: IpAddr) -> Option<String> {
    match ip {
        IpAddr::V4(v4) => reserved_v4(v4).map(str::to_owned),
        IpAddr::V6(v6) => reserved_v6(v6),
    }
}

fn reserved_v4(ip: Ipv4Addr) -> Option<&'static str> {
    V4_REFUSED
        .iter()
        .find(|(net, _)| net.contains(IpAddr::V4(ip)))
        .map(|(_, why)| *why)
}

fn reserved_v6(ip: Ipv6Addr) -> Option<String> {
    let embedded = embedded_v4(ip);
    if let Some((v4, form)) = embedded {
        if let Some(why) = reserved_v4(v4) {
            return Some(format!("{form} and carries {v4}, which is {why}"));
        }
    }
    let addr = IpAddr::V6(ip);
    if ip.is_unspecified() {
        return Some("unspecified (::/128)".into());
    }
    if ip.is_loopback() {
        return Some("loopback (::1/128)".into());
    }
    if !V6_GLOBAL.contains(addr) {
        let s = ip.segments();
        let kind = if let Some((_, form)) = embedded {
            form
        } else if s[0] & 0xff00 == 0xff00 {
            "multicast (ff00::/8)"
        } else if s[0] & 0xffc0 == 0xfe80 {
            "link-local (fe80::/10)"
        } else if s[0] & 0xffc0 == 0xfec0 {
            "site-local (fec0::/10, deprecated)"
        } else if s[0] & 0xfe00 == 0xfc00 {
            "unique local (fc00::/7, private)"
        } else if s[..4] == [0x100, 0, 0, 0] {
            "discard-only (100::/64)"
        } else {
            "reserved"
        };
        return Some(format!("{kind}, outside the global unicast block 2000::/3"));
    }
    V6_REFUSED
        .iter()
        .find(|(net, _)| net.contains(addr))
        .map(|(_, why)| (*why).to_owned())
}

/// Refuses `ip` unless it is public or configuration allows private addresses
/// (`CERTDIRECT_VA_ALLOW_PRIVATE=1`, for tests and development).
pub fn check(ip: IpAddr, allow_private: bool) -> Result<(), String> {
    match reserved(ip) {
        Some(kind) if !allow_private => Err(format!(
            "the address {ip} is {kind}; validation does not connect to loopback, private or reserved addresses"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(ip: &str) -> String {
        let addr: IpAddr = ip.parse().unwrap();
        let err = check(addr, false).expect_err(ip);
        assert!(err.contains(&addr.to_string()), "{err}");
        assert!(
            check(addr, true).is_ok(),
            "{ip} with private addresses allowed"
        );
        err
    }

    fn allowed(ip: &str) {
        let addr: IpAddr = ip.parse().unwrap();
        assert_eq!(check(addr, false), Ok(()), "{ip}");
    }

    /// R-VAL-4: every block of the IANA IPv4 special-purpose registry (and multicast) is refused
    /// at its first and last address, and the addresses just outside are allowed.
    #[test]
    fn the_ipv4_special_purpose_registry_is_refused() {
        let table: [(&str, &str, &str, &str); 19] = [
            // block, first, last, the public neighbour just outside (or "" when none is public)
            ("0.0.0.0/8", "0.0.0.0", "0.255.255.255", "1.0.0.0"),
            ("10.0.0.0/8", "10.0.0.0", "10.255.255.255", "11.0.0.0"),
            (
                "100.64.0.0/10",
                "100.64.0.0",
                "100.127.255.255",
                "100.128.0.0",
            ),
            ("127.0.0.0/8", "127.0.0.0", "127.255.255.255", "128.0.0.0"),
            (
                "169.254.0.0/16",
                "169.254.0.0",
                "169.254.255.255",
                "169.255.0.0",
            ),
            (
                "172.16.0.0/12",
                "172.16.0.0",
                "172.31.255.255",
                "172.32.0.0",
            ),
            ("192.0.0.0/24", "192.0.0.0", "192.0.0.255", "192.0.1.0"),
            ("192.0.2.0/24", "192.0.2.0", "192.0.2.255", "192.0.3.0"),
            (
                "192.31.196.0/24",
                "192.31.196.0",
                "192.31.196.255",
                "192.31.197.0",
            ),
            (
                "192.52.193.0/24",
                "192.52.193.0",
                "192.52.193.255",
                "192.52.194.0",
            ),
            (
                "192.88.99.0/24",
                "192.88.99.0",
                "192.88.99.255",
                "192.88.100.0",
            ),
            (
                "192.168.0.0/16",
                "192.168.0.0",
                "192.168.255.255",
                "192.169.0.0",
            ),
            (
                "192.175.48.0/24",
                "192.175.48.0",
                "192.175.48.255",
                "192.175.49.0",
            ),
            (
                "198.18.0.0/15",
                "198.18.0.0",
                "198.19.255.255",
                "198.20.0.0",
            ),
            (
                "198.51.100.0/24",
                "198.51.100.0",
                "198.51.100.255",
                "198.51.101.0",
            ),
            (
                "203.0.113.0/24",
                "203.0.113.0",
                "203.0.113.255",
                "203.0.114.0",
            ),
            (
                "224.0.0.0/4",
                "224.0.0.0",
                "239.255.255.255",
                "223.255.255.255",
            ),
            ("240.0.0.0/4", "240.0.0.0", "255.255.255.254", ""),
            (
                "255.255.255.255/32",
                "255.255.255.255",
                "255.255.255.255",
                "",
            ),
        ];
        for (block, first, last, outside) in table {
            for ip in [first, last] {
                let err = refused(ip);
                assert!(err.contains(block), "{ip}: {err}");
            }
            if !outside.is_empty() {
                allowed(outside);
            }
        }
        for ip in ["8.8.8.8", "1.1.1.1", "133.242.0.1", "9.255.255.255"] {
            allowed(ip);
        }
    }

    /// R-VAL-4: IPv6 outside 2000::/3 and the registry's blocks inside it are refused.
    #[test]
    fn the_ipv6_special_purpose_registry_is_refused() {
        let table: [(&str, &str); 24] = [
            ("::", "unspecified"),
            ("::1", "loopback"),
            ("100::1", "discard-only"),
            ("fc00::1", "unique local"),
            ("fd12:3456::1", "unique local"),
            ("fe80::1", "link-local"),
            ("febf:ffff::1", "link-local"),
            ("fec0::1", "site-local"),
            ("feff::1", "site-local"),
            ("ff02::1", "multicast"),
            ("4000::1", "reserved, outside the global unicast block"),
            ("1fff:ffff::1", "reserved, outside the global unicast block"),
            ("5f00::1", "reserved, outside the global unicast block"),
            ("2001::1", "Teredo"),
            ("2001:1ff:ffff::1", "IETF protocol assignments"),
            ("2001:1::1", "IETF protocol assignments"),
            ("2001:2::1", "benchmarking (2001:2::/48)"),
            ("2001:3::1", "IETF protocol assignments"),
            ("2001:10::1", "ORCHID"),
            ("2001:20::1", "ORCHIDv2"),
            ("2001:30::1", "drone remote ID"),
            ("2001:db8:1::1", "documentation (2001:db8::/32)"),
            ("2620:4f:8000::1", "AS112"),
            ("3fff:fff::1", "documentation (3fff::/20)"),
        ];
        for (ip, why) in table {
            let err = refused(ip);
            assert!(err.contains(why), "{ip}: {err}");
        }
        for ip in [
            "2606:4700::1111",
            "2001:200::1",
            "2400:cb00::1",
            "2620:4f:8001::1",
            "3ffe::1",
            "2001:db9::1",
        ] {
            allowed(ip);
        }
    }

    /// R-VAL-4: an IPv6 address that carries an IPv4 address is judged by the IPv4 address
    /// first, so the refusal names what it would really reach.
    #[test]
    fn embedded_ipv4_addresses_are_checked_as_ipv4() {
        let table: [(&str, &str); 13] = [
            (
                "::7f00:1",
                "IPv4-compatible (::/96) and carries 127.0.0.1, which is loopback",
            ),
            (
                "::10.0.0.1",
                "IPv4-compatible (::/96) and carries 10.0.0.1, which is private",
            ),
            (
                "::ffff:127.0.0.1",
                "IPv4-mapped (::ffff:0:0/96) and carries 127.0.0.1",
            ),
            (
                "::ffff:192.168.1.1",
                "IPv4-mapped (::ffff:0:0/96) and carries 192.168.1.1",
            ),
            (
                "2002:7f00:1::1",
                "6to4 (2002::/16) and carries 127.0.0.1, which is loopback",
            ),
            (
                "2002:a9fe:a9fe::",
                "6to4 (2002::/16) and carries 169.254.169.254, which is link-local",
            ),
            (
                "2002:c0a8:101::1",
                "6to4 (2002::/16) and carries 192.168.1.1",
            ),
            // Teredo: server 65.54.227.120, client 127.0.0.1 stored inverted as 80ff:fffe.
            (
                "2001:0:4136:e378:8000:63bf:80ff:fffe",
                "Teredo (2001::/32) and carries 127.0.0.1",
            ),
            (
                "2001:0:4136:e378::f5ff:fffe",
                "Teredo (2001::/32) and carries 10.0.0.1",
            ),
            (
                "64:ff9b::7f00:1",
                "NAT64 (64:ff9b::/96) and carries 127.0.0.1",
            ),
            (
                "64:ff9b::a9fe:a9fe",
                "NAT64 (64:ff9b::/96) and carries 169.254.169.254",
            ),
            (
                "64:ff9b:1:7f00:0:100::",
                "local-use NAT64 (64:ff9b:1::/48) and carries 127.0.0.1",
            ),
            (
                "64:ff9b:1:c0a8:1:100::",
                "local-use NAT64 (64:ff9b:1::/48) and carries 192.168.1.1",
            ),
        ];
        for (ip, why) in table {
            let err = refused(ip);
            assert!(err.contains(why), "{ip}: {err}");
        }
        // Around a public IPv4 address the forms are still refused: all of them lie outside
        // 2000::/3 or in the special-purpose registry.
        let public: [(&str, &str); 6] = [
            (
                "::8.8.8.8",
                "IPv4-compatible (::/96), outside the global unicast block",
            ),
            (
                "::ffff:8.8.8.8",
                "IPv4-mapped (::ffff:0:0/96), outside the global unicast block",
            ),
            (
                "64:ff9b::808:808",
                "NAT64 (64:ff9b::/96), outside the global unicast block",
            ),
            (
                "64:ff9b:1:808:8:800::",
                "local-use NAT64 (64:ff9b:1::/48), outside",
            ),
            ("2002:808:808::1", "6to4 (2002::/16)"),
            ("2001:0:4136:e378:8000:63bf:f7f7:f7f7", "Teredo (2001::/32)"),
        ];
        for (ip, why) in public {
            let err = refused(ip);
            assert!(err.contains(why), "{ip}: {err}");
            assert!(!err.contains("carries"), "{ip}: {err}");
        }
    }
}
