// Hand-written SIMD kernels for ModelRuntime's hottest loops. Each has a portable entry point; the AVX2/FMA
// code paths are chosen at run time, so the binary still runs on any x86-64 (and builds on other CPUs).
#ifndef CMODELKERNELS_H
#define CMODELKERNELS_H

#include <stddef.h>

/// The vector extensions this CPU runs: 0 none (portable code), 1 AVX2/FMA, 2 AVX-512F/VL too.
int mk_vector_level_detected(void);

/// 1 when this CPU runs the AVX2/FMA kernels; callers use their portable path otherwise.
int mk_sgemm_available(void);

/// Number of floats `mk_sgemm_pack_b` writes for a k x n right-hand matrix.
size_t mk_sgemm_packed_count(int k, int n);

/// Packs B (k x n, row stride `ldb`; when `transposed`, B is given as its n x k transpose) into 16-column
/// panels, zero-padded, as `mk_sgemm_packed` reads it. Done once per constant weight matrix.
void mk_sgemm_pack_b(int k, int n, const float *b, int ldb, int transposed, float *packed);

/// C (m x n, row stride `ldc`) = A (m x k, row stride `lda`) * packed B, then `+ bias[j]` when `bias` is not
/// NULL, then the activation `relu`: 0 none, 1 max(0, .), 2 the exact GELU. Needs `mk_sgemm_available()`.
void mk_sgemm_packed(
    int m, int n, int k, const float *a, int lda, const float *packed, const float *bias, float *c, int ldc,
    int relu);

/// `mk_sgemm_packed` with the tile chosen for `level` (1: 6x16 AVX2, 2: 6x32 AVX-512), capped at what the CPU runs,
/// so tests exercise every path the CPU supports.
void mk_sgemm_packed_at(
    int m, int n, int k, const float *a, int lda, const float *packed, const float *bias, float *c, int ldc,
    int relu, int level);

/// exp, the logistic sigmoid and tanh of each of `n` floats, in place: AVX2/FMA where the CPU has it (within 2 ulp
/// of libm's expf), libm otherwise (see vmath.c).
void mk_exp_f32(float *x, size_t n);
void mk_sigmoid_f32(float *x, size_t n);
void mk_tanh_f32(float *x, size_t n);
/// The same at a chosen `level` (0: libm, 1 or more: AVX2/FMA), capped at what the CPU runs.
void mk_exp_f32_at(float *x, size_t n, int level);
void mk_sigmoid_f32_at(float *x, size_t n, int level);
void mk_tanh_f32_at(float *x, size_t n, int level);
/// erf (within 1.4e-7) and the exact GELU, 0.5 x (1 + erf(x / sqrt 2)), of each of `n` floats, in place, at `level`
/// (0: libm's erff).
void mk_erf_f32_at(float *x, size_t n, int level);
void mk_gelu_f32_at(float *x, size_t n, int level);
/// Softmax over each of `rows` rows of `width` floats, in place, after dividing by `divisor` (1: not) and adding
/// row `(r / rows_per_mask) % mask_rows` of `mask` (`NULL`: none), as an attention block's scale and padding mask.
void mk_softmax_rows_f32_at(
    float *x, size_t rows, size_t width, float divisor, const float *mask, size_t mask_rows, size_t rows_per_mask,
    int level);
/// LayerNormalization over each of `rows` rows of `width` floats, in place, after adding the same-shaped
/// `residual` (`NULL`: none); `bias` may be `NULL`. Mean and variance in float.
void mk_layernorm_f32_at(
    float *x, const float *residual, size_t rows, size_t width, const float *scale, const float *bias, float eps,
    int level);

/// `base + (x <= threshold ? 0 : 1)`, NaN failing: one step of a branch-free tree walk. In assembly, because
/// LLVM's x86 back end turns the compare-and-add into a jump in some lanes of an unrolled walk, and that jump
/// mispredicts on about half the steps once rows differ (measured: 4x slower on LightGBM at batch 1,000).
static inline int mk_tree_step(float x, float threshold, int base) {
#if defined(__x86_64__)
    __asm__("ucomiss %[x], %[t]\n\tadc $0, %[base]" : [base] "+r"(base) : [t] "x"(threshold), [x] "x"(x) : "cc");
    return base;
#else
    return base + !(x <= threshold);
#endif
}

#endif
