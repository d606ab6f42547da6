//! The yardstick of `bench/hunt-vs-json.sh`: every line of a JSON-lines file parsed into a
//! `serde_json::Value` and dropped, on one thread, read the way `detwiki hunt` reads it
//! (a buffered reader, line by line into one reused buffer). Nothing else: no field is looked
//! at. Prints the number of values parsed (and of lines that did not parse).
//!
//! `json_parse FILE.jsonl`

use std::io::BufRead;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: json_parse FILE.jsonl");
        std::process::exit(2);
    };
    let file = std::fs::File::open(&path).unwrap_or_else(|e| {
        eprintln!("json_parse: {path}: {e}");
        std::process::exit(2);
    });
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    let mut line = Vec::with_capacity(1 << 16);
    let (mut values, mut bad) = (0u64, 0u64);
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                eprintln!("json_parse: {path}: {e}");
                std::process::exit(1);
            }
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<serde_json::Value>(text) {
            Ok(v) => {
                std::hint::black_box(&v);
                values += 1;
            }
            Err(_) => bad += 1,
        }
    }
    println!("{values} values, {bad} lines not JSON");
}
