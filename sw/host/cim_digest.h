/* cim_digest.h: a 64-bit fingerprint of what a run produced (outputs, the
 * analog model's ADC log, cycle counts), so two runs that must be
 * bit-identical (another process split, waves on, another SystemC quantum)
 * can be compared by one number per item instead of by whole logs.
 *
 * FNV-1a over explicit little-endian bytes: the same values give the same
 * digest on any host. Not cryptographic: it detects differences, it does
 * not resist forgery.
 *
 *   uint64_t h = CIM_DIGEST_INIT;
 *   h = cim_digest_i32(h, y, n);
 *   h = cim_digest_log(h, array);   // the phases since the last log clear
 *   h = cim_digest_u64(h, cycles);
 */
#ifndef CIM_DIGEST_H
#define CIM_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "rram_array.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CIM_DIGEST_INIT UINT64_C(0xcbf29ce484222325)

/* h folded with one 64-bit value (8 bytes, little-endian). */
uint64_t cim_digest_u64(uint64_t h, uint64_t v);
/* h folded with n 32-bit values (4 bytes each, little-endian). */
uint64_t cim_digest_i32(uint64_t h, const int32_t *v, size_t n);
/* h folded with the array's log: per phase, its selected and driven rows,
 * and per column its code and number of conversions; then the orphan
 * conversions' count. What a checker of the run would see, in order. */
uint64_t cim_digest_log(uint64_t h, const rram_array *a);

#ifdef __cplusplus
}
#endif

#endif
