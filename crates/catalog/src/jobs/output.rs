//! A run's output: each line of the process's stdout and stderr goes to its
//! CloudWatch Logs stream as it comes, a chunk of lines at a time, so memory
//! holds at most one chunk per stream however much a script prints; the last
//! lines of stderr are kept for the run's ErrorMessage.

use std::collections::VecDeque;
use std::sync::Arc;

use lakestack_aws_protocol::Clock;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

use super::settings::JobLogs;

/// Python shell jobs' log groups, one stream per run (named by the run id).
pub const OUTPUT_GROUP: &str = "/aws-glue/python-jobs/output";
pub const ERROR_GROUP: &str = "/aws-glue/python-jobs/error";

/// A chunk is written once it holds this many lines or bytes, or once the
/// process has nothing more to say for now.
const CHUNK_LINES: usize = 1000;
const CHUNK_BYTES: usize = 256 * 1024;
/// CloudWatch Logs takes events of at most 256 KiB, 26 bytes of which are
/// its own: a longer line is cut into several events.
const MAX_LINE_BYTES: usize = 256 * 1024 - 26;
/// How much of stderr's end is kept for the ErrorMessage.
const TAIL_LINES: usize = 20;
const TAIL_LINE_CHARS: usize = 2048;

/// Where one of the process's streams goes.
pub struct Sink {
    pub logs: Arc<dyn JobLogs>,
    pub group: &'static str,
    pub stream: String,
    pub clock: Clock,
}

impl Sink {
    async fn write(&self, lines: Vec<(i64, String)>) {
        if lines.is_empty() {
            return;
        }
        let (logs, group, stream) = (Arc::clone(&self.logs), self.group, self.stream.clone());
        // The root writes to its Logs store, which is blocking SQLite work.
        let written = tokio::task::spawn_blocking(move || logs.write(group, &stream, lines)).await;
        if written.is_err() {
            tracing::warn!(group, stream = %self.stream, "writing a job run's output panicked");
        }
    }
}

/// Copies `reader` line by line to `sink` until it ends; answers the last
/// lines read.
pub async fn pump(reader: impl AsyncRead + Unpin, sink: Sink) -> Vec<String> {
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let mut chunk: Vec<(i64, String)> = Vec::new();
    let mut chunk_bytes = 0;
    let mut line: Vec<u8> = Vec::new();
    let mut tail = VecDeque::with_capacity(TAIL_LINES);
    loop {
        let (taken, ended_line, at_end) = match reader.fill_buf().await {
            Ok([]) | Err(_) => (0, !line.is_empty(), true),
            Ok(buf) => {
                let room = MAX_LINE_BYTES - line.len();
                match buf.iter().take(room).position(|b| *b == b'\n') {
                    Some(i) => {
                        line.extend_from_slice(&buf[..i]);
                        (i + 1, true, false)
                    }
                    None => {
                        let n = buf.len().min(room);
                        line.extend_from_slice(&buf[..n]);
                        (n, line.len() == MAX_LINE_BYTES, false)
                    }
                }
            }
        };
        reader.consume(taken);
        if ended_line {
            let text = String::from_utf8_lossy(&line).trim_end_matches('\r').to_owned();
            line.clear();
            if tail.len() == TAIL_LINES {
                tail.pop_front();
            }
            tail.push_back(text.chars().take(TAIL_LINE_CHARS).collect::<String>());
            // An event needs a message: blank lines are not written.
            if !text.is_empty() {
                chunk_bytes += text.len();
                chunk.push((sink.clock.now().timestamp_millis(), text));
            }
        }
        let quiet = reader.buffer().is_empty();
        if at_end || chunk.len() >= CHUNK_LINES || chunk_bytes >= CHUNK_BYTES || (quiet && line.is_empty()) {
            sink.write(std::mem::take(&mut chunk)).await;
            chunk_bytes = 0;
        }
        if at_end {
            return tail.into();
        }
    }
}

/// What a run that exited with `code` failed with: the last line of the
/// Python traceback it printed ("NameError: name 'x' is not defined"), else
/// AWS's words for a Python shell run's failure.
pub fn error_message(stderr_tail: &[String], code: Option<i32>) -> String {
    let traceback = stderr_tail
        .iter()
        .any(|l| l.starts_with("Traceback (most recent call last)"));
    let last = stderr_tail.iter().rev().find(|l| !l.trim().is_empty());
    match (traceback, last, code) {
        (true, Some(last), _) => last.trim().to_owned(),
        (_, _, Some(code)) => format!("Command failed with exit code {code}"),
        (_, _, None) => "Command failed: the process was killed by a signal".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[derive(Default)]
    struct Capture(Mutex<Vec<Vec<(i64, String)>>>);

    impl JobLogs for Capture {
        fn write(&self, _group: &str, _stream: &str, lines: Vec<(i64, String)>) {
            self.0.lock().unwrap().push(lines);
        }
    }

    fn sink(logs: &Arc<Capture>) -> Sink {
        Sink {
            logs: Arc::clone(logs) as Arc<dyn JobLogs>,
            group: OUTPUT_GROUP,
            stream: "jr_1".into(),
            clock: Clock::default(),
        }
    }

    #[tokio::test]
    async fn long_output_goes_out_in_bounded_chunks() {
        let logs = Arc::new(Capture::default());
        let text: String = (0..2500).map(|i| format!("line {i}\n")).collect::<String>() + "last, unterminated";
        let tail = pump(text.as_bytes(), sink(&logs)).await;
        let chunks = logs.0.lock().unwrap();
        assert!(
            chunks.iter().all(|c| c.len() <= CHUNK_LINES),
            "{:?}",
            chunks.iter().map(Vec::len).collect::<Vec<_>>()
        );
        let lines: Vec<&str> = chunks.iter().flatten().map(|(_, l)| l.as_str()).collect();
        assert_eq!(lines.len(), 2501);
        assert_eq!(lines[2499], "line 2499");
        assert_eq!(tail.last().map(String::as_str), Some("last, unterminated"));
        assert_eq!(tail.len(), TAIL_LINES);
    }

    #[tokio::test]
    async fn a_huge_line_is_cut_into_events() {
        let logs = Arc::new(Capture::default());
        let text = "x".repeat(MAX_LINE_BYTES * 2 + 10);
        pump(text.as_bytes(), sink(&logs)).await;
        let sizes: Vec<usize> = logs.0.lock().unwrap().iter().flatten().map(|(_, l)| l.len()).collect();
        assert_eq!(sizes, vec![MAX_LINE_BYTES, MAX_LINE_BYTES, 10]);
    }

    #[test]
    fn error_messages() {
        let tb = vec![
            "Traceback (most recent call last):".to_owned(),
            "  File \"x.py\", line 1, in <module>".to_owned(),
            "NameError: name 'sql' is not defined".to_owned(),
            String::new(),
        ];
        assert_eq!(error_message(&tb, Some(1)), "NameError: name 'sql' is not defined");
        assert_eq!(
            error_message(&["warn".to_owned()], Some(2)),
            "Command failed with exit code 2"
        );
    }
}
