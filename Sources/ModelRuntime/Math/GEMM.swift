import COpenBLAS

/// Matrix multiplication. Products of any size go to OpenBLAS (`cblas_sgemm`/`cblas_dgemm`, one thread per
/// call so concurrent sessions do not fight over cores); tiny ones use a plain loop to skip BLAS call overhead.
enum GEMM {
    /// Below this many multiply-adds a simple loop beats the BLAS call.
    static let blasThreshold = 4096

    /// OpenBLAS runs each call on the calling thread; parallelism comes from concurrent requests.
    private static let configured: Bool = {
        openblas_set_num_threads(1)
        return true
    }()

    /// `c[m x n] += alpha * a[m x k] * b[k x n]`, all row-major and contiguous.
    static func multiplyAdd(
        m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>
    ) {
        guard m > 0, n > 0, k > 0 else { return }
        if n == 1 && m * k >= blasThreshold && m <= Int(Int32.max) && k <= Int(Int32.max) {
            // Matrix-vector product (single-output heads, regressors).
            _ = configured
            cblas_sgemv(CblasRowMajor, CblasNoTrans, blasint(m), blasint(k), alpha, a, blasint(k), b, 1, 1, c, 1)
            return
        }
        if m * n * k < blasThreshold || m > Int(Int32.max) || n > Int(Int32.max) || k > Int(Int32.max) {
            for i in 0..<m {
                let crow = c + i * n
                for p in 0..<k {
                    let x = alpha * a[i * k + p]
                    let brow = b + p * n
                    for j in 0..<n { crow[j] += x * brow[j] }
                }
            }
            return
        }
        _ = configured
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(m), blasint(n), blasint(k), alpha, a, blasint(k), b,
            blasint(n), 1, c, blasint(n))
    }

    /// `c = a · b` (or `a · bᵀ`) of row-major matrices with row strides, so attention reads its heads in place: `a`
    /// is m x k with rows `lda` apart, `b` k x n (n x k when transposed) with rows `ldb` apart, `c` m x n with rows
    /// `ldc` apart. Every dimension fits Int32 (the caller's tensors do).
    static func product(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        _ = configured
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans, blasint(m), blasint(n), blasint(k), 1, a,
            blasint(lda), b, blasint(ldb), 0, c, blasint(ldc))
    }

    /// Double-precision `c += alpha * a * b` (row-major).
    static func multiplyAdd(
        m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, b: UnsafePointer<Double>, c: UnsafeMutablePointer<Double>
    ) {
        guard m > 0, n > 0, k > 0 else { return }
        if m * n * k < blasThreshold || m > Int(Int32.max) || n > Int(Int32.max) || k > Int(Int32.max) {
            for i in 0..<m {
                for p in 0..<k {
                    let x = alpha * a[i * k + p]
                    let brow = b + p * n
                    let crow = c + i * n
                    for j in 0..<n { crow[j] += x * brow[j] }
                }
            }
            return
        }
        _ = configured
        cblas_dgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(m), blasint(n), blasint(k), alpha, a, blasint(k), b,
            blasint(n), 1, c, blasint(n))
    }
}
