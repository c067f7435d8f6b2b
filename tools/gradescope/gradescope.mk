# tools/gradescope/gradescope.mk - the Gradescope autograder package
#
# Included by the top-level Makefile (paths from the repository root).
#
#   gradescope   $(BUILD)/gradescope/autograder.zip: setup.sh and
#                run_autograder at its root, and the sources bin/grader is
#                built from (upload it as a Gradescope "Autograder")

GRADESCOPE_DIR   := $(BUILD)/gradescope
GRADESCOPE_ZIP   := $(GRADESCOPE_DIR)/autograder.zip
GRADESCOPE_FILES := Makefile spec.json tools/ensure-deps.sh \
                    $(wildcard include/*.h references/*.c grader/*.c grader/*.h \
                      grader/*.mk grader/harness/*.c grader/harness/*.h \
                      grader/harness/*.def grader/contract/* mk/*.mk)

.PHONY: gradescope
gradescope: $(GRADESCOPE_ZIP)

$(GRADESCOPE_ZIP): tools/gradescope/setup.sh tools/gradescope/run_autograder \
                   $(GRADESCOPE_FILES)
	$(call msg,ZIP,$@)
	$(Q)rm -rf $(GRADESCOPE_DIR)/tree $@
	$(Q)mkdir -p $(GRADESCOPE_DIR)/tree
	$(Q)cp --parents $(GRADESCOPE_FILES) $(GRADESCOPE_DIR)/tree/
	$(Q)cp tools/gradescope/setup.sh tools/gradescope/run_autograder $(GRADESCOPE_DIR)/tree/
	$(Q)cd $(GRADESCOPE_DIR)/tree && python3 -m zipfile -c ../autograder.zip \
		setup.sh run_autograder $(sort $(foreach f,$(GRADESCOPE_FILES),$(firstword $(subst /, ,$(f)))))
