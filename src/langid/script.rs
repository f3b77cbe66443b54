//! Dominant writing system of a text, as an ISO 15924 code.
//!
//! Letters are counted per script by Unicode block; the script with most
//! letters wins (ties go to the earlier one in the table, so the result is
//! deterministic). Han with any kana is `Jpan` (Japanese writes with both);
//! Hangul is `Hang`; text without letters is `Zyyy` (common).

/// Scripts we tell apart, with their ISO 15924 codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
enum S {
    Latn,
    Cyrl,
    Arab,
    Grek,
    Hebr,
    Deva,
    Beng,
    Guru,
    Gujr,
    Orya,
    Taml,
    Telu,
    Knda,
    Mlym,
    Sinh,
    Thai,
    Laoo,
    Tibt,
    Mymr,
    Geor,
    Armn,
    Ethi,
    Khmr,
    Hang,
    Hani,
    Kana,
    Thaa,
    Tfng,
    Syrc,
    Mong,
    Cher,
    Cans,
}

const CODES: [&str; 32] = [
    "Latn", "Cyrl", "Arab", "Grek", "Hebr", "Deva", "Beng", "Guru", "Gujr", "Orya", "Taml", "Telu",
    "Knda", "Mlym", "Sinh", "Thai", "Laoo", "Tibt", "Mymr", "Geor", "Armn", "Ethi", "Khmr", "Hang",
    "Hani", "Jpan", "Thaa", "Tfng", "Syrc", "Mong", "Cher", "Cans",
];

const fn script_of(c: char) -> Option<S> {
    let u = c as u32;
    Some(match u {
        0x41..=0x5A
        | 0x61..=0x7A
        | 0xAA
        | 0xBA
        | 0xC0..=0x24F
        | 0x1E00..=0x1EFF
        | 0x2C60..=0x2C7F
        | 0xA720..=0xA7FF
        | 0xFF21..=0xFF3A
        | 0xFF41..=0xFF5A
        | 0x250..=0x2AF => S::Latn,
        0x370..=0x3FF | 0x1F00..=0x1FFF => S::Grek,
        0x400..=0x52F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => S::Cyrl,
        0x531..=0x58F => S::Armn,
        0x591..=0x5F4 | 0xFB1D..=0xFB4F => S::Hebr,
        // Arabic digits, punctuation, tatweel and signs are not letters.
        0x600..=0x61F
        | 0x640
        | 0x660..=0x66D
        | 0x6D4
        | 0x6DD..=0x6DE
        | 0x6E9
        | 0x6F0..=0x6F9
        | 0xFD3E..=0xFD3F => return None,
        0x620..=0x6FF | 0x750..=0x77F | 0x8A0..=0x8FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFC => {
            S::Arab
        }
        0x700..=0x74F => S::Syrc,
        0x780..=0x7BF => S::Thaa,
        0x900..=0x97F | 0xA8E0..=0xA8FF => S::Deva,
        0x980..=0x9FF => S::Beng,
        0xA00..=0xA7F => S::Guru,
        0xA80..=0xAFF => S::Gujr,
        0xB00..=0xB7F => S::Orya,
        0xB80..=0xBFF => S::Taml,
        0xC00..=0xC7F => S::Telu,
        0xC80..=0xCFF => S::Knda,
        0xD00..=0xD7F => S::Mlym,
        0xD80..=0xDFF => S::Sinh,
        0xE00..=0xE7F => S::Thai,
        0xE80..=0xEFF => S::Laoo,
        0xF00..=0xFFF => S::Tibt,
        0x1000..=0x109F => S::Mymr,
        0x10A0..=0x10FF | 0x1C90..=0x1CBF => S::Geor,
        0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => S::Hang,
        0x1200..=0x139F | 0x2D80..=0x2DDF => S::Ethi,
        0x13A0..=0x13FF => S::Cher,
        0x1400..=0x167F => S::Cans,
        0x1780..=0x17FF => S::Khmr,
        0x1800..=0x18AF => S::Mong,
        0x2D30..=0x2D7F => S::Tfng,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => {
            // The prolonged sound mark and middle dot are shared; count kana letters.
            if u == 0x30FC || u == 0x30FB {
                return None;
            } else {
                S::Kana
            }
        }
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F => S::Hani,
        _ => return None,
    })
}

