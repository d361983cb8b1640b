//! The publisher's offer, tuned for voice as LiveKit's clients tune theirs:
//! Opus with in-band FEC and DTX (`useinbandfec=1;usedtx=1`), and RED
//! (RFC 2198, redundant Opus) listed first, so an SFU that accepts it has
//! the browser send every frame twice: once on its own, once inside the
//! next packet. A loss of one packet in a row costs nothing then.

/// `localStorage` key: "off" leaves RED out of the offer (to compare, as
/// the loss benchmark does); anything else offers it.
pub const RED_KEY: &str = "belfry.audio.red";

/// The offer with Opus's format line and the audio payload order tuned
/// (and RED taken out when `red` is false); an offer without Opus is
/// returned as it came.
pub fn voice_offer(sdp: &str, red: bool) -> String {
    let eol = if sdp.contains("\r\n") { "\r\n" } else { "\n" };
    let lines: Vec<&str> = sdp.split(eol).collect();
    let mut out = Vec::with_capacity(lines.len() + 1);
    let mut section: Vec<&str> = Vec::new();
    for line in lines {
        if line.starts_with("m=") {
            flush(&mut section, &mut out, red);
        }
        section.push(line);
    }
    flush(&mut section, &mut out, red);
    out.join(eol)
}

/// Writes one section (the session part, or one m-line and its attributes).
fn flush(section: &mut Vec<&str>, out: &mut Vec<String>, keep_red: bool) {
    let audio = section.first().is_some_and(|l| l.starts_with("m=audio "));
    let opus = audio.then(|| payload_type(section, "opus/48000")).flatten();
    let Some(opus) = opus else {
        out.extend(section.drain(..).map(str::to_string));
        return;
    };
    let red = payload_type(section, "red/48000");
    let drop_red = red.clone().filter(|_| !keep_red);
    let fmtp = format!("a=fmtp:{opus} ");
    let rtpmap = format!("a=rtpmap:{opus} ");
    // Offers without Opus's format line get one, after its rtpmap.
    let has_fmtp = section.iter().any(|l| l.starts_with(&fmtp));
    for line in section.drain(..) {
        if drop_red.as_deref().is_some_and(|r| describes(line, r)) {
            continue;
        }
        if line.starts_with("m=audio ") {
            out.push(match (red.as_deref(), drop_red.as_deref()) {
                (_, Some(red)) => reorder(line, red, false),
                (Some(red), None) => reorder(line, red, true),
                (None, None) => line.to_string(),
            });
        } else if let Some(params) = line.strip_prefix(&fmtp) {
            out.push(format!("{fmtp}{}", with_voice_params(params)));
        } else {
            out.push(line.to_string());
            if !has_fmtp && line.starts_with(&rtpmap) {
                out.push(format!("{fmtp}{}", with_voice_params("")));
            }
        }
    }
}

/// Whether an attribute line is about payload type `pt`.
fn describes(line: &str, pt: &str) -> bool {
    ["a=rtpmap:", "a=fmtp:", "a=rtcp-fb:"].iter().any(|a| {
        line.strip_prefix(a)
            .is_some_and(|rest| rest.split(' ').next() == Some(pt))
    })
}

/// The payload type whose rtpmap names `codec` (e.g. `opus/48000`).
fn payload_type(section: &[&str], codec: &str) -> Option<String> {
    section.iter().find_map(|l| {
        let rest = l.strip_prefix("a=rtpmap:")?;
        let (pt, name) = rest.split_once(' ')?;
        name.to_ascii_lowercase()
            .starts_with(codec)
            .then(|| pt.to_string())
    })
}

/// The m-line with `red` moved to the front of its payload types, or
/// (`first` false) taken out.
fn reorder(line: &str, red: &str, first: bool) -> String {
    let mut words: Vec<&str> = line.split(' ').collect();
    if words.len() <= 3 {
        return line.to_string();
    }
    let mut pts: Vec<&str> = words.split_off(3);
    pts.retain(|pt| *pt != red);
    if first {
        words.push(red);
    }
    words.extend(pts);
    words.join(" ")
}

/// Opus parameters with FEC and DTX on (kept if already set either way by
/// the browser's own choice elsewhere, e.g. `usedtx=0`).
fn with_voice_params(params: &str) -> String {
    let mut parts: Vec<String> = (params.split(';'))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    for (key, value) in [("useinbandfec", "1"), ("usedtx", "1")] {
        if !parts.iter().any(|p| p.starts_with(&format!("{key}="))) {
            parts.push(format!("{key}={value}"));
        }
    }
    parts.join(";")
}

#[cfg(test)]
mod tests {
    use super::voice_offer;

    const CHROME: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
        a=group:BUNDLE 0\r\n\
        m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n\
        c=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendonly\r\n\
        a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\n\
        a=fmtp:111 minptime=10;useinbandfec=1\r\n\
        a=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\n\
        a=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\n\
        m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n\
        a=fmtp:96 x=1\r\n";

    #[test]
    fn opus_gets_dtx_and_red_goes_first_and_nothing_else_moves() {
        let out = voice_offer(CHROME, true);
        assert!(out.contains("m=audio 9 UDP/TLS/RTP/SAVPF 63 111 9 0 8 13 110 126\r\n"));
        assert!(out.contains("a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1\r\n"));
        assert!(out.contains("a=fmtp:63 111/111\r\n"));
        // The video section and the session part are as they were.
        assert!(out.contains(
            "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\na=fmtp:96 x=1\r\n"
        ));
        assert!(out.starts_with("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"));
        assert_eq!(out.lines().count(), CHROME.lines().count());
        // Tuning twice changes nothing more.
        assert_eq!(voice_offer(&out, true), out);
    }

    #[test]
    fn a_browser_choice_is_kept_and_a_missing_format_line_is_added() {
        let off = CHROME.replace("minptime=10;useinbandfec=1", "usedtx=0;useinbandfec=0");
        let out = voice_offer(&off, true);
        assert!(out.contains("a=fmtp:111 usedtx=0;useinbandfec=0\r\n"));
        // Firefox's Opus without RED, and no fmtp line at all.
        let bare = "v=0\nm=audio 9 UDP/TLS/RTP/SAVPF 109 9\na=rtpmap:109 opus/48000/2\na=rtpmap:9 G722/8000\n";
        let out = voice_offer(bare, true);
        assert!(out.contains("m=audio 9 UDP/TLS/RTP/SAVPF 109 9\n"));
        assert!(out.contains("a=rtpmap:109 opus/48000/2\na=fmtp:109 useinbandfec=1;usedtx=1\n"));
        // No Opus: untouched.
        let pcmu = "v=0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        assert_eq!(voice_offer(pcmu, true), pcmu);
    }

    #[test]
    fn red_can_be_left_out_entirely() {
        let out = voice_offer(CHROME, false);
        assert!(out.contains("m=audio 9 UDP/TLS/RTP/SAVPF 111 9 0 8 13 110 126\r\n"));
        assert!(!out.contains("red/48000") && !out.contains("a=fmtp:63"));
        assert!(out.contains("a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1\r\n"));
        assert_eq!(out.lines().count(), CHROME.lines().count() - 2);
    }
}
