import ModelRuntime

/// Input columns by position, each numbers or strings (a DataFrame's columns, as a request carries them), or one
/// row-major matrix of numbers (an `X` input), kept as it came: a model without column-typed steps reads it as it
/// is, and only a column-typed step splits it into columns.
struct Frame {
    enum Column {
        case numbers([Double])
        case strings([String])
    }

    var rows: Int
    private var rowMajor: (values: [Double], width: Int)?
    private var stored: [Column]

    init(rows: Int, columns: [Column]) {
        self.rows = rows
        stored = columns
    }

    init(matrix: [Double], rows: Int, width: Int) {
        self.rows = rows
        rowMajor = (matrix, width)
        stored = []
    }

    /// The columns (split from the matrix when the frame holds one).
    var columns: [Column] {
        guard let (matrix, width) = rowMajor else { return stored }
        return (0..<width).map { c in .numbers((0..<rows).map { matrix[$0 * width + c] }) }
    }

    /// The frame as a row-major matrix of numbers; a string column is refused.
    func matrix(_ names: [String]) throws(ModelRuntimeError) -> [Double] {
        if let (matrix, _) = rowMajor { return matrix }
        var out = [Double](repeating: 0, count: rows * stored.count)
        for (c, column) in stored.enumerated() {
            guard case .numbers(let values) = column else {
                throw ModelRuntimeError(.invalidInput, "column '\(names[c])' holds strings where the model expects numbers")
            }
            for r in 0..<rows { out[r * stored.count + c] = values[r] }
        }
        return out
    }
}

/// A first step that takes columns of several types (strings included) and gives numbers.
protocol FrameStage: TransformStage {
    /// The input columns that hold strings.
    var stringColumns: Set<Int> { get }
    /// The categories an encoder knows, by input column (what example inputs draw from).
    var knownValues: [Int: [OneHotEncoderStage.Category]] { get }
    func transform(_ frame: Frame, names: [String]) throws(ModelRuntimeError) -> [Double]
}

/// `OneHotEncoder`: one 0/1 column per category of each feature (less a dropped one), categories numbers or strings,
/// a missing value (NaN or None) a category where it was one at fit time; an unknown value is refused, or encodes
/// as zeros with `handle_unknown="ignore"`.
struct OneHotEncoderStage: FrameStage {
    enum Category: Equatable {
        case number(Double)
        case string(String)
        case missing
    }

    let name = "OneHotEncoder"
    let inputWidth: Int
    let rule = InputRule.allowNaN
    let categories: [[Category]]
    /// Per feature, the index of the category dropped from the output.
    let dropped: [Int?]
    let ignoreUnknown: Bool
    let outputWidth: Int
    let stringColumns: Set<Int>

    init(_ state: EstimatorState) throws(StateError) {
        inputWidth = try state.featureCount()
        guard !state.bool("_infrequent_enabled", default: false) else {
            throw StateError("OneHotEncoder with infrequent categories (min_frequency / max_categories) is not supported")
        }
        guard let lists = try state.value("categories_").items, lists.count == inputWidth else {
            throw StateError("OneHotEncoder.categories_ does not hold one list per feature")
        }
        var categories: [[Category]] = []
        for node in lists {
            let array = try NumpyArray(node)
            switch array.values {
            case .doubles(let v): categories.append(v.map { $0.isNaN ? .missing : .number($0) })
            case .ints(let v): categories.append(v.map { .number(Double($0)) })
            case .strings(let v): categories.append(v.map { .string($0) })
            case .objects(let nodes):
                categories.append(try nodes.map { (node) throws(StateError) -> Category in
                    switch node.kind {
                    case .string(let s): return .string(s)
                    case .none: return .missing
                    case .float(let d) where d.isNaN: return .missing
                    case .int(let n): return .number(Double(n))
                    case .float(let d): return .number(d)
                    default: throw StateError("OneHotEncoder has a category of type \(node.kindName)")
                    }
                })
            case .records: throw StateError("OneHotEncoder.categories_ holds a record array")
            }
        }
        self.categories = categories
        var dropped = [Int?](repeating: nil, count: inputWidth)
        if state.has("drop_idx_") {
            let array = try state.array("drop_idx_")
            switch array.values {
            case .ints(let v) where v.count == inputWidth: dropped = v.map { Int($0) }
            case .objects(let nodes) where nodes.count == inputWidth: dropped = nodes.map { $0.int.map(Int.init) }
            case .doubles(let v) where v.count == inputWidth: dropped = v.map { $0.isNaN ? nil : Int($0) }
            default: throw StateError("OneHotEncoder.drop_idx_ does not hold one entry per feature")
            }
        }
        for (f, d) in dropped.enumerated() where d.map({ $0 < 0 || $0 >= categories[f].count }) ?? false {
            throw StateError("OneHotEncoder.drop_idx_[\(f)] is outside its categories")
        }
        self.dropped = dropped
        ignoreUnknown = state.string("handle_unknown") != "error"
        outputWidth = categories.enumerated().reduce(0) { $0 + $1.element.count - (dropped[$1.offset] == nil ? 0 : 1) }
        stringColumns = Set(categories.indices.filter { f in categories[f].contains { if case .string = $0 { true } else { false } } })
    }

