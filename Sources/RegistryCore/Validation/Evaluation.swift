import Foundation

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
        let text = String(decoding: data, as: UTF8.self)
        let head = text.drop(while: \.isWhitespace).first
        var columns: [String]
        var records: [[String: String]] = []
        var csvRows: [[Substring]] = []
        if head == "{" {
            columns = []
            for (index, line) in text.split(whereSeparator: \.isNewline).enumerated() where !line.allSatisfy(\.isWhitespace) {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    throw RegistryError.invalidArgument("\(name):\(index + 1) is not a JSON object")
                }
                if columns.isEmpty { columns = object.keys.sorted() }
                records.append(object.mapValues { value in
                    if let number = value as? NSNumber { return number.stringValue }
                    return "\(value)"
                })
            }
        } else {
            let lines = text.split(whereSeparator: \.isNewline)
            guard let header = lines.first else { throw RegistryError.invalidArgument("\(name) is empty") }
            columns = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            csvRows = lines.dropFirst().filter { !$0.allSatisfy(\.isWhitespace) }.map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        }
        guard columns.contains(label) || !records.isEmpty else {
            throw RegistryError.invalidArgument("\(name) has no '\(label)' column; name the label column in the policy's evaluation.label")
        }
        let features = declared ?? columns.filter { $0 != label }
        guard !features.isEmpty else { throw RegistryError.invalidArgument("\(name) has no feature columns") }
        var values: [Double] = []
        var labels: [String] = []
        if records.isEmpty {
            let index = Dictionary(columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            guard let labelIndex = index[label] else {
                throw RegistryError.invalidArgument("\(name) has no '\(label)' column; name the label column in the policy's evaluation.label")
            }
            let featureIndexes = try features.map { feature -> Int in
                guard let i = index[feature] else { throw RegistryError.invalidArgument("\(name) has no column for the feature '\(feature)'") }
                return i
            }
            values.reserveCapacity(csvRows.count * features.count)
            for (offset, cells) in csvRows.enumerated() {
                guard cells.count == columns.count else {
                    throw RegistryError.invalidArgument("\(name):\(offset + 2) has \(cells.count) cells; the header names \(columns.count)")
                }
                for i in featureIndexes {
                    guard let value = Double(cells[i].trimmingCharacters(in: .whitespaces)) else {
                        throw RegistryError.invalidArgument("\(name):\(offset + 2): '\(cells[i].prefix(40))' in \(columns[i]) is not a number")
                    }
                    values.append(value)
                }
                labels.append(cells[labelIndex].trimmingCharacters(in: .whitespaces))
            }
        } else {
            for (offset, record) in records.enumerated() {
                guard let truth = record[label] else { throw RegistryError.invalidArgument("\(name):\(offset + 1) has no '\(label)'") }
                for feature in features {
                    guard let text = record[feature], let value = Double(text) else {
                        throw RegistryError.invalidArgument("\(name):\(offset + 1): '\(feature)' is missing or not a number")
                    }
                    values.append(value)
                }
                labels.append(truth)
            }
        }
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
