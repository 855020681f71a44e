public import DriftStatistics
public import Foundation
public import ModelRuntime
import Registry
public import RegistryCore
import Synchronization

/// One loaded version's drift monitor. The request path only hands over the batch it already has (its tensors are
/// shared, not copied) when the version has a reference; everything else — taking the columns out, the windows,
/// the tests — happens off the request path, in `DriftService`.
///
/// Memory is bounded: batches waiting to be taken are capped at `maxPendingRows` (beyond it a batch is counted as
/// skipped, not queued), and each column keeps the last `windows.max()` values plus an hourly sample of at most
/// `hourlySample` rows.
public final class DriftMonitor: Sendable {
    static let maxPendingRows = 50_000
    static let hourlySample = 10_000

    struct Batch: Sendable {
        var inputs: [String: Tensor]
        var outputs: [String: Tensor]
        var rows: Int
    }

    struct Pending {
        var batches: [Batch] = []
        var rows = 0
        var skipped = 0
    }

    /// What the monitor judges against, fixed until the reference or settings change.
    struct Setup: Sendable {
        var profile: ReferenceProfile
        var settings: DriftSettings
        var map: DriftColumnMap
        var referenceCreatedAt: Date
    }

    /// The last values of one column, oldest first from `head`.
    struct Ring {
        var numbers: [Double] = []
        var strings: [String?] = []
        var integral = true
        var numerical: Bool
        var head = 0
        let capacity: Int

        init(numerical: Bool, capacity: Int) {
            self.numerical = numerical
            self.capacity = capacity
        }

        var count: Int { numerical ? numbers.count : strings.count }

        mutating func append(_ values: ColumnValues) {
            switch values {
            case .numbers(let batch, let isIntegral):
                integral = integral && isIntegral
                if numerical { push(batch) } else { push(batch.map { $0.isFinite ? String($0) : nil }) }
            case .strings(let batch):
                // A column the reference holds as numbers, sent as text: numbers where they parse, else missing.
                if numerical { push(batch.map { $0.flatMap(Double.init) ?? .nan }) } else { push(batch) }
            }
        }

        private mutating func push(_ batch: [Double]) {
            var ring = numbers
            numbers = []
            Self.push(&ring, &head, capacity, batch)
            numbers = ring
        }

        private mutating func push(_ batch: [String?]) {
            var ring = strings
            strings = []
            Self.push(&ring, &head, capacity, batch)
            strings = ring
        }

        private static func push<T>(_ storage: inout [T], _ head: inout Int, _ capacity: Int, _ batch: [T]) {
            for value in batch {
                if storage.count < capacity {
                    storage.append(value)
                } else {
                    storage[head] = value
                    head = (head + 1) % capacity
                }
            }
        }

        /// The newest `n` values, oldest first.
        func last(_ n: Int) -> DriftColumn {
            func tail<T>(_ storage: [T]) -> [T] {
                let take = min(n, storage.count)
                guard storage.count == capacity else { return Array(storage.suffix(take)) }
                let end = head + capacity  // one past the newest, unrolled
                return ((end - take)..<end).map { storage[$0 % capacity] }
            }
            return numerical ? .numbers(tail(numbers), integral: integral) : .categories(tail(strings))
        }
    }

    /// A reservoir of the hour's rows (the same rows for every column), so an hour's summary judges a uniform
    /// sample of what was served in it.
    struct Hour {
        var start: Date
        var seen = 0
        var columns: [String: [Double]] = [:]
        var categories: [String: [String?]] = [:]
        var integral: [String: Bool] = [:]
        var generator = SplitMix(seed: 0x5eed)
    }

    struct State {
        var setup: Setup?
        var rings: [String: Ring] = [:]
        var total = 0
        var evaluatedAt = -1
        var reports: [Window] = []
        var drifting: Bool?
        var change: (drifting: Bool, window: Window)?
        var hour: Hour?
        var ignoredColumns: [String] = []
    }

