#!/usr/bin/env bash
# The throughput benchmark in one command (issue 6: "a full analysis as fast as a grep,
# in constant memory"). Builds release, generates the inputs into bench-data/ (git-
# ignored; reused when present), checks that oomlens finds every spliced OOM event,
# times everything back to back, measures peak RSS, prints a table and says which
# targets pass. Exit status: 0 when all pass, 1 otherwise.
#
#   benches/run.sh                       # 1 GiB inputs, 4 GiB for the memory check
#   SIZE=256M BIG=1G RUNS=3 benches/run.sh
#
# Environment: SIZE (default 1G), BIG (4G; streamed, never written), RUNS (5),
# WARMUP (1), SEED, CARGO_TARGET_DIR, OUT (a file to copy the table to), OOMLENS_BIN
# (another oomlens binary to measure, e.g. a build of an older commit).
# Uses hyperfine when installed (else a timing loop, median of RUNS), /usr/bin/time -v
# for peak RSS (else /proc polling), rg, pigz and zcat when installed, zstd, xz and
# bzip2 when installed (the plain log is compressed with each once, kept in bench-data,
# and oomlens is timed against `zstd -dc`, `xz -dc`, `bzip2 -dc`), python3 for
# reading oomlens's JSON.

set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${SIZE:-1G}
BIG=${BIG:-4G}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
ROTATE=8
SEED=${SEED:-}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
DATA=bench-data
mkdir -p "$DATA"
LOG="$DATA/run.log"
: >"$LOG"

have() { command -v "$1" >/dev/null 2>&1; }
say() { printf '%s\n' "$*" >&2; }

say "== building (release)"
cargo build --release --quiet --bin oomlens --example gen_log
BIN=${OOMLENS_BIN:-$CARGO_TARGET_DIR/release/oomlens}
GEN="$CARGO_TARGET_DIR/release/examples/gen_log"
seed_args=()
[ -n "$SEED" ] && seed_args=(--seed "$SEED")

PLAIN="$DATA/syslog-$SIZE.log"
GZ="$DATA/syslog-$SIZE.log.gz"
ROT="$DATA/rotated-$SIZE"

# Generates once per size and seed; the generator's last line holds the event count.
gen() { # out-path summary-file args...
    local out=$1 sum=$2
    shift 2
    if [ -s "$sum" ] && grep -q "seed=${SEED:-default}" "$sum"; then
        return
    fi
    say "== generating $out"
    "$GEN" --size "$SIZE" "${seed_args[@]}" --out "$out" "$@" >"$sum.tmp"
    echo "seed=${SEED:-default}" >>"$sum.tmp"
    mv "$sum.tmp" "$sum"
}
gen "$PLAIN" "$PLAIN.gen"
gen "$GZ" "$GZ.gen" --gzip
mkdir -p "$ROT"
gen "$ROT/syslog" "$ROT/gen" --gzip --rotate "$ROTATE"
ROT_FILES=("$ROT"/syslog.*.gz)
# The same log compressed by each tool (levels logrotate setups commonly use; xz and
# bzip2 are slow to compress 1 GiB, so once, then reused).
declare -A COMP=()
compress_once() { # tool ext args...
    local tool=$1 ext=$2
    shift 2
    have "$tool" || return 0
    local out="$PLAIN.$ext"
    if [ ! -s "$out" ] || [ "$out" -ot "$PLAIN" ]; then
        say "== compressing $out"
        "$tool" "$@" -c "$PLAIN" >"$out.tmp" && mv "$out.tmp" "$out"
    fi
    COMP[$ext]=$out
}
compress_once zstd zst -q -3 -T0
compress_once xz xz -1 -T0
compress_once bzip2 bz2 -9
expected=$(sed -n 's/.*expected_events=\([0-9]*\).*/\1/p' "$PLAIN.gen")
bytes=$(sed -n 's/.* bytes=\([0-9]*\).*/\1/p' "$PLAIN.gen")
lines=$(sed -n 's/.* lines=\([0-9]*\).*/\1/p' "$PLAIN.gen")

# ---------------------------------------------------------------- correctness
declare -A verdict
fail=0
pass_if() { # name condition-status detail
    if [ "$2" = 0 ]; then verdict[$1]="PASS  $3"; else verdict[$1]="FAIL  $3"; fail=1; fi
}

