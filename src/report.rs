//! `report.html`: the release's numbers as plots, in one self-contained file.
//!
//! The plot data comes from re-reading the finished data shards (columns
//! `lang`, `split`, `n_chars`, `lang_score`, `dup_count`) and from the
//! manifest's funnel, so the report shows what was written, not what the
//! pipeline believed it wrote. Plots are inline SVG written here: no
//! script, font or network access is needed to view the file. Output is a
//! pure function of the shards and the manifest (no time stamp; languages
//! sorted; numbers printed with fixed precision).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Int32Type, Int64Type};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::split::SPLITS;

/// Per-document values the plots need.
#[derive(Debug, Default)]
pub struct ReportData {
    /// (lang, split) -> (documents, characters).
    pub per_lang_split: BTreeMap<(String, String), (u64, u64)>,
    /// lang -> n_chars of every document.
    pub lengths: BTreeMap<String, Vec<i64>>,
    pub lang_scores: Vec<f32>,
    /// dup_count -> kept documents (= clusters) of that size.
    pub cluster_sizes: BTreeMap<i32, u64>,
}

/// Read the report columns of every data shard listed in the manifest.
pub fn collect(root: &Path, m: &Manifest) -> Result<ReportData> {
    let mut d = ReportData::default();
    for shard in &m.shards {
        let path = root.join(&shard.path);
        let bad = |e: parquet::errors::ParquetError| Error::output(&path, e.to_string());
        let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(bad)?;
        let names = ["lang", "split", "n_chars", "lang_score", "dup_count"];
        let schema = builder.schema().clone();
        let mut idx = Vec::new();
        for n in names {
            idx.push(
                schema
                    .index_of(n)
                    .map_err(|e| Error::output(&path, e.to_string()))?,
            );
        }
        let mask = ProjectionMask::roots(builder.parquet_schema(), idx.iter().copied());
        let reader = builder.with_projection(mask).build().map_err(bad)?;
        for batch in reader {
            let b = batch.map_err(|e| Error::output(&path, e.to_string()))?;
            let col = |n: &str| b.column(b.schema().index_of(n).expect("projected"));
            let lang = col("lang").as_string::<i32>().clone();
            let split = col("split").as_string::<i32>().clone();
            let chars = col("n_chars").as_primitive::<Int64Type>().clone();
            let score = col("lang_score").as_primitive::<Float32Type>().clone();
            let dup = col("dup_count").as_primitive::<Int32Type>().clone();
            for i in 0..b.num_rows() {
                let e = d
                    .per_lang_split
                    .entry((lang.value(i).to_string(), split.value(i).to_string()))
                    .or_insert((0, 0));
                e.0 += 1;
                e.1 += chars.value(i).max(0) as u64;
                d.lengths
                    .entry(lang.value(i).to_string())
                    .or_default()
                    .push(chars.value(i));
                d.lang_scores.push(score.value(i));
                *d.cluster_sizes.entry(dup.value(i)).or_insert(0) += 1;
            }
        }
    }
    for v in d.lengths.values_mut() {
        v.sort_unstable();
    }
    Ok(d)
}

/// Write `report.html` into the release folder.
pub fn write_report(root: &Path, m: &Manifest) -> Result<()> {
    let data = collect(root, m)?;
    let html = render(m, &data);
    let path = root.join("report.html");
    std::fs::write(&path, html).map_err(|e| Error::io(&path, e))
}

