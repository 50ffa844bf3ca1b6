#!/usr/bin/env python3
"""Inputs for the scale benchmark (benches/scale.sh, issue 20), built from real captures.

Every OOM report written here is the kernel text of a real capture in samples/lab/
(`single.messages` for syslog, `single.dmesg` for printk-stamped lines: a memcg OOM kill
of python3 on Linux 6.18), re-stamped and given a distinct PID per copy so that no two
copies look like the same kernel message (oomlens merges repeats across rotated files).
Only the clock, the PID (everywhere the report prints it), the host name and, for
`table`, the number of task-table rows change; every other byte is the capture's.

The last line on stderr is `kills=N`: the number of OOM kills written, which oomlens must
report exactly (counted here, not by oomlens).

    scale_gen.py files   N DIR     # N one-event syslog files DIR/NNNNNNN.log
    scale_gen.py lines   N OUT     # N `Killed process` lines alone (a grep -F filtered log)
    scale_gen.py dumps   N OUT     # N full reports (84 lines each), one host
    scale_gen.py hosts   N OUT     # N full reports, each from its own host (h0000001 ...)
    scale_gen.py hostlines N OUT   # N kill lines, each from its own host
    scale_gen.py interleaved N OUT # N concurrent reports, dmesg with printk caller ids
                                   # ([ T<pid>]), interleaved line by line
    scale_gen.py sequential N OUT  # the same N reports one after another
    scale_gen.py table   N OUT     # one report whose Tasks table has N rows

OUT may be `-` for stdout. Written with python3's standard library only; no build needed.
"""

import os
import re
import sys
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
PID = "15346"  # the victim (and allocating task) of samples/lab/single.*
FIRST_PID = 100000  # copies get FIRST_PID + i: distinct, at most 7 digits below 10M
# Syslog clock of the first copy: 2026-11-01 00:00:00 (local time; only order matters).
T0 = 1793491200


def syslog_template():
    """The report of single.messages: (lines after `vm kernel: `), oomlab markers dropped."""
    out = []
    with open(os.path.join(ROOT, "samples/lab/single.messages")) as f:
        for line in f:
            text = line.rstrip("\n").split(" vm kernel: ", 1)[1]
            if text.startswith("oomlab:"):
                continue
            out.append(text)
    return out


def dmesg_template():
    """The report of single.dmesg: [(microseconds since the header, text)]."""
    out = []
    with open(os.path.join(ROOT, "samples/lab/single.dmesg")) as f:
        for line in f:
            line = line.rstrip("\n")
            close = line.index("]")
            text = line[close + 1 :]
            if text.startswith(" oomlab:"):
                continue
            us = round(float(line[1:close]) * 1e6)
            out.append((us, text))
    base = out[0][0]
    return [(us - base, text) for us, text in out]


def with_pid(lines, pid):
    """The report's lines with the victim's PID replaced (the table row keeps its width)."""
    p = str(pid)
    row = "[%7d]" % pid
    return [l.replace("[  " + PID + "]", row).replace(PID, p) for l in lines]


MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def stamp(secs):
    t = time.gmtime(secs)
    return "%s %2d %02d:%02d:%02d" % (MONTHS[t.tm_mon - 1], t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)


def open_out(path):
    if path == "-":
        return sys.stdout
    return open(path, "w", buffering=1 << 20)


def syslog_report(template, i, host="vm"):
    pre = "%s %s kernel: " % (stamp(T0 + i), host)
    return "".join(pre + l + "\n" for l in with_pid(template, FIRST_PID + i))


def kill_line(template, i, host="vm"):
    killed = next(l for l in template if "Killed process" in l)
    return "%s %s kernel: %s\n" % (stamp(T0 + i), host, killed.replace(PID, str(FIRST_PID + i)))


def gen_files(n, d):
    t = syslog_template()
    os.makedirs(d, exist_ok=True)
    for i in range(n):
        with open(os.path.join(d, "%07d.log" % i), "w") as f:
            f.write(syslog_report(t, i))
    return n


def gen_stream(n, out, each):
    t = syslog_template()
    f = open_out(out)
    for i in range(n):
        f.write(each(t, i))
    f.flush()
    return n


def gen_callers(n, out, interleaved):
    """dmesg with caller ids: report k printed by task FIRST_PID+k.

    Interleaved, line j of every report comes before line j+1 of any; stamps rise by
    one microsecond per line in file order, so both files are in time order."""
    t = dmesg_template()
    reports = [with_pid([text for _, text in t], FIRST_PID + k) for k in range(n)]
    f = open_out(out)
    t0 = 1_000_000_000  # 1000 s after boot
    length = len(t)
    seq = 0
    if interleaved:
        order = ((k, j) for j in range(length) for k in range(n))
    else:
        order = ((k, j) for k in range(n) for j in range(length))
    for k, j in order:
        us = t0 + seq
        seq += 1
        f.write("[%5d.%06d][ T%d]%s\n" % (us // 1_000_000, us % 1_000_000, FIRST_PID + k, reports[k][j]))
    f.flush()
    return n


def gen_table(n, out):
    """One report, n rows in its Tasks table: n-1 smaller tasks, then the victim's row."""
    t = syslog_template()
    f = open_out(out)
    pre = "%s vm kernel: " % stamp(T0)
    row_re = re.compile(r"^\[  " + PID + r"\]")
    for l in t:
        if row_re.match(l):
            for i in range(n - 1):
                pid = FIRST_PID + i
                # The capture's row layout, a smaller task: total_vm rss rss_anon rss_file ...
                f.write(
                    "%s[%7d]     0 %7d    18790    %5d    %5d     1428         0   196608        0             0 python3\n"
                    % (pre, pid, pid, 100 + i % 10000, 100 + i % 10000)
                )
        f.write(pre + l + "\n")
    f.flush()
    return 1


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if kind == "files":
        kills = gen_files(n, out)
    elif kind == "lines":
        kills = gen_stream(n, out, kill_line)
    elif kind == "dumps":
        kills = gen_stream(n, out, syslog_report)
    elif kind == "hosts":
        kills = gen_stream(n, out, lambda t, i: syslog_report(t, i, "h%07d" % i))
    elif kind == "hostlines":
        kills = gen_stream(n, out, lambda t, i: kill_line(t, i, "h%07d" % i))
    elif kind in ("interleaved", "sequential"):
        kills = gen_callers(n, out, kind == "interleaved")
    elif kind == "table":
        kills = gen_table(n, out)
    else:
        sys.stderr.write(__doc__)
        return 2
    sys.stderr.write("kills=%d\n" % kills)
    return 0


if __name__ == "__main__":
    sys.exit(main())
