// Vectorised exp, sigmoid, tanh, erf and GELU over float32 buffers, in place.
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

// e^x = 2^n e^r: n = round(x / ln 2) (returned), r = x - n ln 2 in two steps, e^r by its Taylor polynomial.
INLINE TARGET __m256 exp8_reduced(__m256 x, __m256 *n_out) {
    __m256 n = _mm256_round_ps(
        _mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.0f / 5040);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    *n_out = n;
    return p;
}

INLINE TARGET __m256 exp8(__m256 x) {
    const __m256 upper = _mm256_set1_ps(88.72283935546875f);  // ln(FLT_MAX), rounded down
    const __m256 lower = _mm256_set1_ps(-103.97208404541015625f);  // below: rounds to 0
    __m256 nan = _mm256_cmp_ps(x, x, _CMP_UNORD_Q);
    __m256 over = _mm256_cmp_ps(x, upper, _CMP_GT_OQ);
    __m256 under = _mm256_cmp_ps(x, lower, _CMP_LT_OQ);
    __m256 xc = _mm256_min_ps(_mm256_max_ps(x, lower), upper);
    __m256 n;
    __m256 p = exp8_reduced(xc, &n);
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

// e^x for x in [-16, 0] (no NaN): exp8's reduction and polynomial without its range handling.
INLINE TARGET __m256 exp8_negative(__m256 x) {
    __m256 n;
    __m256 p = exp8_reduced(x, &n);
    __m256i scale = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(scale));
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

// erf(x): below |x| = 1, x P(x^2) (degree 6); above, sign(x) (1 - e^(-x^2) Q(1/|x|)) with Q (degree 8) fitting
// erfcx on [1, 4] (past 4, e^(-x^2) < 1.2e-7 and the result rounds to +-1). Coefficients fitted here by least squares
// on Chebyshev nodes: within 1.4e-7 of erf everywhere, 2 ulp near 1 (VectorMathTests).
INLINE TARGET __m256 erf8(__m256 x) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 a = _mm256_andnot_ps(sign, x);
    __m256 x2 = _mm256_mul_ps(x, x);
    __m256 p = _mm256_set1_ps(7.933493907e-05f);
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-8.034846396e-04f));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(5.191218574e-03f));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-2.685539983e-02f));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(1.128362566e-01f));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-3.761262894e-01f));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(1.128379226e+00f));
    __m256 small = _mm256_mul_ps(p, x);
    // 1 / clamp(|x|, 1, 4): the reciprocal estimate and one Newton step (within 1 ulp) cost less than a division.
    __m256 d = _mm256_max_ps(_mm256_min_ps(a, _mm256_set1_ps(4.0f)), _mm256_set1_ps(1.0f));
    __m256 t = _mm256_rcp_ps(d);
    t = _mm256_mul_ps(t, _mm256_fnmadd_ps(d, t, _mm256_set1_ps(2.0f)));
    __m256 q = _mm256_set1_ps(-8.870569989e-03f);
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(2.566277049e-02f));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(2.990831248e-02f));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(-2.492048144e-01f));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(5.021969676e-01f));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(-4.739520252e-01f));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(4.260820895e-02f));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(5.589597225e-01f));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(2.749467676e-04f));
    // Past |x| = 4 the result rounds to +-1 whatever e is, so e^(-x^2) is needed on [-16, 0] only: no overflow,
    // underflow or NaN to handle (NaN is put back below), and 2^n (n >= -24) is one exponent shift.
    __m256 e = exp8_negative(_mm256_sub_ps(_mm256_setzero_ps(), _mm256_min_ps(x2, _mm256_set1_ps(16.0f))));
    __m256 large = _mm256_fnmadd_ps(e, q, _mm256_set1_ps(1.0f));
    large = _mm256_or_ps(large, _mm256_and_ps(x, sign));
    __m256 useSmall = _mm256_cmp_ps(a, _mm256_set1_ps(1.0f), _CMP_LT_OQ);
    __m256 y = _mm256_blendv_ps(large, small, useSmall);
    // NaN in, NaN out.
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