    /// A window's report, as last evaluated.
    public struct Window: Sendable {
        public var size: Int
        public var rows: Int
        public var report: DriftReport
    }

    public let windows: [Int]
    let active = Atomic<Bool>(false)
    private let pending = Mutex(Pending())
    private let state = Mutex(State())

    init(windows: [Int]) { self.windows = windows.sorted() }

    /// Hands a served batch over, off the request path's work: one flag read when the version has no reference.
    func observe(_ inputs: [String: Tensor], outputs: [String: Tensor], rows: Int) {
        guard active.load(ordering: .relaxed) else { return }
        pending.withLock { pending in
            guard pending.rows + rows <= Self.maxPendingRows else {
                pending.skipped += rows
                return
            }
            pending.batches.append(Batch(inputs: inputs, outputs: outputs, rows: rows))
            pending.rows += rows
        }
    }

    /// Starts over against `setup` (or stops, with nil): the windows and the hour are emptied.
    func configure(_ setup: Setup?, now: Date) {
        state.withLock { state in
            state = State()
            state.setup = setup
            if let setup {
                let capacity = windows.last ?? 1_000
                for entry in setup.map.entries {
                    guard let reference = setup.profile.column(named: entry.name) else { continue }
                    state.rings[entry.name] = Ring(numerical: reference.numerical, capacity: capacity)
                }
                state.hour = Hour(start: now)
            }
        }
        pending.withLock { $0 = Pending() }
        active.store(setup != nil, ordering: .relaxed)
    }

    var isConfigured: Bool { active.load(ordering: .relaxed) }

    /// Whether the version has a reference its served rows are judged against.
    public var isMonitoring: Bool { isConfigured }

    /// Takes the waiting batches' columns into the windows and the hour's sample; returns the rows taken.
    @discardableResult
    func drain() -> Int {
        let taken = pending.withLock { pending -> [Batch] in
            defer {
                pending.batches.removeAll()
                pending.rows = 0
            }
            return pending.batches
        }
        guard !taken.isEmpty else { return 0 }
        return state.withLock { state -> Int in
            guard let setup = state.setup else { return 0 }
            var rows = 0
            for batch in taken {
                var columns: [String: ColumnValues] = [:]
                for entry in setup.map.entries where state.rings[entry.name] != nil {
                    if let values = DriftColumnMap.values(entry.source, inputs: batch.inputs, outputs: batch.outputs, rows: batch.rows) {
                        columns[entry.name] = values
                        state.rings[entry.name]!.append(values)
                    }
                }
                if state.hour != nil { Self.sample(&state.hour!, columns, rows: batch.rows) }
                rows += batch.rows
            }
            state.total += rows
            return rows
        }
    }

    static func sample(_ hour: inout Hour, _ columns: [String: ColumnValues], rows: Int) {
        for row in 0..<rows {
            hour.seen += 1
            let slot: Int
            if hour.seen <= hourlySample {
                slot = hour.seen - 1
            } else {
                let pick = Int(hour.generator.next() % UInt64(hour.seen))
                guard pick < hourlySample else { continue }
                slot = pick
            }
            for (name, values) in columns {
                switch values {
                case .numbers(let numbers, let integral):
                    hour.integral[name] = (hour.integral[name] ?? true) && integral
                    place(&hour.columns[name, default: []], numbers[row], at: slot)
                case .strings(let strings):
                    place(&hour.categories[name, default: []], strings[row], at: slot)
                }
            }
        }
    }

    /// Appends at the end or replaces a kept row (a column that missed rows skips the slots it never had).
    static func place<T>(_ kept: inout [T], _ value: T, at slot: Int) {
        if slot == kept.count { kept.append(value) } else if slot < kept.count { kept[slot] = value }
    }

