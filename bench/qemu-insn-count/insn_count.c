/* SPDX-License-Identifier: MIT */
/*
 * insn_count.c - QEMU TCG plugin that counts guest instructions executed
 * between two marker functions of a firmware image.
 *
 * Marker protocol
 * ---------------
 * The firmware defines two `noinline` functions (by convention
 * `ad_bench_start` and `ad_bench_stop`) and calls them around the code
 * to be measured. Their addresses are passed to the plugin:
 *
 *   -plugin libinsncount.so,start=0xADDR,stop=0xADDR[,out=PATH][,mode=tb|insn]
 *           [,hist=PATH[,forward=ADDR][,backward=ADDR][,update=ADDR]]
 *
 * Counting is switched on when the first instruction of the start function
 * executes and switched off when the first instruction of the stop function
 * executes. A window therefore counts the start function's first instruction
 * and everything executed after it (including interrupt handlers), up to but
 * not including the stop function's first instruction. A start while counting
 * is already on, or a stop while it is off, is ignored. Counts accumulate
 * over all windows. Bit 0 of an address (the Thumb bit) is ignored.
 *
 * At exit one line is written, to PATH when `out=` is given, else to stderr:
 *
 *   insn-count: windows=N instructions=M total=T
 *
 * N is the number of completed windows, M the instructions counted in them,
 * T the instructions executed by the whole run. If a window is still open at
 * exit it is not included in M and a second line says so.
 *
 * Counting method
 * ---------------
 * Translation blocks that contain a marker instruction get one callback per
 * instruction that counts the instruction and handles the marker, so markers
 * in the middle of a block are exact. Other blocks are counted with an inline
 * add: `mode=tb` (default) adds the block's instruction count when the block
 * is entered; `mode=insn` adds 1 per instruction, which stays exact even when
 * a block is left early by a synchronous fault, at some cost in speed.
 *
 * Histogram and phases (hist=PATH)
 * --------------------------------
 * With `hist=PATH` every instruction of every block gets a callback instead
 * (slower; the counts are the same), and at exit PATH receives, per phase and
 * per guest PC executed inside the windows, one line
 *
 *   PHASE PC SIZE COUNT FALLTHROUGH
 *
 * PC in hex, PHASE one of forward, backward, update, COUNT the executions of
 * that instruction in that phase, FALLTHROUGH how many of them were directly
 * followed (next executed instruction, counted or not) by the instruction at
 * PC + SIZE: for a conditional branch, how often it was not taken. Lines
 * starting with '#' are comments and sums. The optional arguments
 * forward=ADDR, backward=ADDR, update=ADDR give phase marker functions: each
 * counted instruction belongs to the phase of the last phase marker whose
 * first instruction executed in the same window, and each window starts in
 * forward at its start marker. A phase marker's own instructions count to the
 * phase it starts; the call to it still to the previous one. Phase markers
 * outside windows are ignored. The COUNT column sums to `instructions=`.
 *
 * Only a single vCPU is supported (counters are not atomic).
 *
 * The plugin API is declared below (API version 1, QEMU 7.x); no QEMU
 * header is needed to build it: gcc -shared -fPIC -O2 insn_count.c.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- QEMU plugin C ABI (API version 1) --------------------------------- */

#define PLUGIN_EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;

struct qemu_plugin_tb;   /* opaque */
struct qemu_plugin_insn; /* opaque */

/* Leading members of qemu_info_t; only read through the pointer. */
struct plugin_info {
    const char *target_name;
    struct {
        int min;
        int cur;
    } version;
    bool system_emulation;
};

enum plugin_cb_flags { PLUGIN_CB_NO_REGS = 0 };
enum plugin_op { PLUGIN_INLINE_ADD_U64 = 0 };

typedef void (*plugin_udata_cb)(qemu_plugin_id_t id, void *userdata);
typedef void (*plugin_vcpu_udata_cb)(unsigned int vcpu_index, void *userdata);
typedef void (*plugin_tb_trans_cb)(qemu_plugin_id_t id,
                                   struct qemu_plugin_tb *tb);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                           plugin_tb_trans_cb cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
                                              enum plugin_op op, void *ptr,
                                              uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                            plugin_vcpu_udata_cb cb,
                                            enum plugin_cb_flags flags,
                                            void *userdata);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn,
                                                enum plugin_op op, void *ptr,
                                                uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
                                                 size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, plugin_udata_cb cb,
                                    void *userdata);

PLUGIN_EXPORT int qemu_plugin_version = 1;

/* ---- state -------------------------------------------------------------- */

static uint64_t start_addr, stop_addr;
static bool per_insn_inline;
static char *out_path;
static char *hist_path;

static uint64_t total;      /* instructions executed so far */
static uint64_t window_base; /* value of total when the open window began */
static uint64_t counted;    /* instructions in completed windows */
static uint64_t windows;    /* completed windows */
static bool counting;
static bool installed;
static bool reported;

/* userdata of the per-instruction callback in marker blocks; also rec.mark */
#define MARK_START ((uintptr_t)1)
#define MARK_STOP ((uintptr_t)2)
#define MARK_PHASE0 ((uintptr_t)4) /* MARK_PHASE0 << p marks phase p's marker */

