//! The user's files are safe: every case where a build could delete or
//! replace what is not ours is refused before anything is written (exit 2,
//! the message names the path), and the user's files stay byte for byte;
//! one build at a time per output (exit 8); a build that keeps nothing
//! fails (exit 9) and leaves the previous release; a config works from any
//! current directory and from a binary copied out of the checkout.

mod util;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use util::manifest;

/// A made-up news article, different for every `i`: a paragraph of about a
/// hundred words that passes the default filters and is no near-duplicate
/// of another.
fn article(i: u64) -> String {
    const WORDS: &[&str] = &[
        "the",
        "city",
        "council",
        "approved",
        "a",
        "new",
        "budget",
        "on",
        "Tuesday",
        "after",
        "long",
        "debate",
        "about",
        "schools",
        "roads",
        "and",
        "public",
        "transport",
        "in",
        "northern",
        "districts",
        "farmers",
        "valley",
        "began",
        "harvest",
        "two",
        "weeks",
        "early",
        "this",
        "year",
        "because",
        "summer",
        "was",
        "unusually",
        "warm",
        "rivers",
        "ran",
        "low",
        "small",
        "museum",
        "near",
        "harbour",
        "reopened",
        "its",
        "doors",
        "three",
        "years",
        "of",
        "repairs",
        "showing",
        "old",
        "maps",
        "fishing",
        "boats",
        "photographs",
        "port",
        "weather",
        "service",
        "warned",
        "strong",
        "winds",
        "along",
        "coast",
        "Friday",
        "asked",
        "fishermen",
        "to",
        "keep",
        "their",
        "minister",
        "said",
        "that",
        "government",
        "would",
        "spend",
        "more",
        "money",
        "hospitals",
        "teachers",
        "students",
        "protested",
        "outside",
        "university",
        "library",
        "police",
        "reported",
        "fewer",
        "accidents",
        "during",
        "holiday",
        "market",
        "prices",
        "rose",
        "for",
        "bread",
        "milk",
        "vegetables",
        "families",
        "complained",
        "researchers",
        "found",
        "birds",
        "returning",
        "wetlands",
        "every",
        "spring",
        "village",
        "celebrated",
        "festival",
        "with",
        "music",
        "dancing",
        "local",
        "food",
        "company",
        "opened",
        "factory",
        "jobs",
    ];
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    let mut next = || {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let mut text = String::new();
    for _ in 0..9 {
        let n = 8 + next() % 8;
        for k in 0..n {
            let w = WORDS[(next() % WORDS.len() as u64) as usize];
            if k == 0 {
                let mut c = w.chars();
                let first = c.next().unwrap().to_uppercase();
                text.extend(first);
                text.push_str(c.as_str());
            } else {
                text.push(' ');
                text.push_str(w);
            }
        }
        text.push_str(". ");
    }
    text.trim_end().to_string()
}

/// `n` articles as JSON Lines, ids from `first`.
fn articles(first: u64, n: u64) -> String {
    (first..first + n)
        .map(|i| format!("{}\n", serde_json::json!({"id": i, "text": article(i)})))
        .collect()
}

/// A user's folder: `c.toml` (a three-line config), `in/` with articles,
/// and an unrelated `notes.txt`.
struct Folder {
    tmp: tempfile::TempDir,
}

impl Folder {
    fn new() -> Self {
        let f = Folder {
            tmp: tempfile::tempdir().unwrap(),
        };
        let input = f.path().join("in");
        std::fs::create_dir_all(&input).unwrap();
        std::fs::write(input.join("news.jsonl"), articles(0, 4)).unwrap();
        std::fs::write(f.path().join("notes.txt"), "my own notes\n").unwrap();
        std::fs::write(
            f.path().join("c.toml"),
            "[input]\npaths = [\"in\"]\n[output]\ndir = \"rel\"\n",
        )
        .unwrap();
        f
    }

    fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// `corpusforge ARGS` with this folder as the current directory.
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_corpusforge"))
            .args(args)
            .current_dir(self.path())
            .output()
            .unwrap()
    }

    /// Every file below the folder, path -> bytes.
    fn files(&self) -> BTreeMap<String, Vec<u8>> {
        util::tree(self.path())
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The build must be refused with exit 2, naming `path`, and leave every
/// file of the folder as it was (and write none).
fn refused(f: &Folder, args: &[&str], path: &str) -> String {
    let before = f.files();
    let o = f.run(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(
        err.contains(path),
        "{args:?}: the message names {path}: {err}"
    );
    assert_eq!(f.files(), before, "{args:?} changed the user's files");
    err
}

#[test]
fn workdir_is_the_current_directory() {
    let f = Folder::new();
    let err = refused(
        &f,
        &["build", "-c", "c.toml", "-o", "../rel", "--workdir", "."],
        ".",
    );
    assert!(err.contains("work directory"), "{err}");
    assert!(!f.path().join("../rel").exists());
}

#[test]
fn workdir_is_the_input_folder() {
    let f = Folder::new();
    let err = refused(&f, &["build", "-c", "c.toml", "--workdir", "in"], "in");
    assert!(err.contains("input path"), "{err}");
}

#[test]
fn workdir_with_other_files() {
    let f = Folder::new();
    std::fs::create_dir(f.path().join("scratch")).unwrap();
    std::fs::write(f.path().join("scratch/draft.txt"), "keep me").unwrap();
    let err = refused(
        &f,
        &["build", "-c", "c.toml", "--workdir", "scratch"],
        "scratch",
    );
    assert!(err.contains("not made by corpusforge"), "{err}");
    // An empty folder is fine, becomes ours, and is kept (it was given).
    std::fs::remove_file(f.path().join("scratch/draft.txt")).unwrap();
    let o = f.run(&["build", "-c", "c.toml", "--workdir", "scratch"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(f.path().join("scratch/.corpusforge-workdir").is_file());
    // A second build may reuse (and empty) the work directory it made.
    let o = f.run(&["build", "-c", "c.toml", "--workdir", "scratch"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn output_is_a_users_folder() {
    let f = Folder::new();
    std::fs::create_dir(f.path().join("mydocs")).unwrap();
    std::fs::write(f.path().join("mydocs/thesis.tex"), "chapter 1").unwrap();
    let err = refused(&f, &["build", "-c", "c.toml", "-o", "mydocs"], "mydocs");
    assert!(err.contains("not a corpusforge release"), "{err}");
    // A folder that only looks like a release (a manifest, no marker) too.
    std::fs::write(f.path().join("mydocs/manifest.json"), "{}").unwrap();
    refused(&f, &["build", "-c", "c.toml", "-o", "mydocs"], "mydocs");
}

#[test]
fn output_is_the_input_folder_or_inside_it() {
    let f = Folder::new();
    refused(&f, &["build", "-c", "c.toml", "-o", "in"], "in");
    let err = refused(&f, &["build", "-c", "c.toml", "-o", "in/rel"], "in/rel");
    assert!(err.contains("inside the input path"), "{err}");
    // The output containing the input: `-o .` with input `in`.
    refused(&f, &["build", "-c", "c.toml", "-o", "."], ".");
}

#[test]
fn output_is_a_file() {
    let f = Folder::new();
    std::fs::write(f.path().join("afile.txt"), "a file of mine").unwrap();
    let err = refused(
        &f,
        &["build", "-c", "c.toml", "-o", "afile.txt"],
        "afile.txt",
    );
    assert!(err.contains("is a file"), "{err}");
}

#[test]
fn overwrite_false_keeps_a_release() {
    let f = Folder::new();
    let o = f.run(&["build", "-c", "c.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::write(
        f.path().join("c2.toml"),
        "[input]\npaths = [\"in\"]\n[output]\ndir = \"rel\"\noverwrite = false\n",
    )
    .unwrap();
    let err = refused(&f, &["build", "-c", "c2.toml"], "rel");
    assert!(err.contains("output.overwrite = false"), "{err}");
}

#[test]
fn a_release_of_ours_is_replaced_and_marked() {
    let f = Folder::new();
    for _ in 0..2 {
        let o = f.run(&["build", "-c", "c.toml"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let rel = f.path().join("rel");
    assert!(rel.join(".corpusforge-release").is_file());
    assert_eq!(manifest(&rel)["counts"]["kept"], 4);
    let o = f.run(&["verify", "rel"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Nothing of ours is left beside it: no work directory, no lock file,
    // no temporary folder.
    let mut names: Vec<String> = std::fs::read_dir(f.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["c.toml", "in", "notes.txt", "rel"]);
}

#[test]
fn a_held_lock_refuses_a_second_build() {
    let f = Folder::new();
    // Hold the output's lock as a running build would.
    let lock_path = f.path().join(".rel.lock");
    let mut lock = std::fs::File::create(&lock_path).unwrap();
    lock.lock().unwrap();
    use std::io::Write;
    writeln!(lock, "4242").unwrap();
    let before = f.files();
    let o = f.run(&["build", "-c", "c.toml"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(8), "{err}");
    assert!(
        err.contains("another corpusforge build (pid 4242) is writing rel"),
        "{err}"
    );
    assert_eq!(f.files(), before);
    assert!(!f.path().join("rel").exists());
    drop(lock);
    let o = f.run(&["build", "-c", "c.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn two_builds_into_one_output() {
    let f = Folder::new();
    // Enough documents that the builds overlap in time.
    std::fs::write(f.path().join("in/more.jsonl"), articles(4, 20_000)).unwrap();
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_corpusforge"))
            .args(["build", "-c", "c.toml", "--quiet"])
            .current_dir(f.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
    let ok = outs.iter().filter(|o| o.status.success()).count();
    assert!(ok >= 1, "{} / {}", stderr(&outs[0]), stderr(&outs[1]));
    for o in outs.iter().filter(|o| !o.status.success()) {
        let err = stderr(o);
        assert_eq!(o.status.code(), Some(8), "{err}");
        assert!(err.contains("another corpusforge build (pid "), "{err}");
    }
    let o = f.run(&["verify", "rel"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(manifest(&f.path().join("rel"))["counts"]["input"], 20_004);
}

#[test]
fn a_build_that_keeps_nothing_fails_and_keeps_the_previous_release() {
    let f = Folder::new();
    let o = f.run(&["build", "-c", "c.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let release = util::tree(&f.path().join("rel"));
    // The wrong text field.
    std::fs::write(
        f.path().join("wrong.toml"),
        "[input]\npaths = [\"in\"]\n[input.fields]\ntext = \"body\"\n[output]\ndir = \"rel\"\n",
    )
    .unwrap();
    let o = f.run(&["build", "-c", "wrong.toml"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(9), "{err}");
    assert!(
        err.contains("all 4 documents were rejected: missing_text 4"),
        "{err}"
    );
    assert!(err.contains("the records have fields: id, text"), "{err}");
    assert!(err.contains("input.fields.text"), "{err}");
    assert_eq!(util::tree(&f.path().join("rel")), release);
    // --allow-empty publishes it.
    let o = f.run(&["build", "-c", "wrong.toml", "--allow-empty"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(manifest(&f.path().join("rel"))["counts"]["kept"], 0);
}

#[test]
fn language_codes_are_checked_with_a_suggestion() {
    let f = Folder::new();
    std::fs::write(
        f.path().join("keep.toml"),
        "[input]\npaths = [\"in\"]\n[output]\ndir = \"rel\"\n[langid]\nkeep = [\"en\"]\n",
    )
    .unwrap();
    let before = f.files();
    let o = f.run(&["build", "-c", "keep.toml"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("langid.keep: `en`"), "{err}");
    assert!(err.contains("did you mean `eng`?"), "{err}");
    assert_eq!(f.files(), before);
    // Real English text (the made-up articles are word salad, which no
    // identifier should call English).
    let english = [
        "The city council approved a new budget on Tuesday after a long debate about schools, roads and public transport in the northern districts. Members of the opposition said that the plan would not be enough to repair the old bridges, while the mayor promised that work on the first of them would begin before the end of the year.",
        "Farmers in the valley began the harvest two weeks early this year because the summer was unusually warm and the rivers ran low. Many of them told reporters that the grapes were smaller than usual but very sweet, and that they expected a good wine if the weather stayed dry until the end of the month.",
    ];
    std::fs::create_dir(f.path().join("en")).unwrap();
    let jsonl: String = english
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{}\n", serde_json::json!({"id": i, "text": t})))
        .collect();
    std::fs::write(f.path().join("en/en.jsonl"), jsonl).unwrap();
    std::fs::write(
        f.path().join("keep.toml"),
        "[input]\npaths = [\"en\"]\n[output]\ndir = \"rel\"\n[langid]\nkeep = [\"eng\", \"eng_Latn\"]\n",
    )
    .unwrap();
    let o = f.run(&["build", "-c", "keep.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(manifest(&f.path().join("rel"))["counts"]["kept"], 2);
}

/// The binary copied out of the checkout builds a folder elsewhere with a
/// three-line config, run from a third directory: the built-in rules need no
/// file, and the config's paths resolve against its own folder.
#[test]
fn a_copied_binary_builds_from_anywhere() {
    let f = Folder::new();
    let bin_dir = tempfile::tempdir().unwrap();
    let bin = bin_dir.path().join("corpusforge");
    std::fs::copy(env!("CARGO_BIN_EXE_corpusforge"), &bin).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let cfg = f.path().join("c.toml");
    let o = Command::new(&bin)
        .args(["build", "--config"])
        .arg(&cfg)
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let m = manifest(&f.path().join("rel"));
    assert_eq!(m["counts"]["kept"], 4);
    assert_eq!(m["boilerplate_rules"]["path"], "built-in");
    assert_eq!(m["input_roots"][0], "in");
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    // Paths on the command line resolve against the current directory.
    let o = Command::new(&bin)
        .args(["build", "--config"])
        .arg(&cfg)
        .args(["--output", "here"])
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(elsewhere.path().join("here/manifest.json").is_file());
}

#[test]
fn exit_codes_of_usage_mistakes() {
    let f = Folder::new();
    let o = f.run(&["build", "-c", "missing.toml"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("missing.toml: no such config file"), "{err}");
    std::fs::write(
        f.path().join("typed.toml"),
        "[input]\npaths = [\"in\"]\n[output]\nshard_rows = \"many\"\n",
    )
    .unwrap();
    let o = f.run(&["build", "-c", "typed.toml"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("expected a whole number"), "{err}");
    assert!(!err.contains("usize"), "{err}");
    let o = f.run(&["build", "-c", "c.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = f.run(&["inspect", "rel", "--sample", "2", "--lang", "xyz_Latn"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("\"xyz_Latn\" is not in this release"), "{err}");
    let o = f.run(&["inspect", "rel", "--cluster", "no-such-id"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn stage_tasks_respect_the_same_rules() {
    let f = Folder::new();
    std::fs::create_dir(f.path().join("scratch")).unwrap();
    std::fs::write(f.path().join("scratch/draft.txt"), "keep me").unwrap();
    refused(
        &f,
        &[
            "stage",
            "lines",
            "--workdir",
            "scratch",
            "--config",
            "c.toml",
        ],
        "scratch",
    );
    refused(
        &f,
        &["stage", "lines", "--workdir", "in", "--config", "c.toml"],
        "in",
    );
    let o = f.run(&["stage", "nosuch", "--workdir", "w", "--config", "c.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// Funnel rows follow the order the steps ran: `too_short` before the
/// quality filters, so each row's `remaining` is what that step left.
#[test]
fn funnel_rows_in_the_order_steps_ran() {
    let f = Folder::new();
    let mut jsonl = String::new();
    jsonl.push_str(&format!(
        "{}\n",
        serde_json::json!({"id": "s", "text": "Too short."})
    ));
    let repeated = "The same line again and again in this text.\n".repeat(30);
    jsonl.push_str(&format!(
        "{}\n",
        serde_json::json!({"id": "r", "text": repeated})
    ));
    std::fs::write(f.path().join("in/odd.jsonl"), jsonl).unwrap();
    let o = f.run(&["build", "-c", "c.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let m = manifest(&f.path().join("rel"));
    let rows = m["funnel"].as_array().unwrap();
    let reasons: Vec<&str> = rows.iter().map(|r| r["reason"].as_str().unwrap()).collect();
    let short = reasons.iter().position(|r| *r == "too_short").unwrap();
    let gopher = reasons
        .iter()
        .position(|r| *r == "gopher_repetition")
        .unwrap();
    assert!(short < gopher, "{reasons:?}");
    let mut remaining = m["counts"]["input"].as_u64().unwrap();
    for r in rows {
        remaining -= r["removed"].as_u64().unwrap();
        assert_eq!(r["remaining"].as_u64().unwrap(), remaining, "{r}");
    }
    assert_eq!(remaining, m["counts"]["kept"].as_u64().unwrap());
}

/// Ctrl-C prints one line (what finished, the work directory, the command
/// that resumes) and exits 130; that command then finishes the build.
#[test]
fn interrupt_says_how_to_resume() {
    let f = Folder::new();
    std::fs::write(f.path().join("in/big.jsonl"), articles(4, 200_000)).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_corpusforge"))
        .args(["build", "-c", "c.toml", "--quiet", "--threads", "1"])
        .current_dir(f.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the build has made its work directory, then interrupt.
    let marker = f.path().join(".rel.work/.corpusforge-workdir");
    let t0 = std::time::Instant::now();
    while !marker.exists() && t0.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    if o.status.success() {
        panic!("the build finished before the interrupt; make the input larger: {err}");
    }
    assert_eq!(o.status.code(), Some(130), "{err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("interrupted: "))
        .unwrap_or_else(|| panic!("no interrupt line: {err}"));
    assert!(line.contains("work directory: .rel.work"), "{line}");
    let resume = line.split("resume with: ").nth(1).unwrap();
    assert!(
        resume.ends_with("build -c c.toml --quiet --threads 1 --resume"),
        "{resume}"
    );
    assert!(!f.path().join("rel").exists());
    // Run the printed command (its words are plain here).
    let words: Vec<&str> = resume.split(' ').skip(1).collect();
    let o = f.run(&words);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(manifest(&f.path().join("rel"))["counts"]["input"], 200_004);
}
