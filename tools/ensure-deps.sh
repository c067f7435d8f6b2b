#!/bin/sh
# ensure-deps.sh - install the Debian packages the pack needs, or name them
#
# Usage: tools/ensure-deps.sh [GROUP...]
# Checks each tool or library the Makefile uses.  What is missing is installed
# with apt-get when we are root and apt-get exists; otherwise the script lists
# the packages to install and fails.  The optional groups are for the targets
# that need them:
#   node      nodejs and npm (make html-deps: the mutation report's viewer
#             and its schema check)
#   browser   chromium (tests/pack: the HTML report in a headless browser)
#   schema    python3-jsonschema (tests/class: the learning platforms'
#             results against their JSON Schemas)
#   slurm     slurm-wlm and munge (tests/class: a class graded through a
#             single-node Slurm cluster)
set -u

missing=""
need() { # need PACKAGE TEST-COMMAND...
	pkg=$1; shift
	if ! "$@" >/dev/null 2>&1; then
		missing="$missing $pkg"
	fi
}

need gcc             command -v gcc
need make            command -v make
need binutils        command -v objcopy
need pkg-config      command -v pkg-config
need valgrind        test -f /usr/include/valgrind/memcheck.h -a -x "$(command -v valgrind 2>/dev/null || echo /nonexistent)"
need libcriterion-dev pkg-config --exists criterion
need libjansson-dev  pkg-config --exists jansson
need jq              command -v jq
need python3         command -v python3
need python3-jsonschema python3 -c "import jsonschema"
need bubblewrap      command -v bwrap
need gettext         command -v msgfmt
need nettle-dev      test -f /usr/include/nettle/sha2.h
need libyaml-dev     test -f /usr/include/yaml.h
# libclang: the header check (-H) and grader mutate's syntax tree
need libclang-dev    sh -c 'ls /usr/lib/llvm-*/include/clang-c/Index.h /usr/lib/llvm-*/lib/libclang.so'

for group in "$@"; do
	case $group in
	node)    need nodejs command -v node
	         need npm    command -v npm ;;
	browser) need chromium command -v chromium ;;
	schema)  need python3-jsonschema python3 -c 'import jsonschema' ;;
	slurm)   need slurm-wlm command -v slurmctld
	         need munge     command -v munged ;;
	*)       echo "ensure-deps: unknown group '$group' (node, browser, schema, slurm)" >&2
	         exit 2 ;;
	esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "ensure-deps: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	# An old or empty package list makes install fail: refresh it first.
	apt-get update -qq >/dev/null 2>&1 || true
	# shellcheck disable=SC2086
	if apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
		exit 0
	fi
	echo "ensure-deps: apt-get install failed for:$missing" >&2
	exit 1
fi

echo "ensure-deps: missing Debian packages:$missing" >&2
echo "ensure-deps: install them with: sudo apt-get install$missing" >&2
exit 1
