//! `corpusforge slurm submit|status` through the CLI against a fake Slurm
//! (shell scripts standing in for sbatch, squeue and scontrol): the scripts
//! it submits, what a rerun resubmits, what it refuses, and the exit codes
//! of `status`. The real Slurm runs in scripts/test_slurm.sh.

mod util;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use corpusforge::stages::{StageName, marker_path};
use util::root;

/// A fake Slurm in `dir`: sbatch prints job ids from 100 up and keeps each
/// script as `submitted-<id>`; squeue prints the file `queue`; scontrol
/// prints `job-<id>` for `-o show job <id>` (else "Invalid job id").
fn fake_slurm(dir: &Path) {
    let d = dir.display();
    let scripts = [
        (
            "sbatch",
            format!(
                "n=$(cat {d}/next 2>/dev/null || echo 100)\n\
                 echo $((n + 1)) > {d}/next\n\
                 cp \"$2\" {d}/submitted-$n\n\
                 echo $n\n"
            ),
        ),
        ("squeue", format!("cat {d}/queue 2>/dev/null\nexit 0\n")),
        (
            "scontrol",
            format!(
                "if [ \"$1\" = show ]; then echo 'MaxArraySize = 1001'; exit 0; fi\n\
                 if [ -f {d}/job-$4 ]; then cat {d}/job-$4; exit 0; fi\n\
                 echo 'slurm_load_jobs error: Invalid job id specified' >&2\nexit 1\n"
            ),
        ),
    ];
    for (name, body) in scripts {
        let p = dir.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

fn slurm(fake: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corpusforge"))
        .arg("slurm")
        .args(args)
        .current_dir(root())
        .env("SBATCH", fake.join("sbatch"))
        .env("SQUEUE", fake.join("squeue"))
        .env("SCONTROL", fake.join("scontrol"))
        .env_remove("CORPUSFORGE_STAGE_BIN")
        .output()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn mark_all(work: &Path, stage: &str, n: usize) {
    for i in 0..n {
        let m = marker_path(work, stage, i, n);
        std::fs::create_dir_all(m.parent().unwrap()).unwrap();
        std::fs::write(m, "{}\n").unwrap();
    }
}

#[test]
fn submit_status_and_resubmit_against_a_fake_slurm() {
    let tmp = tempfile::tempdir().unwrap();
    let fake = tmp.path().to_path_buf();
    fake_slurm(&fake);
    let work: PathBuf = fake.join("work");
    let w = work.to_str().unwrap();
    let submit = |extra: &[&str]| {
        let mut args = vec![
            "submit",
            "--config",
            "configs/default.toml",
            "--workdir",
            w,
            "--mem",
            "2G",
        ];
        args.extend_from_slice(extra);
        slurm(&fake, &args)
    };

    let o = submit(&["--tasks", "3"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), StageName::ALL.len(), "{out}");
    assert!(
        lines[0].starts_with("lines     job 100      tasks 0-2"),
        "{out}"
    );
    assert!(
        lines[3].starts_with("cluster   job 103      tasks 0  after 102"),
        "{out}"
    );
    let process = std::fs::read_to_string(fake.join("submitted-101")).unwrap();
    assert!(process.contains("#SBATCH --array=0-2\n"), "{process}");
    assert!(
        process.contains("#SBATCH --dependency=afterok:100\n"),
        "{process}"
    );
    assert!(process.contains("#SBATCH --mem=2G\n"), "{process}");
    assert!(
        process.contains(&format!("#SBATCH --chdir={}\n", root().display())),
        "{process}"
    );
    assert!(
        process.contains(&format!(
            "{} stage process --task \"$SLURM_ARRAY_TASK_ID\" --tasks 3 --workdir {w} --config configs/default.toml",
            env!("CARGO_BIN_EXE_corpusforge")
        )),
        "{process}"
    );
    assert!(work.join("slurm/6-finalize.sbatch").is_file());
    assert!(work.join("slurm/jobs.json").is_file());
    assert_eq!(
        std::fs::read(work.join("config.toml")).unwrap(),
        std::fs::read(root().join("configs/default.toml")).unwrap()
    );

    // Queued: status exits 6, a submit is refused.
    let mut queue =
        String::from("100 0 RUNNING None\n100 1 PENDING Resources\n100 2 PENDING Resources\n");
    for id in 101..=105 {
        for i in 0..if id == 103 || id == 105 { 1 } else { 3 } {
            queue.push_str(&format!("{id} {i} PENDING Dependency\n"));
        }
    }
    std::fs::write(fake.join("queue"), queue).unwrap();
    let o = slurm(&fake, &["status", w]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(6), "{out}");
    assert!(
        out.contains("in progress: 0 of 14 tasks done, 1 running"),
        "{out}"
    );
    let o = submit(&[]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("still queued or running (100_0 RUNNING"),
        "{err}"
    );

    // lines task 0 failed, the rest of lines done, later stages cancelled
    // by their dependency: status exits 7 and names the failed task.
    std::fs::remove_file(fake.join("queue")).unwrap();
    mark_all(&work, "lines", 3);
    std::fs::remove_file(marker_path(&work, "lines", 0, 3)).unwrap();
    std::fs::write(
        fake.join("job-100"),
        "JobId=100 ArrayJobId=100 ArrayTaskId=0 JobState=FAILED Reason=NonZeroExitCode\n",
    )
    .unwrap();
    for id in 101..=105 {
        std::fs::write(
            fake.join(format!("job-{id}")),
            format!(
                "JobId={id} ArrayJobId={id} ArrayTaskId=0-2 JobState=CANCELLED \
                 Reason=DependencyNeverSatisfied\n"
            ),
        )
        .unwrap();
    }
    let o = slurm(&fake, &["status", w]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(7), "{out}");
    assert!(
        out.contains("failed: lines task 0: FAILED (job 100_0)"),
        "{out}"
    );
    assert!(
        out.contains("stopped: 2 of 14 tasks done, 1 failed, 11 not run"),
        "{out}"
    );

    // The rerun submits lines task 0 and every later stage, not lines 1-2;
    // the task count comes from the first submit.
    let o = submit(&[]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.starts_with("lines     job 106      tasks 0\n"), "{out}");
    let o = submit(&["--tasks", "4"]);
    assert!(text(&o).1.contains("submitted with 3 tasks, not 4"));

    // Another config into the same work dir is refused.
    let other = fake.join("other.toml");
    std::fs::write(&other, "[input]\npaths = [\"datasets/sample\"]\n").unwrap();
    let o = slurm(
        &fake,
        &[
            "submit",
            "--config",
            other.to_str().unwrap(),
            "--workdir",
            w,
        ],
    );
    assert!(
        text(&o).1.contains("holds a different config"),
        "{:?}",
        text(&o)
    );

    // Every task done: status exits 0, a submit has nothing to do.
    for s in StageName::ALL {
        mark_all(&work, s.as_str(), if s.splittable() { 3 } else { 1 });
    }
    let o = slurm(&fake, &["status", w]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("done: all 14 tasks finished"), "{out}");
    let o = submit(&[]);
    assert!(text(&o).0.contains("nothing to submit"));
}
