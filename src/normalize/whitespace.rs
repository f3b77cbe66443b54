//! Whitespace folding ([`fold_whitespace`]): every whitespace character is
//! a space, runs of spaces fold to one, lines are trimmed, at most one blank
//! line separates paragraphs and there are no blank lines at either end.

use super::scan;

/// Whether the character starting at `b[i]` is whitespace
/// (`char::is_whitespace`), and its length.
#[inline]
fn whitespace_at(text: &str, i: usize) -> (bool, usize) {
    let x = text.as_bytes()[i];
    if x < 0x80 {
        (matches!(x, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' '), 1)
    } else {
        let c = text[i..].chars().next().expect("a character starts here");
        (c.is_whitespace(), c.len_utf8())
    }
}

/// The end of the text run starting at `i`, where a character that is not
/// whitespace starts: the run is the longest stretch of words separated by
/// single spaces (U+0020), so that it is already folded and goes to the
/// output as it is. It ends after its last non-whitespace character.
fn run_end(text: &str, i: usize) -> usize {
    let b = text.as_bytes();
    let mut j = i;
    loop {
        // Between `j` and `p`: no whitespace but single spaces, each
        // followed by a byte that is neither a space nor the start of
        // other whitespace (a unit test checks that every whitespace
        // character but the space starts with a byte [`scan::fold_hit`]
        // marks).
        let p = scan::next_fold(b, j);
        if p < b.len() {
            let (ws, len) = whitespace_at(text, p);
            if !ws {
                // A control or non-ASCII character that is no space.
                j = p + len;
                continue;
            }
        }
        // A single space before the whitespace (or the end) that stops
        // the run belongs to that whitespace. `b[i]` is no whitespace, so
        // the run is never empty.
        debug_assert!(p > i);
        return if b[p - 1] == b' ' { p - 1 } else { p };
    }
}

/// Whitespace folded to single spaces, lines trimmed, runs of blank lines
/// to one, none at either end. Text between whitespace that needs folding
/// is copied as whole runs (see [`run_end`]); whitespace is looked at one
/// character at a time.
pub(super) fn fold_whitespace(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    // A blank line since the last line with text (and text before it).
    let mut blank_pending = false;
    // The current line has text in `out`.
    let mut line_has_text = false;
    // Whitespace since the last word of the current line.
    let mut space = false;
    let mut i = 0;
    while i < b.len() {
        let (ws, len) = whitespace_at(text, i);
        if ws {
            if b[i] == b'\n' {
                if !line_has_text {
                    blank_pending = !out.is_empty();
                }
                line_has_text = false;
            }
            space = b[i] != b'\n';
            i += len;
            continue;
        }
        if line_has_text {
            if space {
                out.push(' ');
            }
        } else {
            if !out.is_empty() {
                out.push('\n');
                if blank_pending {
                    out.push('\n');
                }
            }
            line_has_text = true;
            blank_pending = false;
        }
        space = false;
        let end = run_end(text, i);
        out.push_str(&text[i..end]);
        i = end;
    }
    out
}
