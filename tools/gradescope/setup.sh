#!/bin/sh
# setup.sh - Gradescope runs this once, as root, when it builds the
# autograder image (Ubuntu): install the Debian/Ubuntu packages the grader
# needs and build it in /autograder/source, where the zip was unpacked.
set -eu
SRC=${GRADER_SOURCE:-/autograder/source}
cd "$SRC"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# the grader's packages (tools/ensure-deps.sh names the same, and checks)
apt-get install -y -qq --no-install-recommends gcc make binutils pkg-config \
	valgrind libjansson-dev libcriterion-dev jq python3 bubblewrap \
	nettle-dev libyaml-dev ca-certificates
sh tools/ensure-deps.sh
make bin/grader
chmod +x run_autograder