count_events() { # json on stdin -> "<events> <in time order: 1|0>"
    python3 -c '
import json, sys
d = json.load(sys.stdin)
ev = d["events"]
t = [e.get("time") for e in ev]
t = [x for x in t if x]
print(len(ev), int(t == sorted(t)))'
}

say "== checking events (expected $expected)"
if have python3; then
    read -r n_plain _ < <("$BIN" --format json "$PLAIN" | count_events)
    read -r n_gz _ < <("$BIN" --format json "$GZ" | count_events)
    read -r n_rot ordered < <("$BIN" --format json "${ROT_FILES[@]}" | count_events)
    read -r n_every _ < <("$BIN" --every-line --format json "$PLAIN" | count_events)
    ok=1
    for n in "$n_plain" "$n_gz" "$n_rot" "$n_every"; do [ "$n" = "$expected" ] || ok=0; done
    pass_if events $((1 - ok)) "found plain=$n_plain gz=$n_gz rotated=$n_rot every-line=$n_every of $expected spliced"
    pass_if order $((1 - ordered)) "rotated set reported in time order"
    for ext in zst xz bz2; do
        [ -n "${COMP[$ext]:-}" ] || continue
        read -r n _ < <("$BIN" --format json "${COMP[$ext]}" | count_events)
        [ "$n" = "$expected" ] && s=0 || s=1
        pass_if "events_$ext" $s "found $n of $expected in the .$ext"
    done
else
    verdict[events]="SKIP  python3 not installed"
