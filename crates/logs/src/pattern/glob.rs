//! `*` wildcards in the string values of JSON and space-delimited patterns
//! (`"Update*"`, `4*`): a `*` stands for any run of characters, everything
//! else for itself, case-sensitively.

/// Whether `text` matches `pattern` as a whole. Greedy with one point of
/// return, so the cost is at most `pattern.len() * text.len()`.
pub(super) fn matches(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn stars_stand_for_any_run() {
        assert!(matches("4*", "404"));
        assert!(matches("*html*", "GET /index.html HTTP/1.0"));
        assert!(matches("*", ""));
        assert!(matches("a*b*c", "aXbYbc"));
        assert!(!matches("a*b", "aXbY"));
        assert!(!matches("abc", "abcd"));
        assert!(matches("héllo*", "héllo wörld"));
    }
}
