//! Media in an S3-compatible object store (AWS S3, MinIO, Ceph, s3s…): what lets render workers
//! and API servers on several machines share recordings and videos. Requests are signed with
//! rusty-s3 and sent with reqwest's blocking client, as the [`MediaStore`] calls are blocking.
//! An object is written whole by one PUT, so readers never see half a file.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::{Body, Client, Response};
use rusty_s3::actions::{CreateBucket, S3Action as _};
use rusty_s3::{Bucket, Credentials, UrlStyle};

use super::store::{MediaError, MediaReader, MediaStore, check_key};

/// How long a signed request stays valid: long enough for a large upload to start.
const SIGNED_FOR: Duration = Duration::from_secs(600);

/// Where the object store is and how to sign for it.
#[derive(Clone)]
pub struct S3Config {
    /// Endpoint, e.g. `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:9000`.
    pub endpoint: String,
    /// Bucket holding the media (one per deployment).
    pub bucket: String,
    /// Region the signatures name (`us-east-1` for most S3-compatible servers).
    pub region: String,
    /// Access key id.
    pub access_key: String,
    /// Secret key; never logged.
    pub secret_key: String,
    /// Session token of temporary credentials (`AWS_SESSION_TOKEN`), if any; never logged.
    pub session_token: Option<String>,
    /// Path-style URLs (`endpoint/bucket/key`), which most S3-compatible servers need; AWS
    /// prefers virtual-host style.
    pub path_style: bool,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key", &self.access_key)
            .finish_non_exhaustive()
    }
}

/// Media in an S3-compatible bucket.
pub struct S3MediaStore {
    bucket: Bucket,
    credentials: Credentials,
    http: Client,
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn backend(context: &'static str, e: impl std::fmt::Display) -> MediaError {
    MediaError::Io { context, source: std::io::Error::other(e.to_string()) }
}

/// A transport error without its URL: a signed URL is a credential for its key until it expires,
/// and errors reach logs and job rows.
fn unsigned(e: reqwest::Error) -> reqwest::Error {
    e.without_url()
}

/// A transport error as the store's, its causes (refused, timed out…) kept, its URL not.
fn transport(context: &'static str, e: reqwest::Error) -> MediaError {
    MediaError::Io { context, source: std::io::Error::other(unsigned(e)) }
}

/// An I/O error met while reading a response body, without the URL its cause may carry.
fn scrubbed(e: std::io::Error) -> std::io::Error {
    let kind = e.kind();
    match e.into_inner().map(|inner| inner.downcast::<reqwest::Error>()) {
        Some(Ok(r)) => std::io::Error::new(kind, unsigned(*r)),
        Some(Err(other)) => std::io::Error::new(kind, other),
        None => std::io::Error::from(kind),
    }
}

/// A response body read as it arrives, its errors scrubbed of the URL.
struct Reading(std::io::Take<Response>);

impl Read for Reading {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf).map_err(scrubbed)
    }
}

/// Whether a missing object is an answer (`Missing`) or a failure: a write to a missing bucket
/// is the store's fault, never "no such video".
#[derive(Clone, Copy, PartialEq, Eq)]
enum Absent {
    Missing,
    Failure,
}

/// The response if it succeeded; 404 as `absent` says; anything else an I/O error naming the
/// status (never the signed URL).
fn answered(
    key: &str,
    context: &'static str,
    absent: Absent,
    r: Result<Response, reqwest::Error>,
) -> Result<Response, MediaError> {
    let r = r.map_err(|e| transport(context, e))?;
    match r.status() {
        s if s.is_success() => Ok(r),
        StatusCode::NOT_FOUND if absent == Absent::Missing => Err(MediaError::Missing(key.to_string())),
        s => Err(backend(context, format!("object store answered {s}"))),
    }
}

