import Foundation
import Synchronization

extension ValidationPolicy {
    /// Re-evaluation: when a version carries the evaluation dataset, the server runs the model on it, measures the
    /// metrics, fails a claim that is off by more than `tolerance`, and keeps the measured scores on record.
    public struct Evaluation: Sendable, Equatable {
        /// The dataset's path among the version's files: CSV with a header, or JSON Lines.
        public var dataset: String
        /// The column holding the true label.
        public var label: String
        /// How far a claimed score may be from the measured one.
        public var tolerance: Double
        /// The label value that counts as positive (for precision, recall, f1 and roc_auc).
        public var positiveLabel: String

        public init(dataset: String = "evaluation.csv", label: String = "label", tolerance: Double = 0.02, positiveLabel: String = "1") {
            self.dataset = dataset
            self.label = label
            self.tolerance = tolerance
            self.positiveLabel = positiveLabel
        }

        public func validate() throws {
            _ = try ArtifactPath(validating: dataset)
            guard !label.isEmpty, label.utf8.count <= 250 else {
                throw RegistryError.invalidArgument("evaluation.label must name the label column (1-250 characters)")
            }
            guard tolerance.isFinite, tolerance >= 0 else {
                throw RegistryError.invalidArgument("evaluation.tolerance must be a number of at least 0")
            }
        }
    }
}

/// What re-evaluation measured: the metrics on the dataset and the scores the version had claimed for them.
public struct EvaluationOutcome: Sendable, Equatable {
    public var dataset: String
    public var rows: Int
    public var measured: [String: Double]
    public var claimed: [String: Double]
    public var tolerance: Double
    /// Why the evaluation could not run (a dataset that does not parse, a model that fails on it).
    public var problem: String?

    public init(
        dataset: String, rows: Int, measured: [String: Double], claimed: [String: Double], tolerance: Double,
        problem: String? = nil
    ) {
        self.dataset = dataset
        self.rows = rows
        self.measured = measured
        self.claimed = claimed
        self.tolerance = tolerance
        self.problem = problem
    }
}

/// A buffer shared by the parsing chunks, each of which reads only its own range.
struct SendableBuffer: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<UInt8>
    init(_ buffer: UnsafeBufferPointer<UInt8>) { self.buffer = buffer }
}

/// A labelled evaluation dataset: feature rows in the model's input order and their true labels.
public struct EvaluationDataset: Sendable {
    public var features: [String]
    /// Row-major, `rows × features.count`.
    public var values: [Double]
    public var labels: [String]
    public var rows: Int { labels.count }

    public static let maxSize = 256 * 1024 * 1024

    /// Parses CSV (a header row naming the columns) or JSON Lines (one object per line). `features` orders the
    /// columns as the model takes them; without it every column but the label is a feature, in file order.
    public init(parsing data: Data, name: String, label: String, features declared: [String]?) throws {
        guard data.count <= Self.maxSize else {
            throw RegistryError.invalidArgument("\(name) is \(data.count) bytes; evaluation datasets are read up to \(Self.maxSize)")
        }
        let head = data.first { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }
        if head == UInt8(ascii: "{") {
            try self.init(jsonLines: data, name: name, label: label, features: declared)
        } else {
            try self.init(csv: data, name: name, label: label, features: declared)
        }
    }

