import Foundation

/// A fuzz run's budget and its report: a seeded short run in `swift test`; `scripts/fuzz.sh --minutes N` sets
/// `MODELYARD_FUZZ_SECONDS` (and a seed) for a long one, and reads the report line this prints.
public struct FuzzRun {
    public let surface: String
    public let seed: UInt64
    let deadline: ContinuousClock.Instant?
    let minimumCases: Int
    /// Where each case is written before it runs, so a crash leaves its reproducer behind.
    let caseFile: String?
    public private(set) var cases = 0

    /// A run of at least `cases` cases, or of `MODELYARD_FUZZ_SECONDS` seconds when that is set.
    public init(surface: String, cases: Int) {
        let environment = ProcessInfo.processInfo.environment
        self.surface = surface
        seed = environment["MODELYARD_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_261_207
        deadline = environment["MODELYARD_FUZZ_SECONDS"].flatMap(Double.init).map { .now + .seconds($0) }
        minimumCases = deadline == nil ? cases : 1
        caseFile = environment["MODELYARD_FUZZ_CASE_FILE"]
    }

    /// Whether to run another case (always at least `minimumCases`; then until the deadline, if any).
    public mutating func next(_ reproducer: @autoclosure () -> Data) -> Bool {
        let more = cases < minimumCases || deadline.map { ContinuousClock.now < $0 } ?? false
        guard more else { return false }
        cases += 1
        if let caseFile { try? reproducer().write(to: URL(fileURLWithPath: caseFile)) }
        return true
    }

    /// The line `scripts/fuzz.sh` reads: cases tried and the process's peak resident memory.
    public func report() {
        print("fuzz-report surface=\(surface) seed=\(seed) cases=\(cases) peak_rss_mb=\(Self.peakResidentMegabytes())")
    }

    public static func peakResidentMegabytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return -1 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }
}
