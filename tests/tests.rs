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
    run_ok(&[
        "build",
        "--config",
        cfg.to_str().unwrap(),
        "--input",
        tmp.path().join("in").to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
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
    let out = run(&[
        "build",
        "--config",
        cfg.to_str().unwrap(),
        "--input",
        dir.to_str().unwrap(),
        "--output",
        tmp.path().join("out").to_str().unwrap(),
    ]);
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
    let res = run(&[
        "build",
        "--config",
        cfg.to_str().unwrap(),
        "--input",
        tmp.path().join("in").to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
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
    run_ok(&[
        "build",
        "--config",
        cfg.to_str().unwrap(),
        "--input",
        tmp.path().join("in").to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--on-bad-file",
        "skip",
    ]);
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
    run_ok(&[
        "build",
        "--config",
        cfg.to_str().unwrap(),
        "--input",
        dir.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
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

/// A quality filter's rejection records the filter, signal, value and
/// threshold, and the funnel has one row per filter.
#[test]
fn quality_filter_rejections_form_a_ledger() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let long = "The council met on Tuesday and the members of the board agreed that the new budget for the schools of the town should be approved. Teachers had asked for smaller classes in their letter, and parents wrote to the mayor about the state of the buildings.\nThe vote was close. Two members said that the money would be better spent on roads, but the majority wanted to act before the winter. Work on the roofs of three schools will start in November and should be finished by the spring.";
    let short = "The council met on Tuesday and agreed that the budget should be approved with changes for the schools of the northern districts.";
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
    run_ok(&[
        "build",
        "--config",
        cfg.to_str().unwrap(),
        "--input",
        dir.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
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