const SPLIT_COLORS: [&str; 3] = ["#4e79a7", "#f28e2b", "#59a14f"];
const BAR: &str = "#4e79a7";
const REMOVED: &str = "#e15759";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Thousands separators, for labels.
fn num(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One stacked horizontal bar per row; `segments` are (value, colour).
struct HBar {
    label: String,
    segments: Vec<(u64, &'static str)>,
    note: String,
}

fn hbars(title: &str, rows: &[HBar], legend: &[(&str, &str)]) -> String {
    let width = 1000.0;
    let left = 230.0;
    let right = 170.0;
    let row_h = 22.0;
    let top = if legend.is_empty() { 10.0 } else { 34.0 };
    let height = top + row_h * rows.len().max(1) as f64 + 10.0;
    let max = rows
        .iter()
        .map(|r| r.segments.iter().map(|s| s.0).sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let scale = (width - left - right) / max;
    let mut s = String::new();
    let _ = writeln!(s, "<h2>{}</h2>", esc(title));
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0}" viewBox="0 0 {width} {height:.0}" role="img" aria-label="{}">"#,
        esc(title)
    );
    let mut lx = left;
    for (name, color) in legend {
        let _ = writeln!(
            s,
            r#"<rect x="{lx:.1}" y="8" width="14" height="14" fill="{color}"/><text x="{:.1}" y="20">{}</text>"#,
            lx + 18.0,
            esc(name)
        );
        lx += 30.0 + 8.0 * name.len() as f64;
    }
    for (i, r) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 6.0,
            y + 15.0,
            esc(&r.label)
        );
        let mut x = left;
        for (v, color) in &r.segments {
            let w = *v as f64 * scale;
            if w > 0.0 {
                let _ = writeln!(
                    s,
                    r#"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{color}"><title>{}</title></rect>"#,
                    y + 3.0,
                    w.max(1.0),
                    row_h - 6.0,
                    num(*v)
                );
            }
            x += w;
        }
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
            x + 6.0,
            y + 15.0,
            esc(&r.note)
        );
    }
    let _ = writeln!(
        s,
        r##"<line x1="{left}" y1="{top}" x2="{left}" y2="{:.1}" stroke="#333"/>"##,
        height - 10.0
    );
    s.push_str("</svg>\n");
    s
}

/// A vertical histogram: one bar per (label, count).
fn vbars(title: &str, x_title: &str, bins: &[(String, u64)]) -> String {
    let width = 1000.0;
    let left = 70.0;
    let bottom = 60.0;
    let plot_h = 220.0;
    let top = 20.0;
    let height = top + plot_h + bottom;
    let max = bins.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64;
    let n = bins.len().max(1) as f64;
    let bw = (width - left - 20.0) / n;
    let mut s = String::new();
    let _ = writeln!(s, "<h2>{}</h2>", esc(title));
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0}" viewBox="0 0 {width} {height:.0}" role="img" aria-label="{}">"#,
        esc(title)
    );
    // Four horizontal grid lines with their counts.
    for k in 0..=4 {
        let v = max * k as f64 / 4.0;
        let y = top + plot_h - plot_h * k as f64 / 4.0;
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            width - 20.0,
            left - 6.0,
            y + 4.0,
            num(v.round() as u64)
        );
    }
    let label_every = (bins.len() / 20).max(1);
    for (i, (label, count)) in bins.iter().enumerate() {
        let h = plot_h * *count as f64 / max;
        let x = left + bw * i as f64;
        let _ = writeln!(
            s,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="{BAR}"><title>{}: {}</title></rect>"#,
            x + 1.0,
            top + plot_h - h,
            (bw - 2.0).max(1.0),
            esc(label),
            num(*count)
        );
        if i.is_multiple_of(label_every) {
            let _ = writeln!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="small">{}</text>"#,
                x + bw / 2.0,
                top + plot_h + 16.0,
                esc(label)
            );
        }
    }
    let _ = writeln!(
        s,
        r##"<line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#333"/><text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
        top + plot_h,
        width - 20.0,
        top + plot_h,
        left + (width - left - 20.0) / 2.0,
        height - 14.0,
        esc(x_title)
    );
    s.push_str("</svg>\n");
    s
}

