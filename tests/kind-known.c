/* Whether this kernel knows each link kind named, as `tapwire check` asks
 * it before planning a macvlan or macvtap (net/macvlan.h): one line per
 * kind, "KIND 1" or "KIND 0". Exit 1 when the kernel cannot be asked.
 *
 *   tw-kind-known KIND...  */
#include <stdio.h>
#include <string.h>

#include "net/macvlan.h"

int main(int argc, char **argv)
{
	struct tw_nl nl;
	if (tw_nl_open(&nl) < 0) {
		fprintf(stderr, "tw-kind-known: cannot open netlink\n");
		return 1;
	}
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		int r = tw_link_kind_known(&nl, argv[i]);
		if (r < 0) {
			fprintf(stderr, "tw-kind-known: %s: %s\n", argv[i], strerror(-r));
			rc = 1;
		} else {
			printf("%s %d\n", argv[i], r);
		}
	}
	tw_nl_close(&nl);
	return rc;
}
