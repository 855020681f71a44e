// Single-precision GEMM for dense layers: B is a constant weight matrix packed once into 16-column panels;
// a register-blocked micro-kernel (6 x 16 with 12 AVX accumulators; 12 x 32 with 24 on AVX-512) streams A's rows
// and fuses the bias add and ReLU (or GELU after a block) into the final store. Written for this project; see ModelRuntime/Math/GEMM.swift for how it is used.
#include "CModelKernels.h"
#include "cpu_features.h"

#include <stdlib.h>
#include <string.h>

enum { MR = 6, NR = 16, KC = 512, MC = 48 };

// Narrow outputs (a regression head, a few class scores) are not worth 16-wide panels: B is kept as its n
// rows of k (its transpose), and each output is an 8-wide dot product along k.
enum { NARROW = 4 };

size_t mk_sgemm_packed_count(int k, int n) {
    if (k <= 0 || n <= 0) return 0;
    if (n <= NARROW) return (size_t)k * (size_t)n;
    return (size_t)k * (size_t)((n + NR - 1) / NR) * NR;
}

void mk_sgemm_pack_b(int k, int n, const float *b, int ldb, int transposed, float *packed) {
    if (n <= NARROW) {
        for (int j = 0; j < n; j++) {
            for (int p = 0; p < k; p++) packed[(size_t)j * k + p] = transposed ? b[(size_t)j * ldb + p] : b[(size_t)p * ldb + j];
        }
        return;
    }
    int panels = (n + NR - 1) / NR;
    for (int jp = 0; jp < panels; jp++) {
        float *panel = packed + (size_t)jp * k * NR;
        for (int p = 0; p < k; p++) {
            for (int jj = 0; jj < NR; jj++) {
                int j = jp * NR + jj;
                float v = 0;
                if (j < n) v = transposed ? b[(size_t)j * ldb + p] : b[(size_t)p * ldb + j];
                panel[(size_t)p * NR + jj] = v;
            }
        }
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

int mk_sgemm_available(void) { return mk_vector_level() >= 1; }

#define TARGET __attribute__((target("avx2,fma")))
#define INLINE static inline __attribute__((always_inline))

// Stores one accumulator row: first k-block overwrites C, later ones add; the last applies bias and ReLU.
INLINE TARGET void store_row(
    float *c, __m256 lo, __m256 hi, int nc, int accumulate, int last, const float *bias, int relu) {
    float tmp[NR];
    if (nc < NR) {
        // A partial panel (n = 8 for k-means' eight centres). The first eight columns as one vector, the rest
        // one by one, not vectorised: the vectoriser turned `if (bias) ... bias[j]` into masked loads, which on
        // AMD take a microcode assist when the masked-off address is NULL (measured: 60% of a k-means run).
        int j = 0;
        if (nc >= 8) {
            __m256 v = lo;
            if (accumulate) v = _mm256_add_ps(_mm256_loadu_ps(c), v);
            if (last && bias) v = _mm256_add_ps(v, _mm256_loadu_ps(bias));
            if (last && relu) v = _mm256_max_ps(v, _mm256_setzero_ps());
            _mm256_storeu_ps(c, v);
            j = 8;
        }
        _mm256_storeu_ps(tmp, lo);
        _mm256_storeu_ps(tmp + 8, hi);
#if defined(__clang__)
#pragma clang loop vectorize(disable) interleave(disable)
#endif
        for (; j < nc; j++) {
            float v = tmp[j];
            if (accumulate) v = c[j] + v;
            if (last) {
                if (bias) v = v + bias[j];
                if (relu) v = v > 0 ? v : 0;
            }
            c[j] = v;
        }
        return;
    }
    if (accumulate) {
        lo = _mm256_add_ps(_mm256_loadu_ps(c), lo);
        hi = _mm256_add_ps(_mm256_loadu_ps(c + 8), hi);
    }
    if (last) {
        if (bias) {
            lo = _mm256_add_ps(lo, _mm256_loadu_ps(bias));
            hi = _mm256_add_ps(hi, _mm256_loadu_ps(bias + 8));
        }
        if (relu) {
            __m256 zero = _mm256_setzero_ps();
            lo = _mm256_max_ps(lo, zero);
            hi = _mm256_max_ps(hi, zero);
        }
    }
    _mm256_storeu_ps(c, lo);
    _mm256_storeu_ps(c + 8, hi);
}

// mr rows (1...6) x 16 columns over kc steps. `mr` is a literal at every call site, so the loops unroll and
// the accumulators stay in registers.
INLINE TARGET void micro_16(
    int mr, int kc, const float *a, const float *b, float *c, int ldc, int nc, int accumulate, int last,
    const float *bias, int relu) {
    __m256 lo[MR], hi[MR];
    for (int r = 0; r < MR; r++) {
        lo[r] = _mm256_setzero_ps();
        hi[r] = _mm256_setzero_ps();
    }
    for (int p = 0; p < kc; p++) {
        __m256 b0 = _mm256_loadu_ps(b + (size_t)p * NR);
        __m256 b1 = _mm256_loadu_ps(b + (size_t)p * NR + 8);
        for (int r = 0; r < MR; r++) {
            if (r < mr) {
                __m256 x = _mm256_broadcast_ss(a + (size_t)p * MR + r);
                lo[r] = _mm256_fmadd_ps(x, b0, lo[r]);
                hi[r] = _mm256_fmadd_ps(x, b1, hi[r]);
            }
        }
    }
    for (int r = 0; r < MR; r++) {
        if (r < mr) store_row(c + (size_t)r * ldc, lo[r], hi[r], nc, accumulate, last, bias, relu);
    }
}

// Same for panels with at most 8 live columns (narrow output layers): half the work.
INLINE TARGET void micro_8(
    int mr, int kc, const float *a, const float *b, float *c, int ldc, int nc, int accumulate, int last,
    const float *bias, int relu) {
    __m256 acc[MR];
    for (int r = 0; r < MR; r++) acc[r] = _mm256_setzero_ps();
    for (int p = 0; p < kc; p++) {
        __m256 b0 = _mm256_loadu_ps(b + (size_t)p * NR);
        for (int r = 0; r < MR; r++) {
            if (r < mr) acc[r] = _mm256_fmadd_ps(_mm256_broadcast_ss(a + (size_t)p * MR + r), b0, acc[r]);
        }
    }
    for (int r = 0; r < MR; r++) {
        if (r < mr) store_row(c + (size_t)r * ldc, acc[r], _mm256_setzero_ps(), nc, accumulate, last, bias, relu);
    }
}

// One output column per B row: two 8-wide accumulators along k, then a horizontal sum and the scalar tail.
INLINE TARGET void narrow(
    int m, int n, int k, const float *a, int lda, const float *bt, const float *bias, float *c, int ldc, int relu) {
    // All (at most four) columns of a row at once, so the row is read once; each output keeps its own chain of
    // sums in the same order as one column at a time would.
    for (int i = 0; i < m; i++) {
        const float *ai = a + (size_t)i * lda;
        __m256 s0[NARROW], s1[NARROW];
        for (int j = 0; j < NARROW; j++) {
            s0[j] = _mm256_setzero_ps();
            s1[j] = _mm256_setzero_ps();
        }
        int p = 0;
        for (; p + 16 <= k; p += 16) {
            __m256 x0 = _mm256_loadu_ps(ai + p), x1 = _mm256_loadu_ps(ai + p + 8);
            for (int j = 0; j < NARROW; j++) {
                if (j < n) {
                    const float *bj = bt + (size_t)j * k;
                    s0[j] = _mm256_fmadd_ps(x0, _mm256_loadu_ps(bj + p), s0[j]);
                    s1[j] = _mm256_fmadd_ps(x1, _mm256_loadu_ps(bj + p + 8), s1[j]);
                }
            }
        }
        int tail = p;
        if (p + 8 <= k) {
            __m256 x0 = _mm256_loadu_ps(ai + p);
            for (int j = 0; j < NARROW; j++) {
                if (j < n) s0[j] = _mm256_fmadd_ps(x0, _mm256_loadu_ps(bt + (size_t)j * k + p), s0[j]);
            }
            tail = p + 8;
        }
        for (int j = 0; j < n; j++) {
            const float *bj = bt + (size_t)j * k;
            __m256 s = _mm256_add_ps(s0[j], s1[j]);
            __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
            h = _mm_add_ps(h, _mm_movehl_ps(h, h));
            h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
            float v = _mm_cvtss_f32(h);
            for (int q = tail; q < k; q++) v += ai[q] * bj[q];
            if (bias) v = v + bias[j];
            if (relu) v = v > 0 ? v : 0;
            c[(size_t)i * ldc + j] = v;
        }
    }
}

// AVX-512: two adjacent 16-column panels at once in zmm registers (Zen 4 splits a zmm FMA over its two 256-bit
// units, so the peak is the AVX2 one; fewer instructions per multiply-add keep the FMA units busier).
#define TARGET512 __attribute__((target("avx512f,avx512vl,avx2,fma")))

INLINE TARGET512 void store_row_512(float *c, __m512 v, int accumulate, int last, const float *bias, int relu) {
    if (accumulate) v = _mm512_add_ps(_mm512_loadu_ps(c), v);
    if (last) {
        if (bias) v = _mm512_add_ps(v, _mm512_loadu_ps(bias));
        if (relu) v = _mm512_max_ps(v, _mm512_setzero_ps());
    }
    _mm512_storeu_ps(c, v);
}

// The 6-row AVX-512 tile (12 accumulators), for shallow products (below).
INLINE TARGET512 void micro_32(
    int mr, int kc, const float *a, const float *b0, const float *b1, float *c, int ldc, int accumulate, int last,
    const float *bias, int relu) {
    __m512 lo[MR], hi[MR];
    for (int r = 0; r < MR; r++) {
        lo[r] = _mm512_setzero_ps();
        hi[r] = _mm512_setzero_ps();
    }
    for (int p = 0; p < kc; p++) {
        __m512 x0 = _mm512_loadu_ps(b0 + (size_t)p * NR);
        __m512 x1 = _mm512_loadu_ps(b1 + (size_t)p * NR);
        for (int r = 0; r < MR; r++) {
            if (r < mr) {
                __m512 x = _mm512_set1_ps(a[(size_t)p * MR + r]);
                lo[r] = _mm512_fmadd_ps(x, x0, lo[r]);
                hi[r] = _mm512_fmadd_ps(x, x1, hi[r]);
            }
        }
    }
    for (int r = 0; r < MR; r++) {
        if (r < mr) {
            store_row_512(c + (size_t)r * ldc, lo[r], accumulate, last, bias, relu);
            store_row_512(c + (size_t)r * ldc + NR, hi[r], accumulate, last, bias ? bias + NR : NULL, relu);
        }
    }
}

// Copies `mc` rows of an A block (a k-block `kc` wide) into k-major strips `height` rows tall, the last one padded
// with zeros: the micro-kernels then read both operands sequentially, whatever A's stride and alignment (unpacked
// rows ran 40% slower). `height` is a literal at each call, so full strips copy as plain row streams (a per-element
// `r < mr` test had made packing 15% of an MLP).
INLINE void pack_strips(int mc, int kc, const float *a, int lda, float *strips, int height) {
    for (int i = 0; i < mc; i += height) {
        int mr = mc - i < height ? mc - i : height;
        float *strip = strips + (size_t)i * kc;
        const float *ai = a + (size_t)i * lda;
        if (mr == height) {
            const float *rows[16];
            for (int r = 0; r < height; r++) rows[r] = ai + (size_t)r * lda;
            for (int p = 0; p < kc; p++) {
                float *d = strip + p * height;
                for (int r = 0; r < height; r++) d[r] = rows[r][p];
            }
            continue;
        }
        for (int p = 0; p < kc; p++) {
            for (int r = 0; r < height; r++) strip[p * height + r] = r < mr ? ai[(size_t)r * lda + p] : 0.0f;
        }
    }
}

// With 32 vector registers the tile grows to 12 rows x 32 columns (24 accumulators): each pair of B loads feeds
// 24 FMAs instead of 12, which is what kept the 6-row tile at ~85% of the FMA peak. Each output is still one chain
// of FMAs over k from zero, so results stay bit-identical to the 6-row kernels.
enum { MRW = 12, MCW = 96, PREFETCH = 16, DEEP = 256 };
// The row loops must unroll fully so the 24 accumulators live in registers (clang stops at 8 by itself).
#if defined(__clang__)
#define UNROLL _Pragma("clang loop unroll(full)")
#else
#define UNROLL _Pragma("GCC unroll 12")
#endif

INLINE TARGET512 void store_masked_512(
    float *c, __m512 v, __mmask16 mask, int accumulate, int last, const float *bias, int relu) {
    if (accumulate) v = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, c), v);
    if (last) {
        if (bias) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, bias));
        if (relu) v = _mm512_max_ps(v, _mm512_setzero_ps());
    }
    _mm512_mask_storeu_ps(c, mask, v);
}

