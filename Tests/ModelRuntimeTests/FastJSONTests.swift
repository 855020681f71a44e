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

    /// The typed parse reads the same document as the untyped one.
    @Test func typedValuesMatchTheUntypedParse() throws {
        let text = #"{"a": [1.5, -2, 12345678901234567890, 9007199254740993], "b": {"c": "d\u00e9", "e": null}, "f": true}"#
        let value = try FastJSON.parseValue(Data(text.utf8))
        guard case .array(let a)? = value["a"], case .object(let b)? = value["b"], case .bool(true)? = value["f"] else {
            Issue.record("unexpected shape: \(value)")
            return
        }
        guard case .number(1.5) = a[0], case .number(-2) = a[1], case .number(let big) = a[2],
            case .integer(9_007_199_254_740_993) = a[3]
        else {
            Issue.record("unexpected numbers: \(a)")
            return
        }
        #expect(big == 12345678901234567890.0)
        guard case .string("dé")? = b["c"], case .null? = b["e"] else {
            Issue.record("unexpected object: \(b)")
            return
        }
        #expect(value["missing"] == nil)
    }

    /// What JSONBytes writes is valid JSON that reads back to the same values.
    @Test func writtenJSONReadsBack() throws {
        var out: [UInt8] = [UInt8(ascii: "[")]
        let integers: [Int64] = [0, -1, 7, Int64.max, Int64.min, 1_000_000]
        for value in integers {
            JSONBytes.appendInteger(value, to: &out)
            out.append(UInt8(ascii: ","))
        }
        JSONBytes.appendString("quote\" back\\ nl\n tab\t ctl\u{01} é", to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendNumber(Float(0.1), to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendNumber(Double.nan, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendNumber(-Double.infinity, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendNumber(1e-300, to: &out)
        out.append(UInt8(ascii: "]"))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(out)) as? [Any])
        for (value, read) in zip(integers, parsed) { #expect((read as? NSNumber)?.int64Value == value) }
        #expect(parsed[6] as? String == "quote\" back\\ nl\n tab\t ctl\u{01} é")
        #expect(Float((parsed[7] as? NSNumber)?.doubleValue ?? 0) == Float(0.1))
        #expect(parsed[8] as? String == "NaN" && parsed[9] as? String == "-Infinity")
        #expect((parsed[10] as? NSNumber)?.doubleValue == 1e-300)
    }

    /// Tensors written as Open Inference Protocol entries decode back to the same tensors.
    @Test func tensorEntriesRoundTrip() throws {
        let tensors = [
            InferenceProtocolJSON.NamedTensor(
                name: "probabilities", tensor: try Tensor(shape: [2, 2], storage: .float32([0.25, 0.75, .nan, 1]))),
            InferenceProtocolJSON.NamedTensor(name: "label", tensor: try Tensor(shape: [2], storage: .int64([-3, 4]))),
            InferenceProtocolJSON.NamedTensor(name: "names", tensor: try Tensor(shape: [2], storage: .string(["a\"b", ""]))),
            InferenceProtocolJSON.NamedTensor(name: "flags", tensor: try Tensor(shape: [1], storage: .bool([true]))),
        ]
        let decoded = try InferenceProtocolJSON.decode(try InferenceProtocolJSON.encode(tensors), key: "outputs")
        #expect(decoded.map(\.name) == tensors.map(\.name))
        for (a, b) in zip(decoded, tensors) {
            #expect(a.tensor.shape == b.tensor.shape)
            #expect(String(describing: a.tensor.storage) == String(describing: b.tensor.storage))
        }
    }
}