/// Code points below this are looked up in [`TABLE`] (every script block
/// of [`script_of`] up to kana); the rest go through the `match`.
const TABLE_LEN: usize = 0x3100;
/// No script (not a letter of a script we tell apart).
const NONE: u8 = u8::MAX;

/// [`script_of`] for every code point below [`TABLE_LEN`], as `S as u8` or
/// [`NONE`]; built at compile time from the same `match`.
static TABLE: [u8; TABLE_LEN] = {
    let mut t = [NONE; TABLE_LEN];
    let mut u = 0;
    while u < TABLE_LEN {
        if let Some(c) = char::from_u32(u as u32)
            && let Some(s) = script_of(c)
        {
            t[u] = s as u8;
        }
        u += 1;
    }
    t
};

/// Letter counts per script of a text.
#[derive(Clone, Debug, Default)]
pub struct ScriptCounts {
    counts: [u32; 32],
}

impl ScriptCounts {
    pub fn of(text: &str) -> Self {
        Self::scan(text).0
    }

    /// The letter counts of `text` and its number of non-whitespace
    /// characters (`char::is_whitespace`), in one pass. ASCII, most of the
    /// text in most languages' news (spaces, digits, punctuation, markup),
    /// is counted byte by byte without decoding.
    pub fn scan(text: &str) -> (Self, usize) {
        let mut counts = [0u32; 32];
        let bytes = text.as_bytes();
        let (mut latin, mut spaces, mut chars) = (0u32, 0usize, 0usize);
        let mut i = 0;
        while i < bytes.len() {
            // 32 ASCII bytes at a time: the same counts as the byte loop
            // below, in a form the compiler vectorizes.
            if let Some(chunk) = bytes.get(i..i + 32)
                && chunk.iter().fold(0u8, |a, &b| a | b) < 0x80
            {
                latin += chunk
                    .iter()
                    .map(|&b| u32::from((b | 0x20).wrapping_sub(b'a') < 26))
                    .sum::<u32>();
                spaces += chunk
                    .iter()
                    .map(|&b| usize::from(b == b' ' || b.wrapping_sub(0x09) < 5))
                    .sum::<usize>();
                chars += 32;
                i += 32;
                continue;
            }
            let b = bytes[i];
            if b < 0x80 {
                latin += u32::from(b.is_ascii_alphabetic());
                // char::is_whitespace on ASCII: U+0009..=U+000D and U+0020.
                spaces += usize::from(b == b' ' || (0x09..=0x0d).contains(&b));
                chars += 1;
                i += 1;
                continue;
            }
            // `text` is valid UTF-8 and `i` is at the start of a character.
            let c = text[i..].chars().next().unwrap_or('\u{FFFD}');
            i += c.len_utf8();
            chars += 1;
            spaces += usize::from(c.is_whitespace());
            let u = c as usize;
            let s = if u < TABLE_LEN {
                TABLE[u]
            } else {
                script_of(c).map_or(NONE, |s| s as u8)
            };
            if s != NONE {
                counts[s as usize] += 1;
            }
        }
        counts[S::Latn as usize] += latin;
        (ScriptCounts { counts }, chars - spaces)
    }

    /// Add another text's counts (a text's counts are the sum of its
    /// parts').
    pub fn add(&mut self, other: &ScriptCounts) {
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
    }

    /// Letters in any script we know.
    pub fn letters(&self) -> u32 {
        self.counts.iter().sum()
    }

