/*
 * TA-Lib C side of bench/indicators.ts: times TA-Lib's own C functions, built
 * with gcc -O2 from the sources in the talib npm package, on the series the
 * benchmark wrote to a file.
 *
 *   harness SERIES_FILE [cpu]  then, on stdin, one request per line: "NAME RUNS [reuse]"
 *
 * SERIES_FILE: int64 n (little endian), then n doubles each of high, low,
 * close and volume. For each request the harness answers one line with RUNS
 * wall times in ms. Each timed call allocates its output arrays (n doubles
 * each, as a caller of TA-Lib does) and calls the function over the whole
 * series; freeing is left out of the time, as the JS side's garbage
 * collection is. With "reuse" the calls write into three arrays allocated
 * (and touched) once instead: TA-Lib's computation alone. Requests come one at a time so the benchmark can interleave
 * them with its own runs. With "cpu" the times are the process's CPU time
 * instead of wall time (steadier on a machine shared with other work).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ta_libc.h"

static int n;
static double *high, *low, *close_, *volume;
static double sink;
static clockid_t clock_id = CLOCK_MONOTONIC;
static double *kept[3]; /* the arrays reused by "reuse" requests */
static int reuse, next_kept;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(clock_id, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double *alloc_out(void) {
  if (reuse) return kept[next_kept++];
  double *p = malloc(sizeof(double) * (size_t)n);
  if (!p) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  return p;
}

/* Runs one indicator once; returns its wall time in ms, or a negative value for an unknown name. */
static double run(const char *name) {
  int beg = 0, nb = 0;
  TA_RetCode rc = TA_SUCCESS;
  double *o1 = NULL, *o2 = NULL, *o3 = NULL;
  next_kept = 0;
  double t0 = now_ms();
  if (!strcmp(name, "sma")) {
    o1 = alloc_out();
    rc = TA_SMA(0, n - 1, close_, 20, &beg, &nb, o1);
  } else if (!strcmp(name, "ema")) {
    o1 = alloc_out();
    rc = TA_EMA(0, n - 1, close_, 20, &beg, &nb, o1);
  } else if (!strcmp(name, "rsi")) {
    o1 = alloc_out();
    rc = TA_RSI(0, n - 1, close_, 14, &beg, &nb, o1);
  } else if (!strcmp(name, "macd")) {
    o1 = alloc_out(), o2 = alloc_out(), o3 = alloc_out();
    rc = TA_MACD(0, n - 1, close_, 12, 26, 9, &beg, &nb, o1, o2, o3);
  } else if (!strcmp(name, "bbands")) {
    o1 = alloc_out(), o2 = alloc_out(), o3 = alloc_out();
    rc = TA_BBANDS(0, n - 1, close_, 20, 2.0, 2.0, TA_MAType_SMA, &beg, &nb, o1, o2, o3);
  } else if (!strcmp(name, "atr")) {
    o1 = alloc_out();
    rc = TA_ATR(0, n - 1, high, low, close_, 14, &beg, &nb, o1);
  } else if (!strcmp(name, "obv")) {
    o1 = alloc_out();
    rc = TA_OBV(0, n - 1, close_, volume, &beg, &nb, o1);
  } else if (!strcmp(name, "stoch")) {
    o1 = alloc_out(), o2 = alloc_out();
    rc = TA_STOCH(0, n - 1, high, low, close_, 14, 3, TA_MAType_SMA, 3, TA_MAType_SMA, &beg, &nb, o1, o2);
  } else if (!strcmp(name, "adx")) {
    /* Ours returns ADX, +DI and -DI; TA-Lib needs one call per line. */
    o1 = alloc_out(), o2 = alloc_out(), o3 = alloc_out();
    rc = TA_ADX(0, n - 1, high, low, close_, 14, &beg, &nb, o1);
    if (rc == TA_SUCCESS) rc = TA_PLUS_DI(0, n - 1, high, low, close_, 14, &beg, &nb, o2);
    if (rc == TA_SUCCESS) rc = TA_MINUS_DI(0, n - 1, high, low, close_, 14, &beg, &nb, o3);
  } else if (!strcmp(name, "adx-only")) {
    o1 = alloc_out();
    rc = TA_ADX(0, n - 1, high, low, close_, 14, &beg, &nb, o1);
  } else if (!strcmp(name, "cci")) {
    o1 = alloc_out();
    rc = TA_CCI(0, n - 1, high, low, close_, 20, &beg, &nb, o1);
  } else {
    return -1;
  }
  double t = now_ms() - t0;
  if (rc != TA_SUCCESS) {
    fprintf(stderr, "%s: TA-Lib error %d\n", name, (int)rc);
    exit(1);
  }
  /* Keep the results observable so the call cannot be dropped. */
  sink += o1[nb - 1] + (o2 ? o2[nb - 1] : 0) + (o3 ? o3[nb - 1] : 0);
  if (!reuse) free(o1), free(o2), free(o3);
  return t;
}

static double *read_doubles(FILE *f) {
  double *p = malloc(sizeof(double) * (size_t)n);
  if (!p || fread(p, sizeof(double), (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "series file too short\n");
    exit(1);
  }
  return p;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "cpu"))) {
    fprintf(stderr, "usage: harness SERIES_FILE [cpu]\n");
    return 2;
  }
  if (argc == 3) clock_id = CLOCK_PROCESS_CPUTIME_ID;
  FILE *f = fopen(argv[1], "rb");
  int64_t count;
  if (!f || fread(&count, sizeof count, 1, f) != 1 || count < 1 || count > INT32_MAX) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  n = (int)count;
  high = read_doubles(f), low = read_doubles(f), close_ = read_doubles(f), volume = read_doubles(f);
  fclose(f);
  if (TA_Initialize() != TA_SUCCESS) return 1;
  for (int i = 0; i < 3; i++) {
    kept[i] = malloc(sizeof(double) * (size_t)n);
    if (!kept[i]) return 1;
    memset(kept[i], 0, sizeof(double) * (size_t)n);
  }
  char line[128], name[64], mode[16];
  int runs;
  while (fgets(line, sizeof line, stdin)) {
    int got = sscanf(line, "%63s %d %15s", name, &runs, mode);
    if (got < 2) continue;
    reuse = got == 3 && !strcmp(mode, "reuse");
    for (int r = 0; r < runs; r++) {
      double t = run(name);
      if (t < 0) {
        fprintf(stderr, "unknown indicator %s\n", name);
        return 2;
      }
      printf(r ? " %.4f" : "%.4f", t);
    }
    printf("\n");
    fflush(stdout);
  }
  TA_Shutdown();
  return sink == 12345.678 ? 3 : 0;
}
