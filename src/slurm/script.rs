//! The sbatch script of one stage, and the quoting that keeps the paths and
//! values written into it from ending a line or adding an option.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::{CONFIG_COPY, SLURM_DIR};

/// A path written into an `#SBATCH` line: sbatch splits those at spaces and
/// expands `%` patterns in `--output`/`--error`.
pub fn sbatch_safe_path(p: &Path) -> Result<()> {
    let s = p
        .to_str()
        .with_context(|| format!("{}: not valid UTF-8", p.display()))?;
    if s.chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '%' | '"' | '\'' | '\\'))
    {
        bail!(
            "{s}: sbatch options cannot hold a path with spaces, quotes, backslashes or '%'; \
             use another folder"
        );
    }
    Ok(())
}

/// Everything one stage's sbatch script says.
pub struct ScriptSpec<'a> {
    /// The stage the array runs.
    pub stage: &'a str,
    /// Tasks of the stage (the task count the markers name).
    pub tasks: usize,
    /// The tasks to run, in Slurm's array syntax (`0-2,5`).
    pub array: String,
    /// Where the jobs run (`--chdir`).
    pub chdir: &'a Path,
    /// The work directory, absolute.
    pub workdir: &'a Path,
    /// The program each task runs (`<exe> stage ...`).
    pub exe: &'a Path,
    /// The config path as first given to `submit`, relative to `chdir`.
    pub config: &'a str,
    /// `--partition`, `--cpus-per-task`, `--mem`, `--time`: left out when
    /// `None` (the cluster's default).
    pub partition: Option<&'a str>,
    pub cpus: Option<u32>,
    pub mem: Option<&'a str>,
    pub time: Option<&'a str>,
    /// The job this array waits for (`--dependency=afterok`).
    pub after: Option<&'a str>,
    /// Extra `#SBATCH` options, one per line.
    pub extra: &'a [String],
}

/// The sbatch script of one stage: a job array of its unfinished tasks.
pub fn sbatch_script(s: &ScriptSpec) -> Result<String> {
    let utf8 = |p: &Path| {
        p.to_str()
            .map(str::to_string)
            .with_context(|| format!("{}: not valid UTF-8", p.display()))
    };
    let workdir = utf8(s.workdir)?;
    let logs = format!("{workdir}/{SLURM_DIR}/logs/{}-%A_%a", s.stage);
    let mut out = String::new();
    let w = &mut out;
    writeln!(w, "#!/bin/bash")?;
    writeln!(
        w,
        "# corpusforge stage {:?}, {} tasks, as a Slurm job array; written by \
         `corpusforge slurm submit`.",
        s.stage, s.tasks
    )?;
    writeln!(w, "#SBATCH --job-name=corpusforge-{}", s.stage)?;
    writeln!(w, "#SBATCH --array={}", s.array)?;
    writeln!(w, "#SBATCH --chdir={}", utf8(s.chdir)?)?;
    writeln!(w, "#SBATCH --output={logs}.out")?;
    writeln!(w, "#SBATCH --error={logs}.err")?;
    if let Some(p) = s.partition {
        writeln!(w, "#SBATCH --partition={p}")?;
    }
    if let Some(c) = s.cpus {
        writeln!(w, "#SBATCH --cpus-per-task={c}")?;
    }
    if let Some(m) = s.mem {
        writeln!(w, "#SBATCH --mem={m}")?;
    }
    if let Some(t) = s.time {
        writeln!(w, "#SBATCH --time={t}")?;
    }
    if let Some(a) = s.after {
        writeln!(w, "#SBATCH --dependency=afterok:{a}")?;
    }
    writeln!(w, "#SBATCH --kill-on-invalid-dep=yes")?;
    for e in s.extra {
        writeln!(w, "#SBATCH {e}")?;
    }
    let config = sh_quote(s.config);
    let copy = sh_quote(&format!("{workdir}/{CONFIG_COPY}"));
    writeln!(w, "set -eu")?;
    // The task reads the config by the path it was submitted with: the
    // manifest records that path, so the release matches
    // `corpusforge build --config <same path>`. The copy made at submit
    // time guards against an edit in between.
    writeln!(w, "if ! cmp -s -- {config} {copy}; then")?;
    writeln!(
        w,
        "    echo \"corpusforge: {} differs from the copy made at submit time ({}); \
         submit again with --fresh\" >&2",
        s.config.replace(['"', '$', '`', '\\'], "_"),
        copy.replace(['"', '$', '`', '\\'], "_")
    )?;
    writeln!(w, "    exit 2")?;
    writeln!(w, "fi")?;
    // Threads: the CPUs Slurm gave the task (the bytes do not depend on it).
    writeln!(
        w,
        "exec {} stage {} --task \"$SLURM_ARRAY_TASK_ID\" --tasks {} --workdir {} --config {config} \
         --threads \"${{SLURM_CPUS_PER_TASK:-1}}\"",
        sh_quote(&utf8(s.exe)?),
        s.stage,
        s.tasks,
        sh_quote(&workdir),
    )?;
    Ok(out)
}