    /// CSV read byte by byte: numbers with `strtod` straight from the file's bytes (no string per cell).
    init(csv data: Data, name: String, label: String, features declared: [String]?) throws {
        let bytes = [UInt8](data)
        let count = bytes.count
        func lineEnd(from start: Int) -> Int {
            var i = start
            while i < count && bytes[i] != 0x0A { i += 1 }
            return i
        }
        let headerEnd = lineEnd(from: 0)
        guard headerEnd > 0 else { throw RegistryError.invalidArgument("\(name) is empty") }
        let columns = String(decoding: bytes[0..<headerEnd], as: UTF8.self)
            .split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let index = Dictionary(columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        guard let labelIndex = index[label] else {
            throw RegistryError.invalidArgument("\(name) has no '\(label)' column; name the label column in the policy's evaluation.label")
        }
        let features = declared ?? columns.filter { $0 != label }
        guard !features.isEmpty else { throw RegistryError.invalidArgument("\(name) has no feature columns") }
        // Where each column's value goes in the row: its feature slot, -1 for the label, -2 for columns not used.
        var slot = [Int](repeating: -2, count: columns.count)
        slot[labelIndex] = -1
        for (position, feature) in features.enumerated() {
            guard let column = index[feature] else {
                throw RegistryError.invalidArgument("\(name) has no column for the feature '\(feature)'")
            }
            slot[column] = position
        }
        // Rows are parsed in a few chunks at once (split at line ends), each into its own arrays.
        let body = headerEnd + 1
        let chunks = count - body > 1 << 20 ? max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8)) : 1
        var bounds = [body]
        for index in 1..<max(chunks, 1) {
            var cut = max(bounds.last!, body + (count - body) * index / chunks)
            while cut < count && bytes[cut] != 0x0A { cut += 1 }
            bounds.append(min(count, cut + 1))
        }
        bounds.append(count)
        let ranges = zip(bounds, bounds.dropFirst()).map { $0..<$1 }
        let featureCount = features.count
        let slots = slot
        let parts = try bytes.withUnsafeBufferPointer { buffer -> [(values: [Double], labels: [String])] in
            let shared = SendableBuffer(buffer)
            let results = Mutex<[Int: Result<(values: [Double], labels: [String]), any Error>]>([:])
            DispatchQueue.concurrentPerform(iterations: ranges.count) { index in
                let result = Result {
                    try Self.rows(shared.buffer, ranges[index], slot: slots, featureCount: featureCount, columns: columns, name: name)
                }
                results.withLock { $0[index] = result }
            }
            return try results.withLock { all in try (0..<ranges.count).map { try all[$0]!.get() } }
        }
        var values: [Double] = []
        var labels: [String] = []
        values.reserveCapacity(parts.reduce(0) { $0 + $1.values.count })
        labels.reserveCapacity(parts.reduce(0) { $0 + $1.labels.count })
        for part in parts {
            values += part.values
            labels += part.labels
        }
        guard !labels.isEmpty else { throw RegistryError.invalidArgument("\(name) holds no rows") }
        self.features = features
        self.values = values
        self.labels = labels
    }

    /// The rows of one byte range (whole lines): each numeric cell parsed in place, labels interned.
    static func rows(
        _ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, slot: [Int], featureCount: Int, columns: [String],
        name: String
    ) throws -> (values: [Double], labels: [String]) {
        func line(_ offset: Int) -> Int { p[0..<offset].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) } }
        var values: [Double] = []
        values.reserveCapacity((range.count / max(1, 8 * columns.count) + 1) * featureCount)
        var labels: [String] = []
        var interned: [UInt64: String] = [:]
        var row = [Double](repeating: 0, count: featureCount)
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            // A blank line (or the last newline) carries no row.
            var j = i
            while j < end && (p[j] == 0x20 || p[j] == 0x09 || p[j] == 0x0D) { j += 1 }
            if j == end || p[j] == 0x0A {
                i = j + 1
                continue
            }
            for column in 0..<columns.count {
                let last = column == columns.count - 1
                let target = slot[column]
                var cellEnd = i
                if target >= 0, let (value, stop) = fastDouble(p, i, end) {
                    row[target] = value
                    cellEnd = stop
                } else {
                    while cellEnd < end && p[cellEnd] != UInt8(ascii: ",") && p[cellEnd] != 0x0A { cellEnd += 1 }
                    if target == -1 {
                        var a = i
                        var b = cellEnd
                        while a < b && (p[a] == 0x20 || p[a] == 0x09) { a += 1 }
                        while b > a && (p[b - 1] == 0x20 || p[b - 1] == 0x09 || p[b - 1] == 0x0D) { b -= 1 }
                        if b - a <= 8 {
                            var key: UInt64 = UInt64(b - a) << 56
                            for k in a..<b { key = key &* 131 &+ UInt64(p[k]) }
                            if let known = interned[key] {
                                labels.append(known)
                            } else {
                                let text = String(decoding: UnsafeBufferPointer(rebasing: p[a..<b]), as: UTF8.self)
                                interned[key] = text
                                labels.append(text)
                            }
                        } else {
                            labels.append(String(decoding: UnsafeBufferPointer(rebasing: p[a..<b]), as: UTF8.self))
                        }
                    } else if target >= 0 {
                        let text = String(decoding: UnsafeBufferPointer(rebasing: p[i..<cellEnd]), as: UTF8.self)
                        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                        guard let value = Double(trimmed), !trimmed.isEmpty else {
                            throw RegistryError.invalidArgument("\(name):\(line(i)): '\(text.prefix(40))' in \(columns[column]) is not a number")
                        }
                        row[target] = value
                    }
                }
                let atLineEnd = cellEnd >= end || p[cellEnd] == 0x0A
                if last != atLineEnd {
                    throw RegistryError.invalidArgument(
                        "\(name):\(line(i)) does not have the \(columns.count) cells the header names")
                }
                i = cellEnd + 1
            }
            values.append(contentsOf: row)
        }
        return (values, labels)
    }

    static let powersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }

    /// A decimal number the fast way when that is exact: up to 19 significant digits whose value is at most 2^53,
    /// scaled by at most 10^22 — one correctly rounded multiplication or division, so the result is the one strtod
    /// gives (Clinger's fast path). Reads from `start` to the cell's end (a comma or a line end, spaces around
    /// allowed) and returns the value and where the cell ends; nil for anything else (more digits, larger
    /// exponents, nan, junk), which the caller parses the slow way.
    @inline(__always)
    static func fastDouble(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Double, Int)? {
        var i = start
        while i < end && (p[i] == 0x20 || p[i] == 0x09) { i += 1 }
        guard i < end else { return nil }
        var negative = false
        if p[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        } else if p[i] == UInt8(ascii: "+") {
            i += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var sawDigit = false
        while i < end, p[i] &- 0x30 < 10 {
            guard digits < 19 else { return nil }
            mantissa = mantissa &* 10 &+ UInt64(p[i] &- 0x30)
            if mantissa != 0 { digits += 1 }
            sawDigit = true
            i += 1
        }
        if i < end, p[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, p[i] &- 0x30 < 10 {
                guard digits < 19 else { return nil }
                mantissa = mantissa &* 10 &+ UInt64(p[i] &- 0x30)
                if mantissa != 0 { digits += 1 }
                exponent -= 1
                sawDigit = true
                i += 1
            }
        }
        guard sawDigit else { return nil }
        if i < end, p[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < end, p[i] == UInt8(ascii: "-") {
                exponentNegative = true
                i += 1
            } else if i < end, p[i] == UInt8(ascii: "+") {
                i += 1
            }
            var value = 0
            var sawExponent = false
            while i < end, p[i] &- 0x30 < 10 {
                value = value * 10 + Int(p[i] &- 0x30)
                guard value < 10_000 else { return nil }
                sawExponent = true
                i += 1
            }
            guard sawExponent else { return nil }
            exponent += exponentNegative ? -value : value
        }
        while i < end && (p[i] == 0x20 || p[i] == 0x09 || p[i] == 0x0D) { i += 1 }
        guard i == end || p[i] == UInt8(ascii: ",") || p[i] == 0x0A else { return nil }
        guard mantissa <= 1 << 53, exponent >= -22, exponent <= 22 else { return nil }
        let m = Double(mantissa)
        let value = exponent >= 0 ? m * powersOfTen[exponent] : m / powersOfTen[-exponent]
        return (negative ? -value : value, i)
    }

    /// JSON Lines: one object per line, the label and each feature by name.
    init(jsonLines data: Data, name: String, label: String, features declared: [String]?) throws {
        var columns: [String] = []
        var values: [Double] = []
        var labels: [String] = []
        var features: [String] = declared ?? []
        for (index, line) in data.split(separator: 0x0A).enumerated() where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                throw RegistryError.invalidArgument("\(name):\(index + 1) is not a JSON object")
            }
            if columns.isEmpty {
                columns = object.keys.sorted()
                if declared == nil { features = columns.filter { $0 != label } }
            }
            guard let truth = object[label] else { throw RegistryError.invalidArgument("\(name):\(index + 1) has no '\(label)'") }
            labels.append((truth as? NSNumber)?.stringValue ?? "\(truth)")
            for feature in features {
                guard let number = object[feature] as? NSNumber else {
                    throw RegistryError.invalidArgument("\(name):\(index + 1): '\(feature)' is missing or not a number")
                }
                values.append(number.doubleValue)
            }
        }
        guard !features.isEmpty else { throw RegistryError.invalidArgument("\(name) has no feature columns") }
        guard !labels.isEmpty else { throw RegistryError.invalidArgument("\(name) holds no rows") }
        self.features = features
        self.values = values
        self.labels = labels
    }
}

