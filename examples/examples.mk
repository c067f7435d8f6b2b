# examples.mk - guest programs (GNU as, 16-bit, and one in C) and the bin/westworld VMM that runs them
#
# Included from the top Makefile.  Targets:
#   examples        assemble examples/*.S and build the C guest examples/c/
#                   into build/examples/*.bin
#   bin/westworld   the VMM (demo/*.c, its CPU core demo/x86/*.c, the bonus
#                   reference for the host, its UART and its EPT)
#   demo            build the guests and run the "Hi!" guest of section 5.7
#   examples-test   run every guest through bin/westworld (under valgrind)
#                   with the options of examples/<guest>.args, check its exit
#                   status (examples/<guest>.status, else 0) and diff its
#                   stdout with examples/<guest>.expected; check hi.bin's and
#                   lwn.bin's bytes, the limits, Ctrl-C and the command line's
#                   errors
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

EX_NAMES := $(patsubst $(EX_DIR)/%.S,%,$(wildcard $(EX_DIR)/*.S)) cguest
EX_BINS  := $(EX_NAMES:%=$(EX_BUILD)/%.bin)

# the C guest: gcc -m16 output is 32-bit code with 66/67 prefixes
# (-march=i686: no SSE, which the core does not run)
EX_CGUEST_CFLAGS := -m16 -march=i686 -ffreestanding -nostdlib -fno-pic -fno-pie \
                    -fno-stack-protector -fno-asynchronous-unwind-tables \
                    -Os -std=c17 -Wall -Wextra -Werror

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
# and, for the C guest, its size and instruction count, which are gcc's choice
EX_NORMALIZE_C := sed -E 's/ after [0-9]+ instructions/ after N instructions/;s/Loaded [0-9]+ bytes/Loaded N bytes/'

# section 5.7, byte for byte
EX_HI_BYTES := ba f8 03 b0 48 ee b0 69 ee b0 21 ee b0 0a ee f4
# LWN's "Using the KVM API", byte for byte
EX_LWN_BYTES := ba f8 03 00 d8 04 30 ee b0 0a ee f4

# the bytes of a file on one line, "ba f8 03 ..."
ex_bytes = od -An -tx1 -v $(1) | tr -s ' \n' ' ' | sed 's/^ //;s/ $$//'


.PHONY: examples demo examples-test examples-expected
.SECONDARY: $(EX_NAMES:%=$(EX_BUILD)/%.o) $(EX_BUILD)/c/selftest-O0.o $(EX_BUILD)/c/selftest-O2.o

examples: $(EX_BINS)

$(EX_BUILD)/%.o: $(EX_DIR)/%.S
	$(call msg,AS,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(EX_AS) -o $@ $<

$(EX_BUILD)/%.bin: $(EX_BUILD)/%.o
	$(call msg,LD,$@)
	$(Q)$(EX_LD) -o $@ $<

$(EX_BUILD)/c/%.o: $(EX_DIR)/c/%.c
	$(call msg,CC16,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(EX_CGUEST_CFLAGS) -c -o $@ $<

$(EX_BUILD)/c/crt0.o: $(EX_DIR)/c/crt0.S
	$(call msg,AS,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(EX_AS) -o $@ $<

$(EX_BUILD)/cguest.bin: $(EX_BUILD)/c/crt0.o $(EX_BUILD)/c/cguest.o $(EX_DIR)/c/guest.ld
	$(call msg,LD,$@)
	$(Q)ld -m elf_i386 -T $(EX_DIR)/c/guest.ld --oformat=binary -o $@ \
		$(EX_BUILD)/c/crt0.o $(EX_BUILD)/c/cguest.o

# selftest.c: the guest at -O0 and -O2, and the host's build for reference
EX_SELFTEST := $(EX_BUILD)/selftest-O0.bin $(EX_BUILD)/selftest-O2.bin \
               $(EX_BUILD)/c/selftest-native

$(EX_BUILD)/c/selftest-%.o: $(EX_DIR)/c/selftest.c
	$(call msg,CC16,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(EX_CGUEST_CFLAGS) -$* -c -o $@ $<

$(EX_BUILD)/selftest-%.bin: $(EX_BUILD)/c/crt0.o $(EX_BUILD)/c/selftest-%.o $(EX_DIR)/c/guest.ld
	$(call msg,LD,$@)
	$(Q)ld -m elf_i386 -T $(EX_DIR)/c/guest.ld --oformat=binary -o $@ \
		$(EX_BUILD)/c/crt0.o $(EX_BUILD)/c/selftest-$*.o

$(EX_BUILD)/c/selftest-native: $(EX_DIR)/c/selftest.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -std=c17 -Wall -Wextra -Werror -O2 -DWW_NATIVE -o $@ $<

# the VMM (demo/*.c) and its CPU core (demo/x86/*.c), on the reference
WW_SRCS := $(wildcard demo/*.c) $(wildcard demo/x86/*.c)
WW_HDRS := $(wildcard demo/*.h) $(wildcard demo/x86/*.h)

bin/westworld: $(WW_SRCS) $(WW_HDRS) $(WESTWORLD_SIM) include/hypervisor_sim.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(EX_CFLAGS) -D_GNU_SOURCE -Wshadow -Wstrict-prototypes \
		-Wmissing-prototypes $(WW_SRCS) $(WESTWORLD_SIM) -o $@

demo: bin/westworld $(EX_BINS)
	$(Q)bin/westworld --trace $(EX_BUILD)/hi.bin

# a guest's options: examples/<name>.args, if any
ex_args = $$(cat $(EX_DIR)/$(1).args 2>/dev/null)

examples-test: bin/westworld $(EX_BINS) $(EX_SELFTEST)
	$(Q)set -e; pass=0; \
	for g in "hi $(EX_HI_BYTES)" "lwn $(EX_LWN_BYTES)"; do \
		n=$${g%% *}; want=$${g#* }; \
		got=$$($(call ex_bytes,$(EX_BUILD)/$$n.bin)); \
		if [ "$$got" != "$$want" ]; then \
			echo "$$n.bin is not the published guest: $$got"; exit 1; fi; \
	done; \
	for n in $(EX_NAMES); do \
		printf '  %-8s %s\n' GUEST $$n; \
		out=$(EX_BUILD)/$$n.out; \
		want=$$(cat $(EX_DIR)/$$n.status 2>/dev/null || echo 0); \
		rc=0; $(EX_VG) bin/westworld --trace $(call ex_args,$$n) \
			$(EX_BUILD)/$$n.bin >$$out.raw 2>$(EX_BUILD)/$$n.err || rc=$$?; \
		if [ $$rc -ne $$want ]; then echo "$$n: exit status $$rc, want $$want"; \
			cat $(EX_BUILD)/$$n.err; exit 1; fi; \
		$(EX_NORMALIZE) $$out.raw | \
			if [ $$n = cguest ]; then $(EX_NORMALIZE_C); else cat; fi >$$out; \
		diff -u $(EX_DIR)/$$n.expected $$out || \
			{ echo "$$n: output differs from $(EX_DIR)/$$n.expected"; exit 1; }; \
		pass=$$((pass + 1)); \
	done; \
	$(EX_BUILD)/c/selftest-native >$(EX_BUILD)/selftest.native; \
	for o in O0 O2; do \
		printf '  %-8s %s\n' GUEST "selftest -$$o (against the host)"; \
		rc=0; $(EX_VG) bin/westworld $(EX_BUILD)/selftest-$$o.bin \
			>$(EX_BUILD)/selftest-$$o.out 2>&1 || rc=$$?; \
		sed -n '/^Guest output: /,/^\[VM\] CPU halted/p' $(EX_BUILD)/selftest-$$o.out | \
			sed '1s/^Guest output: //;$$d' >$(EX_BUILD)/selftest-$$o.txt; \
		if [ $$rc -ne 0 ] || ! cmp -s $(EX_BUILD)/selftest.native $(EX_BUILD)/selftest-$$o.txt; then \
			echo "selftest -$$o: status $$rc, or its text is not the host's:"; \
			diff $(EX_BUILD)/selftest.native $(EX_BUILD)/selftest-$$o.txt || true; \
			cat $(EX_BUILD)/selftest-$$o.out; exit 1; fi; \
		pass=$$((pass + 1)); \
	done; \
	printf '  %-8s %s\n' CLI bin/westworld; \
	bin/westworld --help | grep -q '^Usage: westworld ' || \
		{ echo "--help: no usage on stdout"; exit 1; }; \
	for args in "" "-m" "-m 0 x.bin" "-a zz x.bin" "--bogus x.bin" \
	            "a.bin b.bin" "$(EX_BUILD)/no-such-guest.bin" \
	            "-a 0x100000 $(EX_BUILD)/hi.bin" "/dev/null" \
	            "--boot $(EX_BUILD)/hi.bin" "--boot -a 0x7c00 x.img" "--boot" "--boot x.img y.img" \
	            "-s 0x1001:0x1000 x.bin" "-s 0:0x1000 -s 0:0x2000 x.bin" \
	            "-m 1 -s 0:0x1000 x.bin" "-r zz=1 x.bin" "-r al=256 x.bin" \
	            "--trace=bogus x.bin" "-n 0 x.bin" "-T 0 x.bin" \
	            "--mmio=0x7000:0x2000 $(EX_BUILD)/hi.bin" \
	            "-s 0x1000:0x1000 -a 0x1ff8 $(EX_BUILD)/hi.bin"; do \
		rc=0; bin/westworld $$args >/dev/null 2>$(EX_BUILD)/cli.err || rc=$$?; \
		if [ $$rc -ne 2 ] || [ ! -s $(EX_BUILD)/cli.err ]; then \
			echo "westworld $$args: status $$rc, want 2 and a message"; exit 1; fi; \
	done; \
	printf '  %-8s %s\n' STOP 'shutdown, budget, timeout, Ctrl-C'; \
	rc=0; printf '\314' >$(EX_BUILD)/int3.bin; \
	bin/westworld $(EX_BUILD)/int3.bin >$(EX_BUILD)/int3.out || rc=$$?; \
	if [ $$rc -ne 1 ] || ! grep -q 'Stopped: exit SHUTDOWN' $(EX_BUILD)/int3.out || \
	   ! grep -q 'int 0x03: no handler in the IVT and no BIOS service, at 0000:7c00: cc$$' \
	     $(EX_BUILD)/int3.out; then \
		echo "a guest that shuts down: status $$rc, want 1 and the bytes"; exit 1; fi; \
	rc=0; printf '\220\017\013' >$(EX_BUILD)/ud2.bin; \
	bin/westworld $(EX_BUILD)/ud2.bin >$(EX_BUILD)/ud2.out || rc=$$?; \
	if [ $$rc -ne 1 ] || ! grep -q 'exit SHUTDOWN at RIP=0x7c01' $(EX_BUILD)/ud2.out || \
	   ! grep -q 'does not run: 0f 0b' $(EX_BUILD)/ud2.out; then \
		echo "ud2: status $$rc, want 1 and the bytes at RIP"; exit 1; fi; \
	rc=0; bin/westworld -a 0x12340 $(EX_BUILD)/hi.bin >$(EX_BUILD)/high.out || rc=$$?; \
	if [ $$rc -ne 0 ] || ! grep -q 'Running vCPU 0 from 1000:2340' $(EX_BUILD)/high.out; then \
		echo "a guest above 64 KiB: status $$rc, want 0 from CS:IP 1000:2340"; exit 1; fi; \
	printf '\353\376' >$(EX_BUILD)/spin.bin; \
	rc=0; bin/westworld -n 1000 $(EX_BUILD)/spin.bin | cat >$(EX_BUILD)/spin.out || rc=$$?; \
	if ! grep -q 'Stopped: 1000 instructions, the budget' $(EX_BUILD)/spin.out || \
	   ! grep -q 'next: jmp 0x7c00' $(EX_BUILD)/spin.out; then \
		echo "jmp \$$ with -n 1000 did not stop on its budget"; exit 1; fi; \
	rc=0; timeout 20 bin/westworld -n 100000000000 -T 1 $(EX_BUILD)/spin.bin \
		>$(EX_BUILD)/spin.out || rc=$$?; \
	if [ $$rc -ne 1 ] || ! grep -q 'Stopped: 1 s of wall-clock time' $(EX_BUILD)/spin.out; then \
		echo "jmp \$$ with -T 1: status $$rc, want 1 and the time limit"; exit 1; fi; \
	bin/westworld -n 100000000000 -T 20 $(EX_BUILD)/spin.bin \
		>$(EX_BUILD)/sigint.out & pid=$$!; \
	sleep 0.5; kill -INT $$pid; rc=0; wait $$pid || rc=$$?; \
	if [ $$rc -ne 1 ]; then echo "Ctrl-C: status $$rc, want 1"; exit 1; fi; \
	if ! grep -q 'Stopped: interrupted (SIGINT)' $(EX_BUILD)/sigint.out || \
	   ! grep -q 'State at 0000:7c00' $(EX_BUILD)/sigint.out || \
	   ! grep -q 'All hosts retired' $(EX_BUILD)/sigint.out; then \
		echo "Ctrl-C did not stop the guest with its state"; cat $(EX_BUILD)/sigint.out; exit 1; fi; \
	echo "examples: $$pass guests passed, 0 failed"

examples-expected: bin/westworld $(EX_BINS)
	$(Q)for n in $(EX_NAMES); do \
		bin/westworld --trace $(call ex_args,$$n) $(EX_BUILD)/$$n.bin | \
			$(EX_NORMALIZE) | \
			if [ $$n = cguest ]; then $(EX_NORMALIZE_C); else cat; fi \
			>$(EX_DIR)/$$n.expected; \
		printf '  %-8s %s\n' GEN $(EX_DIR)/$$n.expected; \
	done
