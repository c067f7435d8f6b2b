/* options.c - bin/westworld's command line: getopt_long over a static table */
#include "options.h"

#include "hypervisor_sim.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MEMORY_MB 1u
#define DEFAULT_LOAD_ADDR 0x7c00u
#define DEFAULT_MAX_INSNS 20000000ull
#define DEFAULT_MAX_EXITS 1000000ul
#define MAX_GPA_END       (1ull << 32)  /* what real mode can address */

const char *const ww_progname = "westworld";

/* "westworld: what 'arg'" and the hint, on stderr (arg may be NULL) */
static void usage_hint(const char *what, const char *arg)
{
    if (arg != NULL)
        fprintf(stderr, "%s: %s '%s'\n", ww_progname, what, arg);
    else
        fprintf(stderr, "%s: %s\n", ww_progname, what);
    fprintf(stderr, "Try '%s --help' for more information.\n", ww_progname);
}

void options_print_help(void)
{
    printf("Usage: %s [OPTION]... GUEST.bin\n"
           "   or: %s [OPTION]... --boot DISK.img\n"
           "Run a real-mode guest in a simulated KVM host and trace its "
           "VM exits.\n"
           "\n"
           "Memory (guest-physical addresses and sizes in 4 KiB pages):\n"
           "  -m, --memory=MB        RAM at address 0, in MiB (default %u)\n"
           "  -s, --slot=GPA:SIZE[:ro]  a memory slot instead (repeatable); "
           "ro: writes\n"
           "                         exit to the VMM as MMIO\n"
           "      --mmio=GPA:SIZE    an MMIO hole: no RAM there, every "
           "access exits\n"
           "Loading and registers:\n"
           "  -a, --addr=ADDR        load address and entry point (default "
           "0x%x)\n"
           "  -b, --boot=DISK.img    boot a disk instead of GUEST.bin: its "
           "first 512 bytes\n"
           "                         at 0x7c00, signature 55 aa checked, "
           "DL=0x80, SP=0x7c00\n"
           "  -r, --regs=LIST        registers at start, e.g. al=2,bl=2 "
           "(al..bh, ax..di,\n"
           "                         eax..edi, ip, flags, cs, ds, es, ss, "
           "fs, gs)\n"
           "Running:\n"
           "  -n, --max-insns=N      stop after N instructions (default "
           "%llu)\n"
           "      --max-exits=N      stop after N exits (default %lu)\n"
           "  -T, --timeout=SECONDS  stop after SECONDS of wall-clock time\n"
           "  -t, --trace[=insn]     list every VM exit after the run; "
           "insn: also each\n"
           "                         instruction and exit as it runs, on "
           "stderr\n"
           "  -h, --help             show this help and exit\n"
           "\n"
           "The guest's console goes to stdout as it comes: COM1 (0x3f8), "
           "the debug\n"
           "port 0xe9, and int 0x10 teletype output (through COM1).  "
           "Ctrl-C stops the\n"
           "guest and prints its state.\n"
           "Exit status: 0 the guest halted, 1 it stopped otherwise (an exit, "
           "a limit,\n"
           "Ctrl-C), 2 usage error, unreadable guest or host creation "
           "failure.\n",
           ww_progname, ww_progname, DEFAULT_MEMORY_MB, DEFAULT_LOAD_ADDR,
           DEFAULT_MAX_INSNS, DEFAULT_MAX_EXITS);
}

/* Parses an unsigned number (decimal, 0x hex or 0 octal) up to end. */
static bool parse_u64_to(const char *s, char **endp, uint64_t *out)
{
    unsigned long long v;

    if (*s == '\0' || *s == '-' || *s == '+' || *s == ' ')
        return false;
    errno = 0;
    v = strtoull(s, endp, 0);
    if (errno != 0 || *endp == s)
        return false;
    *out = v;
    return true;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;

    return parse_u64_to(s, &end, out) && *end == '\0';
}

/* GPA:SIZE[:ro], page aligned, below 4 GiB */
static bool parse_range(const char *s, bool allow_ro, struct gpa_range *r)
{
    char *end;

    memset(r, 0, sizeof(*r));
    if (!parse_u64_to(s, &end, &r->gpa) || *end != ':')
        return false;
    if (!parse_u64_to(end + 1, &end, &r->size))
        return false;
    if (allow_ro && strcmp(end, ":ro") == 0)
        r->read_only = true;
    else if (*end != '\0')
        return false;
    return r->size != 0 && r->gpa % WW_PAGE_SIZE == 0 &&
           r->size % WW_PAGE_SIZE == 0 && r->gpa < MAX_GPA_END &&
           r->size <= MAX_GPA_END - r->gpa;
}

