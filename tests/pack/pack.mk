# tests/pack/pack.mk - the pack's validation (grader mutants) and its
# reports, tested; the npm tools they need
#
# Included by the top-level Makefile (paths from the repository root).
#
#   html-deps   the npm packages of tools/package.json, pinned by its
#               package-lock.json, in $(BUILD)/npm (npm ci): the viewer that
#               grader mutants --html inlines, the report schema and ajv
#   pack-test   tests/pack/run.sh: grader mutants on the pack and on broken
#               copies of it (a survivor, a stillborn, an equivalent mutant,
#               missing and unlisted files, a broken reference,
#               --changed-since), the JSON, JUnit, Stryker (against its
#               schema) and HTML (in headless Chromium) reports

NPM_DIR   := $(BUILD)/npm
NPM_STAMP := $(NPM_DIR)/.npm-ok

.PHONY: html-deps pack-test

html-deps: $(NPM_STAMP)

$(NPM_STAMP): tools/package.json tools/package-lock.json
	$(Q)tools/ensure-deps.sh node
	$(call msg,NPM,$(NPM_DIR))
	$(Q)mkdir -p $(NPM_DIR)
	$(Q)cp tools/package.json tools/package-lock.json $(NPM_DIR)/
	$(Q)cd $(NPM_DIR) && npm ci --no-audit --no-fund --ignore-scripts \
		--loglevel=error >/dev/null
	$(Q)touch $@

pack-test: bin/grader $(NPM_STAMP)
	$(call msg,TEST,pack)
	$(Q)V=$(V) tests/pack/run.sh
