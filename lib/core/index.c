#include "core/index.h"

#include <errno.h>
#include <stdlib.h>

size_t tw_hash_str(size_t h, const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		h = (h ^ *c) * 1099511628211ULL;
	return (h ^ 0xff) * 1099511628211ULL;
}

bool tw_index_next(const struct tw_index *x, size_t hash, size_t *cursor, size_t *pos)
{
	size_t mask = x->nslots - 1;
	while (*cursor < x->nslots) {
		const struct tw_index_slot *s = &x->slots[(hash + (*cursor)++) & mask];
		if (!s->pos1)
			return false;
		if (s->hash == hash) {
			*pos = s->pos1 - 1;
			return true;
		}
	}
	return false;
}

static void put(struct tw_index_slot *slots, size_t nslots, size_t hash, size_t pos1)
{
	size_t h = hash & (nslots - 1);
	while (slots[h].pos1)
		h = (h + 1) & (nslots - 1);
	slots[h] = (struct tw_index_slot){ .pos1 = pos1, .hash = hash };
}

int tw_index_add(struct tw_index *x, size_t hash, size_t pos)
{
	if ((x->n + 1) * 2 > x->nslots) {
		size_t nslots = x->nslots ? x->nslots * 2 : 64;
		struct tw_index_slot *slots = calloc(nslots, sizeof(*slots));
		if (!slots)
			return -ENOMEM;
		for (size_t i = 0; i < x->nslots; i++)
			if (x->slots[i].pos1)
				put(slots, nslots, x->slots[i].hash, x->slots[i].pos1);
		free(x->slots);
		x->slots = slots;
		x->nslots = nslots;
	}
	put(x->slots, x->nslots, hash, pos + 1);
	x->n++;
	return 0;
}

void tw_index_free(struct tw_index *x)
{
	free(x->slots);
	*x = (struct tw_index){ 0 };
}
