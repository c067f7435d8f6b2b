/* machine.c - the guest's machine: a host, its memory map, the guest loaded */
#include "machine.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOOT_ADDR       0x7c00u
#define BOOT_SIZE       512u
#define BOOT_DRIVE      0x80u   /* DL: the first hard disk */
#define BOOT_SP         0x7c00u

static bool in_range(const struct gpa_range *r, uint64_t gpa)
{
    return gpa >= r->gpa && gpa - r->gpa < r->size;
}

bool machine_is_ram(const struct options *o, uint64_t gpa)
{
    bool ram = false;
    size_t i;

    for (i = 0; i < o->nslots; i++)
        ram = ram || in_range(&o->slots[i], gpa);
    for (i = 0; i < o->nholes; i++)
        ram = ram && !in_range(&o->holes[i], gpa);
    return ram;
}

static const struct gpa_range *slot_of(const struct options *o, uint64_t gpa)
{
    size_t i;

    for (i = 0; i < o->nslots; i++)
        if (in_range(&o->slots[i], gpa))
            return &o->slots[i];
    return NULL;
}

/* Reads the whole guest image, at most limit bytes; prints why not and
 * returns NULL. */
static uint8_t *read_guest(const char *path, size_t limit, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, got;
    int saved;

    if (f == NULL) {
        saved = errno;
        fprintf(stderr, "%s: cannot open guest '%s': %s\n", ww_progname,
                path, strerror(saved));
        return NULL;
    }
    for (;;) {
        if (len == cap) {
            size_t want = cap == 0 ? 4096 : cap * 2;
            uint8_t *bigger;

            if (cap > limit)
                break;          /* already too large: say so below */
            bigger = realloc(buf, want);
            if (bigger == NULL) {
                fprintf(stderr, "%s: out of memory reading guest '%s'\n",
                        ww_progname, path);
                goto fail;
            }
            buf = bigger;
            cap = want;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        saved = errno;
        fprintf(stderr, "%s: cannot read guest '%s': %s\n", ww_progname,
                path, strerror(saved));
        goto fail;
    }
    if (len == 0) {
        fprintf(stderr, "%s: guest '%s' is empty\n", ww_progname, path);
        goto fail;
    }
    if (len > limit) {
        fprintf(stderr, "%s: guest '%s' does not fit in the %zu bytes of "
                "RAM from its load address\n", ww_progname, path, limit);
        goto fail;
    }
    fclose(f);
    *size = len;
    return buf;
fail:
    fclose(f);
    free(buf);
    return NULL;
}

/* The first sector of a disk image, with the BIOS's signature check */
static uint8_t *read_boot_sector(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t got;
    int saved;

    if (f == NULL) {
        saved = errno;
        fprintf(stderr, "%s: cannot open disk '%s': %s\n", ww_progname,
                path, strerror(saved));
        return NULL;
    }
    buf = malloc(BOOT_SIZE);
    if (buf == NULL) {
        fprintf(stderr, "%s: out of memory reading disk '%s'\n",
                ww_progname, path);
        goto fail;
    }
    got = fread(buf, 1, BOOT_SIZE, f);
    if (ferror(f)) {
        saved = errno;
        fprintf(stderr, "%s: cannot read disk '%s': %s\n", ww_progname,
                path, strerror(saved));
        goto fail;
    }
    if (got < BOOT_SIZE) {
        fprintf(stderr, "%s: disk '%s' is %zu bytes, shorter than a "
                "512-byte boot sector\n", ww_progname, path, got);
        goto fail;
    }
    if (buf[510] != 0x55 || buf[511] != 0xaa) {
        fprintf(stderr, "%s: disk '%s' is not bootable: bytes 510-511 are "
                "%02x %02x, not the signature 55 aa\n", ww_progname, path,
                buf[510], buf[511]);
        goto fail;
    }
    fclose(f);
    *size = BOOT_SIZE;
    return buf;
fail:
    fclose(f);
    free(buf);
    return NULL;
}

/* The EPT maps each page of each slot to the VM's memory at the same
 * guest-physical address; holes stay unmapped */
static int machine_map(WestworldHost *host, const struct options *o)
{
    uint8_t *mem = host->park->guest_memory;
    uint64_t gpa;
    size_t i;

    for (i = 0; i < o->nslots; i++) {
        const struct gpa_range *s = &o->slots[i];
        uint32_t perms = s->read_only ? (EPT_READ | EPT_EXEC) : EPT_RWX;

        printf("[VMM] Slot %zu: 0x%" PRIx64 "-0x%" PRIx64 " %s\n", i,
               s->gpa, s->gpa + s->size - 1,
               s->read_only ? "read-only RAM" : "RAM");
        for (gpa = s->gpa; gpa < s->gpa + s->size; gpa += WW_PAGE_SIZE) {
            if (!machine_is_ram(o, gpa))
                continue;
            if (ept_map(host->memories, gpa, mem + gpa, perms) < 0)
                return -1;
        }
    }
    for (i = 0; i < o->nholes; i++)
        printf("[VMM] MMIO hole: 0x%" PRIx64 "-0x%" PRIx64 "\n",
               o->holes[i].gpa, o->holes[i].gpa + o->holes[i].size - 1);
    return 0;
}

/* Real mode reaches an address as CS:IP with a 16-bit IP: CS's base is
 * the address's 64 KiB block (above 1 MiB, a base no selector gives, as
 * the reset vector's F000:FFF0 with base 0xFFFF0000).  Below 64 KiB this
 * is ford_implants_memories()'s CS 0, IP = the address. */
static void machine_set_entry(KvmVcpu *vcpu, uint64_t addr)
{
    uint64_t base = addr & ~(uint64_t)0xffff;

    vcpu->sregs.cs.base = base;
    vcpu->sregs.cs.selector = base < 0x100000 ? (uint16_t)(base >> 4)
                                              : 0xf000;
    vcpu->regs.rip = addr & 0xffff;
}

static void machine_set_regs(WestworldHost *host, const struct options *o,
                             uint64_t addr)
{
    KvmVcpu *vcpu = host->brain;
    uint64_t *gpr[8] = {
        &vcpu->regs.rax, &vcpu->regs.rcx, &vcpu->regs.rdx, &vcpu->regs.rbx,
        &vcpu->regs.rsp, &vcpu->regs.rbp, &vcpu->regs.rsi, &vcpu->regs.rdi
    };
    KvmSegment *segs[6] = {
        &vcpu->sregs.es, &vcpu->sregs.cs, &vcpu->sregs.ss, &vcpu->sregs.ds,
        &vcpu->sregs.fs, &vcpu->sregs.gs
    };
    size_t i;

    machine_set_entry(vcpu, addr);
    if (o->boot) {
        vcpu->regs.rdx = BOOT_DRIVE;
        vcpu->regs.rsp = BOOT_SP;
    }
    for (i = 0; i < o->nregs; i++) {
        const struct reg_init *r = &o->regs[i];
        uint64_t *p;

        switch (r->kind) {
        case REG_KIND_GPR:
            p = gpr[r->index];
            if (r->size == 1 && r->high)
                *p = (*p & ~(uint64_t)0xff00) | (uint64_t)r->value << 8;
            else if (r->size == 1)
                *p = (*p & ~(uint64_t)0xff) | r->value;
            else if (r->size == 2)
                *p = (*p & ~(uint64_t)0xffff) | r->value;
            else
                *p = r->value;
            break;
        case REG_KIND_SEG:
            segs[r->index]->selector = (uint16_t)r->value;
            segs[r->index]->base = (uint64_t)r->value << 4;
            break;
        case REG_KIND_IP:
            vcpu->regs.rip = r->value;
            break;
        default:
            vcpu->regs.rflags = r->value;
            break;
        }
    }
}

/* Whether every byte of [addr, addr + size) is RAM (slots, no hole) */
static bool image_fits(const struct options *o, uint64_t addr, size_t size)
{
    uint64_t gpa;

    if (size == 0 || addr + size < addr)
        return false;
    for (gpa = addr & ~(uint64_t)(WW_PAGE_SIZE - 1); gpa < addr + size;
         gpa += WW_PAGE_SIZE)
        if (!machine_is_ram(o, gpa < addr ? addr : gpa))
            return false;
    return true;
}

WestworldHost *machine_create(const struct options *o)
{
    WestworldHost *host = NULL;
    const struct gpa_range *slot;
    uint64_t addr = o->boot ? BOOT_ADDR : o->load_addr, end = 0, mb;
    uint8_t *image;
    size_t size, i;

    slot = slot_of(o, addr);
    if (slot == NULL || !machine_is_ram(o, addr)) {
        fprintf(stderr, "%s: load address 0x%" PRIx64 " is not in RAM\n",
                ww_progname, addr);
        return NULL;
    }
    if (o->boot)
        image = read_boot_sector(o->guest, &size);
    else
        image = read_guest(o->guest, (size_t)(slot->gpa + slot->size - addr),
                           &size);
    if (image == NULL)
        return NULL;
    if (!image_fits(o, addr, size)) {
        fprintf(stderr, "%s: guest '%s' (%zu bytes at 0x%" PRIx64 ") runs "
                "into an MMIO hole\n", ww_progname, o->guest, size, addr);
        goto out;
    }
    for (i = 0; i < o->nslots; i++)
        if (o->slots[i].gpa + o->slots[i].size > end)
            end = o->slots[i].gpa + o->slots[i].size;
    mb = (end + WW_MIB - 1) / WW_MIB;
    host = ford_creates_host((size_t)mb);
    if (host == NULL) {
        fprintf(stderr, "%s: cannot create a host with %" PRIu64 " MiB of "
                "guest memory\n", ww_progname, mb);
        goto out;
    }
    if (machine_map(host, o) < 0) {
        fprintf(stderr, "%s: cannot map the guest's memory in the EPT\n",
                ww_progname);
        goto out_host;
    }
    if (ford_implants_memories(host, image, size, addr) < 0) {
        fprintf(stderr, "%s: cannot load guest '%s' at 0x%" PRIx64 "\n",
                ww_progname, o->guest, addr);
        goto out_host;
    }
    machine_set_regs(host, o, addr);
    free(image);
    return host;
out_host:
    ford_retires_host(host);
    host = NULL;
out:
    free(image);
    return host;
}
