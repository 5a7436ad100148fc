// cim_vl_user.h: force-included (-CFLAGS -include) into every file of the
// verilated model and of the Verilator runtime it is built with.
//
// By default a failing assertion or $stop aborts the process (exit 134, no
// message of ours). With these hooks Verilator hands them to the
// bus-functional model instead (cim_bfm.cpp): it records the first failure
// (assertion name, file:line, cycle) in cim_sim_stats, prints one line,
// and stops the DUT the way the watchdog does.
#ifndef CIM_VL_USER_H
#define CIM_VL_USER_H

// vl_stop_maybe() ($stop, failing assertions) and vl_fatal() are defined in
// tb/cim_bfm.cpp, not in verilated.cpp.
#define VL_USER_STOP_MAYBE
#define VL_USER_FATAL
void vl_stop_maybe(const char *filename, int linenum, const char *hier, bool maybe);

// Verilator's console output ($display, assertion messages) goes through
// cim_vl_printf() (tb/cim_bfm.cpp), which prints it unchanged to stdout and
// keeps the last error line for the assertion's name.
int cim_vl_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define VL_PRINTF cim_vl_printf

#endif
