//! Glue's exclude patterns: globs matched against an object's key relative
//! to the include path. `*` stays within one folder level, `**` crosses
//! levels, `?` is one character, `[a-z]` / `[!a-z]` are classes and
//! `{a,b}` alternatives.

use regex::Regex;

pub fn compile(pattern: &str) -> Result<Regex, String> {
    let mut re = String::from("^");
    let mut chars = pattern.chars().peekable();
    let mut in_group = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                re.push_str(".*");
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '[' => {
                re.push('[');
                if chars.peek() == Some(&'!') {
                    chars.next();
                    re.push('^');
                }
                let mut closed = false;
                for d in chars.by_ref() {
                    if d == ']' {
                        closed = true;
                        break;
                    }
                    if d == '\\' || d == '[' {
                        re.push('\\');
                    }
                    re.push(d);
                }
                if !closed {
                    return Err(format!("Invalid exclusion pattern {pattern:?}: unclosed ["));
                }
                re.push(']');
            }
            '{' => {
                in_group += 1;
                re.push_str("(?:");
            }
            '}' if in_group > 0 => {
                in_group -= 1;
                re.push(')');
            }
            ',' if in_group > 0 => re.push('|'),
            '\\' => {
                if let Some(n) = chars.next() {
                    re.push_str(&regex::escape(&n.to_string()));
                }
            }
            other => re.push_str(&regex::escape(&other.to_string())),
        }
    }
    if in_group > 0 {
        return Err(format!("Invalid exclusion pattern {pattern:?}: unclosed {{"));
    }
    re.push('$');
    Regex::new(&re).map_err(|e| format!("Invalid exclusion pattern {pattern:?}: {e}"))
}

/// True if `rel_key` (relative to the include path) is excluded by any pattern.
/// A pattern that matches a folder excludes everything under it.
pub fn excluded(patterns: &[Regex], rel_key: &str) -> bool {
    patterns.iter().any(|p| {
        p.is_match(rel_key)
            || rel_key
                .match_indices('/')
                .any(|(i, _)| p.is_match(&rel_key[..i]) || p.is_match(&rel_key[..=i]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(pattern: &str, key: &str) -> bool {
        excluded(&[compile(pattern).unwrap()], key)
    }

    #[test]
    fn glue_documented_examples() {
        assert!(ex("*.csv", "a.csv"));
        assert!(!ex("*.csv", "dir/a.csv"));
        assert!(ex("**.csv", "dir/sub/a.csv"));
        assert!(ex("year=2015/**", "year=2015/month=01/a.parquet"));
        assert!(ex("year=2015", "year=2015/month=01/a.parquet"));
        assert!(!ex("year=2015/**", "year=2016/a.parquet"));
        assert!(ex("*/*.{txt,log}", "x/a.log"));
        assert!(ex("data?.json", "data1.json"));
        assert!(ex("[!a-c]*.json", "d.json"));
        assert!(!ex("[!a-c]*.json", "a.json"));
        assert!(compile("[abc").is_err());
    }
}
