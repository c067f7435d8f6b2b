# fuzz/fuzz.mk - fuzz the grader's spec loader with libFuzzer (clang)
#
# Included by the top-level Makefile.
#   make fuzz                  FUZZ_SECONDS (default 60) of fuzzing, from a
#                              corpus seeded with tests/grader/specs/*.json
#                              and spec.json (kept in $(BUILD)/fuzz/corpus);
#                              prints the executions, coverage and corpus,
#                              fails on a crash (the input is saved in
#                              $(BUILD)/fuzz/)
#   make fuzz-replay           runs the target once on every saved input

FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_BIN     := $(FUZZ_DIR)/spec_fuzz
FUZZ_SRCS    := fuzz/spec_fuzz.c grader/spec.c grader/spec_check.c grader/spec_driver.c grader/util.c grader/contract/sbuf.c
FUZZ_CFLAGS  := -std=c17 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Wno-unknown-warning-option \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
                -Igrader -Igrader/contract -Iinclude $(JANSSON_CFLAGS)

.PHONY: fuzz fuzz-replay

$(FUZZ_BIN): $(FUZZ_SRCS) grader/spec.h grader/util.h grader/contract/tests.def
	$(call msg,CC,$@)
	$(Q)command -v $(FUZZ_CC) >/dev/null || { echo "fuzz: $(FUZZ_CC) not found:" \
		"libFuzzer comes with clang (Debian: apt-get install clang)" >&2; exit 2; }
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SRCS) -o $@ $(JANSSON_LIBS)

fuzz: $(FUZZ_BIN)
	$(call msg,FUZZ,spec_load/spec_validate for $(FUZZ_SECONDS) s)
	$(Q)mkdir -p $(FUZZ_DIR)/corpus
	$(Q)cp -n tests/grader/specs/*.json spec.json $(FUZZ_DIR)/corpus/ 2>/dev/null || true
	$(Q)FUZZ_REPO=$(CURDIR) $(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) \
		-dict=fuzz/spec.dict -artifact_prefix=$(FUZZ_DIR)/ -print_final_stats=1 \
		$(FUZZ_DIR)/corpus >$(FUZZ_DIR)/log 2>&1; st=$$?; \
	grep -E '^#[0-9]+.*DONE|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
		$(FUZZ_DIR)/log | sed 's/^/  /'; \
	echo "  corpus: $$(ls $(FUZZ_DIR)/corpus | wc -l) inputs; crashes: $$(ls $(FUZZ_DIR) | grep -cE '^(crash|leak|timeout|oom)-')"; \
	if [ $$st -ne 0 ]; then tail -40 $(FUZZ_DIR)/log; exit 1; fi

fuzz-replay: $(FUZZ_BIN)
	$(Q)FUZZ_REPO=$(CURDIR) $(FUZZ_BIN) -runs=1 $(FUZZ_DIR)/corpus $(wildcard $(FUZZ_DIR)/crash-* $(FUZZ_DIR)/leak-*)
