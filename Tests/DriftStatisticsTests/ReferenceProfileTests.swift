import DriftStatistics
import Foundation
import Testing

/// The stored reference: exact below the sketch size, within its documented error above it, and read back only
/// when every byte is where it should be.
@Suite struct ReferenceProfileTests {
    /// A deterministic sample with many distinct values (a linear congruential walk through a skewed shape).
    static func sample(_ n: Int, seed: UInt64, shift: Double = 0) -> [Double] {
        var state = seed
        return (0..<n).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = Double(state >> 11) / Double(1 << 53)
            return shift + u * u * 10
        }
    }

    @Test func aSketchStaysWithinItsDocumentedError() throws {
        let reference = Self.sample(60_000, seed: 1)
        let current = Self.sample(5_000, seed: 2, shift: 0.3)
        let exact = SortedSample(reference)
        let limit = 2_000
        let sketch = exact.sketched(limit: limit)
        #expect(!sketch.exact && sketch.values.count <= limit && abs(sketch.total - 60_000) < 1e-6)
        let range = exact.values.last! - exact.values.first!
        let w = Wasserstein.distance(exact, SortedSample(current))
        let ws = Wasserstein.distance(sketch, SortedSample(current))
        #expect(abs(w - ws) <= range / Double(limit), "\(w) vs sketch \(ws)")
        // KS statistics: CDFs within 1/limit.
        let ks = KolmogorovSmirnov.twoSample(exact, SortedSample(current)).statistic
        let kss = KolmogorovSmirnov.twoSample(sketch, SortedSample(current)).statistic
        #expect(abs(ks - kss) <= 1 / Double(limit))
        // A histogram's share per bin within 2/limit (one slice at each edge).
        for edge in stride(from: 0.5, to: 10, by: 0.5) {
            #expect(abs(exact.mass(below: edge, inclusive: false) - sketch.mass(below: edge, inclusive: false)) / 60_000 <= 1 / Double(limit))
        }
        // The verdict through the profile: the same method, the statistic within the bound after norming.
        let column = ReferenceColumn(.numbers(reference), sketchLimit: limit)
        let viaSketch = try DriftTests.column(reference: column, current: .numbers(current))
        let viaExact = try DriftTests.column(reference: .numbers(reference), current: .numbers(current))
        guard case .numbers(let summary) = column.values else { Issue.record("not numbers"); return }
        #expect(viaSketch.method == .wasserstein && viaExact.method == .wasserstein && summary.distinct == exact.values.count)
        #expect(abs(viaSketch.statistic - viaExact.statistic) <= range / Double(limit) / summary.standardDeviation)
    }

    @Test func integerColumnsKeepNumPysBinWidth() {
        // numpy.histogram_bin_edges(np.repeat(np.arange(22), 50000), "sturges") has 22 edges; as floats, 23.
        #expect(DriftTests.sturgesEdgeCount(first: 0, last: 21, count: 1_100_000, integral: true) == 22)
        #expect(DriftTests.sturgesEdgeCount(first: 0, last: 21, count: 1_100_000, integral: false) == 23)
    }

    static func profile() throws -> ReferenceProfile {
        let csv = "amount,channel,count\n1.5,web,3\n2.5,app,4\n,web,5\n3.5,,6\n" + (0..<40).map { "\($0).25,store,\($0)" }.joined(separator: "\n")
        return ReferenceProfile(try DriftTable(parsing: Data(csv.utf8), name: "reference.csv"), sketchLimit: 30)
    }

    @Test func theStoredFormReadsBackTheSame() throws {
        let profile = try Self.profile()
        #expect(try ReferenceProfile(decoding: profile.encoded()) == profile)
        #expect(profile.rows == 44 && profile.columns.map(\.name) == ["amount", "channel", "count"])
        #expect(profile.column(named: "amount")?.missing == 1 && profile.column(named: "channel")?.missing == 1)
    }

    @Test func aDamagedStoredFormIsRefusedNotTrusted() throws {
        let bytes = try Self.profile().encoded()
        // Every truncation, and every single-byte change, is an error or a profile; never a crash or a huge
        // allocation.
        for length in 0..<bytes.count {
            #expect(throws: DriftError.self) { try ReferenceProfile(decoding: Array(bytes[0..<length])) }
        }
        for index in bytes.indices {
            var damaged = bytes
            damaged[index] ^= 0xFF
            _ = try? ReferenceProfile(decoding: damaged)
        }
        var huge = Array(bytes[0..<16])
        huge += [0xFF, 0xFF, 0xFF, 0x7F]
        #expect(throws: DriftError.self) { try ReferenceProfile(decoding: huge) }
        #expect(throws: DriftError.self) { try ReferenceProfile(decoding: bytes + [0]) }
    }

    @Test func settingsAreChecked() throws {
        try DriftSettings().validate()
        #expect(throws: DriftError.self) { try DriftSettings(driftShare: 0).validate() }
        #expect(throws: DriftError.self) { try DriftSettings(driftThreshold: .nan).validate() }
        #expect(throws: DriftError.self) { try DriftSettings(columns: ["a": .init(method: .ks, threshold: 2)]).validate() }
        let decoded = try JSONDecoder().decode(DriftSettings.self, from: Data(#"{"columns": {"a": {"method": "psi"}}}"#.utf8))
        #expect(decoded.driftShare == 0.5 && decoded.columns["a"]?.method == .psi)
    }

    @Test func overridesAndIgnoredColumnsShapeTheReport() throws {
        let reference = try DriftTable(parsing: Data(("x,y,z\n" + (0..<300).map { "\($0 % 17),\($0 % 3),a" }.joined(separator: "\n")).utf8), name: "r")
        let current: [String: DriftColumn] = [
            "x": .numbers((0..<200).map { Double($0 % 17) + 4 }), "y": .numbers((0..<200).map { Double($0 % 3) }), "extra": .numbers([1]),
        ]
        let report = DriftReport(
            profile: ReferenceProfile(reference), current: current, currentRows: 200,
            settings: DriftSettings(columns: ["x": .init(method: .psi, threshold: 0.2)], ignore: []))
        #expect(report.columns.first?.name == "x" && report.columns.first?.method == .psi && report.columns.first?.drifted == true)
        #expect(report.columns.first { $0.name == "z" }?.problem != nil)
        #expect(report.comparedColumns == 2 && report.driftedColumns == 1 && report.datasetDrift && report.unmonitored == ["extra"])
        let ignoring = DriftReport(profile: ReferenceProfile(reference), current: current, currentRows: 200, settings: DriftSettings(ignore: ["x", "z"]))
        #expect(ignoring.columns.map(\.name) == ["y"] && !ignoring.datasetDrift)
    }
}
