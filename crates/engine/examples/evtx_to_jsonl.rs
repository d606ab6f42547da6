//! Print every record of EVTX files as one JSON object per line, as the `evtx`
//! crate renders it (the shape of `evtx_dump -o jsonl`): for reading events
//! by hand with jq, and for feeding peers that take JSON.
//!
//! `cargo run --release -p detwiki-engine --example evtx_to_jsonl -- FILE.evtx… > events.jsonl`

use std::io::Write;

fn main() -> std::io::Result<()> {
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    for path in std::env::args_os().skip(1) {
        let mut parser = match evtx::EvtxParser::from_path(&path) {
            Ok(p) => p.with_configuration(evtx::ParserSettings::new().num_threads(1)),
            Err(e) => {
                eprintln!("{}: {e}", path.to_string_lossy());
                continue;
            }
        };
        for record in parser.records_json_bytes() {
            match record {
                Ok(r) => {
                    out.write_all(&r.data)?;
                    out.write_all(b"\n")?;
                }
                Err(e) => eprintln!("{}: {e}", path.to_string_lossy()),
            }
        }
    }
    out.flush()
}
