/// JSON text appended straight to bytes, for responses written on every prediction.
///
/// `JSONSerialization` boxes every number, bridges the whole tree to Foundation's classes and sorts keys on each
/// call; at batch 100 that cost as much as the forest's tree walk. Writers of fixed shapes call these in their
/// own key order instead. Non-finite numbers are written as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`,
/// as everywhere else in the Open Inference Protocol JSON.
public enum JSONBytes {
    /// `text` as a JSON string literal.
    public static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        let plain = text.withUTF8 { bytes in
            // Most strings need no escaping: copy them whole.
            guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if !plain {
            for byte in text.utf8 {
                switch byte {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case ..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A decimal integer, without an intermediate `String`.
    public static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for 20 digits, written backwards
        withUnsafeMutableBytes(of: &digits) { raw in
            var i = raw.count
            repeat {
                i -= 1
                raw[i] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            out.append(contentsOf: raw[i...])
        }
    }

    public static func appendNumber(_ value: Double, to out: inout [UInt8]) {
        if value.isFinite {
            out.append(contentsOf: value.description.utf8)
        } else {
            appendNonFinite(value.isNaN, value > 0, to: &out)
        }
    }

    /// A float32 in its shortest round-trip form (what a float32 client parses back to the same value).
    public static func appendNumber(_ value: Float, to out: inout [UInt8]) {
        if value.isFinite {
            out.append(contentsOf: value.description.utf8)
        } else {
            appendNonFinite(value.isNaN, value > 0, to: &out)
        }
    }

    private static func appendNonFinite(_ nan: Bool, _ positive: Bool, to out: inout [UInt8]) {
        out.append(contentsOf: (nan ? "\"NaN\"" : positive ? "\"Infinity\"" : "\"-Infinity\"").utf8)
    }

    /// A tensor's elements, flat, as a JSON array.
    public static func appendElements(_ storage: Tensor.Storage, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        func each<T>(_ values: [T], _ write: (T, inout [UInt8]) -> Void) {
            for (i, value) in values.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(value, &out)
            }
        }
        switch storage {
        case .float32(let v): each(v) { appendNumber($0, to: &$1) }
        case .float64(let v): each(v) { appendNumber($0, to: &$1) }
        case .int64(let v): each(v) { appendInteger($0, to: &$1) }
        case .int32(let v): each(v) { appendInteger(Int64($0), to: &$1) }
        case .bool(let v): each(v) { $1.append(contentsOf: ($0 ? "true" : "false").utf8) }
        case .string(let v): each(v) { appendString($0, to: &$1) }
        }
        out.append(UInt8(ascii: "]"))
    }

    /// One Open Inference Protocol tensor entry, keys in sorted order:
    /// `{"data": [...], "datatype", "name", "shape"}`, or with `"parameters": {"binary_data_size": N}` in place
    /// of the data when its bytes travel after the JSON.
    public static func appendTensorEntry(name: String, tensor: Tensor, binarySize: Int? = nil, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        if binarySize == nil {
            out.append(contentsOf: "\"data\":".utf8)
            appendElements(tensor.storage, to: &out)
            out.append(UInt8(ascii: ","))
        }
        out.append(contentsOf: "\"datatype\":".utf8)
        appendString(tensor.elementType.inferenceProtocolName, to: &out)
        out.append(contentsOf: ",\"name\":".utf8)
        appendString(name, to: &out)
        if let binarySize {
            out.append(contentsOf: ",\"parameters\":{\"binary_data_size\":".utf8)
            appendInteger(Int64(binarySize), to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: ",\"shape\":[".utf8)
        for (i, dimension) in tensor.shape.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendInteger(Int64(dimension), to: &out)
        }
        out.append(contentsOf: "]}".utf8)
    }
}
