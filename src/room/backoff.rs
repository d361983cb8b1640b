//! When to try the media room again after the link drops: at once, then
//! spaced out (as LiveKit's own clients do), then give up.

/// Delays before reconnection attempts 1, 2, 3... in ms.
const DELAYS_MS: [u32; 10] = [
    0, 300, 1_200, 2_700, 4_800, 7_000, 7_000, 7_000, 7_000, 7_000,
];

/// The wait before attempt `attempt` (1-based), or `None` once it is time
/// to give up (about 50 s of trying in all).
pub fn delay_ms(attempt: u32) -> Option<u32> {
    let index = attempt.checked_sub(1)? as usize;
    DELAYS_MS.get(index).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_retry_is_immediate_then_spaced_then_gives_up() {
        assert_eq!(delay_ms(0), None);
        assert_eq!(delay_ms(1), Some(0));
        assert_eq!(delay_ms(2), Some(300));
        let all: Vec<u32> = (1..).map_while(delay_ms).collect();
        assert_eq!(all.len(), 10);
        assert!(
            all.windows(2).all(|w| w[0] <= w[1]),
            "never shorter than the last"
        );
        assert_eq!(all.iter().sum::<u32>(), 44_000);
        assert_eq!(delay_ms(11), None);
    }
}
