//! Progress bars on stderr (hidden when disabled or when stderr is no TTY).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub fn progress_bar(enabled: bool, len: u64, what: &'static str) -> ProgressBar {
    let bar = if enabled {
        ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>8} [{bar:40}] {percent:>3}% {elapsed_precise} eta {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_prefix(what);
    bar
}
