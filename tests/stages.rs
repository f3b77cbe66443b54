//! The task-based build: stages run as separate processes, with any number
//! of tasks, give the local build's bytes; an interrupted build resumed
//! with `--resume` ends byte-identical to an uninterrupted one; a changed
//! input or config invalidates exactly what depends on it.

mod util;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use util::{build_args, build_ok, config, root, run, run_ok, tree};

/// configs/default.toml with its release written to `out`.
fn sample_config(dir: &Path, out: &Path) -> PathBuf {
    // Its relative paths resolve against its folder: name the sample's
    // folder absolutely in the copy.
    let text = std::fs::read_to_string(root().join("configs/default.toml")).unwrap();
    let sample = root().join("datasets/sample");
    let patched = text
        .replace(
            "dir = \"../out/sample\"",
            &format!("dir = {:?}", out.to_string_lossy()),
        )
        .replace(
            "paths = [\"../datasets/sample\"]",
            &format!("paths = [{:?}]", sample.to_string_lossy()),
        );
    assert_eq!(
        patched.matches(&*out.to_string_lossy()).count()
            + patched.matches(&*sample.to_string_lossy()).count(),
        2,
        "configs/default.toml names ../out/sample and ../datasets/sample"
    );
    let p = dir.join("sample.toml");
    std::fs::write(&p, patched).unwrap();
    p
}

fn stage(cfg: &Path, work: &Path, name: &str, task: usize, tasks: usize) {
    run_ok(&[
        "stage",
        name,
        "--task",
        &task.to_string(),
        "--tasks",
        &tasks.to_string(),
        "--workdir",
        work.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ]);
}

/// Run every stage as separate processes with `n` tasks per multi-task
/// stage, the tasks of a stage in reverse order (order must not matter).
fn build_by_tasks(cfg: &Path, work: &Path, n: usize) {
    for s in corpusforge::stages::StageName::ALL {
        let (name, multi) = (s.as_str(), s.splittable());
        let tasks = if multi { n } else { 1 };
        for t in (0..tasks).rev() {
            stage(cfg, work, name, t, tasks);
        }
    }
}

#[test]
fn tasks_give_the_local_release_whatever_their_number() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("release");
    let cfg = sample_config(tmp.path(), &out);
    run_ok(&["build", "--config", cfg.to_str().unwrap(), "--quiet"]);
    let local = tree(&out);
    assert!(local.contains_key("manifest.json"));
    assert!(
        !tmp.path().join(".release.work").exists(),
        "the default work dir is removed after a successful build"
    );
    for n in [1, 2, 4] {
        std::fs::remove_dir_all(&out).unwrap();
        let work = tmp.path().join(format!("work-{n}"));
        build_by_tasks(&cfg, &work, n);
        let got = tree(&out);
        assert_eq!(
            local.keys().collect::<Vec<_>>(),
            got.keys().collect::<Vec<_>>(),
            "files differ with {n} tasks"
        );
        for (k, v) in &local {
            assert!(v == &got[k], "{k} differs with {n} tasks per stage");
        }
        // Rerunning a finished task is a no-op that succeeds.
        stage(&cfg, &work, "process", 0, n);
    }
}

#[test]
fn a_stage_refuses_to_run_before_its_inputs_exist() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("release");
    let cfg = sample_config(tmp.path(), &out);
    let work = tmp.path().join("work");
    let fails = |args: &[&str]| -> String {
        let mut all = vec!["stage"];
        all.extend_from_slice(args);
        all.extend([
            "--workdir",
            work.to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
        ]);
        let o = run(&all);
        assert!(!o.status.success(), "{args:?} succeeded");
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let err = fails(&["write"]);
    assert!(
        err.contains("have not been counted") && err.contains("run stage `lines` first"),
        "{err}"
    );
    let err = fails(&["cluster", "--tasks", "2"]);
    assert!(err.contains("runs as one task"), "{err}");
    let err = fails(&["dedupe"]);
    assert!(err.contains("unknown stage `dedupe`"), "{err}");
    assert!(!out.exists());
}

