//! End-to-end tests: run the `corpusforge` binary on small inputs written
//! here, and on the sample in `datasets/sample`, and check the release.

mod util;

use std::path::Path;

use util::*;

/// A small input with one planted case of each kind.
fn planted(dir: &Path) {
    let body = "The city council approved a new budget on Tuesday after a long debate about schools, roads and public transport in the northern districts of the town.";
    std::fs::create_dir_all(dir.join("in/txt")).unwrap();
    let jsonl = format!(
        "{}\n{}\nnot json at all\n{}\n\n{}\n{}\n",
        serde_json::json!({"id": "a1", "text": format!("[ad_1]\n{body}\nSource"), "title": "Budget"}),
        serde_json::json!({"id": "a2", "text": body.to_uppercase().replace(' ', "  ")}),
        serde_json::json!({"id": "a4", "title": "no text"}),
        serde_json::json!({"id": "a5", "text": "Too short."}),
        serde_json::json!({"id": "a6", "text": "[ad_2]\nRead more\nالمصدر"}),
    );
    std::fs::write(dir.join("in/a.jsonl"), jsonl).unwrap();
    std::fs::write(
        dir.join("in/b.csv"),
        "id,title,text\nc1,T,\"Le conseil municipal a approuvé mardi un nouveau budget après un long débat sur les écoles, les routes et les transports publics de la ville.\"\nc2,T2,\n",
    )
    .unwrap();
    let mut bad = b"Das ist ein Artikel \xff\xfe ueber das Wetter in Berlin, wo es heute den ganzen Tag regnete und die Temperaturen sehr niedrig blieben.".to_vec();
    bad.push(b'\n');
    std::fs::write(dir.join("in/txt/x.txt"), bad).unwrap();
}

fn build_planted(dir: &Path, threads: &str) -> std::path::PathBuf {
    let cfg = config(dir, "");
    let out = dir.join(format!("out-{threads}"));
    run_ok(&[
        "build",
        "--config",
        cfg.to_str().unwrap(),
        "--input",
        dir.join("in").to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--threads",
        threads,
    ]);
    out
}

#[test]
fn planted_cases_end_where_they_should() {
    let tmp = tempfile::tempdir().unwrap();
    planted(tmp.path());
    let out = build_planted(tmp.path(), "2");
    let m = manifest(&out);
    let c = &m["counts"];
    assert_eq!(c["input"], 9);
    assert_eq!(c["kept"], 3);
    assert_eq!(c["rejected"], 6);
    assert_eq!(c["repaired_invalid_utf8"], 1);
    let by = &c["rejected_by_reason"];
    assert_eq!(by["malformed_json"], 1);
    assert_eq!(by["missing_text"], 2);
    assert_eq!(by["too_short"], 1);
    assert_eq!(by["exact_duplicate"], 1);
    assert_eq!(by["empty_after_clean"], 1);

    let rejected = rows(&out, "rejected");
    let find = |id: &str| rejected.iter().find(|r| r["id"].as_deref() == Some(id));
    let dup = find("a2").expect("a2 rejected");
    assert_eq!(dup["reason"].as_deref(), Some("exact_duplicate"));
    assert_eq!(dup["dup_of"].as_deref(), Some("a1"));
    assert_eq!(dup["stage"].as_deref(), Some("dedup"));
    let bad = find("a.jsonl#3").expect("malformed line has a derived id");
    assert_eq!(bad["reason"].as_deref(), Some("malformed_json"));
    assert_eq!(bad["source_line"].as_deref(), Some("3"));
    assert_eq!(bad["text"].as_deref(), Some("not json at all"));
    assert_eq!(
        find("a4").unwrap()["reason"].as_deref(),
        Some("missing_text")
    );
    assert_eq!(find("c2").unwrap()["source_line"].as_deref(), Some("3"));
    assert_eq!(find("a5").unwrap()["reason"].as_deref(), Some("too_short"));
    assert_eq!(
        find("a6").unwrap()["reason"].as_deref(),
        Some("empty_after_clean")
    );
    assert!(find("a6").unwrap()["dup_of"].is_none());

    let kept = rows(&out, "data");
    let ids: Vec<&str> = kept.iter().filter_map(|r| r["id"].as_deref()).collect();
    assert_eq!(kept.len(), 3, "{ids:?}");
    let a1 = kept
        .iter()
        .find(|r| r["id"].as_deref() == Some("a1"))
        .unwrap();
    assert!(
        a1["text"]
            .as_deref()
            .unwrap()
            .starts_with("The city council")
    );
    assert!(!a1["text"].as_deref().unwrap().contains("[ad_1]"));
    assert!(!a1["text"].as_deref().unwrap().ends_with("Source"));
    assert_eq!(a1["dup_count"].as_deref(), Some("2"));
    assert_eq!(a1["lang"].as_deref(), Some("eng_Latn"));
    let x = kept
        .iter()
        .find(|r| r["id"].as_deref() == Some("txt/x.txt"))
        .unwrap();
    assert!(x["text"].as_deref().unwrap().contains('\u{FFFD}'));
    assert!(x["source_line"].is_none());
    assert_eq!(x["lang"].as_deref(), Some("deu_Latn"));
}

#[test]
fn output_is_identical_at_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    planted(tmp.path());
    let a = tree(&build_planted(tmp.path(), "1"));
    let b = tree(&build_planted(tmp.path(), "2"));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        assert!(v == &b[k], "{k} differs between 1 and 2 threads");
    }
}

