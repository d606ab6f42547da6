//! The static build: render every file into a fresh folder beside the output,
//! then swap it in, so a failed build never leaves a half-written site. An
//! existing output folder is replaced only when it is empty or was written by
//! detwiki (it holds `.detwiki-site`).

use std::path::{Path, PathBuf};

use detwiki_catalog::Catalog;

use crate::{Error, Options, Stats, render};

fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io { path: path.display().to_string(), source }
}

fn check_replaceable(out: &Path) -> Result<(), Error> {
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        return Err(Error::Refused(format!("{} exists and is not a folder", out.display())));
    }
    let marker = out.join(".detwiki-site");
    let empty = std::fs::read_dir(out).map_err(|e| io(out, e))?.next().is_none();
    if marker.is_file() || empty {
        Ok(())
    } else {
        Err(Error::Refused(format!(
            "{} holds files that detwiki did not write; choose another --out or remove it",
            out.display()
        )))
    }
}

fn sibling(out: &Path, tag: &str) -> PathBuf {
    let name = out.file_name().map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    parent.join(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Build the site into `out`. `total` gets the number of files, `tick` runs once per file written.
pub fn build(
    cat: &Catalog,
    opts: &Options,
    out: &Path,
    total: &dyn Fn(usize),
    tick: &(dyn Fn() + Sync),
) -> Result<Stats, Error> {
    check_replaceable(out)?;
    let tmp = sibling(out, "tmp");
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| io(&tmp, e))?;
    }
    std::fs::create_dir_all(&tmp).map_err(|e| io(&tmp, e))?;
    // Folders already made: most files share theirs (a mkdir per file is two wasted syscalls).
    let made = std::sync::Mutex::new(std::collections::HashSet::<PathBuf>::new());
    let result = render(cat, opts, total, &|rel, bytes| {
        let path = tmp.join(rel);
        if let Some(dir) = path.parent() {
            // Made under the lock, so no file is written before its folder exists.
            let mut made = made.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if !made.contains(dir) {
                std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
                made.insert(dir.to_path_buf());
            }
        }
        std::fs::write(&path, bytes).map_err(|e| io(&path, e))?;
        tick();
        Ok(())
    });
    let stats = match result {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    swap_in(&tmp, out)?;
    Ok(stats)
}

fn swap_in(tmp: &Path, out: &Path) -> Result<(), Error> {
    let old = sibling(out, "old");
    let had_old = out.exists();
    if had_old {
        std::fs::rename(out, &old).map_err(|e| io(out, e))?;
    }
    if let Err(e) = std::fs::rename(tmp, out) {
        if had_old {
            let _ = std::fs::rename(&old, out);
        }
        let _ = std::fs::remove_dir_all(tmp);
        return Err(io(out, e));
    }
    if had_old {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_foreign_folder_and_replaces_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("precious.txt"), "keep me").unwrap();
        let cat = crate::demo::catalog();
        let err = build(&cat, &Options::default(), &out, &|_| {}, &|| {}).unwrap_err();
        assert!(matches!(err, Error::Refused(_)));
        assert!(out.join("precious.txt").exists());
        std::fs::remove_file(out.join("precious.txt")).unwrap();
        build(&cat, &Options::default(), &out, &|_| {}, &|| {}).unwrap();
        build(&cat, &Options::default(), &out, &|_| {}, &|| {}).unwrap();
        assert!(out.join("index.html").is_file());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("site")], "no temporary folders left");
    }
}
