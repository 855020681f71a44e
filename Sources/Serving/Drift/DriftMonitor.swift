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

        /// One value, converted to the reference's kind: text in a numerical column is a number where it parses
        /// (else missing), a number in a categorical column its decimal text.
        mutating func push(_ cell: DriftColumnMap.Cell) {
            switch cell {
            case .number(let value, let isIntegral):
                integral = integral && isIntegral
                if numerical { Self.push(&numbers, &head, capacity, value) } else { Self.push(&strings, &head, capacity, value.isFinite ? String(value) : nil) }
            case .text(let value):
                if numerical { Self.push(&numbers, &head, capacity, value.flatMap(Double.init) ?? .nan) } else { Self.push(&strings, &head, capacity, value) }
            }
        }

        private static func push<T>(_ storage: inout [T], _ head: inout Int, _ capacity: Int, _ value: T) {
            if storage.count < capacity {
                storage.append(value)
            } else {
                storage[head] = value
                head = (head + 1) % capacity
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
        var kept = 0
        var generator = SplitMix(seed: 0x5eed)

        /// Where the next row goes in the sample, or nil when the reservoir passes it over.
        mutating func slot() -> Int? {
            seen += 1
            if seen <= DriftMonitor.hourlySample {
                kept = seen
                return seen - 1
            }
            let pick = Int(generator.next() % UInt64(seen))
            return pick < DriftMonitor.hourlySample ? pick : nil
        }
    }

    /// One monitored column: where it is in a prediction, its window ring and its share of the hour's sample.
    struct Column {
        let name: String
        let source: DriftColumnMap.Source
        var ring: Ring
        var hourNumbers: [Double] = []
        var hourStrings: [String?] = []
        var hourIntegral = true

        mutating func keep(_ cell: DriftColumnMap.Cell, at slot: Int) {
            func place<T>(_ kept: inout [T], _ value: T) {
                if slot == kept.count { kept.append(value) } else if slot < kept.count { kept[slot] = value }
            }
            switch cell {
            case .number(let value, let integral):
                hourIntegral = hourIntegral && integral
                if ring.numerical { place(&hourNumbers, value) } else { place(&hourStrings, value.isFinite ? String(value) : nil) }
            case .text(let value):
                if ring.numerical { place(&hourNumbers, value.flatMap(Double.init) ?? .nan) } else { place(&hourStrings, value) }
            }
        }

        static let placeholder = Column(name: "", source: .label(output: ""), ring: Ring(numerical: true, capacity: 0))

        func hourColumn() -> DriftColumn { ring.numerical ? .numbers(hourNumbers, integral: hourIntegral) : .categories(hourStrings) }
    }

    struct State {
        var setup: Setup?
        var columns: [Column] = []
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
                    state.columns.append(Column(name: entry.name, source: entry.source, ring: Ring(numerical: reference.numerical, capacity: capacity)))
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
            guard state.setup != nil else { return 0 }
            var rows = 0
            var slots: [Int?] = []
            for batch in taken {
                slots.removeAll(keepingCapacity: true)
                for _ in 0..<batch.rows { slots.append(state.hour?.slot()) }
                for index in state.columns.indices {
                    guard let reader = DriftColumnMap.Reader(state.columns[index].source, inputs: batch.inputs, outputs: batch.outputs, rows: batch.rows)
                    else { continue }
                    // Moved out while it fills, so its arrays stay uniquely referenced and grow in place.
                    var column = Column.placeholder
                    swap(&column, &state.columns[index])
                    reader.forEach(rows: batch.rows) { row, cell in
                        column.ring.push(cell)
                        if let slot = slots[row] { column.keep(cell, at: slot) }
                    }
                    swap(&column, &state.columns[index])
                }
                rows += batch.rows
            }
            state.total += rows
            return rows
        }
    }

    /// Judges every window against the reference when rows arrived since the last time. When the dataset verdict
    /// of the smallest window (once full) changes, the change waits for `takeChange`.
    @discardableResult
    func evaluate() -> [Window] {
        let (setup, columns, total, evaluatedAt) = state.withLock { state in
            (state.setup, state.columns.map { ($0.name, $0.ring) }, state.total, state.evaluatedAt)
        }
        guard let setup else { return [] }
        if total == evaluatedAt { return state.withLock { $0.reports } }
        var reports: [Window] = []
        for size in windows {
            let rows = min(size, total)
            guard rows > 0 else { continue }
            let current = Dictionary(columns.map { ($0.0, $0.1.last(size)) }, uniquingKeysWith: { a, _ in a })
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
            var current: [String: DriftColumn] = [:]
            for index in state.columns.indices {
                current[state.columns[index].name] = state.columns[index].hourColumn()
                state.columns[index].hourNumbers = []
                state.columns[index].hourStrings = []
                state.columns[index].hourIntegral = true
            }
            guard hour.seen > 0 else { return nil }
            let report = DriftReport(profile: setup.profile, current: current, currentRows: hour.kept, settings: setup.settings)
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
            for column in state.columns where column.ring.count > 0 {
                guard let reference = setup.profile.column(named: column.name) else { continue }
                result[column.name] = ColumnDistribution(reference: reference, current: column.ring.last(size))
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
            let mapped = Set(state.columns.map(\.name))
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