/// The sample's release: funnel adds up, shards match the manifest, and it
/// is byte-identical at 1 and 2 threads.
#[test]
fn sample_release_is_consistent_and_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let mut trees = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(format!("sample-{threads}"));
        run_ok(&[
            "build",
            "--config",
            "configs/default.toml",
            "--output",
            out.to_str().unwrap(),
            "--threads",
            threads,
        ]);
        let m = manifest(&out);
        let c = &m["counts"];
        let input = c["input"].as_u64().unwrap();
        let kept = c["kept"].as_u64().unwrap();
        let rejected = c["rejected"].as_u64().unwrap();
        assert_eq!(input, kept + rejected);
        let by_reason: u64 = c["rejected_by_reason"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(by_reason, rejected);
        let funnel_last = m["funnel"].as_array().unwrap().last().unwrap()["remaining"].as_u64();
        assert_eq!(funnel_last, Some(kept));
        let shard_rows: u64 = m["shards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["rows"].as_u64().unwrap())
            .sum();
        assert_eq!(shard_rows, kept);
        assert_eq!(rows(&out, "data").len() as u64, kept);
        assert_eq!(rows(&out, "rejected").len() as u64, rejected);
        for s in m["shards"].as_array().unwrap() {
            let bytes = std::fs::read(out.join(s["path"].as_str().unwrap())).unwrap();
            assert_eq!(bytes.len() as u64, s["bytes"].as_u64().unwrap());
            use sha2::Digest;
            let sha = sha2::Sha256::digest(&bytes);
            let hex: String = sha.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(hex, s["sha256"].as_str().unwrap());
        }
        trees.push(tree(&out));
    }
    assert_eq!(
        trees[0], trees[1],
        "sample release differs between 1 and 2 threads"
    );
}

/// The real scraped article in ../shared/seeds comes out without its ad
/// markers, caption and source trailer, with its body unchanged.
#[test]
fn seed_article_comes_out_clean() {
    let seed = root().join("../shared/seeds/news-article-ar.txt");
    if !seed.exists() {
        eprintln!("skipped: {} is absent", seed.display());
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("in")).unwrap();
    let raw = std::fs::read_to_string(&seed).unwrap();
    std::fs::write(tmp.path().join("in/seed.txt"), &raw).unwrap();
    let cfg = config(tmp.path(), "");
    let out = tmp.path().join("out");
    build_ok(&cfg, &tmp.path().join("in"), &out, &[]);
    let kept = rows(&out, "data");
    assert_eq!(kept.len(), 1);
    let lines: Vec<&str> = raw
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.first(), Some(&"[ad_1]"));
    assert_eq!(lines.last(), Some(&"المصدر"));
    // Expected: everything between the caption (line 2) and [ad_2].
    let body: Vec<&str> = lines[2..lines.len() - 2].to_vec();
    assert_eq!(kept[0]["text"].as_deref(), Some(body.join("\n").as_str()));
    assert_eq!(kept[0]["lang"].as_deref(), Some("ara_Arab"));
    let m = manifest(&out);
    assert_eq!(m["removed_lines_by_rule"]["ad_placeholder"], 2);
    assert_eq!(m["removed_lines_by_rule"]["source_trailer"], 1);
    assert_eq!(m["removed_lines_by_rule"]["image_credit"], 1);
    for builtin in ["repeated_line", "header_nav", "footer_nav"] {
        assert_eq!(m["removed_lines_by_rule"][builtin], 0, "{builtin}");
    }
    // The audit column holds exactly the four removed lines, in order.
    let audited = tmp.path().join("out-audit");
    build_ok(
        &cfg,
        &tmp.path().join("in"),
        &audited,
        &["--keep-removed-lines"],
    );
    let kept = rows(&audited, "data");
    let want = [
        lines[0],
        lines[1],
        lines[lines.len() - 2],
        lines[lines.len() - 1],
    ];
    assert_eq!(
        kept[0]["removed_lines"].as_deref(),
        Some(serde_json::to_string(&want).unwrap().as_str())
    );
    assert_eq!(kept[0]["text"].as_deref(), Some(body.join("\n").as_str()));
}

