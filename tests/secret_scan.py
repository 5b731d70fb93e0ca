"""Finds secret values in test artifacts, in every encoding output commonly carries.

Written independently of the runtime's redaction (it is the oracle the redaction is
checked against). ``scan(items, values)`` takes files, folders (searched recursively),
bytes or text, and the secret values; it returns one ``Hit`` per (item, value, encoding)
found. Encodings: the exact value; Python ``repr`` of the text and of its UTF-8 bytes;
JSON (ASCII and not) and JSON inside JSON; HTML-escaped (``&#x27;``, ``&#39;``,
``&quot;`` or quotes left alone); URL-encoded (``quote``, ``quote_plus``); base64
(standard and URL-safe, the three byte alignments); hex; and a prefix of at least
``MIN_PREFIX`` characters of the value (or its escaped forms) followed by ``...`` or
``…`` (a truncated column); each line (>= ``MIN_PREFIX`` characters) of a multi-line value.

Command line (exit status 1 when anything is found; values never printed)::

    python tests/secret_scan.py --env SECRET_VAR [--env ...] [--values-file F] PATH...

``--values-file``: one value per line, or a JSON list of strings.
"""

import argparse
import base64
import html
import json
import os
import pathlib
import sys
import urllib.parse
from collections import namedtuple

MIN_PREFIX = 8
MIN_ENCODED = 6
Hit = namedtuple("Hit", ["item", "value_index", "encoding", "offset"])


def _base64(data):
    out = {}
    for offset in range(3):
        padded = b"\0" * offset + data
        first = (offset * 8 + 5) // 6
        last = len(padded) * 8 // 6
        for name, encode in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
            text = encode(padded).decode("ascii")[first:last]
            out[f"{name}@{offset}"] = text
    return out


def encodings(value):
    """{encoding name: text} for one secret value (str)."""
    data = value.encode("utf-8", "surrogatepass")
    forms = {"exact": value}
    forms["repr"] = repr(value)[1:-1]
    forms["repr-quoted"] = repr(value + "'\"")[1:-4]
    forms["bytes-repr"] = repr(data)[2:-1]
    forms["bytes-repr-quoted"] = repr(data + b"'\"")[2:-4]
    forms["json"] = json.dumps(value)[1:-1]
    forms["json-unicode"] = json.dumps(value, ensure_ascii=False)[1:-1]
    forms["json-in-json"] = json.dumps(forms["json"])[1:-1]
    forms["json-unicode-in-json"] = json.dumps(forms["json-unicode"])[1:-1]
    forms["html"] = html.escape(value)
    forms["html-noquote"] = html.escape(value, quote=False)
    forms["html-39"] = html.escape(value, quote=False).replace("'", "&#39;").replace('"', "&quot;")
    forms["html-repr"] = html.escape(forms["repr"])
    forms["html-json"] = html.escape(forms["json"], quote=False)
    forms["url"] = urllib.parse.quote(value, safe="")
    forms["url-path"] = urllib.parse.quote(value)
    forms["url-plus"] = urllib.parse.quote_plus(value)
    forms.update(_base64(data))
    forms["hex"] = data.hex()
    forms["HEX"] = data.hex().upper()
    lines = value.splitlines()
    if len(lines) > 1:
        for number, line in enumerate(lines, 1):
            if len(line) >= MIN_PREFIX:
                forms[f"line-{number}"] = line
                forms[f"line-{number}-json"] = json.dumps(line)[1:-1]
    return {k: v for k, v in forms.items() if k == "exact" or len(v) >= MIN_ENCODED}


def _prefix_hits(text, form):
    """Offsets where a start of `form` (>= MIN_PREFIX chars, not all of it) precedes a truncation mark."""
    hits = []
    for mark in ("...", "\u2026"):
        i = text.find(mark)
        while i >= 0:
            for length in range(min(len(form) - 1, i), MIN_PREFIX - 1, -1):
                if text.startswith(form[:length], i - length):
                    hits.append(i - length)
                    break
            i = text.find(mark, i + 1)
    return hits


def scan_text(text, values, item="<text>"):
    """Every hit of `values` in `text` (str)."""
    hits = []
    for index, value in enumerate(values):
        if not value:
            continue
        forms = encodings(value)
        for name, form in forms.items():
            at = text.find(form)
            if at >= 0:
                hits.append(Hit(item, index, name, at))
        for name in ("exact", "repr", "json", "json-unicode", "html"):
            form = forms.get(name)
            if form and len(form) > MIN_PREFIX:
                hits.extend(Hit(item, index, "truncated-" + name, at) for at in _prefix_hits(text, form))
    return hits


def _files(path):
    path = pathlib.Path(path)
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    return [path]


def scan(items, values):
    """Hits of `values` in `items`: one or a list of paths (pathlib.Path, or a str naming an
    existing file or folder), bytes or text."""
    if isinstance(items, (str, bytes, os.PathLike)):
        items = [items]
    values = [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in values]
    hits = []
    for item in items:
        if isinstance(item, bytes):
            hits.extend(scan_text(item.decode("utf-8", "replace"), values, "<bytes>"))
        elif isinstance(item, os.PathLike) or (isinstance(item, str) and os.path.exists(item)):
            for path in _files(item):
                try:
                    data = path.read_bytes()
                except OSError:
                    continue
                hits.extend(scan_text(data.decode("utf-8", "replace"), values, str(path)))
        else:
            hits.extend(scan_text(str(item), values))
    return hits


def main(argv=None):
    parser = argparse.ArgumentParser(description="Find secret values in files (any common encoding).")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--env", action="append", default=[], help="a variable holding a secret value")
    parser.add_argument("--values-file", help="one value per line, or a JSON list")
    args = parser.parse_args(argv)
    values = []
    for name in args.env:
        if os.environ.get(name):
            values.append(os.environ[name])
        else:
            parser.error(f"--env {name}: the variable is not set")
    if args.values_file:
        text = pathlib.Path(args.values_file).read_text(encoding="utf-8")
        try:
            loaded = json.loads(text)
            values.extend(str(v) for v in loaded)
        except ValueError:
            values.extend(line for line in text.splitlines() if line)
    if not values:
        parser.error("no secret values: give --env or --values-file")
    hits = scan([pathlib.Path(p) for p in args.paths], values)
    for hit in hits:
        print(f"{hit.item}: secret #{hit.value_index} as {hit.encoding} at offset {hit.offset}")
    print(f"{len(hits)} hit(s) in {len(args.paths)} path(s)")
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main())
