// Which vector extensions this CPU runs, checked once per process (private to CModelKernels).
#ifndef CMODELKERNELS_CPU_FEATURES_H
#define CMODELKERNELS_CPU_FEATURES_H

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
// 1 for AVX2 with FMA (the 256-bit kernels), 2 when AVX-512F/VL too (the 512-bit GEMM tile), else 0. A benign
// race on first use: every thread computes the same value.
static inline int mk_vector_level(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        int avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
        cached = avx512 ? 2 : avx2;
    }
    return cached;
}
#else
static inline int mk_vector_level(void) { return 0; }
#endif

#endif
