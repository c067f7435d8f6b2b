# grader/grader.mk - build bin/grader, its harness library, and its tests
#
# Included by the top-level Makefile (paths are relative to the repository
# root); also usable alone: make -f grader/grader.mk grader-test
#
#   bin/grader                      the grader
#   $(BUILD)/grader/libharness.a    the in-process test code each submission
#                                   is linked with (found by bin/grader at
#                                   ../build/grader, or $GRADER_LIBDIR)
#   grader-test                     the grader's own tests (Criterion)
#   grader-valgrind                 bin/grader itself under valgrind
#
# Quiet by default, V=1 shows the commands; WERROR=0 drops -Werror.

# Defaults for when this file is used alone; the top Makefile sets its own.
BUILD    ?= build
VALGRIND ?= valgrind
WERROR   ?= 1
ifeq ($(origin CC),default)
CC := gcc
endif
include mk/quiet.mk

GRADER_WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
               -Wformat=2 -Wundef
ifeq ($(WERROR),1)
GRADER_WARN += -Werror
endif

JANSSON_CFLAGS   := $(shell pkg-config --cflags jansson 2>/dev/null)
JANSSON_LIBS     := $(shell pkg-config --libs jansson 2>/dev/null || echo -ljansson)
CRITERION_CFLAGS := $(shell pkg-config --cflags criterion 2>/dev/null)
CRITERION_LIBS   := $(shell pkg-config --libs criterion 2>/dev/null || echo -lcriterion)

GRADER_CFLAGS  := -std=c17 -D_GNU_SOURCE $(GRADER_WARN) -O2 -g \
                  -Igrader -Igrader/contract -Iinclude $(JANSSON_CFLAGS)
GRADER_LDLIBS  := $(JANSSON_LIBS)
# The harness runs inside valgrind with the submission: frame pointers for
# the crash backtraces, -O1 for speed without losing the line table.
HARNESS_CFLAGS := -std=c17 -D_GNU_SOURCE $(GRADER_WARN) -O1 -g \
                  -fno-omit-frame-pointer -Igrader/harness -Igrader/contract -Iinclude

GRADER_SRCS  := grader/main.c grader/commands.c grader/options.c grader/util.c grader/spec.c grader/spec_check.c \
                grader/spec_driver.c grader/proc.c \
                grader/build.c grader/inspect.c grader/norm.c grader/sandbox.c \
                grader/run_records.c grader/explain.c grader/vglog.c \
                grader/symbolize.c grader/grade.c grader/score.c \
                grader/report_text.c grader/report_json.c grader/cmd_test.c \
                grader/grade_file.c grader/cmd_mutants.c grader/mutants_jobs.c \
                grader/mutants_output.c grader/child_report.c grader/matrix.c \
                grader/report_matrix.c grader/report_junit.c \
                grader/report_stryker.c grader/report_html.c grader/pack.c \
                grader/cmd_validate_spec.c grader/cmd_qcm.c grader/i18n.c
# The sandbox: the jail around the harness, the vetting of a submission.
GRADER_SRCS  += grader/jail.c grader/vet.c
# Grading a class: the pool of children (shared with mutants), the class
# command, the learning platforms' reporters.
GRADER_SRCS  += grader/pool.c grader/report_lms.c grader/report_gradescope.c \
                grader/report_prairielearn.c grader/report_autolab.c \
                grader/cmd_class.c grader/class_input.c grader/class_plan.c \
                grader/class_grade.c grader/class_book.c grader/class_html.c \
                grader/class_slurm.c
GRADER_LDLIBS += -lnettle -lyaml
# libclang (Debian libclang-dev): the student's header against the
# contract, and grader mutate's syntax tree.
LIBCLANG_DIR := $(patsubst %/include/clang-c/Index.h,%,$(lastword $(sort $(wildcard /usr/lib/llvm-*/include/clang-c/Index.h))))
GRADER_SRCS  += grader/header_check.c grader/header_layout.c grader/header_compare.c
GRADER_CFLAGS += $(if $(LIBCLANG_DIR),-isystem $(LIBCLANG_DIR)/include)
GRADER_LDLIBS += $(if $(LIBCLANG_DIR),-L$(LIBCLANG_DIR)/lib) -lclang
# header-probe: the same check, exec'd by bin/grader with limits
HEADER_PROBE := $(BUILD)/grader/header-probe
GRADER_SRCS  += grader/jail_view.c grader/jail_tool.c grader/build_input.c \
                grader/build_diag.c grader/build_symbols.c grader/build_oracle.c
GRADER_SRCS  += grader/jail_proc.c grader/jail_bwrap.c grader/jail_child.c \
                grader/jail_listen.c grader/jail_sweep.c
