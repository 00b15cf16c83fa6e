//! `kubesim lesson check` and `kubesim lesson new` as an author uses them: the
//! fixture lessons in `tests/lessons/` (one that must pass, one that must fail),
//! and a freshly scaffolded lesson, which must pass as written.

use std::path::PathBuf;
use std::process::Command;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn kubesim(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_kubesim"))
        .args(args)
        .current_dir(repo_root())
        .output()
        .unwrap_or_else(|e| panic!("cannot run kubesim: {e}"));
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn lesson_check_passes_the_fixture_lesson() {
    let (stdout, stderr, code) = kubesim(&["lesson", "check", "tests/lessons/get-nodes.md"]);
    assert_eq!(
        stdout, "ok   tests/lessons/get-nodes.md (fixture-get-nodes, 2 steps)\n1 lessons, 1 passed, 0 failed\n",
        "{stderr}"
    );
    assert_eq!(code, 0);
}

#[test]
fn lesson_check_reports_the_failing_step_with_a_diff() {
    let (stdout, _, code) = kubesim(&["lesson", "check", "tests/lessons/get-nodes-broken.md"]);
    assert_eq!(code, 1);
    let name = "tests/lessons/get-nodes-broken.md";
    assert!(stdout.starts_with(&format!("FAIL {name} (fixture-get-nodes-broken): 0 of 2 steps pass\n")), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "  {name}:12: step 1 \"A transcript that lies\": console output differs: $ kubectl get nodes\n"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("      - \"kind-worker3         Ready    <none>          10m   v1.32.2\\n\"\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("      + \"kind-worker2         Ready    <none>          10m   v1.32.2\\n\"\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("step 2 \"A check that cannot pass\": check failed: namespace/nowhere not found"),
        "{stdout}"
    );
    assert!(stdout.ends_with("1 lessons, 0 passed, 1 failed\n"), "{stdout}");
}

#[test]
fn a_scaffolded_lesson_passes_lesson_check() {
    let dir = std::env::temp_dir().join(format!("kubesim-lesson-new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir_str = dir.to_string_lossy().into_owned();
    let (stdout, stderr, code) = kubesim(&["lesson", "new", "my-first-lesson", &dir_str]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, format!("created {dir_str}/my-first-lesson.md\n"));
    // Refuses to overwrite.
    let (_, stderr, code) = kubesim(&["lesson", "new", "my-first-lesson", &dir_str]);
    assert_eq!(code, 1);
    assert!(stderr.contains("already exists"), "{stderr}");
    let (stdout, _, code) = kubesim(&["lesson", "check", &dir_str]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.starts_with(&format!("ok   {dir_str}/my-first-lesson.md (my-first-lesson, 1 steps)\n")), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn malformed_lessons_and_bad_usage_fail_clearly() {
    let dir = std::env::temp_dir().join(format!("kubesim-lesson-bad-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join("bad.md");
    std::fs::write(&file, "---\nid: Bad Id\ntitle: x\n---\n## S\n").unwrap_or_else(|e| panic!("{e}"));
    let path = file.to_string_lossy().into_owned();
    let (stdout, _, code) = kubesim(&["lesson", "check", &path]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains(&format!(
            "FAIL {path}: malformed lesson\n{path}:2:1: front matter: id \"Bad Id\" must be lowercase letters, digits and dashes\n"
        )),
        "{stdout}"
    );
    // A lesson whose prerequisite is not in the directory.
    std::fs::write(&file, kubesim_scaffold_with_prerequisite()).unwrap_or_else(|e| panic!("{e}"));
    let dir_str = dir.to_string_lossy().into_owned();
    let (stdout, _, code) = kubesim(&["lesson", "check", &dir_str]);
    assert_eq!(code, 1);
    assert!(stdout.contains(&format!("FAIL {path} (needs-more): unknown prerequisite \"nowhere\"\n")), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
    let (_, stderr, code) = kubesim(&["lesson", "frobnicate"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("kubesim lesson check [--update] [PATHS...]"), "{stderr}");
}

fn kubesim_scaffold_with_prerequisite() -> String {
    "---\nid: needs-more\ntitle: T\nprerequisites: [nowhere]\n---\n## S\n\n```bash run\nkubectl get nodes\n```\n"
        .to_string()
}

#[test]
fn lesson_check_update_rewrites_console_outputs() {
    let dir = std::env::temp_dir().join(format!("kubesim-lesson-update-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join("nodes.md");
    let broken = std::fs::read_to_string(repo_root().join("tests/lessons/get-nodes-broken.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&file, &broken).unwrap_or_else(|e| panic!("{e}"));
    let path = file.to_string_lossy().into_owned();
    let (stdout, _, code) = kubesim(&["lesson", "check", "--update", &path]);
    assert_eq!(code, 1, "the other failures remain");
    assert!(stdout.starts_with(&format!("updated 1 console outputs in {path}\n")), "{stdout}");
    let updated = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(updated, broken.replace("kind-worker3 ", "kind-worker2 "));
    // Now the transcript matches; only the failing command and check are left.
    let (stdout, _, _) = kubesim(&["lesson", "check", &path]);
    assert!(!stdout.contains("console output differs"), "{stdout}");
    assert!(stdout.contains("step 2 \"A check that cannot pass\""), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}
