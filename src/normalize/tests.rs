//! Unit tests of normalization: every fast path against the reference
//! implementation (`reference`) and `unicode_normalization` on random
//! strings, on every character and on the real corpora, and the
//! guarantees of the module docs on examples.

use super::compose::{
    NFC_SKIP_BELOW, NFKC_SKIP_BELOW, SAFE_END, is_safe, nfc_by_stretches, nfc_safe, nfkc_safe,
    quick_check_yes,
};
use super::*;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, is_nfc_quick, is_nfkc_quick};

/// Pieces the random strings of `same_as_reference_*` are made of:
/// every kind of character a pass of `normalize` or `fix_mojibake`
/// treats differently.
const PIECES: &[&str] = &[
    "a",
    "Z",
    "word",
    " ",
    "  ",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "\u{0B}",
    "\u{0C}",
    "\u{00}",
    "\u{07}",
    "\u{1F}",
    "\u{7F}",
    "\u{80}",
    "\u{85}",
    "\u{9D}",
    "\u{A0}",
    "\u{AD}",
    "\u{B2}",
    "\u{BD}",
    "\u{2028}",
    "\u{2029}",
    "\u{200B}",
    "\u{200C}",
    "\u{200D}",
    "\u{200E}",
    "\u{200F}",
    "\u{2060}",
    "\u{2062}",
    "\u{2066}",
    "\u{206A}",
    "\u{202A}",
    "\u{202F}",
    "\u{205F}",
    "\u{1680}",
    "\u{180E}",
    "\u{2000}",
    "\u{3000}",
    "\u{FEFF}",
    "\u{FFF9}",
    "\u{061C}",
    "\u{0300}",
    "\u{0301}",
    "\u{0316}",
    "\u{0327}",
    "\u{0338}",
    "\u{0340}",
    "\u{0344}",
    "\u{036F}",
    "\u{0345}",
    "\u{0374}",
    "\u{037E}",
    "\u{0387}",
    "e",
    "=",
    "é",
    "ß",
    "Å",
    "\u{212B}",
    "\u{1100}",
    "\u{1161}",
    "\u{11A8}",
    "\u{AC00}",
    "한",
    "ال",
    "\u{064B}",
    "\u{0651}",
    "ف",
    "中文",
    "日本語",
    "ｶ",
    "ﾞ",
    "\u{FF01}",
    "（",
    "，",
    "\u{FF21}",
    "\u{FF65}",
    "ﬁ",
    "①",
    "\u{0928}\u{094D}",
    "\u{0915}\u{093C}",
    "😀",
    "\u{1F468}",
    "\u{FE0F}",
    "Ã©",
    "â€™",
    "â€œ",
    "â€\u{9D}",
    "Ø§Ù„",
    "Ã¢â‚¬â„¢",
    "ä¸\u{AD}æ–‡",
    "ðŸ˜€",
    "Ã",
    "Â",
    "ô",
    "€",
    "»",
    "«",
    "„",
    "“",
    "—",
    "’",
    "Ñ",
    "Ä‡",
    "ï»¿",
    "\u{0F73}",
    "\u{0F71}\u{0F72}",
    "\u{1D15E}",
    "\u{2126}",
    "\u{0958}",
    "\u{FB1D}",
    "\u{F900}",
    "\u{2F800}",
    "\u{10FFFF}",
    "\u{E000}",
    "\u{D7A3}",
];

/// The next value of a xorshift64* generator (high bits).
fn xorshift_star(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33
}

/// A deterministic pseudo-random string of `PIECES`.
fn random_text(state: &mut u64) -> String {
    let mut next = || xorshift_star(state);
    let len = next() % 40;
    // Some strings draw from a few pieces only, so that rare
    // combinations (mark after mark, joiner after joiner) occur.
    let pool = if next() % 2 == 0 {
        PIECES.len()
    } else {
        1 + (next() as usize % 8)
    };
    let offset = next() as usize;
    (0..len)
        .map(|_| PIECES[(offset + next() as usize % pool) % PIECES.len()])
        .collect()
}

