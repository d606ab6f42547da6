//! Writing to stdout: a reader that closes it early (`detwiki … | head`) ends the command
//! normally, with its usual exit code and nothing on stderr.

use crate::Outcome;

/// True when `e` (or what caused it) is a write to a closed pipe.
pub fn is_closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

/// The outcome once the output is written: `outcome` when it was written or its reader went
/// away, the error otherwise.
pub fn written<E: Into<anyhow::Error>>(result: Result<(), E>, outcome: Outcome) -> anyhow::Result<Outcome> {
    match result.map_err(Into::into) {
        Ok(()) => Ok(outcome),
        Err(e) if is_closed_pipe(&e) => Ok(outcome),
        Err(e) => Err(e),
    }
}
