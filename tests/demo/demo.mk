# demo.mk - unit tests of bin/westworld's CPU core (demo/x86/), against the host CPU
#
# Included from the top Makefile.  Targets:
#   demo-unit-test    build and run build/demo-unit/test_core under valgrind:
#                     every ALU instruction's result and flags against the
#                     host's (inline assembly), the decoder and disassembler,
#                     the executor's addressing modes, stack, strings,
#                     prefixes, I/O, MMIO and BIOS
#   demo-unit-build   build it only

include mk/quiet.mk
CC       ?= gcc
VALGRIND ?= valgrind
BUILD    ?= build
WERROR   ?= 1

DEMO_UT_DIR   := tests/demo
DEMO_UT_BUILD := $(BUILD)/demo-unit
DEMO_UT_WARN  := -Wall -Wextra
ifeq ($(WERROR),1)
DEMO_UT_WARN  += -Werror
endif
# -mno-red-zone: the host's flags are read with pushfq inside inline asm
DEMO_UT_CFLAGS := -std=c17 -D_GNU_SOURCE $(DEMO_UT_WARN) -g -O1 -mno-red-zone \
                  -Iinclude -Idemo -I$(DEMO_UT_DIR) \
                  $(shell pkg-config --cflags criterion 2>/dev/null)
DEMO_UT_LIBS   := $(or $(shell pkg-config --libs criterion 2>/dev/null),-lcriterion)
DEMO_UT_SRCS   := $(wildcard $(DEMO_UT_DIR)/*.c) $(wildcard demo/x86/*.c) \
                  references/ref_solution_bonus.c
DEMO_UT_HDRS   := $(wildcard $(DEMO_UT_DIR)/*.h) $(wildcard demo/x86/*.h) \
                  include/hypervisor_sim.h

.PHONY: demo-unit-test demo-unit-build

demo-unit-build: $(DEMO_UT_BUILD)/test_core

$(DEMO_UT_BUILD)/test_core: $(DEMO_UT_SRCS) $(DEMO_UT_HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(DEMO_UT_CFLAGS) $(DEMO_UT_SRCS) -o $@ $(DEMO_UT_LIBS)

demo-unit-test: $(DEMO_UT_BUILD)/test_core
	$(call msg,TEST,$<)
	$(Q)$(VALGRIND) -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect \
		$< --jobs=1 --short-filename >/dev/null

# part of make test (a prerequisite added here, so the Makefile's test line
# stays as it is)
test: demo-unit-test
