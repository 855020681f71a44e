public import Foundation
public import ModelRuntime
import RegistryCore

/// Native prediction requests and responses.
///
/// A request carries rows, `{"inputs": [row, ...]}` (`instances` is accepted too), each row either an array of
/// values or an object of named features:
/// - a model with one input takes each row as an array of that input's values per row (20 numbers for `[N, 20]`);
/// - a model with several single-value inputs (a pipeline with named columns) takes an object
///   `{"age": 41, "color": "red"}` or an array in input order;
/// - any model takes an object keyed by input name, each value a scalar or an array of the input's row width.
///
/// Every problem is reported with the row and feature at fault.
public enum PredictionCodec {
    /// Rows decoded into one tensor per model input.
    public struct Batch: Sendable {
        public var inputs: [String: Tensor]
        public var rows: Int
        /// The optional key that keeps a caller on one version of a split.
        public var key: String?
    }

    /// A request body parsed but not yet shaped: the rows and the optional sticky key.
    public struct Request: @unchecked Sendable {
        var rows: [Any]
        public var key: String?
    }

    /// Parses a request body: `{"inputs": [...], "key": "..."}`.
    public static func parse(_ body: Data, maxRows: Int) throws -> Request {
        let root: Any
        do {
            root = try InferenceProtocolJSON.parseLenient(body)
        } catch {
            throw invalid("the body is not valid JSON; send {\"inputs\": [[...], ...]}")
        }
        guard let object = root as? [String: Any] else { throw invalid("the body must be a JSON object with an 'inputs' array") }
        guard let rows = (object["inputs"] ?? object["instances"]) as? [Any] else {
            throw invalid("'inputs' is missing or not an array; send {\"inputs\": [[...], ...]}, one entry per row")
        }
        var key: String?
        if let value = object["key"] {
            guard let text = value as? String else { throw invalid("'key' must be a string") }
            key = text
        }
        guard !rows.isEmpty else { throw invalid("'inputs' is empty; send at least one row") }
        guard rows.count <= maxRows else {
            throw invalid("\(rows.count) rows is more than the limit of \(maxRows) per request; split the batch")
        }
        return Request(rows: rows, key: key)
    }

    /// Shapes parsed rows into the model's input tensors.
    public static func batch(_ request: Request, signature: ModelSignature) throws -> Batch {
        Batch(inputs: try tensors(rows: request.rows, signature: signature), rows: request.rows.count, key: request.key)
    }

    /// Decodes a request body against the model's signature.
    public static func decode(_ body: Data, signature: ModelSignature, maxRows: Int) throws -> Batch {
        try batch(try parse(body, maxRows: maxRows), signature: signature)
    }

    static func invalid(_ message: String) -> ModelRuntimeError { ModelRuntimeError(.invalidInput, message) }

    /// Per-row width of an input from its declared shape (dimensions after the batch one); `nil` when a dimension
    /// is free and must be read from the data.
    static func rowShape(_ value: ModelSignature.Value) -> [Int?] {
        guard let shape = value.shape, shape.count > 1 else { return [] }
        return shape.dropFirst().map { if case .fixed(let n) = $0 { n } else { nil } }
    }

    static func tensors(rows: [Any], signature: ModelSignature) throws -> [String: Tensor] {
        let inputs = signature.inputs
        var columns = inputs.map { _ in [Any]() }
        for (r, row) in rows.enumerated() {
            if let object = row as? [String: Any] {
                for (i, input) in inputs.enumerated() {
                    guard let value = object[input.name] else {
                        throw invalid("row \(r) has no feature '\(input.name)' (features: \(inputs.map(\.name).joined(separator: ", ")))")
                    }
                    columns[i].append(value)
                }
                if object.count > inputs.count, let extra = object.keys.sorted().first(where: { k in !inputs.contains { $0.name == k } }) {
                    throw invalid("row \(r) has an unknown feature '\(extra)' (features: \(inputs.map(\.name).joined(separator: ", ")))")
                }
            } else if let array = row as? [Any] {
                if inputs.count == 1 {
                    columns[0].append(array)
                } else {
                    guard array.count == inputs.count else {
                        throw invalid(
                            "row \(r) has \(array.count) values but the model takes \(inputs.count) features "
                                + "(\(inputs.map(\.name).joined(separator: ", "))); send one value per feature or an object by name")
                    }
                    for i in inputs.indices { columns[i].append(array[i]) }
                }
            } else if inputs.count == 1 {
                columns[0].append(row)
            } else {
                throw invalid("row \(r) is neither an array nor an object of features")
            }
        }
        var result: [String: Tensor] = [:]
        for (i, input) in inputs.enumerated() {
            result[input.name] = try tensor(columns[i], input: input)
        }
        return result
    }

