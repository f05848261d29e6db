/* Self-check firmware for the histogram plugin and estimate-cycles.sh (see selfcheck.sh).
 *
 * Every instruction executed inside a counting window carries a hand-written annotation
 *   @ n=EXECUTIONS c=ESTIMATED_CYCLES PHASE
 * with the cycles from the table in estimate-cycles.sh, counted by hand (c is the total over all
 * executions; PHASE is f, b or u). selfcheck.sh sums the annotations per phase and compares them
 * with what count.sh and estimate-cycles.sh report. Instructions outside the windows carry none.
 * Cortex-M4F, netduinoplus2 (flash at 0x08000000, SRAM at 0x20000000). */
    .syntax unified
    .cpu cortex-m4
    .fpu fpv4-sp-d16
    .thumb

    .text
    .word 0x20010000                @ initial SP
    .word reset                     @ reset vector (Thumb bit set by .thumb_func)

    .macro marker name
    .global \name
    .type \name, %function
    .thumb_func
\name:
    .endm

    marker ad_bench_start
    bx lr                           @ n=2 c=6 f      (taken)
    marker ad_bench_stop
    bx lr
    marker ad_bench_phase_forward
    bx lr
    marker ad_bench_phase_backward
    bx lr                           @ n=1 c=3 b
    marker ad_bench_phase_update
    bx lr                           @ n=1 c=3 u

    .global reset
    .type reset, %function
    .thumb_func
reset:
    ldr r0, =0xE000ED88             @ CPACR: enable CP10/CP11 (the FPU)
    ldr r1, [r0]
    orr r1, r1, #(0xF << 20)
    str r1, [r0]
    dsb
    isb
    ldr r1, =0x20000100             @ scratch words in SRAM (zero at reset)

    /* ---- window 1 ---- */
    bl ad_bench_start
    movs r0, #4                     @ n=1 c=1 f
    ldr r2, [r1]                    @ n=1 c=2 f      (after an ALU instruction)
    ldr r3, [r1, #4]                @ n=1 c=1 f      (directly after a load)
    str r3, [r1, #8]                @ n=1 c=1 f
    ldrd r2, r3, [r1]               @ n=1 c=3 f
    str r2, [r1, #12]               @ n=1 c=2 f      (LDRD is not a single load/store)
loop:
    ldr r2, [r1]                    @ n=4 c=7 f      (1 after the STR, then 3 x 2 after the taken BNE)
    adds r2, r2, r3                 @ n=4 c=4 f
    mul r3, r2, r3                  @ n=4 c=4 f
    subs r0, #1                     @ n=4 c=4 f
    bne loop                        @ n=4 c=10 f     (3 taken x 3 + 1 not taken)
    movs r0, #3                     @ n=1 c=1 f
    sdiv r3, r2, r0                 @ n=1 c=7 f
    udiv r3, r2, r0                 @ n=1 c=7 f
    cmp r0, #3                      @ n=1 c=1 f
    ite eq                          @ n=1 c=1 f
    moveq r2, #1                    @ n=1 c=1 f
    movne r2, #2                    @ n=1 c=1 f      (condition fails: still 1)
    cmp r0, #2                      @ n=1 c=1 f
    beq 1f                          @ n=1 c=1 f      (not taken)
    cmp r0, #3                      @ n=1 c=1 f
    beq 2f                          @ n=1 c=3 f      (taken)
1:  nop
2:  cbz r0, 1f                      @ n=1 c=1 f      (not taken)
    cbnz r0, 3f                     @ n=1 c=3 f      (taken)
1:  nop
3:  bl ad_bench_phase_backward      @ n=1 c=3 f      (the call belongs to the phase before)
    push {r4, r5, lr}               @ n=1 c=4 b
    vldr s0, [r1]                   @ n=1 c=2 b      (PUSH is not a single load/store)
    vldr s1, [r1, #4]               @ n=1 c=1 b
    vmla.f32 s2, s0, s1             @ n=1 c=3 b
    vfma.f32 s2, s0, s1             @ n=1 c=3 b
    vadd.f32 s3, s2, s1             @ n=1 c=1 b
    vmul.f32 s3, s3, s3             @ n=1 c=1 b
    vdiv.f32 s4, s3, s1             @ n=1 c=14 b
    vsqrt.f32 s5, s3                @ n=1 c=14 b
    vmov r2, r3, d0                 @ n=1 c=2 b
    vmov s6, r2                     @ n=1 c=1 b
    vpush {s16-s17}                 @ n=1 c=3 b
    vpop {s16-s17}                  @ n=1 c=3 b
    vpush {d8}                      @ n=1 c=3 b      (a D register is 2 words)
    vpop {d8}                       @ n=1 c=3 b
    pop {r4, r5, lr}                @ n=1 c=4 b
    movs r2, #1                     @ n=1 c=1 b
    tbb [pc, r2]                    @ n=1 c=6 b
4:  .byte (5f - 4b) / 2
    .byte (6f - 4b) / 2
5:  nop
6:  bl func                         @ n=1 c=3 b
    bl ad_bench_phase_update        @ n=1 c=3 b
    str r2, [r1]                    @ n=1 c=2 u      (after a branch)
    ldr r2, [r1, #4]                @ n=1 c=1 u
    adr r3, 7f                      @ n=1 c=1 u
    adds r3, #1                     @ n=1 c=1 u
    str r3, [r1, #16]               @ n=1 c=2 u
    ldr pc, [r1, #16]               @ n=1 c=3 u      (1 after the STR, +2 as a taken branch)
    nop
    .p2align 2
7:  nop                             @ n=1 c=1 u
    bl ad_bench_stop                @ n=1 c=3 u

    /* ---- window 2: starts in forward again ---- */
    bl ad_bench_phase_backward      @ outside any window: ignored
    bl ad_bench_start
    movs r0, #1                     @ n=1 c=1 f
    bl ad_bench_stop                @ n=1 c=3 f

    movs r0, #0x18                  @ semihosting SYS_EXIT, ADP_Stopped_ApplicationExit
    ldr r1, =0x20026
    bkpt 0xab
    b .

    .type func, %function
    .thumb_func
func:
    push {r4, lr}                   @ n=1 c=3 b
    ldr r4, [r1]                    @ n=1 c=2 b
    pop {r4, pc}                    @ n=1 c=5 b      (1 + 2 words + 2 as a taken branch)
    .ltorg
