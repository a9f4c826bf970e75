#!/usr/bin/env bash
# Installs the Debian packages runner-kernel builds and tests with. Idempotent: it asks apt
# only for what dpkg says is missing, so a warm machine pays nothing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates python3 xz-utils zstd
  flex bison bc libelf-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev libtomlplusplus-dev
  libarchive-dev libcurl4-openssl-dev libzstd-dev libncurses-dev
  clang clang-format
  gcc-aarch64-linux-gnu g++-aarch64-linux-gnu
  # fetch: patches, signature checks, Debian packages (gnupg and dpkg-dev make the signed apt
  # repository the fetch tests read)
  patch gpgv debian-archive-keyring gnupg dpkg-dev
  # image: OCI push/pull and the local registry of the round-trip test
  skopeo docker-registry
  # boot tests: QEMU in Firecracker's shape, the probe disks, scripted menuconfig sessions
  qemu-system-x86 qemu-system-arm e2fsprogs squashfs-tools tmux
  # rootfs: the guest's Debian root filesystem (mmdebstrap; uidmap for its unprivileged mode),
  # owners kept without root (fakeroot), arm64 packages configured on x86_64 hosts
  # (qemu-user-static + binfmt-support register the emulator; arch-test lets mmdebstrap check)
  mmdebstrap uidmap fakeroot qemu-user-static binfmt-support arch-test
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