INLINE TARGET512 void micro_32x12(
    int mr, int kc, const float *a, const float *b0, const float *b1, float *c, int ldc, int accumulate, int last,
    const float *bias, int relu) {
    __m512 lo[MRW], hi[MRW];
    UNROLL for (int r = 0; r < MRW; r++) {
        lo[r] = _mm512_setzero_ps();
        hi[r] = _mm512_setzero_ps();
    }
    for (int p = 0; p < kc; p++) {
        __m512 x0 = _mm512_loadu_ps(b0 + (size_t)p * NR);
        __m512 x1 = _mm512_loadu_ps(b1 + (size_t)p * NR);
        // The weights stream from memory when few rows share them (one sentence): ask for them early.
        // Only full tiles: with few rows per tile the prefetches cost more than they hide.
        if (mr == MRW) {
            _mm_prefetch((const char *)(b0 + (size_t)(p + PREFETCH) * NR), _MM_HINT_T0);
            _mm_prefetch((const char *)(b1 + (size_t)(p + PREFETCH) * NR), _MM_HINT_T0);
        }
        UNROLL for (int r = 0; r < MRW; r++) {
            if (r < mr) {
                __m512 x = _mm512_set1_ps(a[(size_t)p * MRW + r]);
                lo[r] = _mm512_fmadd_ps(x, x0, lo[r]);
                hi[r] = _mm512_fmadd_ps(x, x1, hi[r]);
            }
        }
    }
    UNROLL for (int r = 0; r < MRW; r++) {
        if (r < mr) {
            store_row_512(c + (size_t)r * ldc, lo[r], accumulate, last, bias, relu);
            store_row_512(c + (size_t)r * ldc + NR, hi[r], accumulate, last, bias ? bias + NR : NULL, relu);
        }
    }
}

