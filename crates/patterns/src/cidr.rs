//! IP addresses and `cidr` ranges, read as each service reads them.
//!
//! SNS masks the network's address, so `10.0.0.5/24` covers `10.0.0.0` to `10.0.0.255`.
//! event-ruler does not: its range runs from the address as written to that address with the
//! host bits set, so `10.0.0.5/24` covers `10.0.0.5` to `10.0.0.255`. event-ruler also takes
//! only text shaped like an address (digits and dots, or hex digits and colons) as one, and
//! reads an IPv4-mapped IPv6 address as the IPv4 address, as Java's `InetAddress` does.

use std::net::IpAddr;

/// An address: IPv4 in the low 32 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ip {
    v6: bool,
    bits: u128,
}

/// A range of addresses of one family, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Net {
    v6: bool,
    low: u128,
    high: u128,
}

impl Ip {
    fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => Self {
                v6: false,
                bits: u128::from(u32::from(v4)),
            },
            IpAddr::V6(v6) => Self {
                v6: true,
                bits: u128::from(v6),
            },
        }
    }

    fn width(self) -> u32 {
        if self.v6 { 128 } else { 32 }
    }
}

impl Net {
    pub(crate) fn contains(&self, ip: Ip) -> bool {
        ip.v6 == self.v6 && (self.low..=self.high).contains(&ip.bits)
    }

    /// The range from `ip` over its last `width - prefix` bits; `masked` clears them at the low end.
    fn around(ip: Ip, prefix: u32, masked: bool) -> Self {
        let host_bits = ip.width() - prefix;
        let host_mask = if host_bits == 0 {
            0
        } else {
            u128::MAX >> (128 - host_bits)
        };
        Self {
            v6: ip.v6,
            low: if masked { ip.bits & !host_mask } else { ip.bits },
            high: ip.bits | host_mask,
        }
    }
}

/// An address as SNS reads an event's value.
pub(crate) fn sns_ip(s: &str) -> Option<Ip> {
    s.parse().ok().map(Ip::of)
}

/// Whether event-ruler takes the text for an address at all: four dot-separated runs of
/// digits, or hex digits and colons with at least one colon.
fn ruler_shaped(s: &str) -> bool {
    let v4 = s.split('.').count() == 4
        && s.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let v6 = s.contains(':') && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
    v4 || v6
}

/// An address as event-ruler reads it, or why it cannot: `None` when the text is not shaped
/// like one, an error when it is but does not parse.
fn ruler_parse(s: &str) -> Result<Option<Ip>, ()> {
    if !ruler_shaped(s) {
        return Ok(None);
    }
    match s.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => Ok(Some(match v6.to_ipv4_mapped() {
            Some(v4) => Ip::of(IpAddr::V4(v4)),
            None => Ip::of(IpAddr::V6(v6)),
        })),
        Ok(v4) => Ok(Some(Ip::of(v4))),
        Err(_) => Err(()),
    }
}

/// An address as event-ruler reads an event's value or a pattern's string.
pub(crate) fn ruler_ip(s: &str) -> Option<Ip> {
    ruler_parse(s).ok().flatten()
}

/// A `cidr` operand as SNS reads it; the error is SNS's reason.
pub(crate) fn sns_net(s: &str) -> Result<Net, String> {
    let (addr, bits) = s
        .split_once('/')
        .ok_or_else(|| "Malformed CIDR, one '/' required".to_owned())?;
    let ip = sns_ip(addr).ok_or_else(|| format!("Nonstandard IP address: {addr}"))?;
    let max = ip.width();
    let prefix = bits
        .parse::<u32>()
        .ok()
        .filter(|p| *p <= max)
        .ok_or_else(|| format!("Malformed CIDR, mask bits must be a number between 0 and {max}"))?;
    Ok(Net::around(ip, prefix, true))
}

/// A `cidr` operand as event-ruler reads it; the error is its reason, in the order it checks.
pub(crate) fn ruler_net(s: &str) -> Result<Net, String> {
    // Java's split("/"): trailing empty parts are dropped.
    let mut parts: Vec<&str> = s.split('/').collect();
    while parts.last() == Some(&"") {
        parts.pop();
    }
    let [addr, bits] = parts[..] else {
        return Err("Malformed CIDR, one '/' required".into());
    };
    let bits: i64 = java_int(bits).ok_or_else(|| "Malformed CIDR, mask bits must be an integer".to_owned())?;
    if bits < 0 {
        return Err("Malformed CIDR, mask bits must not be negative".into());
    }
    let ip = match ruler_parse(addr) {
        Ok(Some(ip)) => ip,
        Ok(None) => return Err(format!("Nonstandard IP address: {addr}")),
        Err(()) => return Err(format!("Invalid IP address: {addr}")),
    };
    let max = i64::from(ip.width());
    if bits >= max {
        let family = if ip.v6 { "IPv6" } else { "IPv4" };
        return Err(format!("{family} mask bits must be < {max}"));
    }
    // 0 <= bits < max <= 128.
    Ok(Net::around(ip, bits as u32, false))
}

/// Java's `Integer.parseInt`: an optional sign and decimal digits, within 32 bits.
fn java_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = s.parse().ok()?;
    i32::try_from(n).ok().map(i64::from)
}
