//! HTML page -> text, for inputs that hold HTML instead of text
//! (`input.fields.html`).
//!
//! Not a main-content extractor (no readability scoring): it keeps every
//! piece of visible text of the page, one block per line, and leaves the
//! site's frame to the clean stage (rules, repeated lines, navigation
//! heuristics). Guarantees:
//! - tags are removed; text of inline elements (`a`, `span`, `em`, `code`,
//!   ...) flows on the same line;
//! - block elements (`p`, `div`, `h1`-`h6`, `li`, `tr`, `br`, `pre`,
//!   `blockquote`, `section`, ...) start and end a line; table cells are
//!   separated by a tab (a space after normalization); inside `pre` the
//!   line breaks of the source are kept;
//! - dropped with everything inside: `head`, `script`, `style`, `noscript`,
//!   `template`, `textarea`, `svg`, `math`, `select`, `button`, `iframe`,
//!   `object`, `nav`, and any element with the `hidden` attribute,
//!   `aria-hidden="true"`, `role="navigation"`, or a class or id that names
//!   navigation (`nav`, `navbar`, `docnav`, `breadcrumb(s)`, `menu`,
//!   `skip-link`, `share...`); an element whose end tag never comes is not
//!   dropped (only its tag is), so broken markup loses no text;
//! - comments, doctype, processing instructions and CDATA markers are
//!   removed; image `alt` texts are not text of the page and are dropped;
//! - every character reference is decoded: all HTML5 named entities (via
//!   the `html-escape` crate's table), decimal and hex references, and
//!   references to 0x80-0x9F as the HTML standard says (Windows-1252:
//!   `&#150;` is "–");
//! - the page's `<title>` is returned separately (it becomes the document's
//!   title when the record has none).

/// A page as text.
#[derive(Debug, Default, PartialEq)]
pub struct Page {
    /// One line per block, whitespace of the source folded.
    pub text: String,
    /// The `<title>` element's text.
    pub title: Option<String>,
}

/// Elements whose content is raw text up to their end tag.
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
];
/// Elements dropped with their content.
const DROPPED: &[&str] = &[
    "head", "noscript", "template", "svg", "math", "select", "button", "object", "nav",
];
/// Elements after which a line ends.
const BLOCK: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "html",
    "legend",
    "li",
    "main",
    "menu",
    "ol",
    "option",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "tfoot",
    "thead",
    "tr",
    "ul",
];
/// Elements that never have an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Turn an HTML page into text; see the module docs.
pub fn to_text(html: &str) -> Page {
    let mut w = Writer::default();
    let b = html.as_bytes();
    let mut title = None;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            let end = memchr(b'<', b, i + 1).unwrap_or(b.len());
            w.text(&html[i..end]);
            i = end;
            continue;
        }
        let rest = &b[i..];
        if rest.starts_with(b"<!--") {
            i = find(b, i + 4, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        if rest.starts_with(b"<![CDATA[") {
            let start = i + 9;
            let end = find(b, start, b"]]>").unwrap_or(b.len());
            w.text(&html[start..end]);
            i = (end + 3).min(b.len());
            continue;
        }
        if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            i = memchr(b'>', b, i + 1).map_or(b.len(), |e| e + 1);
            continue;
        }
        let Some(tag) = parse_tag(html, i) else {
            // A `<` that starts no tag is text ("a < b").
            w.text("<");
            i += 1;
            continue;
        };
        let name = tag.name.as_str();
        if tag.end {
            if name == "pre" {
                w.pre = w.pre.saturating_sub(1);
            }
            if BLOCK.contains(&name) {
                w.line_break();
            }
            i = tag.next;
            continue;
        }
        if RAW_TEXT.contains(&name) {
            let close = find_end_tag(b, tag.next, name);
            let content_end = close.map_or(b.len(), |(s, _)| s);
            if name == "title" && title.is_none() {
                let t = decode(&html[tag.next..content_end]);
                let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
                title = Some(t).filter(|t| !t.is_empty());
            }
            i = close.map_or(b.len(), |(_, e)| e);
            continue;
        }
        let void = VOID.contains(&name) || tag.self_closing;
        if !void && (DROPPED.contains(&name) || tag.hides) {
            if let Some(end) = matching_end(b, tag.next, name) {
                if name == "head" && title.is_none() {
                    title = to_text_title(&html[tag.next..end]);
                }
                w.line_break();
                i = end;
                continue;
            }
            // No end tag: drop the tag only.
            i = tag.next;
            continue;
        }
        match name {
            "br" => w.hard_break(),
            "td" | "th" => w.cell(),
            "pre" => {
                w.line_break();
                w.pre += 1;
            }
            _ if BLOCK.contains(&name) => w.line_break(),
            _ => {}
        }
        i = tag.next;
    }
    Page {
        text: w.finish(),
        title,
    }
}

