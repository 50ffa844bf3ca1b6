#!/usr/bin/env bash
# Checks that a binary runs on an old glibc userland: its highest GLIBC_ symbol
# version is at most MAX (default 2.17) and it is under 8 MB (8,000,000 bytes). Works for any
# architecture readelf knows (the host's binutils read aarch64 ELF too).
#
#   scripts/check-portable.sh BINARY [MAX]
set -euo pipefail
bin=$1
max=${2:-2.17}
limit=8000000
size=$(stat -c %s "$bin")
highest=$(readelf --dyn-syms --wide "$bin" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -Vu | tail -1)
interp=$(readelf --program-headers --wide "$bin" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
needed=$(readelf --dynamic --wide "$bin" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')
echo "$bin: $size bytes, highest GLIBC_$highest, interpreter $interp, needs: $needed"
fail=0
if [ "$(printf '%s\n%s\n' "$highest" "$max" | sort -V | tail -1)" != "$max" ]; then
  echo "FAIL: needs GLIBC_$highest > $max" >&2; fail=1
fi
if [ "$size" -ge "$limit" ]; then
  echo "FAIL: $size bytes >= 8 MB" >&2; fail=1
fi
if readelf --sections --wide "$bin" | grep -q '\.debug_'; then
  echo "FAIL: not stripped (has .debug_ sections)" >&2; fail=1
fi
exit $fail
