// Vectorised exp, sigmoid and tanh over float32 buffers, in place.
//
// exp(x) = 2^n * e^r with n = round(x / ln 2) and r = x - n ln 2 (ln 2 split in two so n ln 2 is exact), e^r by its
// Taylor series to r^7 (|r| <= ln 2 / 2: truncation below 1e-8 relative), and 2^n built from exponent bits in two
// halves so results down to the subnormals stay in range. Measured against glibc's expf over [-104, 89]: within
// 2 ulp; tanh within 3e-7 and sigmoid within 2e-7 relative (VectorMathTests). Outside that range the results are
// expf's own (0 below, infinity above); NaN stays NaN.
//
// Every element goes through the same vector code (the tail through a padded copy), so a value's result does not
// depend on where it sits in the buffer. Without AVX2/FMA the portable loops call libm.
#include "CModelKernels.h"
#include "cpu_features.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

#define TARGET __attribute__((target("avx2,fma")))
#define INLINE static inline __attribute__((always_inline))

INLINE TARGET __m256 exp8(__m256 x) {
    const __m256 upper = _mm256_set1_ps(88.72283935546875f);  // ln(FLT_MAX), rounded down
    const __m256 lower = _mm256_set1_ps(-103.97208404541015625f);  // below: rounds to 0
    __m256 nan = _mm256_cmp_ps(x, x, _CMP_UNORD_Q);
    __m256 over = _mm256_cmp_ps(x, upper, _CMP_GT_OQ);
    __m256 under = _mm256_cmp_ps(x, lower, _CMP_LT_OQ);
    __m256 xc = _mm256_min_ps(_mm256_max_ps(x, lower), upper);
    __m256 n = _mm256_round_ps(
        _mm256_mul_ps(xc, _mm256_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), xc);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.0f / 5040);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    // n is in [-150, 128]: 2^n as 2^(n/2) * 2^(n - n/2), both normal.
    __m256i ni = _mm256_cvtps_epi32(n);
    __m256i n1 = _mm256_srai_epi32(ni, 1);
    __m256i n2 = _mm256_sub_epi32(ni, n1);
    const __m256i bias = _mm256_set1_epi32(127);
    __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
    __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
    __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
    y = _mm256_blendv_ps(y, _mm256_set1_ps(INFINITY), over);
    y = _mm256_blendv_ps(y, _mm256_setzero_ps(), under);
    return _mm256_blendv_ps(y, x, nan);
}

INLINE TARGET __m256 sigmoid8(__m256 x) {
    __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), x));
    return _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

// tanh(|x|) = 1 - 2 / (e^(2|x|) + 1), with the sign put back; below |x| = 0.3, where that difference loses
// relative precision, the odd Taylor series to x^11 (truncation below 1e-9 relative).
INLINE TARGET __m256 tanh8(__m256 x) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 a = _mm256_andnot_ps(sign, x);
    __m256 e = exp8(_mm256_add_ps(a, a));
    __m256 large = _mm256_sub_ps(
        _mm256_set1_ps(1.0f), _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, _mm256_set1_ps(1.0f))));
    large = _mm256_or_ps(large, _mm256_and_ps(x, sign));
    __m256 x2 = _mm256_mul_ps(x, x);
    __m256 q = _mm256_set1_ps(-1382.0f / 155925);
    q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(62.0f / 2835));
    q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-17.0f / 315));
    q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(2.0f / 15));
    q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-1.0f / 3));
    __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(q, x2), x, x);
    __m256 useSmall = _mm256_cmp_ps(a, _mm256_set1_ps(0.3f), _CMP_LT_OQ);
    // NaN: `large` carries it (exp8 keeps NaN), and NaN < 0.3 is false.
    return _mm256_blendv_ps(large, small, useSmall);
}

#define APPLY(name, f8)                                                                                       \
    static TARGET void name(float *x, size_t n) {                                                             \
        size_t i = 0;                                                                                         \
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, f8(_mm256_loadu_ps(x + i)));                       \
        if (i < n) {                                                                                          \
            float tmp[8] = {0};                                                                               \
            memcpy(tmp, x + i, (n - i) * sizeof(float));                                                      \
            _mm256_storeu_ps(tmp, f8(_mm256_loadu_ps(tmp)));                                                  \
            memcpy(x + i, tmp, (n - i) * sizeof(float));                                                      \
        }                                                                                                     \
    }

APPLY(exp_avx2, exp8)
APPLY(sigmoid_avx2, sigmoid8)
APPLY(tanh_avx2, tanh8)

#else
static void exp_avx2(float *x, size_t n) { (void)x; (void)n; }
static void sigmoid_avx2(float *x, size_t n) { (void)x; (void)n; }
static void tanh_avx2(float *x, size_t n) { (void)x; (void)n; }
#endif

static int capped(int level) { return level < mk_vector_level() ? level : mk_vector_level(); }

int mk_vector_level_detected(void) { return mk_vector_level(); }

void mk_exp_f32_at(float *x, size_t n, int level) {
    if (capped(level) >= 1) {
        exp_avx2(x, n);
        return;
    }
    for (size_t i = 0; i < n; i++) x[i] = expf(x[i]);
}

void mk_sigmoid_f32_at(float *x, size_t n, int level) {
    if (capped(level) >= 1) {
        sigmoid_avx2(x, n);
        return;
    }
    for (size_t i = 0; i < n; i++) x[i] = 1.0f / (1.0f + expf(-x[i]));
}

void mk_tanh_f32_at(float *x, size_t n, int level) {
    if (capped(level) >= 1) {
        tanh_avx2(x, n);
        return;
    }
    for (size_t i = 0; i < n; i++) x[i] = tanhf(x[i]);
}

void mk_exp_f32(float *x, size_t n) { mk_exp_f32_at(x, n, mk_vector_level()); }
void mk_sigmoid_f32(float *x, size_t n) { mk_sigmoid_f32_at(x, n, mk_vector_level()); }
void mk_tanh_f32(float *x, size_t n) { mk_tanh_f32_at(x, n, mk_vector_level()); }
