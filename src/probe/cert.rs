//! The certificate-file probe (`cert_file`): the first certificate of a PEM file and its expiry, as
//! `openssl x509 -enddate -noout -in FILE` shows it. Owns reading a PEM file under a size cap
//! (`MAX_PEM_BYTES`: a certificate file is small, whatever sits at the path); it never judges.

use crate::model::{CertExpiry, CertFacts, Failure, Reason};
use std::io::Read;
use std::path::Path;

/// The largest PEM file read (a long chain is a few tens of kB).
pub const MAX_PEM_BYTES: u64 = 1024 * 1024;

/// The bytes of a PEM file, at most `MAX_PEM_BYTES`; `key` names the config key in messages.
pub fn read_pem(path: &Path, key: &str) -> Result<Vec<u8>, Failure> {
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| {
        let reason = if e.kind() == std::io::ErrorKind::NotFound {
            Reason::FileMissing
        } else {
            Reason::FileUnreadable
        };
        Failure::new(reason, format!("{key} {shown}: {e}"))
    })?;
    let mut bytes = Vec::new();
    file.take(MAX_PEM_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::new(Reason::FileUnreadable, format!("{key} {shown}: {e}")))?;
    if bytes.len() as u64 > MAX_PEM_BYTES {
        return Err(Failure::new(
            Reason::FileUnreadable,
            format!("{key} {shown}: larger than 1 MiB, not a certificate file"),
        ));
    }
    Ok(bytes)
}

/// Reads the certificate file and its first certificate's `notAfter`.
pub fn probe(path: &Path, now: chrono::DateTime<chrono::Utc>) -> Result<CertFacts, Failure> {
    let pem = read_pem(path, "cert_file")?;
    let certs = crate::net::tcp::pem_certificates(&pem).map_err(|m| {
        Failure::new(
            Reason::FileUnreadable,
            format!("cert_file {}: {m}", path.display()),
        )
    })?;
    let expiry = certs
        .first()
        .and_then(|c| crate::net::x509::not_after(c.as_ref()))
        .ok_or_else(|| {
            Failure::new(
                Reason::FileUnreadable,
                format!(
                    "cert_file {}: the certificate's validity cannot be read",
                    path.display()
                ),
            )
        })?;
    Ok(CertFacts {
        certificates: certs.len(),
        expiry: Some(CertExpiry::at(expiry, now)),
    })
}
