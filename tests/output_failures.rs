//! Output failures: a full disk, a file size limit, a read-only output
//! folder. Each time the build must exit with code 4 and a message naming
//! the path and the cause, leave the previous release at the same output
//! folder byte-for-byte intact, and leave no temporary folder behind.
//!
//! The file size limit (`RLIMIT_FSIZE`, with `SIGXFSZ` ignored so that
//! writes fail with `EFBIG`) needs no privilege. A full disk and a
//! read-only file system use a small tmpfs in a private mount namespace
//! (`unshare --mount`), which needs `CAP_SYS_ADMIN`; without it those tests
//! print why they are skipped.

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use util::*;

/// `n` distinct articles of about 300 bytes as JSON Lines (distinct words,
/// so that dedup keeps them and compression cannot shrink them much).
fn articles(n: usize, seed: u64) -> String {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut out = String::new();
    for i in 0..n {
        let mut words = Vec::new();
        for _ in 0..45 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = 3 + (x >> 60) as usize % 6;
            let w: String = (0..len)
                .map(|k| (b'a' + ((x >> (8 + 5 * k)) % 26) as u8) as char)
                .collect();
            words.push(w);
        }
        out.push_str(
            &serde_json::json!({"id": format!("a{seed}-{i}"), "text": words.join(" ")}).to_string(),
        );
        out.push('\n');
    }
    out
}

struct Setup {
    tmp: tempfile::TempDir,
}

impl Setup {
    fn new() -> Self {
        let s = Setup {
            tmp: tempfile::tempdir().unwrap(),
        };
        for (name, n, seed) in [("small", 20, 1), ("large", 4000, 2)] {
            let d = s.tmp.path().join(name);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("a.jsonl"), articles(n, seed)).unwrap();
        }
        config(s.tmp.path(), "");
        s
    }

    fn path(&self, p: &str) -> PathBuf {
        self.tmp.path().join(p)
    }
}

/// Entries of `dir` that look like temporary folders of a build.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-") || n.contains(".old-"))
        .collect()
}

#[test]
fn file_size_limit_fails_cleanly_and_keeps_the_previous_release() {
    let s = Setup::new();
    let out = s.path("rel/out");
    build_ok(&s.path("config.toml"), &s.path("small"), &out, &[]);
    let before = tree(&out);
    // bash's `ulimit -f` counts 1024-byte blocks: 64 KiB is far more than
    // the small release's files, and less than the large input's.
    let o = Command::new("bash")
        .args(["-c", "ulimit -f 64 && trap '' XFSZ && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_corpusforge"))
        .args(["build", "--quiet", "--config"])
        .arg(s.path("config.toml"))
        .arg("--input")
        .arg(s.path("large"))
        .arg("--output")
        .arg(&out)
        .current_dir(root())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    eprintln!("second build: exit {:?}\n{err}", o.status.code());
    assert_eq!(o.status.code(), Some(4), "{err}");
    let parent = s.path("rel").display().to_string();
    assert!(
        err.starts_with(&format!("error: {parent}/.out.")),
        "the message names the path: {err}"
    );
    assert!(err.contains("File too large (os error 27)"), "{err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 1);
    assert_eq!(tree(&out), before, "previous release changed");
    assert_eq!(leftovers(&s.path("rel")), Vec::<String>::new());
}

/// Run `script` with `sh` in a private mount namespace; `None` (with the
/// reason printed) when namespaces or mounts are not permitted here.
fn in_mount_namespace(script: &str, env: &[(&str, &Path)]) -> Option<std::process::Output> {
    let probe = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c"])
        .arg("d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs \"$d\" && umount \"$d\" && rmdir \"$d\"")
        .output();
    match probe {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            eprintln!(
                "skipped: cannot mount a tmpfs in a private mount namespace here: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            return None;
        }
        Err(e) => {
            eprintln!("skipped: cannot run unshare: {e}");
            return None;
        }
    }
    let mut cmd = Command::new("unshare");
    cmd.args(["--mount", "--propagation", "private", "sh", "-c", script])
        .env("BIN", env!("CARGO_BIN_EXE_corpusforge"))
        .current_dir(root());
    for (k, v) in env {
        cmd.env(k, v);
    }
    Some(cmd.output().unwrap())
}

/// Builds the small input into a fresh tmpfs of `size`, copies that
/// release out, runs `between` (e.g. a remount), builds the large input
/// over it, and copies out what is left. Returns the second build's exit
/// code and stderr, and the folders `before`, `after` and the tmpfs
/// listing.
fn two_builds_on_tmpfs(s: &Setup, size: &str, between: &str) -> Option<(i32, String)> {
    let script = format!(
        r#"set -e
mount -t tmpfs -o size={size} tmpfs "$MNT"
"$BIN" build --quiet --config "$CFG" --input "$SMALL" --output "$MNT/out"
cp -a "$MNT/out" "$SNAP/before"
{between}
set +e
"$BIN" build --quiet --config "$CFG" --input "$LARGE" --output "$MNT/out" 2> "$SNAP/stderr"
echo $? > "$SNAP/rc"
set -e
cp -a "$MNT/out" "$SNAP/after"
ls -A "$MNT" > "$SNAP/listing"
"#
    );
    let (mnt, snap) = (s.path("mnt"), s.path("snap"));
    std::fs::create_dir_all(&mnt).unwrap();
    std::fs::create_dir_all(&snap).unwrap();
    let o = in_mount_namespace(
        &script,
        &[
            ("MNT", &mnt),
            ("SNAP", &snap),
            ("CFG", &s.path("config.toml")),
            ("SMALL", &s.path("small")),
            ("LARGE", &s.path("large")),
        ],
    )?;
    assert!(
        o.status.success(),
        "setup script failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let rc: i32 = std::fs::read_to_string(snap.join("rc"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let err = std::fs::read_to_string(snap.join("stderr")).unwrap();
    eprintln!("second build: exit {rc}\n{err}");
    assert_eq!(
        tree(&snap.join("after")),
        tree(&snap.join("before")),
        "previous release changed"
    );
    let listing = std::fs::read_to_string(snap.join("listing")).unwrap();
    assert_eq!(
        listing.trim(),
        "out",
        "left on the output file system: {listing}"
    );
    Some((rc, err))
}

#[test]
fn full_disk_fails_cleanly_and_keeps_the_previous_release() {
    let s = Setup::new();
    // Room for the small release and a little more, not for the large one.
    let Some((rc, err)) = two_builds_on_tmpfs(&s, "600k", "") else {
        return;
    };
    assert_eq!(rc, 4, "{err}");
    let mnt = s.path("mnt").display().to_string();
    assert!(
        err.starts_with(&format!("error: {mnt}/.out.")),
        "the message names the path: {err}"
    );
    assert!(
        err.contains("No space left on device (os error 28)"),
        "{err}"
    );
}

#[test]
fn read_only_output_fails_cleanly_and_keeps_the_previous_release() {
    let s = Setup::new();
    let Some((rc, err)) = two_builds_on_tmpfs(&s, "4m", "mount -o remount,ro \"$MNT\"") else {
        return;
    };
    assert_eq!(rc, 4, "{err}");
    let mnt = s.path("mnt").display().to_string();
    assert!(
        err.starts_with(&format!("error: {mnt}/.out.")),
        "the message names the path: {err}"
    );
    assert!(
        err.contains(
            "Read-only file system (os error 30) (the file system is read-only: \
             write the release to a writable folder with --output)"
        ),
        "{err}"
    );
}