static bool ranges_overlap(const struct gpa_range *a,
                           const struct gpa_range *b)
{
    return a->gpa < b->gpa + b->size && b->gpa < a->gpa + a->size;
}

/* Which register NAME is, and the largest value it holds; false if none */
static bool reg_lookup(const char *name, struct reg_init *r, uint64_t *limit)
{
    static const char *const g16[8] = {
        "ax", "cx", "dx", "bx", "sp", "bp", "si", "di"
    };
    static const char *const g8[8] = {
        "al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"
    };
    static const char *const sregs[6] = { "es", "cs", "ss", "ds", "fs",
                                          "gs" };
    unsigned i;

    memset(r, 0, sizeof(*r));
    r->kind = REG_KIND_GPR;
    r->size = 2;
    *limit = 0xffff;
    for (i = 0; i < 8; i++) {
        if (strcmp(name, g8[i]) == 0) {
            r->index = (uint8_t)(i & 3);
            r->high = i >= 4;
            r->size = 1;
            *limit = 0xff;
            return true;
        }
        if (strcmp(name, g16[i]) == 0) {
            r->index = (uint8_t)i;
            return true;
        }
        if (name[0] == 'e' && strcmp(name + 1, g16[i]) == 0) {
            r->index = (uint8_t)i;
            r->size = 4;
            *limit = 0xffffffffu;
            return true;
        }
    }
    for (i = 0; i < 6; i++) {
        if (strcmp(name, sregs[i]) == 0) {
            r->kind = REG_KIND_SEG;
            r->index = (uint8_t)i;
            return true;
        }
    }
    if (strcmp(name, "ip") == 0) {
        r->kind = REG_KIND_IP;
        return true;
    }
    if (strcmp(name, "flags") == 0) {
        r->kind = REG_KIND_FLAGS;
        return true;
    }
    return false;
}

/* One NAME=VALUE of -r */
static bool parse_reg(const char *name, const char *value,
                      struct reg_init *r)
{
    uint64_t v, limit;

    if (!reg_lookup(name, r, &limit) || !parse_u64(value, &v) || v > limit)
        return false;
    r->value = (uint32_t)v;
    return true;
}

/* "al=2,bl=2" appended to o->regs */
static bool parse_regs(const char *list, struct options *o)
{
    char buf[256], *item, *save = NULL, *eq;

    if (strlen(list) >= sizeof(buf))
        return false;
    strcpy(buf, list);
    for (item = strtok_r(buf, ",", &save); item != NULL;
         item = strtok_r(NULL, ",", &save)) {
        eq = strchr(item, '=');
        if (eq == NULL || o->nregs == sizeof(o->regs) / sizeof(o->regs[0]))
            return false;
        *eq = '\0';
        if (!parse_reg(item, eq + 1, &o->regs[o->nregs]))
            return false;
        o->nregs++;
    }
    return o->nregs > 0;
}

static void options_defaults(struct options *o)
{
    memset(o, 0, sizeof(*o));
    o->memory_mb = DEFAULT_MEMORY_MB;
    o->load_addr = DEFAULT_LOAD_ADDR;
    o->max_insns = DEFAULT_MAX_INSNS;
    o->max_exits = DEFAULT_MAX_EXITS;
}

/* the slots and holes together: no two slots overlap, a hole is inside
 * RAM, and the load address with them is checked when the guest is read */
static int options_check_ranges(const struct options *o)
{
    size_t i, j;

    for (i = 0; i < o->nslots; i++)
        for (j = i + 1; j < o->nslots; j++)
            if (ranges_overlap(&o->slots[i], &o->slots[j])) {
                usage_hint("memory slots overlap", NULL);
                return WW_USAGE;
            }
    return 0;
}