impl S3MediaStore {
    /// A store over `config`'s bucket (not contacted yet: see [`S3MediaStore::ensure_bucket`]).
    pub fn new(config: &S3Config) -> Result<Self, MediaError> {
        let endpoint: url::Url =
            config.endpoint.parse().map_err(|e| backend("reading the object store's endpoint", e))?;
        if !endpoint.username().is_empty() || endpoint.password().is_some() {
            // Keys go in the environment, never in a URL that may be logged or shown.
            return Err(backend("reading the object store's endpoint", "credentials in the URL: use the environment"));
        }
        let tls = match endpoint.scheme() {
            "https" => crate::tls::client_config(crate::tls::ca_file_from_env(crate::tls::MEDIA_CA_ENV).as_deref()),
            "http" => {
                if !endpoint.host_str().is_some_and(is_loopback) {
                    tracing::warn!(endpoint = %endpoint, "media store over plain HTTP: its signed requests can be read on the way");
                }
                crate::tls::no_tls_config()
            }
            other => return Err(backend("reading the object store's endpoint", format!("scheme {other}: use https"))),
        }
        .map_err(|e| backend("setting up TLS to the object store", e))?;
        let style = if config.path_style { UrlStyle::Path } else { UrlStyle::VirtualHost };
        let bucket = Bucket::new(endpoint, style, config.bucket.clone(), config.region.clone())
            .map_err(|e| backend("naming the bucket", e))?;
        let http = Client::builder()
            .use_preconfigured_tls(tls)
            // A signed URL goes to the store it names and nowhere else.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            // A large segment or video over a slow link; a stalled one fails the attempt, retried.
            .timeout(Duration::from_secs(300))
            .build()
            .map_err(|e| backend("starting the object store client", e))?;
        let credentials = match &config.session_token {
            Some(token) => {
                Credentials::new_with_token(config.access_key.clone(), config.secret_key.clone(), token.clone())
            }
            None => Credentials::new(config.access_key.clone(), config.secret_key.clone()),
        };
        Ok(Self { bucket, credentials, http })
    }

    /// Makes sure the bucket is there (blocking), creating it on a deployment's first start:
    /// credentials allowed only into an existing bucket never need to create one.
    pub fn ensure_bucket(&self) -> Result<(), MediaError> {
        let head = |context| {
            let url = self.bucket.head_bucket(Some(&self.credentials)).sign(SIGNED_FOR);
            self.http.head(url).send().map(|r| r.status()).map_err(|e| transport(context, e))
        };
        match head("reaching the bucket")? {
            s if s.is_success() => return Ok(()),
            StatusCode::NOT_FOUND => {}
            // Wrong keys, or keys allowed objects but not the bucket itself (no s3:ListBucket):
            // what the store says of an object tells them apart.
            StatusCode::FORBIDDEN => return self.keys_work(),
            s => return Err(backend("reaching the bucket", format!("object store answered {s}"))),
        }
        let url = CreateBucket::new(&self.bucket, &self.credentials).sign(SIGNED_FOR);
        let mut create = self.http.put(url);
        // Outside us-east-1, S3 wants the bucket's region said in the request.
        if self.bucket.region() != "us-east-1" {
            create = create.body(format!(
                "<CreateBucketConfiguration><LocationConstraint>{}</LocationConstraint></CreateBucketConfiguration>",
                self.bucket.region()
            ));
        }
        let created = create.send().map_err(|e| transport("creating the bucket", e))?.status();
        // Another process created it meanwhile (409), or it is someone else's: the next look says.
        match head("creating the bucket")? {
            s if s.is_success() => Ok(()),
            s => Err(backend("creating the bucket", format!("object store answered {created}, then {s}"))),
        }
    }

