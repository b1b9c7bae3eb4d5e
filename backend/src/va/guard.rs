//! The one address guard every validation connection goes through (R-VAL-4).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why `ip` is not a public unicast address, if it is not.
pub fn reserved(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => reserved_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return reserved_v4(v4);
            }
            let seg = v6.segments();
            if v6.is_loopback() {
                Some("loopback")
            } else if v6.is_unspecified() {
                Some("unspecified")
            } else if v6.is_multicast() {
                Some("multicast")
            } else if seg[0] & 0xffc0 == 0xfe80 {
                Some("link-local")
            } else if seg[0] & 0xfe00 == 0xfc00 {
                Some("unique local (private)")
            } else if seg[0] == 0x2001 && seg[1] == 0x0db8 {
                Some("documentation")
            } else if seg[0] == 0x0064 && seg[1] == 0xff9b {
                Some("NAT64")
            } else if v6 == Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1) {
                Some("loopback")
            } else {
                None
            }
        }
    }
}

fn reserved_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if ip.is_unspecified() || o[0] == 0 {
        Some("unspecified")
    } else if ip.is_broadcast() {
        Some("broadcast")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if ip.is_documentation() {
        Some("documentation")
    } else if o[0] == 100 && (64..128).contains(&o[1]) {
        Some("shared (carrier-grade NAT)")
    } else if o[0] == 198 && (o[1] == 18 || o[1] == 19) {
        Some("benchmarking")
    } else if o[0] >= 240 {
        Some("reserved")
    } else if o[0] == 192 && o[1] == 0 && o[2] == 0 {
        Some("IETF protocol assignments")
    } else {
        None
    }
}

/// Refuses `ip` unless it is public or configuration allows private addresses.
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

    #[test]
    fn reserved_ranges_are_refused_and_public_ones_allowed() {
        let refused = [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.1.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "100.64.0.1",
            "240.0.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::",
        ];
        for ip in refused {
            let ip: IpAddr = ip.parse().unwrap();
            let err = check(ip, false).unwrap_err();
            assert!(err.contains(&ip.to_string()), "{err}");
            assert!(check(ip, true).is_ok());
        }
        for ip in ["8.8.8.8", "203.0.114.1", "2606:4700::1111", "1.1.1.1"] {
            assert!(check(ip.parse().unwrap(), false).is_ok(), "{ip}");
        }
    }
}
