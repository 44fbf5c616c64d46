//! The validator's cases as data: see `tests/fixtures/validate/README.md`.
//!
//! `BLESS=1 cargo test -p lakestack-stepfn --test validate` rewrites every expected file from what
//! the validator answers now; read the diff before keeping it.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use lakestack_stepfn::asl::{MachineType, Options, Severity, analyze};

/// Relative to the package, where cargo runs its tests: a path compiled in
/// would go stale when a cached build is reused from another checkout.
const FIXTURES: &str = "tests/fixtures/validate";
const INPUTS: [&str; 2] = ["json", "txt"];
const EXPECTED: &str = "out";

#[test]
fn validation_fixtures() {
    let bless = std::env::var("BLESS").is_ok_and(|value| value == "1");
    let root = Path::new(FIXTURES);
    let mut files = Vec::new();
    collect(root, &mut files);
    let inputs: Vec<&PathBuf> = files.iter().filter(|file| has_extension(file, &INPUTS)).collect();
    assert!(!inputs.is_empty(), "no cases under {FIXTURES}");

    let mut failures = Vec::new();
    for input in &inputs {
        let expected_file = input.with_extension(EXPECTED);
        let actual = answer(&read_definition(input));
        let expected = fs::read_to_string(&expected_file).ok();
        if expected.as_deref() == Some(actual.as_str()) {
            continue;
        }
        if bless {
            fs::write(&expected_file, &actual).unwrap_or_else(|e| panic!("{}: {e}", expected_file.display()));
            continue;
        }
        let shown = match &expected {
            Some(expected) => diff(expected, &actual),
            None => format!("no {} file; the answer is:\n{actual}", EXPECTED),
        };
        failures.push(format!("--- {}\n{shown}", case_name(root, input)));
    }
    // An expected file whose input is gone would otherwise pass silently forever.
    for file in files.iter().filter(|file| has_extension(file, &[EXPECTED])) {
        if !INPUTS.iter().any(|ext| file.with_extension(ext).exists()) {
            failures.push(format!("--- {}\nhas no input file", case_name(root, file)));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} validation cases differ (BLESS=1 rewrites the expected files):\n\n{}",
        failures.len(),
        inputs.len(),
        failures.join("\n")
    );
}

/// The standard machine's answer, then the express machine's when it differs.
fn answer(definition: &str) -> String {
    let standard = analysis(definition, MachineType::Standard);
    let express = analysis(definition, MachineType::Express);
    if express == standard {
        standard
    } else {
        format!("{standard}=== EXPRESS ===\n{express}")
    }
}

fn analysis(definition: &str, machine_type: MachineType) -> String {
    let analysis = analyze(definition, &Options { machine_type });
    let mut out = String::new();
    for diagnostic in &analysis.diagnostics {
        if diagnostic.severity == Severity::Warning {
            out.push_str("WARNING ");
        }
        out.push_str(&diagnostic.render());
        out.push('\n');
    }
    if let Some(model) = &analysis.definition {
        let _ = writeln!(out, "{model:#?}");
    }
    out
}

/// The file less its final newline, so that a case can be any text, even one without a newline.
fn read_definition(file: &Path) -> String {
    let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    text.strip_suffix('\n').unwrap_or(&text).to_string()
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut paths: Vec<PathBuf> = entries.map(|entry| entry.expect("a directory entry").path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}

fn has_extension(file: &Path, extensions: &[&str]) -> bool {
    file.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| extensions.contains(&ext))
}

fn case_name(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).unwrap_or(file);
    relative.with_extension("").display().to_string()
}

/// A line diff (`-` expected, `+` actual) showing two lines of context around each change.
fn diff(expected: &str, actual: &str) -> String {
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    // Longest common subsequence table, filled from the ends.
    let mut lcs = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut lines: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            lines.push((' ', old[i]));
            i += 1;
            j += 1;
        } else if i < old.len() && (j == new.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            lines.push(('-', old[i]));
            i += 1;
        } else {
            lines.push(('+', new[j]));
            j += 1;
        }
    }
    let near_change = |index: usize| {
        let from = index.saturating_sub(2);
        let to = (index + 3).min(lines.len());
        lines[from..to].iter().any(|(mark, _)| *mark != ' ')
    };
    let mut out = String::new();
    let mut skipped = false;
    for (index, (mark, line)) in lines.iter().enumerate() {
        if near_change(index) {
            let _ = writeln!(out, "{mark} {line}");
            skipped = false;
        } else if !skipped {
            out.push_str("  ...\n");
            skipped = true;
        }
    }
    if expected.ends_with('\n') != actual.ends_with('\n') {
        out.push_str("(the final newline differs)\n");
    }
    out
}
