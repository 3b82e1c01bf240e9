/* remtrail events: placeholder until the module behind it lands. */
#include "config.h"

#include <string.h>

#include "cli.h"

static int run(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		cli_print_help(&cli_cmd_events);
		return RT_EXIT_OK;
	}
	fprintf(stderr, "remtrail events: not implemented yet\n");
	return RT_EXIT_FAIL;
}

const cli_command cli_cmd_events = {
	"events", run, "(not implemented yet)",
	"usage: remtrail events PATH...\n\nNot implemented yet.\n",
};