/// Compare the current functions with `reference` on `text`, and
/// the quick checks with `unicode_normalization`'s.
fn assert_same_as_reference(text: &str) {
    for form in [NormForm::Nfc, NormForm::Nfkc] {
        assert_eq!(
            normalize(text, form),
            reference::normalize(text, form),
            "{form:?} {text:?}"
        );
    }
    let stripped = strip_invisibles(text);
    assert_eq!(stripped, reference::strip_invisibles(text), "{text:?}");
    for t in [text, &stripped] {
        assert_eq!(fold_whitespace(t), reference::fold_whitespace(t), "{t:?}");
    }
    assert_quick_checks_agree(text);
    assert_eq!(
        nfc_by_stretches(text),
        text.nfc().collect::<String>(),
        "{text:?}"
    );
    assert_eq!(
        fix_mojibake(text),
        reference::fix_mojibake(text),
        "{text:?}"
    );
}

/// [`quick_check_yes`] of both forms against the quick checks of
/// `unicode_normalization` on `text`.
fn assert_quick_checks_agree(text: &str) {
    assert_eq!(
        quick_check_yes(text, NFC_SKIP_BELOW, nfc_safe(), |c| {
            is_nfc_quick(std::iter::once(c))
        }),
        is_nfc_quick(text.chars()) == IsNormalized::Yes,
        "NFC {text:?}"
    );
    assert_eq!(
        quick_check_yes(text, NFKC_SKIP_BELOW, nfkc_safe(), |c| {
            is_nfkc_quick(std::iter::once(c))
        }),
        is_nfkc_quick(text.chars()) == IsNormalized::Yes,
        "NFKC {text:?}"
    );
}

/// More pieces for the long random strings: words longer than a
/// 16-byte block, whole words of non-Latin scripts, and the
/// neighbours (same first, or first and second, UTF-8 bytes) of the
/// characters the byte scans look for.
const LONG_PIECES: &[&str] = &[
    "abcdefghijklmnopqrstuvwxyz",
    "The quick brown fox jumps over the lazy dog.",
    "0123456789",
    " x ",
    " ",
    "   ",
    " \n ",
    "\n\n",
    " \u{A0}",
    "\u{A0} ",
    "Привет, мир",
    "Ελληνικά κείμενα",
    "Tiếng Việt có dấu",
    "ሰላም ለዓለም",
    "ქართული",
    "العربية الفصحى",
    "\u{061B}",
    "\u{0627}\u{064E}",
    "한국어 문장",
    "\u{1100}\u{1161}\u{11A8}",
    "中文文本，日本語。",
    "\u{3001}\u{3002}\u{3000}\u{303F}",
    "\u{2019}\u{201C}\u{201D}\u{2014}\u{2026}\u{2030}",
    "\u{2040}\u{205E}\u{205F}\u{2070}\u{207F}",
    "\u{180B}\u{1820}\u{180E}\u{1680}\u{169C}",
    "\u{00A9}\u{00AB}\u{00BB}\u{00B0}\u{00AC}\u{00AE}",
    "\u{FEC9}\u{FEFC}\u{FEFF}\u{FFC2}\u{FFFD}\u{FFFA}\u{FFF8}",
    "e\u{0301}\u{0316}",
    "a\u{0316}\u{0301}",
    "\u{05D0}\u{05B0}\u{05B4}",
    "\u{0915}\u{094D}\u{200D}\u{0937}",
    "👨\u{200D}👩\u{200D}👧",
    "\u{1F600}\u{1F3FB}",
    "\u{20000}\u{2F800}",
];

/// A deterministic pseudo-random string, up to a few kilobytes, of
/// `PIECES` and `LONG_PIECES`.
fn long_random_text(state: &mut u64) -> String {
    let mut next = || xorshift_star(state);
    let len = next() % 200;
    (0..len)
        .map(|_| {
            let k = next() as usize;
            if k.is_multiple_of(3) {
                PIECES[k / 3 % PIECES.len()]
            } else {
                LONG_PIECES[k / 3 % LONG_PIECES.len()]
            }
        })
        .collect()
}

#[test]
fn same_as_reference_on_long_random_strings() {
    let mut state = 0x2545_F491_4F6C_DD1D;
    for _ in 0..20_000 {
        let text = long_random_text(&mut state);
        assert_same_as_reference(&text);
        // Every alignment of the text against the 16-byte blocks.
        for skip in 1..16 {
            if let Some(t) = text.get(skip..) {
                let stripped = strip_invisibles(t);
                assert_eq!(stripped, reference::strip_invisibles(t), "{t:?}");
                assert_eq!(fold_whitespace(t), reference::fold_whitespace(t), "{t:?}");
                assert_eq!(
                    fold_whitespace(&stripped),
                    reference::fold_whitespace(&stripped),
                    "{t:?}"
                );
                assert_quick_checks_agree(t);
            }
        }
    }
}