    /// One input's tensor from its per-row values.
    static func tensor(_ values: [Any], input: ModelSignature.Value) throws -> Tensor {
        let declared = rowShape(input)
        var flat: [Any] = []
        var width: Int?
        for (r, value) in values.enumerated() {
            let before = flat.count
            flatten(value, into: &flat)
            let count = flat.count - before
            if let width, count != width {
                throw invalid("row \(r), feature '\(input.name)': \(count) values where earlier rows had \(width)")
            }
            width = count
        }
        let perRow = width ?? 0
        var shape: [Int] = [values.count]
        if let rank = input.shape?.count, rank <= 1 {
            guard perRow == 1 else {
                throw invalid("feature '\(input.name)' takes one value per row, got \(perRow)")
            }
        } else if declared.isEmpty {
            shape.append(perRow)
        } else {
            let fixed = declared.compactMap { $0 }
            if fixed.count == declared.count {
                let expected = fixed.reduce(1, *)  // bounded: the session refused larger declared shapes at load
                guard perRow == expected else {
                    throw invalid(
                        "feature '\(input.name)' takes \(expected) value\(expected == 1 ? "" : "s") per row "
                            + "(shape \(input.shape!.map(\.description))), got \(perRow)")
                }
                shape += fixed
            } else if declared.count == 1 {
                shape.append(perRow)
            } else {
                throw invalid("feature '\(input.name)' has several free dimensions; send it through /v2 with an explicit shape")
            }
        }
        return try makeTensor(flat, shape: shape, input: input)
    }

    static func flatten(_ value: Any, into flat: inout [Any]) {
        if let array = value as? [Any] {
            for item in array { flatten(item, into: &flat) }
        } else {
            flat.append(value)
        }
    }

    static func makeTensor(_ flat: [Any], shape: [Int], input: ModelSignature.Value) throws -> Tensor {
        let perRow = max(1, shape.dropFirst().reduce(1, *))
        func problem(_ index: Int, _ expected: String) -> ModelRuntimeError {
            invalid("row \(index / perRow), feature '\(input.name)': expected \(expected), got \(describe(flat[index]))")
        }
        switch input.elementType {
        case .float32, .float64:
            var doubles = [Double](repeating: 0, count: flat.count)
            for (i, item) in flat.enumerated() {
                if let number = item as? Double {
                    doubles[i] = number
                } else if let number = item as? NSNumber, !isBool(number) {
                    doubles[i] = number.doubleValue
                } else if item is NSNull {
                    doubles[i] = .nan  // a missing value; trees and imputers route NaN
                } else if let text = item as? String, let special = ["NaN": Double.nan, "Infinity": .infinity, "-Infinity": -.infinity][text] {
                    doubles[i] = special
                } else {
                    throw problem(i, "a number")
                }
            }
            return input.elementType == .float32
                ? try Tensor(shape: shape, floats: doubles.map { Float($0) }) : try Tensor(shape: shape, doubles: doubles)
        case .int64, .int32:
            var ints = [Int64](repeating: 0, count: flat.count)
            for (i, item) in flat.enumerated() {
                if let number = item as? Double, let value = Int64(exactly: number) {
                    ints[i] = value
                    continue
                }
                guard let number = item as? NSNumber, !isBool(number), let value = Int64(exactly: number.doubleValue) else {
                    throw problem(i, "an integer")
                }
                ints[i] = value
            }
            return input.elementType == .int64
                ? try Tensor(shape: shape, int64s: ints) : try Tensor(shape: shape, int32s: ints.map { Int32(truncatingIfNeeded: $0) })
        case .bool:
            var bools = [Bool](repeating: false, count: flat.count)
            for (i, item) in flat.enumerated() {
                if let value = item as? Bool {
                    bools[i] = value
                    continue
                }
                guard let number = item as? NSNumber, isBool(number) else { throw problem(i, "true or false") }
                bools[i] = number.boolValue
            }
            return try Tensor(shape: shape, bools: bools)
        case .string:
            var strings = [String](repeating: "", count: flat.count)
            for (i, item) in flat.enumerated() {
                guard let text = item as? String else { throw problem(i, "a string") }
                strings[i] = text
            }
            return try Tensor(shape: shape, strings: strings)
        }
    }

