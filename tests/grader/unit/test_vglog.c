/* test_vglog.c - the valgrind log parser on canned logs
 *
 * The grader reads valgrind's own text: these logs are what valgrind 3.19
 * writes for a worker (the ww-begin/ww-end markers are the harness's
 * VALGRIND_PRINTF), cut down to what the parser looks at.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit_helpers.h"
#include "util.h"
#include "vglog.h"

TestSuite(vglog, .init = unit_setup, .fini = unit_teardown);

static const char two_items[] =
	"==4242== Memcheck, a memory error detector\n"
	"==4242== \n"
	"**4242** ww-begin 0 test_kvm_open\n"
	"**4242** ww-end 0\n"
	"**4242** ww-begin 3 test_ept_walk\n"
	"==4242== Invalid read of size 1\n"
	"==4242==    at 0x4014D1: harness_peek (t_ept.c:88)\n"
	"==4242==    by 0x4016A2: ept_translate (hypervisor_sim.c:214)\n"
	"==4242==    by 0x401800: run_item (worker.c:40)\n"
	"==4242==  Address 0x4a8c050 is 0 bytes after a block of size 16 alloc'd\n"
	"==4242==    at 0x483877F: malloc (vg_replace_malloc.c:307)\n"
	"==4242== \n"
	"==4242== Invalid write of size 4\n"
	"==4242==    at 0x4016B0: ept_map (hypervisor_sim.c:230)\n"
	"==4242== \n"
	"**4242** ww-end 3\n"
	"==4242== Conditional jump or move depends on uninitialised value(s)\n"
	"==4242==    at 0x401900: main (supervisor.c:12)\n"
	"==4242== \n"
	"**4242** ww-begin 5 test_serial\n"
	"==4242== HEAP SUMMARY:\n"
	"==4242==     in use at exit: 0 bytes in 0 blocks\n"
	"==4242== \n"
	"==4242== Conditional jump or move depends on uninitialised value(s)\n"
	"==4242==    at 0x483BC00: strlen (vgpreload_memcheck-amd64-linux.so)\n"
	"==4242==    by 0x401A00: uart_tx (worker.c:99)\n"
	"==4242== \n"
	"**4242** ww-end 5\n";

static const struct vg_finding *of_item(const struct vg_finding *f, size_t n,
					unsigned item)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (f[i].item == item)
			return &f[i];
	return NULL;
}

Test(vglog, first_error_of_each_item_located_in_the_submission)
{
	struct vg_finding *f;
	const struct vg_finding *e;
	size_t n;

	unit_write("vg.4242", two_items);
	n = vglog_parse(unit_dir(), "hypervisor_sim.c", &f);
	/* item 3 and item 5; nothing outside an item, nothing for item 0 */
	cr_assert_eq(n, 2);
	e = of_item(f, n, 3);
	cr_assert_not_null(e);
	cr_expect_str_eq(e->kind, "Invalid read of size 1", "only the first error of an item");
	cr_expect_str_eq(e->where, "at hypervisor_sim.c:214 (ept_translate)",
			 "the submission's frame is preferred to the harness's");
	cr_expect_str_eq(e->detail,
			 "Address 0x4a8c050 is 0 bytes after a block of size 16 alloc'd");
	e = of_item(f, n, 5);
	cr_assert_not_null(e);
	cr_expect(strncmp(e->kind, "Conditional jump", 16) == 0,
		  "a summary block is not an error: the next block is (%s)", e->kind);
	cr_expect_str_eq(e->where, "at worker.c:99 (uart_tx)",
			 "valgrind's own preload frames are skipped");
	cr_expect_null(of_item(f, n, 0));
	vglog_release(f, n);
}

Test(vglog, one_log_per_process_other_files_ignored)
{
	struct vg_finding *f;
	size_t n;

	unit_write("vg.1", "**1** ww-begin 1 t\n==1== Invalid free() / delete / delete[] / realloc()\n"
			  "==1==    at 0x1: free (vg_replace_malloc.c:1)\n==1==    by 0x2: "
			  "kvm_destroy_vm (sub.c:9)\n==1== \n**1** ww-end 1\n");
	unit_write("vg.2", "**2** ww-begin 2 u\n==2== Invalid write of size 8\n"
			  "==2==    at 0x3: ??? \n==2== \n**2** ww-end 2\n");
	unit_write("other.log", "**3** ww-begin 4 v\n==3== Invalid read of size 1\n==3== \n");
	n = vglog_parse(unit_dir(), "sub.c", &f);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(of_item(f, n, 1)->where, "at sub.c:9 (kvm_destroy_vm)");
	cr_expect_str_eq(of_item(f, n, 2)->where, "", "an unknown frame is no place");
	cr_expect_null(of_item(f, n, 4), "only vg.* files are valgrind's logs");
	vglog_release(f, n);
}

Test(vglog, no_directory_no_finding)
{
	struct vg_finding *f;

	cr_expect_eq(vglog_parse("/nonexistent/ww", "sub.c", &f), 0);
	vglog_release(f, 0);
}
