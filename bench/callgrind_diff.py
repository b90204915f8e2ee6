#!/usr/bin/env python3
"""Per-function instructions per request from two callgrind runs (N and 2N requests).

    callgrind_diff.py OUT_N OUT_2N N [TOP]

Runs `callgrind_annotate --inclusive=no` on both files and prints, for the TOP functions
(default 30) with the largest difference, (Ir_2N − Ir_N) / N: the instructions each
request spends in that function itself, start-up and shutdown cancelled out. Names are
printed as callgrind has them (mangled Swift names included); pipe through
`swift demangle --simplified` to read them.
"""

import re
import subprocess
import sys

LINE = re.compile(r"^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S.*)$")


def self_counts(path):
    text = subprocess.run(["callgrind_annotate", "--inclusive=no", "--threshold=100", path],
                          check=True, capture_output=True, text=True).stdout
    counts = {}
    in_table = False
    for line in text.splitlines():
        if line.rstrip().endswith("file:function"):
            in_table = True
            continue
        if not in_table:
            continue
        if line.startswith("-----"):
            if counts:
                break
            continue
        m = LINE.match(line)
        if not m:
            continue
        name = m.group(2).strip()
        # Drop the object path: the binary's temp path may differ between runs.
        name = re.sub(r"\s+\[[^\]]*\]$", "", name)
        counts[name] = counts.get(name, 0) + int(m.group(1).replace(",", ""))
    return counts


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit("usage: callgrind_diff.py OUT_N OUT_2N N [TOP]")
    n = int(sys.argv[3])
    top = int(sys.argv[4]) if len(sys.argv) == 5 else 30
    a, b = self_counts(sys.argv[1]), self_counts(sys.argv[2])
    diff = {name: (b.get(name, 0) - a.get(name, 0)) / n for name in set(a) | set(b)}
    total = sum(diff.values())
    print("instructions per request by function (self), (Ir_2N - Ir_N) / N, N = %d" % n)
    print("sum over all listed functions: %.0f per request" % total)
    print()
    print("%10s %7s  %s" % ("Ir/req", "share", "function"))
    for name, value in sorted(diff.items(), key=lambda kv: -kv[1])[:top]:
        print("%10.1f %6.1f%%  %s" % (value, 100.0 * value / total if total else 0.0, name))


if __name__ == "__main__":
    main()
