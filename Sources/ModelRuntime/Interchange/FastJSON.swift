import Foundation

/// A small JSON reader for inference requests, which are mostly long arrays of numbers.
///
/// Foundation's `JSONSerialization` reads every number through `Decimal` on Linux (about 3 µs each); this reads
/// them with `strtod` (correctly rounded) and is an order of magnitude faster on a 100-row batch. It produces the
/// same kinds of values (`[String: Any]`, `[Any]`, `String`, `NSNull`, numbers as `Double`, booleans as `Bool`),
/// and also accepts the bare `NaN`, `Infinity` and `-Infinity` that Python clients write.
public enum FastJSON {
    public struct SyntaxError: Error, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// A parsed JSON value, typed: reading it needs no dynamic casts. (On Linux, casting an `Any` that holds an
    /// array or dictionary to `[Any]` or `[String: Any]` can bridge it, deeply, through Foundation's classes; a
    /// 100-point MLflow batch spent more time in those casts than in parsing.)
    public enum Value: Sendable {
        case object([String: Value])
        case array([Value])
        case string(String)
        case number(Double)
        /// An integer of magnitude 2^53 or more that fits in 64 bits, kept exact.
        case integer(Int64)
        case bool(Bool)
        case null

        public subscript(key: String) -> Value? {
            if case .object(let fields) = self { return fields[key] }
            return nil
        }
    }

    /// Parses one JSON value; trailing whitespace is allowed, anything else after it is an error.
    public static func parse(_ data: Data) throws -> Any {
        try parse(data, AnyBuilder.self)
    }

    /// Parses one JSON value into a typed `Value`.
    public static func parseValue(_ data: Data) throws -> Value {
        try parse(data, ValueBuilder.self)
    }

    static func parse<B: Builder>(_ data: Data, _: B.Type) throws -> B.Value {
        try data.withUnsafeBytes { raw -> B.Value in
            var parser = Parser<B>(bytes: raw.bindMemory(to: UInt8.self))
            let value = try parser.value(depth: 0)
            parser.skipWhitespace()
            guard parser.index == parser.bytes.count else { throw parser.error("unexpected data after the JSON value") }
            return value
        }
    }

    /// What the parser makes of each kind of value.
    protocol Builder {
        associatedtype Value
        static func object(_ fields: [String: Value]) -> Value
        static func array(_ items: [Value]) -> Value
        static func string(_ text: String) -> Value
        static func number(_ value: Double) -> Value
        static func integer(_ value: Int64) -> Value
        static func bool(_ value: Bool) -> Value
        static var null: Value { get }
    }

    /// Foundation's shapes: `[String: Any]`, `[Any]`, `String`, `Double`, `Int64`, `Bool`, `NSNull`.
    enum AnyBuilder: Builder {
        static func object(_ fields: [String: Any]) -> Any { fields }
        static func array(_ items: [Any]) -> Any { items }
        static func string(_ text: String) -> Any { text }
        static func number(_ value: Double) -> Any { value }
        static func integer(_ value: Int64) -> Any { value }
        static func bool(_ value: Bool) -> Any { value }
        static var null: Any { NSNull() }
    }

    enum ValueBuilder: Builder {
        static func object(_ fields: [String: Value]) -> Value { .object(fields) }
        static func array(_ items: [Value]) -> Value { .array(items) }
        static func string(_ text: String) -> Value { .string(text) }
        static func number(_ value: Double) -> Value { .number(value) }
        static func integer(_ value: Int64) -> Value { .integer(value) }
        static func bool(_ value: Bool) -> Value { .bool(value) }
        static var null: Value { .null }
    }