    /// The dominant script's ISO 15924 code.
    pub fn dominant(&self) -> &'static str {
        let kana = self.counts[S::Kana as usize];
        let han = self.counts[S::Hani as usize];
        let mut best = None;
        let mut best_n = 0;
        for (i, &n) in self.counts.iter().enumerate() {
            // Han and kana compete together as one writing system.
            let n = if i == S::Hani as usize || i == S::Kana as usize {
                han + kana
            } else {
                n
            };
            if n > best_n {
                best_n = n;
                best = Some(i);
            }
        }
        match best {
            None => "Zyyy",
            Some(i) if i == S::Hani as usize || i == S::Kana as usize => {
                if kana > 0 {
                    "Jpan"
                } else {
                    "Hani"
                }
            }
            Some(i) => CODES[i],
        }
    }

    /// Share of letters (0..=1) in the dominant script.
    pub fn dominant_share(&self) -> f32 {
        let total = self.letters();
        if total == 0 {
            return 0.0;
        }
        let d = self.dominant();
        let n: u32 = match d {
            "Jpan" | "Hani" => self.counts[S::Hani as usize] + self.counts[S::Kana as usize],
            _ => CODES
                .iter()
                .position(|c| *c == d)
                .map(|i| self.counts[i])
                .unwrap_or(0),
        };
        n as f32 / total as f32
    }
}

/// The dominant script of `text` (ISO 15924).
pub fn dominant_script(text: &str) -> &'static str {
    ScriptCounts::of(text).dominant()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts() {
        assert_eq!(dominant_script("Hello world"), "Latn");
        assert_eq!(dominant_script("مرحبا بالعالم 123"), "Arab");
        assert_eq!(dominant_script("Привет мир"), "Cyrl");
        assert_eq!(dominant_script("我们今天去市场"), "Hani");
        assert_eq!(dominant_script("今日は市場に行きます"), "Jpan");
        assert_eq!(dominant_script("नमस्ते दुनिया"), "Deva");
        assert_eq!(dominant_script("안녕하세요"), "Hang");
        assert_eq!(dominant_script("123 !?"), "Zyyy");
        assert_eq!(dominant_script("ሰላም ለዓለም"), "Ethi");
    }

    #[test]
    fn scan_counts_like_char_by_char() {
        let texts = [
            "",
            "Hello, world!\n\tNew line\r\n",
            "Ünïcödé ñ ß Ø 1234 \u{a0}nbsp\u{2003}em\u{3000}ideographic\u{85}nel",
            "Привет мир! مرحبا بالعالم ١٢٣ 今日は市場に行きます ー・ 我们 안녕하세요 𠀀𝔘",
            "ગુજરાત ਪੰਜਾਬ ଓଡ଼ିଆ தமிழ் తెలుగు ಕನ್ನಡ മലയാളം සිංහල ไทย ລາວ བོད မြန်မာ ქართ Հայ ሰላም ខ្មែរ ᠮᠣᠩ ᏣᎳᎩ ᐃᓄᒃ ⵜⴰ ܐܪܡ ދިވެހި",
        ];
        // Long ASCII stretches (the 32-byte path) with every ASCII byte,
        // cut at every alignment by non-ASCII characters.
        let ascii: String = (0u8..128).map(char::from).collect();
        let mut mixed = Vec::new();
        for k in 0..40 {
            mixed.push(format!(
                "{}é{}\u{3000}{}",
                &ascii[k..],
                &ascii[..k + 33],
                ascii.repeat(3)
            ));
        }
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..200 {
            let mut t = String::new();
            for _ in 0..(x % 300) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                t.push(match x % 10 {
                    0 => 'Ж',
                    1 => '\u{0085}',
                    2 => '\t',
                    _ => char::from((x >> 8) as u8 & 0x7F),
                });
            }
            mixed.push(t);
        }
        for t in texts
            .iter()
            .copied()
            .chain(mixed.iter().map(String::as_str))
        {
            let mut want = [0u32; 32];
            for c in t.chars() {
                if let Some(s) = script_of(c) {
                    want[s as usize] += 1;
                }
            }
            let (got, nonspace) = ScriptCounts::scan(t);
            assert_eq!(got.counts, want, "{t}");
            assert_eq!(
                nonspace,
                t.chars().filter(|c| !c.is_whitespace()).count(),
                "{t}"
            );
            let mut sum = ScriptCounts::default();
            for line in t.lines() {
                sum.add(&ScriptCounts::of(line));
            }
            assert_eq!(sum.counts, want, "{t}");
        }
        for u in 0..TABLE_LEN as u32 {
            if let Some(c) = char::from_u32(u) {
                assert_eq!(TABLE[u as usize], script_of(c).map_or(NONE, |s| s as u8));
            }
        }
    }
}
