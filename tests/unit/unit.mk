# unit.mk - Criterion unit tests of the simulator's parts, against each reference and alternative
#
# Included from the top Makefile.  Targets:
#   unit-test         build and run every unit-test binary under valgrind
#                     (make -j runs the binaries side by side)
#   unit-build        build them only
#
# One set of binaries per solution, build/unit/<set>/test_<part>:
#   base     tests/unit/test_*.c        + references/ref_solution.c
#   bonus    tests/unit/test_*.c        + references/ref_solution_bonus.c
#            tests/unit/bonus/test_*.c  + references/ref_solution_bonus.c
#            (the bonus is a superset: the base tests must pass on it too)
#   alt_N    tests/unit/test_*.c        + alternatives/alt_N.c
# UNIT_SETS selects sets, e.g. make unit-test UNIT_SETS="base bonus".
#
# Each solution is compiled as the document compiles it, with its
# allocators renamed to the ut_* of tests/unit/alloc_shim.c, which counts
# them and fails the k-th on demand.

include mk/quiet.mk
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

UNIT_SHIM_DEFS := -Dmalloc=ut_malloc -Dcalloc=ut_calloc -Drealloc=ut_realloc \
                  -Dfree=ut_free -Dmmap=ut_mmap -Dmunmap=ut_munmap
UNIT_SIM_CFLAGS := -Wall -Wextra -Werror -std=c17 -g -O0 -Iinclude $(UNIT_SHIM_DEFS)

UNIT_PARTS       := $(patsubst $(UNIT_DIR)/test_%.c,%,$(wildcard $(UNIT_DIR)/test_*.c))
UNIT_BONUS_PARTS := $(patsubst $(UNIT_DIR)/bonus/test_%.c,%,$(wildcard $(UNIT_DIR)/bonus/test_*.c))
UNIT_OBJ     := $(UNIT_BUILD)/obj
UNIT_HELPERS := $(UNIT_OBJ)/fixtures.o $(UNIT_OBJ)/alloc_shim.o
UNIT_HEADERS := include/hypervisor_sim.h $(UNIT_DIR)/fixtures.h $(UNIT_DIR)/alloc_shim.h

# set name -> solution source
UNIT_ALTS     := $(patsubst alternatives/%.c,%,$(wildcard alternatives/*.c))
UNIT_SETS     ?= base bonus $(UNIT_ALTS)
unit_src_base  := references/ref_solution.c
unit_src_bonus := references/ref_solution_bonus.c
$(foreach a,$(UNIT_ALTS),$(eval unit_src_$(a) := alternatives/$(a).c))

UNIT_VG_FLAGS := --error-exitcode=1 --trace-children=yes --leak-check=full \
                 --errors-for-leak-kinds=definite,indirect \
                 --show-leak-kinds=definite,indirect

# unit_set(set): the rules of one set of binaries
define unit_set
UNIT_BINS += $$(UNIT_PARTS:%=$$(UNIT_BUILD)/$(1)/test_%)

$$(UNIT_BUILD)/sim/$(1).o: $$(unit_src_$(1)) include/hypervisor_sim.h
	$$(call msg,CC,$$@)
	$$(Q)mkdir -p $$(dir $$@)
	$$(Q)$$(CC) $$(UNIT_SIM_CFLAGS) -c $$< -o $$@

$(foreach p,$(UNIT_PARTS),$(call unit_bin,$(1),$(p),$(UNIT_OBJ)/test_$(p).o))
endef

# unit_bin(set, part, test object): one binary
define unit_bin
$$(UNIT_BUILD)/$(1)/test_$(2): $(3) $$(UNIT_HELPERS) $$(UNIT_BUILD)/sim/$(1).o
	$$(call msg,LD,$$@)
	$$(Q)mkdir -p $$(dir $$@)
	$$(Q)$$(CC) $$^ $$(UNIT_CR_LIBS) -o $$@

endef

UNIT_BINS :=
$(foreach s,$(UNIT_SETS),$(eval $(call unit_set,$(s))))
# the bonus tests, on the bonus reference only
ifneq ($(filter bonus,$(UNIT_SETS)),)
UNIT_BINS += $(UNIT_BONUS_PARTS:%=$(UNIT_BUILD)/bonus/test_%)
$(foreach p,$(UNIT_BONUS_PARTS),$(eval $(call unit_bin,bonus,$(p),$(UNIT_OBJ)/bonus/test_$(p).o)))
endif

# the objects are intermediate to make's pattern rules: keep them
.SECONDARY: $(UNIT_PARTS:%=$(UNIT_OBJ)/test_%.o) \
            $(UNIT_BONUS_PARTS:%=$(UNIT_OBJ)/bonus/test_%.o) $(UNIT_HELPERS) \
            $(UNIT_SETS:%=$(UNIT_BUILD)/sim/%.o)

.PHONY: unit-test unit-build unit-force
unit-build: $(UNIT_BINS)

# tests, fixtures and the shim (which calls the real allocators)
$(UNIT_OBJ)/%.o: $(UNIT_DIR)/%.c $(UNIT_HEADERS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(UNIT_CFLAGS) -c $< -o $@

# Criterion forks a worker per test and ignores valgrind's exit code: each
# binary runs under valgrind following the workers (one log per process),
# and its status and every log's error summary are checked.  One target per
# binary, so that make -j runs them side by side; they always run.
unit-test: $(UNIT_BINS:%=%.ok)
	@echo "unit tests: $(words $(UNIT_BINS)) binaries passed, 0 failed"

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
