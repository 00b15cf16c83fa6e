//! SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 with 3.1's flow control), as
//! much as `pods/portforward` needs on the server side: frames read from the client
//! (SYN_STREAM, DATA, RST_STREAM, PING, GOAWAY, SETTINGS, WINDOW_UPDATE, HEADERS),
//! frames written to it (SYN_REPLY, DATA, RST_STREAM, PING, GOAWAY).
//!
//! Header blocks are zlib-compressed with SPDY's dictionary, one stream per direction
//! for the whole connection: the client's are inflated (`inflate::Inflater`), ours
//! are written as stored blocks (`inflate::StoredDeflater`), which Go's reader
//! (moby/spdystream over `compress/zlib`) accepts like any other deflate data.
//! Each frame is built whole, so the caller can write it in one piece: spdystream
//! checks that a header block's zlib data ends exactly where its frame does.

use std::io::Read;

use super::inflate::{Inflater, StoredDeflater};

pub const TYPE_SYN_STREAM: u16 = 1;
pub const TYPE_SYN_REPLY: u16 = 2;
pub const TYPE_RST_STREAM: u16 = 3;
pub const TYPE_SETTINGS: u16 = 4;
pub const TYPE_PING: u16 = 6;
pub const TYPE_GOAWAY: u16 = 7;
pub const TYPE_HEADERS: u16 = 8;
pub const TYPE_WINDOW_UPDATE: u16 = 9;

/// FLAG_FIN on SYN_STREAM, SYN_REPLY and DATA: the sender's half is closed.
pub const FLAG_FIN: u8 = 1;

/// RST_STREAM statuses used here.
pub const STATUS_CANCEL: u32 = 5;

/// The largest frame payload accepted from a client (SPDY's 24-bit length field
/// allows 16 MiB; client-go's data frames are at most 32 KiB).
const MAX_PAYLOAD: usize = 1 << 24;

/// A frame from the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    SynStream { stream_id: u32, flags: u8, headers: Vec<(String, String)> },
    Data { stream_id: u32, flags: u8, data: Vec<u8> },
    RstStream { stream_id: u32, status: u32 },
    Ping { id: u32 },
    GoAway,
    /// SETTINGS, WINDOW_UPDATE, HEADERS, SYN_REPLY: nothing for this server to do.
    Ignored,
}

/// One connection's framing state: the two header compression contexts.
pub struct Framer {
    inflater: Inflater,
    deflater: StoredDeflater,
}

impl Framer {
    pub fn new() -> Framer {
        Framer { inflater: Inflater::new(&dictionary()), deflater: StoredDeflater::new() }
    }

