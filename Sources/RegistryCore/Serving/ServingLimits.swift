/// When a serving version is rolled back automatically: its error rate or p99 latency over a window breaks these
/// limits (with at least `minRequests` requests in the window, so a handful of requests decide nothing).
public struct ServingLimits: Sendable, Equatable {
    /// Largest tolerated share of failed requests, 0...1.
    public var maxErrorRate: Double?
    /// Largest tolerated 99th-percentile model latency, in milliseconds.
    public var maxP99Milliseconds: Double?
    /// The window the rates are measured over, in seconds (10...300).
    public var windowSeconds: Int
    /// Requests the window must hold before the limits apply.
    public var minRequests: Int

    public init(maxErrorRate: Double? = 0.5, maxP99Milliseconds: Double? = nil, windowSeconds: Int = 60, minRequests: Int = 20) {
        self.maxErrorRate = maxErrorRate
        self.maxP99Milliseconds = maxP99Milliseconds
        self.windowSeconds = windowSeconds
        self.minRequests = minRequests
    }

    /// What applies to a model that set nothing: roll back when more than half the requests fail.
    public static let `default` = ServingLimits()

    public func validate() throws {
        if let rate = maxErrorRate, !(0...1).contains(rate) {
            throw RegistryError.invalidArgument("max_error_rate is \(rate); give a fraction between 0 and 1")
        }
        if let p99 = maxP99Milliseconds, !(p99 > 0) {
            throw RegistryError.invalidArgument("max_p99_ms must be positive")
        }
        guard (10...300).contains(windowSeconds) else {
            throw RegistryError.invalidArgument("window_seconds is \(windowSeconds); give 10 to 300")
        }
        guard minRequests >= 1 else { throw RegistryError.invalidArgument("min_requests must be at least 1") }
    }

    /// Why a window's figures break the limits, or `nil` when they do not.
    public func breach(requests: Int, errorRate: Double, p99Milliseconds: Double?) -> String? {
        guard requests >= minRequests else { return nil }
        if let max = maxErrorRate, errorRate > max {
            return "error rate \(Int((errorRate * 100).rounded())) % over the last \(windowSeconds) s "
                + "(\(requests) requests) is above the limit of \(Int((max * 100).rounded())) %"
        }
        if let max = maxP99Milliseconds, let p99 = p99Milliseconds, p99 > max {
            return "p99 latency \(p99) ms over the last \(windowSeconds) s is above the limit of \(max) ms"
        }
        return nil
    }
}
