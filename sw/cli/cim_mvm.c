/* cim_mvm.c: run matrix-vector multiplies on the co-simulated RRAM CIM macro
 * and check every result against the golden models.
 *
 * One simulation (cim_sim_run) runs firmware (cli_run.c) that programs the
 * weights through the macro's write-verify engine (or, with --program
 * backdoor, they are loaded into the analog array model before the run),
 * configures the macro once and runs every input vector through the
 * checked-MVM routine (cim_verify.h):
 *   twin  : RTL == twin, bit for bit (always applies, always a failure);
 *   exact : RTL == cim_requant(W x), a failure wherever it applies: an ideal
 *           device, row-group sums within the ADC's full scale, identity
 *           ADC calibration (cim_verify_exact_applies names the reason when
 *           it does not).
 *
 * Exit status: 0 every check that applies passed, 1 a golden check failed,
 * 2 usage, input or output error found before the simulation, 3 simulation,
 * driver or output error after it started. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cim_map.h"
#include "cli.h"
#include "cim_outfile.h"
#include "cim_progress.h"
#include "csv.h"
#include "rram_switch.h"

/* Every output must be writable, and none may name an input or another
 * output, before the simulation starts. Prints and returns EXIT_USAGE. */
static int check_outputs(const cli_opts *o) {
  char err[CIM_OUTFILE_MSG_LEN];
  const cim_outfile_spec outs[] = {
      {"--out", o->out, 1}, {"--stats", o->stats, 1}, {"--trace", o->trace, 0}};
  /* --device names a preset or a file; only a file can collide (an output
   * that happens to be called "ideal" does not name the preset) */
  rram_device preset;
  const char *device_file = rram_device_preset(o->device, &preset) == RRAM_OK ? NULL : o->device;
  const cim_outfile_spec ins[] = {
      {"--weights", o->weights, 0}, {"--inputs", o->inputs, 0}, {"--device", device_file, 0}};
  if (cim_outfile_preflight(outs, 3, ins, 3, err, sizeof err) != CIM_OUTFILE_OK) {
    cli_error("%s", err);
    return EXIT_USAGE;
  }
  return 0;
}

double cli_now_s(void) {
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}


/* The analog array of the run: the chosen device, this run's seed, and with
 * --program backdoor W loaded and aged before the simulation. Prints and
 * returns the exit status on failure, else 0. */
static int make_array(cli_run *c) {
  const cli_opts *o = c->o;
  const cli_data *d = c->d;
  char err[256];
  if (cli_load_device(o, &c->dev, c->effects, sizeof c->effects) != 0) return EXIT_USAGE;
  if (cim_energy_load(o->energy, &c->energy, err, sizeof err) != 0) {
    cli_usage_error("--energy %s", err);
    return EXIT_USAGE;
  }
  rram_device ideal;
  rram_device_ideal(&ideal);
  c->device_ideal = rram_device_equal(&ideal, &c->dev);
  int rs = rram_array_create(&c->b->geo, &c->dev, o->seed, &c->array);
  if (rs != RRAM_OK) {
    rram_array_check_config(&c->b->geo, &c->dev, err, sizeof err);
    cli_error("cannot create the array model: %s%s%s", rram_strerror(rs), err[0] ? ": " : "",
              err);
    return EXIT_USAGE;
  }
  cli_program_cfg(o, &c->dev, &c->prog_cfg);
  if (!o->backdoor) return 0;
  if ((rs = cim_map_load(c->array, d->W, d->n, d->k, c->b->w_bits)) != RRAM_OK) {
    cli_error("cannot load the weights into the array model: %s: %s", rram_strerror(rs),
              rram_array_errmsg(c->array));
    return EXIT_SIM;
  }
  if (o->age_s > 0 && (rs = rram_array_age(c->array, o->age_s)) != RRAM_OK) {
    cli_error("--age: %s: %s", rram_strerror(rs), rram_array_errmsg(c->array));
    return EXIT_SIM;
  }
  return 0;
}

/* A run that did not reach the checks: say why and how to reproduce it. */
static int sim_failure(const cli_run *c, int fr, const cim_sim_stats *stats, int argc,
                       char **argv) {
  if (c->failed && c->fail_status == EXIT_USAGE) {
    cli_error("the driver refused the job: %s", c->fail_msg);
    return EXIT_USAGE;
  }
  if (stats->assertion_failed)
    cli_error("RTL assertion failed: %s", stats->assertion_msg);
  if (c->failed)
    cli_error("simulation failed: %s", c->fail_msg);
  else if (fr < 0)
    cli_error("the simulation could not start (reason above)");
  else
    cli_error("the simulation ended with status %d", fr);
  if (stats->watchdog_fired)
    cli_error("the simulation's cycle watchdog fired after %" PRIu64 " cycles", stats->cycles);
  fputs("reproduce: ", stderr);
  cli_print_cmdline(stderr, argc, argv);
  return EXIT_SIM;
}