/// The predicates of `scan` single out every character their pass must
/// look at: every character `strip_invisibles` changes, every
/// whitespace character but the space (and the first of two spaces).
#[test]
fn scan_predicates_mark_every_character_that_matters() {
    for c in (0..=0x10FFFF).filter_map(char::from_u32) {
        let mut buf = [0; 4];
        let s: &str = c.encode_utf8(&mut buf);
        let (x, next) = (s.as_bytes()[0], s.as_bytes().get(1).copied().unwrap_or(0));
        // A character alone, then before a line feed (CR LF).
        for t in [s.to_string(), format!("{s}\n")] {
            if reference::strip_invisibles(&t) != t {
                assert!(scan::strip_hit(x, next), "{c:?}");
            }
        }
        if c.is_whitespace() && c != ' ' {
            assert!(scan::fold_hit(x, next), "{c:?}");
        }
    }
    assert!(scan::fold_hit(b' ', b' '));
}

/// The SSE2 masks give, at each of the 16 positions of a block, the
/// predicate of that position, for every pair of bytes at every
/// position (the rest of the block is filler that marks nothing).
#[cfg(target_arch = "x86_64")]
#[test]
fn scan_sse2_same_as_predicates() {
    for k in 0..16 {
        for x in 0..=255u8 {
            for next in 0..=255u8 {
                let mut w = [b'a'; 17];
                w[k] = x;
                w[k + 1] = next;
                let mut want_strip = 0;
                let mut want_fold = 0;
                for p in 0..16 {
                    want_strip |= u32::from(scan::strip_hit(w[p], w[p + 1])) << p;
                    want_fold |= u32::from(scan::fold_hit(w[p], w[p + 1])) << p;
                }
                // SAFETY: SSE2 is enabled on every x86_64 target.
                let (got_strip, got_fold) =
                    unsafe { (scan::sse2::strip_mask(&w), scan::sse2::fold_mask(&w)) };
                assert_eq!(got_strip, want_strip, "{k} {x:#x} {next:#x}");
                assert_eq!(got_fold, want_fold, "{k} {x:#x} {next:#x}");
            }
        }
    }
    // The threshold scan, for every threshold and byte.
    for t in 0..=255u8 {
        for x in 0..=255u8 {
            for k in 0..20 {
                let mut b = vec![0u8; 40];
                b[k] = x;
                let want = if t == 0 {
                    0
                } else if x >= t {
                    k
                } else {
                    b.len()
                };
                assert_eq!(scan::next_at_least(&b, 0, t), want, "{t} {x} {k}");
            }
        }
    }
}

/// The scans on whole texts: every start position of random texts.
#[test]
fn scans_same_as_definition() {
    let mut state = 0x0123_4567_89AB_CDEF;
    for _ in 0..2_000 {
        let text = long_random_text(&mut state);
        let b = text.as_bytes();
        for from in 0..=b.len() {
            let def = |hit: &dyn Fn(u8, u8) -> bool| {
                (from..b.len())
                    .find(|&i| hit(b[i], b.get(i + 1).copied().unwrap_or(0)))
                    .unwrap_or(b.len())
            };
            assert_eq!(scan::next_strip(b, from), def(&scan::strip_hit));
            assert_eq!(scan::next_fold(b, from), def(&scan::fold_hit));
            for t in [0x80, 0xCC] {
                assert_eq!(scan::next_at_least(b, from, t), def(&|x, _| x >= t));
            }
        }
    }
}

/// The tables of safe characters hold exactly the starters with
/// quick-check Yes, and every character the quick check skips by its
/// lead byte is one of them.
#[test]
fn safe_tables_match_unicode_normalization() {
    for c in (0..SAFE_END).filter_map(char::from_u32) {
        let u = c as usize;
        let starter = canonical_combining_class(c) == 0;
        let nfc = starter && is_nfc_quick(std::iter::once(c)) == IsNormalized::Yes;
        let nfkc = starter && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes;
        assert_eq!(nfc_safe()[u / 64] >> (u % 64) & 1 == 1, nfc, "{c:?}");
        assert_eq!(nfkc_safe()[u / 64] >> (u % 64) & 1 == 1, nfkc, "{c:?}");
        let mut buf = [0; 4];
        let lead = c.encode_utf8(&mut buf).as_bytes()[0];
        if lead < NFC_SKIP_BELOW {
            assert!(nfc, "{c:?}");
        }
        if lead < NFKC_SKIP_BELOW {
            assert!(nfkc, "{c:?}");
        }
    }
}