/// Every kept document of the sample with planted boilerplate (rules,
/// repeated lines, navigation) comes out as exactly its body, and its
/// `removed_lines` are exactly the planted lines, in order
/// (`tests/fixtures/sample_expected.json`, `exact_texts`).
#[test]
fn sample_planted_boilerplate_comes_out_exactly() {
    let exp: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root().join("tests/fixtures/sample_expected.json")).unwrap(),
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sample");
    run_ok(&[
        "build",
        "--config",
        "configs/default.toml",
        "--output",
        out.to_str().unwrap(),
        "--keep-removed-lines",
    ]);
    let kept = rows(&out, "data");
    let by_id = |id: &str| {
        kept.iter()
            .find(|r| r["id"].as_deref() == Some(id))
            .unwrap_or_else(|| panic!("{id} not kept"))
    };
    let cases = exp["exact_texts"].as_array().unwrap();
    assert!(cases.len() >= 40, "{} planted documents", cases.len());
    let mut by_mechanism = std::collections::BTreeMap::new();
    for b in exp["boilerplate_lines"].as_array().unwrap() {
        *by_mechanism
            .entry(b["removed_by"].as_str().unwrap())
            .or_insert(0u64) += 1;
    }
    for x in cases {
        let id = x["id"].as_str().unwrap();
        let lines: Vec<&str> = x["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        let row = by_id(id);
        assert_eq!(
            row["text"].as_deref(),
            Some(lines.join("\n").as_str()),
            "{id}"
        );
        let removed = serde_json::to_string(&x["removed"]).unwrap();
        assert_eq!(
            row["removed_lines"].as_deref(),
            Some(removed.as_str()),
            "{id}"
        );
    }
    // Documents without planted lines lose nothing.
    let planted: std::collections::BTreeSet<&str> =
        cases.iter().map(|x| x["id"].as_str().unwrap()).collect();
    for r in &kept {
        let id = r["id"].as_deref().unwrap();
        if !planted.contains(id) && !["fr-0007", "articles/hi-0005.txt"].contains(&id) {
            assert_eq!(r["removed_lines"].as_deref(), Some("[]"), "{id}");
        }
    }
    let m = manifest(&out);
    let by_rule = &m["removed_lines_by_rule"];
    // Kept documents carry all repeated and navigation lines of the sample.
    for mech in ["repeated_line", "header_nav", "footer_nav"] {
        assert_eq!(by_rule[mech], by_mechanism[mech], "{mech}");
    }
    assert_eq!(m["repeated_lines"]["lines"], 1);
    assert_eq!(m["repeated_lines"]["sampling_level"], 0);
}

/// Without the flag the audit column is present and null; the config key
/// does what the flag does.
#[test]
fn removed_lines_column_is_null_unless_kept() {
    let tmp = tempfile::tempdir().unwrap();
    planted(tmp.path());
    let out = build_planted(tmp.path(), "1");
    for r in rows(&out, "data") {
        assert!(r.contains_key("removed_lines"));
        assert_eq!(r["removed_lines"], None);
    }
    let cfg = tmp.path().join("keep.toml");
    let rules = root().join("configs/boilerplate.toml");
    std::fs::write(
        &cfg,
        format!(
            "[clean]\nrules_file = {:?}\nkeep_removed_lines = true\n\
             [filter.quality.gopher_repetition]\nenabled = false\n\
             [filter.quality.gopher_quality]\nenabled = false\n\
             [filter.quality.fineweb]\nenabled = false\n",
            rules.to_string_lossy()
        ),
    )
    .unwrap();
    let out = tmp.path().join("kept");
    build_ok(&cfg, &tmp.path().join("in"), &out, &[]);
    let a1 = rows(&out, "data")
        .into_iter()
        .find(|r| r["id"].as_deref() == Some("a1"))
        .unwrap();
    assert_eq!(
        a1["removed_lines"].as_deref(),
        Some(r#"["[ad_1]","Source"]"#)
    );
}

/// HTML records (`html` field, no `text`) become text: tags, scripts and
/// navigation gone, entities decoded, the page title as title; mojibake is
/// repaired and counted, and can be switched off.
#[test]
fn html_input_and_mojibake() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("in")).unwrap();
    let page = "<!DOCTYPE html><html><head><title>Budget &amp; schools</title>\
        <script>var x = 1;</script></head><body><nav><a href=\"/\">Home</a> | <a>News</a></nav>\
        <div class=\"breadcrumbs\">Home &gt; Local</div>\
        <h1>Council approves budget</h1><p>The council approved a new budget on Tuesday \
        after a long debate about schools, roads and public transport &ndash; the vote was close.</p>\
        <p>Parents&#8217; groups welcomed the decision.</p><footer><p>Back to top</p></footer></body></html>";
    let mojibake = "Le conseil municipal a approuvÃ© mardi un nouveau budget aprÃ¨s un long dÃ©bat sur les Ã©coles et les routes.";
    let jsonl = format!(
        "{}\n{}\n",
        serde_json::json!({"id": "h1", "html": page}),
        serde_json::json!({"id": "m1", "text": mojibake, "title": "CafÃ©"}),
    );
    std::fs::write(tmp.path().join("in/a.jsonl"), jsonl).unwrap();
    let cfg = config(tmp.path(), "");
    let out = tmp.path().join("out");
    build_ok(
        &cfg,
        &tmp.path().join("in"),
        &out,
        &["--keep-removed-lines"],
    );
    let kept = rows(&out, "data");
    let get = |id: &str| {
        kept.iter()
            .find(|r| r["id"].as_deref() == Some(id))
            .unwrap()
    };
    let h = get("h1");
    assert_eq!(
        h["text"].as_deref(),
        Some(
            "Council approves budget\nThe council approved a new budget on Tuesday after a long \
             debate about schools, roads and public transport – the vote was close.\n\
             Parents’ groups welcomed the decision."
        )
    );
    assert_eq!(h["title"].as_deref(), Some("Budget & schools"));
    assert_eq!(h["removed_lines"].as_deref(), Some(r#"["Back to top"]"#));
    let m1 = get("m1");
    assert!(m1["text"].as_deref().unwrap().contains("approuvé mardi"));
    assert_eq!(m1["title"].as_deref(), Some("Café"));
    assert_eq!(manifest(&out)["counts"]["repaired_mojibake"], 1);

    let cfg = config(tmp.path(), "[normalize]\nfix_mojibake = false\n");
    let out = tmp.path().join("out-off");
    build_ok(&cfg, &tmp.path().join("in"), &out, &[]);
    let m1 = rows(&out, "data")
        .into_iter()
        .find(|r| r["id"].as_deref() == Some("m1"))
        .unwrap();
    assert!(m1["text"].as_deref().unwrap().contains("approuvÃ©"));
    assert_eq!(manifest(&out)["counts"]["repaired_mojibake"], 0);
}

#[test]
fn bad_clean_values_are_config_errors() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("in")).unwrap();
    std::fs::write(tmp.path().join("in/a.txt"), "x").unwrap();
    for (extra, key) in [
        (
            "[clean.repeated]\nmin_share = 2.0\n",
            "clean.repeated.min_share",
        ),
        (
            "[clean.repeated]\nmin_docs = 1\n",
            "clean.repeated.min_docs",
        ),
        ("[clean.nav]\nmax_chars = 0\n", "clean.nav.max_chars"),
        (
            "[langid]\nenabled = false\nkeep = [\"eng\"]\n",
            "langid.keep",
        ),
    ] {
        let cfg = config(tmp.path(), extra);
        let o = build(&cfg, &tmp.path().join("in"), &tmp.path().join("out"), &[]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(key), "{err}");
    }
}

