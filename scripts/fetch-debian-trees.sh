#!/usr/bin/env bash
# Fetches Debian's linux-source-X packages and extracts each kernel tree once into the cache:
#
#   ${RK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/runner-kernel}/trees/linux-source-X/
#
# Usage: scripts/fetch-debian-trees.sh [VERSION...]      (default: 5.10 6.1 6.12)
#
# Idempotent. A tree counts as present only when its marker trees/linux-source-X.version exists;
# the marker is written last and holds the Debian package version the tree came from, so an
# interrupted download or extraction is simply redone on the next call. Extraction goes to a
# temporary directory that is renamed into place.
#
# 6.1 and 6.12 come from the machine's own apt sources (bookworm, bookworm-security). 5.10 is not
# in bookworm; it comes from bullseye-security through a private apt configuration kept in the
# cache, which never touches the machine's sources, lists or status.
#
# Progress goes to stderr; stdout gets one line per version: "VERSION<TAB>TREE_PATH".
set -euo pipefail

CACHE="${RK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/runner-kernel}"
TREES="$CACHE/trees"
DEBS="$CACHE/debs"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

log() { printf 'fetch-debian-trees: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ $# -gt 0 ] || set -- 5.10 6.1 6.12

# Private apt configuration for suites the machine doesn't carry. Prints the apt options.
private_apt_opts() {
  local suite_url="$1" suite="$2"
  local dir="$CACHE/apt/$suite"
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/preferences.d"
  printf 'deb [signed-by=%s] %s %s main\n' "$KEYRING" "$suite_url" "$suite" >"$dir/sources.list"
  : >"$dir/status"
  printf '%s\n' \
    -o "Dir::Etc::sourcelist=$dir/sources.list" \
    -o "Dir::Etc::sourceparts=-" \
    -o "Dir::State::Lists=$dir/lists" \
    -o "Dir::Cache=$dir/cache" \
    -o "Dir::State::status=$dir/status" \
    -o "Dir::Etc::preferencesparts=$dir/preferences.d"
}

# apt refuses to download as the sandbox user into a directory it can't write; as root, stay root.
sandbox_opts() { [ "$(id -u)" -ne 0 ] || printf '%s\n' -o APT::Sandbox::User=root; }

download_deb() {
  local ver="$1" pkg="linux-source-$1" opts=()
  mapfile -t opts < <(sandbox_opts)
  case "$ver" in
    5.10)
      local popts
      mapfile -t popts < <(private_apt_opts http://deb.debian.org/debian-security bullseye-security)
      opts+=("${popts[@]}")
      log "$pkg: updating private apt lists (bullseye-security)"
      apt-get "${opts[@]}" -q update >&2 || die "apt-get update (bullseye-security) failed"
      ;;
    6.1 | 6.12) ;;
    *) die "unsupported version '$ver' (supported: 5.10 6.1 6.12)" ;;
  esac
  if ! apt-cache "${opts[@]}" show "$pkg" >/dev/null 2>&1; then
    [ "$ver" != 5.10 ] || die "$pkg not found in bullseye-security"
    log "$pkg: not in the apt lists, running apt-get update"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get -q update >&2 || die "apt-get update failed"
  fi
  log "$pkg: downloading"
  (cd "$DEBS/.partial" && apt-get "${opts[@]}" -q download "$pkg" >&2) || die "apt-get download $pkg failed"
  local f
  for f in "$DEBS/.partial/${pkg}_"*.deb; do mv -f "$f" "$DEBS/"; done
}

# The newest downloaded .deb of a package, or nothing.
newest_deb() {
  local f
  for f in "$DEBS/$1_"*.deb; do
    [ -f "$f" ] || continue
    printf '%s\n' "$f"
  done | sort -V | tail -n 1
}

fetch_one() {
  local ver="$1" name="linux-source-$1"
  local tree="$TREES/$name" marker="$TREES/$name.version"
  if [ -f "$marker" ] && [ -d "$tree" ]; then
    log "$name: present ($(cat "$marker"))"
    printf '%s\t%s\n' "$ver" "$tree"
    return
  fi
  mkdir -p "$TREES" "$DEBS/.partial"
  rm -f "$marker"

  local deb
  deb=$(newest_deb "$name")
  if [ -z "$deb" ] || ! dpkg-deb --info "$deb" >/dev/null 2>&1; then
    rm -f "$DEBS/${name}_"*.deb
    download_deb "$ver"
    deb=$(newest_deb "$name")
    [ -n "$deb" ] || die "$name: no .deb after download"
  fi
  local debver
  debver=$(dpkg-deb -f "$deb" Version)
  log "$name: extracting $debver from $(basename "$deb") (takes a minute)"

  rm -rf "$tree" "$TREES/.tmp-$name".*
  local tmp
  tmp=$(mktemp -d "$TREES/.tmp-$name.XXXXXX")
  dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$name.tar.xz" | xz -dc | tar -x -C "$tmp"
  if [ ! -f "$tmp/$name/Makefile" ] || [ ! -d "$tmp/$name/scripts/kconfig" ]; then
    die "$name: unexpected tarball layout in $(basename "$deb")"
  fi
  mv "$tmp/$name" "$tree"
  rmdir "$tmp"
  printf '%s\n' "$debver" >"$marker.tmp"
  mv "$marker.tmp" "$marker"
  log "$name: ready at $tree"
  printf '%s\t%s\n' "$ver" "$tree"
}

for v in "$@"; do fetch_one "$v"; done
