//! Wire answers as data. A transcript file lists calls to one service and
//! the answer each must get; [`check_dir`] replays every file of a directory
//! against a fresh service through [`invoke`], so a service's exact answers
//! live in fixture files rather than in strings inside its tests.
//!
//! ```text
//! # Blocks are separated by blank lines; `#` lines are comments.
//! CreateDatabase {"DatabaseInput": {"Name": "db"}}
//! -> {}
//!
//! GetDatabase {"Name": "nope"}
//! -> 400 EntityNotFoundException: Database nope not found.
//! ```
//!
//! A block is one call: the operation and its input members as JSON (none
//! means `{}`), then `-> ` and the answer: the output members as JSON (it may
//! go on over several lines), or an error's status, code and message. A block
//! without an answer only has to succeed (set-up).
//!
//! Values that differ from run to run are kept out by naming their members
//! ([`Volatile`]): a time is written `"<Member>"`; each distinct value of an
//! id or token is written `"<Member N>"`, numbered in order of appearance,
//! also where it appears inside another string of an answer, and a later
//! input may use that placeholder (whole or inside a string) to send the
//! value back. Running with `BLESS=1` rewrites the files with the
//! answers got, keeping the comments and calls.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::service::{Service, invoke};

/// The members of a service's answers whose values differ from run to run.
#[derive(Clone, Copy)]
pub struct Volatile<'a> {
    /// Written `"<Member>"`: times, durations.
    pub hidden: &'a [&'a str],
    /// Written `"<Member N>"` and sent back by inputs: ids, tokens, ARNs.
    pub numbered: &'a [&'a str],
}

/// Replays every `*.txt` transcript under `dir`, each against a service
/// `new` makes; the error lists every answer that differed.
pub async fn check_dir<S: Service>(dir: &Path, volatile: Volatile<'_>, new: impl Fn() -> S) -> Result<(), String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no transcripts in {}", dir.display()));
    }
    let bless = std::env::var("BLESS").is_ok_and(|v| v == "1");
    let mut report = String::new();
    for file in &files {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let blocks = parse(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let service = new();
        let (failures, blessed) = replay(&service, &blocks, volatile).await;
        if bless {
            std::fs::write(file, blessed).map_err(|e| format!("{}: {e}", file.display()))?;
        } else {
            for f in failures {
                let _ = writeln!(report, "{}:{f}", file.display());
            }
        }
    }
    if report.is_empty() { Ok(()) } else { Err(report) }
}

/// One call of a transcript.
#[derive(Debug, PartialEq)]
struct Block {
    /// The block's first line, 1-based, for reports.
    line: usize,
    comments: Vec<String>,
    /// The call line as written.
    call: String,
    operation: String,
    input: Value,
    until: Option<Until>,
    answer: Option<Answer>,
}

/// Repeat the call until the member at `path` of its answer is one of `values`.
#[derive(Debug, PartialEq)]
struct Until {
    path: Vec<String>,
    values: Vec<String>,
}

impl Until {
    /// Reads ` until A.B = x|y` off the end of a call line.
    fn split(call: &str) -> (&str, Option<Until>) {
        let Some((head, tail)) = call.rsplit_once(" until ") else {
            return (call, None);
        };
        let Some((path, values)) = tail.split_once(" = ") else {
            return (call, None);
        };
        if path.contains(['"', '{', '}', ' ']) {
            return (call, None);
        }
        let until = Until {
            path: path.split('.').map(str::to_owned).collect(),
            values: values.split('|').map(|v| v.trim().to_owned()).collect(),
        };
        (head, Some(until))
    }

    fn reached(&self, answer: &Value) -> bool {
        let at = self.path.iter().try_fold(answer, |v, k| v.get(k));
        at.and_then(Value::as_str)
            .is_some_and(|s| self.values.iter().any(|v| v == s))
    }
}

#[derive(Debug, PartialEq)]
enum Answer {
    Output(Value),
    Error(String),
}

fn parse(text: &str) -> Result<Vec<Block>, String> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    loop {
        while lines.next_if(|(_, l)| l.trim().is_empty()).is_some() {}
        let Some(&(first, _)) = lines.peek() else { break };
        let mut comments = Vec::new();
        while let Some((_, l)) = lines.next_if(|(_, l)| l.starts_with('#')) {
            comments.push(l.to_owned());
        }
        let Some((n, call)) = lines.next_if(|(_, l)| !l.trim().is_empty()) else {
            return Err(format!("line {}: a block without a call", first + 1));
        };
        let (head, until) = Until::split(call);
        let (operation, input) = head.split_once(' ').unwrap_or((head, ""));
        let input = if input.trim().is_empty() {
            Value::Object(Default::default())
        } else {
            serde_json::from_str(input).map_err(|e| format!("line {}: input: {e}", n + 1))?
        };
        let mut answer_lines = Vec::new();
        while let Some((_, l)) = lines.next_if(|(_, l)| !l.trim().is_empty()) {
            answer_lines.push(l);
        }
        let answer = match answer_lines.split_first() {
            None => None,
            Some((head, rest)) => {
                let Some(head) = head.strip_prefix("->") else {
                    return Err(format!("line {}: expected `-> ` and the answer", n + 2));
                };
                let whole = std::iter::once(head.trim())
                    .chain(rest.iter().copied())
                    .collect::<Vec<_>>()
                    .join("\n");
                Some(if whole.starts_with(['{', '[']) {
                    Answer::Output(serde_json::from_str(&whole).map_err(|e| format!("line {}: answer: {e}", n + 2))?)
                } else {
                    Answer::Error(whole)
                })
            }
        };
        blocks.push(Block {
            line: first + 1,
            comments,
            call: call.to_owned(),
            operation: operation.to_owned(),
            input,
            until,
            answer,
        });
    }
    Ok(blocks)
}

