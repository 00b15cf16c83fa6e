//! Inflate (RFC 1950 zlib around RFC 1951 DEFLATE) with a preset dictionary, for
//! SPDY's compressed header blocks.
//!
//! SPDY/3.1 compresses every header block of a connection with one zlib stream per
//! direction, primed with SPDY's fixed dictionary; each block ends with a sync flush
//! (Go's `zlib.Writer.Flush`: the pending block, then an empty stored block), so a
//! frame's header bytes always end on a DEFLATE block boundary, byte-aligned. That
//! lets this decoder work block by block, frame by frame: it keeps only the last
//! 32 KiB of output (the window back-references reach into, seeded with the
//! dictionary), never a half-decoded block.

/// DEFLATE's window: how far back a distance can reach.
const WINDOW: usize = 32 * 1024;

/// The decompression side of one SPDY connection's header stream.
pub struct Inflater {
    window: Vec<u8>,
    dictionary_id: u32,
    header_seen: bool,
    finished: bool,
}

impl Inflater {
    pub fn new(dictionary: &[u8]) -> Inflater {
        Inflater { window: dictionary.to_vec(), dictionary_id: adler32(dictionary), header_seen: false, finished: false }
    }

    /// Inflates the next piece of the stream, which must end on a block boundary
    /// (a sync flush ends every SPDY header block).
    pub fn inflate(&mut self, input: &[u8]) -> Result<Vec<u8>, String> {
        let mut bits = Bits { data: input, pos: 0 };
        if !self.header_seen {
            // RFC 1950: CMF (method 8, deflate), FLG (check bits, FDICT); with FDICT
            // the Adler-32 of the dictionary the sender primed its compressor with.
            let cmf = bits.byte()?;
            let flg = bits.byte()?;
            if cmf & 0x0f != 8 || (u16::from(cmf) * 256 + u16::from(flg)) % 31 != 0 {
                return Err("not a zlib stream".to_string());
            }
            if flg & 0x20 != 0 {
                let mut id = 0u32;
                for _ in 0..4 {
                    id = (id << 8) | u32::from(bits.byte()?);
                }
                if id != self.dictionary_id {
                    return Err(format!("zlib stream wants dictionary {id:08x}, not {:08x}", self.dictionary_id));
                }
            }
            self.header_seen = true;
        }
        let start = self.window.len();
        while !self.finished && bits.whole_bytes_left() {
            let last = bits.take(1)? == 1;
            match bits.take(2)? {
                0 => self.stored(&mut bits)?,
                1 => self.compressed(&mut bits, &fixed_literal_lengths(), &fixed_distances())?,
                2 => {
                    let (literals, distances) = dynamic_tables(&mut bits)?;
                    self.compressed(&mut bits, &literals, &distances)?;
                }
                _ => return Err("invalid deflate block type".to_string()),
            }
            self.finished = last;
        }
        let produced = self.window.get(start..).unwrap_or_default().to_vec();
        if self.window.len() > 2 * WINDOW {
            let drop = self.window.len() - WINDOW;
            self.window.drain(..drop);
        }
        Ok(produced)
    }

    fn stored(&mut self, bits: &mut Bits) -> Result<(), String> {
        bits.align();
        let len = u16::from(bits.byte()?) | (u16::from(bits.byte()?) << 8);
        let nlen = u16::from(bits.byte()?) | (u16::from(bits.byte()?) << 8);
        if len != !nlen {
            return Err("stored block length check failed".to_string());
        }
        for _ in 0..len {
            let b = bits.byte()?;
            self.window.push(b);
        }
        Ok(())
    }

    fn compressed(&mut self, bits: &mut Bits, literals: &Huffman, distances: &Huffman) -> Result<(), String> {
        loop {
            let symbol = literals.decode(bits)?;
            match symbol {
                0..=255 => self.window.push(symbol as u8),
                256 => return Ok(()),
                _ => {
                    let index = usize::from(symbol - 257);
                    let (&base, &extra) = LENGTH_BASE.get(index).zip(LENGTH_EXTRA.get(index)).ok_or("invalid length code")?;
                    let length = usize::from(base) + bits.take(extra)? as usize;
                    let d = usize::from(distances.decode(bits)?);
                    let (&base, &extra) = DISTANCE_BASE.get(d).zip(DISTANCE_EXTRA.get(d)).ok_or("invalid distance code")?;
                    let distance = usize::from(base) + bits.take(extra)? as usize;
                    if distance > self.window.len() {
                        return Err("distance reaches before the start of the stream".to_string());
                    }
                    let from = self.window.len() - distance;
                    for i in 0..length {
                        let b = self.window.get(from + i).copied().unwrap_or(0);
                        self.window.push(b);
                    }
                }
            }
        }
    }
}

