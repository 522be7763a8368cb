#!/usr/bin/env python3
"""Fills a fuzz target's seed corpus directory (scripts/fuzz.sh calls this; docs/fuzzing.md).

usage: make-seeds.py TARGET OUT_DIR REPO_ROOT SHARED_DATA_DIR

Seeds: the hand-made files in Fuzz/seeds/TARGET, the repository's docs/examples and test
fixtures, and the shared files (event logs, models) cut to a size the fuzzer can mutate: an XES
log keeps its first traces (closed again), a CSV its first rows. Nothing is written into the
repository; missing shared data is not an error (only the other seeds are used).
"""
import glob
import gzip
import os
import re
import shutil
import sys

target, out, repo, shared = sys.argv[1:5]
os.makedirs(out, exist_ok=True)
n = 0


def put(name, data):
    global n
    if len(data) > 128 * 1024:  # a seed this large is mostly cut by -max_len; skip it
        return
    n += 1
    with open(os.path.join(out, f"{n:03d}-{os.path.basename(name)}"), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    return gzip.decompress(data) if path.endswith(".gz") else data


def shared_files(*patterns):
    for p in patterns:
        yield from sorted(glob.glob(os.path.join(shared, "**", p), recursive=True))


def xes_head(data, traces):
    """The log's header and its first `traces` traces, closed with </log>."""
    ends = [m.end() for m in re.finditer(rb"</trace>", data)]
    if len(ends) <= traces:
        return data
    return data[: ends[traces - 1]] + b"\n</log>\n"


def csv_head(data, rows):
    return b"\n".join(data.split(b"\n")[: rows + 1]) + b"\n"


hand = os.path.join(repo, "Fuzz", "seeds", target)
for path in sorted(glob.glob(os.path.join(hand, "*"))):
    put(path, read(path))

if target in ("FuzzXES", "FuzzXESGzip"):
    for path in shared_files("*.xes", "*.xes.gz"):
        for traces in (1, 4):
            head = xes_head(read(path), traces)
            name = os.path.basename(path).replace(".gz", "") + f".{traces}"
            put(name + (".gz" if target == "FuzzXESGzip" else ""),
                gzip.compress(head, mtime=0) if target == "FuzzXESGzip" else head)
    if target == "FuzzXESGzip":
        # Two gzip members (concatenated files are one stream for gunzip).
        small = os.path.join(shared, "eventlogs", "running-example.xes")
        if os.path.exists(small):
            data = read(small)
            half = len(data) // 2
            put("two-members.xes.gz", gzip.compress(data[:half], mtime=0) + gzip.compress(data[half:], mtime=0))
elif target == "FuzzEventCSV":
    for path in shared_files("*.csv", "*.csv.gz"):
        put(os.path.basename(path).replace(".gz", ""), csv_head(read(path), 40))
elif target == "FuzzEventChunks":
    # The first byte picks the format (odd: XES), the lifecycle rule (bit 1) and the chunk size
    # (1 + byte >> 3 events); here 1, 3 and 8 events a chunk.
    for path in shared_files("*.xes", "*.xes.gz"):
        head = xes_head(read(path), 4)
        for sel in (0x01, 0x13, 0x39):
            put(os.path.basename(path).replace(".gz", "") + f".{sel:02x}", bytes([sel]) + head)
    for path in shared_files("*.csv", "*.csv.gz"):
        head = csv_head(read(path), 40)
        for sel in (0x00, 0x12, 0x38):
            put(os.path.basename(path).replace(".gz", "") + f".{sel:02x}", bytes([sel]) + head)
elif target == "FuzzPNML":
    for path in shared_files("*.pnml"):
        put(path, read(path))
elif target == "FuzzBPMN":
    for path in shared_files("*.bpmn"):
        put(path, read(path))
    for path in glob.glob(os.path.join(repo, "docs", "examples", "*.bpmn")) + \
            glob.glob(os.path.join(repo, "Tests", "PantauCoreTests", "Fixtures", "model", "*.bpmn")):
        put(path, read(path))
elif target == "FuzzSOPYAML":
    for path in sorted(glob.glob(os.path.join(repo, "docs", "examples", "*.yaml"))):
        put(path, read(path))
elif target == "FuzzSOPJSON":
    for path in sorted(glob.glob(os.path.join(repo, "docs", "examples", "*.json"))):
        put(path, read(path))

elif target == "FuzzXLSX":
    for path in sorted(glob.glob(os.path.join(repo, "Tests", "**", "*.xlsx"), recursive=True)) + \
            sorted(shared_files("*.xlsx")):
        put(path, read(path))

print(n)
