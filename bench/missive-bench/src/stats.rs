//! Latency samples and their percentiles.

/// Latencies in nanoseconds.
#[derive(Default)]
pub struct Samples(Vec<u64>);

impl Samples {
    pub fn extend(&mut self, other: Samples) {
        self.0.extend(other.0);
    }

    pub fn push(&mut self, ns: u64) {
        self.0.push(ns);
    }

    /// The `q`-quantile (0..=1) in milliseconds, by the nearest-rank method.
    pub fn quantile_ms(&mut self, q: f64) -> f64 {
        if self.0.is_empty() {
            return f64::NAN;
        }
        self.0.sort_unstable();
        let rank = ((q * self.0.len() as f64).ceil() as usize).clamp(1, self.0.len());
        self.0[rank - 1] as f64 / 1e6
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_use_the_nearest_rank() {
        let mut s = Samples::default();
        for ms in 1..=100u64 {
            s.push(ms * 1_000_000);
        }
        assert_eq!((s.quantile_ms(0.5), s.quantile_ms(0.99), s.quantile_ms(1.0)), (50.0, 99.0, 100.0));
    }
}