    struct Parser<B: Builder> {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        static var maxDepth: Int { 512 }

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        func error(_ reason: String) -> SyntaxError { SyntaxError(offset: index, reason: reason) }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws -> B.Value {
            guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth)") }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return B.string(try string())
            case UInt8(ascii: "t"): return try literal("true", B.bool(true))
            case UInt8(ascii: "f"): return try literal("false", B.bool(false))
            case UInt8(ascii: "n"): return try literal("null", B.null)
            case UInt8(ascii: "N"): return try literal("NaN", B.number(.nan))
            case UInt8(ascii: "I"): return try literal("Infinity", B.number(.infinity))
            default: return try number()
            }
        }

        mutating func literal(_ text: StaticString, _ value: B.Value) throws -> B.Value {
            let count = text.utf8CodeUnitCount
            guard index + count <= bytes.count, memcmp(bytes.baseAddress! + index, text.utf8Start, count) == 0 else {
                throw error("invalid literal")
            }
            index += count
            return value
        }

        mutating func object(depth: Int) throws -> B.Value {
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return B.object([:])
            }
            // Room for a typical small object (an MLflow metric has four fields) from the start: growing from
            // empty rehashed each object twice.
            var result = [String: B.Value](minimumCapacity: 4)
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a key string") }
                let key = try string()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
                index += 1
                result[key] = try value(depth: depth + 1)
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of input in an object") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return B.object(result)
                } else {
                    throw error("expected ',' or '}'")
                }
            }
        }

        mutating func array(depth: Int) throws -> B.Value {
            index += 1
            var result: [B.Value] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return B.array(result)
            }
            while true {
                result.append(try value(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of input in an array") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return B.array(result)
                } else {
                    throw error("expected ',' or ']'")
                }
            }
        }

        /// A number as `Double`; an integer of magnitude 2^53 or more that fits in 64 bits as `Int64`, so large
        /// identifiers stay exact.
        mutating func number() throws -> B.Value {
            let start = index
            if bytes[index] == UInt8(ascii: "-") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "I") {
                    _ = try literal("Infinity", B.null)
                    return B.number(-.infinity)
                }
            }
            while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
            let length = index - start
            guard length > 0, length < 400 else { throw error("invalid number") }
            // strtod needs a NUL-terminated copy; numbers are short.
            let value = try withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer -> Double in
                for i in 0..<length { buffer[i] = CChar(bitPattern: bytes[start + i]) }
                buffer[length] = 0
                var end: UnsafeMutablePointer<CChar>?
                let value = strtod(buffer.baseAddress!, &end)
                guard let end, end - buffer.baseAddress! == length, Self.isStrictNumber(bytes, start, length) else {
                    index = start
                    throw error("invalid number")
                }
                return value
            }
            // Integers from 2^53 on may lose digits as doubles (2^53 + 1 rounds down to 2^53): keep them exact when
            // they fit in 64 bits.
            if abs(value) >= 9_007_199_254_740_992,
                !bytes[start..<index].contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }),
                let exact = Int64(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
            {
                return B.integer(exact)
            }
            return B.number(value)
        }

        static func isNumberByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
                || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
        }

        /// JSON's grammar, narrower than strtod's (no hex, no leading '+', no bare '.5').
        static func isStrictNumber(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int) -> Bool {
            var i = start
            let end = start + length
            if bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < end, bytes[i] >= 0x30 && bytes[i] <= 0x39 else { return false }
            if bytes[i] == 0x30, i + 1 < end, bytes[i + 1] >= 0x30 && bytes[i + 1] <= 0x39 { return false }
            while i < end, bytes[i] >= 0x30 && bytes[i] <= 0x39 { i += 1 }
            if i < end, bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard i < end, bytes[i] >= 0x30 && bytes[i] <= 0x39 else { return false }
                while i < end, bytes[i] >= 0x30 && bytes[i] <= 0x39 { i += 1 }
            }
            if i < end, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < end, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                guard i < end, bytes[i] >= 0x30 && bytes[i] <= 0x39 else { return false }
                while i < end, bytes[i] >= 0x30 && bytes[i] <= 0x39 { i += 1 }
            }
            return i == end
        }

        mutating func string() throws -> String {
            index += 1
            let start = index
            // Fast path: no escapes.
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    index += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw error("control character in a string") }
                index += 1
            }
            var out = Array(bytes[start..<index])
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return String(decoding: out, as: UTF8.self)
                }
                if byte < 0x20 { throw error("control character in a string") }
                if byte != UInt8(ascii: "\\") {
                    out.append(byte)
                    index += 1
                    continue
                }
                index += 1
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    {
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("invalid surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    out.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
                default:
                    throw error("invalid escape")
                }
            }
            throw error("unterminated string")
        }

        mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case 0x30...0x39: digit = UInt32(byte - 0x30)
                case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
                case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
                default: throw error("invalid \\u escape")
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }
    }
}
