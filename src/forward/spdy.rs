//! SPDY/3.1 framing: the part a port-forward client needs, as kubectl speaks it to the kubelet
//! through the API server's WebSocket tunnel (`SPDY/3.1+portforward.k8s.io`). Pure: bytes in,
//! frames out, and the reverse.
//!
//! Header blocks the server sends (SYN_REPLY, HEADERS) are skipped, never decompressed: a
//! port-forward client needs nothing from them. Header blocks we send are a zlib stream made
//! of *stored* deflate blocks (no compression, no preset dictionary): a valid zlib stream that
//! Go's SPDY framer (`moby/spdystream`) reads like any other, without a compression library.

/// SPDY version spoken.
pub const VERSION: u16 = 3;
/// Flag on a DATA or control frame: the sender's last frame on that stream.
pub const FLAG_FIN: u8 = 0x01;
/// RST_STREAM status: the stream is no longer needed.
pub const STATUS_CANCEL: u32 = 5;
/// Largest DATA payload a frame can carry (24-bit length).
pub const MAX_DATA: usize = (1 << 24) - 1;

const SYN_STREAM: u16 = 1;
const SYN_REPLY: u16 = 2;
const RST_STREAM: u16 = 3;
const PING: u16 = 6;
const GOAWAY: u16 = 7;
const HEADERS: u16 = 8;
const HEADER_LEN: usize = 8;
/// An empty, non-final stored deflate block.
const SYNC_FLUSH: [u8; 5] = [0x00, 0x00, 0x00, 0xff, 0xff];

/// A frame read from the server (only what a client acts on; other kinds are `Other`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// Payload for a stream; `fin` closes the server's side of it.
    Data {
        /// Stream id.
        stream: u32,
        /// Last frame from the server on this stream.
        fin: bool,
        /// Payload.
        data: Vec<u8>,
    },
    /// The server accepted a stream (its headers are skipped).
    SynReply {
        /// Stream id.
        stream: u32,
        /// The server will send nothing on it.
        fin: bool,
    },
    /// HEADERS for a stream (skipped); `fin` closes the server's side.
    Headers {
        /// Stream id.
        stream: u32,
        /// Last frame from the server on this stream.
        fin: bool,
    },
    /// The stream was aborted.
    RstStream {
        /// Stream id.
        stream: u32,
        /// SPDY status code.
        status: u32,
    },
    /// A ping: the server's own (even id) must be echoed.
    Ping {
        /// Ping id.
        id: u32,
    },
    /// The server takes no new streams.
    GoAway {
        /// Last stream id the server handled.
        last_stream: u32,
    },
    /// SETTINGS, WINDOW_UPDATE, a server-initiated SYN_STREAM or an unknown kind: ignored.
    Other {
        /// Control frame type.
        kind: u16,
    },
}

/// Why bytes are not a SPDY/3 frame stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SPDY protocol error: {}", self.0)
    }
}

fn u32_at(buf: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]])
}

fn u24_at(buf: &[u8], at: usize) -> usize {
    (usize::from(buf[at]) << 16) | (usize::from(buf[at + 1]) << 8) | usize::from(buf[at + 2])
}

/// Parses the first frame of `buf`: `Ok(None)` while it is incomplete, else the frame and the
/// number of bytes it took.
pub fn parse(buf: &[u8]) -> Result<Option<(Frame, usize)>, ProtocolError> {
    if buf.len() < HEADER_LEN {
        return Ok(None);
    }
    let flags = buf[4];
    let len = u24_at(buf, 5);
    let total = HEADER_LEN + len;
    if buf.len() < total {
        return Ok(None);
    }
    let body = &buf[HEADER_LEN..total];
    let fin = flags & FLAG_FIN != 0;
    if buf[0] & 0x80 == 0 {
        let frame = Frame::Data {
            stream: u32_at(buf, 0) & 0x7fff_ffff,
            fin,
            data: body.to_vec(),
        };
        return Ok(Some((frame, total)));
    }
    let version = u16::from_be_bytes([buf[0] & 0x7f, buf[1]]);
    if version != VERSION {
        return Err(ProtocolError(format!(
            "control frame of version {version}, expected {VERSION}"
        )));
    }
    let kind = u16::from_be_bytes([buf[2], buf[3]]);
    let need = |n: usize| {
        if len < n {
            Err(ProtocolError(format!(
                "control frame type {kind} of {len} bytes, expected at least {n}"
            )))
        } else {
            Ok(())
        }
    };
    let frame = match kind {
        SYN_REPLY => {
            need(4)?;
            Frame::SynReply {
                stream: u32_at(body, 0) & 0x7fff_ffff,
                fin,
            }
        }
        HEADERS => {
            need(4)?;
            Frame::Headers {
                stream: u32_at(body, 0) & 0x7fff_ffff,
                fin,
            }
        }
        RST_STREAM => {
            need(8)?;
            Frame::RstStream {
                stream: u32_at(body, 0) & 0x7fff_ffff,
                status: u32_at(body, 4),
            }
        }
        PING => {
            need(4)?;
            Frame::Ping {
                id: u32_at(body, 0),
            }
        }
        GOAWAY => {
            need(4)?;
            Frame::GoAway {
                last_stream: u32_at(body, 0) & 0x7fff_ffff,
            }
        }
        kind => Frame::Other { kind },
    };
    Ok(Some((frame, total)))
}

