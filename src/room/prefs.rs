//! The person's audio settings, kept in the browser between calls.

/// Keys in `localStorage`.
pub const MICROPHONE_KEY: &str = "belfry.audio.microphone";
pub const SPEAKER_KEY: &str = "belfry.audio.speaker";
/// "off" turns echo cancellation, noise suppression and auto gain off (for
/// music in a studio, or a test tone); anything else leaves them on.
pub const PROCESSING_KEY: &str = "belfry.audio.processing";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioPrefs {
    pub microphone: Option<String>,
    pub speaker: Option<String>,
    /// Echo cancellation, noise suppression and auto gain.
    pub processing: bool,
}

impl Default for AudioPrefs {
    fn default() -> Self {
        Self {
            microphone: None,
            speaker: None,
            processing: true,
        }
    }
}

impl AudioPrefs {
    /// From the stored values (`None` where nothing is stored).
    pub fn from_stored(
        microphone: Option<String>,
        speaker: Option<String>,
        processing: Option<String>,
    ) -> Self {
        let keep = |v: Option<String>| v.filter(|s| !s.is_empty() && s.len() <= 512);
        Self {
            microphone: keep(microphone),
            speaker: keep(speaker),
            processing: processing.as_deref() != Some("off"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processing_stays_on_unless_turned_off_and_junk_ids_are_dropped() {
        assert_eq!(
            AudioPrefs::from_stored(None, None, None),
            AudioPrefs::default()
        );
        assert!(AudioPrefs::from_stored(None, None, Some("on".into())).processing);
        assert!(!AudioPrefs::from_stored(None, None, Some("off".into())).processing);
        let p = AudioPrefs::from_stored(Some(String::new()), Some("x".repeat(600)), None);
        assert_eq!((p.microphone, p.speaker), (None, None));
        let p = AudioPrefs::from_stored(Some("mic-1".into()), Some("out-2".into()), None);
        assert_eq!(p.microphone.as_deref(), Some("mic-1"));
        assert_eq!(p.speaker.as_deref(), Some("out-2"));
    }
}
