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
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, plugin_udata_cb cb,
                                    void *userdata);

PLUGIN_EXPORT int qemu_plugin_version = 1;

/* ---- state -------------------------------------------------------------- */

static uint64_t start_addr, stop_addr;
static bool per_insn_inline;
static char *out_path;

static uint64_t total;      /* instructions executed so far */
static uint64_t window_base; /* value of total when the open window began */
static uint64_t counted;    /* instructions in completed windows */
static uint64_t windows;    /* completed windows */
static bool counting;
static bool installed;
static bool reported;

/* userdata of the per-instruction callback in marker blocks */
#define MARK_START ((uintptr_t)1)
#define MARK_STOP ((uintptr_t)2)

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

static void report(void)
{
    char line[256];
    int len;
    FILE *f = stderr;

    if (!installed || reported) {
        return;
    }
    reported = true;
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

PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                      const struct plugin_info *info,
                                      int argc, char **argv)
{
    bool have_start = false, have_stop = false;
    (void)info;

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
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
        } else if (!strncmp(a, "out=", 4) && a[4]) {
            out_path = strdup(a + 4);
        } else if (!strcmp(a, "mode=tb")) {
            per_insn_inline = false;
        } else if (!strcmp(a, "mode=insn")) {
            per_insn_inline = true;
        } else {
            fprintf(stderr, "insn-count: unknown argument '%s' (expected "
                            "start=ADDR, stop=ADDR, out=PATH, mode=tb|insn)\n",
                    a);
            return -1;
        }
    }
    if (!have_start || !have_stop) {
        fprintf(stderr, "insn-count: start=ADDR and stop=ADDR are required\n");
        return -1;
    }
    if (out_path) {
        /* fail early on an unwritable path; the count is written at exit */
        FILE *f = fopen(out_path, "w");
        if (!f) {
            fprintf(stderr, "insn-count: cannot write %s\n", out_path);
            return -1;
        }
        fclose(f);
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    installed = true;
    return 0;
}
