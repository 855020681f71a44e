import Foundation
import ScikitLearn
import Testing

/// The pickle interpreter on pickles written by CPython 3.11's `pickle` (protocols 2-5; base64 below, made by
/// `pickle.dumps` of the dict in `plainData`), and on hostile ones: nothing a file names outside the allow-list
/// is ever reached, and malformed or truncated files are refused, never crash.
@Suite struct PickleReaderTests {
    /// {"name": "forest", "n": 200, "big": 2**70, "neg": -5, "neg_long": -(2**40), "pi": 3.5, "nan_ok": inf,
    ///  "flags": [True, False, None], "t": (1, 2, 3), "nested": {"k": [1.25, "é"]}, "raw": b"\x00\x01", "s": {7},
    ///  "shared": None, "a": shared, "b": shared} with `shared = [1, 2]` the same list twice.
    static let plainData: [Int: String] = [
        2: "gAJ9cQAoWAQAAABuYW1lcQFYBgAAAGZvcmVzdHECWAEAAABucQNLyFgDAAAAYmlncQSKCQAAAAAAAAAAQFgDAAAAbmVncQVK+////1gIAAAAbmVnX2xvbmdxBooGAAAAAAD/WAIAAABwaXEHR0AMAAAAAAAAWAYAAABuYW5fb2txCEd/8AAAAAAAAFgFAAAAZmxhZ3NxCV1xCiiIiU5lWAEAAAB0cQtLAUsCSwOHcQxYBgAAAG5lc3RlZHENfXEOWAEAAABrcQ9dcRAoRz/0AAAAAAAAWAIAAADDqXERZXNYAwAAAHJhd3ESY19jb2RlY3MKZW5jb2RlCnETWAIAAAAAAXEUWAYAAABsYXRpbjFxFYZxFlJxF1gBAAAAc3EYY19fYnVpbHRpbl9fCnNldApxGV1xGksHYYVxG1JxHFgGAAAAc2hhcmVkcR1OWAEAAABhcR5dcR8oSwFLAmVYAQAAAGJxIGgfdS4=",
        3: "gAN9cQAoWAQAAABuYW1lcQFYBgAAAGZvcmVzdHECWAEAAABucQNLyFgDAAAAYmlncQSKCQAAAAAAAAAAQFgDAAAAbmVncQVK+////1gIAAAAbmVnX2xvbmdxBooGAAAAAAD/WAIAAABwaXEHR0AMAAAAAAAAWAYAAABuYW5fb2txCEd/8AAAAAAAAFgFAAAAZmxhZ3NxCV1xCiiIiU5lWAEAAAB0cQtLAUsCSwOHcQxYBgAAAG5lc3RlZHENfXEOWAEAAABrcQ9dcRAoRz/0AAAAAAAAWAIAAADDqXERZXNYAwAAAHJhd3ESQwIAAXETWAEAAABzcRRjYnVpbHRpbnMKc2V0CnEVXXEWSwdhhXEXUnEYWAYAAABzaGFyZWRxGU5YAQAAAGFxGl1xGyhLAUsCZVgBAAAAYnEcaBt1Lg==",
        4: "gASV2AAAAAAAAAB9lCiMBG5hbWWUjAZmb3Jlc3SUjAFulEvIjANiaWeUigkAAAAAAAAAAECMA25lZ5RK+////4wIbmVnX2xvbmeUigYAAAAAAP+MAnBplEdADAAAAAAAAIwGbmFuX29rlEd/8AAAAAAAAIwFZmxhZ3OUXZQoiIlOZYwBdJRLAUsCSwOHlIwGbmVzdGVklH2UjAFrlF2UKEc/9AAAAAAAAIwCw6mUZXOMA3Jhd5RDAgABlIwBc5SPlChLB5CMBnNoYXJlZJROjAFhlF2UKEsBSwJljAFilGgYdS4=",
        5: "gAWV2AAAAAAAAAB9lCiMBG5hbWWUjAZmb3Jlc3SUjAFulEvIjANiaWeUigkAAAAAAAAAAECMA25lZ5RK+////4wIbmVnX2xvbmeUigYAAAAAAP+MAnBplEdADAAAAAAAAIwGbmFuX29rlEd/8AAAAAAAAIwFZmxhZ3OUXZQoiIlOZYwBdJRLAUsCSwOHlIwGbmVzdGVklH2UjAFrlF2UKEc/9AAAAAAAAIwCw6mUZXOMA3Jhd5RDAgABlIwBc5SPlChLB5CMBnNoYXJlZJROjAFhlF2UKEsBSwJljAFilGgYdS4=",
    ]
    /// Protocols 2 and 3 write bytes and sets as calls of these.
    static let reader = PickleReader(allowed: ["_codecs.encode", "__builtin__.set", "builtins.set", "collections.OrderedDict"])

    static func bytes(_ base64: String) -> [UInt8] { Array(Data(base64Encoded: base64)!) }