/// The values seen under volatile members, in order: `<Member N>` is the
/// N-th distinct value of `Member`.
#[derive(Default)]
struct Seen(Vec<(String, Value)>);

impl Seen {
    fn placeholder(&mut self, member: &str, value: &Value) -> String {
        let same = self.0.iter().filter(|(m, _)| m == member);
        let n = match same.clone().position(|(_, v)| v == value) {
            Some(i) => i + 1,
            None => {
                let n = same.count() + 1;
                self.0.push((member.to_owned(), value.clone()));
                n
            }
        };
        format!("<{member} {n}>")
    }

    /// The placeholders of `self` with the text each stands for.
    fn texts(&self) -> Vec<(String, String)> {
        let mut counts = std::collections::HashMap::<&str, usize>::new();
        self.0
            .iter()
            .map(|(m, v)| {
                let n = counts.entry(m).or_default();
                *n += 1;
                let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                (format!("<{m} {n}>"), text)
            })
            .collect()
    }

    /// An input with its placeholders replaced by the values they stand for.
    fn fill(&self, input: &Value) -> Value {
        let texts = self.texts();
        let mut out = input.clone();
        walk_strings(&mut out, &mut |s| {
            if let Some(i) = texts.iter().position(|(p, _)| p == s) {
                return Some(self.0[i].1.clone());
            }
            let mut filled = s.to_owned();
            for (p, t) in &texts {
                filled = filled.replace(p.as_str(), t);
            }
            (filled != s).then(|| Value::String(filled))
        });
        out
    }

    /// An answer with its volatile members' values replaced by placeholders.
    fn mask(&mut self, value: &mut Value, volatile: Volatile<'_>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if v.is_null() {
                        continue;
                    }
                    if volatile.hidden.contains(&k.as_str()) {
                        *v = Value::String(format!("<{k}>"));
                    } else if volatile.numbered.contains(&k.as_str()) {
                        *v = Value::String(self.placeholder(k, v));
                    } else {
                        self.mask(v, volatile);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.mask(v, volatile)),
            _ => {}
        }
    }

    /// What replaces the volatile values inside a text (an id in "… does
    /// not exist", in a result's location) by their placeholders: longest
    /// first, so one value inside another keeps its own placeholder.
    fn masker(&self) -> impl Fn(&str) -> String {
        let mut texts: Vec<(String, String)> = self.texts().into_iter().filter(|(_, t)| t.len() >= 8).collect();
        texts.sort_by_key(|(_, t)| std::cmp::Reverse(t.len()));
        move |text| {
            let mut out = text.to_owned();
            for (p, t) in &texts {
                out = out.replace(t.as_str(), p);
            }
            out
        }
    }
}

