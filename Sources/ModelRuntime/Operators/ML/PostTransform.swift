import Foundation

/// The `post_transform` of the ai.onnx.ml classifiers and regressors, computed the way onnxruntime does.
enum PostTransform: String, Sendable {
    case none = "NONE"
    case logistic = "LOGISTIC"
    case softmax = "SOFTMAX"
    case softmaxZero = "SOFTMAX_ZERO"
    case probit = "PROBIT"

    init(attribute value: String, _ ctx: NodeContext) throws {
        guard let t = PostTransform(rawValue: value) else { throw ctx.unsupported("post_transform", value) }
        self = t
    }

    /// TreeEnsemble (ml opset 5) encodes the transform as an integer.
    init(code: Int, _ ctx: NodeContext) throws {
        let all: [PostTransform] = [.none, .softmax, .logistic, .softmaxZero, .probit]
        guard code >= 0, code < all.count else { throw ctx.unsupported("post_transform", "\(code)") }
        self = all[code]
    }

    static func logistic(_ v: Float) -> Float {
        let e = 1 / (1 + Foundation.exp(-Swift.abs(v)))
        return v < 0 ? 1 - e : e
    }

    static func probit(_ v: Float) -> Float {
        // onnxruntime's ErfInv approximation, kept for identical results.
        var x = 2 * v - 1
        let sgn: Float = x < 0 ? -1 : 1
        x = (1 - x) * (1 + x)
        let l = Foundation.log(x)
        let a = 2 / (Float(3.14159) * 0.147) + 0.5 * l
        let b = 1 / Float(0.147) * l
        return Float(1.41421356) * sgn * (-a + (a * a - b).squareRoot()).squareRoot()
    }

    /// Applies the transform to one row of scores (two or more classes).
    func apply(_ row: UnsafeMutableBufferPointer<Float>) {
        switch self {
        case .none: return
        case .logistic: for i in row.indices { row[i] = Self.logistic(row[i]) }
        case .probit: for i in row.indices { row[i] = Self.probit(row[i]) }
        case .softmax:
            var m = -Float.greatestFiniteMagnitude
            for v in row where v > m { m = v }
            var sum: Float = 0
            for i in row.indices {
                row[i] = Foundation.exp(row[i] - m)
                sum += row[i]
            }
            for i in row.indices { row[i] /= sum }
        case .softmaxZero:
            var m = -Float.greatestFiniteMagnitude
            for v in row where v > m { m = v }
            let expNegMax = Foundation.exp(-m)
            var sum: Float = 0
            for i in row.indices {
                if row[i] > 0.0000001 || row[i] < -0.0000001 {
                    row[i] = Foundation.exp(row[i] - m)
                    sum += row[i]
                } else {
                    row[i] *= expNegMax
                }
            }
            for i in row.indices { row[i] /= sum }
        }
    }
}

/// Integer or string class labels of an ML classifier.
enum ClassLabelSet: Sendable {
    case ints([Int64])
    case strings([String])

    var count: Int {
        switch self {
        case .ints(let v): v.count
        case .strings(let v): v.count
        }
    }

    var elementType: ElementType {
        switch self {
        case .ints: .int64
        case .strings: .string
        }
    }

    /// Reads `<prefix>_int64s`/`<prefix>_ints` or `<prefix>_strings`.
    static func read(_ ctx: inout NodeContext, intName: String, stringName: String) throws -> ClassLabelSet? {
        let ints = try ctx.attributes.int64s(intName)
        let strings = try ctx.attributes.strings(stringName)
        if let ints, !ints.isEmpty { return .ints(ints) }
        if let strings, !strings.isEmpty { return .strings(strings) }
        return nil
    }

    /// A label tensor from chosen class indices.
    func tensor(_ picks: [Int], shape: [Int]) -> Tensor {
        switch self {
        case .ints(let v): Tensor(unchecked: shape, .int64(picks.map { v[$0] }))
        case .strings(let v): Tensor(unchecked: shape, .string(picks.map { v[$0] }))
        }
    }
}

/// Reads an ML operator's input as row-major float rows `[N, F]` (1-D input is one row).
enum MLInput {
    static func floatRows(_ x: Tensor, _ label: String) throws -> (rows: Int, features: Int, values: [Float]) {
        let values: [Float]
        switch x.storage {
        case .float32(let v): values = v
        case .float64(let v): values = v.map { Float($0) }
        case .int64(let v): values = v.map { Float($0) }
        case .int32(let v): values = v.map { Float($0) }
        default: throw ModelRuntimeError.invalidInput("\(label): input must be numeric")
        }
        switch x.rank {
        case 0: return (1, 1, values)
        case 1: return (1, x.shape[0], values)
        default:
            let n = x.shape[0]
            return (n, n == 0 ? 0 : x.count / n, values)
        }
    }

    static let numericTypes: Set<ElementType> = [.float32, .float64, .int64, .int32]
}
