# tests/class/class.mk - grading a class, tested (make class-test)
#
# Included by the top-level Makefile (paths from the repository root).
#
#   class-test   tests/class/run.sh: a generated class graded by grader
#                class (every layout, right and wrong solutions, broken
#                submissions), the cache and the resume after an
#                interruption, the gradebook, class.html in headless
#                Chromium, the learning platforms' results against their
#                schemas, the Gradescope package, and the same class
#                through a single-node Slurm cluster (tests/class/slurm.sh)

.PHONY: class-test
class-test: bin/grader
	$(Q)tools/ensure-deps.sh schema
	$(call msg,TEST,class)
	$(Q)V=$(V) tests/class/run.sh
