#!/usr/bin/env python3
"""Summarise bench/run.sh's per-round lines: medians over rounds, error totals, ratios.

    summarize_run.py RESULTS_FILE

Reads the `round …` lines of RESULTS_FILE, appends `summary …` and `ratio …` lines to
it, and prints a readable table on standard output.
"""

import statistics
import sys

NAMES = {"relevo": "relevo", "nginx": "nginx", "haproxy": "HAProxy"}


def fields(line):
    return dict(item.split("=", 1) for item in line.split()[1:] if "=" in item)


def fmt_int(value):
    return "{:,}".format(int(round(value)))


def fmt_ms(us):
    return "%.2f ms" % (us / 1000.0)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: summarize_run.py RESULTS_FILE")
    path = sys.argv[1]
    with open(path) as f:
        lines = f.read().splitlines()

    order = []
    rounds = {}
    for line in lines:
        if not line.startswith("round "):
            continue
        r = fields(line)
        key = (r["proxy"], int(r["conns"]))
        if key not in rounds:
            rounds[key] = []
            order.append(key)
        rounds[key].append(r)

    summary = {}
    out = []
    for key in order:
        rs = rounds[key]
        rps = [float(r["rps"]) for r in rs]
        s = {
            "rps": statistics.median(rps),
            "rps_min": min(rps),
            "rps_max": max(rps),
            "p50_us": statistics.median(float(r["p50_us"]) for r in rs),
            "p99_us": statistics.median(float(r["p99_us"]) for r in rs),
            "cpu_us_per_req": statistics.median(float(r["cpu_us_per_req"]) for r in rs),
            "non2xx": sum(int(r["non2xx"]) for r in rs),
            "socket_errors": sum(int(r["socket_errors"]) for r in rs),
            "rounds": len(rs),
        }
        summary[key] = s
        out.append("summary proxy=%s conns=%d rounds=%d rps=%.0f rps_min=%.0f rps_max=%.0f p50_us=%.0f p99_us=%.0f "
                   "cpu_us_per_req=%.2f non2xx=%d socket_errors=%d"
                   % (key[0], key[1], s["rounds"], s["rps"], s["rps_min"], s["rps_max"], s["p50_us"], s["p99_us"],
                      s["cpu_us_per_req"], s["non2xx"], s["socket_errors"]))

    conns_list = sorted({c for _, c in order})
    ratios = {}
    for conns in conns_list:
        relevo = summary.get(("relevo", conns))
        parts = []
        for other in ("nginx", "haproxy"):
            base = summary.get((other, conns))
            value = relevo["rps"] / base["rps"] if relevo and base and base["rps"] > 0 else None
            ratios[(other, conns)] = value
            parts.append("relevo_%s=%s" % (other, "%.3f" % value if value is not None else "-"))
        out.append("ratio conns=%d %s" % (conns, " ".join(parts)))

    with open(path, "a") as f:
        f.write("\n".join(out) + "\n")

    header = ("proxy", "conns", "req/s", "req/s min–max", "p50", "p99", "CPU µs/req", "non-2xx", "sock err")
    rows = []
    for key in order:
        s = summary[key]
        rows.append((NAMES.get(key[0], key[0]), str(key[1]), fmt_int(s["rps"]),
                     "%s–%s" % (fmt_int(s["rps_min"]), fmt_int(s["rps_max"])),
                     fmt_ms(s["p50_us"]), fmt_ms(s["p99_us"]), "%.1f" % s["cpu_us_per_req"],
                     str(s["non2xx"]), str(s["socket_errors"])))
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    align_left = {0}

    def render(cells):
        return "  ".join(c.ljust(w) if i in align_left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    print(render(header))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(render(row))
    print()
    for conns in conns_list:
        cells = []
        for other in ("nginx", "haproxy"):
            value = ratios[(other, conns)]
            cells.append("relevo/%s %s" % (NAMES[other], "%.2f" % value if value is not None else "–"))
        print("req/s ratio at %d connections: %s" % (conns, "   ".join(cells)))


if __name__ == "__main__":
    main()
