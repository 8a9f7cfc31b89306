/* tw-evpn-served NS VXLAN: tw_evpn_served's answer, as `tapwire doctor`
 * will get it (evpn.sh): "1 WHY", "0 WHY" or "-ERRNO WHY". */
#include <stdio.h>

#include "engine/evpn-check.h"

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: tw-evpn-served NS VXLAN\n");
		return 2;
	}
	char why[256];
	int r = tw_evpn_served(argv[1], argv[2], why, sizeof(why));
	printf("%d %s\n", r, why);
	return 0;
}