// A single panel of `nc` (1...16) live columns, stored through a mask.
INLINE TARGET512 void micro_16x12(
    int mr, int kc, const float *a, const float *b, float *c, int ldc, int nc, int accumulate, int last,
    const float *bias, int relu) {
    __m512 acc[MRW];
    UNROLL for (int r = 0; r < MRW; r++) acc[r] = _mm512_setzero_ps();
    for (int p = 0; p < kc; p++) {
        __m512 x0 = _mm512_loadu_ps(b + (size_t)p * NR);
        UNROLL for (int r = 0; r < MRW; r++) {
            if (r < mr) acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(a[(size_t)p * MRW + r]), x0, acc[r]);
        }
    }
    __mmask16 mask = (__mmask16)((1u << nc) - 1);
    UNROLL for (int r = 0; r < MRW; r++) {
        if (r < mr) store_masked_512(c + (size_t)r * ldc, acc[r], mask, accumulate, last, bias, relu);
    }
}

#define DISPATCH12(kernel, mr, ...)                                                                           \
    switch (mr) {                                                                                             \
    case 12: kernel(12, __VA_ARGS__); break;                                                                  \
    case 11: kernel(11, __VA_ARGS__); break;                                                                  \
    case 10: kernel(10, __VA_ARGS__); break;                                                                  \
    case 9: kernel(9, __VA_ARGS__); break;                                                                    \
    case 8: kernel(8, __VA_ARGS__); break;                                                                    \
    case 7: kernel(7, __VA_ARGS__); break;                                                                    \
    case 6: kernel(6, __VA_ARGS__); break;                                                                    \
    case 5: kernel(5, __VA_ARGS__); break;                                                                    \
    case 4: kernel(4, __VA_ARGS__); break;                                                                    \
    case 3: kernel(3, __VA_ARGS__); break;                                                                    \
    case 2: kernel(2, __VA_ARGS__); break;                                                                    \
    default: kernel(1, __VA_ARGS__); break;                                                                   \
    }

