# unit.mk - Criterion unit tests of the simulator's parts, against each reference
#
# Included from the top Makefile.  Targets:
#   unit-test         build and run every unit-test binary under valgrind
#   unit-build        build them only
#
# build/unit/base/test_<part>   tests/unit/test_<part>.c + ref_solution.c
# build/unit/bonus/test_<part>  tests/unit/test_<part>.c + ref_solution_bonus.c
#                               (the bonus is a superset: same base tests)
# build/unit/bonus/test_bonus   tests/unit/bonus/test_bonus.c + ref_solution_bonus.c
#
# The reference is compiled with its allocators renamed to the ut_* of
# tests/unit/alloc_shim.c, which counts them and fails the k-th on demand.

ifndef Q
ifeq ($(V),1)
Q :=
else
Q := @
endif
endif
ifndef msg
ifeq ($(V),1)
msg = @true
else
msg = @printf '  %-8s %s\n' '$(1)' '$(2)'
endif
endif
CC       ?= gcc
VALGRIND ?= valgrind
BUILD    ?= build
WERROR   ?= 1

UNIT_DIR   := tests/unit
UNIT_BUILD := $(BUILD)/unit

UNIT_CR_CFLAGS := $(shell pkg-config --cflags criterion 2>/dev/null)
UNIT_CR_LIBS   := $(or $(shell pkg-config --libs criterion 2>/dev/null),-lcriterion)

UNIT_WARN := -Wall -Wextra
ifeq ($(WERROR),1)
UNIT_WARN += -Werror
endif
UNIT_CFLAGS := -std=c17 $(UNIT_WARN) -g -O0 -Iinclude -I$(UNIT_DIR) $(UNIT_CR_CFLAGS)

# the reference as the document compiles it, its allocations rerouted
UNIT_SHIM_DEFS := -Dmalloc=ut_malloc -Dcalloc=ut_calloc -Drealloc=ut_realloc \
                  -Dfree=ut_free -Dmmap=ut_mmap -Dmunmap=ut_munmap
UNIT_REF_CFLAGS := -Wall -Wextra -Werror -std=c17 -g -O0 -Iinclude $(UNIT_SHIM_DEFS)

UNIT_PARTS := $(patsubst $(UNIT_DIR)/test_%.c,%,$(wildcard $(UNIT_DIR)/test_*.c))
UNIT_HELPERS := $(UNIT_BUILD)/fixtures.o $(UNIT_BUILD)/alloc_shim.o
UNIT_HEADERS := include/hypervisor_sim.h $(UNIT_DIR)/fixtures.h $(UNIT_DIR)/alloc_shim.h

UNIT_BASE_BINS  := $(UNIT_PARTS:%=$(UNIT_BUILD)/base/test_%)
UNIT_BONUS_BINS := $(UNIT_PARTS:%=$(UNIT_BUILD)/bonus/test_%) \
                   $(patsubst $(UNIT_DIR)/bonus/test_%.c,$(UNIT_BUILD)/bonus/test_%,\
                      $(wildcard $(UNIT_DIR)/bonus/test_*.c))
UNIT_BINS := $(UNIT_BASE_BINS) $(UNIT_BONUS_BINS)

UNIT_VG_FLAGS := --error-exitcode=1 --trace-children=yes --leak-check=full \
                 --errors-for-leak-kinds=definite,indirect \
                 --show-leak-kinds=definite,indirect

# the objects are intermediate to make's pattern rules: keep them
.SECONDARY: $(UNIT_PARTS:%=$(UNIT_BUILD)/test_%.o) $(UNIT_HELPERS) \
            $(UNIT_BUILD)/bonus/test_bonus.o \
            $(UNIT_BUILD)/ref/ref_solution.o $(UNIT_BUILD)/ref/ref_solution_bonus.o

.PHONY: unit-test unit-build
unit-build: $(UNIT_BINS)

$(UNIT_BUILD)/%.o: $(UNIT_DIR)/%.c $(UNIT_HEADERS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(UNIT_CFLAGS) -c $< -o $@

# (alloc_shim.c calls the real allocators: only the reference is renamed)

$(UNIT_BUILD)/ref/%.o: references/%.c include/hypervisor_sim.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(UNIT_REF_CFLAGS) -c $< -o $@

$(UNIT_BUILD)/base/test_%: $(UNIT_BUILD)/test_%.o $(UNIT_HELPERS) \
                           $(UNIT_BUILD)/ref/ref_solution.o
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $^ $(UNIT_CR_LIBS) -o $@

$(UNIT_BUILD)/bonus/test_%: $(UNIT_BUILD)/test_%.o $(UNIT_HELPERS) \
                            $(UNIT_BUILD)/ref/ref_solution_bonus.o
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $^ $(UNIT_CR_LIBS) -o $@

$(UNIT_BUILD)/bonus/test_bonus: $(UNIT_BUILD)/bonus/test_bonus.o $(UNIT_HELPERS) \
                                $(UNIT_BUILD)/ref/ref_solution_bonus.o
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $^ $(UNIT_CR_LIBS) -o $@

# Criterion forks a worker per test and ignores valgrind's exit code: each
# binary runs under valgrind following the workers (one log per process),
# and its status and every log's error summary are checked.  One target per
# binary, so that make -j runs them side by side; they always run.
unit-test: $(UNIT_BINS:%=%.ok)
	@echo "unit tests: $(words $(UNIT_BINS)) binaries passed, 0 failed"

.PHONY: unit-force
unit-force:

$(UNIT_BUILD)/%.ok: $(UNIT_BUILD)/% unit-force
	$(Q)rm -rf $<.vg $@; mkdir -p $<.vg
	$(Q)$(VALGRIND) $(UNIT_VG_FLAGS) --log-file=$<.vg/%p.log $< >$<.out 2>&1 || \
		{ echo "$<: tests failed"; cat $<.out; exit 1; }
	$(Q)! grep -l 'ERROR SUMMARY: [1-9]' $<.vg/*.log >/dev/null || \
		{ echo "$<: valgrind found errors:"; \
		  grep -l 'ERROR SUMMARY: [1-9]' $<.vg/*.log | xargs cat; exit 1; }
	$(Q)printf '  %-8s %s: %s\n' UNIT $< \
		"$$(grep -h 'Synthesis' $<.out | sed 's/.*Synthesis: //')"
	$(Q)touch $@
