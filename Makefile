# Makefile - build and check the westworld_hypervisor exercise pack
#
#   make validate   the main job: the pack holds (spec, solutions, mutants)
#   make test       the tests: solutions with tests/main.c, unit tests,
#                   the grader's own tests, the example guests
#   make demo       run the "Hi!" guest in bin/westworld
#   make bench      print the speed figures
#   make fuzz       fuzz the spec loader (FUZZ_SECONDS=60, clang's libFuzzer)
#   make coverage   lines and branches of the references the graded tests reach
#   make validate SPEC=... REF=...   validate another copy of the pack
#
# Quiet by default; V=1 shows the commands.  WERROR=0 drops -Werror from the
# pack's own tools (never from the document's command line for solutions).

CC       ?= gcc
VALGRIND ?= valgrind
WERROR   ?= 1

include mk/quiet.mk

# The exercise document's command line (section 3.0), used for every solution.
DOC_CFLAGS := -Wall -Wextra -Werror -std=c17

# The pack's own tools.
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wundef
ifeq ($(WERROR),1)
WARN     += -Werror
endif
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=c17 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Iinclude

VG_FLAGS := --quiet --error-exitcode=1 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect \
            --show-leak-kinds=definite,indirect

BUILD    := build
SOLUTIONS := $(wildcard references/*.c) $(wildcard alternatives/*.c)

.PHONY: all deps test validate demo bench clean solutions-test help coverage
.DEFAULT_GOAL := all

all: deps

help:
	@sed -n '3,10p' Makefile | sed 's/^# \{0,1\}//'

# Install (or name) the Debian packages we need, once per checkout.
DEPS_STAMP := $(BUILD)/.deps-ok
deps: $(DEPS_STAMP)
$(DEPS_STAMP): tools/ensure-deps.sh
	$(Q)tools/ensure-deps.sh
	$(Q)mkdir -p $(BUILD) && touch $@

# ---------------------------------------------------------------------------
# Every reference and alternative with the document's test main, under
# valgrind: the first thing the pack must get right.
# ---------------------------------------------------------------------------
MAIN_BINS := $(patsubst %.c,$(BUILD)/main/%,$(SOLUTIONS))

$(BUILD)/main/%: %.c tests/main.c include/hypervisor_sim.h | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(DOC_CFLAGS) -g -Iinclude $< tests/main.c -o $@

solutions-test: $(MAIN_BINS)
	$(Q)set -e; for b in $(MAIN_BINS); do \
		printf '  %-8s %s\n' VALGRIND $$b; \
		$(VALGRIND) $(VG_FLAGS) $$b >$$b.out 2>$$b.vg || \
			{ echo "$$b failed under valgrind:"; cat $$b.vg; tail -5 $$b.out; exit 1; }; \
		grep -q '^All tests passed!$$' $$b.out || \
			{ echo "$$b: 'All tests passed!' missing"; tail -5 $$b.out; exit 1; }; \
	done
	@echo "solutions: $(words $(MAIN_BINS)) passed, 0 failed"

# The parts each have their own rules.
-include grader/grader.mk
-include tests/unit/unit.mk
-include examples/examples.mk
-include tests/demo/demo.mk
-include tests/pack/pack.mk
-include tests/hostile/hostile.mk
-include fuzz/fuzz.mk
-include tests/coverage/coverage.mk
-include tools/subject.mk
-include tools/student-kit.mk
-include tools/gradescope/gradescope.mk
-include tests/class/class.mk
-include tests/mutate/mutate.mk

# The mutants are generated from the references: a change to a reference
# that a mutant's replacement no longer matches must be noticed.
.PHONY: mutants-check submissions-check
mutants-check:
	$(Q)python3 tools/mutants.py --check

# So are the grader's own bad submissions (tests/grader/submissions/).
submissions-check:
	$(Q)python3 tools/submissions.py --check

test: mutants-check submissions-check solutions-test unit-test grader-test grader-valgrind examples-test coverage \
      pack-test hostile-test class-test mutate-test

# The kill matrix on stdout; for CI, the JUnit and Stryker reports in
# $(VALIDATE_OUT).  Exit status non-zero unless every expectation holds.
SPEC         ?= spec.json
REF          ?= references/ref_solution.c
VALIDATE_OUT ?= $(BUILD)/validate
validate: bin/grader
	$(Q)bin/grader validate-spec $(SPEC)
	$(Q)mkdir -p $(VALIDATE_OUT)
	$(Q)bin/grader mutants -r $(REF) -s $(SPEC) --validate \
		--junit $(VALIDATE_OUT)/junit.xml \
		--report $(VALIDATE_OUT)/mutation-report.json
	$(Q)bin/grader mutate -r $(REF) -s $(SPEC) --validate \
		--report $(VALIDATE_OUT)/mutate-report.json

bench: bin/grader
	$(Q)tools/bench.sh

clean:
	$(call msg,CLEAN,$(BUILD) bin)
	$(Q)rm -rf $(BUILD) bin