/* ---- histogram (hist=PATH) ---------------------------------------------- */

#define NPHASES 3
static const char *const phase_names[NPHASES] = {"forward", "backward", "update"};
static uint64_t phase_addr[NPHASES];
static bool have_phase[NPHASES];

/* One record per guest PC, shared by every translation of it. */
struct rec {
    uint64_t pc;
    uint32_t size;
    uint32_t mark;
    uint64_t count[NPHASES]; /* executions inside windows, per phase */
    uint64_t fall[NPHASES];  /* ... directly followed by the insn at pc + size */
    struct rec *next;        /* hash chain */
};

#define NBUCKETS 65536u
static struct rec **buckets;
static struct rec *last;     /* last counted instruction, until the next one executes */
static int last_phase;
static int phase;

static struct rec *rec_for(uint64_t pc, uint32_t size)
{
    uint32_t h = (uint32_t)((pc >> 1) * 2654435761u) & (NBUCKETS - 1);
    struct rec *r;
    for (r = buckets[h]; r; r = r->next) {
        if (r->pc == pc) {
            return r;
        }
    }
    r = calloc(1, sizeof *r);
    if (!r) {
        fprintf(stderr, "insn-count: out of memory\n");
        abort();
    }
    r->pc = pc;
    r->size = size;
    r->mark = (uint32_t)((pc == start_addr ? MARK_START : 0) |
                         (pc == stop_addr ? MARK_STOP : 0));
    for (int p = 0; p < NPHASES; p++) {
        if (have_phase[p] && pc == phase_addr[p]) {
            r->mark |= (uint32_t)(MARK_PHASE0 << p);
        }
    }
    r->next = buckets[h];
    buckets[h] = r;
    return r;
}

static void hist_insn(unsigned int vcpu, void *udata)
{
    struct rec *r = udata;
    (void)vcpu;
    if (last) {
        if (last->pc + last->size == r->pc) {
            last->fall[last_phase]++;
        }
        last = NULL;
    }
    if ((r->mark & MARK_STOP) && counting) {
        counted += total - window_base;
        windows++;
        counting = false;
    }
    if ((r->mark & MARK_START) && !counting) {
        window_base = total;
        counting = true;
        phase = 0;
    }
    if (counting) {
        for (int p = 0; p < NPHASES; p++) {
            if (r->mark & (MARK_PHASE0 << p)) {
                phase = p;
            }
        }
        r->count[phase]++;
        last = r;
        last_phase = phase;
    }
    total++;
}

/* ---- counting ----------------------------------------------------------- */

static void marker_block_insn(unsigned int vcpu, void *udata)
{
    uintptr_t mark = (uintptr_t)udata;
    (void)vcpu;
    if ((mark & MARK_STOP) && counting) {
        counted += total - window_base;
        windows++;
        counting = false;
    }
    if ((mark & MARK_START) && !counting) {
        window_base = total;
        counting = true;
    }
    total++;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    bool has_marker = false;
    (void)id;

    if (hist_path) {
        for (size_t i = 0; i < n; i++) {
            struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
            struct rec *r = rec_for(qemu_plugin_insn_vaddr(insn),
                                    (uint32_t)qemu_plugin_insn_size(insn));
            qemu_plugin_register_vcpu_insn_exec_cb(insn, hist_insn,
                                                   PLUGIN_CB_NO_REGS, r);
        }
        return;
    }
    for (size_t i = 0; i < n && !has_marker; i++) {
        uint64_t pc = qemu_plugin_insn_vaddr(qemu_plugin_tb_get_insn(tb, i));
        has_marker = pc == start_addr || pc == stop_addr;
    }
    if (has_marker) {
        for (size_t i = 0; i < n; i++) {
            struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
            uint64_t pc = qemu_plugin_insn_vaddr(insn);
            uintptr_t mark = (pc == start_addr ? MARK_START : 0) |
                             (pc == stop_addr ? MARK_STOP : 0);
            qemu_plugin_register_vcpu_insn_exec_cb(
                insn, marker_block_insn, PLUGIN_CB_NO_REGS, (void *)mark);
        }
    } else if (per_insn_inline) {
        for (size_t i = 0; i < n; i++) {
            qemu_plugin_register_vcpu_insn_exec_inline(
                qemu_plugin_tb_get_insn(tb, i), PLUGIN_INLINE_ADD_U64, &total, 1);
        }
    } else if (n > 0) {
        qemu_plugin_register_vcpu_tb_exec_inline(tb, PLUGIN_INLINE_ADD_U64,
                                                 &total, n);
    }
}

