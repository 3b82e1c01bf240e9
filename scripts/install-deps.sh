#!/bin/sh
# Installs what remtrail needs to build and test, from Debian 12's packages
# (the list is scripts/debian-packages.txt, shared with .ci/run).
set -eu
# Root runs apt-get itself (a container's root shell has no sudo); anyone
# else goes through sudo.
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update
# shellcheck disable=SC2046
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	$(cat "$(dirname "$0")/debian-packages.txt")
