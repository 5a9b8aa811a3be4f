#!/usr/bin/env python3
"""Validate mcpmon JSON documents against schema/report.v1.json (JSON Schema draft 2020-12).

    scripts/validate-json.py SCHEMA FILE...

Each FILE holds one document (`--format json`), JSON Lines (`--format jsonl`, one document a line), or an
insta snapshot (`.snap`: the document after its `---` header, or its `--- Json` and `--- Jsonl` sections). Needs the `jsonschema` package (installed
into the peers' venv by scripts/peers.sh). Prints one line per violation, `FILE[:LINE]: /json/path: message`,
and exits 1 if there is any, 0 when every document is valid, 2 on a file that is not JSON at all.
"""
import json
import sys

from jsonschema import Draft202012Validator


def documents(path):
    text = open(path, encoding="utf-8").read()
    if path.endswith(".snap"):
        # insta: "---\nsource: …\nexpression: …\n---\n" then the snapshot
        parts = text.split("---\n", 2)
        text = parts[2] if len(parts) == 3 else text
        # a snapshot of every format: the "--- Json" and "--- Jsonl" sections
        sections = {}
        name = None
        for n, line in enumerate(text.splitlines(), 1):
            if line.startswith("--- ") and line[4:].isalpha():
                name = line[4:]
                sections[name] = []
            elif name is not None:
                sections[name].append(line)
        if "Json" in sections or "Jsonl" in sections:
            if "Json" in sections:
                yield "Json", json.loads("\n".join(sections["Json"]))
            for k, line in enumerate(sections.get("Jsonl", []), 1):
                if line.strip():
                    yield f"Jsonl:{k}", json.loads(line)
            return
    try:
        yield None, json.loads(text)
        return
    except json.JSONDecodeError:
        pass
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            yield n, json.loads(line)


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    schema = json.load(open(argv[1], encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    bad = 0
    count = 0
    for path in argv[2:]:
        try:
            docs = list(documents(path))
        except (OSError, json.JSONDecodeError) as e:
            print(f"{path}: not JSON: {e}")
            return 2
        for line, doc in docs:
            count += 1
            where = path if line is None else f"{path}:{line}"
            for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
                pointer = "/" + "/".join(str(p) for p in err.absolute_path)
                print(f"{where}: {pointer}: {err.message[:300]}")
                bad += 1
    print(f"{count} document(s), {bad} violation(s)", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
