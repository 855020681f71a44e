import ModelRuntime

/// What a stage accepts in its input, as scikit-learn validates it for that estimator and version.
struct InputRule: Sendable {
    /// NaN (a missing value) is accepted.
    var nan: Bool
    /// ±infinity is accepted.
    var infinity: Bool
    /// Inputs are cast to float32 first (trees), so a finite double beyond float32's range is an infinity.
    var float32: Bool

    static let finite = InputRule(nan: false, infinity: false, float32: false)
    static let allowNaN = InputRule(nan: true, infinity: false, float32: false)
}

/// A transforming step (a scaler, an imputer): `rows × inputWidth` doubles in, `rows × outputWidth` out.
protocol TransformStage: Sendable, Summarized {
    var name: String { get }
    var inputWidth: Int { get }
    var outputWidth: Int { get }
    var rule: InputRule { get }
    func transform(_ x: [Double], rows: Int) -> [Double]
}

/// The final estimator: its outputs, computed from `rows × inputWidth` doubles.
protocol PredictStage: Sendable, Summarized {
    var name: String { get }
    var inputWidth: Int { get }
    var rule: InputRule { get }
    var classes: ModelSignature.ClassLabels? { get }
    /// Declared outputs, in order (`label`, `probabilities`, `decision_function`, `score_samples`, `prediction`,
    /// `transform`).
    var outputs: [ModelSignature.Value] { get }
    func predict(_ x: [Double], rows: Int) throws -> [String: Tensor]
}

/// One line on what a step holds, for `modelyard inspect` (`RandomForestClassifier: 100 trees, 3,214 nodes`).
protocol Summarized {
    var summary: String { get }
}

extension Summarized where Self: TransformStage {
    var summary: String { "\(name): \(inputWidth) → \(outputWidth) features" }
}

extension TreeTable {
    var nodeCount: Int { nodes.count }
}

enum Outputs {
    static func value(_ name: String, _ type: ElementType, width: Int?) -> ModelSignature.Value {
        ModelSignature.Value(
            name: name, elementType: type, shape: width.map { [.symbolic("N"), .fixed($0)] } ?? [.symbolic("N")])
    }

    static func tensor(_ values: [Double], rows: Int, width: Int?) throws -> Tensor {
        try Tensor(shape: width.map { [rows, $0] } ?? [rows], doubles: values)
    }

    /// The label per row from each row's chosen class index.
    static func labels(_ indices: [Int], classes: ModelSignature.ClassLabels) throws -> Tensor {
        switch classes {
        case .int64s(let labels): try Tensor(shape: [indices.count], int64s: indices.map { labels[$0] })
        case .strings(let labels): try Tensor(shape: [indices.count], strings: indices.map { labels[$0] })
        }
    }

    static func labelValue(_ classes: ModelSignature.ClassLabels) -> ModelSignature.Value {
        if case .strings = classes { value("label", .string, width: nil) } else { value("label", .int64, width: nil) }
    }

    /// Index of the largest value of each row (the first on ties, as numpy's argmax).
    static func argmax(_ values: [Double], rows: Int, width: Int) -> [Int] {
        (0..<rows).map { r in
            var best = 0
            for c in 1..<max(width, 1) where values[r * width + c] > values[r * width + best] { best = c }
            return best
        }
    }
}

extension ModelSignature.ClassLabels {
    /// `classes_` as scikit-learn stores it: integers, strings (numpy `U`/`S` or Python objects), or integral floats.
    init(_ array: NumpyArray, owner: String) throws(StateError) {
        switch array.values {
        case .ints(let v): self = .int64s(v)
        case .strings(let v): self = .strings(v)
        case .doubles(let v):
            let ints = v.compactMap { Int64(exactly: $0) }
            guard ints.count == v.count else { throw StateError("\(owner).classes_ holds non-integral numbers, which cannot be labels here") }
            self = .int64s(ints)
        case .objects(let nodes):
            var labels: [String] = []
            for node in nodes {
                if let s = node.string { labels.append(s) } else if let n = node.int { labels.append(String(n)) } else {
                    throw StateError("\(owner).classes_ holds a \(node.kindName), which cannot be a label here")
                }
            }
            self = .strings(labels)
        case .records: throw StateError("\(owner).classes_ is a record array")
        }
        guard count >= 1 else { throw StateError("\(owner).classes_ is empty") }
    }
}