/// A corpus big enough for a build to take a noticeable time: `files`
/// JSONL files of `per_file` documents drawn from a fixed vocabulary, one
/// in ten a light edit of an earlier one.
fn synthetic(dir: &Path, files: usize, per_file: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let syll = [
        "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "po", "da", "fu", "gi", "ha", "je",
    ];
    let mut state = 0x2545F4914F6CDD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let vocab: Vec<String> = (0..600)
        .map(|_| {
            let n = 2 + (next() % 3) as usize;
            (0..n).map(|_| syll[(next() % 15) as usize]).collect()
        })
        .collect();
    let mut docs: Vec<String> = Vec::new();
    for f in 0..files {
        let mut out = String::new();
        for d in 0..per_file {
            let text = if docs.len() > 10 && next() % 10 == 0 {
                let base = &docs[(next() % docs.len() as u64) as usize];
                format!("{base} {}.", vocab[(next() % 600) as usize])
            } else {
                let sentences = 4 + next() % 8;
                (0..sentences)
                    .map(|_| {
                        let words = 6 + next() % 12;
                        let s: Vec<&str> = (0..words)
                            .map(|_| vocab[(next() % 600) as usize].as_str())
                            .collect();
                        format!("{}.", s.join(" "))
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            docs.push(text.clone());
            out.push_str(&serde_json::json!({"id": format!("f{f}-{d}"), "text": text}).to_string());
            out.push('\n');
        }
        std::fs::write(dir.join(format!("part-{f:03}.jsonl")), out).unwrap();
    }
}

/// Start a build with `--resume`, kill it with SIGKILL after `delay`;
/// true if it was still running then.
fn build_and_kill(cfg: &Path, input: &Path, out: &Path, delay: Duration) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_corpusforge"))
        .args(build_args(cfg, input, out, &["--quiet", "--resume"]))
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while start.elapsed() < delay {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    true
}

#[test]
fn killed_builds_resume_to_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    synthetic(&input, 12, 1500);
    let cfg = config(tmp.path(), "");
    let clean = tmp.path().join("clean");
    let t0 = Instant::now();
    build_ok(&cfg, &input, &clean, &["--quiet"]);
    let took = t0.elapsed();
    let expected = tree(&clean);

    let seed = std::env::var("CORPUSFORGE_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    println!(
        "kill points from seed {seed} (set CORPUSFORGE_KILL_SEED to replay); clean build took {took:?}"
    );
    let mut state = seed | 1;
    let mut killed_mid_run = 0;
    // Most input files found finished after a kill (what a resume reuses).
    let mut files_left_done = 0;
    for round in 0..5 {
        let out = tmp.path().join(format!("out-{round}"));
        // One to three kills at random points, each followed by a resume.
        let kills = 1 + round % 3;
        for _ in 0..kills {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let frac = (state % 1000) as f64 / 1000.0;
            let delay = took.mul_f64(0.05 + 0.9 * frac);
            if build_and_kill(&cfg, &input, &out, delay) {
                killed_mid_run += 1;
                let done = std::fs::read_dir(tmp.path().join(format!(".out-{round}.work/process")))
                    .map(|d| {
                        d.flatten()
                            .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
                            .count()
                    })
                    .unwrap_or(0);
                files_left_done = files_left_done.max(done);
            }
            // A killed build never leaves a partial release.
            if out.exists() {
                let got = tree(&out);
                assert_eq!(
                    got, expected,
                    "round {round}: a release exists but is not whole"
                );
            }
        }
        build_ok(&cfg, &input, &out, &["--quiet", "--resume"]);
        let got = tree(&out);
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "round {round}: files differ"
        );
        for (k, v) in &expected {
            assert!(
                v == &got[k],
                "round {round}: {k} differs after kill + resume"
            );
        }
        assert!(
            !tmp.path().join(format!(".out-{round}.work")).exists(),
            "the work dir is removed after the resumed build succeeds"
        );
    }
    assert!(
        killed_mid_run >= 3,
        "only {killed_mid_run} of the kills hit a running build"
    );
    println!("{killed_mid_run} kills mid-run; up to {files_left_done} of 12 files were found done");
    assert!(
        files_left_done > 0,
        "no kill left finished work to resume from"
    );
}

#[test]
fn resume_redoes_what_a_changed_input_or_config_invalidates() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    synthetic(&input, 4, 200);
    let cfg = config(tmp.path(), "");
    let work = tmp.path().join("work");
    let out = tmp.path().join("out");
    let w = work.to_str().unwrap();
    build_ok(&cfg, &input, &out, &["--quiet", "--workdir", w]);
    assert!(
        work.join("process/file-000000.json").exists(),
        "an explicit work dir is kept"
    );

    // Change one input file: the resumed build equals a clean build.
    let f = input.join("part-002.jsonl");
    let mut text = std::fs::read_to_string(&f).unwrap();
    text.push_str("{\"id\":\"added\",\"text\":\"A new document that was not there before.\"}\n");
    std::fs::write(&f, text).unwrap();
    build_ok(&cfg, &input, &out, &["--quiet", "--resume", "--workdir", w]);
    let clean = tmp.path().join("clean");
    build_ok(&cfg, &input, &clean, &["--quiet"]);
    assert_eq!(tree(&out), tree(&clean));
    let m = util::manifest(&out);
    assert_eq!(m["counts"]["input"], 801);

    // Change the config (split seed): the same.
    let cfg2 = config(tmp.path(), "[split]\nseed = 7\n");
    build_ok(
        &cfg2,
        &input,
        &out,
        &["--quiet", "--resume", "--workdir", w],
    );
    build_ok(&cfg2, &input, &clean, &["--quiet"]);
    assert_eq!(tree(&out), tree(&clean));
}

/// The sample's config under `dir` and its work directory, every stage
/// run as one task: (config, work directory).
fn sample_work(dir: &Path) -> (PathBuf, PathBuf) {
    let cfg = sample_config(dir, &dir.join("release"));
    let work = dir.join("work");
    build_by_tasks(&cfg, &work, 1);
    (cfg, work)
}