#[test]
fn missing_input_is_an_error_naming_it() {
    let out = run(&[
        "build",
        "--config",
        "configs/default.toml",
        "--input",
        "no/such/dir",
    ]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no/such/dir"), "{err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 1);
}

#[test]
fn unknown_config_key_is_an_error_with_line() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("bad.toml");
    std::fs::write(
        &p,
        "[input]\npaths = [\"datasets/sample\"]\n[filter]\nmin_charz = 3\n",
    )
    .unwrap();
    let out = run(&["build", "--config", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml, line 4") && err.contains("min_charz"),
        "{err}"
    );
}

#[test]
fn truncated_gzip_is_an_error_naming_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    use std::io::Write;
    for i in 0..2000 {
        writeln!(enc, "{}", serde_json::json!({"id": i, "text": format!("document number {i} with some words in it to make it long enough")})).unwrap();
    }
    let gz = enc.finish().unwrap();
    std::fs::write(dir.join("cut.jsonl.gz"), &gz[..gz.len() / 2]).unwrap();
    let cfg = config(tmp.path(), "");
    let out = build(&cfg, &dir, &tmp.path().join("out"), &[]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cut.jsonl.gz, line "), "{err}");
    assert!(!tmp.path().join("out").exists(), "no half-written release");
}

#[test]
fn a_failed_build_leaves_the_previous_release_intact() {
    let tmp = tempfile::tempdir().unwrap();
    planted(tmp.path());
    let out = build_planted(tmp.path(), "2");
    let before = tree(&out);
    std::fs::write(tmp.path().join("in/zz.jsonl.gz"), b"not gzip").unwrap();
    let cfg = config(tmp.path(), "");
    let res = build(&cfg, &tmp.path().join("in"), &out, &[]);
    assert!(!res.status.success());
    assert_eq!(tree(&out), before);
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-") || n.contains(".old-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn unreadable_file_can_be_skipped_and_is_listed() {
    let tmp = tempfile::tempdir().unwrap();
    planted(tmp.path());
    std::fs::write(tmp.path().join("in/zz.jsonl.gz"), b"not gzip at all").unwrap();
    let cfg = config(tmp.path(), "");
    let out = tmp.path().join("out");
    build_ok(
        &cfg,
        &tmp.path().join("in"),
        &out,
        &["--on-bad-file", "skip"],
    );
    let m = manifest(&out);
    assert_eq!(
        m["counts"]["input"], 9,
        "records of the skipped file are not counted"
    );
    let inputs = m["inputs"].as_array().unwrap();
    let zz = inputs.iter().find(|i| i["path"] == "zz.jsonl.gz").unwrap();
    let why = zz["skipped"].as_str().unwrap();
    assert!(
        why.contains("zz.jsonl.gz") && why.contains("line 1"),
        "{why}"
    );
    assert!(why.starts_with("zz.jsonl.gz"), "no machine path: {why}");
    assert!(
        inputs
            .iter()
            .filter(|i| i["path"] != "zz.jsonl.gz")
            .all(|i| i["skipped"].is_null())
    );
}

#[test]
fn legacy_encoding_is_decoded_and_oversized_records_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let arabic = "اجتمعت اللجنة يوم الثلاثاء لمناقشة الميزانية الجديدة لمدارس المدينة وطرقها في الأحياء الشمالية من العاصمة.";
    let (bytes, _, bad) = encoding_rs::WINDOWS_1256.encode(arabic);
    assert!(!bad);
    let mut csv = b"id,text\nw1,\"".to_vec();
    csv.extend_from_slice(&bytes);
    csv.extend_from_slice(b"\"\nw2,\"");
    csv.extend(std::iter::repeat_n(b'x', 5000));
    csv.extend_from_slice(b"\"\n");
    std::fs::write(dir.join("legacy.csv"), csv).unwrap();
    let cfg = config(
        tmp.path(),
        "[input]\nencoding = \"windows-1256\"\nmax_doc_bytes = 4000\n",
    );
    let out = tmp.path().join("out");
    build_ok(&cfg, &dir, &out, &[]);
    let kept = rows(&out, "data");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["text"].as_deref(), Some(arabic));
    assert_eq!(kept[0]["lang"].as_deref(), Some("ara_Arab"));
    let rejected = rows(&out, "rejected");
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["reason"].as_deref(), Some("too_large"));
    assert_eq!(rejected[0]["id"].as_deref(), Some("w2"));
}

