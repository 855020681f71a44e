import Foundation
import Testing

@testable import ModelRuntime

/// The inference requests' JSON reader agrees with Foundation's on valid documents and refuses invalid ones.
@Suite struct FastJSONTests {
    /// Compares parsed values structurally (numbers by value, as Foundation gives NSNumber and FastJSON Double).
    func same(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case (let x as [String: Any], let y as [String: Any]):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { same(value, $0) } ?? false }
        case (let x as [Any], let y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (let x as String, let y as String):
            return x == y
        case (is NSNull, is NSNull):
            return true
        case (let x as Bool, let y as NSNumber) where String(describing: type(of: y)).contains("Boolean"):
            return x == y.boolValue
        case (let x as Int64, let y as NSNumber):
            return x == y.int64Value
        case (let x as Double, let y as NSNumber):
            return x == y.doubleValue || (x.isNaN && y.doubleValue.isNaN)
        default:
            return false
        }
    }

    @Test(arguments: [
        #"{"inputs": [{"name": "X", "shape": [2, 3], "datatype": "FP32", "data": [1, -2.5, 3e2, 0.1, -0, 1E-7]}]}"#,
        #"[true, false, null, "a\"b\\c\/d\b\f\n\r\t", "\u00e9\u4e2d\ud83d\ude00", "héllo", [], {}, [[[]]]]"#,
        #"{"big": 1234567890123456789, "huge": 1e300}"#,
        "  \n\t{ \"spaced\" : [ 1 , 2 ] }  \n",
    ])
    func agreesWithFoundation(_ text: String) throws {
        let data = Data(text.utf8)
        let ours = try FastJSON.parse(data)
        let theirs = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        #expect(same(ours, theirs), "\(text)")
    }

    /// Numbers are correctly rounded (Foundation's reader goes through Decimal and can be off in the last bit).
    @Test func numbersAreCorrectlyRounded() throws {
        let texts = ["0.30000000000000004", "-1.7976931348623157e308", "5e-324", "0.1", "123456.789e-3", "2.2250738585072014e-308"]
        let values = try #require(try FastJSON.parse(Data("[\(texts.joined(separator: ","))]".utf8)) as? [Any])
        for (text, value) in zip(texts, values) { #expect(value as? Double == Double(text), "\(text)") }
    }

    @Test func readsTheNonFiniteLiteralsPythonWrites() throws {
        let values = try #require(try FastJSON.parse(Data("[NaN, Infinity, -Infinity, \"NaN\"]".utf8)) as? [Any])
        #expect((values[0] as? Double)?.isNaN == true && values[1] as? Double == .infinity)
        #expect(values[2] as? Double == -.infinity && values[3] as? String == "NaN")
    }

    @Test(arguments: [
        "", "{", "[1,]", "[01]", "[1.]", "[.5]", "[+1]", "[0x10]", "[1e]", "{\"a\" 1}", "{a: 1}", "[\"\\x\"]",
        "[\"unterminated]", "[1] 2", "[nul]", "[\"tab\there\"]", String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
    ])
    func refusesInvalidJSON(_ text: String) {
        #expect(throws: FastJSON.SyntaxError.self, "\(text.prefix(30))") { try FastJSON.parse(Data(text.utf8)) }
    }
}
