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

    /// The usual direction of a metric judged by its name: losses, errors, latencies, sizes and durations are
    /// minimised (`val_loss`, `trainloss`, `p99_ms`, `memory_mb`, `latency_p95`); everything else is maximised. A
    /// model's declared `metric_directions` come first; this only fills the undeclared ones.
    public static func inferred(forMetric name: String) -> MetricDirection {
        let lowered = name.lowercased()
        if ["loss", "error", "latency"].contains(where: { lowered.contains($0) }) { return .minimize }
        let minimised: Set<Substring> = [
            "err", "mse", "rmse", "mae", "mape", "perplexity", "time", "duration", "cost", "fpr", "fnr", "wer",
            "cer", "brier", "ms", "seconds", "secs", "sec", "mb", "gb", "kb", "bytes", "memory",
        ]
        let words = lowered.split(whereSeparator: { !$0.isLetter })
        return words.contains(where: { minimised.contains($0) }) ? .minimize : .maximize
    }

    /// True when `candidate` is strictly better than `incumbent`.
    public func isBetter(_ candidate: Double, than incumbent: Double) -> Bool {
        switch self {
        case .maximize: return candidate > incumbent
        case .minimize: return candidate < incumbent
        }
    }
}
