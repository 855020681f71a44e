import Foundation

/// A dataset read as pandas reads it for Evidently: CSV with a header row (RFC 4180 quoting) or JSON Lines (one
/// object per line). A column whose every present value is a number is numerical (integral when every value was
/// an integer literal and none is missing, as pandas' int64), anything else categorical. pandas' default missing
/// markers (`""`, `NA`, `NaN`, `null`, `None`, `#N/A`, …) and JSON `null` or an absent key are missing values.
public struct DriftTable: Sendable {
    public struct Column: Sendable {
        public var name: String
        public var values: DriftColumn
        public init(name: String, values: DriftColumn) {
            self.name = name
            self.values = values
        }
    }

    public var columns: [Column]
    public var rows: Int

    public static let maxColumns = 10_000

    public init(columns: [Column], rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    public func column(named name: String) -> DriftColumn? { columns.first { $0.name == name }?.values }

    /// Reads CSV, or JSON Lines when the first character that is not white space is `{`.
    public init(parsing data: Data, name: String) throws(DriftError) {
        let bytes = [UInt8](data)
        let head = bytes.first { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }
        guard head != nil else { throw DriftError(description: "\(name) is empty") }
        guard bytes.count < Int(Int32.max) else { throw DriftError(description: "\(name) is larger than 2 GiB") }
        if head == UInt8(ascii: "{") {
            self = try Self.jsonLines(bytes, name: name)
        } else {
            self = try Self.csv(bytes, name: name)
        }
    }

    static let missingMarkers: Set<String> = [
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA",
        "NULL", "NaN", "None", "n/a", "nan", "null",
    ]

    /// A cell as pandas' C parser would type it: a number (and whether it is an integer literal), or not. Digits,
    /// one point, one exponent (what strtod reads, without hexadecimal or named values), or ±inf / ±infinity.
    static func number(_ cell: ArraySlice<UInt8>) -> (value: Double, integral: Bool)? {
        var body = cell
        while let first = body.first, first == 0x20 || first == 0x09 { body = body.dropFirst() }
        while let last = body.last, last == 0x20 || last == 0x09 { body = body.dropLast() }
        guard !body.isEmpty, body.count < 128 else { return nil }
        var unsigned = body
        let negative = unsigned.first == UInt8(ascii: "-")
        if negative || unsigned.first == UInt8(ascii: "+") { unsigned = unsigned.dropFirst() }
        let lowered = String(decoding: unsigned, as: UTF8.self).lowercased()
        if lowered == "inf" || lowered == "infinity" { return (negative ? -.infinity : .infinity, false) }
        var digits = false
        var point = false
        var exponent = false
        var previous: UInt8 = 0
        for byte in unsigned {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits = true
            case UInt8(ascii: ".") where !point && !exponent: point = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                guard digits, !exponent else { return nil }
                exponent = true
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                guard previous == UInt8(ascii: "e") || previous == UInt8(ascii: "E") else { return nil }
            default: return nil
            }
            previous = byte
        }
        // A sign alone, or an exponent with no digits after it, is not a number.
        guard digits, let last = unsigned.last, last >= UInt8(ascii: "0") && last <= UInt8(ascii: "9") || last == UInt8(ascii: ".") else {
            return nil
        }
        let value = withUnsafeTemporaryAllocation(of: CChar.self, capacity: body.count + 1) { buffer -> Double in
            for (offset, byte) in body.enumerated() { buffer[offset] = CChar(bitPattern: byte) }
            buffer[body.count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
        return (value, !point && !exponent)
    }

    /// The missing markers by first byte, so a cell is checked without copying it.
    static let markersByFirstByte: [[[UInt8]]] = {
        var table = [[[UInt8]]](repeating: [], count: 256)
        for marker in missingMarkers where !marker.isEmpty { table[Int(marker.utf8.first!)].append(Array(marker.utf8)) }
        return table
    }()

    static func isMissing(_ cell: ArraySlice<UInt8>) -> Bool {
        guard let first = cell.first else { return true }
        return markersByFirstByte[Int(first)].contains { $0.count == cell.count && $0.elementsEqual(cell) }
    }

    /// One column's cells typed at the end: numbers when every present cell is one. `cell(i)` is row i's bytes,
    /// nil for a field the row does not have.
    static func typed(rows: Int, _ cell: (Int) -> ArraySlice<UInt8>?) -> DriftColumn {
        var numbers: [Double] = []
        numbers.reserveCapacity(rows)
        var integral = true
        for row in 0..<rows {
            guard let bytes = cell(row), !isMissing(bytes) else {
                numbers.append(.nan)
                integral = false
                continue
            }
            guard let parsed = number(bytes) else {
                return .categories((0..<rows).map { row in cell(row).flatMap { isMissing($0) ? nil : String(decoding: $0, as: UTF8.self) } })
            }
            numbers.append(parsed.value)
            integral = integral && parsed.integral
        }
        return .numbers(numbers, integral: integral)
    }

    /// A field of the record being read: a span of the input, or a quoted field's unescaped text.
    enum Field {
        case span(Range<Int>)
        case text([UInt8])
    }

    /// CSV over bytes (every delimiter is ASCII, so UTF-8 text passes through). Each cell is kept as two offsets
    /// (8 bytes, where a slice would take 33): into the input, or, for a quoted field with doubled quotes, into the
    /// side buffer of unescaped text placed after it.
    static func csv(_ bytes: [UInt8], name: String) throws(DriftError) -> DriftTable {
        guard bytes.count < Int(Int32.max) / 2 else { throw DriftError(description: "\(name) is larger than 1 GiB") }
        let quote = UInt8(ascii: "\"")
        let comma = UInt8(ascii: ",")
        let newline = UInt8(ascii: "\n")
        let carriage = UInt8(ascii: "\r")
        var names: [String]?
        var spans: [[Int32]] = []  // per column: start, end per row; -1, -1 for a field the row lacks
        var extra: [UInt8] = []
        var record: [Field] = []
        var rows = 0
        var line = 1
        var index = 0
        func bytesOf(_ field: Field) -> ArraySlice<UInt8> {
            switch field {
            case .span(let range): bytes[range]
            case .text(let text): text[...]
            }
        }
        func finish() throws(DriftError) {
            defer { record.removeAll(keepingCapacity: true) }
            // pandas skips blank lines.
            if record.count == 1 && bytesOf(record[0]).allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            guard let names else {
                let header = record.map { String(decoding: bytesOf($0), as: UTF8.self).trimmingCharacters(in: .whitespaces) }
                guard header.count <= maxColumns else {
                    throw DriftError(description: "\(name) has \(header.count) columns; drift is compared over at most \(maxColumns)")
                }
                if let twice = Dictionary(grouping: header, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
                    throw DriftError(description: "\(name) names the column '\(twice)' twice")
                }
                names = header
                spans = [[Int32]](repeating: [], count: header.count)
                return
            }
            guard record.count <= names.count else {
                throw DriftError(description: "\(name) line \(line) has \(record.count) fields; the header names \(names.count)")
            }
            for column in names.indices {
                let (start, end): (Int, Int)
                if column >= record.count {
                    (start, end) = (-1, -1)
                } else {
                    switch record[column] {
                    case .span(let range): (start, end) = (range.lowerBound, range.upperBound)
                    case .text(let text):
                        (start, end) = (bytes.count + extra.count, bytes.count + extra.count + text.count)
                        extra += text
                    }
                }
                spans[column].append(Int32(start))
                spans[column].append(Int32(end))
            }
            rows += 1
        }
        while index <= bytes.count {
            // One field from `index`.
            var start = index
            while start < bytes.count && bytes[start] == 0x20 { start += 1 }
            if start < bytes.count && bytes[start] == quote {
                var text: [UInt8] = []
                var cursor = start + 1
                var closed = false
                while cursor < bytes.count {
                    if bytes[cursor] == quote {
                        if cursor + 1 < bytes.count && bytes[cursor + 1] == quote {
                            text.append(quote)
                            cursor += 2
                            continue
                        }
                        closed = true
                        cursor += 1
                        break
                    }
                    if bytes[cursor] == newline { line += 1 }
                    text.append(bytes[cursor])
                    cursor += 1
                }
                guard closed else { throw DriftError(description: "\(name) line \(line): a quoted field is not closed") }
                while cursor < bytes.count && bytes[cursor] == 0x20 { cursor += 1 }
                guard cursor == bytes.count || bytes[cursor] == comma || bytes[cursor] == newline || bytes[cursor] == carriage else {
                    throw DriftError(description: "\(name) line \(line): text after a closing quote")
                }
                record.append(.text(text))
                index = cursor
            } else {
                var end = index
                while end < bytes.count && bytes[end] != comma && bytes[end] != newline && bytes[end] != carriage { end += 1 }
                record.append(.span(index..<end))
                index = end
            }
            if index < bytes.count && bytes[index] == comma {
                index += 1
                continue
            }
            // End of the record (or of the input).
            if index < bytes.count && bytes[index] == carriage { index += 1 }
            if index < bytes.count && bytes[index] == newline { index += 1 }
            try finish()
            line += 1
            if index >= bytes.count { break }
        }
        guard let names else { throw DriftError(description: "\(name) is empty") }
        let size = bytes.count
        let columns = zip(names, spans).map { name, offsets in
            Column(name: name, values: typed(rows: rows) { row -> ArraySlice<UInt8>? in
                let start = Int(offsets[2 * row])
                let end = Int(offsets[2 * row + 1])
                guard start >= 0 else { return nil }
                return start < size ? bytes[start..<end] : extra[(start - size)..<(end - size)]
            })
        }
        return DriftTable(columns: columns, rows: rows)
    }

    static func jsonLines(_ bytes: [UInt8], name: String) throws(DriftError) -> DriftTable {
        enum Cell {
            case number(Double, integral: Bool)
            case text(String)
        }
        var rows: [[String: Cell]] = []
        var order: [String] = []
        var known: Set<String> = []
        var start = 0
        var line = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            line += 1
            defer { start = end + 1 }
            let slice = bytes[start..<end]
            guard slice.contains(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0D) }) else { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(slice)) as? [String: Any] else {
                throw DriftError(description: "\(name) line \(line) is not a JSON object")
            }
            var row: [String: Cell] = [:]
            for key in object.keys.sorted() {
                switch object[key] {
                case is NSNull: continue
                case let text as String: row[key] = .text(text)
                case let number as NSNumber:
                    let kind = String(cString: number.objCType)
                    if kind == "c" || kind == "B" {
                        row[key] = .text(number.boolValue ? "True" : "False")
                    } else {
                        let value = number.doubleValue
                        row[key] = .number(value, integral: kind != "d" && kind != "f")
                    }
                default:
                    throw DriftError(description: "\(name) line \(line): '\(key)' holds an array or object; drift compares numbers and categories")
                }
                if known.insert(key).inserted {
                    order.append(key)
                    guard order.count <= maxColumns else {
                        throw DriftError(description: "\(name) has more than \(maxColumns) columns; drift is compared over at most that")
                    }
                }
            }
            rows.append(row)
        }
        guard !rows.isEmpty else { throw DriftError(description: "\(name) has no rows") }
        let columns = order.map { key -> Column in
            let cells = rows.map { $0[key] }
            var numbers: [Double] = []
            var integral = true
            for cell in cells {
                switch cell {
                case .number(let value, let isInteger)?:
                    numbers.append(value)
                    integral = integral && isInteger
                case nil:
                    numbers.append(.nan)
                    integral = false
                case .text?:
                    let strings: [String?] = cells.map { cell in
                        switch cell {
                        case .text(let text)?: text
                        case .number(let value, let isInteger)?: isInteger ? String(Int64(exactly: value) ?? 0) : String(value)
                        case nil: nil
                        }
                    }
                    return Column(name: key, values: .categories(strings))
                }
            }
            return Column(name: key, values: .numbers(numbers, integral: integral))
        }
        return DriftTable(columns: columns, rows: rows.count)
    }
}