    func transform(_ x: [Double], rows: Int) -> [Double] {
        // Only reached as a first step, which the session runs through `transform(_:names:)`.
        (try? transform(Frame(matrix: x, rows: rows, width: inputWidth), names: []))
            ?? [Double](repeating: .nan, count: rows * outputWidth)
    }

    var knownValues: [Int: [Category]] { Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($0, $1) }) }

    func transform(_ frame: Frame, names: [String]) throws(ModelRuntimeError) -> [Double] {
        var out = [Double](repeating: 0, count: frame.rows * outputWidth)
        var offset = 0
        for (f, column) in frame.columns.enumerated() {
            let known = categories[f]
            for r in 0..<frame.rows {
                let value: Category
                switch column {
                case .numbers(let v): value = v[r].isNaN ? .missing : .number(v[r])
                case .strings(let v): value = .string(v[r])
                }
                if case .number(let n) = value, n.isInfinite {
                    throw ModelRuntimeError(.invalidInput, "the input contains infinity, which OneHotEncoder does not accept")
                }
                guard let index = known.firstIndex(of: value) else {
                    if ignoreUnknown { continue }
                    let shown: String =
                        switch value {
                        case .number(let n): "\(n)"
                        case .string(let s): "'\(s)'"
                        case .missing: "a missing value"
                        }
                    let column = f < names.count ? "'\(names[f])'" : "\(f)"
                    throw ModelRuntimeError(.invalidInput, "found the unknown category \(shown) in column \(column), which the encoder refuses (handle_unknown='error')")
                }
                if let drop = dropped[f] {
                    if index == drop { continue }
                    out[r * outputWidth + offset + (index > drop ? index - 1 : index)] = 1
                } else {
                    out[r * outputWidth + offset + index] = 1
                }
            }
            offset += known.count - (dropped[f] == nil ? 0 : 1)
        }
        return out
    }
}

/// `ColumnTransformer`: each transformer applied to its columns (by index or by name), the outputs side by side in
/// the fitted order; dropped columns skipped, passed-through ones copied.
struct ColumnTransformerStage: FrameStage {
    struct Part {
        enum Kind {
            case passthrough
            case numeric([any TransformStage])
            case encoder(OneHotEncoderStage)
        }

        var columns: [Int]
        var kind: Kind
        var outputWidth: Int
    }

    let name = "ColumnTransformer"
    let inputWidth: Int
    let rule = InputRule(nan: true, infinity: true, float32: false)
    let parts: [Part]
    let outputWidth: Int
    let stringColumns: Set<Int>

    init(_ state: EstimatorState) throws(StateError) {
        inputWidth = try state.featureCount()
        var names: [String] = []
        if state.has("feature_names_in_"), case .strings(let n) = try ModelSignature.ClassLabels(try state.array("feature_names_in_"), owner: name) {
            names = n
            guard names.count == inputWidth else {
                throw StateError("ColumnTransformer.feature_names_in_ has \(names.count) names for \(inputWidth) features")
            }
        }
        guard let fitted = try state.value("transformers_").items else { throw StateError("ColumnTransformer.transformers_ is not a list") }
        var parts: [Part] = []
        var strings = Set<Int>()
        for entry in fitted {
            guard let triple = entry.items, triple.count == 3 else { throw StateError("a ColumnTransformer entry that is not (name, transformer, columns)") }
            let columns = try Self.columns(triple[2], names: names, width: inputWidth)
            if columns.isEmpty { continue }
            switch triple[1].kind {
            case .string("drop"): continue
            case .string("passthrough"): parts.append(Part(columns: columns, kind: .passthrough, outputWidth: columns.count))
            default:
                let inner = try EstimatorState(triple[1])
                switch inner.name {
                case "OneHotEncoder":
                    let encoder = try OneHotEncoderStage(inner)
                    guard encoder.inputWidth == columns.count else { throw StateError("a OneHotEncoder of \(encoder.inputWidth) features given \(columns.count) columns") }
                    strings.formUnion(encoder.stringColumns.map { columns[$0] })
                    parts.append(Part(columns: columns, kind: .encoder(encoder), outputWidth: encoder.outputWidth))
                case "FunctionTransformer":
                    guard !inner.has("func") else { throw StateError("a FunctionTransformer with a function is not supported (it would run code)") }
                    parts.append(Part(columns: columns, kind: .passthrough, outputWidth: columns.count))
                default:
                    var stages: [any TransformStage] = []
                    let steps = inner.name == "Pipeline" ? try Translation.steps(inner) : [inner]
                    for step in steps {
                        guard let stage = try Translation.transform(step) else {
                            throw StateError("\(step.name) is not supported inside a ColumnTransformer")
                        }
                        stages.append(stage)
                    }
                    var width = columns.count
                    for stage in stages {
                        guard stage.inputWidth == width else { throw StateError("\(stage.name) expects \(stage.inputWidth) features but is given \(width)") }
                        width = stage.outputWidth
                    }
                    parts.append(Part(columns: columns, kind: .numeric(stages), outputWidth: width))
                }
            }
        }
        self.parts = parts
        outputWidth = parts.reduce(0) { $0 + $1.outputWidth }
        stringColumns = strings
    }

