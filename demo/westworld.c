/* westworld.c - a small VMM: runs a real-mode guest in a simulated KVM host
 *
 * main() only: the command line (options.c), the machine (machine.c), the
 * run (session.c) on the demo's CPU core (x86/).
 */
#include "machine.h"
#include "options.h"
#include "session.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    struct options o;
    WestworldHost *host;
    bool help;
    int status;

    /* line by line even into a pipe: a guest that never stops still shows
     * what it printed */
    setvbuf(stdout, NULL, _IOLBF, 0);
    status = options_parse(argc, argv, &o, &help);
    if (status != 0)
        return status;
    if (help) {
        options_print_help();
        return WW_OK;
    }
    host = machine_create(&o);
    if (host == NULL)
        return WW_USAGE;
    status = session_run(host, &o);
    ford_retires_host(host);
    printf("\n=== All hosts retired ===\n");
    return status;
}
