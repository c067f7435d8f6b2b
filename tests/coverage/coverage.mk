# tests/coverage/coverage.mk - make coverage: the lines and branches of the
# references the graded tests reach (gcov)
#
# Included by the top-level Makefile.
#   make coverage   grades each reference as `bin/grader test --no-valgrind`
#                   does, compiled for gcov (tools/covrun.c: the grader's own
#                   build and run, same tests, same arguments), then prints
#                   per function lines executed/total and branches taken/
#                   total, the file's totals, every line never executed and
#                   every branch never taken (tools/covreport.py).
#                   Fails when COVERAGE_REF is below COVERAGE_MIN_LINES or
#                   COVERAGE_MIN_BRANCHES (percent); COVERAGE_BONUS_REF is
#                   reported, gated only if COVERAGE_BONUS_MIN_* are set.
#                   COVERAGE_SEED: the fuzzing seed (default: the spec's,
#                   else 1).

COVERAGE_MIN_LINES          ?= 98
COVERAGE_MIN_BRANCHES       ?= 95
COVERAGE_BONUS_MIN_LINES    ?=
COVERAGE_BONUS_MIN_BRANCHES ?=
COVERAGE_SEED               ?=
COVERAGE_SPEC               ?= spec.json
COVERAGE_REF                ?= references/ref_solution.c
COVERAGE_BONUS_REF          ?= references/ref_solution_bonus.c

COVERAGE_DIR  := $(BUILD)/coverage
COVRUN        := $(COVERAGE_DIR)/covrun
COVRUN_HOOK   := $(COVERAGE_DIR)/covrun_hook.o
# The grader's objects but its main: covrun calls grade_file() itself.
COVRUN_OBJS   := $(filter-out $(BUILD)/grader/main.o,$(GRADER_OBJS))

.PHONY: coverage

$(COVRUN): tools/covrun.c $(COVRUN_OBJS) $(GRADER_ORDER)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(GRADER_CFLAGS) tools/covrun.c $(COVRUN_OBJS) -o $@ $(GRADER_LDLIBS)

# Built like the harness it is linked into.
$(COVRUN_HOOK): tools/covrun_hook.c $(GRADER_ORDER)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(HARNESS_CFLAGS) -c $< -o $@

# covreport.py's exit status: 0, 1 below a threshold, 2 unreadable input.
coverage_one = \
	echo "coverage of $(1) (gcov; the graded tests of $(COVERAGE_SPEC))"; \
	GRADER_LIBDIR=$(abspath $(BUILD)/grader) COVRUN_HOOK=$(abspath $(COVRUN_HOOK)) \
		$(COVRUN) $(if $(COVERAGE_SEED),--seed $(COVERAGE_SEED)) $(COVERAGE_SPEC) $(1) \
		$(COVERAGE_DIR)/$(basename $(notdir $(1))).gcov.json.gz || exit 2; \
	python3 tools/covreport.py $(if $(2),--min-lines $(2)) $(if $(3),--min-branches $(3)) \
		$(COVERAGE_DIR)/$(basename $(notdir $(1))).gcov.json.gz $(1) || st=1

coverage: $(COVRUN) $(COVRUN_HOOK) $(HARNESS_LIB)
	$(Q)st=0; \
	$(call coverage_one,$(COVERAGE_REF),$(COVERAGE_MIN_LINES),$(COVERAGE_MIN_BRANCHES)); \
	echo; \
	$(call coverage_one,$(COVERAGE_BONUS_REF),$(COVERAGE_BONUS_MIN_LINES),$(COVERAGE_BONUS_MIN_BRANCHES)); \
	exit $$st
