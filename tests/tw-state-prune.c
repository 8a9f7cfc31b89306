/* tw_state_prune and the state file's name, for engine-netns-state.sh
 * until a command of tapwire's calls them:
 *
 *   tw-state-prune [-n] RUNDIR    prune (-n: only count); print how many files
 *                                 went (would go)
 *   tw-state-prune --path RUNDIR  print the state file of this namespace
 *                                 (without opening it)
 *
 * Exit 0, or 1 with one line saying why. */
#include <stdio.h>
#include <string.h>

#include "engine/state.h"

int main(int argc, char **argv)
{
	bool path = argc == 3 && !strcmp(argv[1], "--path");
	bool dry_run = argc == 3 && !strcmp(argv[1], "-n");
	if (argc != 2 + (path || dry_run)) {
		fprintf(stderr, "usage: tw-state-prune [-n|--path] RUNDIR\n");
		return 2;
	}
	const char *rundir = argv[argc - 1];
	char err[700];
	if (path) {
		int r = tw_state_file(rundir, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "tw-state-prune: %s\n", strerror(-r));
			return 1;
		}
		printf("%s\n", err);
		return 0;
	}
	int n = tw_state_prune(rundir, dry_run, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "tw-state-prune: %s\n", err);
		return 1;
	}
	printf("%d\n", n);
	return 0;
}
