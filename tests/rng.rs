//! SplitMix64, the random numbers of the property and fuzz tests: small, seeded, the same
//! sequence on every machine, so that a failing case is replayed from its seed.

#![allow(dead_code)]

/// The generator's state.
pub struct Rng(pub u64);

impl Rng {
    /// A generator whose state mixes every one of `parts` (a run's seed, a file, a case).
    pub fn from_parts(parts: &[u64]) -> Rng {
        let mut r = Rng(0x5eed);
        for &p in parts {
            r.0 = r.0.wrapping_add(p);
            r.0 = r.next();
        }
        r
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() % 10_000) as f64 / 10_000.0 < p
    }

    /// A position in `len` bytes, in the first 512 (where headers are) half of the time.
    pub fn position(&mut self, len: usize) -> usize {
        if self.below(2) == 0 {
            self.below(len.min(512))
        } else {
            self.below(len)
        }
    }
}
