//! Where the build stands: each task's state from its completion marker and
//! Slurm's view of the job that owns it, counted per stage, and the table,
//! details and summary `slurm status` prints.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;

use super::queue::{Element, Programs, active_elements, job_elements};
use super::{CONFIG_COPY, Job, JobsFile, SLURM_DIR};
use crate::config::Config;
use crate::stages::marker_path;

/// `slurm status` found the build unfinished: what [`render_status`] returns
/// besides the text. The binary prints the text, then exits with
/// [`Unfinished::exit_code`] without another message.
#[derive(Debug, thiserror::Error)]
pub enum Unfinished {
    /// Tasks are queued or running.
    #[error("tasks are still queued or running")]
    Active,
    /// Nothing runs, and some tasks are not done: resubmit.
    #[error("the build stopped with unfinished tasks")]
    Stopped,
}

impl Unfinished {
    /// 6 while tasks are queued or running, 7 when the build stopped.
    pub fn exit_code(&self) -> u8 {
        match self {
            Unfinished::Active => 6,
            Unfinished::Stopped => 7,
        }
    }
}

/// Where one task stands.
#[derive(Clone, Debug, PartialEq)]
pub enum TaskState {
    /// Its completion marker exists.
    Done,
    /// Running (or starting, completing).
    Running,
    /// Queued, with Slurm's reason.
    Pending { reason: String },
    /// Ended without a marker: failed, cancelled, timed out, out of memory.
    Failed { job: String, state: String },
    /// Ended, but Slurm no longer remembers how; no marker.
    Lost { job: String },
    /// Cancelled before it started because a stage before it failed.
    Skipped { job: String },
    /// Never submitted (a submit stopped half-way).
    NotSubmitted,
}

/// The state of every task of one stage.
pub struct StageReport {
    pub stage: String,
    /// Indexed by task.
    pub tasks: Vec<TaskState>,
}

/// Where every task of the build stands: its marker, else what Slurm says
/// of the job that owns it ([`JobsFile::owner`]).
pub fn stage_reports(
    workdir: &Path,
    record: &JobsFile,
    programs: &Programs,
) -> Result<Vec<StageReport>> {
    // Slurm first, markers second: a task that ends in between is then
    // seen as running and done (done wins), never as gone without a marker.
    let owners: Vec<Vec<Option<&Job>>> = record
        .stages
        .iter()
        .map(|s| (0..s.tasks).map(|i| record.owner(&s.stage, i)).collect())
        .collect();
    let mut wanted: Vec<String> = owners
        .iter()
        .flatten()
        .flatten()
        .map(|j| j.job_id.clone())
        .collect();
    wanted.sort();
    wanted.dedup();
    let mut known: HashMap<(String, usize), Element> = HashMap::new();
    for e in active_elements(programs, &wanted)? {
        known.insert((e.job.clone(), e.index), e);
    }
    let mut asked = Vec::new();
    for (s, stage_owners) in record.stages.iter().zip(&owners) {
        for (i, owner) in stage_owners.iter().enumerate() {
            let Some(job) = owner else { continue };
            let key = (job.job_id.clone(), i);
            if known.contains_key(&key) || asked.contains(&job.job_id) {
                continue;
            }
            // Not queued any more: ask what became of it.
            if marker_path(workdir, &s.stage, i, s.tasks).exists() {
                continue;
            }
            asked.push(job.job_id.clone());
            for e in job_elements(programs, &job.job_id)? {
                known.entry((e.job.clone(), e.index)).or_insert(e);
            }
        }
    }

    let mut reports = Vec::new();
    for (s, stage_owners) in record.stages.iter().zip(&owners) {
        let tasks = stage_owners
            .iter()
            .enumerate()
            .map(|(i, owner)| {
                if marker_path(workdir, &s.stage, i, s.tasks).exists() {
                    return TaskState::Done;
                }
                let Some(job) = owner else {
                    return TaskState::NotSubmitted;
                };
                let Some(e) = known.get(&(job.job_id.clone(), i)) else {
                    return TaskState::Lost {
                        job: job.job_id.clone(),
                    };
                };
                classify(e)
            })
            .collect();
        reports.push(StageReport {
            stage: s.stage.clone(),
            tasks,
        });
    }
    Ok(reports)
}

