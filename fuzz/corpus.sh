#!/usr/bin/env bash
# Builds fuzz/corpus/TARGET/ seed files from the repo's own examples:
# - shell_line: every `$ ` command of tests/transcripts/*.txt (with its `> ` lines)
# - kubectl_args: the kubectl commands among them, one argument per line
# - manifest_apply: heredoc bodies of those commands (YAML/JSON manifests)
# - lesson_parse: lessons/*.md
# - persist_restore: splice seeds (see the target) and small documents
set -euo pipefail
cd "$(dirname "$0")"
root=..
mkdir -p corpus/shell_line corpus/kubectl_args corpus/manifest_apply corpus/lesson_parse corpus/persist_restore
python3 - "$root" <<'PY'
import hashlib, glob, os, shlex, sys
root = sys.argv[1]
def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join("corpus", target, name), "wb") as f:
        f.write(data)
for path in sorted(glob.glob(os.path.join(root, "tests/transcripts/*.txt"))):
    cmd = None
    cmds = []
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("$ "):
            if cmd is not None: cmds.append(cmd)
            cmd = line[2:]
        elif line.startswith("> ") and cmd is not None:
            cmd += "\n" + line[2:]
    if cmd is not None: cmds.append(cmd)
    for c in cmds:
        put("shell_line", c)
        first = c.split("\n", 1)
        if first[0].startswith("kubectl "):
            try:
                words = shlex.split(first[0].split("<<")[0].split("|")[0])[1:]
            except ValueError:
                continue
            stdin = ""
            if len(first) > 1:
                body = first[1].rsplit("\n", 1)[0]
                stdin = "\n\n" + body
                put("manifest_apply", body)
            put("kubectl_args", "\n".join(words) + stdin)
for path in sorted(glob.glob(os.path.join(root, "lessons/*.md"))):
    put("lesson_parse", open(path, "rb").read())
for seed in [b"\x10\x00\x05null", b"\x80\x00\x00\"", b"\x40\x00\x10[]", b"\xff\xff\x00}", b"\x00\x00\x00{"]:
    put("persist_restore", seed)
put("persist_restore", '{"kubesim_state_version":1,"clock":0,"rng_state":"1","resource_version":"1","objects":[]}')
PY
for t in corpus/*; do echo "$t: $(ls "$t" | wc -l) seeds"; done
