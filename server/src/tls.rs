//! TLS to the services behind the server (PostgreSQL, NATS): certificates verified against the CA
//! file an operator names, or else the system's trusted roots. Nothing here accepts an unverified
//! certificate.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// Environment variable naming the CA file (PEM) that PostgreSQL's certificate is checked against.
pub const DATABASE_CA_ENV: &str = "HIGHLIGHTS_DATABASE_CA_FILE";
/// Environment variable naming the CA file (PEM) that the NATS servers' certificates are checked
/// against.
pub const NATS_CA_ENV: &str = "HIGHLIGHTS_NATS_CA_FILE";

/// Environment variable naming the CA file (PEM) that the S3-compatible media store's
/// certificate is checked against.
pub const MEDIA_CA_ENV: &str = "HIGHLIGHTS_MEDIA_CA_FILE";

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The CA file could not be read or holds no certificate.
    #[error("reading the CA file {path}: {reason}")]
    CaFile {
        /// The file.
        path: String,
        /// What was wrong.
        reason: String,
    },
    /// The system's trusted roots could not be loaded.
    #[error("loading the system's trusted certificates: {0}")]
    SystemRoots(String),
    /// rustls refused the configuration.
    #[error("setting up TLS: {0}")]
    Config(#[from] rustls::Error),
}

/// The CA file that the environment variable `var` names, if it names one.
pub fn ca_file_from_env(var: &str) -> Option<std::path::PathBuf> {
    std::env::var_os(var).filter(|v| !v.is_empty()).map(Into::into)
}

/// A client configuration trusting the certificates in `ca_file`, or the system's roots.
pub fn client_config(ca_file: Option<&Path>) -> Result<rustls::ClientConfig, TlsError> {
    let mut roots = rustls::RootCertStore::empty();
    match ca_file {
        Some(path) => {
            let bad = |reason: String| TlsError::CaFile { path: path.display().to_string(), reason };
            let certs: Vec<CertificateDer> = CertificateDer::pem_file_iter(path)
                .map_err(|e| bad(e.to_string()))?
                .collect::<Result<_, _>>()
                .map_err(|e| bad(e.to_string()))?;
            if certs.is_empty() {
                return Err(bad("no certificate in it".into()));
            }
            for cert in certs {
                roots.add(cert).map_err(|e| bad(e.to_string()))?;
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            if found.certs.is_empty() {
                return Err(TlsError::SystemRoots(format!("{:?}", found.errors)));
            }
            roots.add_parsable_certificates(found.certs);
        }
    }
    with_roots(roots)
}

/// A client configuration trusting no one: for a client that only ever speaks plain HTTP but is
/// built with TLS.
pub fn no_tls_config() -> Result<rustls::ClientConfig, TlsError> {
    with_roots(rustls::RootCertStore::empty())
}

fn with_roots(roots: rustls::RootCertStore) -> Result<rustls::ClientConfig, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ca_file_without_certificates_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("ca.pem");
        std::fs::write(&empty, "not a certificate").unwrap();
        let e = client_config(Some(&empty)).unwrap_err().to_string();
        assert!(e.contains("ca.pem") && e.contains("no certificate"), "{e}");
        let e = client_config(Some(&dir.path().join("missing.pem"))).unwrap_err().to_string();
        assert!(e.contains("missing.pem"), "{e}");
    }
}