/// A task without a marker, from Slurm's state of its array element.
pub fn classify(e: &Element) -> TaskState {
    match e.state.as_str() {
        "PENDING" | "REQUEUED" | "REQUEUE_HOLD" | "REQUEUE_FED" | "SUSPENDED" => {
            TaskState::Pending {
                reason: e.reason.clone(),
            }
        }
        "RUNNING" | "CONFIGURING" | "COMPLETING" | "RESIZING" | "SIGNALING" | "STAGE_OUT" => {
            TaskState::Running
        }
        "CANCELLED" if e.reason == "DependencyNeverSatisfied" => {
            TaskState::Skipped { job: e.job.clone() }
        }
        // COMPLETED without a marker counts as failed too: the stage exits 0
        // only after writing it, so the marker went missing since.
        state => TaskState::Failed {
            job: e.job.clone(),
            state: state.to_string(),
        },
    }
}

/// Tasks per outcome: a row of the status table.
#[derive(Default, Debug, PartialEq)]
pub struct Counts {
    pub done: usize,
    pub running: usize,
    pub pending: usize,
    /// Failed, or ended without a marker.
    pub failed: usize,
    /// Skipped (an earlier stage failed) or never submitted.
    pub not_run: usize,
}

impl Counts {
    /// The counts of one stage's tasks.
    pub fn of(tasks: &[TaskState]) -> Counts {
        let mut c = Counts::default();
        for t in tasks {
            match t {
                TaskState::Done => c.done += 1,
                TaskState::Running => c.running += 1,
                TaskState::Pending { .. } => c.pending += 1,
                TaskState::Failed { .. } | TaskState::Lost { .. } => c.failed += 1,
                TaskState::Skipped { .. } | TaskState::NotSubmitted => c.not_run += 1,
            }
        }
        c
    }

    /// The counts of every stage's tasks.
    pub fn of_all(reports: &[StageReport]) -> Counts {
        let mut total = Counts::default();
        reports
            .iter()
            .for_each(|r| total.add(&Counts::of(&r.tasks)));
        total
    }

    pub fn add(&mut self, o: &Counts) {
        self.done += o.done;
        self.running += o.running;
        self.pending += o.pending;
        self.failed += o.failed;
        self.not_run += o.not_run;
    }

