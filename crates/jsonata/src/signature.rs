//! Function signatures (`<s-n?:s>`): each argument's type letter, checked
//! the way jsonata-js checks them, by matching a regular expression built
//! from the parameters against the string of the arguments' type letters.
//! Missing arguments marked `-` take the context value; an `a` parameter
//! wraps a single value into an array.

use crate::error::{Error, Result};
use crate::value::Value;

#[derive(Debug, Clone)]
struct Param {
    /// `s`, `n`, `b`, `l`, `o`, `a`, `f`, `j`, `x`, or `(sn...)`.
    kind: String,
    regex: String,
    context: bool,
    /// The bare regex, to test the context value's type.
    context_regex: Option<String>,
    subtype: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Signature {
    params: Vec<Param>,
    /// Compiled once: every call of the function is checked against it.
    regex: regress::Regex,
    pub text: String,
}

/// The type letter of a value (`m` for missing).
pub fn symbol(v: &Value) -> char {
    match v {
        Value::Undefined => 'm',
        Value::Null => 'l',
        Value::Bool(_) => 'b',
        Value::Number(_) => 'n',
        Value::String(_) => 's',
        Value::Array(_) => 'a',
        Value::Object(_) => 'o',
        Value::Function(_) => 'f',
    }
}

/// `index` of the char after the bracket balancing the one at `start`.
fn closing(chars: &[char], start: usize, open: char, close: char) -> usize {
    let mut depth = 1;
    let mut pos = start;
    while pos + 1 < chars.len() {
        pos += 1;
        if chars[pos] == close {
            depth -= 1;
            if depth == 0 {
                break;
            }
        } else if chars[pos] == open {
            depth += 1;
        }
    }
    pos
}

fn full_match(pattern: &str, text: &str) -> Option<regress::Match> {
    let re = regress::Regex::new(pattern).ok()?;
    re.find(text)
        .filter(|m| m.range.start == 0 && m.range.end == text.len())
}

fn syntax(message: &str) -> Error {
    Error::new("S0401", message.to_owned())
}

/// The function's name as jsonata-js's messages show it: a lambda has none.
fn shown_name(name: &str) -> String {
    if name.is_empty() {
        "undefined".to_owned()
    } else {
        crate::error::quote(name)
    }
}

fn array_of(subtype: &str) -> &'static str {
    match subtype {
        "a" => "arrays",
        "b" => "booleans",
        "f" => "functions",
        "n" => "numbers",
        "o" => "objects",
        "s" => "strings",
        _ => "values",
    }
}

impl Signature {
    pub fn parse(text: &str) -> Result<Self> {
        let chars: Vec<char> = text.chars().collect();
        let mut params: Vec<Param> = Vec::new();
        let mut pos = 1;
        while pos < chars.len() {
            let c = chars[pos];
            if c == ':' {
                break;
            }
            let simple = |regex: String, kind: &str| Param {
                kind: kind.to_owned(),
                regex,
                context: false,
                context_regex: None,
                subtype: None,
            };
            match c {
                's' | 'n' | 'b' | 'l' | 'o' => params.push(simple(format!("[{c}m]"), &c.to_string())),
                'a' => params.push(simple("[asnblfom]".into(), "a")),
                'f' => params.push(simple("f".into(), "f")),
                'j' => params.push(simple("[asnblom]".into(), "j")),
                'x' => params.push(simple("[asnblfom]".into(), "x")),
                '-' => {
                    if let Some(p) = params.last_mut() {
                        p.context = true;
                        p.context_regex = Some(p.regex.clone());
                        p.regex.push('?');
                    }
                }
                '?' | '+' => {
                    if let Some(p) = params.last_mut() {
                        p.regex.push(c);
                    }
                }
                '(' => {
                    let end = closing(&chars, pos, '(', ')');
                    let choice: String = chars[pos + 1..end.min(chars.len())].iter().collect();
                    // The letters go into a regular expression: anything else is refused.
                    if choice.contains('<') || !choice.chars().all(|c| "abfjlnosux".contains(c)) {
                        return Err(Error::new(
                            "S0402",
                            "Choice groups containing parameterized types are not supported",
                        )
                        .at(pos));
                    }
                    params.push(simple(format!("[{choice}m]"), &format!("({choice})")));
                    pos = end;
                }
                '<' => match params.last_mut() {
                    Some(p) if p.kind == "a" || p.kind == "f" => {
                        let end = closing(&chars, pos, '<', '>');
                        p.subtype = Some(chars[pos + 1..end.min(chars.len())].iter().collect());
                        pos = end;
                    }
                    _ => {
                        return Err(
                            Error::new("S0401", "Type parameters can only be applied to functions and arrays").at(pos),
                        );
                    }
                },
                _ => {}
            }
            pos += 1;
        }
        let regex = format!(
            "^{}$",
            params.iter().map(|p| format!("({})", p.regex)).collect::<String>()
        );
        let regex = regress::Regex::new(&regex).map_err(|_| syntax("The function signature is not valid"))?;
        Ok(Self {
            params,
            regex,
            text: text.to_owned(),
        })
    }

