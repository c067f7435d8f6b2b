/* options.h - bin/westworld's command line: what the user asked the VMM for */
#ifndef WW_OPTIONS_H
#define WW_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit status, as --help documents it */
enum {
    WW_OK = 0,              /* the guest halted */
    WW_GUEST_FAILED = 1,    /* it stopped on anything else */
    WW_USAGE = 2            /* usage, guest file or host error */
};

#define WW_MAX_RANGES 16

/* A range of guest-physical memory, page aligned */
struct gpa_range {
    uint64_t gpa, size;
    bool     read_only;
};

/* A register the user set with -r: which one and its value */
struct reg_init {
    uint8_t  kind;          /* REG_KIND_* below */
    uint8_t  index;         /* general register or segment number */
    uint8_t  size;          /* 1 (with high for AH..BH), 2 or 4 */
    bool     high;
    uint32_t value;
};

enum trace_mode { TRACE_NONE, TRACE_EXITS, TRACE_INSNS };

struct options {
    size_t           memory_mb;     /* RAM at 0 when no --slot */
    struct gpa_range slots[WW_MAX_RANGES];
    size_t           nslots;
    struct gpa_range holes[WW_MAX_RANGES];
    size_t           nholes;
    uint64_t         load_addr;
    bool             addr_given;
    struct reg_init  regs[32];
    size_t           nregs;
    enum trace_mode  trace;
    uint64_t         max_insns;
    unsigned long    max_exits;
    unsigned         timeout_s;     /* 0: none */
    bool             boot;          /* guest is a disk image */
    const char      *guest;
};

#define REG_KIND_GPR  0
#define REG_KIND_SEG  1
#define REG_KIND_IP   2
#define REG_KIND_FLAGS 3

/* Parses argv into o.  0: run; WW_OK with *help: --help was printed;
 * WW_USAGE: the error and the hint are on stderr. */
int options_parse(int argc, char **argv, struct options *o, bool *help);

void options_print_help(void);

extern const char *const ww_progname;

#endif /* WW_OPTIONS_H */