int options_parse(int argc, char **argv, struct options *o, bool *help)
{
    enum { OPT_MMIO = 256, OPT_MAX_EXITS };
    static const struct option table[] = {
        { "memory",    required_argument, NULL, 'm' },
        { "slot",      required_argument, NULL, 's' },
        { "mmio",      required_argument, NULL, OPT_MMIO },
        { "addr",      required_argument, NULL, 'a' },
        { "boot",      required_argument, NULL, 'b' },
        { "regs",      required_argument, NULL, 'r' },
        { "trace",     optional_argument, NULL, 't' },
        { "max-insns", required_argument, NULL, 'n' },
        { "max-exits", required_argument, NULL, OPT_MAX_EXITS },
        { "timeout",   required_argument, NULL, 'T' },
        { "help",      no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    bool memory_given = false;
    uint64_t v;
    int c;

    options_defaults(o);
    *help = false;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":m:s:a:b:r:tn:T:h", table,
                            NULL)) != -1) {
        switch (c) {
        case 'm':
            if (!parse_u64(optarg, &v) || v == 0 || v > 4096) {
                usage_hint("invalid memory size in MiB (1 to 4096)", optarg);
                return WW_USAGE;
            }
            o->memory_mb = (size_t)v;
            memory_given = true;
            break;
        case 's':
        case OPT_MMIO:
            if (c == 's' ? o->nslots == WW_MAX_RANGES
                         : o->nholes == WW_MAX_RANGES) {
                usage_hint("too many ranges, at most 16 of each", optarg);
                return WW_USAGE;
            }
            if (!parse_range(optarg, c == 's',
                             c == 's' ? &o->slots[o->nslots]
                                      : &o->holes[o->nholes])) {
                usage_hint(c == 's' ? "invalid slot, want GPA:SIZE[:ro] "
                           "in whole 4 KiB pages below 4 GiB"
                           : "invalid MMIO hole, want GPA:SIZE in whole "
                           "4 KiB pages below 4 GiB", optarg);
                return WW_USAGE;
            }
            if (c == 's')
                o->nslots++;
            else
                o->nholes++;
            break;
        case 'a':
            if (!parse_u64(optarg, &o->load_addr) ||
                o->load_addr >= MAX_GPA_END) {
                usage_hint("invalid load address", optarg);
                return WW_USAGE;
            }
            o->addr_given = true;
            break;
        case 'b':
            o->boot = true;
            o->guest = optarg;
            break;
        case 'r':
            if (!parse_regs(optarg, o)) {
                usage_hint("invalid register list, want NAME=VALUE,... "
                           "with a value that fits", optarg);
                return WW_USAGE;
            }
            break;
        case 't':
            if (optarg == NULL || strcmp(optarg, "exits") == 0) {
                o->trace = TRACE_EXITS;
            } else if (strcmp(optarg, "insn") == 0) {
                o->trace = TRACE_INSNS;
            } else {
                usage_hint("invalid trace, want --trace or --trace=insn",
                           optarg);
                return WW_USAGE;
            }
            break;
        case 'n':
            if (!parse_u64(optarg, &o->max_insns) || o->max_insns == 0) {
                usage_hint("invalid instruction budget", optarg);
                return WW_USAGE;
            }
            break;
        case OPT_MAX_EXITS:
            if (!parse_u64(optarg, &v) || v == 0 || v > ULONG_MAX) {
                usage_hint("invalid exit limit", optarg);
                return WW_USAGE;
            }
            o->max_exits = (unsigned long)v;
            break;
        case 'T':
            if (!parse_u64(optarg, &v) || v == 0 || v > 86400) {
                usage_hint("invalid timeout, want 1 to 86400 seconds",
                           optarg);
                return WW_USAGE;
            }
            o->timeout_s = (unsigned)v;
            break;
        case 'h':
            *help = true;
            return 0;
        case ':':
            usage_hint("missing argument to", argv[optind - 1]);
            return WW_USAGE;
        default:
            usage_hint("unknown option", argv[optind - 1]);
            return WW_USAGE;
        }
    }
    if (o->boot && optind < argc) {
        usage_hint("one guest only: --boot's disk, and", argv[optind]);
        return WW_USAGE;
    }
    if (!o->boot && optind >= argc) {
        usage_hint("missing GUEST.bin", NULL);
        return WW_USAGE;
    }
    if (optind + 1 < argc) {
        usage_hint("one guest only, extra argument", argv[optind + 1]);
        return WW_USAGE;
    }
    if (memory_given && o->nslots > 0) {
        usage_hint("--memory and --slot: give one or the other", NULL);
        return WW_USAGE;
    }
    if (o->boot && o->addr_given) {
        usage_hint("--boot loads at 0x7c00: no --addr with it", NULL);
        return WW_USAGE;
    }
    if (o->nslots == 0) {
        o->slots[0].gpa = 0;
        o->slots[0].size = (uint64_t)o->memory_mb * WW_MIB;
        o->nslots = 1;
    }
    if (!o->boot)
        o->guest = argv[optind];
    return options_check_ranges(o);
}
