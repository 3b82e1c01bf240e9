#!/bin/sh
# Installs what remtrail needs to build and test, from Debian 12's packages
# (the list is scripts/debian-packages.txt, shared with .ci/run).
set -eu
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# shellcheck disable=SC2046
$SUDO apt-get install -y --no-install-recommends $(cat "$(dirname "$0")/debian-packages.txt")