// The whole product on the 12-row tiles: A is packed 12 rows at a time into k-major strips; a block of MCW rows
// (96 x 512 floats, 192 KB, in L2) is run against every panel, so each B panel is read once per 96 rows.
static TARGET512 __attribute__((noinline)) void sgemm_512(
    int m, int n, int k, const float *a, int lda, const float *packed, const float *bias, float *c, int ldc,
    int relu, int act, int level) {
    int panels = (n + NR - 1) / NR;
    float *strips = aligned_alloc(64, sizeof(float) * MCW * KC);
    if (!strips) return;
    for (int p0 = 0; p0 < k; p0 += KC) {
        int kc = k - p0 < KC ? k - p0 : KC;
        int accumulate = p0 > 0;
        int last = p0 + kc == k;
        for (int i0 = 0; i0 < m; i0 += MCW) {
            int mc = m - i0 < MCW ? m - i0 : MCW;
            pack_strips(mc, kc, a + (size_t)i0 * lda + p0, lda, strips, MRW);
            for (int jp = 0; jp < panels; jp++) {
                int j0 = jp * NR;
                int nc = n - j0 < NR ? n - j0 : NR;
                const float *b = packed + (size_t)jp * k * NR + (size_t)p0 * NR;
                const float *pb = bias ? bias + j0 : NULL;
                float *cj = c + (size_t)i0 * ldc + j0;
                if (n - j0 >= 2 * NR) {
                    const float *b1 = b + (size_t)k * NR;
                    for (int i = 0; i < mc; i += MRW) {
                        int mr = mc - i < MRW ? mc - i : MRW;
                        DISPATCH12(micro_32x12, mr, kc, strips + (size_t)i * kc, b, b1, cj + (size_t)i * ldc, ldc, accumulate, last, pb, relu)
                    }
                    jp++;
                    continue;
                }
                for (int i = 0; i < mc; i += MRW) {
                    int mr = mc - i < MRW ? mc - i : MRW;
                    DISPATCH12(micro_16x12, mr, kc, strips + (size_t)i * kc, b, cj + (size_t)i * ldc, ldc, nc, accumulate, last, pb, relu)
                }
            }
            if (act == 2 && last) {
                for (int i = 0; i < mc; i++) mk_gelu_f32_at(c + (size_t)(i0 + i) * ldc, (size_t)n, level);
            }
        }
    }
    free(strips);
}

