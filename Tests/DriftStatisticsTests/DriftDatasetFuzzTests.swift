import DriftStatistics
import Foundation
import FuzzSupport
import Testing

/// Mutates the oracle's CSVs and JSON Lines made from them where their structure lives — quotes, commas, line ends,
/// missing markers, numbers (huge, tiny, NaN words, hexadecimal), headers, truncations, spliced rows — then reads
/// each mutant, and when it reads, profiles it, judges it against itself and another sample, and round-trips the
/// profile through its stored form. Every step either works or throws `DriftError`; a trap ends the process, which
/// is what this hunts (`scripts/fuzz.sh --surface drift-dataset` runs it for minutes).
@Suite struct DriftDatasetFuzzTests {
    static let tokens: [String] = [
        "\"", "\"\"", ",", "\n", "\r\n", "\r", "", "NA", "nan", "NaN", "null", "None", "-inf", "inf", "1e308", "1e-320",
        "-0", "0x1F", "1e", "+", "-", ".", "é", "😀", "{", "}", "[1]", "\"a,b\"", "9999999999999999999999", "1.5",
    ]

    static func jsonLines(_ csv: String) -> String {
        let lines = csv.split(separator: "\n").map(String.init)
        guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false) else { return "" }
        return lines.dropFirst().prefix(200).map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            let fields = zip(header, cells).map { name, cell -> String in
                let value = Double(cell).map { $0.isFinite ? String($0) : "null" } ?? (cell.isEmpty ? "null" : "\"\(cell)\"")
                return "\"\(name)\": \(value)"
            }
            return "{" + fields.joined(separator: ", ") + "}"
        }.joined(separator: "\n")
    }

    @Test func mutatedDatasetsNeverCrash() throws {
        var run = FuzzRun(surface: "drift-dataset", cases: 800)
        var rng = SplitMix64(state: run.seed)
        let directory = EvidentlyOracleTests.directory
        let names = ["mean_shift_small", "missing_small", "tiny", "one_column", "new_category_small"]
        var originals: [[UInt8]] = []
        for name in names {
            let text = try String(contentsOf: directory.appendingPathComponent("\(name).reference.csv"), encoding: .utf8)
            originals.append(Array(text.utf8))
            originals.append(Array(Self.jsonLines(text).utf8))
        }
        let other = try DriftTable(parsing: Data(contentsOf: directory.appendingPathComponent("mean_shift_small.current.csv")), name: "other")
        var read = 0
        while true {
            var bytes = rng.pick(originals)
            for _ in 0..<(1 + rng.next(4)) {
                guard !bytes.isEmpty else { break }
                let at = rng.next(bytes.count)
                switch rng.next(5) {
                case 0: bytes.insert(contentsOf: Array(rng.pick(Self.tokens).utf8), at: at)
                case 1: bytes.removeSubrange(at..<min(bytes.count, at + 1 + rng.next(40)))
                case 2: bytes[at] = UInt8(truncatingIfNeeded: rng.next(256))
                case 3: bytes = Array(bytes.prefix(at))
                default:
                    let start = rng.next(bytes.count)
                    bytes.insert(contentsOf: bytes[start..<min(bytes.count, start + rng.next(200))], at: at)
                }
            }
            guard run.next(Data(bytes)) else { break }
            guard let table = try? DriftTable(parsing: Data(bytes), name: "fuzz") else { continue }
            read += 1
            let profile = ReferenceProfile(table, sketchLimit: 1 + rng.next(64))
            let current = Dictionary(table.columns.map { ($0.name, $0.values) }, uniquingKeysWith: { a, _ in a })
            let methods: [DriftMethod?] = [nil] + DriftMethod.allCases
            let settings = DriftSettings(columns: Dictionary(uniqueKeysWithValues: table.columns.prefix(3).map { ($0.name, .init(method: rng.pick(methods))) }))
            _ = DriftReport(profile: profile, current: current, currentRows: table.rows, settings: settings)
            _ = DriftReport(
                profile: profile, current: Dictionary(other.columns.map { ($0.name, $0.values) }, uniquingKeysWith: { a, _ in a }),
                currentRows: other.rows)
            for column in profile.columns { _ = current[column.name].flatMap { ColumnDistribution(reference: column.reference, current: $0) } }
            var stored = profile.encoded()
            #expect(try ReferenceProfile(decoding: stored) == profile)
            if !stored.isEmpty { stored[rng.next(stored.count)] ^= UInt8(1 + rng.next(255)) }
            _ = try? ReferenceProfile(decoding: stored)
        }
        run.report()
        #expect(read > 0, "no mutant was readable: the mutations are too coarse")
    }
}
