import Foundation

/// What a training service says about the model in its folder's `metadata.json`:
///
/// ```json
/// {"model_info": {"name": "fraud", "model_type": "IsolationForest", "version": "20261201_102205",
///                 "created_at": "2026-12-01T10:22:05Z"},
///  "training_info": {"feature_names": ["hour_of_day", "..."], "n_samples": 120000,
///                    "training_time_seconds": 41.2, "parameters": {"n_estimators": 200}},
///  "evaluation_info": {"basic_metrics": {"f1_score": 0.83, "roc_auc": 0.91}}}
/// ```
///
/// Every field is optional here; what a version needs is decided by the import. Keys beyond these are kept.
public struct TrainingMetadata: Sendable, Equatable {
    public var modelName: String?
    public var modelType: String?
    /// The training service's own label for the run (`20261201_102205`), kept as a tag.
    public var label: String?
    public var trainedAt: Date?
    public var featureNames: [String]
    public var samples: Int64?
    /// The folder's file holding a sample of the training data, the drift reference (`training_info.reference_dataset`).
    public var referenceDataset: String?
    public var trainingSeconds: Double?
    public var parameters: [String: JSONValue]
    public var metrics: [String: Double]
    /// A decision threshold the service chose (`anomaly_threshold`, `confidence_threshold`), by name.
    public var thresholds: [String: Double]
    /// Everything else in the file, by top-level key.
    public var extra: [String: JSONValue]

    /// A metadata file larger than this is refused before it is parsed.
    public static let maxSize = 4 * 1024 * 1024
    public static let maxFeatures = 100_000

    public init(parsing data: Data) throws {
        guard data.count <= Self.maxSize else {
            throw RegistryError.invalidArgument("metadata.json is \(data.count) bytes; at most \(Self.maxSize) are read")
        }
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw RegistryError.invalidArgument("metadata.json is not valid JSON; fix the file the training service wrote")
        }
        guard case .object(var top) = root else {
            throw RegistryError.invalidArgument("metadata.json must be a JSON object with model_info, training_info and evaluation_info")
        }
        func section(_ key: String) throws -> [String: JSONValue] {
            switch top.removeValue(forKey: key) {
            case nil, .null?: return [:]
            case .object(let fields)?: return fields
            default: throw RegistryError.invalidArgument("metadata.json: \(key) must be an object")
            }
        }
        func string(_ value: JSONValue?, _ name: String) throws -> String? {
            switch value {
            case nil, .null?: return nil
            case .string(let text)?: return text
            case .number(let n)?: return ValidationReport.format(n)
            default: throw RegistryError.invalidArgument("metadata.json: \(name) must be a string")
            }
        }
        func number(_ value: JSONValue?, _ name: String) throws -> Double? {
            switch value {
            case nil, .null?: return nil
            case .number(let n)? where n.isFinite: return n
            case .string(let text)?: if let n = Double(text), n.isFinite { return n }
            default: break
            }
            throw RegistryError.invalidArgument("metadata.json: \(name) must be a finite number")
        }
        var model = try section("model_info")
        var training = try section("training_info")
        var evaluation = try section("evaluation_info")

        modelName = try string(model.removeValue(forKey: "name"), "model_info.name")
        modelType = try string(model.removeValue(forKey: "model_type"), "model_info.model_type")
        label = try string(model.removeValue(forKey: "version"), "model_info.version")
        if let text = try string(model.removeValue(forKey: "created_at"), "model_info.created_at") {
            guard let date = ISO8601.parse(text) ?? ISO8601.parse(text + "Z") else {
                throw RegistryError.invalidArgument(
                    "metadata.json: model_info.created_at '\(text.prefix(40))' is not an ISO 8601 time such as 2026-12-01T10:22:05Z")
            }
            trainedAt = date
        }

        switch training.removeValue(forKey: "feature_names") {
        case nil, .null?: featureNames = []
        case .array(let items)?:
            guard items.count <= Self.maxFeatures else {
                throw RegistryError.invalidArgument("metadata.json lists \(items.count) feature names; at most \(Self.maxFeatures)")
            }
            featureNames = try items.map { item in
                guard case .string(let name) = item, !name.isEmpty, name.utf8.count <= 250, NameRules.isPrintable(name) else {
                    throw RegistryError.invalidArgument("metadata.json: every feature name must be 1-250 printable characters")
                }
                return name
            }
            if Set(featureNames).count != featureNames.count {
                throw RegistryError.invalidArgument("metadata.json: training_info.feature_names repeats a name")
            }
        default: throw RegistryError.invalidArgument("metadata.json: training_info.feature_names must be a list of names")
        }
        samples = try number(training.removeValue(forKey: "n_samples"), "training_info.n_samples").flatMap { Int64(exactly: $0.rounded()) }
        trainingSeconds = try number(training.removeValue(forKey: "training_time_seconds"), "training_info.training_time_seconds")
        referenceDataset = try string(training.removeValue(forKey: "reference_dataset"), "training_info.reference_dataset")
        switch training.removeValue(forKey: "parameters") {
        case nil, .null?: parameters = [:]
        case .object(let fields)?: parameters = fields
        default: throw RegistryError.invalidArgument("metadata.json: training_info.parameters must be an object")
        }

        metrics = [:]
        switch evaluation.removeValue(forKey: "basic_metrics") {
        case nil, .null?: break
        case .object(let fields)?:
            for (name, value) in fields {
                // Only numbers are scores; anything else (a confusion matrix, a note) stays in the metadata.
                if case .number(let n) = value, n.isFinite { metrics[name] = n } else { evaluation["basic_metrics.\(name)"] = value }
            }
        default: throw RegistryError.invalidArgument("metadata.json: evaluation_info.basic_metrics must be an object")
        }

        thresholds = [:]
        for name in ["anomaly_threshold", "confidence_threshold"] {
            for key in ["model_info", "training_info", "evaluation_info", ""] {
                let value: JSONValue?
                switch key {
                case "model_info": value = model.removeValue(forKey: name)
                case "training_info": value = training.removeValue(forKey: name)
                case "evaluation_info": value = evaluation.removeValue(forKey: name)
                default: value = top.removeValue(forKey: name)
                }
                if let n = try number(value, name) { thresholds[name] = n }
            }
        }

        extra = top
        for (key, rest) in [("model_info", model), ("training_info", training), ("evaluation_info", evaluation)] where !rest.isEmpty {
            extra[key] = .object(rest)
        }
    }

    /// The declared input signature: the feature names in order (types are not known from the metadata).
    public var signature: JSONValue? {
        featureNames.isEmpty ? nil : .object(["inputs": .array(featureNames.map { .object(["name": .string($0)]) })])
    }
}
