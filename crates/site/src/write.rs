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
    // Folders holding one page and nothing else are made by the writer of that page, the rest
    // before any file is written.
    let own_folder: std::sync::OnceLock<std::collections::HashSet<String>> = std::sync::OnceLock::new();
    let start = |files: &[String]| {
        total(files.len());
        let (shared, own) = folders(files);
        for dir in shared {
            let path = tmp.join(dir);
            std::fs::create_dir(&path).map_err(|e| io(&path, e))?;
        }
        let _ = own_folder.set(own.into_iter().map(str::to_string).collect());
        Ok(())
    };
    let result = render(cat, opts, &start, &|rel, bytes| {
        let path = tmp.join(rel);
        if let Some(dir) = rel.strip_suffix("/index.html").filter(|d| own_folder.get().is_some_and(|o| o.contains(*d)))
        {
            let dir = tmp.join(dir);
            std::fs::create_dir(&dir).map_err(|e| io(&dir, e))?;
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

/// The folders of `files` (site-relative): those that hold other folders or more than one
/// file, parents first; and those that hold nothing but one page (`x/index.html`).
fn folders(files: &[String]) -> (Vec<&str>, Vec<&str>) {
    use std::collections::{BTreeMap, BTreeSet};
    // Folder → whether it holds anything but its own index.html.
    let mut all: BTreeMap<&str, bool> = BTreeMap::new();
    for f in files {
        let mut first = true;
        for (i, _) in f.rmatch_indices('/') {
            let dir = &f[..i];
            let more = !(first && &f[i..] == "/index.html");
            let held = all.entry(dir).or_insert(false);
            *held |= more;
            first = false;
        }
    }
    let own: BTreeSet<&str> = all.iter().filter(|(_, more)| !**more).map(|(d, _)| *d).collect();
    // Parents sort before their children.
    let shared = all.keys().copied().filter(|d| !own.contains(d)).collect();
    (shared, own.into_iter().collect())
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