    /// Reads the next frame; `Ok(None)` at a clean end of the connection.
    pub fn read_frame(&mut self, reader: &mut impl Read) -> std::io::Result<Option<Frame>> {
        let mut head = [0u8; 8];
        match reader.read_exact(&mut head) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        let first = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let flags = head[4];
        let length = u32::from_be_bytes([0, head[5], head[6], head[7]]) as usize;
        if length > MAX_PAYLOAD {
            return Err(std::io::Error::other("spdy frame too large"));
        }
        let mut payload = vec![0u8; length];
        reader.read_exact(&mut payload)?;
        if first & 0x8000_0000 == 0 {
            return Ok(Some(Frame::Data { stream_id: first & 0x7fff_ffff, flags, data: payload }));
        }
        let version = (first >> 16) & 0x7fff;
        if version != 3 {
            return Err(std::io::Error::other(format!("spdy version {version} is not spoken")));
        }
        let word = |at: usize| -> u32 {
            payload.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]])).unwrap_or(0) & 0x7fff_ffff
        };
        let frame = match (first & 0xffff) as u16 {
            TYPE_SYN_STREAM => {
                // Stream id, associated stream id, priority and slot, then the headers.
                let block = payload.get(10..).unwrap_or_default();
                let headers = self.header_block(block)?;
                Frame::SynStream { stream_id: word(0), flags, headers }
            }
            TYPE_RST_STREAM => Frame::RstStream { stream_id: word(0), status: word(4) },
            TYPE_PING => Frame::Ping { id: payload.get(0..4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]])).unwrap_or(0) },
            TYPE_GOAWAY => Frame::GoAway,
            TYPE_HEADERS | TYPE_SYN_REPLY => {
                // Their header blocks still advance the shared compression context.
                self.header_block(payload.get(4..).unwrap_or_default())?;
                Frame::Ignored
            }
            TYPE_SETTINGS | TYPE_WINDOW_UPDATE => Frame::Ignored,
            _ => Frame::Ignored,
        };
        Ok(Some(frame))
    }

    fn header_block(&mut self, compressed: &[u8]) -> std::io::Result<Vec<(String, String)>> {
        let plain = self.inflater.inflate(compressed).map_err(std::io::Error::other)?;
        parse_headers(&plain).ok_or_else(|| std::io::Error::other("malformed spdy header block"))
    }

    /// SYN_REPLY accepting a stream, with no headers (what spdystream's `SendReply`
    /// sends for the kubelet).
    pub fn syn_reply(&mut self, stream_id: u32) -> Vec<u8> {
        let block = self.deflater.deflate(&encode_headers(&[]));
        let mut payload = (stream_id & 0x7fff_ffff).to_be_bytes().to_vec();
        payload.extend_from_slice(&block);
        control(TYPE_SYN_REPLY, 0, &payload)
    }
}

/// A DATA frame (FLAG_FIN with no data closes our half of the stream).
pub fn data(stream_id: u32, flags: u8, data: &[u8]) -> Vec<u8> {
    let mut frame = (stream_id & 0x7fff_ffff).to_be_bytes().to_vec();
    let length = (data.len() as u32).min(0x00ff_ffff);
    frame.push(flags);
    frame.extend_from_slice(&length.to_be_bytes()[1..]);
    frame.extend_from_slice(data);
    frame
}

pub fn rst_stream(stream_id: u32, status: u32) -> Vec<u8> {
    let mut payload = (stream_id & 0x7fff_ffff).to_be_bytes().to_vec();
    payload.extend_from_slice(&status.to_be_bytes());
    control(TYPE_RST_STREAM, 0, &payload)
}

/// The answer to a client's PING: the same id back.
pub fn ping(id: u32) -> Vec<u8> {
    control(TYPE_PING, 0, &id.to_be_bytes())
}

pub fn goaway(last_good_stream: u32) -> Vec<u8> {
    let mut payload = (last_good_stream & 0x7fff_ffff).to_be_bytes().to_vec();
    payload.extend_from_slice(&0u32.to_be_bytes());
    control(TYPE_GOAWAY, 0, &payload)
}

fn control(kind: u16, flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut frame = vec![0x80, 3];
    frame.extend_from_slice(&kind.to_be_bytes());
    frame.push(flags);
    frame.extend_from_slice(&(payload.len() as u32).to_be_bytes()[1..]);
    frame.extend_from_slice(payload);
    frame
}

/// A header block: a count, then length-prefixed names and values (a value with
/// several entries joins them with NUL).
pub fn encode_headers(headers: &[(&str, &str)]) -> Vec<u8> {
    let mut out = (headers.len() as u32).to_be_bytes().to_vec();
    for (name, value) in headers {
        out.extend_from_slice(&(name.len() as u32).to_be_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&(value.len() as u32).to_be_bytes());
        out.extend_from_slice(value.as_bytes());
    }
    out
}

