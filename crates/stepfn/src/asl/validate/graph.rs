//! The graph walk: dangling transitions, unreachable states and a missing terminal state. It reads
//! the raw document rather than the model so that it also runs when the schema walk failed, as
//! AWS reports both kinds of problem together.

use std::collections::{HashSet, VecDeque};

use serde_json::{Map, Value};

use super::fields::Kind;
use super::location::Loc;
use super::{Code, Diagnostic, msg};

pub(super) fn check(root: &Map<String, Value>, diagnostics: &mut Vec<Diagnostic>) {
    let Some(states) = root.get("States").and_then(Value::as_object) else {
        return;
    };
    let has_terminal = states.values().any(is_terminal);
    // Measured: without any terminal state AWS skips the unreachable-state report at the top
    // level, but still reports dangling targets.
    scope(root, states, &Loc::root(), has_terminal, diagnostics);
    if !has_terminal {
        diagnostics.push(Diagnostic::error(Code::MissingEndState, msg::NO_TERMINAL_STATE, None));
    }
}

fn is_terminal(state: &Value) -> bool {
    let Some(obj) = state.as_object() else {
        return false;
    };
    obj.get("End") == Some(&Value::Bool(true))
        || matches!(obj.get("Type").and_then(Value::as_str), Some("Succeed" | "Fail"))
}

fn scope(
    container: &Map<String, Value>,
    states: &Map<String, Value>,
    loc: &Loc,
    reachability: bool,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let states_loc = loc.field("States");
    let start = container.get("StartAt").and_then(Value::as_str);
    if let Some(start) = start.filter(|start| !states.contains_key(*start)) {
        missing(start, &loc.field("StartAt"), diagnostics);
    }
    for (name, state) in states {
        for (target, at) in transitions(state, &states_loc.field(name)) {
            if !states.contains_key(target) {
                missing(target, &at, diagnostics);
            }
        }
    }
    if reachability && let Some(start) = start {
        for name in unreachable(states, start) {
            let at = states_loc.field(name);
            diagnostics.push(Diagnostic::error(
                Code::MissingTransitionTarget,
                msg::unreachable(name),
                Some(at.render()),
            ));
        }
    }
    for (name, state) in states {
        nested(state, &states_loc.field(name), diagnostics);
    }
}

fn missing(target: &str, loc: &Loc, diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.push(Diagnostic::error(
        Code::MissingTransitionTarget,
        msg::missing_target(target),
        Some(loc.render()),
    ));
}

/// Nested containers are always walked for reachability; they have no terminal-state rule.
fn nested(state: &Value, loc: &Loc, diagnostics: &mut Vec<Diagnostic>) {
    let Some(obj) = state.as_object() else {
        return;
    };
    let mut containers: Vec<(Loc, &Value)> = Vec::new();
    match obj.get("Type").and_then(Value::as_str) {
        Some("Parallel") => {
            if let Some(branches) = obj.get("Branches").and_then(Value::as_array) {
                let at = loc.field("Branches");
                containers.extend(
                    branches
                        .iter()
                        .enumerate()
                        .map(|(index, branch)| (at.index(index), branch)),
                );
            }
        }
        Some("Map") => {
            for key in ["ItemProcessor", "Iterator"] {
                if let Some(processor) = obj.get(key) {
                    containers.push((loc.field(key), processor));
                }
            }
        }
        _ => {}
    }
    for (at, container) in containers {
        let Some(container) = container.as_object() else {
            continue;
        };
        if let Some(states) = container.get("States").and_then(Value::as_object) {
            scope(container, states, &at, true, diagnostics);
        }
    }
}

/// Targets a state names, with the location AWS reports a dangling one at.
fn transitions<'v>(state: &'v Value, loc: &Loc) -> Vec<(&'v str, Loc)> {
    let Some(obj) = state.as_object() else {
        return Vec::new();
    };
    let kind = obj.get("Type").and_then(Value::as_str).and_then(Kind::from_name);
    let mut targets = Vec::new();
    let mut push = |value: Option<&'v Value>, at: Loc| {
        if let Some(target) = value.and_then(Value::as_str) {
            targets.push((target, at));
        }
    };
    match kind {
        Some(Kind::Choice) => {
            if let Some(rules) = obj.get("Choices").and_then(Value::as_array) {
                for (index, rule) in rules.iter().enumerate() {
                    push(rule.get("Next"), loc.field("Choices").index(index).field("Next"));
                }
            }
            push(obj.get("Default"), loc.field("Default"));
        }
        Some(Kind::Pass | Kind::Task | Kind::Wait | Kind::Parallel | Kind::Map) => {
            push(obj.get("Next"), loc.field("Next"));
            if let Some(catchers) = obj.get("Catch").and_then(Value::as_array) {
                for (index, catcher) in catchers.iter().enumerate() {
                    push(catcher.get("Next"), loc.field("Catch").index(index).field("Next"));
                }
            }
        }
        _ => {}
    }
    targets
}

/// States not reachable from `start`, in document order. A dangling `start` reaches nothing.
fn unreachable<'v>(states: &'v Map<String, Value>, start: &str) -> Vec<&'v str> {
    let mut reached: HashSet<&str> = HashSet::new();
    let mut queue: VecDeque<&str> = VecDeque::new();
    if let Some((name, _)) = states.get_key_value(start) {
        reached.insert(name);
        queue.push_back(name);
    }
    let scratch = Loc::root();
    while let Some(current) = queue.pop_front() {
        let Some(state) = states.get(current) else {
            continue;
        };
        for (target, _) in transitions(state, &scratch) {
            if let Some((name, _)) = states.get_key_value(target)
                && reached.insert(name)
            {
                queue.push_back(name);
            }
        }
    }
    states
        .keys()
        .map(String::as_str)
        .filter(|name| !reached.contains(name))
        .collect()
}
