//! One HTTP GET, and nothing more: the crawler decides about pacing, retries and redirects.
//!
//! Redirects are not followed here, so the crawler can check each hop against robots.txt
//! and the site, pace it like any request, and record the chain. Bodies are read with the
//! size limit enforced while reading (a `Content-Length` over the limit is refused before).

use std::time::Duration;

use url::Url;

/// The answer to one request.
#[derive(Debug)]
pub(crate) enum Answer {
    /// 2xx with a body.
    Body { status: u16, headers: Headers, bytes: Vec<u8> },
    /// 304: the copy in the mirror is current.
    NotModified { headers: Headers },
    /// 3xx with a `Location`.
    Redirect { status: u16, location: String },
    /// Any other status; `retry_after` from the header when there is one.
    Status { status: u16, retry_after: Option<Duration> },
}

/// The response headers the mirror keeps.
#[derive(Debug, Clone, Default)]
pub(crate) struct Headers {
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Headers {
    /// The `charset` parameter of the content type, if any.
    pub fn charset(&self) -> Option<String> {
        let content_type = self.content_type.as_deref()?;
        content_type.split(';').skip(1).find_map(|param| {
            let (key, value) = param.split_once('=')?;
            (key.trim().eq_ignore_ascii_case("charset"))
                .then(|| value.trim().trim_matches('"').to_owned())
        })
    }

    /// The media type without parameters, lowercase.
    pub fn media_type(&self) -> Option<String> {
        let content_type = self.content_type.as_deref()?;
        let media = content_type.split(';').next()?.trim().to_ascii_lowercase();
        (!media.is_empty()).then_some(media)
    }
}

/// Why a request got no answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Failure {
    /// The per-file time limit ran out (connecting, waiting or reading).
    Timeout,
    /// The body is larger than the per-file limit.
    TooLarge { limit: u64 },
    /// Connection refused, reset, DNS failure, broken chunking …
    Network(String),
}

impl Failure {
    /// Whether trying again later may help.
    pub fn is_transient(&self) -> bool {
        !matches!(self, Failure::TooLarge { .. })
    }

    pub fn describe(&self) -> String {
        match self {
            Failure::Timeout => "timed out".to_owned(),
            Failure::TooLarge { limit } => format!("larger than the limit of {limit} bytes"),
            Failure::Network(reason) => reason.clone(),
        }
    }
}

/// Conditional-request validators from the mirror.
#[derive(Debug, Clone, Default)]
pub(crate) struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// An HTTP client with the crawler's User-Agent, time limit and size limit.
pub(crate) struct Client {
    agent: ureq::Agent,
    max_bytes: u64,
}

/// Idle connections kept per host: the crawler talks to each host from one thread, one
/// request at a time, so one is all it can use.
const IDLE_CONNECTIONS_PER_HOST: usize = 1;

impl Client {
    pub fn new(user_agent: &str, timeout: Duration, max_bytes: u64) -> Client {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(user_agent)
            .timeout_global(Some(timeout))
            .max_idle_connections_per_host(IDLE_CONNECTIONS_PER_HOST)
            .build();
        Client { agent: config.into(), max_bytes }
    }

    /// One GET of `url`, conditional when validators are given.
    pub fn get(&self, url: &Url, validators: &Validators) -> Result<Answer, Failure> {
        let mut request = self.agent.get(url.as_str());
        if let Some(etag) = &validators.etag {
            request = request.header("If-None-Match", etag);
        }
        if let Some(modified) = &validators.last_modified {
            request = request.header("If-Modified-Since", modified);
        }
        let mut response = request.call().map_err(failure)?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
        };
        let headers = Headers {
            content_type: header("content-type"),
            etag: header("etag"),
            last_modified: header("last-modified"),
        };
        match status {
            304 => Ok(Answer::NotModified { headers }),
            300..=399 => match header("location") {
                Some(location) => Ok(Answer::Redirect { status, location }),
                None => Ok(Answer::Status { status, retry_after: None }),
            },
            200..=299 => {
                let declared = header("content-length").and_then(|v| v.parse::<u64>().ok());
                if declared.is_some_and(|size| size > self.max_bytes) {
                    return Err(Failure::TooLarge { limit: self.max_bytes });
                }
                let bytes = response
                    .body_mut()
                    .with_config()
                    .limit(self.max_bytes)
                    .read_to_vec()
                    .map_err(failure)?;
                Ok(Answer::Body { status, headers, bytes })
            }
            _ => Ok(Answer::Status {
                status,
                retry_after: header("retry-after").and_then(|v| parse_retry_after(&v)),
            }),
        }
    }
}

fn failure(err: ureq::Error) -> Failure {
    match err {
        ureq::Error::Timeout(_) => Failure::Timeout,
        ureq::Error::BodyExceedsLimit(limit) => Failure::TooLarge { limit },
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => Failure::Timeout,
        other => Failure::Network(other.to_string()),
    }
}

/// `Retry-After` is either seconds or an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn charset_and_media_type_from_content_type() {
        let headers = Headers {
            content_type: Some("Text/HTML; charset=\"Shift_JIS\"".to_owned()),
            ..Headers::default()
        };
        assert_eq!(headers.charset().as_deref(), Some("Shift_JIS"));
        assert_eq!(headers.media_type().as_deref(), Some("text/html"));
    }
}
