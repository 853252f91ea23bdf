#!/usr/bin/env bash
# Build a free-threaded CPython 3.13 (--disable-gil) once and cache it, so conctui's
# free-threaded path is tested for real: no such binary ships in Debian bookworm's sources.
#
# Source: the upstream tarball inside Debian trixie's python3.13 source package, fetched with
# `apt-get source --download-only` through a PRIVATE apt configuration (its own sources dir,
# lists and cache under the build dir). The archive's address comes only from this machine's
# own apt sources; where they name none, the script stops with one line (exit 2). Nothing
# system-wide is changed and nothing is installed with apt.
#
# Result: $CONCTUI_FT_PREFIX (default ~/.cache/conctui/python3.13t)/bin/python3.13t
# Prints that path on stdout and exits 0; a present, working build returns at once.
# Takes ~4-5 minutes on 2 cores the first time.
set -euo pipefail

PREFIX="${CONCTUI_FT_PREFIX:-$HOME/.cache/conctui/python3.13t}"
APT_ETC="${CONCTUI_APT_ETC:-/etc/apt}"  # where this machine's apt sources are (tests point it elsewhere)
PY="$PREFIX/bin/python3.13t"
STAMP="$PREFIX/.conctui-build-ok"

built() {
    [ -f "$STAMP" ] && "$PY" -c 'import sys; sys.exit(sys._is_gil_enabled())' 2>/dev/null
}

if built; then
    echo "$PY"
    exit 0
fi

WORK="${PREFIX}.build"
mkdir -p "$(dirname "$PREFIX")"
# one build at a time: a second caller waits for the first, then finds it built
exec 9>"${PREFIX}.lock"
flock 9
if built; then
    echo "$PY"
    exit 0
fi

rm -rf "$WORK" "$PREFIX"
mkdir -p "$WORK/apt/sources.list.d" "$WORK/apt/lists/partial" "$WORK/apt/cache/archives/partial" "$WORK/src"

# The Debian archive this machine's apt already uses, and only that: the first URI ending in
# /debian of an uncommented `URIs:` field (deb822 .sources) or `deb`/`deb-src` line (one-line
# format). This script names no archive itself.
debian_archive() {
    local files=() file
    for file in "$APT_ETC/sources.list" "$APT_ETC"/sources.list.d/*.sources "$APT_ETC"/sources.list.d/*.list; do
        [ -f "$file" ] && files+=("$file")
    done
    [ "${#files[@]}" -gt 0 ] || return 0
    awk '/^[[:space:]]*#/ { next }
         tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i; next }
         $1 == "deb" || $1 == "deb-src" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) { print $i; break } }' \
        "${files[@]}" | grep -E '^https?://[^[:space:]]*/debian/?$' | head -n1 || true
}
MIRROR="$(debian_archive)"
if [ -z "$MIRROR" ]; then
    echo "build-freethreaded: no Debian archive (a URI ending in /debian) in $APT_ETC/sources.list or" \
         "$APT_ETC/sources.list.d/: the python3.13 sources come only from this machine's own apt sources" >&2
    rm -rf "$WORK"
    exit 2
fi
cat >"$WORK/apt/sources.list.d/trixie-src.sources" <<EOF
Types: deb-src
URIs: $MIRROR
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF

APT_OPTS=(
    -o "Dir::Etc::SourceList=/dev/null"
    -o "Dir::Etc::SourceParts=$WORK/apt/sources.list.d"
    -o "Dir::State::Lists=$WORK/apt/lists"
    -o "Dir::Cache=$WORK/apt/cache"
    -o "APT::Sandbox::User=root"
)
echo "fetching python3.13 sources from $MIRROR trixie (private apt config in $WORK/apt)" >&2
apt-get "${APT_OPTS[@]}" -qq update >&2
(cd "$WORK/src" && apt-get "${APT_OPTS[@]}" -qq source --download-only python3.13 >&2)

ORIG="$(ls "$WORK"/src/python3.13_*.orig.tar.* | head -n1)"
tar -xf "$ORIG" -C "$WORK/src"
SRC="$(find "$WORK/src" -maxdepth 1 -type d -name 'Python-3.13*' | head -n1)"

echo "building $(basename "$SRC") --disable-gil into $PREFIX" >&2
cd "$SRC"
./configure --disable-gil --prefix="$PREFIX" >"$WORK/configure.log" 2>&1
make -j"$(nproc)" >"$WORK/make.log" 2>&1
make install >"$WORK/install.log" 2>&1

"$PY" -c 'import sys; assert not sys._is_gil_enabled(), "GIL is on"'
touch "$STAMP"
rm -rf "$WORK"
echo "$PY"