/// [`quick_check_yes`] and [`nfc_by_stretches`] against
/// `unicode_normalization` with every `char` between neighbours of
/// different combining classes (starters, marks of class 1, 9, 220,
/// 230, 240), Hangul jamo and syllables, characters with NFC_QC=No or
/// Maybe, and first characters of compositions.
#[test]
fn quick_check_and_nfc_same_as_unicode_normalization_on_every_char() {
    let around = [
        ("", ""),
        ("a", "\u{0301}"),
        ("\u{0301}", "\u{0316}"),
        ("\u{0316}", "\u{0345}"),
        ("\u{0334}", "\u{094D}"),
        ("\u{1100}", "\u{1161}"),
        ("\u{AC00}", "\u{11A8}"),
        ("\u{0345}", "x"),
        ("\u{0340}", ""),
        ("e", "\u{0B3E}"),
        ("\u{0B47}", "\u{0CD5}"),
        ("\u{1025}", "\u{102E}"),
        ("\u{05D0}", "\u{05B7}\u{05BC}"),
    ];
    let mut buf = String::new();
    for c in (0..=0x10FFFF).filter_map(char::from_u32) {
        for (before, after) in around {
            buf.clear();
            buf.push_str(before);
            buf.push(c);
            buf.push_str(after);
            assert_quick_checks_agree(&buf);
            assert_eq!(
                nfc_by_stretches(&buf),
                buf.nfc().collect::<String>(),
                "{buf:?}"
            );
        }
    }
}

/// What [`nfc_by_stretches`] relies on: a safe character decomposes
/// to a starter that is never the second character of a composition.
/// The second characters are taken as the last characters of the
/// canonical decomposition of every primary composite (the second of a
/// pair never decomposes further); Hangul jamo are among them through
/// the syllables.
#[test]
fn safe_characters_never_compose_with_what_precedes() {
    let mut seconds = std::collections::HashSet::new();
    for p in (0..=0x10FFFF).filter_map(char::from_u32) {
        let d: Vec<char> = std::iter::once(p).nfd().collect();
        // Only primary composites, which NFC leaves as they are (not
        // composition exclusions such as U+0F69).
        if d.len() >= 2 && std::iter::once(p).nfc().eq([p]) {
            seconds.insert(*d.last().unwrap());
        }
    }
    assert!(seconds.contains(&'\u{0301}') && seconds.contains(&'\u{11A8}'));
    for safe in [nfc_safe(), nfkc_safe()] {
        for c in (0..SAFE_END).filter_map(char::from_u32) {
            if !is_safe(safe, c as u32) {
                continue;
            }
            let first = std::iter::once(c).nfd().next().unwrap();
            assert_eq!(canonical_combining_class(first), 0, "{c:?}");
            assert!(!seconds.contains(&first), "{c:?}");
            assert_eq!(
                is_nfc_quick(std::iter::once(first)),
                IsNormalized::Yes,
                "{c:?}"
            );
        }
    }
}

#[test]
fn same_as_reference_on_random_strings() {
    let mut state = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..200_000 {
        assert_same_as_reference(&random_text(&mut state));
    }
}

/// Every text of the real corpora (../shared/corpora: the text, gold
/// text, title and HTML page turned into text of each record), and the
/// number of files; `None` (with the reason printed) when the corpora
/// are absent.
fn corpus_texts() -> Option<(Vec<String>, usize)> {
    use std::io::BufRead;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
    let Ok(sets) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: {} is absent", dir.display());
        return None;
    };
    let mut files: Vec<_> = sets
        .flat_map(|set| std::fs::read_dir(set.unwrap().path()).into_iter().flatten())
        .map(|f| f.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".jsonl.gz"))
        .collect();
    files.sort();
    let mut texts = Vec::new();
    for path in &files {
        let f = flate2::read::MultiGzDecoder::new(std::fs::File::open(path).unwrap());
        for line in std::io::BufReader::new(f).lines() {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            for key in ["text", "gold_text", "title", "html"] {
                let Some(mut text) = v[key].as_str().map(String::from) else {
                    continue;
                };
                if key == "html" {
                    text = crate::html::to_text(&text).text;
                }
                texts.push(text);
            }
        }
    }
    Some((texts, files.len()))
}

