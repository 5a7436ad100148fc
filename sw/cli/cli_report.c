/* cli_report.c: the run report and the verdict line of cim_mvm. */
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* 1234567 -> "1,234,567" */
const char *cli_grouped(uint64_t v, char *buf, size_t len) {
  char tmp[32];
  int n = snprintf(tmp, sizeof tmp, "%" PRIu64, v);
  size_t o = 0;
  for (int i = 0; i < n && o + 1 < len; i++) {
    if (i > 0 && (n - i) % 3 == 0 && o + 2 < len) buf[o++] = ',';
    buf[o++] = tmp[i];
  }
  buf[o] = '\0';
  return buf;
}

const char *cli_rate(double v, char *buf, size_t len) {
  if (v >= 1e6)
    snprintf(buf, len, "%.2f M", v / 1e6);
  else if (v >= 1e3)
    snprintf(buf, len, "%.1f k", v / 1e3);
  else
    snprintf(buf, len, "%.1f", v);
  return buf;
}

/* Is s safe to print unquoted in a POSIX shell? */
static int shell_plain(const char *s) {
  if (*s == '\0') return 0;
  for (; *s; s++) {
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          strchr("_-./:=,+@%^", *s) != NULL))
      return 0;
  }
  return 1;
}

/* Print argv as one shell command line, quoted where needed; --quiet is
 * left out so the command shows the whole report. */
/* One word, quoted for a POSIX shell where needed. */
static void print_word(FILE *fp, const char *w) {
  if (shell_plain(w)) {
    fputs(w, fp);
    return;
  }
  fputc('\'', fp);
  for (const char *s = w; *s; s++) {
    if (*s == '\'')
      fputs("'\\''", fp);
    else
      fputc(*s, fp);
  }
  fputc('\'', fp);
}

void cli_print_cmdline(FILE *fp, int argc, char **argv) {
  /* the environment that changes a run is part of its command line */
  static const char *const env[] = {"CIM_INJECT", "CIM_TRACE"};
  for (size_t e = 0; e < sizeof env / sizeof env[0]; e++) {
    const char *v = getenv(env[e]);
    if (v == NULL || v[0] == '\0') continue;
    fprintf(fp, "%s=", env[e]);
    print_word(fp, v);
    fputc(' ', fp);
  }
  for (int i = 0; i < argc; i++) {
    if (i > 0 && (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0)) continue;
    if (i) fputc(' ', fp);
    print_word(fp, argv[i]);
  }
  fputc('\n', fp);
}

static void describe_requant(const cim_job *j, char *buf, size_t len) {
  if (!j->relu && j->shift == 0 && j->out_bits == 32) {
    snprintf(buf, len, "none (32-bit)");
    return;
  }
  snprintf(buf, len, "%s%sshift %d (round half up), saturate to %d-bit", j->relu ? "ReLU" : "",
           j->relu ? ", " : "", j->shift, j->out_bits);
}

/* "12.3 s", "45.6 ms", "78 us": three significant figures at any length. */
static const char *duration(double s, char *buf, size_t len) {
  if (s >= 1.0)
    snprintf(buf, len, "%.3g s", s);
  else if (s >= 1e-3)
    snprintf(buf, len, "%.3g ms", s * 1e3);
  else
    snprintf(buf, len, "%.3g us", s * 1e6);
  return buf;
}