/// The `<title>` inside a dropped `<head>`.
fn to_text_title(head: &str) -> Option<String> {
    let b = head.as_bytes();
    let mut i = 0;
    while let Some(p) = memchr(b'<', b, i) {
        if let Some(tag) = parse_tag(head, p)
            && !tag.end
            && tag.name == "title"
        {
            let end = find_end_tag(b, tag.next, "title").map_or(b.len(), |(s, _)| s);
            let t = decode(&head[tag.next..end]);
            let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
            return Some(t).filter(|t| !t.is_empty());
        }
        i = p + 1;
    }
    None
}

#[derive(Default)]
struct Writer {
    out: String,
    /// Inside this many `pre` elements.
    pre: usize,
    /// A line break is due before the next text.
    brk: bool,
    /// Hard line breaks (`br`) due before the next text.
    hard: usize,
    /// A space is due before the next text.
    space: bool,
}

impl Writer {
    fn text(&mut self, raw: &str) {
        let t = decode(raw);
        for c in t.chars() {
            let c = c1_as_cp1252(c);
            if self.pre > 0 && (c == '\n' || c == '\r') {
                if c == '\n' {
                    self.hard_break();
                }
                continue;
            }
            if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{0C}') {
                self.space = true;
                continue;
            }
            self.flush();
            self.out.push(c);
        }
    }

    fn flush(&mut self) {
        if self.out.is_empty() {
            self.brk = false;
            self.hard = 0;
            self.space = false;
            return;
        }
        if self.hard > 0 {
            for _ in 0..self.hard.min(2) {
                self.out.push('\n');
            }
        } else if self.brk {
            self.out.push('\n');
        } else if self.space {
            self.out.push(' ');
        }
        self.brk = false;
        self.hard = 0;
        self.space = false;
    }

    fn line_break(&mut self) {
        self.brk = true;
    }

    fn hard_break(&mut self) {
        self.hard += 1;
    }

    fn cell(&mut self) {
        if !self.brk && self.hard == 0 && !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\t');
            self.space = false;
        }
    }

    fn finish(self) -> String {
        self.out
    }
}

/// Character references 0x80-0x9F mean Windows-1252 characters (HTML
/// standard, "numeric character reference end state"); a raw C1 control in
/// a page is read the same way.
fn c1_as_cp1252(c: char) -> char {
    const MAP: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match c as u32 {
        u @ 0x80..=0x9F => MAP[(u - 0x80) as usize],
        _ => c,
    }
}