/// Value at quantile `q` of sorted values (nearest rank).
fn quantile(sorted: &[i64], q: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Box plots of n_chars per language on a log10 axis: whiskers at the 5th
/// and 95th percentile, box from the 25th to the 75th, a line at the median,
/// dots at min and max.
fn length_boxes(lengths: &BTreeMap<String, Vec<i64>>) -> String {
    let width = 1000.0;
    let left = 230.0;
    let right = 40.0;
    let row_h = 26.0;
    let top = 10.0;
    let axis_h = 40.0;
    let height = top + row_h * lengths.len().max(1) as f64 + axis_h;
    let all_max = lengths
        .values()
        .filter_map(|v| v.last().copied())
        .max()
        .unwrap_or(10)
        .max(10);
    let hi = (all_max as f64).log10().ceil().max(1.0);
    let all_min = lengths
        .values()
        .filter_map(|v| v.first().copied())
        .min()
        .unwrap_or(1)
        .max(1);
    let lo = (all_min as f64).log10().floor().min(hi - 1.0);
    let x_of =
        |v: i64| left + (width - left - right) * (((v.max(1)) as f64).log10() - lo) / (hi - lo);
    let mut s = String::new();
    let title = "Document length (n_chars) per language";
    let _ = writeln!(s, "<h2>{title}</h2>");
    let _ = writeln!(
        s,
        r#"<p class="note">Log scale. Box: 25th–75th percentile, line: median, whiskers: 5th–95th percentile, dots: min and max.</p>"#
    );
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0}" viewBox="0 0 {width} {height:.0}" role="img" aria-label="{title}">"#
    );
    let axis_y = top + row_h * lengths.len().max(1) as f64;
    for p in (lo as i64)..=(hi as i64) {
        let v = 10i64.pow(p as u32);
        let x = x_of(v);
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{axis_y:.1}" stroke="#ddd"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            axis_y + 16.0,
            num(v as u64)
        );
    }
    for (i, (lang, v)) in lengths.iter().enumerate() {
        let y = top + row_h * i as f64;
        let mid = y + row_h / 2.0;
        let q = |p: f64| x_of(quantile(v, p));
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{} (median {})</text>"#,
            left - 6.0,
            mid + 5.0,
            esc(lang),
            num(quantile(v, 0.5).max(0) as u64)
        );
        let _ = writeln!(
            s,
            r##"<line x1="{:.1}" y1="{mid:.1}" x2="{:.1}" y2="{mid:.1}" stroke="#333"/>"##,
            q(0.05),
            q(0.95)
        );
        let _ = writeln!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{BAR}" stroke="#333"/>"##,
            q(0.25),
            y + 5.0,
            (q(0.75) - q(0.25)).max(2.0),
            row_h - 10.0
        );
        let _ = writeln!(
            s,
            r##"<line x1="{m:.1}" y1="{:.1}" x2="{m:.1}" y2="{:.1}" stroke="#fff" stroke-width="2"/>"##,
            y + 5.0,
            y + row_h - 5.0,
            m = q(0.5)
        );
        for p in [0.0, 1.0] {
            let _ = writeln!(
                s,
                r#"<circle cx="{:.1}" cy="{mid:.1}" r="3" fill="{REMOVED}"/>"#,
                q(p)
            );
        }
    }
    let _ = writeln!(
        s,
        r##"<line x1="{left}" y1="{axis_y:.1}" x2="{:.1}" y2="{axis_y:.1}" stroke="#333"/><text x="{:.1}" y="{:.1}" text-anchor="middle">characters per document</text>"##,
        width - right,
        left + (width - left - right) / 2.0,
        axis_y + 34.0
    );
    s.push_str("</svg>\n");
    s
}