void cli_print_verdict(FILE *fp, const cli_run *c, int pass) {
  const cim_check *k = &c->chk;
  char skip[240] = "";
  if (k->exact_skip_reason[0])
    snprintf(skip, sizeof skip, " (does not apply: %s)", k->exact_skip_reason);
  char stop[96] = "";
  if (c->interrupted)
    snprintf(stop, sizeof stop, " (stopped by %s after %d)",
             c->interrupted == SIGTERM ? "SIGTERM" : "SIGINT", c->done);
  fprintf(fp, "%s  cim_mvm %dx%d, %d vector%s%s, seed %" PRIu64 ": twin %" PRIu64 "/%" PRIu64
              " bit-exact, exact %" PRIu64 "/%" PRIu64 "%s, max |err| %" PRId64 "\n",
          c->interrupted ? "INTERRUPTED" : pass ? "PASS" : "FAIL", c->d->n, c->d->k, c->d->v,
          c->d->v == 1 ? "" : "s", stop, c->o->seed, k->vectors - k->twin_fail_vectors,
          k->vectors, k->vectors - k->exact_fail_vectors, k->vectors, skip, k->max_abs_err);
}

void cli_print_digest(FILE *fp, const cli_run *c) {
  fprintf(fp, "DIGEST vectors=%d outputs=%016" PRIx64 " adc_log=%016" PRIx64 " cycles=%016" PRIx64
              "\n", c->done, c->dig_out, c->dig_log, c->dig_cycles);
}

/* Joules with an SI prefix: "1.23 nJ". */
static const char *joules(double j, char *buf, size_t len) {
  static const char *const pre[] = {"f", "p", "n", "u", "m", ""};
  double v = j * 1e15;
  int i = 0;
  while (i < 5 && fabs(v) >= 1000.0) {
    v /= 1000.0;
    i++;
  }
  snprintf(buf, len, "%.3g %sJ", v, pre[i]);
  return buf;
}

/* The energy and latency report (cim_energy.h): per MVM, its breakdown,
 * TOPS/W, and front-door programming. */
static void print_energy(const cli_run *c) {
  const cim_energy_params *p = &c->energy;
  char e0[24], e1[24], e2[24], e3[24], e4[24], e5[24];
  if (c->done > 0) {
    cim_energy e;
    cim_energy_compute(p, &c->act_mvm, &e);
    const double n = c->done;
    printf("  energy    %s (%g nm, %g MHz): per MVM %s = array %s + ADC %s + drivers %s + "
           "digital %s\n",
           p->name, p->node_nm, p->clock_mhz, joules(e.mvm_j / n, e0, sizeof e0),
           joules(e.array_j / n, e1, sizeof e1), joules(e.adc_j / n, e2, sizeof e2),
           joules(e.drivers_j / n, e3, sizeof e3), joules(e.digital_j / n, e4, sizeof e4));
    printf("            %.3g TOPS/W (2 operations per MAC, %d x %d MACs of %d-bit weights and "
           "%d-bit inputs); latency %.3g us per MVM (%.0f busy cycles)\n",
           e.tops_per_w, c->d->k, c->d->n, c->b->w_bits, c->job.x_bits, e.latency_s / n * 1e6,
           (double)c->act_mvm.act.busy / n);
    /* one line for tools/energy.py, per MVM */
    printf("ENERGY params=%s node_nm=%g clock_mhz=%g array_j=%.6g adc_j=%.6g drivers_j=%.6g "
           "digital_j=%.6g mvm_j=%.6g tops_w=%.6g latency_s=%.6g\n",
           p->name, p->node_nm, p->clock_mhz, e.array_j / n, e.adc_j / n, e.drivers_j / n,
           e.digital_j / n, e.mvm_j / n, e.tops_per_w, e.latency_s / n);
  }
  if (!c->o->backdoor) {
    cim_energy e;
    cim_energy_compute(p, &c->act_prog, &e);
    printf("            programming %s (pulses %s, verify reads %s) in %.3g ms\n",
           joules(e.program_j, e5, sizeof e5), joules(c->act_prog.model.e_pulse_j, e0, sizeof e0),
           joules(e.program_j - c->act_prog.model.e_pulse_j, e1, sizeof e1), e.latency_s * 1e3);
  }
}