    /// Every task.
    pub fn total(&self) -> usize {
        self.done + self.running + self.pending + self.failed + self.not_run
    }
}
/// The status table, details and summary; `None` when every task is done.
pub fn render_status(
    workdir: &Path,
    record: &JobsFile,
    reports: &[StageReport],
) -> (String, Option<Unfinished>) {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "{:<10} {:>6} {:>6} {:>8} {:>8} {:>7} {:>8}",
        "stage", "tasks", "done", "running", "pending", "failed", "not run"
    );
    let mut total = Counts::default();
    for r in reports {
        let c = Counts::of(&r.tasks);
        let _ = writeln!(
            w,
            "{:<10} {:>6} {:>6} {:>8} {:>8} {:>7} {:>8}",
            r.stage,
            r.tasks.len(),
            c.done,
            c.running,
            c.pending,
            c.failed,
            c.not_run
        );
        total.add(&c);
    }
    let _ = writeln!(
        w,
        "{:<10} {:>6} {:>6} {:>8} {:>8} {:>7} {:>8}",
        "total",
        total.total(),
        total.done,
        total.running,
        total.pending,
        total.failed,
        total.not_run
    );

    for r in reports {
        let mut reasons: Vec<(String, usize)> = Vec::new();
        for (i, t) in r.tasks.iter().enumerate() {
            let log = |job: &str| {
                workdir
                    .join(SLURM_DIR)
                    .join("logs")
                    .join(format!("{}-{job}_{i}.err", r.stage))
            };
            match t {
                TaskState::Failed { job, state } => {
                    let _ = writeln!(
                        w,
                        "failed: {} task {i}: {state} (job {job}_{i}); log {}",
                        r.stage,
                        log(job).display()
                    );
                }
                TaskState::Lost { job } => {
                    let _ = writeln!(
                        w,
                        "failed: {} task {i}: ended without its completion marker (job {job}_{i}, \
                         no longer known to Slurm); log {}",
                        r.stage,
                        log(job).display()
                    );
                }
                TaskState::Pending { reason } => {
                    match reasons.iter_mut().find(|(x, _)| x == reason) {
                        Some((_, n)) => *n += 1,
                        None => reasons.push((reason.clone(), 1)),
                    }
                }
                _ => {}
            }
        }
        for (reason, n) in reasons {
            let _ = writeln!(w, "pending: {} {n} task(s): {reason}", r.stage);
        }
    }

    let rerun = format!(
        "corpusforge slurm submit --config {} --workdir {}",
        record.config,
        workdir.display()
    );
    let outcome = if total.done == total.total() {
        // output.dir of the config copy, as the jobs resolved it: against
        // the folder of the config they read (the submitted path, from the
        // directory the jobs run in).
        let copy = workdir.join(CONFIG_COPY);
        let release = std::fs::read_to_string(&copy)
            .ok()
            .and_then(|text| Config::parse(&text, &copy).ok())
            .map(|mut c| {
                let config = record.submit_dir.join(&record.config);
                c.resolve_paths(config.parent().unwrap_or(Path::new("")));
                format!(" in {}", record.submit_dir.join(&c.output.dir).display())
            })
            .unwrap_or_default();
        let _ = writeln!(
            w,
            "done: all {} tasks finished; the release is{release}",
            total.total()
        );
        None
    } else if total.running + total.pending > 0 {
        let _ = writeln!(
            w,
            "in progress: {} of {} tasks done, {} running, {} pending{}",
            total.done,
            total.total(),
            total.running,
            total.pending,
            if total.failed > 0 {
                format!(
                    "; {} failed: once nothing runs, resubmit with `{rerun}`",
                    total.failed
                )
            } else {
                String::new()
            }
        );
        Some(Unfinished::Active)
    } else {
        let _ = writeln!(
            w,
            "stopped: {} of {} tasks done, {} failed, {} not run; resubmit the unfinished \
             tasks from {} with:\n  {rerun}",
            total.done,
            total.total(),
            total.failed,
            total.not_run,
            record.submit_dir.display()
        );
        Some(Unfinished::Stopped)
    };
    (out, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slurm::jobs::StageTasks;

    #[test]
    fn slurm_states_classify() {
        // Real `scontrol -o show job` lines, shortened: a pending remainder
        // of an array is one record with a range of indices.
        let scontrol = "JobId=1 ArrayJobId=1 ArrayTaskId=2-3 JobName=j UserId=root(0) \
                        JobState=PENDING Reason=Resources Dependency=(null)\n\
                        JobId=4 ArrayJobId=1 ArrayTaskId=1 JobName=j JobState=FAILED \
                        Reason=NonZeroExitCode ExitCode=3:0\n\
                        JobId=2 ArrayJobId=2 ArrayTaskId=0 JobState=CANCELLED \
                        Reason=DependencyNeverSatisfied\n";
        let e = crate::slurm::queue::parse_scontrol_jobs(scontrol);
        assert_eq!(
            classify(&e[0]),
            TaskState::Pending {
                reason: "Resources".into()
            }
        );
        assert_eq!(
            classify(&e[2]),
            TaskState::Failed {
                job: "1".into(),
                state: "FAILED".into()
            }
        );
        assert_eq!(classify(&e[3]), TaskState::Skipped { job: "2".into() });
    }

    #[test]
    fn status_counts_and_summarizes() {
        let record = JobsFile {
            config: "configs/x.toml".into(),
            submit_dir: "/data/run".into(),
            stages: vec![
                StageTasks {
                    stage: "lines".into(),
                    tasks: 2,
                },
                StageTasks {
                    stage: "process".into(),
                    tasks: 2,
                },
            ],
            submissions: vec![],
        };
        let reports = vec![
            StageReport {
                stage: "lines".into(),
                tasks: vec![
                    TaskState::Done,
                    TaskState::Failed {
                        job: "7".into(),
                        state: "CANCELLED".into(),
                    },
                ],
            },
            StageReport {
                stage: "process".into(),
                tasks: vec![
                    TaskState::Skipped { job: "8".into() },
                    TaskState::Skipped { job: "8".into() },
                ],
            },
        ];
        let (text, outcome) = render_status(Path::new("work"), &record, &reports);
        assert!(matches!(outcome, Some(Unfinished::Stopped)), "{text}");
        assert!(
            text.contains(
                "failed: lines task 1: CANCELLED (job 7_1); log work/slurm/logs/lines-7_1.err"
            ),
            "{text}"
        );
        assert!(
            text.contains("stopped: 1 of 4 tasks done, 1 failed, 2 not run"),
            "{text}"
        );
        assert!(
            text.contains("corpusforge slurm submit --config configs/x.toml --workdir work"),
            "{text}"
        );

        let running = vec![StageReport {
            stage: "lines".into(),
            tasks: vec![
                TaskState::Running,
                TaskState::Pending {
                    reason: "Resources".into(),
                },
            ],
        }];
        let (text, outcome) = render_status(Path::new("work"), &record, &running);
        assert!(matches!(outcome, Some(Unfinished::Active)), "{text}");
        assert!(
            text.contains("pending: lines 1 task(s): Resources"),
            "{text}"
        );

        let done = vec![StageReport {
            stage: "lines".into(),
            tasks: vec![TaskState::Done],
        }];
        let (text, outcome) = render_status(Path::new("work"), &record, &done);
        assert!(outcome.is_none(), "{text}");
        assert!(text.starts_with("stage "), "{text}");
    }
}
