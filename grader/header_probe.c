/* header_probe.c - header-probe: the header check in a process of its own
 * (see header_check.c: it is exec'd with limits by the grader) */
#include "header_check.h"

int main(int argc, char **argv)
{
	return header_probe_main(argc, argv);
}
