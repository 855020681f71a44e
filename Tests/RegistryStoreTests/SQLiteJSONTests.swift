import Foundation
@testable import RegistryStore
import Testing

/// The hand-written string-map encoder writes exactly what `JSONEncoder` with sorted keys writes, so stored
/// details read the same whichever wrote them.
@Suite struct SQLiteJSONTests {
    @Test func stringMapsMatchJSONEncoderByteForByte() throws {
        var samples: [[String: String]] = [
            [:],
            ["status": "ready"],
            ["b": "2", "a": "1", "c": ""],
            ["B": "1", "a": "2", "Z": "3", "é": "4", "e": "5", "k10": "6", "k2": "7", "_": "8"],
            ["quote\"": "back\\slash", "slash/": "a/b", "lines": "one\ntwo\r\tthree"],
            ["control": "\u{0}\u{1}\u{8}\u{b}\u{c}\u{1f}\u{7f}", "unicode": "é ü 中文 🚀 \u{2028}\u{2029}"],
        ]
        samples.append(Dictionary(uniqueKeysWithValues: (0..<32).map { ("k\($0)", String(UnicodeScalar(UInt8($0)))) }))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for sample in samples {
            let expected = String(decoding: try encoder.encode(sample), as: UTF8.self)
            #expect(SQLiteRows.json(sample) == expected)
            #expect(try JSONDecoder().decode([String: String].self, from: Data(SQLiteRows.json(sample).utf8)) == sample)
        }
    }
}
