/// Whether a higher or a lower value of a metric is better.
public enum MetricDirection: String, Sendable, Codable, CaseIterable {
    case maximize, minimize

    public init(parsing text: String) throws {
        switch text.lowercased() {
        case "max", "maximize", "higher": self = .maximize
        case "min", "minimize", "lower": self = .minimize
        default: throw RegistryError.invalidArgument("direction '\(text.prefix(20))' is not one of max, min")
        }
    }

    /// The usual direction of a metric judged by its name: losses, errors and latencies are minimised.
    public static func inferred(forMetric name: String) -> MetricDirection {
        let lowered = name.lowercased()
        let minimised = [
            "loss", "error", "err", "mse", "rmse", "mae", "mape", "latency", "perplexity", "time", "duration",
            "cost", "fpr", "fnr", "logloss", "wer", "cer", "brier",
        ]
        let words = lowered.split(whereSeparator: { !$0.isLetter })
        return words.contains(where: { minimised.contains(String($0)) }) ? .minimize : .maximize
    }

    /// True when `candidate` is strictly better than `incumbent`.
    public func isBetter(_ candidate: Double, than incumbent: Double) -> Bool {
        switch self {
        case .maximize: return candidate > incumbent
        case .minimize: return candidate < incumbent
        }
    }
}