/// RFC 1950's checksum (the dictionary id in a zlib header).
pub fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

/// DEFLATE's bit order: least significant bit of each byte first.
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bits<'_> {
    fn bit(&mut self) -> Result<u32, String> {
        let byte = self.data.get(self.pos / 8).ok_or("header block ends inside a deflate block")?;
        let bit = (byte >> (self.pos % 8)) & 1;
        self.pos += 1;
        Ok(u32::from(bit))
    }

    fn take(&mut self, count: u8) -> Result<u32, String> {
        let mut value = 0;
        for i in 0..count {
            value |= self.bit()? << i;
        }
        Ok(value)
    }

    fn align(&mut self) {
        self.pos = self.pos.div_ceil(8) * 8;
    }

    fn byte(&mut self) -> Result<u8, String> {
        self.align();
        let b = *self.data.get(self.pos / 8).ok_or("header block ends inside a deflate block")?;
        self.pos += 8;
        Ok(b)
    }

    /// Whether a whole byte is still unread: the bits left of a partial byte are
    /// the padding a flush leaves, never a block.
    fn whole_bytes_left(&self) -> bool {
        self.pos.div_ceil(8) < self.data.len()
    }
}

/// A canonical Huffman code, decoded one bit at a time (headers are small).
struct Huffman {
    /// How many codes have each length, 0..=15.
    counts: [u16; 16],
    /// Symbols ordered by code.
    symbols: Vec<u16>,
}

impl Huffman {
    fn from_lengths(lengths: &[u8]) -> Huffman {
        let mut counts = [0u16; 16];
        for &l in lengths {
            if let Some(c) = counts.get_mut(usize::from(l)) {
                *c += 1;
            }
        }
        counts[0] = 0;
        let mut symbols = Vec::new();
        for length in 1..16u8 {
            for (symbol, &l) in lengths.iter().enumerate() {
                if l == length {
                    symbols.push(symbol as u16);
                }
            }
        }
        Huffman { counts, symbols }
    }