/// Runs stage `write` again on `work` after `damaged` was changed: it must
/// fail with an error naming that file and saying `needle`, not panic.
fn write_stage_fails(cfg: &Path, work: &Path, damaged: &Path, what: &str, needle: &str) {
    std::fs::remove_dir_all(work.join("write")).unwrap();
    let o = run(&[
        "stage",
        "write",
        "--workdir",
        work.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(
        !o.status.success(),
        "write read a {what} {}",
        damaged.display()
    );
    assert!(
        err.contains(&damaged.display().to_string()) && err.contains(needle),
        "{what}: {err}"
    );
    assert!(!err.contains("panicked"), "{what}: {err}");
}

#[test]
fn a_damaged_spill_is_an_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (cfg, work) = sample_work(tmp.path());
    let spill = work.join("process/file-000000.spill.zst");
    let bytes = std::fs::read(&spill).unwrap();
    let write_fails =
        |what: &str| write_stage_fails(&cfg, &work, &spill, what, "work file unreadable");
    std::fs::write(&spill, &bytes[..bytes.len() / 2]).unwrap();
    write_fails("truncated");
    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x10;
    std::fs::write(&spill, &flipped).unwrap();
    write_fails("changed");
    std::fs::write(&spill, zstd::encode_all(&b"{\"doc\":{}}\n"[..], 1).unwrap()).unwrap();
    write_fails("JSON (older format)");
}

/// `write` reads the dedup decisions as it goes; a decisions file of the
/// wrong size (an older format, a truncated copy) or naming a candidate
/// that does not exist is an error naming the file, not a panic or a
/// wrong release.
#[test]
fn damaged_dedup_decisions_are_an_error_naming_them() {
    let tmp = tempfile::tempdir().unwrap();
    let (cfg, work) = sample_work(tmp.path());
    let path = work.join("cluster/decisions.bin");
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        bytes.len() >= 2 * 29 && bytes.len().is_multiple_of(29),
        "{}",
        bytes.len()
    );
    let write_fails =
        |what: &str, needle: &str| write_stage_fails(&cfg, &work, &path, what, needle);
    std::fs::write(&path, &bytes[..bytes.len() - 29]).unwrap();
    write_fails("truncated", "decisions of 29 bytes expected");
    // The 13-byte records of earlier versions.
    let old: Vec<u8> = bytes.chunks(29).flat_map(|r| r[..13].to_vec()).collect();
    std::fs::write(&path, &old).unwrap();
    write_fails("older", "decisions of 29 bytes expected");
    let mut wild = bytes.clone();
    wild[29..33].copy_from_slice(&u32::MAX.to_le_bytes());
    std::fs::write(&path, &wild).unwrap();
    write_fails("out-of-range", "names candidate");
    std::fs::write(&path, &bytes).unwrap();
    stage(&cfg, &work, "write", 0, 1);
}

#[test]
fn signatures_on_disk_give_the_in_memory_release() {
    // 12,000 documents x 960-byte signatures = 11.5 MB: beyond half of a
    // 1 MB budget (signatures go to a file, band tables are partitioned),
    // well within the default 1024 MB (everything in memory).
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    synthetic(&input, 3, 4000);
    let small = tmp.path().join("small");
    std::fs::create_dir_all(&small).unwrap();
    let cfg_small = config(&small, "[dedup.near]\nmemory_budget_mb = 1\n");
    let cfg_default = config(tmp.path(), "");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let work = tmp.path().join("work");
    build_ok(
        &cfg_small,
        &input,
        &a,
        &["--quiet", "--workdir", work.to_str().unwrap()],
    );
    let left: Vec<_> = walk(&work)
        .into_iter()
        .filter(|p| p.ends_with("signatures.bin") || p.to_string_lossy().contains("minhash-band"))
        .collect();
    assert!(left.is_empty(), "work files left behind: {left:?}");
    build_ok(&cfg_default, &input, &b, &["--quiet"]);
    // Same files and rows (the shards' bytes differ only in the config
    // hash they carry).
    let (ta, tb) = (tree(&a), tree(&b));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for sub in ["data", "rejected"] {
        let ra = util::rows(&a, sub);
        assert!(!ra.is_empty(), "{sub} has rows");
        assert!(
            ra == util::rows(&b, sub),
            "{sub} rows differ between the budgets"
        );
    }
    let (ma, mb) = (util::manifest(&a), util::manifest(&b));
    assert_eq!(ma["funnel"], mb["funnel"]);
    assert_eq!(ma["counts"], mb["counts"]);
    let near = ma["funnel"]
        .as_array()
        .map(|f| f.iter().any(|s| s.to_string().contains("near_duplicate")))
        .unwrap_or_else(|| ma["funnel"].to_string().contains("near_duplicate"));
    assert!(near, "the corpus has near duplicates: {}", ma["funnel"]);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
