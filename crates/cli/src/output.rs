//! Writing to stdout: a reader that closes it early (`detwiki … | head`) ends the command
//! normally, with its usual exit code and nothing on stderr.

use std::process::ExitCode;

/// True when `e` (or what caused it) is a write to a closed pipe.
pub fn is_closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

/// The exit code once the output is written: `code` when it was written or its reader went
/// away, the error otherwise.
pub fn written<E: Into<anyhow::Error>>(result: Result<(), E>, code: ExitCode) -> anyhow::Result<ExitCode> {
    match result.map_err(Into::into) {
        Ok(()) => Ok(code),
        Err(e) if is_closed_pipe(&e) => Ok(code),
        Err(e) => Err(e),
    }
}
