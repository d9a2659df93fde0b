/* vmguard.h - otsdb-restore --target-api: VictoriaMetrics' settings
 * and drop counters around a restore into its OpenTSDB listener */
#ifndef OTSDB_VMGUARD_H
#define OTSDB_VMGUARD_H

#include <signal.h>
#include <stdint.h>

#include "vmsettings.h"

struct fatal;
struct http;
struct notes;
struct restore_config;
struct restore_counters;

struct vm_guard {
	char *api;              /* without trailing / */
	char *shown;
	int named;              /* by --target-api: unreadable is fatal */
	int active;             /* settings read: refusals and ledger on */
	struct vm_settings before;
	int64_t min_ms, max_ms; /* points outside [min, max] are dropped */
	char why_old[320], why_new[320], why_labels[320], why_len[320];
};

/* Reads api/metrics: refuses to start against a deduplicating target
 * unless allow_dedup, says (notes) what cannot be read, and sets cfg's
 * refusal of the points the settings would drop or cut.  An api not
 * named by the user (the write URL) that cannot be read is said, and
 * the run goes on without.  0, or -1 with f set. */
int vm_guard_start(struct vm_guard *g, const char *api, int named,
    int allow_dedup, struct http *http, const struct notes *notes,
    struct restore_config *cfg, struct fatal *f);
/* The ledger: flushes the target, reads its drop counters again (until
 * two reads a second apart agree, at most 10, fewer on a stop), sets
 * c->ignored to what grew and says so. */
void vm_guard_end(struct vm_guard *g, struct http *http,
    const struct notes *notes, struct restore_counters *c, struct fatal *f,
    volatile sig_atomic_t *stop);
/* Frees g (zeroed or started). */
void vm_guard_free(struct vm_guard *g);

#endif