/// Quote for a POSIX shell.
pub fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_of_a_stage() {
        let extra = vec!["--account=proj".to_string()];
        let spec = ScriptSpec {
            stage: "process",
            tasks: 8,
            array: "0-2,5".into(),
            chdir: Path::new("/data/run"),
            workdir: Path::new("/data/run/work"),
            exe: Path::new("/opt/cf bin/corpusforge"),
            config: "configs/x.toml",
            partition: Some("short"),
            cpus: Some(4),
            mem: Some("8G"),
            time: Some("1:00:00"),
            after: Some("41"),
            extra: &extra,
        };
        let text = sbatch_script(&spec).unwrap();
        let expected = "\
#!/bin/bash
# corpusforge stage \"process\", 8 tasks, as a Slurm job array; written by `corpusforge slurm submit`.
#SBATCH --job-name=corpusforge-process
#SBATCH --array=0-2,5
#SBATCH --chdir=/data/run
#SBATCH --output=/data/run/work/slurm/logs/process-%A_%a.out
#SBATCH --error=/data/run/work/slurm/logs/process-%A_%a.err
#SBATCH --partition=short
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=1:00:00
#SBATCH --dependency=afterok:41
#SBATCH --kill-on-invalid-dep=yes
#SBATCH --account=proj
set -eu
if ! cmp -s -- configs/x.toml /data/run/work/config.toml; then
    echo \"corpusforge: configs/x.toml differs from the copy made at submit time (/data/run/work/config.toml); submit again with --fresh\" >&2
    exit 2
fi
exec '/opt/cf bin/corpusforge' stage process --task \"$SLURM_ARRAY_TASK_ID\" --tasks 8 --workdir /data/run/work --config configs/x.toml --threads \"${SLURM_CPUS_PER_TASK:-1}\"
";
        assert_eq!(text, expected);

        // The first stage: no dependency, no optional resources.
        let first = ScriptSpec {
            stage: "lines",
            after: None,
            partition: None,
            cpus: None,
            mem: None,
            time: None,
            extra: &[],
            ..spec
        };
        let text = sbatch_script(&first).unwrap();
        assert!(!text.contains("--dependency"), "{text}");
        assert!(!text.contains("--mem"), "{text}");
        assert!(
            text.contains("#SBATCH --kill-on-invalid-dep=yes\n"),
            "{text}"
        );
        assert!(text.contains(" stage lines --task "), "{text}");
    }

    #[test]
    fn unsafe_paths_are_refused() {
        assert!(sbatch_safe_path(Path::new("/a/b-c_d.e")).is_ok());
        assert!(sbatch_safe_path(Path::new("/a b")).is_err());
        assert!(sbatch_safe_path(Path::new("/a%b")).is_err());
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
        assert_eq!(sh_quote("/a/b"), "/a/b");
    }
}
