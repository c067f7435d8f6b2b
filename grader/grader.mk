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
ifeq ($(origin Q),undefined)
ifeq ($(V),1)
Q :=
else
Q := @
endif
endif
ifeq ($(origin msg),undefined)
ifeq ($(V),1)
msg = @true
else
msg = @printf '  %-8s %s\n' '$(1)' '$(2)'
endif
endif

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
                  -Igrader -Igrader/harness -Iinclude $(JANSSON_CFLAGS)
GRADER_LDLIBS  := $(JANSSON_LIBS)
# The harness runs inside valgrind with the submission: frame pointers for
# the crash backtraces, -O1 for speed without losing the line table.
HARNESS_CFLAGS := -std=c17 -D_GNU_SOURCE $(GRADER_WARN) -O1 -g \
                  -fno-omit-frame-pointer -Igrader/harness -Iinclude

GRADER_SRCS  := grader/main.c grader/util.c grader/spec.c grader/proc.c \
                grader/build.c grader/norm.c grader/sandbox.c grader/vglog.c \
                grader/symbolize.c grader/grade.c grader/score.c \
                grader/report_text.c grader/report_json.c grader/cmd_test.c \
                grader/grade_file.c grader/cmd_mutants.c grader/matrix.c \
                grader/report_matrix.c grader/report_junit.c \
                grader/report_stryker.c grader/report_html.c grader/pack.c \
                grader/cmd_validate_spec.c grader/cmd_qcm.c
# The sandbox: the jail around the harness, the vetting of a submission.
GRADER_SRCS  += grader/jail.c grader/vet.c
# grader mutate: the mutants of a reference, placed with libclang.
GRADER_SRCS  += grader/cmd_mutate.c grader/mutate_gen.c grader/mutate_equiv.c \
                grader/mutate_report.c grader/mutate_select.c grader/mutate_stryker.c
LIBCLANG_DIR := $(lastword $(sort $(wildcard /usr/lib/llvm-*/include/clang-c/Index.h)))
LIBCLANG_DIR := $(patsubst %/include/clang-c/Index.h,%,$(LIBCLANG_DIR))
GRADER_CFLAGS_CLANG := $(if $(LIBCLANG_DIR),-I$(LIBCLANG_DIR)/include)
GRADER_LDLIBS_CLANG := $(if $(LIBCLANG_DIR),-L$(LIBCLANG_DIR)/lib) -lclang
GRADER_OBJS  := $(patsubst %.c,$(BUILD)/%.o,$(GRADER_SRCS)) \
                $(BUILD)/grader/proto.o $(BUILD)/grader/sysfilter.o
HARNESS_SRCS := $(wildcard grader/harness/*.c)
HARNESS_OBJS := $(patsubst grader/harness/%.c,$(BUILD)/grader/harness/%.o,$(HARNESS_SRCS))
HARNESS_LIB  := $(BUILD)/grader/libharness.a

GRADER_TEST_SRCS := $(wildcard tests/grader/*.c)
GRADER_TEST_BIN  := $(BUILD)/grader/grader-tests

GRADER_ORDER := $(if $(DEPS_STAMP),| $(DEPS_STAMP))

.PHONY: grader grader-test grader-valgrind
all: bin/grader
grader: bin/grader

bin/grader: $(GRADER_OBJS) $(HARNESS_LIB)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -o $@ $(GRADER_OBJS) $(GRADER_LDLIBS) $(GRADER_LDLIBS_CLANG)

$(BUILD)/grader/%.o: grader/%.c $(GRADER_ORDER)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(GRADER_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/grader/mutate_gen.o: grader/mutate_gen.c $(GRADER_ORDER)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(GRADER_CFLAGS) $(GRADER_CFLAGS_CLANG) -MMD -MP -c $< -o $@

# proto.c is shared with the harness; the grader gets its own object.
$(BUILD)/grader/proto.o: grader/harness/proto.c $(GRADER_ORDER)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(GRADER_CFLAGS) -MMD -MP -c $< -o $@

# So is sysfilter.c (the jail's listener names the calls it stops).
$(BUILD)/grader/sysfilter.o: grader/harness/sysfilter.c $(GRADER_ORDER)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(GRADER_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/grader/harness/%.o: grader/harness/%.c $(GRADER_ORDER)
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
grader-test: bin/grader $(GRADER_TEST_BIN)
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
