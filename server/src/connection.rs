//! One accepted connection's IO, as hyper sees it: writes must make progress (a client that takes
//! nothing of a response for too long is let go), and the answers hyper writes on its own when a
//! request cannot be parsed (400, 414, 431, with no body) get the JSON `ErrorBody` every other
//! refusal has.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use highlights_api::ErrorBody;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;

/// An accepted connection with a write deadline and hyper's bodiless refusals given bodies.
pub struct Connection {
    io: TcpStream,
    idle: Duration,
    stalled: Option<Pin<Box<Sleep>>>,
    /// A rewritten refusal taken from hyper but not yet sent.
    pending: Vec<u8>,
}

impl Connection {
    /// `io`, closed once a write has made no progress for `idle`.
    pub fn new(io: TcpStream, idle: Duration) -> Self {
        Self { io, idle, stalled: None, pending: Vec::new() }
    }

    fn progress<T>(&mut self, cx: &mut Context<'_>, polled: Poll<std::io::Result<T>>) -> Poll<std::io::Result<T>> {
        if polled.is_ready() {
            self.stalled = None;
            return polled;
        }
        let idle = self.idle;
        let timer = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client took nothing of the response for too long",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }

    /// Sends what is pending; ready once nothing is.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        while !self.pending.is_empty() {
            let polled = Pin::new(&mut self.io).poll_write(cx, &self.pending);
            match self.progress(cx, polled) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => drop(self.pending.drain(..n)),
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }

    fn write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        if let Poll::Ready(Err(e)) = self.drain(cx) {
            return Poll::Ready(Err(e));
        }
        if !self.pending.is_empty() {
            return Poll::Pending;
        }
        if let Some(answer) = with_body(buf) {
            self.pending = answer;
            // Taken whole; sent by the drains that follow (hyper flushes after a head).
            let _ = self.drain(cx);
            return Poll::Ready(Ok(buf.len()));
        }
        let polled = Pin::new(&mut self.io).poll_write(cx, buf);
        self.progress(cx, polled)
    }
}

/// hyper's own refusal head (a 4xx with `content-length: 0` and nothing after it; every answer of
/// the routes has a JSON body), rewritten with a JSON `ErrorBody`.
fn with_body(head: &[u8]) -> Option<Vec<u8>> {
    const EMPTY: &[u8] = b"\r\ncontent-length: 0\r\n";
    if !head.starts_with(b"HTTP/1.1 4") || !head.ends_with(b"\r\n\r\n") || head.len() > 1024 {
        return None;
    }
    let at = head.windows(EMPTY.len()).position(|w| w == EMPTY)?;
    let (code, message) = match head.get(9..12)? {
        b"414" => ("uri_too_long", "the URI is too long"),
        b"431" => ("headers_too_large", "the request's header fields are too large"),
        _ => ("bad_request", "the request could not be read as HTTP/1.1"),
    };
    let body = serde_json::to_vec(&ErrorBody { code: code.into(), message: message.into() }).ok()?;
    let mut out = head[..at].to_vec();
    out.extend_from_slice(
        format!("\r\ncontent-type: application/json\r\ncontent-length: {}\r\n", body.len()).as_bytes(),
    );
    out.extend_from_slice(&head[at + EMPTY.len()..]);
    out.extend_from_slice(&body);
    Some(out)
}

impl AsyncRead for Connection {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        self.write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        // A refusal's head may come in pieces; everything else goes through untouched.
        if bufs.first().is_some_and(|b| b.starts_with(b"HTTP/1.1 4")) {
            let whole: Vec<u8> = bufs.iter().flat_map(|b| b.iter().copied()).collect();
            return self.write(cx, &whole);
        }
        if let Poll::Ready(Err(e)) = self.drain(cx) {
            return Poll::Ready(Err(e));
        }
        if !self.pending.is_empty() {
            return Poll::Pending;
        }
        let polled = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.progress(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.drain(cx) {
            Poll::Ready(Ok(())) => {}
            other => return other,
        }
        let polled = Pin::new(&mut self.io).poll_flush(cx);
        self.progress(cx, polled)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.io).poll_shutdown(cx),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_bodiless_refusals_are_given_a_body() {
        let head = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let out = String::from_utf8(with_body(head).unwrap()).unwrap();
        let (head_out, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head_out.starts_with("HTTP/1.1 431") && head_out.contains("content-type: application/json"));
        assert!(head_out.contains(&format!("content-length: {}", body.len())) && head_out.contains("date: x"));
        assert_eq!(serde_json::from_str::<ErrorBody>(body).unwrap().code, "headers_too_large");
        assert!(with_body(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(with_body(b"HTTP/1.1 404 Not Found\r\ncontent-length: 61\r\n\r\n").is_none());
        assert!(with_body(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n{}").is_none(), "a head only");
    }
}