    @Test(arguments: [2, 3, 4, 5]) func plainDataOfEveryProtocol(protocolVersion: Int) throws {
        let root = try Self.reader.read(Self.bytes(Self.plainData[protocolVersion]!))
        #expect(root["name"]?.string == "forest" && root["n"]?.int == 200 && root["neg"]?.int == -5)
        #expect(root["neg_long"]?.int == -(Int64(1) << 40))
        guard case .bigInt(let digits) = root["big"]?.kind else { Issue.record("2**70 is not a big int"); return }
        #expect(digits == [0, 0, 0, 0, 0, 0, 0, 0, 0x40])
        guard case .float(let pi) = root["pi"]?.kind, case .float(let infinity) = root["nan_ok"]?.kind else {
            Issue.record("floats"); return
        }
        #expect(pi == 3.5 && infinity == .infinity)
        let flags = try #require(root["flags"]?.items)
        guard case .bool(true) = flags[0].kind, case .bool(false) = flags[1].kind, case .none = flags[2].kind else {
            Issue.record("flags"); return
        }
        #expect(root["t"]?.items?.compactMap(\.int) == [1, 2, 3])
        #expect(root["nested"]?["k"]?.items?.last?.string == "é")
        // The memo shares one list between two keys, as Python does.
        #expect(root["a"] === root["b"] && root["a"]?.items?.compactMap(\.int) == [1, 2])
        switch root["raw"]?.kind {
        case .bytes(let raw): #expect(raw == [0, 1])
        case .object(let call): #expect(call.callable == "_codecs.encode" && protocolVersion == 2)
        default: Issue.record("raw bytes")
        }
        switch root["s"]?.kind {
        case .set(let items): #expect(items.compactMap(\.int) == [7])
        case .object(let call): #expect(call.callable.hasSuffix(".set") && call.arguments.count == 1)
        default: Issue.record("set")
        }
    }

    @Test func callsAreRecordedNotMade() throws {
        let ordered = try Self.reader.read(Self.bytes("gASVKQAAAAAAAACMC2NvbGxlY3Rpb25zlIwLT3JkZXJlZERpY3SUk5QpUpSMAXiUSwFzLg=="))
        guard case .object(let call) = ordered.kind else { Issue.record("not an object"); return }
        #expect(call.callable == "collections.OrderedDict" && call.arguments.isEmpty)
        #expect(call.dictItems.count == 1 && call.dictItems[0].0.string == "x" && call.dictItems[0].1.int == 1)
    }

    /// `__reduce__` payloads that would run `os.system("touch MARKER")`, `eval("1")` and
    /// `subprocess.Popen(["touch", "MARKER"])` on `pickle.loads`: each is refused naming what it calls, and the
    /// marker file never appears.
    @Test func dangerousCallablesAreRefusedAndNothingRuns() throws {
        // The payloads touch `MARKER` in the working directory (not changed here: tests run in parallel).
        let marker = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("MARKER")
        let existedBefore = FileManager.default.fileExists(atPath: marker.path)
        for (payload, name) in [
            ("gAJjcG9zaXgKc3lzdGVtCnEAWAwAAAB0b3VjaCBNQVJLRVJxAYVxAlJxAy4=", "posix.system"),
            ("gASVHQAAAAAAAACMCGJ1aWx0aW5zlIwEZXZhbJSTlIwBMZSFlFKULg==", "builtins.eval"),
            ("gAWVMQAAAAAAAACMCnN1YnByb2Nlc3OUjAVQb3BlbpSTlF2UKIwFdG91Y2iUjAZNQVJLRVKUZYWUUpQu", "subprocess.Popen"),
        ] {
            #expect(throws: PickleError.forbiddenGlobal(name)) { try Self.reader.read(Self.bytes(payload)) }
        }
        #expect(existedBefore || !FileManager.default.fileExists(atPath: marker.path))
        #expect(PickleError.forbiddenGlobal("posix.system").description.contains("nothing of it ran"))
    }

    @Test func malformedTruncatedAndOversizedFilesAreRefused() throws {
        let valid = Self.bytes(Self.plainData[4]!)
        for length in 0..<valid.count {
            #expect(throws: PickleError.self, "prefix of \(length) bytes") { try Self.reader.read(Array(valid.prefix(length))) }
        }
        // BINBYTES8 declaring 2**60 bytes: refused before anything is allocated.
        let huge: [UInt8] = [0x80, 0x04, 0x8E] + [0, 0, 0, 0, 0, 0, 0, 0x10] + [0x2E]
        #expect(throws: PickleError.self) { try Self.reader.read(huge) }
        // Structural nonsense: STOP with nothing, APPEND to a dict, BINGET of a missing memo entry, a text opcode.
        for bad: [UInt8] in [[0x2E], [0x7D, 0x4B, 1, 0x61, 0x2E], [0x68, 9, 0x2E], [0x49, 0x31, 0x0A, 0x2E], [0x28, 0x74]] {
            #expect(throws: PickleError.self, "\(bad)") { try Self.reader.read(bad) }
        }
        // A million nested lists and tuples are read and freed without exhausting the stack.
        let lists: [UInt8] = [0x80, 0x04] + Array(repeating: 0x5D, count: 1_000_000) + Array(repeating: 0x61, count: 999_999) + [0x2E]
        _ = try Self.reader.read(lists)
        let tuples: [UInt8] = [0x80, 0x04, 0x4E] + Array(repeating: 0x85, count: 1_000_000) + [0x2E]
        _ = try Self.reader.read(tuples)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let random = (0..<Int.random(in: 1...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? Self.reader.read(random)
        }
        // Seeded mutations of a valid file: each is read or refused, never a crash.
        var state: UInt64 = 0x5EED
        for _ in 0..<5_000 {
            var mutated = valid
            for _ in 0..<3 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                mutated[Int(state >> 33) % mutated.count] = UInt8(truncatingIfNeeded: state >> 17)
            }
            _ = try? Self.reader.read(mutated)
        }
    }
}