    var knownValues: [Int: [OneHotEncoderStage.Category]] {
        var known: [Int: [OneHotEncoderStage.Category]] = [:]
        for part in parts {
            guard case .encoder(let encoder) = part.kind else { continue }
            for (index, values) in encoder.knownValues { known[part.columns[index]] = values }
        }
        return known
    }

    /// Column indices from a list of ints or names, a slice, a boolean mask or an index array.
    static func columns(_ node: PickleNode, names: [String], width: Int) throws(StateError) -> [Int] {
        func index(_ item: PickleNode) throws(StateError) -> Int {
            if let n = item.int, n >= 0, n < width { return Int(n) }
            if let n = item.int, n < 0, n >= -width { return width + Int(n) }
            if let s = item.string, let i = names.firstIndex(of: s), i < width { return i }
            throw StateError("a ColumnTransformer column \(item.string ?? item.int.map(String.init) ?? item.kindName) that the input does not have")
        }
        switch node.kind {
        case .list(let items), .tuple(let items): return try items.map(index)
        case .int, .string: return [try index(node)]
        case .object(let call) where call.callable == "builtins.slice":
            let bound = { (i: Int, fallback: Int) -> Int in
                guard i < call.arguments.count, let n = call.arguments[i].int else { return fallback }
                return Int(n) < 0 ? max(0, width + Int(n)) : min(Int(n), width)
            }
            let start = bound(0, 0)
            let stop = bound(1, width)
            let step = call.arguments.count > 2 ? Int(call.arguments[2].int ?? 1) : 1
            guard step >= 1 else { throw StateError("a ColumnTransformer slice with step \(step)") }
            return stride(from: start, to: stop, by: step).map { $0 }
        case .object:
            let array = try NumpyArray(node)
            guard let values = array.intValues else { throw StateError("a ColumnTransformer column selection that is not indices") }
            if values.count == width, values.allSatisfy({ $0 == 0 || $0 == 1 }), values.count > 0, array.shape == [width] {
                // A boolean mask decodes as 0/1; an index array of 0s and 1s of the same length is ambiguous, and
                // scikit-learn stores masks as bool, so treat it as a mask only when it is one.
                if case .object(let call) = node.kind, (call.state?["dtype"].flatMap { try? NumpyDType($0) })?.kind == .bool {
                    return values.indices.filter { values[$0] == 1 }
                }
            }
            return try values.map { (n) throws(StateError) -> Int in
                guard n >= 0, n < width else { throw StateError("a ColumnTransformer column \(n) outside the input") }
                return Int(n)
            }
        default: throw StateError("a ColumnTransformer column selection of type \(node.kindName)")
        }
    }

    func transform(_ x: [Double], rows: Int) -> [Double] {
        // Only reached as a first step, which the session runs through `transform(_:names:)`.
        (try? transform(Frame(matrix: x, rows: rows, width: inputWidth), names: []))
            ?? [Double](repeating: .nan, count: rows * outputWidth)
    }

    func transform(_ frame: Frame, names: [String]) throws(ModelRuntimeError) -> [Double] {
        var blocks: [[Double]] = []
        let columns = frame.columns
        for part in parts {
            let sub = Frame(rows: frame.rows, columns: part.columns.map { columns[$0] })
            let subNames = part.columns.map { $0 < names.count ? names[$0] : "\($0)" }
            switch part.kind {
            case .passthrough: blocks.append(try sub.matrix(subNames))
            case .encoder(let encoder): blocks.append(try encoder.transform(sub, names: subNames))
            case .numeric(let stages):
                var x = try sub.matrix(subNames)
                for stage in stages {
                    try SklearnSession.check(x, rule: stage.rule, name: stage.name)
                    x = stage.transform(x, rows: frame.rows)
                }
                blocks.append(x)
            }
        }
        var out = [Double](repeating: 0, count: frame.rows * outputWidth)
        var offset = 0
        for (part, block) in zip(parts, blocks) {
            for r in 0..<frame.rows {
                for c in 0..<part.outputWidth { out[r * outputWidth + offset + c] = block[r * part.outputWidth + c] }
            }
            offset += part.outputWidth
        }
        return out
    }
}

extension OneHotEncoderStage {
    var summary: String {
        "OneHotEncoder: \(inputWidth) features → \(outputWidth) columns (\(ignoreUnknown ? "unknown values encode as zeros" : "unknown values refused"))"
    }
}

extension ColumnTransformerStage {
    var summary: String {
        let described = parts.map { part -> String in
            switch part.kind {
            case .passthrough: "passthrough \(part.columns.count)"
            case .encoder: "OneHotEncoder \(part.columns.count) → \(part.outputWidth)"
            case .numeric(let stages): stages.map(\.name).joined(separator: " → ") + " \(part.columns.count)"
            }
        }
        return "ColumnTransformer: \(inputWidth) features → \(outputWidth) [\(described.joined(separator: "; "))]"
    }
}