    /// After a 403 on the bucket: an object's answer says whether the keys are wrong (refused at
    /// start) or only not allowed to look at the bucket, which the store then assumes is there.
    /// Without s3:ListBucket, S3 answers a missing object 403 too, so media routes answer 503
    /// for it rather than 404: grant it.
    fn keys_work(&self) -> Result<(), MediaError> {
        let url = self.bucket.get_object(Some(&self.credentials), "highlights-probe/none").sign(SIGNED_FOR);
        let r = self.http.get(url).send().map_err(|e| transport("reaching the bucket", e))?;
        let status = r.status();
        let body = r.text().unwrap_or_default();
        let code = body.split("<Code>").nth(1).and_then(|rest| rest.split("</Code>").next()).unwrap_or_default();
        if status == StatusCode::NOT_FOUND || code == "AccessDenied" {
            tracing::warn!(
                bucket = self.bucket.name(),
                "the bucket cannot be looked at (grant s3:ListBucket); assuming it is there"
            );
            Ok(())
        } else {
            Err(backend("reaching the bucket", format!("object store answered {status} {code}")))
        }
    }

    fn put(&self, key: &str, body: Body) -> Result<(), MediaError> {
        check_key(key)?;
        let url = self.bucket.put_object(Some(&self.credentials), key).sign(SIGNED_FOR);
        answered(key, "writing media", Absent::Failure, self.http.put(url).body(body).send()).map(drop)
    }

    fn get(&self, key: &str, range: Option<(u64, u64)>) -> Result<Response, MediaError> {
        check_key(key)?;
        let url = self.bucket.get_object(Some(&self.credentials), key).sign(SIGNED_FOR);
        let mut request = self.http.get(url);
        if let Some((first, last)) = range {
            request = request.header(reqwest::header::RANGE, format!("bytes={first}-{last}"));
        }
        answered(key, "reading media", Absent::Missing, request.send())
    }
}

impl MediaStore for S3MediaStore {
    fn put_bytes(&self, key: &str, bytes: &[u8]) -> Result<(), MediaError> {
        self.put(key, Body::from(bytes.to_vec()))
    }

    fn put_file(&self, key: &str, from: &Path) -> Result<(), MediaError> {
        let file = std::fs::File::open(from)
            .map_err(|source| MediaError::Io { context: "opening a rendered file", source })?;
        let len =
            file.metadata().map_err(|source| MediaError::Io { context: "reading a rendered file", source })?.len();
        // Sized: S3 wants the length up front, and the file is streamed, not held in memory.
        self.put(key, Body::sized(file, len))
    }

    fn fetch(&self, key: &str, to: &Path) -> Result<(), MediaError> {
        let mut r = self.get(key, None)?;
        let mut out =
            std::fs::File::create(to).map_err(|source| MediaError::Io { context: "creating a local copy", source })?;
        r.copy_to(&mut out).map_err(|e| transport("copying media", e))?;
        Ok(())
    }

    fn size(&self, key: &str) -> Result<u64, MediaError> {
        check_key(key)?;
        let url = self.bucket.head_object(Some(&self.credentials), key).sign(SIGNED_FOR);
        let r = answered(key, "reading media size", Absent::Missing, self.http.head(url).send())?;
        r.headers()
            .get(reqwest::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse().ok())
            .ok_or_else(|| backend("reading media size", "no Content-Length"))
    }

    fn open_range(&self, key: &str, offset: u64, len: u64) -> Result<MediaReader, MediaError> {
        if len == 0 {
            check_key(key)?;
            return Ok(Box::new(std::io::empty()));
        }
        let r = self.get(key, Some((offset, offset.saturating_add(len - 1))))?;
        // A server that ignores Range answers the whole object: skip to the offset ourselves.
        let skip = if r.status() == StatusCode::PARTIAL_CONTENT { 0 } else { offset };
        let mut reader = Reading(r.take(skip.saturating_add(len)));
        std::io::copy(&mut (&mut reader).take(skip), &mut std::io::sink()).map_err(|e| backend("seeking media", e))?;
        Ok(Box::new(reader))
    }

    fn delete(&self, key: &str) -> Result<(), MediaError> {
        check_key(key)?;
        let url = self.bucket.delete_object(Some(&self.credentials), key).sign(SIGNED_FOR);
        match answered(key, "deleting media", Absent::Missing, self.http.delete(url).send()) {
            Ok(_) | Err(MediaError::Missing(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