/// The whole page.
pub fn render(m: &Manifest, d: &ReportData) -> String {
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<h1>{}</h1>\n<p>corpusforge {} (schema {}); config <code>{}</code> (sha256 <code>{}</code>). \
         {} input documents, {} kept, {} rejected.</p>",
        esc(&m.release.pretty_name),
        m.tool.version,
        m.tool.schema,
        esc(&m.config.path),
        m.config.sha256,
        num(m.counts.input),
        num(m.counts.kept),
        num(m.counts.rejected)
    );

    // Funnel: documents remaining after each step, removed ones in red.
    let mut rows = vec![HBar {
        label: "input".into(),
        segments: vec![(m.counts.input, BAR)],
        note: num(m.counts.input),
    }];
    for r in &m.funnel {
        rows.push(HBar {
            label: format!("{} / {}", r.stage, r.reason),
            segments: vec![(r.remaining, BAR), (r.removed, REMOVED)],
            note: format!(
                "−{} ({} chars) → {}",
                num(r.removed),
                num(r.removed_chars),
                num(r.remaining)
            ),
        });
    }
    body.push_str(&hbars(
        "Funnel: documents remaining after each stage and reason",
        &rows,
        &[("remaining", BAR), ("removed here", REMOVED)],
    ));

    let legend: Vec<(&str, &str)> = SPLITS.iter().copied().zip(SPLIT_COLORS).collect();
    let langs: Vec<&String> = d.lengths.keys().collect();
    for (title, pick) in [
        ("Documents per language and split", 0usize),
        ("Characters per language and split", 1usize),
    ] {
        let rows: Vec<HBar> = langs
            .iter()
            .map(|lang| {
                let segments: Vec<(u64, &'static str)> = SPLITS
                    .iter()
                    .zip(SPLIT_COLORS)
                    .map(|(split, color)| {
                        let v = d
                            .per_lang_split
                            .get(&(lang.to_string(), split.to_string()))
                            .map_or(0, |e| if pick == 0 { e.0 } else { e.1 });
                        (v, color)
                    })
                    .collect();
                let total: u64 = segments.iter().map(|x| x.0).sum();
                HBar {
                    label: lang.to_string(),
                    note: num(total),
                    segments,
                }
            })
            .collect();
        body.push_str(&hbars(title, &rows, &legend));
    }

    body.push_str(&length_boxes(&d.lengths));

    // lang_score in 20 bins of width 0.05.
    let mut bins = vec![0u64; 20];
    for &x in &d.lang_scores {
        let b = ((x.clamp(0.0, 1.0) * 20.0) as usize).min(19);
        bins[b] += 1;
    }
    let bins: Vec<(String, u64)> = bins
        .into_iter()
        .enumerate()
        .map(|(i, c)| (format!("{:.2}", i as f64 / 20.0), c))
        .collect();
    body.push_str(&vbars(
        "Language identification score (lang_score) of kept documents",
        "lang_score (bin start; bins of 0.05)",
        &bins,
    ));

    // Cluster sizes: one bar per size up to 10, then one for larger.
    let mut sizes: Vec<(String, u64)> = Vec::new();
    let mut larger = 0;
    for (&k, &v) in &d.cluster_sizes {
        if k <= 10 {
            sizes.push((k.to_string(), v));
        } else {
            larger += v;
        }
    }
    if larger > 0 {
        sizes.push((">10".into(), larger));
    }
    body.push_str(&vbars(
        "Near-duplicate cluster sizes (dup_count of kept documents)",
        "documents in the cluster (1 = no duplicate)",
        &sizes,
    ));

    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{} — corpusforge report</title>\n\
         <style>\nbody {{ font-family: sans-serif; margin: 24px; color: #222; background: #fff; }}\n\
         svg {{ display: block; margin-bottom: 12px; }}\nsvg text {{ font-family: sans-serif; font-size: 13px; fill: #222; }}\n\
         svg text.small {{ font-size: 11px; }}\np.note {{ color: #555; font-size: 13px; }}\nh2 {{ font-size: 17px; margin-top: 28px; }}\n\
         </style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        esc(&m.release.pretty_name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(num(0), "0");
        assert_eq!(num(999), "999");
        assert_eq!(num(1000), "1,000");
        assert_eq!(num(1234567), "1,234,567");
    }

    #[test]
    fn quantiles_of_sorted_values() {
        let v = [1, 2, 3, 4, 5];
        assert_eq!(quantile(&v, 0.0), 1);
        assert_eq!(quantile(&v, 0.5), 3);
        assert_eq!(quantile(&v, 1.0), 5);
        assert_eq!(quantile(&[], 0.5), 0);
    }

    #[test]
    fn labels_are_escaped() {
        let svg = hbars(
            "a <b>",
            &[HBar {
                label: "x&y".into(),
                segments: vec![(3, BAR)],
                note: "3".into(),
            }],
            &[],
        );
        assert!(svg.contains("a &lt;b&gt;") && svg.contains("x&amp;y"));
    }
}