#[test]
fn unknown_encoding_is_a_config_error() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(
        tmp.path(),
        "[input]\npaths = [\"datasets/sample\"]\nencoding = \"klingon\"\n",
    );
    let out = run(&["build", "--config", cfg.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("klingon"));
}

/// An English news text that passes the published quality filters.
const COUNCIL_LONG: &str = "The council met on Tuesday and the members of the board agreed that the new budget for the schools of the town should be approved. Teachers had asked for smaller classes in their letter, and parents wrote to the mayor about the state of the buildings.\nThe vote was close. Two members said that the money would be better spent on roads, but the majority wanted to act before the winter. Work on the roofs of three schools will start in November and should be finished by the spring.";

/// One sentence: too few words for Gopher quality.
const COUNCIL_SHORT: &str = "The council met on Tuesday and agreed that the budget should be approved with changes for the schools of the northern districts.";

/// A quality filter's rejection records the filter, signal, value and
/// threshold, and the funnel has one row per filter.
#[test]
fn quality_filter_rejections_form_a_ledger() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let long = COUNCIL_LONG;
    let short = COUNCIL_SHORT;
    let lines = [
        serde_json::json!({"id": "long", "text": long.trim()}),
        serde_json::json!({"id": "short", "text": short}),
    ];
    let jsonl: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(dir.join("a.jsonl"), jsonl).unwrap();
    let rules = root().join("configs/boilerplate.toml");
    let cfg = tmp.path().join("c.toml");
    std::fs::write(
        &cfg,
        format!("[clean]\nrules_file = {:?}\n", rules.to_string_lossy()),
    )
    .unwrap();
    let out = tmp.path().join("out");
    build_ok(&cfg, &dir, &out, &[]);
    let rejected = rows(&out, "rejected");
    let r = rejected
        .iter()
        .find(|r| r["id"].as_deref() == Some("short"))
        .unwrap();
    assert_eq!(r["stage"].as_deref(), Some("filter"));
    assert_eq!(r["reason"].as_deref(), Some("gopher_quality"));
    let detail = r["detail"].as_deref().unwrap();
    assert!(
        detail.contains("gopher_short_doc") && detail.contains("threshold 50"),
        "{detail}"
    );
    let m = manifest(&out);
    let funnel = m["funnel"].as_array().unwrap();
    assert!(
        funnel.iter().any(|f| f["stage"] == "filter"
            && f["reason"] == "gopher_quality"
            && f["removed"] == 1)
    );
    assert_eq!(m["counts"]["kept"], 1);
}

/// Near-duplicates name their cluster's kept document whether it comes
/// before them (`keep = "first"`) or after them (`keep = "longest"`, here
/// the last of the three), and its id is the cluster's name in both shards.
#[test]
fn duplicates_name_a_kept_document_before_or_after_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let longer = format!(
        "{COUNCIL_LONG} The mayor thanked the teachers and said that the town would publish the plans in December."
    );
    let other = "The library of the town will open a new reading room for children in the spring, and the staff said that the books for the youngest readers will be moved to the ground floor. A group of parents had asked for longer opening hours on Saturdays.";
    let lines = [
        serde_json::json!({"id": "a", "text": COUNCIL_LONG}),
        serde_json::json!({"id": "a_copy", "text": COUNCIL_LONG}),
        serde_json::json!({"id": "other", "text": other}),
        serde_json::json!({"id": "b", "text": longer}),
    ];
    let jsonl: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(dir.join("a.jsonl"), jsonl).unwrap();
    for (keep, kept_id) in [("first", "a"), ("longest", "b")] {
        let cfg = config(
            tmp.path(),
            &format!("[filter.quality]\nlanguage_table = false\n[dedup.near]\nkeep = {keep:?}\n"),
        );
        let out = tmp.path().join(format!("out-{keep}"));
        build_ok(&cfg, &dir, &out, &[]);
        run_ok(&["verify", out.to_str().unwrap()]);
        let kept = rows(&out, "data");
        let mut ids: Vec<&str> = kept.iter().filter_map(|r| r["id"].as_deref()).collect();
        ids.sort();
        let mut want = vec![kept_id, "other"];
        want.sort();
        assert_eq!(ids, want, "keep = {keep}");
        for r in &kept {
            let id = r["id"].as_deref().unwrap();
            assert_eq!(r["dup_cluster"].as_deref(), Some(id), "keep = {keep}");
            let size = if id == "other" { "1" } else { "3" };
            assert_eq!(r["dup_count"].as_deref(), Some(size), "keep = {keep}, {id}");
        }
        let rejected = rows(&out, "rejected");
        assert_eq!(rejected.len(), 2, "keep = {keep}");
        for r in &rejected {
            let id = r["id"].as_deref().unwrap();
            assert_eq!(r["stage"].as_deref(), Some("dedup"));
            assert_eq!(r["dup_of"].as_deref(), Some(kept_id), "keep = {keep}, {id}");
            assert_eq!(
                r["dup_cluster"].as_deref(),
                Some(kept_id),
                "keep = {keep}, {id}"
            );
            // An exact copy of the kept document is an exact duplicate; the
            // rest of the cluster is near.
            let exact = keep == "first" && id == "a_copy";
            let reason = if exact {
                "exact_duplicate"
            } else {
                "near_duplicate"
            };
            assert_eq!(r["reason"].as_deref(), Some(reason), "keep = {keep}, {id}");
        }
    }
}

