import CModelKernels
import Foundation
import ModelRuntime
import Testing

/// CModelKernels' vectorised exp, sigmoid and tanh against the C library, over their whole useful range.
@Suite("Vectorised exp, sigmoid and tanh")
struct VectorMathTests {
    static let specials: [Float] = [
        0, -0.0, .nan, .infinity, -.infinity, 88.72283, 88.72284, 89, -103.97, -103.98, -87.5, 1e-30, -1e-30,
        .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
    ]

    /// Distance in units in the last place between two finite floats of the same sign.
    static func ulps(_ a: Float, _ b: Float) -> Int {
        abs(Int(Int32(bitPattern: a.bitPattern)) - Int(Int32(bitPattern: b.bitPattern)))
    }

    static func sweep(_ from: Float, _ to: Float, count: Int) -> [Float] {
        (0..<count).map { from + (to - from) * Float($0) / Float(count - 1) } + specials
    }

    /// Every path this CPU runs: libm (0) and the AVX2/FMA kernels (1), whatever the default here is.
    static let levels = Array(0...min(KernelPaths.detected, 1))

    @Test("exp is within 2 ulp of expf, including subnormal results, overflow, underflow and NaN", arguments: levels)
    func exponential(level: Int) {
        let xs = Self.sweep(-104, 89, count: 400_003)
        var ys = xs
        mk_exp_f32_at(&ys, ys.count, Int32(level))
        var worst = 0
        for (x, y) in zip(xs, ys) {
            let want = Foundation.exp(x)
            if want.isNaN {
                #expect(y.isNaN, "exp(\(x))")
            } else if want.isInfinite || want == 0 {
                #expect(y == want, "exp(\(x)) = \(y), libm \(want)")
            } else {
                worst = max(worst, Self.ulps(y, want))
            }
        }
        #expect(worst <= 2, "worst distance from expf: \(worst) ulp")
    }

    @Test("tanh and sigmoid stay within 1e-6 relative (and 1e-7 absolute near zero) of libm", arguments: levels)
    func tanhAndSigmoid(level: Int) {
        let xs = Self.sweep(-20, 20, count: 200_003) + Self.sweep(-0.5, 0.5, count: 100_001)
        var tanhs = xs
        mk_tanh_f32_at(&tanhs, tanhs.count, Int32(level))
        var sigmoids = xs
        mk_sigmoid_f32_at(&sigmoids, sigmoids.count, Int32(level))
        var worstTanh: Double = 0
        var worstSigmoid: Double = 0
        for (i, x) in xs.enumerated() {
            let t = Double(x).isNaN ? Double.nan : Foundation.tanh(Double(x))
            let s = 1 / (1 + Foundation.exp(-Double(x)))
            if t.isNaN {
                #expect(tanhs[i].isNaN && sigmoids[i].isNaN, "\(x)")
                continue
            }
            worstTanh = max(worstTanh, abs(Double(tanhs[i]) - t) / max(abs(t), 0.1))
            worstSigmoid = max(worstSigmoid, abs(Double(sigmoids[i]) - s) / max(s, 1e-30))
            #expect(tanhs[i].sign == x.sign || tanhs[i] == 0, "tanh(\(x)) = \(tanhs[i])")
        }
        #expect(worstTanh < 1e-6, "tanh: worst error \(worstTanh)")
        #expect(worstSigmoid < 1e-6, "sigmoid: worst relative error \(worstSigmoid)")
    }

    @Test("a value's result does not depend on its place in the buffer (the tail is computed the same way)", arguments: levels)
    func tailMatchesTheVectorBody(level: Int) {
        for value: Float in [0.3, -2.5, 40, -90] {
            for function in [mk_exp_f32_at, mk_sigmoid_f32_at, mk_tanh_f32_at] {
                var xs = [Float](repeating: value, count: 13)
                function(&xs, xs.count, Int32(level))
                #expect(Set(xs.map(\.bitPattern)).count == 1, "\(value): \(xs)")
            }
        }
    }

    @Test("erf is within 1.5e-7 (2.5 ulp at 1) of erf in double precision, and GELU follows it; NaN and infinities kept", arguments: levels)
    func errorFunctionAndGELU(level: Int) {
        let xs = Self.sweep(-6, 6, count: 300_001) + Self.sweep(-1.1, 1.1, count: 100_001)
        var erfs = xs
        mk_erf_f32_at(&erfs, erfs.count, Int32(level))
        var gelus = xs
        mk_gelu_f32_at(&gelus, gelus.count, Int32(level))
        var worstErf = 0.0
        var worstGelu = 0.0
        for (i, x) in xs.enumerated() {
            let want = Foundation.erf(Double(x))
            if x.isNaN {
                #expect(erfs[i].isNaN && gelus[i].isNaN)
                continue
            }
            worstErf = max(worstErf, abs(Double(erfs[i]) - want))
            guard x.isFinite, abs(x) < 1e30 else { continue }
            let gelu = 0.5 * Double(x) * (1 + Foundation.erf(Double(x) / 2.0.squareRoot()))
            worstGelu = max(worstGelu, abs(Double(gelus[i]) - gelu) / max(1, abs(gelu)))
        }
        #expect(worstErf <= 1.5e-7, "worst erf error \(worstErf)")
        #expect(worstGelu <= 2.5e-7, "worst relative GELU error \(worstGelu)")
        var ends: [Float] = [.infinity, -.infinity]
        mk_erf_f32_at(&ends, 2, Int32(level))
        #expect(ends == [1, -1])
    }
}
