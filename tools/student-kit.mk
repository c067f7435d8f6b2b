# tools/student-kit.mk - the student kit: the moulinette a student runs at home
#
#   make student-kit        build/student-kit.tar.gz: the grader's sources
#                           and a Makefile to build them (French by default),
#                           its compiled message catalogues, the spec, the
#                           header, the subject; no reference, alternative,
#                           mutant or other solution source
#   make student-kit-test   part of make test: the kit unpacked into an empty
#                           folder builds, grades the references (copied in
#                           from outside) to 100, with the fuzzing oracle
#                           given as the stripped object too, and holds no
#                           function body of any solution of the pack
#
# When the spec's fuzzing oracle is the reference, the kit ships the
# reference compiled and stripped (oracle/ref_solution.o), never its source.

KIT_NAME    := westworld-student-kit
KIT_STAGE   := $(BUILD)/student-kit
KIT_DIR     := $(KIT_STAGE)/$(KIT_NAME)
KIT_TAR     := $(BUILD)/student-kit.tar.gz
KIT_SPEC    ?= spec.json
KIT_REF     ?= references/ref_solution.c
KIT_ORACLE  := $(KIT_STAGE)/oracle/ref_solution.o
KIT_GRADER  := $(sort $(wildcard grader/*.c grader/*.h grader/harness/*.c \
                 grader/harness/*.h grader/harness/*.def grader/contract/*.c \
                 grader/contract/*.h grader/contract/*.def)) grader/grader.mk mk/quiet.mk
KIT_DOCS    := docs/subject.fr.md docs/subject.en.md
# The message catalogues, compiled: the kit needs no gettext tools.
KIT_MO      := $(wildcard po/*.po)
KIT_MO      := $(patsubst po/%.po,$(BUILD)/locale/%/LC_MESSAGES/westworld-grader.mo,$(KIT_MO))
KIT_MO      += $(patsubst po/harness/%.po,$(BUILD)/locale/%/LC_MESSAGES/westworld-harness.mo,$(wildcard po/harness/*.po))

.PHONY: student-kit student-kit-test
test: student-kit-test
student-kit: $(KIT_TAR)

# The reference as the oracle sees it (the flags of build.c's build_oracle),
# without debug information or local symbols.
$(KIT_ORACLE): $(KIT_REF) include/hypervisor_sim.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(DOC_CFLAGS) -O0 -fno-builtin -Iinclude -c $< -o $@.tmp
	$(Q)strip --strip-unneeded $@.tmp -o $@
	$(Q)rm -f $@.tmp

$(KIT_TAR): $(KIT_GRADER) $(KIT_SPEC) include/hypervisor_sim.h $(KIT_DOCS) $(KIT_MO) \
            tools/student-kit/Makefile tools/student-kit/README.md \
            tools/student_kit.py $(KIT_ORACLE) | $(DEPS_STAMP)
	$(call msg,KIT,$@)
	$(Q)rm -rf $(KIT_DIR) && mkdir -p $(KIT_DIR)/include $(KIT_DIR)/docs
	$(Q)cp --parents $(KIT_GRADER) $(KIT_DIR)/
	$(Q)for mo in $(KIT_MO); do \
		d=$(KIT_DIR)/locale/$${mo#$(BUILD)/locale/}; mkdir -p $${d%/*}; cp $$mo $$d; done
	$(Q)cp include/hypervisor_sim.h $(KIT_DIR)/include/
	$(Q)cp $(KIT_DOCS) $(KIT_DIR)/docs/
	$(Q)cp tools/student-kit/Makefile tools/student-kit/README.md $(KIT_DIR)/
	$(Q)python3 tools/student_kit.py spec $(KIT_SPEC) $(KIT_ORACLE) $(KIT_DIR)
	$(Q)tar -C $(KIT_STAGE) --owner=0 --group=0 --sort=name -czf $@.tmp $(KIT_NAME)
	$(Q)mv $@.tmp $@

student-kit-test: $(KIT_TAR) $(KIT_ORACLE)
	$(call msg,TEST,student kit)
	$(Q)tools/student-kit-test.sh $(KIT_TAR) $(KIT_ORACLE)
