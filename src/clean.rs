//! Boilerplate line removal by rules.
//!
//! A rules file (`configs/boilerplate.toml`) lists named rules, each with
//! language tags and phrases or patterns. All rules are compiled into one
//! `RegexSet`, so each line is matched once against every rule, whatever
//! their number. A line (a paragraph of the normalized text) is removed when
//! a rule matches it and it is no longer than the rule's `max_chars`. Rule
//! kinds:
//! - `line`: the whole line is one of the phrases, optionally followed by
//!   trailing punctuation (`:`, `.`, `-`, `|`, `»`);
//! - `prefix`: the line starts with a phrase (then anything, e.g. "Source:
//!   Reuters", "Read more: <headline>");
//! - `suffix`: the line ends with a phrase (image captions ending in
//!   "(Getty)");
//! - `regex`: any of the patterns matches (write `^...$` for whole lines).
//!
//! Phrases match case-insensitively. Removed lines are counted per rule.
//! Guarantee: only whole lines are removed; the remaining lines keep their
//! text and order exactly.

use std::path::Path;

use regex::RegexSet;
use serde::Deserialize;

use crate::error::Error;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    rule: Vec<RuleSpec>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Line,
    Prefix,
    Suffix,
    Regex,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    name: String,
    /// Language tags the phrases belong to (documentation and reporting;
    /// rules apply to every document, since boilerplate is often in another
    /// language than the article).
    #[serde(default)]
    langs: Vec<String>,
    kind: Kind,
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    patterns: Vec<String>,
    /// Lines longer than this (in characters) are never removed by the rule.
    #[serde(default = "default_max_chars")]
    max_chars: usize,
}

fn default_max_chars() -> usize {
    200
}

/// Compiled boilerplate rules.
#[derive(Debug, Clone)]
pub struct Rules {
    set: RegexSet,
    names: Vec<String>,
    max_chars: Vec<usize>,
}

/// The result of cleaning one text.
#[derive(Debug, Default)]
pub struct Cleaned {
    pub text: String,
    /// `(rule index, removed line)` in document order.
    pub removed: Vec<(usize, String)>,
}

impl Rules {
    /// Load and compile a rules file; errors name the file and the rule.
    pub fn load(path: &Path) -> Result<Rules, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Rules, Error> {
        let file: RulesFile = toml::from_str(text).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            line: e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
            message: e.message().trim().to_string(),
        })?;
        let mut pats = Vec::new();
        let mut names = Vec::new();
        let mut max_chars = Vec::new();
        for r in &file.rule {
            let bad = |m: String| Error::Config {
                path: path.to_path_buf(),
                line: None,
                message: format!("rule {:?}: {m}", r.name),
            };
            let _ = &r.langs;
            let pat = match r.kind {
                Kind::Regex => {
                    if r.patterns.is_empty() {
                        return Err(bad("a regex rule needs `patterns`".into()));
                    }
                    format!("(?:{})", r.patterns.join(")|(?:"))
                }
                k => {
                    if r.phrases.is_empty() {
                        return Err(bad("needs `phrases`".into()));
                    }
                    let alts = r
                        .phrases
                        .iter()
                        .map(|p| regex::escape(p.trim()))
                        .collect::<Vec<_>>()
                        .join("|");
                    match k {
                        Kind::Line => format!(r"(?i)^(?:{alts})\s*[:：.\-–—|»·]*$"),
                        Kind::Prefix => format!(r"(?i)^(?:{alts})"),
                        Kind::Suffix => format!(r"(?i)(?:{alts})$"),
                        Kind::Regex => unreachable!(),
                    }
                }
            };
            regex::Regex::new(&pat).map_err(|e| bad(e.to_string()))?;
            pats.push(pat);
            names.push(r.name.clone());
            max_chars.push(r.max_chars);
        }
        let set = RegexSet::new(&pats).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            line: None,
            message: e.to_string(),
        })?;
        Ok(Rules {
            set,
            names,
            max_chars,
        })
    }

    /// Names of the rules, by index.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The first rule (by file order) that removes `line`, if any.
    pub fn matching_rule(&self, line: &str) -> Option<usize> {
        let n = line.chars().count();
        self.set
            .matches(line)
            .into_iter()
            .find(|&i| n <= self.max_chars[i])
    }

    /// Remove boilerplate lines from normalized text. Blank lines left
    /// doubled by a removal are folded, so the output stays normalized.
    pub fn clean(&self, text: &str) -> Cleaned {
        let mut out = String::with_capacity(text.len());
        let mut removed = Vec::new();
        let mut blank_pending = false;
        for line in text.split('\n') {
            if line.is_empty() {
                blank_pending = !out.is_empty();
                continue;
            }
            if let Some(rule) = self.matching_rule(line) {
                removed.push((rule, line.to_string()));
                continue;
            }
            if !out.is_empty() {
                out.push('\n');
                if blank_pending {
                    out.push('\n');
                }
            }
            blank_pending = false;
            out.push_str(line);
        }
        Cleaned { text: out, removed }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_rules() -> Rules {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/boilerplate.toml");
        Rules::load(&path).unwrap()
    }

    #[test]
    fn seed_article_loses_markers_and_trailer_only() {
        let rules = default_rules();
        let text = "[ad_1]\nA caption about the war. (غيتي)\nBody line one.\n\nBody line two.\n[ad_2]\nالمصدر";
        let c = rules.clean(text);
        assert_eq!(c.text, "Body line one.\n\nBody line two.");
        let names: Vec<&str> = c
            .removed
            .iter()
            .map(|(i, _)| rules.names()[*i].as_str())
            .collect();
        assert_eq!(
            names,
            [
                "ad_placeholder",
                "image_credit",
                "ad_placeholder",
                "source_trailer"
            ]
        );
    }

    #[test]
    fn long_lines_are_never_removed() {
        let rules = default_rules();
        let long = format!("Source: {}", "the ministry said that ".repeat(20));
        assert_eq!(rules.clean(&long).text, long);
    }

    #[test]
    fn rules_file_errors_name_the_rule() {
        let bad = "[[rule]]\nname = \"x\"\nkind = \"regex\"\npatterns = [\"(\"]\n";
        let e = Rules::parse(bad, Path::new("r.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("r.toml") && e.contains("\"x\""), "{e}");
    }
}