/// `langid.after_filters`: the filters run first and only their
/// survivors are identified. Kept rows are the same as in the default
/// order; a document a filter rejects has no language; `langid.keep`
/// rejects after the filters, and the funnel lists the stages in the order
/// they ran, so its `remaining` column still ends at the kept count.
#[test]
fn language_after_the_filters_labels_only_survivors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let long = COUNCIL_LONG;
    let long2 = "The library of the town will open a new reading room for children in the spring, and the staff said that the books for the youngest readers will be moved to the ground floor. A group of parents had asked for longer opening hours on Saturdays.\nThe board agreed to the change and the money will come from the budget for the next two years. The work on the building is planned for March and the room should be ready before the start of the summer holidays in the town.";
    let short = COUNCIL_SHORT;
    let lines = [
        serde_json::json!({"id": "long", "text": long}),
        serde_json::json!({"id": "short", "text": short}),
        serde_json::json!({"id": "long2", "text": long2}),
    ];
    let jsonl: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(dir.join("a.jsonl"), jsonl).unwrap();
    let write_cfg = |name: &str, extra: &str| {
        let cfg = tmp.path().join(name);
        std::fs::write(
            &cfg,
            format!(
                "[filter.quality]\nlanguage_table = false\n[dedup.near]\nenabled = false\n{extra}"
            ),
        )
        .unwrap();
        cfg
    };
    let before = tmp.path().join("before");
    let after = tmp.path().join("after");
    build_ok(&write_cfg("b.toml", ""), &dir, &before, &[]);
    build_ok(
        &write_cfg("a.toml", "[langid]\nafter_filters = true\n"),
        &dir,
        &after,
        &[],
    );
    let kept = rows(&before, "data");
    assert_eq!(kept.len(), 2);
    assert_eq!(kept, rows(&after, "data"));
    assert!(
        kept.iter()
            .all(|r| r["lang"].as_deref() == Some("eng_Latn"))
    );
    let (rb, ra) = (rows(&before, "rejected"), rows(&after, "rejected"));
    assert_eq!(rb.len(), 1);
    assert_eq!(ra.len(), 1);
    assert_eq!(rb[0]["lang"].as_deref(), Some("eng_Latn"));
    assert_eq!(ra[0]["lang"], None);
    for key in ["id", "stage", "reason", "detail", "text"] {
        assert_eq!(rb[0][key], ra[0][key], "{key}");
    }
    assert_eq!(ra[0]["reason"].as_deref(), Some("gopher_quality"));

    // keep = ["fra"]: first the filters reject `short`, then langid the two
    // English survivors; with langid first it rejects all three. Nothing is
    // kept, so both need --allow-empty.
    let keep = "[langid]\nkeep = [\"fra\"]\n";
    build(
        &write_cfg("kb.toml", keep),
        &dir,
        &before,
        &["--allow-empty"],
    );
    let o = build(
        &write_cfg(
            "ka.toml",
            "[langid]\nafter_filters = true\nkeep = [\"fra\"]\n",
        ),
        &dir,
        &after,
        &["--allow-empty"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let reasons = |out: &Path| -> Vec<(String, String)> {
        let mut v: Vec<_> = rows(out, "rejected")
            .iter()
            .map(|r| (r["id"].clone().unwrap(), r["reason"].clone().unwrap()))
            .collect();
        v.sort();
        v
    };
    let own = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(
        reasons(&after),
        own(&[
            ("long", "lang_not_kept"),
            ("long2", "lang_not_kept"),
            ("short", "gopher_quality")
        ])
    );
    assert_eq!(
        reasons(&before),
        own(&[
            ("long", "lang_not_kept"),
            ("long2", "lang_not_kept"),
            ("short", "lang_not_kept")
        ])
    );
    let funnel: Vec<(String, u64, u64)> = manifest(&after)["funnel"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["stage"].as_str().unwrap().to_string(),
                f["removed"].as_u64().unwrap(),
                f["remaining"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        funnel,
        [("filter".to_string(), 1, 2), ("langid".to_string(), 2, 0)]
    );

    // The filters must not depend on the language.
    for extra in [
        "[langid]\nafter_filters = true\n[filter.quality]\nlanguage_table = true\n",
        "[langid]\nafter_filters = true\n[filter.quality.per_language.deu]\nmin_doc_words = 20\n",
    ] {
        let cfg = tmp.path().join("bad.toml");
        std::fs::write(&cfg, extra).unwrap();
        let o = build(&cfg, &dir, &tmp.path().join("bad"), &[]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("langid.after_filters"), "{err}");
    }
}

/// A fresh build verifies; one flipped byte in a shard, an edited count in
/// the manifest and a stray file each fail with exit code 5 and a line
/// naming the file.
#[test]
fn verify_accepts_a_fresh_build_and_names_what_is_wrong() {
    let tmp = tempfile::tempdir().unwrap();
    planted(tmp.path());
    let out = build_planted(tmp.path(), "1");
    let rel = out.to_str().unwrap();
    let ok = run(&["verify", rel]);
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    assert!(String::from_utf8_lossy(&ok.stdout).starts_with("ok: "));

    let m = manifest(&out);
    let shard = m["shards"][0]["path"].as_str().unwrap().to_string();
    let shard_path = out.join(&shard);
    let original = std::fs::read(&shard_path).unwrap();
    let mut flipped = original.clone();
    flipped[original.len() / 2] ^= 0x01;
    std::fs::write(&shard_path, &flipped).unwrap();
    let bad = run(&["verify", rel]);
    assert_eq!(bad.status.code(), Some(5));
    let text = String::from_utf8_lossy(&bad.stdout).into_owned();
    assert!(
        text.lines()
            .any(|l| l.starts_with(&format!("{shard}: sha256 mismatch (manifest "))),
        "{text}"
    );
    std::fs::write(&shard_path, &original).unwrap();

    let manifest_path = out.join("manifest.json");
    let good_manifest = std::fs::read_to_string(&manifest_path).unwrap();
    let mut edited: serde_json::Value = serde_json::from_str(&good_manifest).unwrap();
    let kept = edited["counts"]["kept"].as_u64().unwrap();
    edited["counts"]["kept"] = (kept + 1).into();
    std::fs::write(&manifest_path, serde_json::to_string(&edited).unwrap()).unwrap();
    let bad = run(&["verify", rel]);
    assert_eq!(bad.status.code(), Some(5));
    let text = String::from_utf8_lossy(&bad.stdout).into_owned();
    assert!(text.contains("manifest.json: counts.input"), "{text}");
    assert!(
        text.lines().all(|l| l.starts_with("manifest.json: ")),
        "{text}"
    );
    std::fs::write(&manifest_path, &good_manifest).unwrap();

    // A data shard copied under another split: its rows carry the wrong
    // split, its ids appear twice, the per-language counts are off.
    let mut edited: serde_json::Value = serde_json::from_str(&good_manifest).unwrap();
    let mut copy = edited["shards"][0].clone();
    let other = if copy["split"] == "test" {
        "train"
    } else {
        "test"
    };
    let lang = copy["lang"].as_str().unwrap().to_string();
    let copy_rel = format!("data/{lang}/copy-00000-of-00001.parquet");
    std::fs::copy(&shard_path, out.join(&copy_rel)).unwrap();
    copy["path"] = copy_rel.clone().into();
    copy["split"] = other.into();
    edited["shards"].as_array_mut().unwrap().push(copy);
    std::fs::write(&manifest_path, serde_json::to_string(&edited).unwrap()).unwrap();
    let bad = run(&["verify", rel]);
    assert_eq!(bad.status.code(), Some(5));
    let text = String::from_utf8_lossy(&bad.stdout).into_owned();
    for want in [
        format!("{copy_rel}: 1 rows whose split is not {other}"),
        format!("{copy_rel}: id "),
        format!("manifest.json: languages.{lang}.{other} is 0, the shards hold 1 rows"),
    ] {
        assert!(text.lines().any(|l| l.starts_with(&want)), "{want}\n{text}");
    }
    std::fs::remove_file(out.join(&copy_rel)).unwrap();
    std::fs::write(&manifest_path, &good_manifest).unwrap();

    std::fs::write(out.join("data/extra.parquet"), b"x").unwrap();
    let bad = run(&["verify", rel]);
    assert_eq!(bad.status.code(), Some(5));
    assert_eq!(
        String::from_utf8_lossy(&bad.stdout).trim(),
        "data/extra.parquet: not listed in manifest.json"
    );
}

/// The card parses as front matter with the [release] values, the report is
/// one self-contained file with an SVG per plot, and both are the same at
/// one and two threads (checked by the byte comparison test as well).
#[test]
fn card_and_report_describe_the_release() {
    let tmp = tempfile::tempdir().unwrap();
    planted(tmp.path());
    let cfg = config(
        tmp.path(),
        "[release]\nname = \"planted\"\npretty_name = \"Planted: cases\"\nlicense = \"cc-by-4.0\"\ndescription = \"One case of each kind.\"",
    );
    let out = tmp.path().join("rel");
    build_ok(&cfg, &tmp.path().join("in"), &out, &[]);
    let card = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(card.starts_with("---\npretty_name: \"Planted: cases\"\nlicense: \"cc-by-4.0\"\n"));
    assert!(card.contains("- config_name: all\n"));
    assert!(card.contains("\n# Planted: cases\n\nOne case of each kind.\n"));
    assert!(card.contains("| stage | reason | removed documents | removed characters |"));
    assert!(
        card.contains("[release]\nname = \"planted\""),
        "config verbatim"
    );
    assert!(card.contains("corpusforge verify"));
    let m = manifest(&out);
    for row in m["funnel"].as_array().unwrap() {
        assert!(row["removed_chars"].is_u64());
    }
    assert_eq!(m["release"]["license"], "cc-by-4.0");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(
        html.matches("<svg ").count(),
        6,
        "funnel, docs, chars, lengths, score, clusters"
    );
    for banned in ["<script", "http://", "https://", "@import", "<link"] {
        let outside_svg_ns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assert!(!outside_svg_ns.contains(banned), "report contains {banned}");
    }
    let f = std::fs::File::open(out.join(m["shards"][0]["path"].as_str().unwrap())).unwrap();
    let r = parquet::file::reader::SerializedFileReader::new(f).unwrap();
    let kv = parquet::file::reader::FileReader::metadata(&r)
        .file_metadata()
        .key_value_metadata()
        .cloned()
        .unwrap();
    assert!(
        kv.iter()
            .any(|k| k.key == "corpusforge.schema" && k.value.as_deref() == Some("2"))
    );
}

#[test]
fn inspect_prints_tables_samples_and_clusters() {
    let tmp = tempfile::tempdir().unwrap();
    planted(tmp.path());
    let out = build_planted(tmp.path(), "1");
    let rel = out.to_str().unwrap();
    let o = run(&["inspect", rel]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(text.contains("9 input, 3 kept, 6 rejected"), "{text}");
    assert!(text.contains("exact_duplicate"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("eng_Latn ")), "{text}");

    let o = run(&["inspect", rel, "--sample", "5", "--lang", "eng_Latn"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(text.contains("== a1 "), "{text}");
    assert!(text.contains("title: Budget"), "{text}");

    // a2 is an exact duplicate of a1: the cluster id is the kept id.
    let o = run(&["inspect", rel, "--cluster", "a1"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].starts_with("kept (2 in cluster)  a1"), "{text}");
    assert!(lines[2].starts_with("exact_duplicate"), "{text}");
    assert!(lines[2].contains("1.000"), "{text}");

    // An unknown cluster is a usage error (exit 2).
    let o = run(&["inspect", rel, "--cluster", "nope"]);
    assert_eq!(o.status.code(), Some(2));
}

/// Mojibake repair on real multilingual articles (../shared/corpora): the
/// same texts decoded as Windows-1252 are restored exactly, and the texts
/// as they are stay untouched.
#[test]
fn mojibake_repair_round_trips_real_articles() {
    use std::io::BufRead;
    let dir = root().join("../shared/corpora/news_articles");
    if !dir.exists() {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    }
    let (mut n, mut restored, mut untouched) = (0, 0, 0);
    // 1,500 articles of each file: MasakhaNEWS (Latin script, Amharic) and
    // SaudiNewsNet (Arabic).
    for i in 0..4 {
        let path = dir.join(format!("news-{i:05}.jsonl.gz"));
        let f = flate2::read::MultiGzDecoder::new(std::fs::File::open(&path).unwrap());
        for line in std::io::BufReader::new(f).lines().take(1500) {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            let Some(text) = v["text"].as_str().filter(|t| !t.is_empty()) else {
                continue;
            };
            n += 1;
            let (broken, _, _) = encoding_rs::WINDOWS_1252.decode(text.as_bytes());
            let fixed = corpusforge::normalize::fix_mojibake(&broken).map(|(t, _)| t);
            restored += (fixed.as_deref().unwrap_or(&broken) == text) as u32;
            untouched += corpusforge::normalize::fix_mojibake(text).is_none() as u32;
        }
    }
    eprintln!("{n} articles: {restored} restored exactly, {untouched} correct texts untouched");
    assert!(n > 5000);
    assert!(restored as f64 >= 0.995 * n as f64, "{restored} of {n}");
    assert_eq!(untouched, n);
}

/// The ASCII fast path of UAX #29 word boundaries (`filter::wordbreak`)
/// yields the general segmenter's pieces on every text of the real
/// multilingual sets (../shared/corpora: news in Latin script, Amharic and
/// Arabic; language-identification sets in over a hundred languages).
#[test]
fn word_bounds_match_the_reference_on_real_texts() {
    use std::io::BufRead;
    let dir = root().join("../shared/corpora");
    if !dir.exists() {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    }
    let mut files = Vec::new();
    for set in [
        "news_articles",
        "langid_tatoeba112",
        "langid_udhr2",
        "langid_dli32",
    ] {
        let Ok(rd) = std::fs::read_dir(dir.join(set)) else {
            continue;
        };
        files.extend(
            rd.map(|e| e.unwrap().path())
                .filter(|p| p.to_string_lossy().ends_with(".jsonl.gz")),
        );
    }
    files.sort();
    let (mut n, mut bytes) = (0usize, 0usize);
    for path in &files {
        let f = flate2::read::MultiGzDecoder::new(std::fs::File::open(path).unwrap());
        for line in std::io::BufReader::new(f).lines() {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            if let Some(text) = v["text"].as_str() {
                corpusforge::fuzzing::check_word_bounds(text);
                n += 1;
                bytes += text.len();
            }
        }
    }
    eprintln!("{n} texts ({bytes} bytes) of {} files", files.len());
    assert!(n > 10_000, "only {n} texts");
}

/// `langid.enabled = false`: no identifier runs, every document is
/// `und_<Script>` with score 0, the manifest says so, and the funnel still
/// adds up.
#[test]
fn language_identification_can_be_switched_off() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let docs = [
        "The committee met on Tuesday to discuss the budget for the coming year and agreed on most points.",
        "Комитет собрался во вторник, чтобы обсудить бюджет на следующий год, и согласился по большинству пунктов.",
        "اجتمعت اللجنة يوم الثلاثاء لمناقشة ميزانية العام المقبل واتفقت على معظم النقاط المطروحة.",
    ];
    let lines: Vec<String> = docs
        .iter()
        .enumerate()
        .map(|(i, t)| serde_json::json!({"id": format!("d{i}"), "text": t}).to_string())
        .collect();
    std::fs::write(input.join("a.jsonl"), lines.join("\n")).unwrap();
    let cfg = config(
        tmp.path(),
        "[langid]\nenabled = false\n[filter]\nmin_words = 1\nmin_chars = 1\n",
    );
    let out = tmp.path().join("out");
    let o = build(&cfg, &input, &out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["langid"]["backend"], "none");
    let langs: Vec<&str> = m["languages"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(langs, ["und_Arab", "und_Cyrl", "und_Latn"]);
    assert_eq!(m["counts"]["input"], 3);
    assert_eq!(m["counts"]["kept"], 3);
}
