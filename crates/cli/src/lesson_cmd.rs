//! `kubesim lesson ...`: the lesson author's tools.
//!
//! - `kubesim lesson check [--update] [PATHS]`: runs every lesson's reference
//!   solution (default: every `.md` under `lessons/` except README.md) and
//!   reports, per lesson, the failing step and a diff; exits 1 if any lesson
//!   fails. `--update` rewrites differing `console` outputs with what kubesim
//!   printed (read the diff before committing, as with `UPDATE_EXPECT=1`).
//! - `kubesim lesson new ID [DIR]`: writes a lesson skeleton to `DIR/ID.md`
//!   (default `lessons/`), one that `lesson check` passes as written.
//! - `kubesim lesson show FILE`: prints the parsed lesson as JSON (what the web
//!   app receives).

use std::path::{Path, PathBuf};

const USAGE: &str = "\
Usage:
  kubesim lesson check [--update] [PATHS...]
                                    run lessons' reference solutions (default: lessons/);
                                    --update rewrites console outputs that differ
  kubesim lesson new ID [DIR]       scaffold DIR/ID.md (default DIR: lessons)
  kubesim lesson show FILE          print the parsed lesson as JSON
";

/// Runs `kubesim lesson ARGS`; returns the exit code.
pub fn run(args: &[String]) -> i32 {
    match args.first().map(String::as_str) {
        Some("check") => {
            let update = args.get(1).is_some_and(|a| a == "--update");
            let rest = &args[if update { 2 } else { 1 }..];
            let paths: Vec<String> = if rest.is_empty() { vec!["lessons".to_string()] } else { rest.to_vec() };
            let mut out = String::new();
            let ok = check(&paths, update, &mut out);
            print!("{out}");
            if ok {
                0
            } else {
                1
            }
        }
        Some("new") if args.len() == 2 || args.len() == 3 => {
            let dir = args.get(2).map_or("lessons", String::as_str);
            new_lesson(&args[1], Path::new(dir))
        }
        Some("show") if args.len() == 2 => show(&args[1]),
        _ => {
            eprint!("{USAGE}");
            2
        }
    }
}

/// Lesson files under the given paths: files as given, directories searched
/// recursively for `.md` files other than README.md, sorted.
fn lesson_files(paths: &[String]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for p in paths {
        let path = PathBuf::from(p);
        if path.is_dir() {
            collect(&path, &mut files).map_err(|e| format!("{p}: {e}"))?;
        } else if path.is_file() {
            files.push(path);
        } else {
            return Err(format!("{p}: no such file or directory"));
        }
    }
    Ok(files)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "md")
            && path.file_name().is_some_and(|n| !n.eq_ignore_ascii_case("README.md"))
        {
            files.push(path);
        }
    }
    Ok(())
}