    /// Judges every window against the reference when rows arrived since the last time. When the dataset verdict
    /// of the smallest window (once full) changes, the change waits for `takeChange`.
    @discardableResult
    func evaluate() -> [Window] {
        let (setup, columns, total, evaluatedAt) = state.withLock { state in
            (state.setup, state.rings, state.total, state.evaluatedAt)
        }
        guard let setup else { return [] }
        if total == evaluatedAt { return state.withLock { $0.reports } }
        var reports: [Window] = []
        for size in windows {
            let rows = min(size, total)
            guard rows > 0 else { continue }
            let current = columns.mapValues { $0.last(size) }
            reports.append(
                Window(size: size, rows: rows, report: DriftReport(profile: setup.profile, current: current, currentRows: rows, settings: setup.settings)))
        }
        return state.withLock { state in
            // A reconfiguration meanwhile made these reports stale.
            guard state.setup?.referenceCreatedAt == setup.referenceCreatedAt, state.total >= total else { return state.reports }
            state.reports = reports
            state.evaluatedAt = total
            guard let first = reports.first, first.rows >= first.size else { return reports }
            let now = first.report.datasetDrift
            if state.drifting != now && (state.drifting != nil || now) { state.change = (now, first) }
            state.drifting = now
            return reports
        }
    }

    /// The last unrecorded start or stop of drifting, once.
    func takeChange() -> (drifting: Bool, window: Window)? {
        state.withLock { state in
            defer { state.change = nil }
            return state.change
        }
    }

    /// The hour's summary when the hour is over (or `force`, at shutdown), starting the next hour.
    func takeHour(model: ModelName, version: SemanticVersion, now: Date, hourSeconds: TimeInterval, force: Bool) -> DriftSummary? {
        state.withLock { state -> DriftSummary? in
            guard let setup = state.setup, let hour = state.hour else { return nil }
            guard force || now.timeIntervalSince(hour.start) >= hourSeconds else { return nil }
            state.hour = Hour(start: now)
            guard hour.seen > 0 else { return nil }
            var current: [String: DriftColumn] = [:]
            for (name, values) in hour.columns { current[name] = .numbers(values, integral: hour.integral[name] ?? false) }
            for (name, values) in hour.categories { current[name] = .categories(values) }
            let report = DriftReport(profile: setup.profile, current: current, currentRows: min(hour.seen, Self.hourlySample), settings: setup.settings)
            return DriftSummary(
                model: model, version: version, periodStart: hour.start,
                periodSeconds: max(1, Int(now.timeIntervalSince(hour.start).rounded())), rows: hour.seen, report: report)
        }
    }

    /// What the monitor holds now, for the API and the dashboard.
    public struct Status: Sendable {
        public var monitoring: Bool
        public var rowsSeen: Int
        public var skippedRows: Int
        public var drifting: Bool?
        public var windows: [Window]
        public var unmapped: [String]
    }

    /// Each monitored column's reference and current shares over the smallest window, for charts.
    public func distributions() -> [String: ColumnDistribution] {
        state.withLock { state -> [String: ColumnDistribution] in
            guard let setup = state.setup, let size = windows.first else { return [:] }
            var result: [String: ColumnDistribution] = [:]
            for (name, ring) in state.rings where ring.count > 0 {
                guard let reference = setup.profile.column(named: name) else { continue }
                result[name] = ColumnDistribution(reference: reference, current: ring.last(size))
            }
            return result
        }
    }

    /// The status after judging what was served so far (CPU work: call it off the event loops).
    public func currentStatus() -> Status {
        drain()
        evaluate()
        return status()
    }

    public func status() -> Status {
        let skipped = pending.withLock { $0.skipped }
        return state.withLock { state in
            let mapped = Set(state.rings.keys)
            return Status(
                monitoring: state.setup != nil, rowsSeen: state.total, skippedRows: skipped, drifting: state.drifting,
                windows: state.reports,
                unmapped: state.setup?.profile.columns.map(\.name).filter { !mapped.contains($0) } ?? [])
        }
    }
}

/// A small deterministic generator (SplitMix64) for the hourly reservoir: reproducible, no global state.
struct SplitMix: Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