// GELU: 0.5 x (1 + erf(x / sqrt 2)), as ONNX Gelu and BERT's exact activation define it.
INLINE TARGET __m256 gelu8(__m256 x) {
    __m256 e = erf8(_mm256_mul_ps(x, _mm256_set1_ps(0.70710678118654752f)));
    return _mm256_mul_ps(_mm256_mul_ps(x, _mm256_set1_ps(0.5f)), _mm256_add_ps(e, _mm256_set1_ps(1.0f)));
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
APPLY(erf_avx2, erf8)
APPLY(gelu_avx2, gelu8)

INLINE TARGET float hsum8(__m256 v) {
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
    return _mm_cvtss_f32(h);
}

// One row of `width` floats: x / divisor + mask (when given), then softmax. The tail (width not a multiple of 8)
// goes through a padded copy, so every value takes the vector path.
static TARGET void softmax_row_avx2(float *x, size_t width, float divisor, const float *mask) {
    size_t full = width & ~(size_t)7;
    float tail[8];
    size_t rest = width - full;
    __m256 d = _mm256_set1_ps(divisor);
    __m256 m = _mm256_set1_ps(-INFINITY);
    for (size_t i = 0; i < full; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        if (divisor != 1.0f) v = _mm256_div_ps(v, d);
        if (mask) v = _mm256_add_ps(v, _mm256_loadu_ps(mask + i));
        _mm256_storeu_ps(x + i, v);
        m = _mm256_max_ps(m, v);
    }
    float mx = -INFINITY;
    {
        float lanes[8];
        _mm256_storeu_ps(lanes, m);
        for (int j = 0; j < 8; j++) mx = lanes[j] > mx ? lanes[j] : mx;
    }
    for (size_t j = 0; j < rest; j++) {
        float v = x[full + j];
        if (divisor != 1.0f) v = v / divisor;
        if (mask) v = v + mask[full + j];
        tail[j] = v;
        mx = v > mx ? v : mx;
    }
    __m256 mv = _mm256_set1_ps(mx);
    __m256 sum = _mm256_setzero_ps();
    for (size_t i = 0; i < full; i += 8) {
        __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), mv));
        _mm256_storeu_ps(x + i, e);
        sum = _mm256_add_ps(sum, e);
    }
    float total = hsum8(sum);
    if (rest) {
        for (size_t j = rest; j < 8; j++) tail[j] = mx;
        __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(tail), mv));
        _mm256_storeu_ps(tail, e);
        for (size_t j = 0; j < rest; j++) total += tail[j];
    }
    __m256 t = _mm256_set1_ps(total);
    for (size_t i = 0; i < full; i += 8) _mm256_storeu_ps(x + i, _mm256_div_ps(_mm256_loadu_ps(x + i), t));
    for (size_t j = 0; j < rest; j++) x[full + j] = tail[j] / total;
}

// LayerNormalization of one row after adding `residual` (when given): mean and variance accumulated in float
// over 8 lanes, then (x - mean) / sqrt(var + eps) * scale + bias.
static TARGET void layernorm_row_avx2(
    float *x, const float *residual, size_t width, const float *scale, const float *bias, float eps) {
    size_t full = width & ~(size_t)7;
    __m256 s = _mm256_setzero_ps();
    for (size_t i = 0; i < full; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        if (residual) {
            v = _mm256_add_ps(v, _mm256_loadu_ps(residual + i));
            _mm256_storeu_ps(x + i, v);
        }
        s = _mm256_add_ps(s, v);
    }
    float total = hsum8(s);
    for (size_t i = full; i < width; i++) {
        if (residual) x[i] = x[i] + residual[i];
        total += x[i];
    }
    float mean = total / (float)width;
    __m256 mv = _mm256_set1_ps(mean);
    __m256 q = _mm256_setzero_ps();
    for (size_t i = 0; i < full; i += 8) {
        __m256 dv = _mm256_sub_ps(_mm256_loadu_ps(x + i), mv);
        q = _mm256_fmadd_ps(dv, dv, q);
    }
    float squares = hsum8(q);
    for (size_t i = full; i < width; i++) squares += (x[i] - mean) * (x[i] - mean);
    float inv = 1.0f / sqrtf(squares / (float)width + eps);
    __m256 iv = _mm256_set1_ps(inv);
    for (size_t i = 0; i < full; i += 8) {
        __m256 y = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), mv), iv);
        y = _mm256_mul_ps(y, _mm256_loadu_ps(scale + i));
        if (bias) y = _mm256_add_ps(y, _mm256_loadu_ps(bias + i));
        _mm256_storeu_ps(x + i, y);
    }
    for (size_t i = full; i < width; i++) x[i] = (x[i] - mean) * inv * scale[i] + (bias ? bias[i] : 0.0f);
}

