//! Trino's `title_case` (Java's one-to-one case mappings) and `murmur3`
//! (MurmurHash3 x64 128-bit, seed 0, as Trino's varbinary).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BinaryArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::ScalarUDF;

use super::udf::{Arg, Fun, Returns, map_str};

pub fn udfs() -> Vec<ScalarUDF> {
    vec![
        Fun::new("title_case", &[Arg::Str], Returns::Fixed(DataType::Utf8), |a, _| {
            map_str(&a[0], |s| Ok(Some(title_case(s))))
        })
        .udf(),
        Fun::new("murmur3", &[Arg::Bin], Returns::Fixed(DataType::Binary), murmur3).udf(),
    ]
}

// ------------------------------------------------------------------------------------------------
// title_case

/// Trino's `title_case` (airlift's `SliceUtf8.toTitleCase`): code point by
/// code point, the first of each whitespace-separated word in title case,
/// the rest in lower case, with Java's one-to-one case mappings.
fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut word_start = true;
    for c in s.chars() {
        if java_whitespace(c) {
            out.push(c);
            word_start = true;
        } else if word_start {
            out.push(title_char(c));
            word_start = false;
        } else {
            out.push(lower_char(c));
        }
    }
    out
}

/// Java's `Character.isWhitespace`: Unicode white space except the
/// no-break spaces and NEL, plus the four ASCII separators U+001C..U+001F.
fn java_whitespace(c: char) -> bool {
    matches!(c, '\u{1C}'..='\u{1F}')
        || (c.is_whitespace() && !matches!(c, '\u{85}' | '\u{A0}' | '\u{2007}' | '\u{202F}'))
}

/// One character's simple (one-to-one) mapping; a character whose full
/// mapping is several characters (`ß` to `SS`) has none and stays.
fn single(c: char, mut mapped: impl Iterator<Item = char>) -> char {
    match (mapped.next(), mapped.next()) {
        (Some(m), None) => m,
        _ => c,
    }
}

/// Title case: upper case, except the Latin digraphs, whose title case is
/// their capital-small form (`ǆ` to `ǅ`).
fn title_char(c: char) -> char {
    match c {
        '\u{1C4}'..='\u{1C6}' => '\u{1C5}',
        '\u{1C7}'..='\u{1C9}' => '\u{1C8}',
        '\u{1CA}'..='\u{1CC}' => '\u{1CB}',
        '\u{1F1}'..='\u{1F3}' => '\u{1F2}',
        _ => single(c, c.to_uppercase()),
    }
}

fn lower_char(c: char) -> char {
    match c {
        // Java's simple lower case of the dotted capital I; the full one adds a combining dot.
        '\u{130}' => 'i',
        _ => single(c, c.to_lowercase()),
    }
}

// ------------------------------------------------------------------------------------------------
// murmur3

fn murmur3(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let Some(b) = args[0].as_binary_opt::<i32>() else {
        return exec_err!("murmur3 expected varbinary, got {}", args[0].data_type());
    };
    let out: BinaryArray = b.iter().map(|v| v.map(murmur3_x64_128)).collect();
    Ok(Arc::new(out))
}

const C1: u64 = 0x87c3_7b91_1142_53d5;
const C2: u64 = 0x4cf5_ad43_2745_937f;

fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^= k >> 33;
    k
}

fn mix_k1(k1: u64) -> u64 {
    k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2)
}

fn mix_k2(k2: u64) -> u64 {
    k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1)
}

fn le_u64(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    for (w, b) in word.iter_mut().zip(bytes) {
        *w = *b;
    }
    u64::from_le_bytes(word)
}

/// MurmurHash3 x64 128-bit with seed 0, as airlift's `Murmur3Hash128`
/// (which Trino's `murmur3` calls) gives it: `h1` then `h2`, each little
/// endian; tail bytes are taken unsigned.
fn murmur3_x64_128(data: &[u8]) -> [u8; 16] {
    let (mut h1, mut h2) = (0u64, 0u64);
    let mut blocks = data.chunks_exact(16);
    for block in &mut blocks {
        let (low, high) = block.split_at(8);
        h1 ^= mix_k1(le_u64(low));
        h1 = h1
            .rotate_left(27)
            .wrapping_add(h2)
            .wrapping_mul(5)
            .wrapping_add(0x52dc_e729);
        h2 ^= mix_k2(le_u64(high));
        h2 = h2
            .rotate_left(31)
            .wrapping_add(h1)
            .wrapping_mul(5)
            .wrapping_add(0x3849_5ab5);
    }
    let tail = blocks.remainder();
    if tail.len() > 8 {
        h2 ^= mix_k2(le_u64(&tail[8..]));
    }
    if !tail.is_empty() {
        h1 ^= mix_k1(le_u64(tail));
    }
    let len = data.len() as u64;
    h1 ^= len;
    h2 ^= len;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&h1.to_le_bytes());
    out[8..].copy_from_slice(&h2.to_le_bytes());
    out
}