static void write_hist(void)
{
    uint64_t sum[NPHASES] = {0};
    FILE *f = fopen(hist_path, "w");
    if (!f) {
        fprintf(stderr, "insn-count: cannot write %s\n", hist_path);
        return;
    }
    /* An open window's instructions are in the records but not in
       `instructions=`; say so (the line below gives the sums written). */
    fprintf(f, "# insn-count histogram: PHASE PC SIZE COUNT FALLTHROUGH\n");
    fprintf(f, "# windows=%" PRIu64 " instructions=%" PRIu64 "%s\n", windows,
            counted, counting ? " (a window was still open at exit)" : "");
    for (int p = 0; p < NPHASES; p++) {
        fprintf(f, "# phase %s marker=%s%" PRIx64 "\n", phase_names[p],
                have_phase[p] ? "0x" : "", have_phase[p] ? phase_addr[p] : 0);
    }
    for (uint32_t h = 0; h < NBUCKETS; h++) {
        for (struct rec *r = buckets[h]; r; r = r->next) {
            for (int p = 0; p < NPHASES; p++) {
                if (r->count[p]) {
                    fprintf(f, "%s 0x%08" PRIx64 " %u %" PRIu64 " %" PRIu64 "\n",
                            phase_names[p], r->pc, r->size, r->count[p],
                            r->fall[p]);
                    sum[p] += r->count[p];
                }
            }
        }
    }
    fprintf(f, "# sums forward=%" PRIu64 " backward=%" PRIu64 " update=%" PRIu64
               "\n", sum[0], sum[1], sum[2]);
    fclose(f);
}

static void report(void)
{
    char line[256];
    int len;
    FILE *f = stderr;

    if (!installed || reported) {
        return;
    }
    reported = true;
    if (hist_path) {
        write_hist();
    }
    len = snprintf(line, sizeof line,
                   "insn-count: windows=%" PRIu64 " instructions=%" PRIu64
                   " total=%" PRIu64 "\n",
                   windows, counted, total);
    if (counting && len > 0 && (size_t)len < sizeof line) {
        snprintf(line + len, sizeof line - (size_t)len,
                 "insn-count: warning: window still open at exit, "
                 "%" PRIu64 " instructions not counted\n",
                 total - window_base);
    }
    if (out_path) {
        f = fopen(out_path, "w");
        if (!f) {
            fprintf(stderr, "insn-count: cannot write %s\n", out_path);
            f = stderr;
        }
    }
    fputs(line, f);
    if (f == stderr) {
        fflush(f);
    } else {
        fclose(f);
    }
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
    (void)id;
    (void)udata;
    report();
}

/* QEMU may leave the process without running plugin exit callbacks
   (e.g. semihosting exit); report from the library destructor then. */
__attribute__((destructor)) static void at_unload(void)
{
    report();
}

static bool parse_addr(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (!*s) {
        return false;
    }
    v = strtoull(s, &end, 0);
    if (*end) {
        return false;
    }
    *out = (uint64_t)v & ~(uint64_t)1;
    return true;
}

static bool writable(const char *path)
{
    /* fail early on an unwritable path; the result is written at exit */
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "insn-count: cannot write %s\n", path);
        return false;
    }
    fclose(f);
    return true;
}

PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                      const struct plugin_info *info,
                                      int argc, char **argv)
{
    bool have_start = false, have_stop = false;
    (void)info;

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *eq = strchr(a, '=');
        size_t key = eq ? (size_t)(eq - a) : strlen(a);
        int ph = -1;
        for (int p = 0; p < NPHASES; p++) {
            if (key == strlen(phase_names[p]) && !strncmp(a, phase_names[p], key)) {
                ph = p;
            }
        }
        if (!strncmp(a, "start=", 6)) {
            have_start = parse_addr(a + 6, &start_addr);
            if (!have_start) {
                fprintf(stderr, "insn-count: bad address in '%s'\n", a);
                return -1;
            }
        } else if (!strncmp(a, "stop=", 5)) {
            have_stop = parse_addr(a + 5, &stop_addr);
            if (!have_stop) {
                fprintf(stderr, "insn-count: bad address in '%s'\n", a);
                return -1;
            }
        } else if (ph >= 0 && eq) {
            have_phase[ph] = parse_addr(eq + 1, &phase_addr[ph]);
            if (!have_phase[ph]) {
                fprintf(stderr, "insn-count: bad address in '%s'\n", a);
                return -1;
            }
        } else if (!strncmp(a, "out=", 4) && a[4]) {
            out_path = strdup(a + 4);
        } else if (!strncmp(a, "hist=", 5) && a[5]) {
            hist_path = strdup(a + 5);
        } else if (!strcmp(a, "mode=tb")) {
            per_insn_inline = false;
        } else if (!strcmp(a, "mode=insn")) {
            per_insn_inline = true;
        } else {
            fprintf(stderr, "insn-count: unknown argument '%s' (expected "
                            "start=ADDR, stop=ADDR, out=PATH, mode=tb|insn, "
                            "hist=PATH, forward=ADDR, backward=ADDR, "
                            "update=ADDR)\n",
                    a);
            return -1;
        }
    }
    if (!have_start || !have_stop) {
        fprintf(stderr, "insn-count: start=ADDR and stop=ADDR are required\n");
        return -1;
    }
    if ((out_path && !writable(out_path)) || (hist_path && !writable(hist_path))) {
        return -1;
    }
    if (hist_path) {
        buckets = calloc(NBUCKETS, sizeof *buckets);
        if (!buckets) {
            fprintf(stderr, "insn-count: out of memory\n");
            return -1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    installed = true;
    return 0;
}
