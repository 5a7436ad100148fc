/* check_suites.h: the Check suites of check_cmodel, one per test file;
 * check_cmodel.c's main() runs them all. */
#ifndef CHECK_SUITES_H
#define CHECK_SUITES_H

#include <check.h>

/* check_device.c: device effects, device files and presets. */
Suite *device_suite(void);
/* check_switch.c: cell switching under pulses and the verify read. */
Suite *switch_suite(void);
/* check_parse.c: the number parser (rram_num.h) and device-file edge cases. */
Suite *parse_suite(void);
/* check_ir_accuracy.c: the IR-drop solver against an exact solve on
 * full-size arrays, and that exact reference (ir_ref.c) itself. */
Suite *ir_accuracy_suite(void);
Suite *lines_suite(void);
/* check_activity.c: activity counts and energies (rram_array_activity). */
Suite *activity_suite(void);

/* check_util.c: helpers the suites share. */
#include <stdint.h>

#include "../rram_array.h"
/* rram_array_create, or a failed check naming the seed and the reason. */
rram_array *check_array_create(const rram_geometry *g, const rram_device *d, uint64_t seed);

#endif