void cli_print_report(const cli_run *c, const cim_sim_stats *stats, double wall_total) {
  const cli_build *b = c->b;
  const cli_opts *o = c->o;
  const cli_data *d = c->d;
  const cim_job *j = &c->job;
  const cim_check *k = &c->chk;
  char g1[32], g2[32], g3[32], g4[32], r1[32], r2[32], rq[128];
  int cols_per_out = 2 * b->slices;

  printf("cim_mvm: y = W x on the co-simulated RRAM CIM macro, checked against twin and exact "
         "MVM\n");
  printf("  build     %d rows x %d cols; W %d-bit signed as %d x %d-bit cells, differential "
         "(%d cols/output, %d outputs)\n",
         b->geo.rows, b->geo.cols, b->w_bits, b->slices, b->geo.cell_bits, cols_per_out,
         b->n_out);
  printf("            X up to %d-bit; ADC %d-bit, %d cols/ADC (%d ADCs); P_MAX %d, ideal sum "
         "fits ADC for P <= %d\n",
         b->x_bits, b->geo.adc_bits, b->geo.cols_per_adc, b->n_adc, b->p_max, b->p_fit);
  /* The device as it is after --set, not as its name says. */
  if (c->device_ideal)
    printf("  device    %s%s: ideal (g_min 0, one ADC LSB per level), array seed %" PRIu64 "\n",
           o->device, o->n_sets ? " with --set overrides" : "", o->seed);
  else
    printf("  device    %s%s: non-ideal: %s, array seed %" PRIu64 "\n", o->device,
           o->n_sets ? " with --set overrides" : "", c->effects, o->seed);
  if (o->backdoor) {
    printf("  program   back door: cell levels loaded into the array model (cim_map_load)\n");
  } else {
    const cim_program_report *p = &c->prog;
    printf("  program   front door, write-verify engine: %s cells, %s in the window (%.2f %%), "
           "%s failed\n",
           cli_grouped((uint64_t)p->n_cells, g1, sizeof g1),
           cli_grouped((uint64_t)p->n_ok, g2, sizeof g2),
           p->n_cells ? 100.0 * p->n_ok / p->n_cells : 0.0,
           cli_grouped((uint64_t)p->n_failed, g3, sizeof g3));
    printf("            %s cell%s missed %s level (nearer another level's conductance)\n",
           cli_grouped((uint64_t)c->prog_off_level, g1, sizeof g1),
           c->prog_off_level == 1 ? "" : "s", c->prog_off_level == 1 ? "its" : "their");
    printf("            %.2f pulses/cell (max %d), %s pulses; window +-%d sense codes, at most "
           "%d pulses/cell\n",
           cim_program_mean_pulses(p), p->max_pulses, cli_grouped(p->pulses, g1, sizeof g1),
           c->prog_cfg.tol, c->prog_cfg.max_iter);
    static const int edges[] = {0, 1, 3, 5, 9, 17, 33, 65, CIM_PROGRAM_HIST};
    char hist[256] = "";
    for (size_t e = 0; e + 1 < sizeof edges / sizeof edges[0]; e++) {
      uint64_t n = 0;
      for (int q = edges[e]; q < edges[e + 1]; q++) n += p->hist[q];
      if (n == 0) continue;
      size_t used = strlen(hist);
      if (edges[e + 1] - edges[e] == 1)
        snprintf(hist + used, sizeof hist - used, " %d:%s", edges[e], cli_grouped(n, g2, sizeof g2));
      else
        snprintf(hist + used, sizeof hist - used, " %d-%d:%s", edges[e], edges[e + 1] - 1,
                 cli_grouped(n, g2, sizeof g2));
    }
    printf("            pulses per cell (cells):%s\n", hist);
    printf("            |G - level| rms %.3g uS, max %.3g level steps\n", c->prog_rms_us,
           c->prog_max_err);
    printf("            %s DUT cycles (engine %s, %.1f per cell), %d runs\n",
           cli_grouped(c->prog_cycles, g1, sizeof g1), cli_grouped(p->wv_cycles, g2, sizeof g2),
           p->n_cells ? (double)p->wv_cycles / p->n_cells : 0.0, p->runs);
    for (int i = 0; i < p->n_fail_listed && i < 4; i++)
      printf("            failed: row %d col %d (target code %d, %d pulses)%s\n", p->fail[i].row,
             p->fail[i].col, p->fail[i].target, p->fail[i].pulses,
             i == 3 && p->n_failed > 4 ? ", ..." : "");
  }
  if (o->age_s > 0) printf("            aged %g s after programming\n", o->age_s);
  if (o->calibrate && c->cal_nodata)
    printf("  calibrate nothing to fit on this build (%s); every ADC kept at the identity\n",
           cim_strerror(CIM_ENODATA));
  else if (o->calibrate)
    printf("  calibrate %d ADCs from %d codes (%d clipped left out): code error rms %.3g -> %.3g "
           "LSB;\n            largest |offset| %.2f LSB, |gain - 1| %.3f\n",
           c->cal.n_adc, c->cal.n_points, c->cal.n_clipped, c->cal.rms_before, c->cal.rms_after,
           c->cal.max_abs_offset_lsb, c->cal.max_abs_gain_err);
  if (o->calibrate && !c->cal_nodata && c->cal.n_unfit > 0)
    printf("            %d ADC%s kept at the identity: too few distinct levels to fit\n",
           c->cal.n_unfit, c->cal.n_unfit == 1 ? "" : "s");
  if (o->calibrate && !c->cal_nodata && c->cal.n_refused > 0)
    printf("            %d ADC%s kept at the identity: the fit does not fit ADC_CAL (first: %s)\n",
           c->cal.n_refused, c->cal.n_refused == 1 ? "" : "s", c->cal.refused_msg);
  if (o->random)
    printf("  data      random, seed %" PRIu64 ": W in %" PRId64 "..%" PRId64 ", x in %" PRId64
           "..%" PRId64 "\n",
           o->seed, cli_w_min(b), cli_w_max(b), cli_x_min(j->x_bits, j->is_signed),
           cli_x_max(j->x_bits, j->is_signed));
  else
    printf("  data      weights %s (%d x %d), inputs %s (%d vector%s)\n", o->weights, d->n, d->k,
           o->inputs, d->v, d->v == 1 ? "" : "s");
  int groups = (j->n_rows + j->group_rows - 1) / j->group_rows;
  int phases = groups * j->x_bits;
  describe_requant(j, rq, sizeof rq);
  printf("  job       K %d, N %d; x %d-bit %s; P %d%s -> %d row group%s x %d bit plane%s = %d "
         "phases, %s conversions/MVM\n",
         j->n_rows, j->n_outs, j->x_bits, j->is_signed ? "signed" : "unsigned", j->group_rows,
         o->group_rows == 0 ? " (driver's choice)" : "", groups, groups == 1 ? "" : "s",
         j->x_bits, j->x_bits == 1 ? "" : "s", phases,
         cli_grouped((uint64_t)phases * (uint64_t)j->n_outs * (uint64_t)cols_per_out, g1, sizeof g1));
  printf("            requant %s\n", rq);
  if (c->conv_cycles > 0)
    printf("  sim       wait %s, quantum %u, ADC %d cycles/conversion%s%s\n",
           o->wait == CIM_WAIT_IRQ ? "irq" : "poll", o->quantum ? o->quantum : 100,
           c->conv_cycles, o->trace ? ", trace " : "", o->trace ? o->trace : "");
  else
    printf("  sim       wait %s, quantum %u, ADC conversion time at reset value%s%s\n",
           o->wait == CIM_WAIT_IRQ ? "irq" : "poll", o->quantum ? o->quantum : 100,
           o->trace ? ", trace " : "", o->trace ? o->trace : "");

  uint64_t sum = 0;
  uint32_t mn = UINT32_MAX, mx = 0;
  for (int v = 0; v < c->done; v++) {
    sum += c->mvm_cycles[v];
    if (c->mvm_cycles[v] < mn) mn = c->mvm_cycles[v];
    if (c->mvm_cycles[v] > mx) mx = c->mvm_cycles[v];
  }
  if (c->done == 0) mn = 0;
  printf("  vectors   %d\n", c->done);
  if (mn == mx)
    printf("  cycles    %s DUT cycles in all; %s per MVM (CYCLES register, START to DONE)\n",
           cli_grouped(stats->cycles, g1, sizeof g1), cli_grouped(mn, g2, sizeof g2));
  else
    printf("  cycles    %s DUT cycles in all; per MVM %s avg, %s..%s (CYCLES register)\n",
           cli_grouped(stats->cycles, g1, sizeof g1),
           cli_grouped(c->done ? sum / (uint64_t)c->done : 0, g2, sizeof g2),
           cli_grouped(mn, g3, sizeof g3), cli_grouped(mx, g4, sizeof g4));
  double ws = stats->wall_seconds > 0 ? stats->wall_seconds : 0;
  double wm = c->mvm_t1 - c->mvm_t0;
  char t1[24], t2[24], t3[24];
  if (wm > 0)
    printf("  speed     MVMs: %s DUT cycles/s, %s MVMs/s (%s); whole simulation %s, %s in all\n",
           cli_rate((double)(c->mvm_c1 - c->mvm_c0) / wm, r1, sizeof r1),
           cli_rate((double)c->done / wm, r2, sizeof r2), duration(wm, t1, sizeof t1),
           duration(ws, t2, sizeof t2), duration(wall_total, t3, sizeof t3));
  else
    printf("  speed     %s in all\n", duration(wall_total, t3, sizeof t3));

  print_energy(c);

  char line[512];
  printf("  twin      %" PRIu64 "/%" PRIu64 " vectors bit-exact (%s/%s outputs)  %s\n",
         k->vectors - k->twin_fail_vectors, k->vectors,
         cli_grouped(k->outputs - k->twin_fail_outputs, g1, sizeof g1),
         cli_grouped(k->outputs, g2, sizeof g2), cim_check_twin_ok(k) ? "PASS" : "FAIL");
  if (k->has_twin_first)
    printf("            first: %s\n", cim_check_format_mismatch(&k->twin_first, line, sizeof line));
  if (k->twin_refused)
    printf("            the twin rejected %" PRIu64 " run%s' ADC log\n", k->twin_refused,
           k->twin_refused == 1 ? "" : "s");
  printf("  exact     %" PRIu64 "/%" PRIu64 " vectors match requant(W x) (%s/%s outputs)  %s\n",
         k->vectors - k->exact_fail_vectors, k->vectors,
         cli_grouped(k->outputs - k->exact_fail_outputs, g1, sizeof g1),
         cli_grouped(k->outputs, g2, sizeof g2),
         cim_check_exact_ok(k)            ? "PASS"
         : k->exact_fail_applied          ? "FAIL"
                                          : "does not apply (measured only)");
  if (k->has_exact_first)
    printf("            first: %s\n",
           cim_check_format_mismatch(&k->exact_first, line, sizeof line));
  double snr = cim_check_snr_db(k);
  if (k->max_abs_err == 0)
    printf("  error     max |y - exact| 0 LSB\n");
  else
    printf("  error     max |y - exact| %" PRId64 " LSB (vector %" PRIu64 ", output %d), rms %.3g "
           "LSB, SNR %.1f dB\n",
           k->max_abs_err, k->max_err_vector, k->max_err_column, cim_check_rms_err(k), snr);
  if (o->stats) printf("  stats     %s (per output column and overall)\n", o->stats);
  if (k->exact_skip_reason[0])
    printf("  note      the exact check does not apply: %s;\n"
           "            it measures the error, the twin check is the verdict\n",
           k->exact_skip_reason);
  if (o->out) printf("  output    %s (%d x %d)\n", o->out, c->done, d->n);
}

