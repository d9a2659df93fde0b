/* strvec.h - a growable vector of owned NUL-terminated strings */
#ifndef OTSDB_STRVEC_H
#define OTSDB_STRVEC_H

#include <stddef.h>

/* Zero-initialise or strvec_init; strvec_free frees every string. */
struct strvec {
	char **v;
	size_t n;
	size_t cap;
};

void strvec_init(struct strvec *sv);
void strvec_free(struct strvec *sv);
/* Appends a copy of the n bytes at s. */
void strvec_add(struct strvec *sv, const char *s, size_t n);
/* Sorts bytewise (strcmp) and drops repeats. */
void strvec_sort_unique(struct strvec *sv);
/* Whether name is one of the strings: the first `sorted` of them in
 * strcmp order (a binary search), the others in any order. */
int strvec_has(const struct strvec *sv, size_t sorted, const char *name);

#endif