fn parse_headers(block: &[u8]) -> Option<Vec<(String, String)>> {
    let mut at = 0usize;
    let mut next = |len: usize| -> Option<&[u8]> {
        let part = block.get(at..at.checked_add(len)?)?;
        at += len;
        Some(part)
    };
    let word = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let count = word(next(4)?);
    let mut headers = Vec::new();
    for _ in 0..count.min(1024) {
        let name_len = word(next(4)?);
        let name = String::from_utf8_lossy(next(name_len)?).into_owned();
        let value_len = word(next(4)?);
        let value = String::from_utf8_lossy(next(value_len)?).into_owned();
        for v in value.split('\0') {
            headers.push((name.clone(), v.to_string()));
        }
    }
    Some(headers)
}

/// Header names SPDY/3's dictionary starts with, each after its 32-bit length.
const DICTIONARY_NAMES: &[&str] = &[
    "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding", "accept-language",
    "accept-ranges", "age", "allow", "authorization", "cache-control", "connection", "content-base", "content-encoding",
    "content-language", "content-length", "content-location", "content-md5", "content-range", "content-type", "date", "etag",
    "expect", "expires", "from", "host", "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since",
    "last-modified", "location", "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer",
    "retry-after", "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via", "warning",
    "www-authenticate", "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie",
    "keep-alive", "origin",
];

/// The text SPDY/3's dictionary ends with: status codes, reason phrases, dates,
/// content types and cache directives.
const DICTIONARY_TAIL: &str = concat!(
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505",
    "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized",
    "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable",
    "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT",
    "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,",
    "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.",
);

/// SPDY/3's zlib dictionary (section 2.6.10.1 of the draft), 1423 bytes.
pub fn dictionary() -> Vec<u8> {
    let mut out = Vec::with_capacity(1423);
    for name in DICTIONARY_NAMES {
        out.extend_from_slice(&(name.len() as u32).to_be_bytes());
        out.extend_from_slice(name.as_bytes());
    }
    out.extend_from_slice(DICTIONARY_TAIL.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::inflate::adler32;

    #[test]
    fn the_dictionary_is_spdy_3s() {
        // The draft's dictionary: 1423 bytes whose Adler-32 (the id a zlib header
        // names it by, which Go's SPDY client sends) is e3c6a7c2.
        let d = dictionary();
        assert_eq!(d.len(), 1423);
        assert_eq!(adler32(&d), 0xe3c6_a7c2);
    }

    #[test]
    fn a_syn_reply_reads_back_through_a_second_framer() {
        // Our SYN_REPLY, read the way a client would (its header block inflated
        // with the dictionary); then a DATA frame and a PING.
        let mut server = Framer::new();
        let mut wire = server.syn_reply(3);
        wire.extend(data(3, FLAG_FIN, b"hi"));
        wire.extend(ping(7));
        let mut client = Framer::new();
        let mut reader = wire.as_slice();
        assert_eq!(client.read_frame(&mut reader).ok().flatten(), Some(Frame::Ignored));
        assert_eq!(client.read_frame(&mut reader).ok().flatten(), Some(Frame::Data { stream_id: 3, flags: FLAG_FIN, data: b"hi".to_vec() }));
        assert_eq!(client.read_frame(&mut reader).ok().flatten(), Some(Frame::Ping { id: 7 }));
        assert_eq!(client.read_frame(&mut reader).ok().flatten(), None);
    }

    #[test]
    fn a_syn_stream_carries_its_headers() {
        let mut deflater = StoredDeflater::new();
        let block = deflater.deflate(&encode_headers(&[("streamtype", "data"), ("port", "80"), ("requestid", "0")]));
        let mut payload = 5u32.to_be_bytes().to_vec();
        payload.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        payload.extend_from_slice(&block);
        let wire = control(TYPE_SYN_STREAM, 0, &payload);
        let mut framer = Framer::new();
        let frame = framer.read_frame(&mut wire.as_slice()).ok().flatten();
        let expected = vec![("streamtype".to_string(), "data".to_string()), ("port".to_string(), "80".to_string()), ("requestid".to_string(), "0".to_string())];
        assert_eq!(frame, Some(Frame::SynStream { stream_id: 5, flags: 0, headers: expected }));
    }
}
