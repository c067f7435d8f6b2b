/* test_disasm.c - the decoder's lengths and the disassembler's text */
#include "x86/decode.h"

#include <criterion/criterion.h>
#include <string.h>

struct case_ {
    uint8_t     bytes[15];
    uint8_t     len;
    uint64_t    ip;
    const char *text;
};

/* the text objdump -Mintel,i8086 prints, in NASM's operand-size words */
static const struct case_ cases[] = {
    { { 0xba, 0xf8, 0x03 }, 3, 0x1000, "mov dx, 0x3f8" },
    { { 0x00, 0xd8 }, 2, 0x1003, "add al, bl" },
    { { 0x04, 0x30 }, 2, 0, "add al, 0x30" },
    { { 0xee }, 1, 0, "out dx, al" },
    { { 0xeb, 0xfe }, 2, 0x7c27, "jmp 0x7c27" },
    { { 0x8b, 0x40, 0x04 }, 3, 0, "mov ax, word [bx+si+0x4]" },
    { { 0x89, 0x46, 0xfe }, 3, 0, "mov word [bp-0x2], ax" },
    { { 0x8a, 0x0e, 0x10, 0x00 }, 4, 0, "mov cl, byte [0x10]" },
    { { 0x26, 0xc6, 0x06, 0x10, 0x00, 0x42 }, 6, 0,
      "mov byte [es:0x10], 0x42" },
    { { 0x67, 0x66, 0x8b, 0x44, 0xb3, 0x08 }, 6, 0,
      "mov eax, dword [ebx+esi*4+0x8]" },
    { { 0x66, 0xe8, 0x02, 0x00, 0x00, 0x00 }, 6, 0x7c00, "call 0x7c08" },
    { { 0x66, 0xc3 }, 2, 0, "ret" },
    { { 0xcd, 0x10 }, 2, 0, "int 0x10" },
    { { 0xf3, 0xa4 }, 2, 0, "rep movsb" },
    { { 0xf2, 0xae }, 2, 0, "repne scasb" },
    { { 0x66, 0xab }, 2, 0, "stosd" },
    { { 0x60 }, 1, 0, "pusha" },
    { { 0x83, 0xec, 0x08 }, 3, 0, "sub sp, 0x8" },
    { { 0x83, 0xc0, 0xff }, 3, 0, "add ax, 0xffff" },
    { { 0xd1, 0xe0 }, 2, 0, "shl ax, 1" },
    { { 0xc0, 0xe8, 0x04 }, 3, 0, "shr al, 0x4" },
    { { 0xf6, 0xf3 }, 2, 0, "div bl" },
    { { 0xf7, 0xc1, 0x34, 0x12 }, 4, 0, "test cx, 0x1234" },
    { { 0x0f, 0xb6, 0x0d }, 3, 0, "movzx cx, byte [di]" },
    { { 0x66, 0x0f, 0xbf, 0x35 }, 4, 0, "movsx esi, word [di]" },
    { { 0x8d, 0x40, 0x10 }, 3, 0, "lea ax, [bx+si+0x10]" },
    { { 0x74, 0xfb }, 2, 0x7c12, "je 0x7c0f" },
    { { 0x0f, 0x85, 0x00, 0x01 }, 4, 0, "jne 0x104" },
    { { 0xea, 0x05, 0x7c, 0x00, 0x00 }, 5, 0, "jmp 0x0:0x7c05" },
    { { 0x8e, 0xd8 }, 2, 0, "mov ds, ax" },
    { { 0xff, 0x16, 0x00, 0x20 }, 4, 0, "call word [0x2000]" },
    { { 0x0f, 0xa2 }, 2, 0, "cpuid" },
    { { 0x66, 0x0f, 0xba, 0xe8, 0x05 }, 5, 0, "bts eax, 0x5" },
    { { 0x66, 0x0f, 0xcb }, 3, 0, "bswap ebx" },
    { { 0x0f, 0xbc, 0xc3 }, 3, 0, "bsf ax, bx" },
    { { 0x66, 0x0f, 0xa5, 0xd8 }, 4, 0, "shld eax, ebx, cl" },
    { { 0x0f, 0xac, 0xd8, 0x04 }, 4, 0, "shrd ax, bx, 0x4" },
    { { 0xc4, 0x37 }, 2, 0, "les si, [bx]" },
    { { 0xc8, 0x04, 0x00, 0x02 }, 4, 0, "enter 0x4, 0x2" },
    { { 0xd7 }, 1, 0, "xlat" },
    { { 0xff, 0x1f }, 2, 0, "call far [bx]" },
    { { 0xff, 0x2e, 0x00, 0x20 }, 4, 0, "jmp far [0x2000]" },
    { { 0x0f, 0x01, 0xc1 }, 3, 0, "vmcall" },
};

Test(disasm, lengths_and_text)
{
    struct x86_insn in;
    char text[96];
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cr_assert_eq(x86_decode(cases[i].bytes, sizeof(cases[i].bytes), &in),
                     X86_DECODE_OK, "case %zu (%s)", i, cases[i].text);
        cr_assert_eq(in.len, cases[i].len, "%s: length %u", cases[i].text,
                     in.len);
        x86_format(&in, cases[i].ip, text, sizeof(text));
        cr_assert_str_eq(text, cases[i].text);
    }
}

Test(disasm, unknown_and_short)
{
    static const uint8_t ud2[] = { 0x0f, 0x0b };
    static const uint8_t arpl[] = { 0x63, 0xc0 };
    static const uint8_t pop_cs_like[] = { 0x8e, 0xc8 };   /* mov cs, ax */
    static const uint8_t cut[] = { 0x66, 0xb8, 0x01 };
    static const uint8_t prefixes[15] = {
        0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
        0x66, 0x66, 0x66, 0x66
    };
    struct x86_insn in;

    cr_assert_eq(x86_decode(ud2, 2, &in), X86_DECODE_UNKNOWN);
    cr_assert_eq(x86_decode(arpl, 2, &in), X86_DECODE_UNKNOWN);
    cr_assert_eq(x86_decode(pop_cs_like, 2, &in), X86_DECODE_UNKNOWN);
    cr_assert_eq(x86_decode(cut, 3, &in), X86_DECODE_SHORT);
    cr_assert_eq(x86_decode(prefixes, 15, &in), X86_DECODE_SHORT,
                 "15 prefixes and no opcode");
}

Test(disasm, format_truncates)
{
    static const uint8_t code[] = { 0x67, 0x66, 0x8b, 0x44, 0xb3, 0x08 };
    struct x86_insn in;
    char text[8];

    cr_assert_eq(x86_decode(code, sizeof(code), &in), X86_DECODE_OK);
    x86_format(&in, 0, text, sizeof(text));
    cr_assert_eq(strlen(text), 7);
    cr_assert_str_eq(text, "mov eax");
}
