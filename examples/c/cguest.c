/* cguest.c - a guest written in C: gcc -m16 -ffreestanding, no library */
/*
 * What a first C kernel does: port I/O by inline assembly, a console on
 * COM1 (and its echo on the debug port 0xe9), numbers printed by
 * division, a table on the stack, a struct, a sort.  It returns to crt0,
 * which halts.
 */
#include <stdint.h>

#define COM1        0x3f8
#define COM1_LSR    (COM1 + 5)
#define LSR_THRE    0x20
#define DEBUGCON    0xe9

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;

    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static void console_putc(char c)
{
    while (!(inb(COM1_LSR) & LSR_THRE))
        ;
    outb(COM1, (uint8_t)c);
}

static void console_puts(const char *s)
{
    while (*s != '\0')
        console_putc(*s++);
}

static void console_putu(uint32_t v)
{
    char digits[10];
    int n = 0;

    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        console_putc(digits[--n]);
}

struct point {
    int16_t x, y;
};

static int32_t point_dot(const struct point *a, const struct point *b)
{
    return (int32_t)a->x * b->x + (int32_t)a->y * b->y;
}

static void sort(int32_t *v, int n)
{
    int i, j;

    for (i = 1; i < n; i++) {
        int32_t key = v[i];

        for (j = i - 1; j >= 0 && v[j] > key; j--)
            v[j + 1] = v[j];
        v[j + 1] = key;
    }
}

static const char banner[] = "Hello from C, compiled with gcc -m16\n";

int main(void)
{
    struct point p[4] = { { 3, -4 }, { -7, 2 }, { 10, 10 }, { 0, 5 } };
    int32_t dots[4];
    uint32_t a = 0, b = 1, t;
    int i;

    console_puts(banner);
    console_puts("fib:");
    for (i = 0; i < 25; i++) {
        console_putc(' ');
        console_putu(a);
        t = a + b;
        a = b;
        b = t;
    }
    console_puts("\nsorted dots:");
    for (i = 0; i < 4; i++)
        dots[i] = point_dot(&p[i], &p[(i + 1) % 4]);
    sort(dots, 4);
    for (i = 0; i < 4; i++) {
        console_putc(' ');
        if (dots[i] < 0) {
            console_putc('-');
            console_putu((uint32_t)-dots[i]);
        } else {
            console_putu((uint32_t)dots[i]);
        }
    }
    console_putc('\n');
    outb(DEBUGCON, 'C');
    outb(DEBUGCON, '\n');
    return 42;
}
