# tests/hostile/hostile.mk - the hostile suite: submissions that attack the
# grader (loops, a fork storm, a flood, forged verdicts, escapes, kills...)
#
# Included by the top-level Makefile.
#   hostile-test   every attack, with bubblewrap, without it
#                  (a PATH without bwrap) and with the fallback system call
#                  filter (GRADER_SYSFILTER=kill), and the fork storm with
#                  no filter at all, where only the process sweep stands
#                  (GRADER_SYSFILTER=off); HOSTILE_ONLY=regex picks
#                  cases, HOSTILE_JOBS parallel grades; then the attacks
#                  on the build (tests/hostile/build.sh: #include of
#                  /dev/zero, a macro bomb, a FIFO, .incbin, ...), with
#                  bubblewrap and with Landlock, each case's time printed

.PHONY: hostile-test
hostile-test: bin/grader
	$(call msg,TEST,hostile)
	$(Q)tests/hostile/generate.py --check
	$(Q)GRADER_BIN=bin/grader tests/hostile/run.sh $(if $(filter 1,$(V)),-v)
	$(Q)GRADER_BIN=bin/grader tests/hostile/build.sh $(if $(filter 1,$(V)),-v)
