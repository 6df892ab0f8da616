#!/usr/bin/env bash
# Builds bitcoind and bitcoin-cli from the vendored Core source (../shared/vendor/, the commit the
# port follows) for the bridge's interop test, and caches them outside the checkout:
#   $CONNSIM_BITCOIN_BUILD (default $HOME/.cache/connsim/build/bitcoin-core-58a7869f)/build/bin/
# When both binaries are already there it builds nothing and prints their version. Debian's
# build packages are installed only when missing. Wallet, GUI, IPC, ZMQ, tests, bench and the
# other tools are off. It prints the build's wall time; it exits non-zero when it cannot build
# (the interop test then skips and says why).
#
# Build time: about 10 min on an idle 2-core Debian 12 machine (../shared/vendor/README.md). Measured
# on this project's shared machine (2 cores, load average 18-21 from five parallel jobs): 96 min from
# the end of configure (04:42) to both binaries (06:18), so a cold build fits CI's 90 minutes only on
# cores it does not share. Cached, this script takes 0.07 s (it prints the version). CI runs it before
# `npm test`; keep $HOME/.cache/connsim between CI runs.
set -euo pipefail

COMMIT=58a7869f
BUILD_ROOT="${CONNSIM_BITCOIN_BUILD:-$HOME/.cache/connsim/build/bitcoin-core-$COMMIT}"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
TARBALL="${CONNSIM_BITCOIN_TARBALL:-$HERE/../shared/vendor/bitcoin-core-$COMMIT.tar.gz}"
SHA256=a62ab2a5ca6c48e805e088e207d05c8fcc2adba8ecd0cfa20aab7898015a4144
BIN="$BUILD_ROOT/build/bin"
JOBS="${CONNSIM_BUILD_JOBS:-$(nproc)}"

if [ -x "$BIN/bitcoind" ] && [ -x "$BIN/bitcoin-cli" ]; then
  echo "build-bitcoind: cached: $("$BIN/bitcoind" -version | head -n 1) in $BIN"
  exit 0
fi

if [ ! -f "$TARBALL" ]; then
  echo "build-bitcoind: no Core source at $TARBALL (set CONNSIM_BITCOIN_TARBALL); nothing built" >&2
  exit 1
fi

missing=()
for p in build-essential cmake python3 libboost-dev pkg-config; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "build-bitcoind: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "$SHA256  $TARBALL" | sha256sum -c --quiet - || { echo "build-bitcoind: $TARBALL does not match its sha256" >&2; exit 1; }

start=$(date +%s)
mkdir -p "$(dirname "$BUILD_ROOT")"
if [ ! -f "$BUILD_ROOT/CMakeLists.txt" ]; then
  tmp="$(mktemp -d "$(dirname "$BUILD_ROOT")/extract.XXXXXX")"
  tar xzf "$TARBALL" -C "$tmp"
  rm -rf "$BUILD_ROOT"
  mv "$tmp/bitcoin-core-$COMMIT" "$BUILD_ROOT"
  rmdir "$tmp"
fi
cd "$BUILD_ROOT"
cmake -B build -DBUILD_GUI=OFF -DENABLE_WALLET=OFF -DENABLE_IPC=OFF -DWITH_ZMQ=OFF -DBUILD_TESTS=OFF \
  -DBUILD_BENCH=OFF -DBUILD_FUZZ_BINARY=OFF -DBUILD_UTIL=OFF -DBUILD_TX=OFF -DBUILD_WALLET_TOOL=OFF \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g0" >"$BUILD_ROOT/../cmake.log"
cmake --build build -j"$JOBS" --target bitcoind bitcoin-cli >"$BUILD_ROOT/../build.log"
end=$(date +%s)
echo "build-bitcoind: built $("$BIN/bitcoind" -version | head -n 1) in $((end - start)) s ($JOBS jobs) into $BIN"
