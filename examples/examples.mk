# examples.mk - guest programs (GNU as, 16-bit) and the bin/westworld VMM that runs them
#
# Included from the top Makefile.  Targets:
#   examples        assemble examples/*.S into build/examples/*.bin
#   bin/westworld   the VMM (demo/westworld.c + the bonus reference)
#   demo            run the "Hi!" guest of section 5.7 with its exit trace
#   examples-test   run every guest through bin/westworld (under valgrind)
#                   and diff its stdout with examples/<guest>.expected;
#                   check hi.bin's bytes and the command line's errors
#   examples-expected  rewrite the .expected files from the current output
#                   (review the diff before committing it)

include mk/quiet.mk
CC       ?= gcc
VALGRIND ?= valgrind
BUILD    ?= build
WERROR   ?= 1

EX_DIR   := examples
EX_BUILD := $(BUILD)/examples
EX_AS    := as --32
EX_LD    := ld -m elf_i386 -Ttext=0x7c00 --oformat=binary

EX_NAMES := $(patsubst $(EX_DIR)/%.S,%,$(wildcard $(EX_DIR)/*.S))
EX_BINS  := $(EX_NAMES:%=$(EX_BUILD)/%.bin)

# the bonus reference, so that CPUID, RDTSC and VMCALL guests run too
WESTWORLD_SIM ?= references/ref_solution_bonus.c
EX_WARN := -Wall -Wextra
ifeq ($(WERROR),1)
EX_WARN += -Werror
endif
EX_CFLAGS := -std=c17 $(EX_WARN) -O2 -g -Iinclude

EX_VG := $(VALGRIND) -q --error-exitcode=99 --leak-check=full \
         --errors-for-leak-kinds=definite,indirect

# the one address the simulator prints (the memory region's host mapping)
EX_NORMALIZE := sed -E 's/host=(0x[0-9a-fA-F]+|\(nil\))/host=<addr>/'

# section 5.7, byte for byte
EX_HI_BYTES := ba f8 03 b0 48 ee b0 69 ee b0 21 ee b0 0a ee f4

.PHONY: examples demo examples-test examples-expected
.SECONDARY: $(EX_NAMES:%=$(EX_BUILD)/%.o)

examples: $(EX_BINS)

$(EX_BUILD)/%.o: $(EX_DIR)/%.S
	$(call msg,AS,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(EX_AS) -o $@ $<

$(EX_BUILD)/%.bin: $(EX_BUILD)/%.o
	$(call msg,LD,$@)
	$(Q)$(EX_LD) -o $@ $<

# the VMM (demo/*.c) and its CPU core (demo/x86/*.c), on the reference
WW_SRCS := $(wildcard demo/*.c) $(wildcard demo/x86/*.c)
WW_HDRS := $(wildcard demo/*.h) $(wildcard demo/x86/*.h)

bin/westworld: $(WW_SRCS) $(WW_HDRS) $(WESTWORLD_SIM) include/hypervisor_sim.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(EX_CFLAGS) -D_GNU_SOURCE -Wshadow -Wstrict-prototypes \
		-Wmissing-prototypes $(WW_SRCS) $(WESTWORLD_SIM) -o $@

demo: bin/westworld $(EX_BUILD)/hi.bin
	$(Q)bin/westworld --trace $(EX_BUILD)/hi.bin

examples-test: bin/westworld $(EX_BINS)
	$(Q)set -e; pass=0; \
	got=$$(od -An -tx1 -v $(EX_BUILD)/hi.bin | tr -s ' \n' ' ' | sed 's/^ //;s/ $$//'); \
	if [ "$$got" != "$(EX_HI_BYTES)" ]; then \
		echo "hi.bin is not the guest of section 5.7: $$got"; exit 1; fi; \
	for n in $(EX_NAMES); do \
		printf '  %-8s %s\n' GUEST $$n; \
		out=$(EX_BUILD)/$$n.out; \
		rc=0; $(EX_VG) bin/westworld --trace $(EX_BUILD)/$$n.bin \
			>$$out.raw 2>$(EX_BUILD)/$$n.err || rc=$$?; \
		if [ $$rc -ne 0 ]; then echo "$$n: exit status $$rc"; \
			cat $(EX_BUILD)/$$n.err; exit 1; fi; \
		$(EX_NORMALIZE) $$out.raw >$$out; \
		diff -u $(EX_DIR)/$$n.expected $$out || \
			{ echo "$$n: output differs from $(EX_DIR)/$$n.expected"; exit 1; }; \
		pass=$$((pass + 1)); \
	done; \
	printf '  %-8s %s\n' CLI bin/westworld; \
	bin/westworld --help | grep -q '^Usage: westworld ' || \
		{ echo "--help: no usage on stdout"; exit 1; }; \
	for args in "" "-m" "-m 0 x.bin" "-a zz x.bin" "--bogus x.bin" \
	            "a.bin b.bin" "$(EX_BUILD)/no-such-guest.bin" \
	            "-a 0x100000 $(EX_BUILD)/hi.bin" "/dev/null"; do \
		rc=0; bin/westworld $$args >/dev/null 2>$(EX_BUILD)/cli.err || rc=$$?; \
		if [ $$rc -ne 2 ] || [ ! -s $(EX_BUILD)/cli.err ]; then \
			echo "westworld $$args: status $$rc, want 2 and a message"; exit 1; fi; \
	done; \
	rc=0; printf '\xcc' >$(EX_BUILD)/int3.bin; \
	bin/westworld $(EX_BUILD)/int3.bin >$(EX_BUILD)/int3.out || rc=$$?; \
	if [ $$rc -ne 1 ] || ! grep -q 'Stopped: exit SHUTDOWN' $(EX_BUILD)/int3.out; then \
		echo "a guest that shuts down: status $$rc, want 1"; exit 1; fi; \
	echo "examples: $$pass guests passed, 0 failed"

examples-expected: bin/westworld $(EX_BINS)
	$(Q)for n in $(EX_NAMES); do \
		bin/westworld --trace $(EX_BUILD)/$$n.bin | $(EX_NORMALIZE) \
			>$(EX_DIR)/$$n.expected; \
		printf '  %-8s %s\n' GEN $(EX_DIR)/$$n.expected; \
	done