    fn decode(&self, bits: &mut Bits) -> Result<u16, String> {
        // Canonical codes of one length are consecutive: walk the lengths, keeping
        // the first code of this length and the index of its first symbol.
        let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
        for &count in self.counts.iter().skip(1) {
            code |= bits.bit()? as i32;
            let count = i32::from(count);
            if code - first < count {
                let at = usize::try_from(index + code - first).map_err(|_| "bad huffman code")?;
                return self.symbols.get(at).copied().ok_or_else(|| "bad huffman code".to_string());
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        Err("invalid huffman code".to_string())
    }
}

fn fixed_literal_lengths() -> Huffman {
    let mut lengths = [8u8; 288];
    lengths[144..256].fill(9);
    lengths[256..280].fill(7);
    Huffman::from_lengths(&lengths)
}

fn fixed_distances() -> Huffman {
    Huffman::from_lengths(&[5u8; 30])
}

/// The order code length code lengths come in (RFC 1951 3.2.7).
const CODE_LENGTH_ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

fn dynamic_tables(bits: &mut Bits) -> Result<(Huffman, Huffman), String> {
    let literal_count = bits.take(5)? as usize + 257;
    let distance_count = bits.take(5)? as usize + 1;
    let code_length_count = bits.take(4)? as usize + 4;
    let mut code_lengths = [0u8; 19];
    for &at in CODE_LENGTH_ORDER.iter().take(code_length_count) {
        code_lengths[at] = bits.take(3)? as u8;
    }
    let code_length_code = Huffman::from_lengths(&code_lengths);
    let mut lengths: Vec<u8> = Vec::new();
    while lengths.len() < literal_count + distance_count {
        let symbol = code_length_code.decode(bits)?;
        let (value, repeat) = match symbol {
            0..=15 => (symbol as u8, 1),
            16 => (*lengths.last().ok_or("repeat with no previous length")?, 3 + bits.take(2)?),
            17 => (0, 3 + bits.take(3)?),
            18 => (0, 11 + bits.take(7)?),
            _ => return Err("invalid code length code".to_string()),
        };
        for _ in 0..repeat {
            lengths.push(value);
        }
    }
    if lengths.len() > literal_count + distance_count {
        return Err("code lengths overrun".to_string());
    }
    let (literals, distances) = lengths.split_at(literal_count);
    Ok((Huffman::from_lengths(literals), Huffman::from_lengths(distances)))
}

const LENGTH_BASE: [u16; 29] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA: [u8; 29] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DISTANCE_BASE: [u16; 30] =
    [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DISTANCE_EXTRA: [u8; 30] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

/// The compression side: zlib without compression. Each call is stored blocks, not
/// the last, then a sync flush, so the stream stays open for the next header block. Any inflater (Go's
/// `compress/zlib` with SPDY's dictionary) reads it, dictionary or not.
pub struct StoredDeflater {
    header_written: bool,
}

impl StoredDeflater {
    pub fn new() -> StoredDeflater {
        StoredDeflater { header_written: false }
    }

    pub fn deflate(&mut self, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(data.len() + 16);
        if !self.header_written {
            // CMF 0x78 (deflate, 32 KiB window), FLG 0x01: no dictionary, check bits
            // making 0x7801 a multiple of 31.
            out.extend_from_slice(&[0x78, 0x01]);
            self.header_written = true;
        }
        for chunk in data.chunks(0xffff) {
            let len = chunk.len() as u16;
            out.push(0); // BFINAL 0, BTYPE 00, then padding to the byte.
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&(!len).to_le_bytes());
            out.extend_from_slice(chunk);
        }
        // The sync flush marker, an empty stored block, as Go's `Flush` writes it.
        // Go's inflater needs it: it hands over a stored block's bytes only when the
        // next block begins, and the next block must begin inside this frame (the
        // frame's end is an EOF that would stick to the connection's inflater).
        out.extend_from_slice(&[0x00, 0x00, 0x00, 0xff, 0xff]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler32_matches_rfc_1950() {
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    }

    #[test]
    fn stored_blocks_inflate_back_across_calls() {
        let mut deflater = StoredDeflater::new();
        let mut inflater = Inflater::new(b"dictionary");
        assert_eq!(inflater.inflate(&deflater.deflate(b"first")), Ok(b"first".to_vec()));
        assert_eq!(inflater.inflate(&deflater.deflate(b"second")), Ok(b"second".to_vec()));
    }

    #[test]
    fn a_fixed_block_with_a_back_reference_into_the_dictionary() {
        // zlib with the dictionary "hello world", then a fixed-Huffman block
        // holding a single match (length 5, distance 11: "hello"), an end of block,
        // and the empty stored block of a sync flush. Built bit by bit here.
        let dictionary = b"hello world";
        let mut out = vec![0x78, 0xbb];
        out.extend_from_slice(&adler32(dictionary).to_be_bytes());
        let mut writer = BitWriter::default();
        writer.put(0, 1); // not last
        writer.put(1, 2); // fixed
        writer.code(0b0000011, 7); // length 5: symbol 259, 7-bit code 0000011
        writer.code(0b00110, 5); // distance code 6: 9..12, 2 extra bits
        writer.put(11 - 9, 2);
        writer.code(0, 7); // end of block: symbol 256, code 0000000
        writer.put(0, 1); // sync flush: not last, stored
        writer.put(0, 2);
        out.extend(writer.finish());
        out.extend_from_slice(&[0, 0, 0xff, 0xff]);
        let mut inflater = Inflater::new(dictionary);
        assert_eq!(inflater.inflate(&out), Ok(b"hello".to_vec()));
    }

    #[test]
    fn a_wrong_dictionary_is_refused() {
        let mut inflater = Inflater::new(b"one");
        let mut stream = vec![0x78, 0xbb];
        stream.extend_from_slice(&adler32(b"other").to_be_bytes());
        assert!(inflater.inflate(&stream).is_err());
    }

    #[derive(Default)]
    struct BitWriter {
        bytes: Vec<u8>,
        bit: usize,
    }

    impl BitWriter {
        fn put(&mut self, value: u32, count: u8) {
            for i in 0..count {
                self.push((value >> i) & 1);
            }
        }

        /// Huffman codes go most significant bit first.
        fn code(&mut self, value: u32, count: u8) {
            for i in (0..count).rev() {
                self.push((value >> i) & 1);
            }
        }

        fn push(&mut self, bit: u32) {
            if self.bit % 8 == 0 {
                self.bytes.push(0);
            }
            if let Some(last) = self.bytes.last_mut() {
                *last |= (bit as u8) << (self.bit % 8);
            }
            self.bit += 1;
        }

        fn finish(self) -> Vec<u8> {
            self.bytes
        }
    }
}