#else
static void softmax_row_avx2(float *x, size_t width, float divisor, const float *mask) {
    (void)x; (void)width; (void)divisor; (void)mask;
}
static void layernorm_row_avx2(
    float *x, const float *residual, size_t width, const float *scale, const float *bias, float eps) {
    (void)x; (void)residual; (void)width; (void)scale; (void)bias; (void)eps;
}
static void exp_avx2(float *x, size_t n) { (void)x; (void)n; }
static void sigmoid_avx2(float *x, size_t n) { (void)x; (void)n; }
static void tanh_avx2(float *x, size_t n) { (void)x; (void)n; }
static void erf_avx2(float *x, size_t n) { (void)x; (void)n; }
static void gelu_avx2(float *x, size_t n) { (void)x; (void)n; }
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

void mk_erf_f32_at(float *x, size_t n, int level) {
    if (capped(level) >= 1) {
        erf_avx2(x, n);
        return;
    }
    for (size_t i = 0; i < n; i++) x[i] = erff(x[i]);
}

void mk_gelu_f32_at(float *x, size_t n, int level) {
    if (capped(level) >= 1) {
        gelu_avx2(x, n);
        return;
    }
    for (size_t i = 0; i < n; i++) x[i] = 0.5f * x[i] * (1.0f + erff(x[i] * 0.70710678118654752f));
}

void mk_softmax_rows_f32_at(
    float *x, size_t rows, size_t width, float divisor, const float *mask, size_t mask_rows, size_t rows_per_mask,
    int level) {
    if (width == 0) return;
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * width;
        const float *m = mask ? mask + ((r / rows_per_mask) % mask_rows) * width : NULL;
        if (capped(level) >= 1) {
            softmax_row_avx2(row, width, divisor, m);
            continue;
        }
        float mx = -INFINITY;
        for (size_t j = 0; j < width; j++) {
            float v = row[j];
            if (divisor != 1.0f) v = v / divisor;
            if (m) v = v + m[j];
            row[j] = v;
            mx = v > mx ? v : mx;
        }
        float total = 0;
        for (size_t j = 0; j < width; j++) {
            row[j] = expf(row[j] - mx);
            total += row[j];
        }
        for (size_t j = 0; j < width; j++) row[j] /= total;
    }
}

void mk_layernorm_f32_at(
    float *x, const float *residual, size_t rows, size_t width, const float *scale, const float *bias, float eps,
    int level) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * width;
        const float *res = residual ? residual + r * width : NULL;
        if (capped(level) >= 1) {
            layernorm_row_avx2(row, res, width, scale, bias, eps);
            continue;
        }
        float total = 0;
        for (size_t j = 0; j < width; j++) {
            if (res) row[j] += res[j];
            total += row[j];
        }
        float mean = total / (float)width, squares = 0;
        for (size_t j = 0; j < width; j++) squares += (row[j] - mean) * (row[j] - mean);
        float inv = 1.0f / sqrtf(squares / (float)width + eps);
        for (size_t j = 0; j < width; j++) row[j] = (row[j] - mean) * inv * scale[j] + (bias ? bias[j] : 0.0f);
    }
}

void mk_exp_f32(float *x, size_t n) { mk_exp_f32_at(x, n, mk_vector_level()); }
void mk_sigmoid_f32(float *x, size_t n) { mk_sigmoid_f32_at(x, n, mk_vector_level()); }
void mk_tanh_f32(float *x, size_t n) { mk_tanh_f32_at(x, n, mk_vector_level()); }
