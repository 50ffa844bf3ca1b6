import json, sys, struct
# journalctl -o json lines -> journal export format (systemd.io/JOURNAL_EXPORT_FORMATS)
out = sys.stdout.buffer
for line in sys.stdin:
    line = line.strip()
    if not line: continue
    e = json.loads(line)
    for k in ("__CURSOR",):
        e.pop(k, None)
    for k in ("__REALTIME_TIMESTAMP", "__MONOTONIC_TIMESTAMP", "_BOOT_ID"):
        if k in e: out.write(f"{k}={e[k]}\n".encode())
    for k, v in e.items():
        if k.startswith("__") or k == "_BOOT_ID": continue
        b = bytes(v) if isinstance(v, list) else v.encode()
        if b"\n" in b:
            out.write(k.encode() + b"\n" + struct.pack("<Q", len(b)) + b + b"\n")
        else:
            out.write(k.encode() + b"=" + b + b"\n")
    out.write(b"\n")