/// Binary classification metrics, as scikit-learn computes them (`accuracy_score`, `precision_score`,
/// `recall_score`, `f1_score`, `roc_auc_score` with tied scores given their average rank).
public enum BinaryMetrics {
    public static func compute(truth: [Bool], predicted: [Bool], scores: [Double]?) -> [String: Double] {
        precondition(truth.count == predicted.count)
        var tp = 0, fp = 0, fn = 0, tn = 0
        for (t, p) in zip(truth, predicted) {
            switch (t, p) {
            case (true, true): tp += 1
            case (false, true): fp += 1
            case (true, false): fn += 1
            case (false, false): tn += 1
            }
        }
        let precision = tp + fp == 0 ? 0 : Double(tp) / Double(tp + fp)
        let recall = tp + fn == 0 ? 0 : Double(tp) / Double(tp + fn)
        var metrics: [String: Double] = [
            "accuracy": truth.isEmpty ? 0 : Double(tp + tn) / Double(truth.count),
            "precision": precision, "recall": recall,
            "f1_score": precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall),
        ]
        if let scores, scores.count == truth.count, let auc = rocAUC(truth: truth, scores: scores) { metrics["roc_auc"] = auc }
        return metrics
    }

    /// The probability that a random positive scores above a random negative (ties count half); nil with one class.
    public static func rocAUC(truth: [Bool], scores: [Double]) -> Double? {
        let positives = truth.count { $0 }
        let negatives = truth.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j where truth[order[k]] { rankSum += rank }
            i = j + 1
        }
        return (rankSum - Double(positives) * Double(positives + 1) / 2) / (Double(positives) * Double(negatives))
    }
}
