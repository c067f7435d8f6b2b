# tests/mutate/mutate.mk - grader mutate, tested (make mutate-test)
#
# Included by the top-level Makefile (paths from the repository root).
#
#   mutate-test   tests/mutate/run.sh: grader mutate on a few functions of
#                 the reference (the JSON, text and Stryker reports, the
#                 reviewed equivalents, --changed-since, usage errors), and
#                 its gate failing on a copy of the pack whose table lost a
#                 test
#   mutate-bench  tools/bench_mutate.sh: the reference's whole generated
#                 set, mutants per second and the share that needed valgrind

.PHONY: mutate-test mutate-bench

mutate-test: bin/grader $(NPM_STAMP)
	$(call msg,TEST,mutate)
	$(Q)V=$(V) tests/mutate/run.sh

mutate-bench: bin/grader
	$(Q)tools/bench_mutate.sh
