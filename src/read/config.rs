//! The `[input]` section: where documents come from, how their fields are
//! named, their encoding, and what an unreadable file does.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Where documents come from and how their fields are named.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct InputConfig {
    /// Files or folders. A folder is walked recursively; files are read by
    /// extension (`.jsonl`, `.ndjson`, `.csv`, `.tsv`, `.parquet`,
    /// `.txt`, each optionally `.gz` or `.zst`); other files are listed in the
    /// manifest as ignored.
    pub paths: Vec<PathBuf>,
    /// Field (column) names of the input records.
    pub fields: FieldMap,
    /// Records whose text is longer than this many bytes are rejected
    /// (`too_large`) rather than processed. Default 16 MiB.
    pub max_doc_bytes: usize,
    /// Text encoding of the inputs (a WHATWG label: `utf-8`, `windows-1256`,
    /// `latin1`, `shift_jis`, ...). Invalid sequences become U+FFFD and are
    /// counted. Parquet strings are always UTF-8. UTF-16 is refused (records
    /// are split at newline bytes). Default `utf-8`.
    pub encoding: String,
    /// What a file that cannot be read at all does (truncated archive, not
    /// the format its extension says, no permission): `fail` stops the
    /// build (default); `skip` leaves the file out and lists it in the
    /// manifest's `inputs` with the reason.
    pub on_bad_file: OnBadFile,
}

/// See [`InputConfig::on_bad_file`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OnBadFile {
    #[default]
    Fail,
    Skip,
}

impl std::str::FromStr for OnBadFile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "fail" => Ok(OnBadFile::Fail),
            "skip" => Ok(OnBadFile::Skip),
            _ => Err(format!("on_bad_file is `fail` or `skip`, not {s:?}")),
        }
    }
}

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            paths: Vec::new(),
            fields: FieldMap::default(),
            max_doc_bytes: 16 << 20,
            encoding: "utf-8".into(),
            on_bad_file: OnBadFile::Fail,
        }
    }
}

/// Names of the input fields mapped onto the document's fields.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct FieldMap {
    pub id: String,
    pub text: String,
    pub title: String,
    pub url: String,
    pub date: String,
    pub source: String,
    /// A field holding an HTML page. Used when a record has no (or an
    /// empty) text field: the page is turned into text by
    /// [`crate::html::to_text`] (tags stripped, script/style/navigation
    /// dropped, block elements as line breaks, every entity decoded).
    /// Default `html`; an empty string turns it off. JSON Lines and Parquet
    /// inputs only.
    pub html: String,
}

impl Default for FieldMap {
    fn default() -> Self {
        FieldMap {
            id: "id".into(),
            text: "text".into(),
            title: "title".into(),
            url: "url".into(),
            date: "date".into(),
            source: "source".into(),
            html: "html".into(),
        }
    }
}