/* --out and --stats, written after the checks. Prints and returns EXIT_SIM
 * on a write error, else 0. */
static int write_outputs(const cli_run *c) {
  const cli_opts *o = c->o;
  if (o->out != NULL && c->done > 0) {
    char cerr[CSV_ERRMSG_LEN];
    if (csv_write_int32(o->out, c->y_rtl, c->done, c->d->n, cerr, sizeof cerr) != CSV_OK) {
      cli_error("--out: %s", cerr);
      return EXIT_SIM;
    }
  }
  if (o->stats != NULL) {
    char err[CIM_OUTFILE_MSG_LEN];
    cim_outfile *f = NULL;
    int st = cim_outfile_open(o->stats, &f, err, sizeof err);
    if (st == CIM_OUTFILE_OK) {
      (void)cim_check_write_csv(&c->chk, cim_outfile_fp(f)); /* errors surface at commit */
      st = cim_outfile_commit(f, err, sizeof err);
    }
    if (st != CIM_OUTFILE_OK) {
      cli_error("--stats: %s", err);
      return EXIT_SIM;
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  double t0 = cli_now_s();
  /* A write past the file size limit then fails with EFBIG, which the
   * output checks report, instead of killing the process half-way. */
  signal(SIGXFSZ, SIG_IGN);
  (void)cim_interrupt_catch(); /* Ctrl-C stops between two vectors */
  cli_build b;
  cli_opts o;
  cli_data d;
  int done, rc;
  memset(&d, 0, sizeof d);

  cli_build_query(&b);
  if ((rc = cli_parse_args(argc, argv, &b, &o, &done)) != 0 || done) return rc;
  rc = o.random ? cli_data_random(&o, &b, &d) : cli_data_files(&o, &b, &d);
  if (rc != 0) {
    cli_data_free(&d);
    return rc;
  }
  /* Output problems now, not after the simulation. */
  if ((rc = check_outputs(&o)) != 0) {
    cli_data_free(&d);
    return rc;
  }

  cli_run c;
  memset(&c, 0, sizeof c);
  c.o = &o;
  c.b = &b;
  c.d = &d;
  c.job_req = (cim_job){.n_rows = d.k, .n_outs = d.n, .x_bits = o.x_bits,
                        .is_signed = o.is_signed, .group_rows = o.group_rows, .relu = o.relu,
                        .shift = o.shift, .out_bits = o.out_bits};
  c.y_rtl = calloc((size_t)d.v * (size_t)d.n, sizeof *c.y_rtl);
  c.mvm_cycles = calloc((size_t)d.v, sizeof *c.mvm_cycles);
  if (!c.y_rtl || !c.mvm_cycles) {
    cli_error("out of memory for %d vectors of %d outputs", d.v, d.n);
    rc = EXIT_SIM;
    goto out;
  }
  if ((rc = make_array(&c)) != 0) goto out;

  cim_sim_opts so = {.array = c.array, .trace_path = o.trace, .quantum = o.quantum};
  cim_sim_stats stats;
  memset(&stats, 0, sizeof stats);
  int fr = cim_sim_run(&so, cli_firmware, &c, &stats);
  double wall = cli_now_s() - t0;
  if (fr != 0 || c.failed) {
    rc = sim_failure(&c, fr, &stats, argc, argv);
    goto out;
  }

  int pass = cim_check_passed(&c.chk) && c.done == d.v;
  if (!o.quiet) cli_print_report(&c, &stats, wall);
  /* outputs before the verdict: a run whose outputs were lost is no PASS */
  if ((rc = write_outputs(&c)) != 0) goto out;
  if (stats.trace_failed) { /* the waveform the user asked for is not there */
    cli_error("--trace: %s", stats.trace_msg);
    fputs("reproduce: ", stderr);
    cli_print_cmdline(stderr, argc, argv);
    rc = EXIT_SIM;
    goto out;
  }
  cli_print_verdict(stdout, &c, pass);
  if (o.digest) cli_print_digest(stdout, &c);
  fflush(stdout);
  if (c.interrupted) { /* outputs written: they hold the vectors done */
    rc = 128 + c.interrupted;
    goto out;
  }
  if (!pass) {
    FILE *fp = o.quiet ? stderr : stdout;
    if (o.quiet) {
      char line[512];
      if (c.chk.has_twin_first)
        fprintf(fp, "first twin mismatch: %s\n",
                cim_check_format_mismatch(&c.chk.twin_first, line, sizeof line));
      if (c.chk.has_exact_first && c.exact_applies)
        fprintf(fp, "first exact mismatch: %s\n",
                cim_check_format_mismatch(&c.chk.exact_first, line, sizeof line));
    }
    fputs("reproduce: ", fp);
    cli_print_cmdline(fp, argc, argv);
  }
  fflush(stdout);
  rc = pass ? EXIT_PASS : EXIT_MISMATCH;

out:
  rram_array_destroy(c.array);
  free(c.y_rtl);
  free(c.mvm_cycles);
  cli_data_free(&d);
  return rc;
}