    /// The number of parameters (a function's arity, for higher-order functions).
    pub fn arity(&self) -> usize {
        self.params.len()
    }

    /// The arguments checked and completed: the context where a `-`
    /// argument is missing, single values wrapped for array parameters.
    pub fn validate(&self, args: &[Value], context: &Value, name: &str) -> Result<Vec<Value>> {
        let supplied: String = args.iter().map(symbol).collect();
        let Some(m) = self
            .regex
            .find(&supplied)
            .filter(|m| m.range.start == 0 && m.range.end == supplied.len())
        else {
            return Err(self.mismatch(args, &supplied, name));
        };
        let mut out = Vec::with_capacity(self.params.len());
        let mut arg_index = 0;
        for (i, param) in self.params.iter().enumerate() {
            let matched = m.group(i + 1).map(|r| &supplied[r]).unwrap_or("");
            if matched.is_empty() {
                if let (true, Some(cre)) = (param.context, &param.context_regex) {
                    let ctype = symbol(context).to_string();
                    if full_match(cre, &ctype).is_some() {
                        out.push(context.clone());
                    } else {
                        return Err(Error::new(
                            "T0411",
                            format!(
                                "Context value is not a compatible type with argument {} of function {}",
                                arg_index + 1,
                                shown_name(name)
                            ),
                        ));
                    }
                } else {
                    out.push(args.get(arg_index).cloned().unwrap_or_default());
                    arg_index += 1;
                }
                continue;
            }
            for single in matched.chars() {
                let arg = args.get(arg_index).cloned().unwrap_or_default();
                if param.kind != "a" {
                    out.push(arg);
                    arg_index += 1;
                    continue;
                }
                if single == 'm' {
                    out.push(Value::Undefined);
                    arg_index += 1;
                    continue;
                }
                if let Some(sub) = &param.subtype {
                    let ok = if single != 'a' {
                        matched == sub
                    } else {
                        match &arg {
                            Value::Array(a) => match a.items.first() {
                                None => true,
                                Some(first) => {
                                    let t = symbol(first);
                                    sub.starts_with(t) && a.items.iter().all(|v| symbol(v) == t)
                                }
                            },
                            _ => true,
                        }
                    };
                    if !ok {
                        return Err(Error::new(
                            "T0412",
                            format!(
                                "Argument {} of function {} must be an array of {}",
                                arg_index + 1,
                                shown_name(name),
                                crate::error::quote(array_of(sub))
                            ),
                        ));
                    }
                }
                out.push(if single == 'a' { arg } else { Value::array(vec![arg]) });
                arg_index += 1;
            }
        }
        Ok(out)
    }

    /// T0410 naming the first argument the signature cannot take.
    fn mismatch(&self, args: &[Value], supplied: &str, name: &str) -> Error {
        let mut prefix = String::from("^");
        let mut good_to = 0;
        for p in &self.params {
            prefix.push('(');
            prefix.push_str(&p.regex);
            prefix.push(')');
            let found = regress::Regex::new(&prefix)
                .ok()
                .and_then(|re| re.find(supplied).map(|m| m.range.end));
            match found {
                Some(end) => good_to = end,
                None => break,
            }
        }
        let _ = args;
        Error::new(
            "T0410",
            format!(
                "Argument {} of function {} does not match function signature",
                good_to + 1,
                shown_name(name)
            ),
        )
    }
}
