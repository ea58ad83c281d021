#!/usr/bin/env bash
# Installs every Debian package Ember's build and tests need, and fetches
# lwIP's Debian source package into .deps/ (for the network stack).
# Idempotent and quiet when everything is already there. Run as root (or
# with sudo available).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
pkgs=(build-essential cmake pkg-config libseccomp-dev libuv1-dev check
      libelf-dev musl-tools busybox-static bash-static qemu-system-x86
      golang-go clang lld libclang-rt-14-dev e2fsprogs dpkg-dev
      manpages-dev manpages)

sudo=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "setup: run as root" >&2; exit 1; }
	sudo=sudo
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	$sudo apt-get -o DPkg::Lock::Timeout=120 update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=120 \
		install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# lwIP from Debian's source package, through a private deb-src list so the
# system's apt configuration is untouched.
deps="$top/.deps"
if [ ! -f "$deps/lwip/src/Filelists.cmake" ]; then
	mkdir -p "$deps/apt/lists/partial" "$deps/dl"
	src=/etc/apt/sources.list.d/debian.sources
	if [ -f "$src" ]; then
		sed 's/^Types:.*/Types: deb-src/' "$src" > "$deps/apt/debian-src.sources"
		opts=(-o Dir::Etc::SourceList=/dev/null
		      -o Dir::Etc::SourceParts="$deps/apt"
		      -o Dir::State::Lists="$deps/apt/lists")
	else
		grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | sed 's/^deb /deb-src /' \
			> "$deps/apt/sources.list"
		opts=(-o Dir::Etc::SourceList="$deps/apt/sources.list"
		      -o Dir::Etc::SourceParts=/dev/null
		      -o Dir::State::Lists="$deps/apt/lists")
	fi
	if apt-get "${opts[@]}" -qq update >/dev/null 2>&1 &&
	   (cd "$deps/dl" && apt-get "${opts[@]}" -qq source --download-only lwip >/dev/null 2>&1); then
		orig=$(ls "$deps"/dl/lwip_*.orig.tar.* 2>/dev/null | head -n1)
		rm -rf "$deps/lwip" && mkdir -p "$deps/lwip"
		tar -xf "$orig" -C "$deps/lwip" --strip-components=1
		echo "setup: lwIP source in .deps/lwip"
	else
		echo "setup: warning: could not fetch lwIP's source package (networking will be unavailable)" >&2
	fi
fi
