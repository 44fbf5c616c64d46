//! The edit distances of Trino's `StringFunctions`.

use super::FunctionError;

/// `levenshtein_distance` over Unicode code points. Like Trino it refuses inputs where
/// `longer × (shorter - 1)` exceeds one million (computed without Java's `int` overflow).
pub fn levenshtein_distance(left: &str, right: &str) -> Result<i64, FunctionError> {
    let mut longer: Vec<char> = left.chars().collect();
    let mut shorter: Vec<char> = right.chars().collect();
    if longer.len() < shorter.len() {
        std::mem::swap(&mut longer, &mut shorter);
    }
    if shorter.is_empty() {
        return Ok(longer.len() as i64);
    }
    if longer.len() as u64 * (shorter.len() as u64 - 1) > 1_000_000 {
        return Err(FunctionError::InvalidArgument(
            "The combined inputs for Levenshtein distance are too large".to_owned(),
        ));
    }
    // row[j] = distance between the longer prefix processed so far and shorter[..=j].
    let mut row: Vec<usize> = (1..=shorter.len()).collect();
    for (i, &a) in longer.iter().enumerate() {
        let mut diagonal = i;
        let mut left_cell = i + 1;
        for (j, &b) in shorter.iter().enumerate() {
            let cell = if a == b {
                diagonal
            } else {
                1 + diagonal.min(row[j]).min(left_cell)
            };
            diagonal = row[j];
            row[j] = cell;
            left_cell = cell;
        }
    }
    Ok(row[shorter.len() - 1] as i64)
}

/// `hamming_distance` over Unicode code points; strings of different lengths fail.
pub fn hamming_distance(left: &str, right: &str) -> Result<i64, FunctionError> {
    let (mut left, mut right) = (left.chars(), right.chars());
    let mut distance = 0;
    loop {
        match (left.next(), right.next()) {
            (Some(a), Some(b)) => distance += i64::from(a != b),
            (None, None) => return Ok(distance),
            _ => {
                return Err(FunctionError::InvalidArgument(
                    "The input strings to hamming_distance function must have the same length".to_owned(),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levenshtein_distance_counts_code_points() {
        let cases = [
            ("", "", 0),
            ("hello", "hello", 0),
            ("hello", "", 5),
            ("", "hello", 5),
            ("hello", "hell", 1),
            ("kitten", "sitting", 3),
            ("hello world", "hello wolrd", 2),
            (
                "\u{4FE1}\u{5FF5},\u{7231},\u{5E0C}\u{671B}",
                "\u{4FE1}\u{5FF5}\u{5E0C}\u{671B}",
                3,
            ),
            (
                "\u{4FE1}\u{5FF5},\u{7231},\u{5E0C}\u{671B}",
                "\u{4FE1}\u{5FF5},love,\u{5E0C}\u{671B}",
                4,
            ),
        ];
        for (left, right, expected) in cases {
            assert_eq!(levenshtein_distance(left, right), Ok(expected), "{left} / {right}");
        }
    }

    #[test]
    fn levenshtein_distance_limits_input_size_like_trino() {
        assert_eq!(levenshtein_distance("hello", &"e".repeat(100_000)), Ok(99_999));
        assert_eq!(levenshtein_distance(&"l".repeat(100_000), "hello"), Ok(99_998));
        let too_large = Err(FunctionError::InvalidArgument(
            "The combined inputs for Levenshtein distance are too large".to_owned(),
        ));
        assert_eq!(levenshtein_distance(&"x".repeat(1001), &"x".repeat(1001)), too_large);
        assert_eq!(levenshtein_distance("hello", &"x".repeat(500_000)), too_large);
        assert_eq!(levenshtein_distance(&"x".repeat(500_000), "hello"), too_large);
    }

    #[test]
    fn hamming_distance_matches_trino_tests() {
        let cases = [
            ("", "", 0),
            ("hello", "hello", 0),
            ("hello", "jello", 1),
            ("like", "hate", 3),
            ("hello", "world", 4),
            (
                "\u{4FE1}\u{5FF5},\u{7231},\u{5E0C}\u{671B}",
                "\u{4FE1}\u{4EF0},\u{7231},\u{5E0C}\u{671B}",
                1,
            ),
            ("😀a", "😀b", 1),
        ];
        for (left, right, expected) in cases {
            assert_eq!(hamming_distance(left, right), Ok(expected), "{left} / {right}");
        }
        let mismatch = Err(FunctionError::InvalidArgument(
            "The input strings to hamming_distance function must have the same length".to_owned(),
        ));
        for (left, right) in [("hello", ""), ("", "hello"), ("hello", "o"), ("h", "hello")] {
            assert_eq!(hamming_distance(left, right), mismatch, "{left} / {right}");
        }
    }
}
