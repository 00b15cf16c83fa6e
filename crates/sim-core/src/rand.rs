//! The seeded random generator behind every random choice the cluster makes
//! (name suffixes, ClusterIPs, nodePorts, uids, endpoint choice).
//!
//! SplitMix64: tiny, fast and good enough for a simulation; it is not for secrets.
//! Owning the generator (rather than pulling in `rand`) keeps the wasm bundle small
//! and the sequence stable across dependency upgrades, which transcripts rely on.

#[derive(Clone, Debug)]
pub struct SeededRng {
    state: u64,
}

/// The alphabet of `k8s.io/apimachinery/pkg/util/rand.String`: no vowels, so that
/// generated names never spell words.
pub const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

impl SeededRng {
    pub fn new(seed: u64) -> Self {
        SeededRng { state: seed }
    }

    pub fn state(&self) -> u64 {
        self.state
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..bound`; `bound == 0` yields 0.
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            return 0;
        }
        // Rejection sampling keeps the distribution uniform, as Go's rand.Intn does.
        let zone = u64::MAX - (u64::MAX % bound);
        loop {
            let v = self.next_u64();
            if v < zone {
                return v % bound;
            }
        }
    }

    /// `n` characters from [`NAME_ALPHABET`], as the API server's name generator draws
    /// the suffix of `generateName`.
    pub fn name_suffix(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| {
                let i = self.below(NAME_ALPHABET.len() as u64) as usize;
                char::from(NAME_ALPHABET.get(i).copied().unwrap_or(b'x'))
            })
            .collect()
    }

    /// A version-4 UUID, as the API server assigns to `metadata.uid`.
    pub fn uuid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        let bytes: Vec<u8> = a.to_be_bytes().into_iter().chain(b.to_be_bytes()).collect();
        let mut hex = String::with_capacity(36);
        for (i, byte) in bytes.iter().enumerate() {
            let byte = match i {
                6 => (byte & 0x0f) | 0x40,
                8 => (byte & 0x3f) | 0x80,
                _ => *byte,
            };
            if matches!(i, 4 | 6 | 8 | 10) {
                hex.push('-');
            }
            hex.push_str(&format!("{byte:02x}"));
        }
        hex
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let mut a = SeededRng::new(7);
        let mut b = SeededRng::new(7);
        assert_eq!(a.name_suffix(5), b.name_suffix(5));
        assert_eq!(a.uuid(), b.uuid());
    }

    #[test]
    fn suffix_uses_only_the_api_server_alphabet() {
        let mut r = SeededRng::new(1);
        let s = r.name_suffix(500);
        assert!(s.bytes().all(|c| NAME_ALPHABET.contains(&c)));
        let u = r.uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(u.as_bytes()[14], b'4');
    }
}
