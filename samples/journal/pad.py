import sys
# Adds a 2000-byte field to every 10th kernel entry of an export stream, so that
# journald's compression (threshold 512 bytes) has a field to compress.
data = sys.stdin.buffer.read().split(b"\n\n")
out = []
for i, e in enumerate(data):
    if e.strip() and i % 10 == 0:
        e = e + b"\nOOMLENS_LONG=" + (b"oom " * 500)
    out.append(e)
sys.stdout.buffer.write(b"\n\n".join(out))
