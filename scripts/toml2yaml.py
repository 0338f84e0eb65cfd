#!/usr/bin/env python3
"""One-off converter: matrix/*.toml -> examples/yaml-matrix/*.yaml.

Keeps the comments that precede the file and each top-level section entry,
quotes every scalar YAML 1.1 or 1.2 could read as something else, and checks
the result with PyYAML (YAML 1.1 rules, the stricter ones) against tomllib.
"""
import re
import sys
import tomllib
from pathlib import Path

import yaml

SCHEMA = "# yaml-language-server: $schema=../../schema/escalate-matrix.schema.json"
WIDTH = 92

# Words YAML 1.1 reads as booleans or null.
SPECIAL_WORDS = {
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
}

PLAIN_RE = re.compile(r"^[A-Za-z][A-Za-z0-9 ._/()',;@-]*$")


def needs_quotes(s: str, flow: bool) -> bool:
    if s == "" or s != s.strip():
        return True
    if s.lower() in SPECIAL_WORDS:
        return True
    if not PLAIN_RE.match(s):
        return True
    if flow and re.search(r"[,\[\]{}]", s):
        return True
    if ": " in s or " #" in s or s.endswith(":"):
        return True
    return False


def dq(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{out}"'


def scalar(v, flow=False, key=None) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    assert isinstance(v, str), (key, v)
    # Durations (1h, 30m, 2bd, 1h30m, 90d) and kebab-case ids read as strings
    # in every YAML version: leave them plain.
    if re.fullmatch(r"(\d+(bd|d|h|m))+", v):
        return v
    if re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", v) and v not in SPECIAL_WORDS:
        return v
    if "\\" in v and "'" not in v and key == "regex":
        return "'" + v + "'"
    if needs_quotes(v, flow):
        return dq(v)
    return v


def is_scalar(v):
    return isinstance(v, (str, int, bool))


def flow_list(items, indent, prefix_len, key=None):
    """A flow sequence; wrapped onto continuation lines when long."""
    parts = [scalar(x, flow=True, key=key) for x in items]
    one = "[" + ", ".join(parts) + "]"
    if prefix_len + len(one) <= WIDTH and not any(x in INNER for x in items):
        return one
    lines = []
    cur = ""
    pad = " " * (indent + 2)
    for x, p in zip(items, parts):
        piece = p + ","
        if x in INNER:
            if cur:
                lines.append(pad + cur)
            lines.extend(pad + c for c in INNER[x])
            cur = piece
        elif cur and len(pad) + len(cur) + 1 + len(piece) > WIDTH:
            lines.append(pad + cur)
            cur = piece
        else:
            cur = piece if not cur else cur + " " + piece
    if cur:
        lines.append(pad + cur.rstrip(","))
    return "[\n" + "\n".join(lines) + "\n" + " " * indent + "]"


def block_text(v: str, indent: int) -> str:
    # TOML """...""" strings here never end with a newline: strip chomping.
    assert not v.endswith("\n")
    pad = " " * (indent + 2)
    return "|-\n" + "\n".join(pad + line if line else "" for line in v.split("\n"))


def emit_map(d: dict, indent: int, out: list, first_prefix=None):
    """Emit mapping entries at `indent`; the first line may carry a `- ` prefix."""
    for i, (k, v) in enumerate(d.items()):
        lead = first_prefix if (i == 0 and first_prefix is not None) else " " * indent
        emit_entry(k, v, indent, lead, out)


def emit_entry(k, v, indent, lead, out):
    head = f"{lead}{k}:"
    if isinstance(v, str) and "\n" in v:
        out.append(f"{head} {block_text(v, indent)}")
    elif is_scalar(v):
        out.append(f"{head} {scalar(v, key=k)}")
    elif isinstance(v, list) and all(is_scalar(x) for x in v):
        if k == "regex" or (k == "scope" and any(len(x) > 30 for x in v)):
            out.append(head)
            for x in v:
                for c in INNER.get(x, []):
                    out.append(f"{' ' * (indent + 2)}{c}")
                out.append(f"{' ' * (indent + 2)}- {scalar(x, key=k)}")
        else:
            out.append(f"{head} {flow_list(v, indent, len(head) + 1, key=k)}")
    elif isinstance(v, list):
        out.append(head)
        for item in v:
            emit_map(item, indent + 4, out, first_prefix=" " * (indent + 2) + "- ")
    elif isinstance(v, dict):
        if all(is_scalar(x) for x in v.values()) and k in ("dimensions", "when") and len(v) <= 3:
            inner = ", ".join(f"{kk}: {scalar(vv, flow=True)}" for kk, vv in v.items())
            # A comparison such as ">= regulated" starts with an indicator: quote it.
            inner = ", ".join(f"{kk}: {dq(vv)}" for kk, vv in v.items())
            out.append(f"{head} {{{inner}}}")
        else:
            out.append(head)
            emit_map(v, indent + 2, out)
    else:
        raise TypeError((k, v))


def first_literal(line: str):
    """The first TOML string literal on an array line, as its value."""
    m = re.match(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*')""", line)
    if not m:
        return None
    return tomllib.loads("x = " + m.group(1))["x"]


def comment_blocks(text: str):
    """Header comment, comments attached to (section, index) entries, and
    comments inside arrays keyed by the element that follows them."""
    lines = text.split("\n")
    header = []
    i = 0
    while i < len(lines) and lines[i].startswith("#"):
        if not lines[i].startswith("#:schema"):
            header.append(lines[i])
        i += 1
    attached = {}
    inner = {}
    keyed = {}
    current = None
    counts = {}
    pending = []
    pending_inner = []
    in_array = False
    for line in lines[i:]:
        stripped = line.strip()
        if in_array:
            if stripped.startswith("#"):
                pending_inner.append(stripped)
                continue
            if stripped == "]":
                in_array = False
                continue
            if pending_inner:
                value = first_literal(line)
                assert value is not None, line
                inner[value] = pending_inner
                pending_inner = []
            continue
        if line.startswith("#"):
            pending.append(line)
            continue
        if re.search(r"=\s*\[\s*$", line):
            in_array = True
        m = re.match(r"^\[\[?([A-Za-z_]+)\]\]?\s*$", line)
        if m:
            sec = m.group(1)
            idx = counts.get(sec, 0)
            counts[sec] = idx + 1
            current = (sec, idx)
            if pending:
                attached[(sec, idx)] = pending
        else:
            k = re.match(r"^([A-Za-z_.]+)\s*=", line)
            if k and pending:
                # A comment on a key inside an entity: keep it at that key.
                keyed[(current, k.group(1))] = pending
        if stripped:
            pending = []
    return header, attached, inner, keyed


INNER = {}


def divide(comment: str) -> str:
    """Divider comments lose two dashes, as they move in by two spaces."""
    return comment.replace("# --", "# ", 1) if comment.startswith("# ---") else comment


# Hand edits: TOML wording in comments, and notes on YAML quoting.
EDITS = {
    "rules.yaml": [
        ("# 3. The decision matrix (decisions.toml) raises the severity further.",
         "# 3. The decision matrix (decisions.yaml) raises the severity further."),
        ("# 4. Nothing matched: the [fallback] route applies, with low confidence.",
         "# 4. Nothing matched: the `fallback` route (manifest.yaml) applies, with\n#    low confidence."),
        ('# word endings ("fail" matches "failed" and "failure").\n',
         '# word endings ("fail" matches "failed" and "failure").\n#\n'
         '# In YAML, quote a phrase that starts with a digit ("429", "2fa") and write\n'
         '# regular expressions in single quotes, where a backslash stays a backslash.\n'),
    ],
    "calendars.yaml": [
        ("# clock runs only inside windows, never on holidays or inside exclusions.\n",
         "# clock runs only inside windows, never on holidays or inside exclusions.\n"
         '# Quote times and dates ("08:00", "2026-12-25"): YAML 1.1 readers take an\n'
         "# unquoted 08:00 for the number 480 and a date for a timestamp.\n"),
    ],
    "people.yaml": [
        ("# review cadence are flagged by `escalate validate` and `escalate review`.\n",
         "# review cadence are flagged by `escalate validate` and `escalate review`.\n"
         '# Quote chat handles ("#channel", "@person"), phone numbers and dates: an\n'
         "# unquoted # starts a comment and @ cannot start a plain YAML value.\n"),
    ],
}


def convert(src: Path, dst: Path):
    text = src.read_text()
    data = tomllib.loads(text)
    header, attached, inner, keyed = comment_blocks(text)
    INNER.clear()
    INNER.update(inner)
    out = [SCHEMA]
    out += header
    for sec, value in data.items():
        out.append("")
        if isinstance(value, dict):
            if (sec, 0) in attached:
                out += attached[(sec, 0)]
            out.append(f"{sec}:")
            emit_map(value, 2, out)
        else:
            first = attached.get((sec, 0), [])
            divider = bool(first) and first[0].startswith("# ---")
            if first and not divider:
                out += first
            out.append(f"{sec}:")
            for idx, item in enumerate(value):
                if idx > 0:
                    out.append("")
                if (idx > 0 or divider) and (sec, idx) in attached:
                    out += ["  " + divide(c) for c in attached[(sec, idx)]]
                emit_map(item, 4, out, first_prefix="  - ")
    body = "\n".join(out) + "\n"
    body = re.sub(r"\n{3,}", "\n\n", body)
    for ((sec, idx), dotted), comments in keyed.items():
        # Find the entity by its id, then the key's line below it.
        entity_id = data[sec][idx]["id"]
        lines = body.split("\n")
        start = lines.index(f"  - id: {scalar(entity_id)}")
        last = dotted.split(".")[-1]
        at = next(i for i in range(start + 1, len(lines)) if re.match(rf"^\s+{last}:", lines[i]))
        pad = re.match(r"^\s*", lines[at]).group(0)
        lines[at:at] = [pad + c for c in comments]
        body = "\n".join(lines)
    for before, after in EDITS.get(dst.name, []):
        assert before in body, (dst.name, before)
        body = body.replace(before, after)
    leftover = [l for l in body.split("\n") if l.lstrip().startswith("#") and (".toml" in l or "[[" in l or "[fallback]" in l)]
    if leftover:
        print(f"{dst.name}: TOML wording left in comments: {leftover}", file=sys.stderr)
    dst.write_text(body)
    back = yaml.safe_load(body)
    if back != data:
        print(f"MISMATCH in {dst}", file=sys.stderr)
        sys.exit(1)


def main():
    src_dir = Path(sys.argv[1])
    dst_dir = Path(sys.argv[2])
    dst_dir.mkdir(parents=True, exist_ok=True)
    for src in sorted(src_dir.glob("*.toml")):
        convert(src, dst_dir / (src.stem + ".yaml"))
        print("wrote", dst_dir / (src.stem + ".yaml"))


if __name__ == "__main__":
    main()
