//! Boilerplate line removal, by three mechanisms applied in this order to
//! the lines of normalized text:
//!
//! 1. **rules** (this file): phrases and patterns of `configs/boilerplate.toml`;
//! 2. **repeated lines** ([`repeated`]): short lines that occur in many
//!    documents of the same source, found by a counting pass over all
//!    inputs before the documents are processed;
//! 3. **navigation** ([`nav`]): menus, breadcrumbs, share bars and date
//!    lines at the start and end of what is left.
//!
//! [`clean`] runs them and reports each removed line with its mechanism;
//! [`removal_names`] lists the names under which the manifest counts them
//! (`removed_lines_by_rule`: the rules' names, then `repeated_line`,
//! `header_nav`, `footer_nav`). Guarantee: only whole lines are removed;
//! the remaining lines keep their text and order exactly.
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
//!   Reuters", "Read more: `<headline>`");
//! - `suffix`: the line ends with a phrase (image captions ending in
//!   "(Getty)");
//! - `regex`: any of the patterns matches (write `^...$` for whole lines).
//!
//! Phrases match case-insensitively. Removed lines are counted per rule.

pub mod nav;
pub mod repeated;

use std::path::{Path, PathBuf};

use regex::RegexSet;
use serde::{Deserialize, Serialize};

use crate::error::Error;
pub use nav::NavConfig;
pub use repeated::{LineCounts, RepeatedConfig, RepeatedLines};

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

/// Why a line was removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    /// The rule of this index in the rules file.
    Rule(usize),
    /// Repeated across documents of the source ([`repeated`]).
    RepeatedLine,
    /// Navigation at the start of the document ([`nav`]).
    HeaderNav,
    /// Navigation at the end of the document ([`nav`]).
    FooterNav,
}

/// Names of the built-in mechanisms, after the rules' names in
/// [`removal_names`].
pub const BUILTIN_NAMES: [&str; 3] = ["repeated_line", "header_nav", "footer_nav"];

impl Removal {
    /// Position of this mechanism in [`removal_names`] when there are
    /// `n_rules` rules.
    pub fn index(self, n_rules: usize) -> usize {
        match self {
            Removal::Rule(i) => i,
            Removal::RepeatedLine => n_rules,
            Removal::HeaderNav => n_rules + 1,
            Removal::FooterNav => n_rules + 2,
        }
    }
}

/// The names removals are counted under: every rule in file order, then
/// [`BUILTIN_NAMES`].
pub fn removal_names(rules: Option<&Rules>) -> Vec<String> {
    let mut names: Vec<String> = rules.map(|r| r.names().to_vec()).unwrap_or_default();
    names.extend(BUILTIN_NAMES.iter().map(|s| s.to_string()));
    names
}

/// The result of cleaning one text.
#[derive(Debug, Default)]
pub struct Cleaned {
    pub text: String,
    /// Removed lines with the mechanism that removed them, in document
    /// order.
    pub removed: Vec<(Removal, String)>,
}

/// Remove boilerplate lines from normalized `text` of a document of
/// `source` (its [`repeated::source_key`]): rules first, then repeated
/// lines, then navigation at both ends of what is left. Blank lines left
/// doubled by a removal are folded, so the output stays normalized.
pub fn clean(
    text: &str,
    source: &str,
    rules: Option<&Rules>,
    repeated: Option<&RepeatedLines>,
    nav: &NavConfig,
) -> Cleaned {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut why: Vec<Option<Removal>> = lines
        .iter()
        .map(|line| {
            if line.is_empty() {
                return None;
            }
            if let Some(i) = rules.and_then(|r| r.matching_rule(line)) {
                return Some(Removal::Rule(i));
            }
            repeated
                .is_some_and(|r| r.is_repeated(source, line))
                .then_some(Removal::RepeatedLine)
        })
        .collect();
    if nav.enabled {
        let left: Vec<usize> = (0..lines.len())
            .filter(|&i| !lines[i].is_empty() && why[i].is_none())
            .collect();
        let texts: Vec<&str> = left.iter().map(|&i| lines[i]).collect();
        let (head, tail) = nav::edges(&texts, nav);
        for &i in &left[..head] {
            why[i] = Some(Removal::HeaderNav);
        }
        for &i in &left[left.len() - tail..] {
            why[i] = Some(Removal::FooterNav);
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut removed = Vec::new();
    let mut blank_pending = false;
    for (line, why) in lines.iter().zip(why) {
        if line.is_empty() {
            blank_pending = !out.is_empty();
            continue;
        }
        if let Some(w) = why {
            removed.push((w, line.to_string()));
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

/// The `[clean]` section: boilerplate rules, repeated lines, navigation.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CleanConfig {
    /// Remove lines matched by the boilerplate rules. Default true.
    pub rules: bool,
    /// TOML file of boilerplate rules, replacing the built-in ones. Default:
    /// none, the rules built into the binary (the text of
    /// `configs/boilerplate.toml` in the source tree).
    pub rules_file: Option<PathBuf>,
    /// Lines repeated across many documents of one source; see
    /// [`RepeatedConfig`].
    pub repeated: RepeatedConfig,
    /// Navigation lines at the start and end of a document; see
    /// [`NavConfig`].
    pub nav: NavConfig,
    /// Keep each kept document's removed lines in the data shards'
    /// `removed_lines` column (otherwise the column is null). Default false;
    /// `corpusforge build --keep-removed-lines` sets it.
    pub keep_removed_lines: bool,
}

impl Default for CleanConfig {
    fn default() -> Self {
        CleanConfig {
            rules: true,
            rules_file: None,
            repeated: Default::default(),
            nav: Default::default(),
            keep_removed_lines: false,
        }
    }
}

/// The built-in boilerplate rules: `configs/boilerplate.toml` of the
/// source tree, compiled into the binary, so a build needs no file beside
/// it. `clean.rules_file` replaces them.
pub const BUILTIN_RULES: &str = include_str!("../../configs/boilerplate.toml");

/// The name the manifest gives the built-in rules (`boilerplate_rules.path`).
pub const BUILTIN_RULES_NAME: &str = "built-in";

/// The text of the rules a config uses: the file `clean.rules_file`, or
/// [`BUILTIN_RULES`].
pub fn rules_text(file: Option<&Path>) -> Result<std::borrow::Cow<'static, str>, Error> {
    match file {
        None => Ok(BUILTIN_RULES.into()),
        Some(p) => std::fs::read_to_string(p).map(Into::into).map_err(|e| {
            Error::config(
                p,
                format!(
                    "clean.rules_file: {e} (relative paths in a config file resolve against \
                     the config file's folder; leave the key out to use the built-in rules)"
                ),
            )
        }),
    }
}

impl Rules {
    /// The rules a config uses: `clean.rules_file`, or the built-in ones.
    pub fn from_file_or_builtin(file: Option<&Path>) -> Result<Rules, Error> {
        let text = rules_text(file)?;
        Self::parse(&text, file.unwrap_or(Path::new(BUILTIN_RULES_NAME)))
    }

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

    /// Remove the lines these rules match (and nothing else) from
    /// normalized text; see [`clean`].
    pub fn clean(&self, text: &str) -> Cleaned {
        let off = NavConfig {
            enabled: false,
            ..Default::default()
        };
        clean(text, "", Some(self), None, &off)
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
        let names = removal_names(Some(&rules));
        let names: Vec<&str> = c
            .removed
            .iter()
            .map(|(r, _)| names[r.index(rules.names().len())].as_str())
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