    /// JSONSerialization gives `true`/`false` as a boolean NSNumber subclass; `as? Bool` would also accept 0 and 1.
    static func isBool(_ number: NSNumber) -> Bool {
        String(describing: type(of: number)).contains("Boolean")
    }

    static func describe(_ value: Any) -> String {
        switch value {
        case is String: "a string"
        case is Bool: "a boolean"
        case is Double: "a number"
        case let n as NSNumber: isBool(n) ? "a boolean" : "a number"
        case is NSNull: "null"
        case is [Any]: "an array"
        case is [String: Any]: "an object"
        default: "an unsupported value"
        }
    }
}

extension PredictionCodec {
    /// What the caller is told about where a prediction came from.
    public struct Provenance: Sendable {
        public var model: String
        public var version: String
        public var number: Int64
        /// The environment whose route answered, when the request went through one.
        public var environment: String?
        public var seconds: Double

        public init(model: String, version: String, number: Int64, environment: String?, seconds: Double) {
            self.model = model
            self.version = version
            self.number = number
            self.environment = environment
            self.seconds = seconds
        }
    }

    /// `{"model", "version", "number", "environment", "rows", "latency_ms", "labels", "probabilities", "classes",
    /// "scores", "outputs"}`: labels one per row; probabilities one array per row in `classes` order; scores one
    /// number per row (an array per row for multi-column scores); other outputs by name, one entry per row. A
    /// decision threshold adds `threshold` and replaces `labels` (anomaly) or adds `low_confidence` (confidence).
    public static func encode(
        _ outputs: [String: Tensor], rows: Int, layout: OutputLayout, provenance: Provenance,
        threshold: DecisionThreshold? = nil
    ) throws -> Data {
        var body: [String: Any] = [
            "model": provenance.model, "version": provenance.version, "number": provenance.number, "rows": rows,
            "latency_ms": (provenance.seconds * 1e6).rounded() / 1e3,
        ]
        if let environment = provenance.environment { body["environment"] = environment }
        if let name = layout.label, let tensor = outputs[name] { body["labels"] = perRow(tensor, rows: rows) }
        if let name = layout.probabilities, let tensor = outputs[name] {
            body["probabilities"] = perRow(tensor, rows: rows, flattenSingle: false)
        }
        if let classes = layout.classes {
            switch classes {
            case .int64s(let labels): body["classes"] = labels
            case .strings(let labels): body["classes"] = labels
            }
        }
        if let name = layout.score, let tensor = outputs[name] { body["scores"] = perRow(tensor, rows: rows) }
        var others: [String: Any] = [:]
        for name in layout.others { if let tensor = outputs[name] { others[name] = perRow(tensor, rows: rows) } }
        if !others.isEmpty { body["outputs"] = others }
        threshold?.apply(to: &body, outputs: outputs, layout: layout, rows: rows)
        return try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
    }

    /// A tensor as one JSON value per row: a scalar when each row has one element (unless `flattenSingle` is
    /// off), else the row's elements as an array.
    static func perRow(_ tensor: Tensor, rows: Int, flattenSingle: Bool = true) -> [Any] {
        let values = InferenceProtocolJSON.jsonValues(tensor.storage)
        guard rows > 0, values.count % rows == 0 else { return values }
        let width = values.count / rows
        if width == 1 && flattenSingle { return values }
        return (0..<rows).map { Array(values[($0 * width)..<(($0 + 1) * width)]) }
    }
}