#define DISPATCH(kernel, mr, ...)                                                                             \
    switch (mr) {                                                                                             \
    case 6: kernel(6, __VA_ARGS__); break;                                                                    \
    case 5: kernel(5, __VA_ARGS__); break;                                                                    \
    case 4: kernel(4, __VA_ARGS__); break;                                                                    \
    case 3: kernel(3, __VA_ARGS__); break;                                                                    \
    case 2: kernel(2, __VA_ARGS__); break;                                                                    \
    default: kernel(1, __VA_ARGS__); break;                                                                   \
    }

// Every 6-row tile of a strip block against two full panels (a separate function: the AVX2 one cannot inline it).
static TARGET512 __attribute__((noinline)) void panel_pair_512(
    int mc, int kc, const float *strips, const float *b0, const float *b1, float *c, int ldc, int accumulate,
    int last, const float *bias, int relu) {
    for (int i = 0; i < mc; i += MR) {
        int mr = mc - i < MR ? mc - i : MR;
        const float *strip = strips + (size_t)i * kc;
        float *ci = c + (size_t)i * ldc;
        DISPATCH(micro_32, mr, kc, strip, b0, b1, ci, ldc, accumulate, last, bias, relu)
    }
}

void mk_sgemm_packed(
    int m, int n, int k, const float *a, int lda, const float *packed, const float *bias, float *c, int ldc,
    int relu) {
    mk_sgemm_packed_at(m, n, k, a, lda, packed, bias, c, ldc, relu, mk_vector_level());
}

