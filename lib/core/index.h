/* A hash index over an array its owner keeps: from a key to the position
 * of the element that has it (open addressing, linear probing). The index
 * stores positions and hashes only, so the array may grow (realloc) under
 * it; which element has which key is the owner's to say, by comparing the
 * candidates tw_index_next hands out. */
#ifndef TW_INDEX_H
#define TW_INDEX_H

#include <stdbool.h>
#include <stddef.h>

struct tw_index {
	struct tw_index_slot {
		size_t pos1; /* position + 1; 0: empty */
		size_t hash;
	} *slots;
	size_t nslots;       /* a power of two, at least twice n */
	size_t n;
};

#define TW_HASH_SEED ((size_t)1469598103934665603ULL)
/* FNV-1a over s, on from h (TW_HASH_SEED for the first part); a 0xff
 * byte ends each part, so ("ab", "c") and ("a", "bc") differ. */
size_t tw_hash_str(size_t h, const char *s);

/* The candidates for hash, one per call: true with *pos set, false when
 * there are no more. *cursor starts at 0. */
bool tw_index_next(const struct tw_index *x, size_t hash, size_t *cursor, size_t *pos);
/* The element at pos has a key with this hash. 0 or -ENOMEM. */
int tw_index_add(struct tw_index *x, size_t hash, size_t pos);
void tw_index_free(struct tw_index *x);

#endif