fn decode(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('&') {
        html_escape::decode_html_entities(s)
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

struct Tag {
    name: String,
    end: bool,
    self_closing: bool,
    /// The element is hidden or names navigation (see the module docs).
    hides: bool,
    /// Byte position after the tag's `>`.
    next: usize,
}

/// Parse the tag starting at `b[i] == '<'`; `None` if it is not a tag.
fn parse_tag(html: &str, i: usize) -> Option<Tag> {
    let b = html.as_bytes();
    let mut p = i + 1;
    let end = b.get(p) == Some(&b'/');
    if end {
        p += 1;
    }
    let start = p;
    while p < b.len() && (b[p].is_ascii_alphanumeric() || b[p] == b'-' || b[p] == b':') {
        p += 1;
    }
    if p == start || !b[start].is_ascii_alphabetic() {
        return None;
    }
    let name = html[start..p].to_ascii_lowercase();
    let mut hides = false;
    let mut self_closing = false;
    // Attributes up to the closing `>`, honouring quotes.
    loop {
        while p < b.len() && b[p].is_ascii_whitespace() {
            p += 1;
        }
        match b.get(p) {
            None => return None,
            Some(b'>') => {
                p += 1;
                break;
            }
            Some(b'/') => {
                self_closing = b.get(p + 1) == Some(&b'>');
                p += 1;
                continue;
            }
            _ => {}
        }
        let an = p;
        while p < b.len() && !b[p].is_ascii_whitespace() && !matches!(b[p], b'=' | b'>' | b'/') {
            p += 1;
        }
        let attr = html[an..p].to_ascii_lowercase();
        while p < b.len() && b[p].is_ascii_whitespace() {
            p += 1;
        }
        let mut value = "";
        if b.get(p) == Some(&b'=') {
            p += 1;
            while p < b.len() && b[p].is_ascii_whitespace() {
                p += 1;
            }
            match b.get(p) {
                Some(&q @ (b'"' | b'\'')) => {
                    let vs = p + 1;
                    let ve = memchr(q, b, vs)?;
                    value = &html[vs..ve];
                    p = ve + 1;
                }
                _ => {
                    let vs = p;
                    while p < b.len() && !b[p].is_ascii_whitespace() && b[p] != b'>' {
                        p += 1;
                    }
                    value = &html[vs..p];
                }
            }
        }
        if !end {
            hides |= hiding_attribute(&attr, value);
        }
        if an == p {
            p += 1;
        }
    }
    Some(Tag {
        name,
        end,
        self_closing,
        hides,
        next: p,
    })
}

/// Attributes that mark an element as hidden or as navigation.
fn hiding_attribute(attr: &str, value: &str) -> bool {
    match attr {
        "hidden" => true,
        "aria-hidden" => value.eq_ignore_ascii_case("true"),
        "role" => value.eq_ignore_ascii_case("navigation"),
        "class" | "id" => value.split_ascii_whitespace().any(|t| {
            let t = t.to_ascii_lowercase();
            let t = t.as_str();
            t == "nav"
                || t.starts_with("nav-")
                || t.starts_with("nav_")
                || t.starts_with("navbar")
                || t.starts_with("navigation")
                || t.ends_with("-nav")
                || t.ends_with("_nav")
                || t == "docnav"
                || t.starts_with("breadcrumb")
                || t == "menu"
                || t.starts_with("menu-")
                || t.ends_with("-menu")
                || t == "skip-link"
                || t == "skiplink"
                || t == "share"
                || t.starts_with("share-")
                || t.starts_with("sharing")
                || t.ends_with("-share")
        }),
        _ => false,
    }
}

/// Start and end (after `>`) of the end tag `</name>` from `from`.
fn find_end_tag(b: &[u8], from: usize, name: &str) -> Option<(usize, usize)> {
    let mut p = from;
    while let Some(s) = memchr(b'<', b, p) {
        if b.get(s + 1) == Some(&b'/') && name_at(b, s + 2, name) {
            let e = memchr(b'>', b, s).map_or(b.len(), |e| e + 1);
            return Some((s, e));
        }
        p = s + 1;
    }
    None
}

/// The position after the end tag that closes an element `name` opened
/// just before `from`, counting nested elements of the same name.
fn matching_end(b: &[u8], from: usize, name: &str) -> Option<usize> {
    let mut depth = 1usize;
    let mut p = from;
    while let Some(s) = memchr(b'<', b, p) {
        if b.get(s + 1) == Some(&b'/') {
            if name_at(b, s + 2, name) {
                depth -= 1;
                if depth == 0 {
                    return Some(memchr(b'>', b, s).map_or(b.len(), |e| e + 1));
                }
            }
        } else if name_at(b, s + 1, name) {
            // `<nav/>` does not open anything.
            let e = memchr(b'>', b, s).unwrap_or(b.len());
            if e == 0 || b[e - 1] != b'/' {
                depth += 1;
            }
        }
        p = s + 1;
    }
    None
}

/// Whether the tag name at `p` is `name` (case-insensitive, whole name).
fn name_at(b: &[u8], p: usize, name: &str) -> bool {
    let n = name.len();
    p + n <= b.len()
        && b[p..p + n].eq_ignore_ascii_case(name.as_bytes())
        && !b
            .get(p + n)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b':')
}

fn memchr(c: u8, b: &[u8], from: usize) -> Option<usize> {
    b.get(from..)?
        .iter()
        .position(|&x| x == c)
        .map(|p| p + from)
}

fn find(b: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(pat.len())
        .position(|w| w == pat)
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_become_lines_inline_text_flows() {
        let p = to_text(
            "<html><head><title>The  page &amp; more</title><style>p{color:red}</style></head>\
             <body><h1>Heavy rain</h1>\n<p>The river <b>rose</b> by\n two metres.</p>\
             <p>Schools<br>closed.</p><ul><li>One</li><li>Two</li></ul></body></html>",
        );
        assert_eq!(
            p.text,
            "Heavy rain\nThe river rose by two metres.\nSchools\nclosed.\nOne\nTwo"
        );
        assert_eq!(p.title.as_deref(), Some("The page & more"));
    }

    #[test]
    fn drops_scripts_navigation_and_hidden_elements() {
        let p = to_text(
            "<body><script>var a = '<p>no</p>';</script><nav><a>Home</a> <a>News</a></nav>\
             <div class=\"top navbar\"><a>Sport</a></div><ul class=\"docnav\"><li>Prev</li></ul>\
             <div hidden>secret</div><span aria-hidden=\"true\">icon</span>\
             <p>Body text.</p><!-- <p>comment</p> --><noscript>enable js</noscript>\
             <img alt=\"Product Site\" src=\"x.png\"></body>",
        );
        assert_eq!(p.text, "Body text.");
    }

    #[test]
    fn unclosed_dropped_element_loses_no_text() {
        let p = to_text("<div><nav>Home</div><p>Story.</p>");
        assert_eq!(p.text, "Home\nStory.");
    }

    #[test]
    fn decodes_every_entity() {
        let p = to_text(
            "<p>caf&eacute; &ndash; &#8220;quoted&#x201D; &hellip; &frac12; &NotEqualTilde; \
             &#150; &nbsp;x &lt;tag&gt; AT&amp;T &unknown;</p>",
        );
        assert_eq!(
            p.text,
            "café – “quoted” … ½ \u{2242}\u{338} – \u{A0}x <tag> AT&T &unknown;"
        );
    }

    #[test]
    fn pre_keeps_line_breaks_tables_separate_cells() {
        let p = to_text(
            "<p>Run:</p><pre># apt update\n# apt upgrade</pre><table><tr><td>a</td><td>b</td></tr>\
             <tr><td>c</td><td>d</td></tr></table>",
        );
        assert_eq!(p.text, "Run:\n# apt update\n# apt upgrade\na\tb\nc\td");
    }

    #[test]
    fn stray_angle_brackets_are_text() {
        let p = to_text("<p>if a < b and c > d</p><p>x <3 y</p>");
        assert_eq!(p.text, "if a < b and c > d\nx <3 y");
    }

    #[test]
    fn rtl_and_cjk_pages() {
        let p = to_text(
            "<html dir=\"rtl\"><body><div class=\"para\">مرحبا <code>apt</code> بالعالم</div>\
             <div class=\"para\">第二段。</div></body></html>",
        );
        assert_eq!(p.text, "مرحبا apt بالعالم\n第二段。");
    }
}