/// Every text of the real corpora, as is and (every tenth) with its
/// mojibake (read as Windows-1252), through `normalize`,
/// `fix_mojibake` and each pass of `normalize`.
#[test]
fn same_as_reference_on_real_corpora() {
    let Some((texts, files)) = corpus_texts() else {
        return;
    };
    for (n, text) in texts.iter().enumerate() {
        assert_same_as_reference(text);
        if (n + 1) % 10 == 0 {
            let (broken, _, _) = encoding_rs::WINDOWS_1252.decode(text.as_bytes());
            assert_same_as_reference(&broken);
        }
    }
    eprintln!("{} texts of {files} files", texts.len());
    assert!(files == 0 || !texts.is_empty());
}

/// Time of `normalize` (NFC) and of its passes on every text of the
/// real corpora, best of 5 rounds:
/// `cargo test --release --lib bench_normalize -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_normalize_on_real_corpora() {
    let Some((texts, _)) = corpus_texts() else {
        return;
    };
    let bytes: usize = texts.iter().map(String::len).sum();
    let stripped: Vec<String> = texts
        .iter()
        .map(|t| strip_invisibles(t).into_owned())
        .collect();
    let time = |name: &str, f: &dyn Fn(&str) -> usize, input: &[String]| {
        let mut best = f64::MAX;
        let mut sink = 0;
        for _ in 0..5 {
            let t0 = std::time::Instant::now();
            for t in input {
                sink += f(std::hint::black_box(t));
            }
            best = best.min(t0.elapsed().as_secs_f64());
        }
        eprintln!(
            "{name:>14}: {:7.2} ms, {:5.2} ns/byte ({sink})",
            best * 1e3,
            best * 1e9 / bytes as f64
        );
    };
    eprintln!("{} texts, {bytes} bytes", texts.len());
    time(
        "normalize NFC",
        &|t| normalize(t, NormForm::Nfc).len(),
        &texts,
    );
    time(
        "normalize NFKC",
        &|t| normalize(t, NormForm::Nfkc).len(),
        &texts,
    );
    time("strip", &|t| strip_invisibles(t).len(), &texts);
    time(
        "NFC check",
        &|t| {
            usize::from(quick_check_yes(t, NFC_SKIP_BELOW, nfc_safe(), |c| {
                is_nfc_quick(std::iter::once(c))
            }))
        },
        &stripped,
    );
    time("fold", &|t| fold_whitespace(t).len(), &stripped);
}

#[test]
fn folds_whitespace_and_lines() {
    let t = "  Hello\u{00A0}\u{00A0}world \r\n\r\n\r\n\tSecond  line\u{3000}\n\n";
    assert_eq!(normalize(t, NormForm::Nfc), "Hello world\n\nSecond line");
}

#[test]
fn removes_invisibles_keeps_orthographic_joiners() {
    assert_eq!(
        normalize("a\u{200B}b\u{FEFF}c\u{0007}", NormForm::Nfc),
        "abc"
    );
    // ZWNJ inside a Persian word is kept; at a word edge it is dropped.
    let fa = "می\u{200C}خواهم \u{200C}x";
    assert_eq!(normalize(fa, NormForm::Nfc), "می\u{200C}خواهم x");
}

#[test]
fn nfc_and_nfkc() {
    assert_eq!(normalize("e\u{0301}", NormForm::Nfc), "\u{00E9}");
    assert_eq!(normalize("ﬁ", NormForm::Nfkc), "fi");
    assert_eq!(normalize("ﬁ", NormForm::Nfc), "ﬁ");
}

#[test]
fn repairs_common_mojibake() {
    for (bad, good) in [
        ("CafÃ© au lait, naÃ¯ve", "Café au lait, naïve"),
        ("donâ€™t say â€œnoâ€\u{9d}", "don’t say “no”"),
        ("Ø§Ù„Ù…ØµØ¯Ø±", "المصدر"),
        ("ÐŸÑ€Ð¸Ð²ÐµÑ‚ Ð¼Ð¸Ñ€", "Привет мир"),
        ("ä¸\u{AD}æ–‡æ–°é—»", "中文新闻"),
        ("emoji ðŸ˜€", "emoji 😀"),
        // Through the mistake twice.
        ("donÃ¢â‚¬â„¢t", "don’t"),
        // A repaired line next to correct text in another script.
        ("Ù„Ø§ حرف", "لا حرف"),
        // A lone weak sequence in a line with strong evidence.
        ("Ùˆ Ã© â€“", "و é –"),
        // A BOM read as cp1252, then stripped by normalization.
        ("ï»¿Title", "\u{FEFF}Title"),
    ] {
        let (fixed, n) = fix_mojibake(bad).unwrap_or_else(|| panic!("{bad:?}"));
        assert_eq!(fixed, good);
        assert!(n > 0);
    }
}