fi
# The fast path gives exactly the plain path's output, on the generated log and on
# every sample.
diffs=()
for f in "$PLAIN" samples/real/*.log samples/lab/*; do
    a=$("$BIN" --format json --year 2026 "$f" 2>/dev/null | md5sum || true)
    b=$("$BIN" --every-line --format json --year 2026 "$f" 2>/dev/null | md5sum || true)
    [ "$a" = "$b" ] || diffs+=("$f")
done
pass_if equivalence ${#diffs[@]} "fast path == --every-line on the generated log and $(ls samples/real/*.log samples/lab/* | wc -l) samples ${diffs[*]:+(differ: ${diffs[*]})}"

# ---------------------------------------------------------------- timing
# Each group runs back to back under the same conditions; ratios compare medians.
declare -A median
time_group() { # group-name then pairs: label command
    local group=$1
    shift
    local labels=() cmds=()
    while [ $# -gt 0 ]; do
        labels+=("$1")
        cmds+=("$2")
        shift 2
    done
    say "== timing: $group"
    if have hyperfine; then
        local csv="$DATA/$group.csv"
        hyperfine --style basic -N -i -w "$WARMUP" -r "$RUNS" --export-csv "$csv" "${cmds[@]}" >>"$LOG" 2>&1
        local i=0
        while IFS=, read -r cmd mean stddev med rest; do
            [ "$cmd" = command ] && continue
            median[${labels[$i]}]=$med
            i=$((i + 1))
        done <"$csv"
    else
        local i
        for i in "${!cmds[@]}"; do
            local ts=()
            for _ in $(seq "$WARMUP"); do bash -c "${cmds[$i]}" >/dev/null 2>&1 || true; done
            for _ in $(seq "$RUNS"); do
                local t0 t1
                t0=$(date +%s%N)
                bash -c "${cmds[$i]}" >/dev/null 2>&1 || true
                t1=$(date +%s%N)
                ts+=($(((t1 - t0) / 1000)))
            done
            median[${labels[$i]}]=$(printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.6f", a[int((NR+1)/2)]/1e6}')
        done
    fi
}

# rg maps the file: it runs fastest when the page cache holds the file in 2 MiB folios,
# which depends on how the file was last read in. Recorded, to read the ratio by.
huge_kib=$(awk '/^FileHugePages:/ {print $2}' /proc/meminfo 2>/dev/null || echo "?")
plain_group=()
have rg && plain_group+=(rg "rg -c -F -e 'invoked oom-killer' -e 'Killed process' $PLAIN")
plain_group+=(plain_json "$BIN --format json $PLAIN" plain_summary "$BIN --summary $PLAIN")
time_group plain "${plain_group[@]}"

gz_group=()
have pigz && gz_group+=(pigz "pigz -dc $GZ")
have zcat && gz_group+=(zcat "zcat $GZ")
gz_group+=(gz_json "$BIN --format json $GZ" gz_summary "$BIN --summary $GZ")
time_group gz "${gz_group[@]}"

for ext in zst xz bz2; do
    [ -n "${COMP[$ext]:-}" ] || continue
    tool=$(case $ext in zst) echo zstd ;; xz) echo xz ;; bz2) echo bzip2 ;; esac)
    time_group "$ext" "${tool}_dc" "$tool -dc ${COMP[$ext]}" \
        "${ext}_json" "$BIN --format json ${COMP[$ext]}"
done

rot_group=()
have pigz && rot_group+=(rot_pigz "pigz -dc ${ROT_FILES[*]}")
rot_group+=(
    rot_json_1 "env RAYON_NUM_THREADS=1 $BIN --format json ${ROT_FILES[*]}"
    rot_json_2 "env RAYON_NUM_THREADS=2 $BIN --format json ${ROT_FILES[*]}"
    rot_summary_2 "env RAYON_NUM_THREADS=2 $BIN --summary ${ROT_FILES[*]}"
)
time_group rotated "${rot_group[@]}"

# ---------------------------------------------------------------- memory
peak_kib() { # command... (stdin passed through) -> peak RSS in KiB
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -v "$@" >/dev/null 2>"$DATA/time.err" || true
        sed -n 's/.*Maximum resident set size (kbytes): //p' "$DATA/time.err"
    else
        "$@" >/dev/null 2>&1 &
        local pid=$! peak=0 r
        while kill -0 "$pid" 2>/dev/null; do
            r=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
            [ "${r:-0}" -gt "$peak" ] && peak=$r
            sleep 0.05
        done
        echo "$peak"
    fi
}
say "== memory"
rss_file=$(peak_kib "$BIN" --format json "$PLAIN")
rss_gz=$(peak_kib "$BIN" --format json "$GZ")
rss_stdin=$(peak_kib "$BIN" --format json - <"$PLAIN")
# Growth: the same generator streamed through a pipe, SIZE then BIG bytes.
rss_pipe_small=$("$GEN" --size "$SIZE" "${seed_args[@]}" --out - 2>/dev/null | peak_kib "$BIN" --format json -)
rss_pipe_big=$("$GEN" --size "$BIG" "${seed_args[@]}" --out - 2>/dev/null | peak_kib "$BIN" --format json -)
rss_pipe_big_summary=$("$GEN" --size "$BIG" "${seed_args[@]}" --out - 2>/dev/null | peak_kib "$BIN" --summary -)

# ---------------------------------------------------------------- report
mbps() { awk -v b="$bytes" -v t="$1" 'BEGIN { if (t > 0) printf "%.0f", b / t / 1e6; else print "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "-" }'; }
ms() { awk -v t="$1" 'BEGIN { printf "%.0f", t * 1000 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
row() { # label key note
    local t=${median[$2]:-}
    [ -z "$t" ] && return
    printf '| %s | %s | %s | %s |\n' "$1" "$(ms "$t")" "$(mbps "$t")" "$3"
}

{
    echo "### oomlens throughput — $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "Machine: $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "Input: $SIZE generated syslog ($bytes bytes, $lines lines, $expected OOM events spliced); median of $RUNS runs after $WARMUP warm-up, page cache warm."
    echo "Page cache in 2 MiB folios (FileHugePages) before the plain timings: $huge_kib kB."
    echo
    echo "| command | median ms | MB/s (uncompressed) | note |"
    echo "|---|---:|---:|---|"
    row "rg -c -F -e 'invoked oom-killer' -e 'Killed process'" rg "reference"
    row "oomlens --format json (plain)" plain_json "$(ratio "${median[plain_json]:-0}" "${median[rg]:-0}")× rg"
    row "oomlens --summary (plain)" plain_summary "$(ratio "${median[plain_summary]:-0}" "${median[rg]:-0}")× rg"
    row "pigz -dc (.gz)" pigz "reference"
    row "zcat (.gz)" zcat "$(ratio "${median[zcat]:-0}" "${median[pigz]:-0}")× pigz"
    row "oomlens --format json (.gz)" gz_json "$(ratio "${median[gz_json]:-0}" "${median[pigz]:-0}")× pigz, $(ratio "${median[gz_json]:-0}" "${median[zcat]:-0}")× zcat"
    row "oomlens --summary (.gz)" gz_summary "$(ratio "${median[gz_summary]:-0}" "${median[pigz]:-0}")× pigz"
    row "zstd -dc (.zst)" zstd_dc "reference"
    row "oomlens --format json (.zst)" zst_json "$(ratio "${median[zst_json]:-0}" "${median[zstd_dc]:-0}")× zstd -dc"
    row "xz -dc (.xz)" xz_dc "reference"
    row "oomlens --format json (.xz)" xz_json "$(ratio "${median[xz_json]:-0}" "${median[xz_dc]:-0}")× xz -dc"
    row "bzip2 -dc (.bz2)" bzip2_dc "reference"
    row "oomlens --format json (.bz2)" bz2_json "$(ratio "${median[bz2_json]:-0}" "${median[bzip2_dc]:-0}")× bzip2 -dc"
    row "pigz -dc ($ROTATE rotated .gz)" rot_pigz "reference"
    row "oomlens --format json ($ROTATE .gz, 1 thread)" rot_json_1 ""
    row "oomlens --format json ($ROTATE .gz, 2 threads)" rot_json_2 "$(ratio "${median[rot_json_1]:-0}" "${median[rot_json_2]:-0}")× faster than 1 thread; $(ratio "${median[rot_json_2]:-0}" "${median[rot_pigz]:-0}")× pigz"
    row "oomlens --summary ($ROTATE .gz, 2 threads)" rot_summary_2 ""
    echo
    echo "| peak RSS | MiB |"
    echo "|---|---:|"
    echo "| --format json, $SIZE file | $(mib "$rss_file") |"
    echo "| --format json, $SIZE .gz | $(mib "$rss_gz") |"
    echo "| --format json, $SIZE on stdin (< file) | $(mib "$rss_stdin") |"
    echo "| --format json, $SIZE piped from the generator | $(mib "$rss_pipe_small") |"
    echo "| --format json, $BIG piped from the generator | $(mib "$rss_pipe_big") |"
    echo "| --summary, $BIG piped from the generator | $(mib "$rss_pipe_big_summary") |"
} >"$DATA/results.md"

r_plain=$(ratio "${median[plain_json]:-0}" "${median[rg]:-0}")
r_gz=$(ratio "${median[gz_json]:-0}" "${median[pigz]:-0}")
r_rot=$(ratio "${median[rot_json_1]:-0}" "${median[rot_json_2]:-0}")
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "-" && a + 0 <= b + 0) }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "-" && a + 0 >= b + 0) }'; }
if have rg; then le "$r_plain" 1.5 && s=0 || s=1; pass_if plain $s "oomlens/rg = $r_plain (≤ 1.5)"; else verdict[plain]="SKIP  rg not installed"; fi
if have pigz; then le "$r_gz" 0.5 && s=0 || s=1; pass_if gz $s "oomlens/pigz -dc = $r_gz (≤ 0.5)"; else verdict[gz]="SKIP  pigz not installed"; fi
ge "$r_rot" 1.7 && s=0 || s=1
pass_if rotated $s "1 thread / 2 threads = $r_rot (≥ 1.7)"
le "$(mib "$rss_stdin")" 64 && s=0 || s=1
pass_if rss $s "$(mib "$rss_stdin") MiB for $SIZE on stdin (≤ 64)"
grow=$(awk -v a="$rss_pipe_small" -v b="$rss_pipe_big" 'BEGIN { printf "%.1f", (b - a) / 1024 }')
awk -v g="$grow" 'BEGIN { exit !(g <= 8) }' && s=0 || s=1
pass_if flat $s "$(mib "$rss_pipe_small") MiB at $SIZE, $(mib "$rss_pipe_big") MiB at $BIG: +$grow MiB (flat: ≤ +8)"

{
    echo
    echo "| target | result |"
    echo "|---|---|"
    for k in plain gz rotated rss flat events events_zst events_xz events_bz2 order equivalence; do
        [ -n "${verdict[$k]:-}" ] && echo "| $k | ${verdict[$k]} |"
    done
} >>"$DATA/results.md"

cat "$DATA/results.md"
[ -n "${OUT:-}" ] && cp "$DATA/results.md" "$OUT"
say "(hyperfine output: $LOG)"
exit $fail