TARGET void mk_sgemm_packed_at(
    int m, int n, int k, const float *a, int lda, const float *packed, const float *bias, float *c, int ldc,
    int relu, int level) {
    if (m <= 0 || n <= 0) return;
    // `relu` is the activation: 1 ReLU (in the store), 2 the exact GELU (over each finished block of rows, while
    // it is still in cache).
    int act = relu;
    relu = act == 1;
    int panels = (n + NR - 1) / NR;
    if (k <= 0 || n <= NARROW) {
        if (k <= 0) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float v = bias ? 0.0f + bias[j] : 0.0f;
                    c[(size_t)i * ldc + j] = (relu && v < 0) ? 0 : v;
                }
            }
        } else {
            narrow(m, n, k, a, lda, packed, bias, c, ldc, relu);
        }
        if (act == 2) for (int i = 0; i < m; i++) mk_gelu_f32_at(c + (size_t)i * ldc, (size_t)n, level);
        return;
    }
    int wide = level >= 2 && mk_vector_level() >= 2;
    // The 12-row tile pays on deep products (a transformer's 384- and 1536-step projections: +8-10%); on shallow
    // ones (an MLP's 20 and 128 inputs) it measured 12% slower than the 6-row tile, which keeps them.
    if (wide && k >= DEEP) {
        sgemm_512(m, n, k, a, lda, packed, bias, c, ldc, relu, act, level);
        return;
    }
    float *strips = aligned_alloc(64, sizeof(float) * MC * KC);
    if (!strips) return;
    for (int p0 = 0; p0 < k; p0 += KC) {
        int kc = k - p0 < KC ? k - p0 : KC;
        int accumulate = p0 > 0;
        int last = p0 + kc == k;
        for (int i0 = 0; i0 < m; i0 += MC) {
            int mc = m - i0 < MC ? m - i0 : MC;
            pack_strips(mc, kc, a + (size_t)i0 * lda + p0, lda, strips, MR);
            for (int jp = 0; jp < panels; jp++) {
                int j0 = jp * NR;
                int nc = n - j0 < NR ? n - j0 : NR;
                const float *b = packed + (size_t)jp * k * NR + (size_t)p0 * NR;
                const float *pb = bias ? bias + j0 : NULL;
                if (wide && n - j0 >= 2 * NR) {
                    panel_pair_512(
                        mc, kc, strips, b, b + (size_t)k * NR, c + (size_t)i0 * ldc + j0, ldc, accumulate, last, pb,
                        relu);
                    jp++;
                    continue;
                }
                for (int i = 0; i < mc; i += MR) {
                    int mr = mc - i < MR ? mc - i : MR;
                    const float *strip = strips + (size_t)i * kc;
                    float *ci = c + (size_t)(i0 + i) * ldc + j0;
                    if (nc <= 8) {
                        DISPATCH(micro_8, mr, kc, strip, b, ci, ldc, nc, accumulate, last, pb, relu)
                    } else {
                        DISPATCH(micro_16, mr, kc, strip, b, ci, ldc, nc, accumulate, last, pb, relu)
                    }
                }
            }
            if (act == 2 && last) {
                for (int i = 0; i < mc; i++) mk_gelu_f32_at(c + (size_t)(i0 + i) * ldc, (size_t)n, level);
            }
        }
    }
    free(strips);
}

#else

int mk_sgemm_available(void) { return 0; }

void mk_sgemm_packed(
    int m, int n, int k, const float *a, int lda, const float *packed, const float *bias, float *c, int ldc,
    int relu) {
    (void)m; (void)n; (void)k; (void)a; (void)lda; (void)packed; (void)bias; (void)c; (void)ldc; (void)relu;
}

void mk_sgemm_packed_at(
    int m, int n, int k, const float *a, int lda, const float *packed, const float *bias, float *c, int ldc,
    int relu, int level) {
    (void)level;
    mk_sgemm_packed(m, n, k, a, lda, packed, bias, c, ldc, relu);
}

#endif
