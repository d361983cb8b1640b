//! The loudspeaker / earpiece pair. Where a phone's browser lets a page
//! choose the audio output, it lists its built-in outputs by what they are;
//! finding both is what makes a "Speaker" toggle possible. Desktops list a
//! speaker but no earpiece, so they get the speaker menu alone.

use super::types::AudioDevice;

/// The loudspeaker and the earpiece, when the browser offers both.
pub fn speaker_and_earpiece(outputs: &[AudioDevice]) -> Option<(&AudioDevice, &AudioDevice)> {
    let earpiece = outputs.iter().find(|d| is_earpiece(&d.label))?;
    let speaker = outputs
        .iter()
        .find(|d| !is_earpiece(&d.label) && is_loudspeaker(&d.label))?;
    Some((speaker, earpiece))
}

fn is_earpiece(label: &str) -> bool {
    let label = label.to_ascii_lowercase();
    ["earpiece", "handset", "receiver"]
        .iter()
        .any(|w| label.contains(w))
}

fn is_loudspeaker(label: &str) -> bool {
    let label = label.to_ascii_lowercase();
    ["speakerphone", "loudspeaker", "speaker"]
        .iter()
        .any(|w| label.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn devices(labels: &[&str]) -> Vec<AudioDevice> {
        labels
            .iter()
            .enumerate()
            .map(|(i, l)| AudioDevice {
                id: format!("d{i}"),
                label: (*l).into(),
            })
            .collect()
    }

    #[test]
    fn a_phone_offering_both_gets_the_pair() {
        let list = devices(&["Default", "Earpiece", "Speakerphone", "Headset"]);
        let (speaker, earpiece) = speaker_and_earpiece(&list).expect("both offered");
        assert_eq!((speaker.id.as_str(), earpiece.id.as_str()), ("d2", "d1"));
        let list = devices(&["Handset earpiece", "Built-in loudspeaker"]);
        let (speaker, earpiece) = speaker_and_earpiece(&list).expect("both offered");
        assert_eq!((speaker.id.as_str(), earpiece.id.as_str()), ("d1", "d0"));
    }

    #[test]
    fn a_desktop_with_speakers_only_gets_none() {
        let list = devices(&["Default", "MacBook Pro Speakers", "USB Headphones"]);
        assert_eq!(speaker_and_earpiece(&list), None);
        assert_eq!(speaker_and_earpiece(&[]), None);
        // An earpiece alone is no pair either.
        assert_eq!(speaker_and_earpiece(&devices(&["Earpiece"])), None);
    }
}
