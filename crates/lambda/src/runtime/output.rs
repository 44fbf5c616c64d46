//! A process's output (stdout and stderr share one pipe, so their lines
//! keep the order they were written in) read into log lines. Each line is
//! one CloudWatch event; a `\r` inside a line is a line break of the same
//! event, which is how our runtime clients keep a traceback in one event.
//! The last lines are also kept for `LogType=Tail`.
//!
//! When an invocation ends, [`Output::drain`] waits until everything the
//! process wrote before reporting its result has been read: the process
//! wrote it before it sent the report, so the pipe is readable by then, and
//! the reading task only answers a drain when a read would block.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::AsyncReadExt as _;
use tokio::net::unix::pipe::Receiver;
use tokio::sync::{mpsc, oneshot};

use crate::logs::{LogWriter, now_ms};

/// A longer line is cut into events of this many bytes (CloudWatch's
/// limit on one event is 256 KB).
pub const MAX_LINE: usize = 256 * 1024;
/// How much recent output is kept for the tail.
const TAIL_KEPT: usize = 8 * 1024;

pub struct Output {
    recent: Arc<Mutex<String>>,
    drain: mpsc::Sender<oneshot::Sender<()>>,
}

impl Output {
    /// Starts reading `pipe` into `stream` of `group`.
    pub fn start(pipe: Receiver, writer: LogWriter, group: Arc<str>, stream: Arc<str>) -> Self {
        let recent = Arc::new(Mutex::new(String::new()));
        let (drain, drains) = mpsc::channel(4);
        tokio::spawn(read(pipe, drains, Arc::clone(&recent), writer, group, stream));
        Self { recent, drain }
    }

    /// Forgets the output kept so far: the next invocation starts here.
    pub fn clear(&self) {
        self.recent.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    /// Waits (at most `limit`) until what the process wrote so far is
    /// read, then returns the output since the last [`clear`](Self::clear)
    /// (its last 8 KB).
    pub async fn drain(&self, limit: std::time::Duration) -> String {
        let (ack, acked) = oneshot::channel();
        if self.drain.try_send(ack).is_ok() {
            // A closed pipe drops the ack: everything was read anyway.
            let _ = tokio::time::timeout(limit, acked).await;
        }
        self.recent.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

async fn read(
    mut pipe: Receiver,
    mut drains: mpsc::Receiver<oneshot::Sender<()>>,
    recent: Arc<Mutex<String>>,
    writer: LogWriter,
    group: Arc<str>,
    stream: Arc<str>,
) {
    let mut pending: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 16 * 1024];
    let mut reads_since_check = 0u32;
    loop {
        // A process that writes without pause would starve the drain branch
        // below; every few reads the drains waiting are answered anyway.
        reads_since_check += 1;
        if reads_since_check >= 64 {
            reads_since_check = 0;
            while let Ok(ack) = drains.try_recv() {
                let _ = ack.send(());
            }
        }
        tokio::select! {
            // Reads first: a drain is answered only once a read would block.
            biased;
            n = pipe.read(&mut chunk) => match n {
                Ok(n) if n > 0 => {
                    pending.extend_from_slice(&chunk[..n]);
                    for line in split_lines(&mut pending) {
                        emit(&recent, &writer, &group, &stream, line).await;
                    }
                }
                _ => break,
            },
            Some(ack) = drains.recv() => {
                let _ = ack.send(());
            }
        }
    }
    if !pending.is_empty() {
        let line = std::mem::take(&mut pending);
        emit(&recent, &writer, &group, &stream, line).await;
    }
}

/// Takes the complete lines out of `pending`, and a leading part of an
/// overlong unfinished one.
fn split_lines(pending: &mut Vec<u8>) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    let mut start = 0;
    while let Some(i) = pending[start..].iter().position(|&b| b == b'\n') {
        lines.push(pending[start..start + i].to_vec());
        start += i + 1;
    }
    pending.drain(..start);
    while pending.len() > MAX_LINE {
        lines.push(pending.drain(..MAX_LINE).collect());
    }
    lines
}

async fn emit(recent: &Mutex<String>, writer: &LogWriter, group: &Arc<str>, stream: &Arc<str>, mut line: Vec<u8>) {
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    for b in &mut line {
        if *b == b'\r' {
            *b = b'\n';
        }
    }
    let text = String::from_utf8_lossy(&line).into_owned();
    {
        let mut r = recent.lock().unwrap_or_else(PoisonError::into_inner);
        r.push_str(&text);
        r.push('\n');
        if r.len() > 2 * TAIL_KEPT {
            let cut = r.len() - TAIL_KEPT;
            let cut = (cut..r.len()).find(|&i| r.is_char_boundary(i)).unwrap_or(r.len());
            r.drain(..cut);
        }
    }
    writer.push(group, stream, now_ms(), text).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_on_newlines_and_long_ones_are_cut() {
        let mut p = b"a\nb\r\nrest".to_vec();
        assert_eq!(split_lines(&mut p), [b"a".to_vec(), b"b\r".to_vec()]);
        assert_eq!(p, b"rest");
        let mut long = vec![b'x'; MAX_LINE + 10];
        let out = split_lines(&mut long);
        assert_eq!((out.len(), out[0].len(), long.len()), (1, MAX_LINE, 10));
    }
}