/// Applies `f` to every string of `v`, replacing it where `f` answers a value.
fn walk_strings(v: &mut Value, f: &mut impl FnMut(&str) -> Option<Value>) {
    match v {
        Value::String(s) => {
            if let Some(new) = f(s) {
                *v = new;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| walk_strings(i, f)),
        Value::Object(map) => map.values_mut().for_each(|i| walk_strings(i, f)),
        _ => {}
    }
}

/// Runs the blocks in order; returns the differences and the transcript
/// rewritten with the answers got.
async fn replay(service: &dyn Service, blocks: &[Block], volatile: Volatile<'_>) -> (Vec<String>, String) {
    let mut seen = Seen::default();
    let mut failures = Vec::new();
    let mut blessed = String::new();
    for block in blocks {
        let input = seen.fill(&block.input);
        let mut result = invoke(service, &block.operation, &input).await;
        if let Some(until) = &block.until {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            while result.as_ref().is_ok_and(|v| !until.reached(v)) && std::time::Instant::now() < deadline {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                result = invoke(service, &block.operation, &input).await;
            }
        }
        let got = match result {
            Ok(mut output) => {
                seen.mask(&mut output, volatile);
                let mask = seen.masker();
                walk_strings(&mut output, &mut |s| {
                    let masked = mask(s);
                    (masked != s).then_some(Value::String(masked))
                });
                Answer::Output(output)
            }
            Err(e) => Answer::Error(seen.masker()(&format!(
                "{} {}: {}",
                e.status.as_u16(),
                e.code,
                e.message
            ))),
        };
        let matches = match (&block.answer, &got) {
            (None, Answer::Output(_)) => true,
            (None, Answer::Error(_)) => false,
            (Some(expected), got) => expected == got,
        };
        if !matches {
            let expected = block.answer.as_ref().map_or_else(|| "success".to_owned(), render);
            failures.push(format!(
                "{}: {}\n  expected: {expected}\n  got:      {}",
                block.line,
                block.call,
                render(&got)
            ));
        }
        if !blessed.is_empty() {
            blessed.push('\n');
        }
        for c in &block.comments {
            let _ = writeln!(blessed, "{c}");
        }
        let _ = writeln!(blessed, "{}", block.call);
        if block.answer.is_some() || matches!(got, Answer::Error(_)) {
            let _ = writeln!(blessed, "-> {}", render(&got));
        }
    }
    (failures, blessed)
}

/// An answer as a transcript writes it: JSON with every object or array that
/// fits in a line of [`WIDTH`] kept on one line.
fn render(answer: &Answer) -> String {
    match answer {
        Answer::Error(e) => e.clone(),
        Answer::Output(v) => {
            let mut out = String::new();
            layout(v, 0, &mut out);
            out
        }
    }
}

const WIDTH: usize = 100;

fn layout(v: &Value, indent: usize, out: &mut String) {
    let one_line = inline(v);
    if indent + one_line.len() <= WIDTH {
        out.push_str(&one_line);
        return;
    }
    let pad = " ".repeat(indent + 2);
    let (open, close, items): (char, char, Vec<(Option<&String>, &Value)>) = match v {
        Value::Object(map) => ('{', '}', map.iter().map(|(k, v)| (Some(k), v)).collect()),
        Value::Array(items) => ('[', ']', items.iter().map(|v| (None, v)).collect()),
        _ => {
            out.push_str(&one_line);
            return;
        }
    };
    out.push(open);
    for (i, (key, item)) in items.iter().enumerate() {
        out.push('\n');
        out.push_str(&pad);
        if let Some(k) = key {
            out.push_str(&Value::String((*k).clone()).to_string());
            out.push_str(": ");
        }
        layout(item, indent + 2, out);
        if i + 1 < items.len() {
            out.push(',');
        }
    }
    out.push('\n');
    out.push_str(&" ".repeat(indent));
    out.push(close);
}

/// `v` on one line, with a space after each `:` and `,`.
fn inline(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), inline(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(inline).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn blocks_parse_with_comments_set_up_and_multi_line_answers() {
        let blocks = parse(
            "# set-up\nPut {\"Id\": 1}\n\nGet\n-> {\n  \"Id\": 1\n}\n\n# an error\nGet {\"Id\": 2}\n-> 400 NotFound: no 2\n",
        )
        .unwrap();
        assert_eq!(blocks.len(), 3);
        assert_eq!((blocks[0].line, blocks[0].answer.as_ref()), (1, None));
        assert_eq!(blocks[1].input, json!({}));
        assert_eq!(blocks[1].answer, Some(Answer::Output(json!({"Id": 1}))));
        assert_eq!(blocks[2].comments, ["# an error"]);
        assert_eq!(blocks[2].answer, Some(Answer::Error("400 NotFound: no 2".into())));
        assert!(parse("Get\nnot an answer\n").unwrap_err().contains("line 2"));
        let waits = parse("Get {\"Id\": \"a until b\"} until Item.State = DONE|FAILED\n").unwrap();
        assert_eq!(waits[0].input, json!({"Id": "a until b"}));
        let until = waits[0].until.as_ref().unwrap();
        assert!(until.reached(&json!({"Item": {"State": "FAILED"}})));
        assert!(!until.reached(&json!({"Item": {"State": "RUNNING"}})));
    }

    #[test]
    fn volatile_values_become_placeholders_that_inputs_send_back() {
        let mut seen = Seen::default();
        let mut out = json!({"Id": "abc-123-xyz", "Items": [{"N": 17.5}, {"N": 18.0}, {"N": 17.5}], "Time": 1.5});
        let volatile = Volatile {
            hidden: &["Time"],
            numbered: &["Id", "N"],
        };
        seen.mask(&mut out, volatile);
        assert_eq!(
            out,
            json!({"Id": "<Id 1>", "Items": [{"N": "<N 1>"}, {"N": "<N 2>"}, {"N": "<N 1>"}], "Time": "<Time>"})
        );
        assert_eq!(
            seen.fill(&json!({"Id": "<Id 1>", "Arn": "arn:x:<Id 1>", "At": "<N 2>"})),
            json!({"Id": "abc-123-xyz", "Arn": "arn:x:abc-123-xyz", "At": 18.0})
        );
        assert_eq!(seen.masker()("no such id abc-123-xyz"), "no such id <Id 1>");
    }

    #[test]
    fn answers_are_written_one_line_per_member_only_when_too_long() {
        let short = json!({"Rows": [{"Data": [{"VarCharValue": "n"}]}]});
        assert_eq!(
            render(&Answer::Output(short)),
            r#"{"Rows": [{"Data": [{"VarCharValue": "n"}]}]}"#
        );
        let long = json!({"A": "x".repeat(60), "B": ["y".repeat(60)]});
        let text = render(&Answer::Output(long.clone()));
        assert_eq!(text.lines().count(), 4, "{text}");
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), long);
    }
}
