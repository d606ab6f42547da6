//! Progress bars: drawn on stderr only when it is a terminal and `--quiet` is not given, so
//! machine-readable output on stdout never mixes with them.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar with `template` (indicatif syntax), hidden when `quiet` or stderr is not a terminal.
/// `len` may be set later with `set_length`.
pub fn bar(quiet: bool, len: Option<u64>, template: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
    bar.set_style(ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()));
    bar
}
