//! Reading a certificate's expiry (`notAfter`) from its DER encoding, for days-to-expiry wherever a
//! certificate is seen (HTTPS replies, TLS ports, certificate files), and the one of an HTTPS reply. A small DER walker over exactly the path it needs — Certificate → TBSCertificate →
//! Validity — so no X.509 crate is pulled in; anything unexpected yields `None`, never a panic.

use chrono::{DateTime, NaiveDate, Utc};

/// One DER element: (tag, content, rest).
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | *b as usize);
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

/// `notAfter` of the server certificate of an HTTPS reply (the client keeps it: `tls_info`); none
/// for plain HTTP.
pub fn reply_not_after(resp: &reqwest::Response) -> Option<DateTime<Utc>> {
    resp.extensions()
        .get::<reqwest::tls::TlsInfo>()?
        .peer_certificate()
        .and_then(not_after)
}

/// `notAfter` of an X.509 certificate in DER.
pub fn not_after(der: &[u8]) -> Option<DateTime<Utc>> {
    let (tag, cert, _) = element(der)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, tbs, _) = element(cert)?;
    if tag != 0x30 {
        return None;
    }
    let mut rest = tbs;
    // [0] version (optional), serialNumber, signature, issuer, then validity
    let (tag, _, r) = element(rest)?;
    rest = if tag == 0xa0 { element(r)?.2 } else { r };
    let (_, _, r) = element(rest)?; // signature AlgorithmIdentifier
    let (_, _, r) = element(r)?; // issuer Name
    let (tag, validity, _) = element(r)?;
    if tag != 0x30 {
        return None;
    }
    let (_, _, r) = element(validity)?; // notBefore
    let (tag, t, _) = element(r)?;
    parse_time(tag, t)
}

fn parse_time(tag: u8, t: &[u8]) -> Option<DateTime<Utc>> {
    let s = std::str::from_utf8(t).ok()?.strip_suffix('Z')?;
    let (year, rest) = match tag {
        0x17 => {
            // UTCTime YYMMDDHHMMSS: 50–99 are 19xx (RFC 5280 §4.1.2.5.1)
            let yy: i32 = s.get(..2)?.parse().ok()?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, s.get(2..)?)
        }
        0x18 => (s.get(..4)?.parse().ok()?, s.get(4..)?),
        _ => return None,
    };
    let n = |a: usize| -> Option<u32> { rest.get(a..a + 2)?.parse().ok() };
    let date = NaiveDate::from_ymd_opt(year, n(0)?, n(2)?)?;
    Some(date.and_hms_opt(n(4)?, n(6)?, n(8)?)?.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real self-signed certificate (openssl req -x509 -days 3650, CN=127.0.0.1), notAfter 2036-11-19 03:29:03 UTC.
    const CERT_PEM_B64: &str = "MIIBfDCCASOgAwIBAgIUD35PFx2hMRb6/TZrCuhbd3VqauMwCgYIKoZIzj0EAwIwFDESMBAGA1UEAwwJMTI3LjAuMC4xMB4XDTI2MTEyMjAzMjkwM1oXDTM2MTExOTAzMjkwM1owFDESMBAGA1UEAwwJMTI3LjAuMC4xMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEYmGny3ECD+qJvkWjz15x1WbIlbQAfmYDLRydqyOqkFBU8wuNh2wT1fsK21xheEm5ND4851of+5pykE7V6dhwY6NTMFEwHQYDVR0OBBYEFMXKiMWwtUqNgJWnlDLV0dkXKsAHMB8GA1UdIwQYMBaAFMXKiMWwtUqNgJWnlDLV0dkXKsAHMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgRFJrYe2ssLHDIg0Yw4dULLuAKe+S9GLoHKfhOWTDh2kCIGDx2K8l1T2ehJVLq/VrjWWSJnIgaYRIgNr20Jn05Dyf";

    fn b64(s: &str) -> Vec<u8> {
        let t = |c: u8| match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            _ => 63,
        };
        let bytes: Vec<u8> = s.bytes().filter(|c| *c != b'=').map(t).collect();
        bytes
            .chunks(4)
            .flat_map(|c| {
                let n = c
                    .iter()
                    .enumerate()
                    .fold(0u32, |a, (i, v)| a | (u32::from(*v) << (18 - 6 * i)));
                let out = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
                out[..c.len() - 1].to_vec()
            })
            .collect()
    }

    #[test]
    fn reads_not_after_of_a_real_certificate() {
        let der = b64(CERT_PEM_B64);
        let t = not_after(&der).unwrap();
        assert_eq!(t.to_rfc3339(), "2036-11-19T03:29:03+00:00");
    }

    #[test]
    fn garbage_is_none_not_a_panic() {
        assert_eq!(not_after(&[]), None);
        assert_eq!(not_after(&[0x30, 0x82, 0xff]), None);
        let der = b64(CERT_PEM_B64);
        for cut in 0..der.len() {
            let _ = not_after(&der[..cut]);
        }
    }

    #[test]
    fn utc_and_generalized_times() {
        assert_eq!(
            parse_time(0x17, b"491231235959Z").unwrap().to_rfc3339(),
            "2049-12-31T23:59:59+00:00"
        );
        assert_eq!(
            parse_time(0x17, b"500101000000Z").unwrap().to_rfc3339(),
            "1950-01-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_time(0x18, b"20501231235959Z").unwrap().to_rfc3339(),
            "2050-12-31T23:59:59+00:00"
        );
        assert_eq!(parse_time(0x18, b"2050123123595Z"), None);
    }
}