/// Checks every lesson under `paths`, writing the report into `out`; with
/// `update`, rewrites console outputs that differ.
pub fn check(paths: &[String], update: bool, out: &mut String) -> bool {
    let files = match lesson_files(paths) {
        Ok(f) => f,
        Err(e) => {
            out.push_str(&format!("kubesim: {e}\n"));
            return false;
        }
    };
    if files.is_empty() {
        out.push_str("kubesim: no lessons found\n");
        return false;
    }
    // Parse everything first, so that ids and prerequisites can be checked across
    // the lessons of this run.
    let mut parsed = Vec::new();
    let mut failed = 0;
    for file in &files {
        let name = file.display().to_string();
        match std::fs::read_to_string(file) {
            Ok(source) => match lesson::parse_lesson(&name, &source) {
                Ok(l) => parsed.push(l),
                Err(errors) => {
                    failed += 1;
                    out.push_str(&format!("FAIL {name}: malformed lesson\n{errors}\n"));
                }
            },
            Err(e) => {
                failed += 1;
                out.push_str(&format!("FAIL {name}: {e}\n"));
            }
        }
    }
    // Prerequisites can only be judged when whole directories are checked.
    let whole_course = paths.iter().any(|p| Path::new(p).is_dir());
    let ids: Vec<String> = parsed.iter().map(|l| l.meta.id.clone()).collect();
    for (i, lesson) in parsed.iter().enumerate() {
        let name = &lesson.file;
        let mut problems = Vec::new();
        if ids[..i].contains(&lesson.meta.id) {
            problems.push(format!("the id {:?} is used by another lesson", lesson.meta.id));
        }
        if whole_course {
            for p in lesson.meta.prerequisites.iter().filter(|p| !ids.contains(p)) {
                problems.push(format!("unknown prerequisite {p:?}"));
            }
        }
        if !problems.is_empty() {
            failed += 1;
            out.push_str(&format!("FAIL {name} ({}): {}\n", lesson.meta.id, problems.join("; ")));
            continue;
        }
        let report = lesson::check_lesson(lesson);
        if update && !report.transcripts.is_empty() {
            let rewritten = std::fs::read_to_string(name).map(|source| lesson::update_transcripts(&source, &report));
            match rewritten {
                Ok((text, n)) => match std::fs::write(name, text) {
                    Ok(()) => out.push_str(&format!("updated {n} console outputs in {name}\n")),
                    Err(e) => out.push_str(&format!("kubesim: {name}: {e}\n")),
                },
                Err(e) => out.push_str(&format!("kubesim: {name}: {e}\n")),
            }
        }
        if report.passed() {
            out.push_str(&format!("ok   {name} ({}, {} steps)\n", report.id, report.steps));
            continue;
        }
        failed += 1;
        out.push_str(&format!(
            "FAIL {name} ({}): {} of {} steps pass\n",
            report.id,
            report.steps_passed(),
            report.steps
        ));
        for f in &report.failures {
            let step = match &f.step {
                Some((i, title)) => format!("step {} \"{title}\"", i + 1),
                None => "setup".to_string(),
            };
            out.push_str(&format!("  {name}:{}: {step}: {}\n", f.line, f.message));
            for line in f.diff.lines() {
                out.push_str(&format!("      {line}\n"));
            }
        }
    }
    out.push_str(&format!("{} lessons, {} passed, {} failed\n", files.len(), files.len() - failed, failed));
    failed == 0
}

fn show(path: &str) -> i32 {
    let source = match std::fs::read_to_string(path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kubesim: {path}: {e}");
            return 2;
        }
    };
    match lesson::parse_lesson(path, &source) {
        Ok(l) => match serde_json::to_string_pretty(&l) {
            Ok(json) => {
                println!("{json}");
                0
            }
            Err(e) => {
                eprintln!("kubesim: {e}");
                1
            }
        },
        Err(errors) => {
            eprintln!("{errors}");
            1
        }
    }
}

fn new_lesson(id: &str, dir: &Path) -> i32 {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        eprintln!("kubesim: lesson id {id:?} must be lowercase letters, digits and dashes");
        return 2;
    }
    let path = dir.join(format!("{id}.md"));
    if path.exists() {
        eprintln!("kubesim: {} already exists", path.display());
        return 1;
    }
    if let Err(e) = std::fs::create_dir_all(dir).and_then(|_| std::fs::write(&path, scaffold(id))) {
        eprintln!("kubesim: {}: {e}", path.display());
        return 1;
    }
    println!("created {}", path.display());
    0
}

/// A lesson skeleton that passes `lesson check` as written.
pub fn scaffold(id: &str) -> String {
    format!(
        r#"---
id: {id}
title: "TODO: title"
summary: "TODO: one sentence on what the learner will be able to do."
order: 100
minutes: 10
prerequisites: []
cluster:
  workers: 2
---

TODO: why this lesson matters, in two or three sentences.

## Look at the cluster

Every lesson starts on a fresh kind-like cluster. List its nodes:

```bash run
kubectl get nodes
```

```check
- output_contains: kind-control-plane
  hint: Run `kubectl get nodes`.
```

```quiz
id: {id}-nodes
question: How many worker nodes does this cluster have?
choices:
  - text: One
    explain: Count the nodes whose ROLES column is `<none>`.
  - text: Two
    correct: true
    explain: kind-worker and kind-worker2; the third node is the control plane.
```
"#
    )
}
