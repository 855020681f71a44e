public import Foundation
public import ModelRuntime
public import RegistryCore
import Synchronization

/// What a shadow version answered to the traffic mirrored to it: counts, how often its labels agreed with the
/// version that answered, and the most recent outputs. Bounded; nothing of it reaches callers.
public final class ShadowLog: Sendable {
    public let version: SemanticVersion
    static let recentLimit = 20
    static let rowsKept = 10
    /// Mirrors running at once; beyond it a request is not mirrored (the shadow must never slow serving down).
    static let maxInFlight = 4

    public struct Entry: Sendable, Codable, Equatable {
        public var at: Date
        public var rows: Int
        /// The version that answered the caller.
        public var answeredBy: String
        /// The shadow's labels (or scores) for the first rows.
        public var outputs: [String]
        public var error: String?
        enum CodingKeys: String, CodingKey {
            case at, rows, outputs, error
            case answeredBy = "answered_by"
        }
    }

    public struct Summary: Sendable, Codable, Equatable {
        public var version: String
        public var requests: Int
        public var errors: Int
        public var skipped: Int
        public var comparedRows: Int
        public var agreeingRows: Int
        public var recent: [Entry]
        enum CodingKeys: String, CodingKey {
            case version, requests, errors, skipped, recent
            case comparedRows = "compared_rows"
            case agreeingRows = "agreeing_rows"
        }
    }

    struct State {
        var requests = 0
        var errors = 0
        var skipped = 0
        var comparedRows = 0
        var agreeingRows = 0
        var recent: [Entry] = []
        var inFlight = 0
    }

    private let state = Mutex(State())

    init(version: SemanticVersion) { self.version = version }

    /// Runs `inputs` on the shadow off the request path and records the outcome; skips when too many mirrors run.
    public func mirror(
        _ inputs: [String: Tensor], rows: Int, on shadow: LoadedModel, answeredBy primary: LoadedModel,
        primaryOutputs: [String: Tensor], clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        let admitted = state.withLock { state -> Bool in
            guard state.inFlight < Self.maxInFlight else {
                state.skipped += 1
                return false
            }
            state.inFlight += 1
            return true
        }
        guard admitted else { return }
        Task.detached(priority: .background) {
            var entry = Entry(at: clock(), rows: rows, answeredBy: primary.key.version.description, outputs: [])
            var compared = 0
            var agreeing = 0
            do {
                let (outputs, _) = try shadow.run(inputs, rows: rows)
                let mine = shadow.outputs.label.flatMap { outputs[$0] } ?? shadow.outputs.score.flatMap { outputs[$0] }
                if let mine { entry.outputs = Self.strings(mine, limit: Self.rowsKept) }
                if let name = shadow.outputs.label, let theirs = primary.outputs.label,
                    let a = outputs[name], let b = primaryOutputs[theirs], a.count == b.count
                {
                    let left = Self.strings(a, limit: a.count)
                    let right = Self.strings(b, limit: b.count)
                    compared = left.count
                    agreeing = zip(left, right).filter { $0 == $1 }.count
                }
            } catch {
                entry.error = "\(error)"
            }
            let failed = entry.error != nil
            self.state.withLock { state in
                state.inFlight -= 1
                state.requests += 1
                if failed { state.errors += 1 }
                state.comparedRows += compared
                state.agreeingRows += agreeing
                state.recent.append(entry)
                if state.recent.count > Self.recentLimit { state.recent.removeFirst(state.recent.count - Self.recentLimit) }
            }
        }
    }

    static func strings(_ tensor: Tensor, limit: Int) -> [String] {
        InferenceProtocolJSON.jsonValues(tensor.storage).prefix(limit).map { "\($0)" }
    }

    public func summary() -> Summary {
        state.withLock { state in
            Summary(
                version: version.description, requests: state.requests, errors: state.errors, skipped: state.skipped,
                comparedRows: state.comparedRows, agreeingRows: state.agreeingRows, recent: state.recent)
        }
    }
}
