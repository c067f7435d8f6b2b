/* selftest.c - a C program run twice: as a guest, and on the host for reference
 *
 * Built for the guest (gcc -m16 at -O0 and -O2, console on port 0xe9) and
 * natively (-DWW_NATIVE, console on stdout): make examples-test requires
 * the same text from both.  What it computes is whatever gcc turns into a
 * wide mix of instructions: signed and unsigned division and remainder,
 * 8/16/32/64-bit arithmetic (64-bit shifts become shld/shrd at -O0), bit
 * loops, struct copies, sorting, byte tables.
 */
#include <stdint.h>

#ifdef WW_NATIVE
#include <stdio.h>

static void console_putc(char c)
{
    putchar(c);
}
#else
static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static void console_putc(char c)
{
    outb(0xe9, (uint8_t)c);
}
#endif

static void console_puts(const char *s)
{
    while (*s != '\0')
        console_putc(*s++);
}

static void console_putx(uint32_t v)
{
    static const char hex[] = "0123456789abcdef";
    int i;

    for (i = 28; i >= 0; i -= 4)
        console_putc(hex[(v >> i) & 15]);
}

static void console_putd(int32_t v)
{
    char digits[12];
    uint32_t u = v < 0 ? -(uint32_t)v : (uint32_t)v;
    int n = 0;

    if (v < 0)
        console_putc('-');
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    while (n > 0)
        console_putc(digits[--n]);
}

static uint32_t crc32(const uint8_t *p, int n)
{
    uint32_t c = 0xffffffffu;
    int i, k;

    for (i = 0; i < n; i++) {
        c ^= p[i];
        for (k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & -(c & 1));
    }
    return ~c;
}

struct node {
    int16_t key;
    uint8_t tag;
    int32_t val;
};

static void nodes_sort(struct node *ns, int n)
{
    int i, j;

    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++)
            if (ns[i].key > ns[j].key) {
                struct node t = ns[i];

                ns[i] = ns[j];
                ns[j] = t;
            }
}

static char table[64];

int main(void)
{
    struct node ns[6] = {
        { 5, 'a', -100 }, { -3, 'b', 7 }, { 12, 'c', 123456 },
        { 0, 'd', -1 }, { 7, 'e', 0x7fffffff }, { -20, 'f', -2147483647 }
    };
    uint64_t x = 0x0123456789abcdefull;
    int16_t s16 = -12345;
    uint8_t u8 = 200;
    int8_t s8 = -5;
    uint32_t acc = 1, i;
    int k;

    nodes_sort(ns, 6);
    for (k = 0; k < 6; k++) {
        console_putd(ns[k].key);
        console_putc((char)ns[k].tag);
        console_putd(ns[k].val / 3);
        console_putc(' ');
        console_putd(ns[k].val % 7);
        console_putc('\n');
    }
    for (k = 0; k < 64; k++)
        table[k] = (char)(k * 37 + (k >> 2));
    console_puts("crc32 ");
    console_putx(crc32((const uint8_t *)table, 64));
    x = x * 31 + 7;
    x ^= x >> 13;
    x <<= 3;
    console_puts("\nmix64 ");
    console_putx((uint32_t)(x >> 32));
    console_putx((uint32_t)x);
    console_puts("\nnarrow ");
    console_putd(s16 * u8 / s8);
    for (i = 1; i < 20; i++) {
        acc = acc * i + (acc >> 3) - (i << 2);
        if (acc & 1)
            acc ^= 0x55aa;
        else
            acc = (acc << 5) | (acc >> 27);
    }
    console_puts("\nacc ");
    console_putx(acc);
    console_putc('\n');
    return 0;
}
