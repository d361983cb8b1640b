//! Logging. The filter comes from `BELFRY_LOG` (tracing's env-filter
//! syntax); the format from `BELFRY_LOG_FORMAT`: `text` (the default, for
//! people) or `json` (one object a line, for log collectors).

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl LogFormat {
    /// `BELFRY_LOG_FORMAT`'s value; unset means text.
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        match value.map(str::trim) {
            None | Some("" | "text") => Ok(Self::Text),
            Some("json") => Ok(Self::Json),
            Some(other) => Err(format!("BELFRY_LOG_FORMAT={other:?} must be text or json")),
        }
    }
}

pub fn init(filter: &str, format: LogFormat) {
    // A second init (tests start many apps in one process) is harmless.
    use std::io::IsTerminal;
    let colour = std::io::stderr().is_terminal();
    // Also takes in what libraries log through `log` (tracing-log).
    let _ = subscriber(filter, format, colour, std::io::stderr).try_init();
}

/// The subscriber that writes the log, to `writer` (text in colour only
/// when `colour`: a terminal).
pub fn subscriber<W>(
    filter: &str,
    format: LogFormat,
    colour: bool,
    writer: W,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(colour && format == LogFormat::Text);
    match format {
        LogFormat::Text => Box::new(builder.finish()),
        LogFormat::Json => Box::new(
            builder
                .json()
                .flatten_event(true)
                .with_current_span(false)
                .finish(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn logged(format: LogFormat) -> String {
        let lines = Lines::default();
        let out = lines.clone();
        let subscriber = subscriber("info", format, false, move || out.clone());
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(call = 42, "call \"ended\"");
            tracing::debug!("below the filter");
        });
        let bytes = lines.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn json_logs_are_one_object_a_line_with_level_target_message_and_fields() {
        let out = logged(LogFormat::Json);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 1, "{out}");
        let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(v["level"], "INFO");
        assert_eq!(v["message"], "call \"ended\"");
        assert_eq!(v["call"], 42);
        assert!(v["target"].as_str().unwrap().contains("telemetry"));
        assert!(v["timestamp"].is_string());
        // Text stays text.
        let text = logged(LogFormat::Text);
        assert!(text.contains("INFO") && text.contains("call=42"));
        assert!(serde_json::from_str::<serde_json::Value>(text.trim()).is_err());
    }

    #[test]
    fn an_unknown_log_format_is_refused_by_name() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("json")), Ok(LogFormat::Json));
        let err = LogFormat::parse(Some("xml")).unwrap_err();
        assert!(err.contains("BELFRY_LOG_FORMAT") && err.contains("xml"));
    }
}
