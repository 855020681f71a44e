import Foundation

/// The stored form of a reference profile: little-endian binary, versioned, every length checked against the bytes
/// left before anything is allocated.
///
///     "MYDRIFT" 1 | rows u64 | columns u32 | per column:
///       name (u32 length + UTF-8) | missing u64 | kind u8 (0 numbers, 1 categories)
///       numbers:    flags u8 (1 exact, 2 integral) | distinct u64 | min, max, mean, std f64 | n u32 | n values f64 | n counts f64
///       categories: n u32 | n × (u32 length + UTF-8, count u64)
extension ReferenceProfile {
    static let magic = Array("MYDRIFT".utf8) + [1]

    public func encoded() -> [UInt8] {
        var out = Self.magic
        func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { out += $0 } }
        func put(_ value: Double) { put(value.bitPattern) }
        func put(_ text: String) {
            put(UInt32(text.utf8.count))
            out += text.utf8
        }
        put(UInt64(rows))
        put(UInt32(columns.count))
        for column in columns {
            put(column.name)
            put(UInt64(column.reference.missing))
            switch column.reference.values {
            case .numbers(let summary):
                put(UInt8(0))
                put(UInt8((summary.sample.exact ? 1 : 0) | (summary.integral ? 2 : 0)))
                put(UInt64(summary.distinct))
                for value in [summary.minimum, summary.maximum, summary.mean, summary.standardDeviation] { put(value) }
                put(UInt32(summary.sample.values.count))
                for value in summary.sample.values { put(value) }
                for count in summary.sample.counts { put(count) }
            case .categories(let counts):
                put(UInt8(1))
                put(UInt32(counts.count))
                for (value, count) in counts.sorted(by: { $0.key < $1.key }) {
                    put(value)
                    put(UInt64(count))
                }
            }
        }
        return out
    }

    public init(decoding bytes: [UInt8]) throws(DriftError) {
        var offset = 0
        func fail(_ what: String) -> DriftError { DriftError(description: "the stored drift reference is damaged: \(what)") }
        func take(_ count: Int) throws(DriftError) -> ArraySlice<UInt8> {
            guard count >= 0, count <= bytes.count - offset else { throw fail("it ends early") }
            defer { offset += count }
            return bytes[offset..<(offset + count)]
        }
        func integer<T: FixedWidthInteger>(_: T.Type) throws(DriftError) -> T {
            let slice = try take(MemoryLayout<T>.size)
            var value: T = 0
            for (shift, byte) in slice.enumerated() { value |= T(byte) << (8 * shift) }
            return value
        }
        func double() throws(DriftError) -> Double { Double(bitPattern: try integer(UInt64.self)) }
        func text() throws(DriftError) -> String {
            let slice = try take(Int(try integer(UInt32.self)))
            guard let text = String(validating: slice, as: UTF8.self) else { throw fail("a name is not UTF-8") }
            return text
        }
        func count(_ value: UInt64) throws(DriftError) -> Int {
            guard value <= UInt64(Int.max) else { throw fail("a count is out of range") }
            return Int(value)
        }
        guard Array(try take(Self.magic.count)) == Self.magic else { throw fail("it is not a drift reference of this format") }
        let rows = try count(try integer(UInt64.self))
        let columnCount = Int(try integer(UInt32.self))
        // Each column takes at least 13 bytes: no count can promise more columns than the bytes hold.
        guard columnCount <= (bytes.count - offset) / 13 else { throw fail("it promises more columns than it holds") }
        var columns: [Column] = []
        columns.reserveCapacity(columnCount)
        for _ in 0..<columnCount {
            let name = try text()
            let missing = try count(try integer(UInt64.self))
            let values: ReferenceColumn.Values
            switch try integer(UInt8.self) {
            case 0:
                let flags = try integer(UInt8.self)
                let distinct = try count(try integer(UInt64.self))
                let (minimum, maximum, mean, deviation) = (try double(), try double(), try double(), try double())
                let n = Int(try integer(UInt32.self))
                guard n <= (bytes.count - offset) / 16 else { throw fail("'\(name)' promises more values than it holds") }
                var points: [Double] = []
                var counts: [Double] = []
                points.reserveCapacity(n)
                counts.reserveCapacity(n)
                for _ in 0..<n { points.append(try double()) }
                for _ in 0..<n { counts.append(try double()) }
                guard zip(points, points.dropFirst()).allSatisfy({ $0 < $1 }), points.allSatisfy(\.isFinite),
                    counts.allSatisfy({ $0.isFinite && $0 > 0 }), minimum.isFinite, maximum.isFinite, !mean.isNaN, !deviation.isNaN
                else { throw fail("'\(name)' holds values out of order or counts that are not positive") }
                values = .numbers(
                    NumericReference(
                        sample: SortedSample(values: points, counts: counts, exact: flags & 1 != 0), distinct: distinct,
                        minimum: minimum, maximum: maximum, mean: mean, standardDeviation: deviation, integral: flags & 2 != 0))
            case 1:
                let n = Int(try integer(UInt32.self))
                guard n <= (bytes.count - offset) / 12 else { throw fail("'\(name)' promises more categories than it holds") }
                var counts: [String: Int] = [:]
                for _ in 0..<n {
                    let value = try text()
                    counts[value] = try count(try integer(UInt64.self))
                }
                values = .categories(counts)
            default: throw fail("'\(name)' has an unknown kind")
            }
            columns.append(Column(name: name, reference: ReferenceColumn(values: values, missing: missing)))
        }
        guard offset == bytes.count else { throw fail("it has bytes after its last column") }
        self.init(columns: columns, rows: rows)
    }
}
