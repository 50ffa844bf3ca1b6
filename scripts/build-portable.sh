#!/usr/bin/env bash
# Builds oomlens for old Linux userlands: x86_64 and aarch64, linked against glibc 2.17
# (RHEL/CentOS 7 and newer), stripped, with SHA256SUMS, into dist/ (or $1).
#
#   scripts/build-portable.sh [OUTDIR]
#
# Needs: rustup, cargo-zigbuild (`cargo install --locked cargo-zigbuild`) and Zig, which
# `pip install ziglang` provides (cargo-zigbuild finds it through `python3 -m ziglang`).
# Zig links against stub libraries of the glibc version named in the target triple
# (`….2.17`), so no old sysroot is needed. Each binary is then checked by
# scripts/check-portable.sh (highest GLIBC_ symbol version, size).
#
# Measured 2026-12-07 on the shared 2-core build machine (Zig 0.17.1 from `ziglang`,
# cargo-zigbuild 0.24.1, rustc 1.95): x86_64 7,946,752 bytes, aarch64 7,205,592 bytes
# (at opt-level 3; with issues 16 and 17 added x86_64 grew to 8,188,824, and the size
# profile now in Cargo.toml makes it 7,074,400),
# both GLIBC_2.17 at most, needing only libc, libm, libpthread, libdl; the whole script
# took 9 min 11 s from a cold target/ (aarch64 alone 7 min) and 4 min 13 s with the
# dependencies built: too long for .ci/run. Started in a Debian 11 root (glibc 2.31,
# `debootstrap --variant=minbase bullseye`, run with chroot; older Debian releases are no
# longer on deb.debian.org) the x86_64 binary printed the same report as the release
# build does here, while the release build itself would not start there
# (`GLIBC_2.32' not found).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}
glibc=2.17
targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu)

command -v cargo-zigbuild >/dev/null || { echo "cargo-zigbuild missing: cargo install --locked cargo-zigbuild" >&2; exit 2; }
command -v zig >/dev/null || python3 -m ziglang version >/dev/null 2>&1 || { echo "zig missing: pip install ziglang" >&2; exit 2; }

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
mkdir -p "$out"
rm -f "$out/SHA256SUMS"
for t in "${targets[@]}"; do
  rustup target list --installed | grep -qx "$t" || rustup target add "$t"
  start=$(date +%s)
  cargo zigbuild --locked --profile portable --target "$t.$glibc" --bin oomlens
  arch=${t%%-*}
  name="oomlens-$version-$arch-linux-gnu"
  cp "target/$t/portable/oomlens" "$out/$name"
  echo "built $name in $(( $(date +%s) - start )) s"
  scripts/check-portable.sh "$out/$name" "$glibc"
done
(cd "$out" && sha256sum oomlens-"$version"-*-linux-gnu > SHA256SUMS && cat SHA256SUMS)