fn control(kind: u16, flags: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(&(0x8000 | VERSION).to_be_bytes());
    out.extend_from_slice(&kind.to_be_bytes());
    out.push(flags);
    out.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    out.extend_from_slice(body);
    out
}

/// Writes header blocks as one zlib stream over the whole connection, as SPDY requires.
#[derive(Debug, Default)]
pub struct HeaderEncoder {
    started: bool,
}

impl HeaderEncoder {
    /// One header block: the name/value pairs (names must be lower case), as a zlib stored
    /// block; the first block of a connection also carries the zlib stream header.
    pub fn encode(&mut self, headers: &[(&str, &str)]) -> Vec<u8> {
        let mut raw = Vec::new();
        raw.extend_from_slice(&(headers.len() as u32).to_be_bytes());
        for (name, value) in headers {
            debug_assert_eq!(
                name.to_ascii_lowercase(),
                *name,
                "SPDY names are lower case"
            );
            for text in [name, value] {
                raw.extend_from_slice(&(text.len() as u32).to_be_bytes());
                raw.extend_from_slice(text.as_bytes());
            }
        }
        let mut out = Vec::with_capacity(raw.len() + 16);
        if !self.started {
            // CMF 0x78: deflate, 32 KiB window; FLG 0x01: no preset dictionary, check bits.
            out.extend_from_slice(&[0x78, 0x01]);
            self.started = true;
        }
        for chunk in raw.chunks(usize::from(u16::MAX)) {
            // A non-final stored block: BFINAL=0, BTYPE=00, then LEN and its complement.
            let n = chunk.len() as u16;
            out.push(0x00);
            out.extend_from_slice(&n.to_le_bytes());
            out.extend_from_slice(&(!n).to_le_bytes());
            out.extend_from_slice(chunk);
        }
        // An empty stored block (a zlib "sync flush"): Go's inflater hands over what it holds
        // only at such a block, so without it the header block would never be read.
        out.extend_from_slice(&SYNC_FLUSH);
        out
    }
}

/// A SYN_STREAM frame opening `stream` (odd, increasing) with the given headers.
pub fn syn_stream(encoder: &mut HeaderEncoder, stream: u32, headers: &[(&str, &str)]) -> Vec<u8> {
    let block = encoder.encode(headers);
    let mut body = Vec::with_capacity(10 + block.len());
    body.extend_from_slice(&(stream & 0x7fff_ffff).to_be_bytes());
    body.extend_from_slice(&0u32.to_be_bytes()); // not associated with another stream
    body.extend_from_slice(&[0, 0]); // priority 0 (highest), slot 0
    body.extend_from_slice(&block);
    control(SYN_STREAM, 0, &body)
}

/// A DATA frame (at most [`MAX_DATA`] bytes); `fin` closes our side of the stream.
pub fn data(stream: u32, fin: bool, payload: &[u8]) -> Vec<u8> {
    debug_assert!(payload.len() <= MAX_DATA);
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&(stream & 0x7fff_ffff).to_be_bytes());
    out.push(if fin { FLAG_FIN } else { 0 });
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes()[1..]);
    out.extend_from_slice(payload);
    out
}

/// A RST_STREAM frame aborting `stream`.
pub fn rst_stream(stream: u32, status: u32) -> Vec<u8> {
    let mut body = (stream & 0x7fff_ffff).to_be_bytes().to_vec();
    body.extend_from_slice(&status.to_be_bytes());
    control(RST_STREAM, 0, &body)
}

