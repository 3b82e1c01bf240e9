#!/bin/sh
# Installs what remtrail needs to build and test, from Debian 12's packages.
set -eu
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends \
	build-essential autoconf automake libtool pkg-config ca-certificates \
	libevtx-dev libevtx-utils libregf-dev libregf-utils libbfio-dev \
	libcjson-dev check libhivex-bin regripper clang python3 time