#[test]
fn leaves_correct_text_alone() {
    for ok in [
        "São Paulo, Ñandú, Œuvre, naïve, façade, Ærø",
        // German quotes after an accented capital or ß: chance pairs.
        "„Fuß“ und „Öl“ kosten mehr, sagt Ü“",
        "Ангел, сёла, Київ, ґанок",
        "المصدر: صحيفة الوادي",
        "中文新闻。日本語のニュース。",
        "Â la carte Ã",
        // French guillemets after a no-break space, Sami š, a name
        // followed by two no-break spaces (all seen in real corpora).
        "« instabilité\u{A0}», explique-t-il",
        "juvvojit náššuvnnalaš doaibmabijuid",
        "2006 Kaká\u{A0}\u{A0}Milan",
        "„Ä“ und „É“",
        "Il a dit « Santé\u{A0}»",
        "Gdańsk „Łódź“ i „Ę“",
        "",
    ] {
        assert_eq!(fix_mojibake(ok), None, "{ok:?}");
    }
}

#[test]
fn mojibake_is_switchable_and_counted() {
    let on = NormalizeConfig::default();
    let off = NormalizeConfig {
        fix_mojibake: false,
        ..Default::default()
    };
    let t = document_text("Le cafÃ© est fermÃ©.", false, &on);
    assert_eq!(t.text, "Le café est fermé.");
    assert_eq!(t.mojibake_fixed, 2);
    let t = document_text("Le cafÃ© est fermÃ©.", false, &off);
    assert_eq!(t.text, "Le cafÃ© est fermÃ©.");
    assert_eq!(t.mojibake_fixed, 0);
    // C1 controls are read before they would be stripped: "ف" is D9 81.
    assert_eq!(document_text("Ø§Ù\u{81}", false, &on).text, "اف");
}

#[test]
fn html_input_becomes_normalized_text() {
    let t = document_text(
        "<html><head><title>T&eacute;l&eacute;</title></head><body><p>Un&nbsp;\u{200B}texte.</p><p>CafÃ©.</p></body></html>",
        true,
        &NormalizeConfig::default(),
    );
    assert_eq!(t.text, "Un texte.\nCafé.");
    assert_eq!(t.html_title.as_deref(), Some("Télé"));
    assert_eq!(t.mojibake_fixed, 1);
}

#[test]
fn cjk_punctuation_width_is_left_alone() {
    let zh = "北京（记者）报道：今天下雨！明天呢？“好”，她说。";
    let ja = "東京：雨のため、中止となりました！ ｢ｶﾀｶﾅ｣";
    assert_eq!(normalize(zh, NormForm::Nfc), zh);
    assert_eq!(normalize(ja, NormForm::Nfc), ja);
    // NFKC folds letters and digits of the fullwidth block and
    // halfwidth kana, but not the punctuation.
    assert_eq!(
        normalize("Ｆｕｌｌ１２３！（ｗｉｄｅ）", NormForm::Nfkc),
        "Full123！（wide）"
    );
    assert_eq!(normalize(zh, NormForm::Nfkc), zh);
    assert_eq!(normalize("｢ｶﾀｶﾅ｣", NormForm::Nfkc), "｢カタカナ｣");
}

#[test]
fn unusual_invisibles_are_removed() {
    assert_eq!(
        normalize(
            "a\u{061C}b\u{2062}c\u{206A}d\u{FFF9}e\u{2800}f",
            NormForm::Nfc
        ),
        "abcde\u{2800}f"
    );
    assert_eq!(normalize("a\u{205F}b\u{1680}c", NormForm::Nfc), "a b c");
}

#[test]
fn idempotent() {
    for t in [
        // Found by fuzzing: "=" + U+0338 composes to "≠", after which
        // the ZWNJ no longer follows a mark.
        "=\u{0338}\u{200C}C",
        "x\u{200C}=\u{200C}\u{0338}\u{200C}y",
        "  a \n\n\n b\u{200D}\u{200D}c \r\n\u{2028}d\u{00AD}e  ",
        "\u{200C}\u{200C}x\u{200C}",
        "",
        "\n\n\n",
        "ﾊﾝｶｸ　カナ",
        "（全角）！？ｶﾅ",
        "CafÃ© ÐŸÑ€Ð¸",
    ] {
        for f in [NormForm::Nfc, NormForm::Nfkc] {
            let once = normalize(t, f);
            assert_eq!(normalize(&once, f), once, "{t:?}");
        }
    }
}
