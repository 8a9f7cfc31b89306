/* tw-evpn-served NS VXLAN: tw_evpn_served's answer, as `tapwire doctor`
 * will get it (evpn.sh): "1 WHY", "0 WHY" or "-ERRNO WHY".
 * tw-evpn-served --each HERE: the same for every control="evpn" vxlan on
 * record ($TAPWIRE_RUNDIR), HERE being the --netns tapwire runs in, one
 * line each: "PATHSPACE/VXLAN R WHY" (what doctor's check will do). */
#include <stdio.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/evpn-check.h"

static void one(void *arg, const char *pathspace, const char *ns, const char *vxlan)
{
	char why[256];
	(void)arg;
	(void)ns;
	int r = tw_evpn_served(pathspace, vxlan, why, sizeof(why));
	printf("%s/%s %d %s\n", pathspace, vxlan, r, why);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: tw-evpn-served NS VXLAN | --each HERE\n");
		return 2;
	}
	char why[256];
	if (!strcmp(argv[1], "--each")) {
		int n = tw_evpn_each(tw_default_rundir(), argv[2], one, NULL, why, sizeof(why));
		if (n < 0)
			printf("%d %s\n", n, why);
		return n < 0;
	}
	int r = tw_evpn_served(argv[1], argv[2], why, sizeof(why));
	printf("%d %s\n", r, why);
	return 0;
}