/// A PING frame (ours have odd ids; the server's even ones are echoed unchanged).
pub fn ping(id: u32) -> Vec<u8> {
    control(PING, 0, &id.to_be_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inflates stored blocks (what `HeaderEncoder` writes) back to the raw header block.
    fn inflate_stored(mut z: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        assert!(z.ends_with(&SYNC_FLUSH), "ends with a sync flush");
        while !z.is_empty() {
            assert_eq!(z[0], 0, "non-final stored block");
            let n = usize::from(u16::from_le_bytes([z[1], z[2]]));
            assert_eq!(u16::from_le_bytes([z[3], z[4]]), !(n as u16));
            out.extend_from_slice(&z[5..5 + n]);
            z = &z[5 + n..];
        }
        out
    }

    #[test]
    fn syn_stream_layout() {
        let mut enc = HeaderEncoder::default();
        let f = syn_stream(&mut enc, 3, &[("port", "4040"), ("streamtype", "error")]);
        assert_eq!(&f[..4], &[0x80, 0x03, 0x00, 0x01]);
        assert_eq!(f[4], 0);
        assert_eq!(u24_at(&f, 5), f.len() - 8);
        assert_eq!(u32_at(&f, 8), 3);
        assert_eq!(u32_at(&f, 12), 0);
        assert_eq!(&f[16..18], &[0, 0]);
        // zlib header on the first block of the connection only
        assert_eq!(&f[18..20], &[0x78, 0x01]);
        assert_eq!((0x78u32 * 256 + 0x01) % 31, 0, "zlib header check bits");
        let raw = inflate_stored(&f[20..]);
        let mut expect = 2u32.to_be_bytes().to_vec();
        for s in ["port", "4040", "streamtype", "error"] {
            expect.extend_from_slice(&(s.len() as u32).to_be_bytes());
            expect.extend_from_slice(s.as_bytes());
        }
        assert_eq!(raw, expect);
        let second = syn_stream(&mut enc, 5, &[("port", "4040")]);
        assert_eq!(second[18], 0x00, "no second zlib header");
    }

    #[test]
    fn data_frames_round_trip() {
        let f = data(7, true, b"hello");
        assert_eq!(
            parse(&f).unwrap(),
            Some((
                Frame::Data {
                    stream: 7,
                    fin: true,
                    data: b"hello".to_vec()
                },
                f.len()
            ))
        );
        assert_eq!(parse(&f[..f.len() - 1]).unwrap(), None);
        assert_eq!(parse(&f[..3]).unwrap(), None);
        let empty = data(9, false, b"");
        assert_eq!(empty.len(), 8);
    }

    #[test]
    fn control_frames_parse() {
        let r = rst_stream(5, STATUS_CANCEL);
        assert_eq!(
            parse(&r).unwrap(),
            Some((
                Frame::RstStream {
                    stream: 5,
                    status: 5
                },
                16
            ))
        );
        let p = ping(2);
        assert_eq!(parse(&p).unwrap(), Some((Frame::Ping { id: 2 }, 12)));
        // SYN_REPLY with a header block we skip, followed by the next frame
        let mut buf = control(SYN_REPLY, FLAG_FIN, &[0, 0, 0, 1, 0xde, 0xad]);
        let n = buf.len();
        buf.extend_from_slice(&data(1, false, b"x"));
        let (frame, used) = parse(&buf).unwrap().unwrap();
        assert_eq!(
            frame,
            Frame::SynReply {
                stream: 1,
                fin: true
            }
        );
        assert_eq!(used, n);
        assert!(matches!(
            parse(&buf[used..]).unwrap(),
            Some((Frame::Data { stream: 1, .. }, _))
        ));
        let goaway = control(GOAWAY, 0, &[0, 0, 0, 9, 0, 0, 0, 0]);
        assert_eq!(
            parse(&goaway).unwrap(),
            Some((Frame::GoAway { last_stream: 9 }, 16))
        );
        let window = control(9, 0, &[0, 0, 0, 1, 0, 1, 0, 0]);
        assert_eq!(parse(&window).unwrap().unwrap().0, Frame::Other { kind: 9 });
    }

    #[test]
    fn bad_frames_are_errors() {
        let mut v2 = ping(1);
        v2[1] = 2;
        assert!(parse(&v2).unwrap_err().0.contains("version 2"));
        let short = control(RST_STREAM, 0, &[0, 0, 0, 1]);
        assert!(parse(&short).is_err());
    }
}