# What the grader and the harness share (grader/contract/: the record
# protocol, the system call filter, the lists of tests and wrapped calls) is
# compiled once for each side, with that side's flags.
CONTRACT_SRCS := $(wildcard grader/contract/*.c)
# grader mutate: the mutants of a reference, placed with libclang.
GRADER_SRCS  += grader/cmd_mutate.c grader/mutate_gen.c grader/mutate_equiv.c \
                grader/mutate_report.c grader/mutate_select.c grader/mutate_stryker.c \
                grader/mutate_run.c
GRADER_OBJS  := $(patsubst %.c,$(BUILD)/%.o,$(GRADER_SRCS)) \
                $(patsubst grader/contract/%.c,$(BUILD)/grader/contract/%.o,$(CONTRACT_SRCS))
HARNESS_SRCS := $(wildcard grader/harness/*.c)
HARNESS_OBJS := $(patsubst grader/harness/%.c,$(BUILD)/grader/harness/%.o,$(HARNESS_SRCS)) \
                $(patsubst grader/contract/%.c,$(BUILD)/grader/harness/contract/%.o,$(CONTRACT_SRCS))
HARNESS_LIB  := $(BUILD)/grader/libharness.a

GRADER_TEST_SRCS := $(wildcard tests/grader/*.c)
GRADER_TEST_BIN  := $(BUILD)/grader/grader-tests
# The internals the end-to-end tests reach only through messages (the
# valgrind log parser, the kill matrix's judge, the vetting, the spec
# loader's outcomes), linked with the grader's own objects.
GRADER_UNIT_SRCS := $(wildcard tests/grader/unit/*.c)
GRADER_UNIT_BIN  := $(BUILD)/grader/grader-unit-tests
GRADER_LIB_OBJS   = $(filter-out $(BUILD)/grader/main.o,$(GRADER_OBJS))

GRADER_ORDER := $(if $(DEPS_STAMP),| $(DEPS_STAMP))

.PHONY: grader grader-test grader-valgrind
all: bin/grader
grader: bin/grader

bin/grader: $(GRADER_OBJS) $(HARNESS_LIB) $(HEADER_PROBE)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -o $@ $(GRADER_OBJS) $(GRADER_LDLIBS)

$(HEADER_PROBE): $(BUILD)/grader/header_probe.o $(GRADER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) -o $@ $(BUILD)/grader/header_probe.o \
		$(filter-out $(BUILD)/grader/main.o,$(GRADER_OBJS)) $(GRADER_LDLIBS)

$(BUILD)/grader/%.o: grader/%.c $(GRADER_ORDER)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(GRADER_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/grader/harness/%.o: grader/harness/%.c $(GRADER_ORDER)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(HARNESS_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/grader/harness/contract/%.o: grader/contract/%.c $(GRADER_ORDER)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(HARNESS_CFLAGS) -MMD -MP -c $< -o $@

$(HARNESS_LIB): $(HARNESS_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(GRADER_TEST_BIN): $(GRADER_TEST_SRCS) tests/grader/grader_tests.h $(GRADER_ORDER)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -std=c17 -D_GNU_SOURCE $(GRADER_WARN) -O1 -g $(CRITERION_CFLAGS) \
		$(JANSSON_CFLAGS) -Itests/grader $(GRADER_TEST_SRCS) -o $@ \
		$(CRITERION_LIBS) $(JANSSON_LIBS)

# The tests run bin/grader as a subprocess; GRADER_BIN says which.
$(GRADER_UNIT_BIN): $(GRADER_UNIT_SRCS) $(GRADER_LIB_OBJS) $(HARNESS_LIB) $(GRADER_ORDER)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(GRADER_CFLAGS) $(CRITERION_CFLAGS) $(GRADER_UNIT_SRCS) \
		$(GRADER_LIB_OBJS) -o $@ $(CRITERION_LIBS) $(GRADER_LDLIBS)

grader-test: bin/grader $(GRADER_TEST_BIN) $(GRADER_UNIT_BIN)
	$(call msg,TEST,grader internals)
	$(Q)GRADER_LIBDIR=$(BUILD)/grader $(GRADER_UNIT_BIN) --jobs 2 \
		$(if $(filter 1,$(V)),--verbose)
	$(call msg,TEST,grader)
	$(Q)GRADER_BIN=bin/grader VALGRIND=$(VALGRIND) $(GRADER_TEST_BIN) \
		--jobs 2 $(if $(filter 1,$(V)),--verbose)

# bin/grader itself, valgrind-clean: the whole grader suite again, every
# run of bin/grader under valgrind (an error or a leak exits 99, and the
# test that saw it fails).
grader-valgrind: bin/grader $(GRADER_TEST_BIN)
	$(call msg,VALGRIND,grader-test with bin/grader under valgrind)
	$(Q)GRADER_TEST_VALGRIND=1 GRADER_BIN=bin/grader VALGRIND=$(VALGRIND) \
		$(GRADER_TEST_BIN) --jobs 2 $(if $(filter 1,$(V)),--verbose)

-include $(GRADER_OBJS:.o=.d) $(HARNESS_OBJS:.o=.d)
-include po/po.mk
