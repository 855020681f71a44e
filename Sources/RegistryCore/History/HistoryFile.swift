import Foundation

/// Training history as files carry it, read into metric points:
/// - wide CSV, one row per epoch and a column per metric: `epoch,loss,val_loss` (`step` for `epoch`; an optional
///   `timestamp` column in milliseconds);
/// - long CSV, one row per point: `metric,step,value[,timestamp]`;
/// - JSON rows `[{"epoch": 1, "loss": 0.5}]`, Keras' `{"loss": [0.9, 0.5], ...}` (the index is the epoch, from 1),
///   or points `[{"metric": "loss", "step": 1, "value": 0.5}]` (also under `"points"`).
/// Empty cells are skipped; a cell that is not a number is an error naming its line and column.
public enum HistoryFile {
    /// Files larger than this are refused before they are read.
    public static let maxSize = 64 * 1024 * 1024

    /// A whole number from a file, or an error naming what it is (a step of 1e300 must not trap).
    static func whole(_ value: Double, _ what: @autoclosure () -> String) throws -> Int64 {
        guard value.isFinite, let whole = Int64(exactly: value.rounded()), abs(whole) < 1 << 53 else {
            throw RegistryError.invalidArgument("\(what()) must be a whole number, not \(value)")
        }
        return whole
    }

    public static func parse(_ data: Data, name: String, timestamp: Int64) throws -> [MetricPoint] {
        guard data.count <= maxSize else {
            throw RegistryError.invalidArgument("\(name) is \(data.count) bytes; history files are read up to \(maxSize)")
        }
        let head = String(decoding: data.prefix(64), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let points = head.hasPrefix("[") || head.hasPrefix("{")
            ? try json(data, name: name, timestamp: timestamp) : try csv(data, name: name, timestamp: timestamp)
        for point in points { try point.validate() }
        return points
    }

    static func csv(_ data: Data, name: String, timestamp: Int64) throws -> [MetricPoint] {
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
        guard let header = lines.first else { return [] }
        let columns = header.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        let lowered = columns.map { $0.lowercased() }
        func column(_ names: String...) -> Int? { lowered.firstIndex { names.contains($0) } }
        let step = column("epoch", "step")
        let time = column("timestamp")
        var points: [MetricPoint] = []
        func number(_ cells: [Substring], _ index: Int, _ line: Int) throws -> Double? {
            guard cells.indices.contains(index) else { return nil }
            let text = cells[index].trimmingCharacters(in: .whitespaces)
            if text.isEmpty { return nil }
            guard let value = Double(text) else {
                throw RegistryError.invalidArgument("\(name):\(line): '\(text.prefix(40))' in column \(columns[index]) is not a number")
            }
            return value
        }
        if let metric = column("metric", "name"), let step, let value = column("value") {
            for (offset, line) in lines.dropFirst().enumerated() {
                let cells = line.split(separator: ",", omittingEmptySubsequences: false)
                guard let s = try number(cells, step, offset + 2), let v = try number(cells, value, offset + 2),
                    cells.indices.contains(metric)
                else { throw RegistryError.invalidArgument("\(name):\(offset + 2): expected metric,step,value") }
                points.append(MetricPoint(
                    name: cells[metric].trimmingCharacters(in: .whitespaces), step: try whole(s, "\(name):\(offset + 2): the step"),
                    value: v,
                    timestamp: try time.flatMap { try number(cells, $0, offset + 2) }.map { try whole($0, "\(name):\(offset + 2): the timestamp") }
                        ?? timestamp))
            }
            return points
        }
        guard let step else {
            throw RegistryError.invalidArgument(
                "\(name): the header must name an epoch (or step) column and one column per metric, or metric,step,value")
        }
        let metrics = columns.indices.filter { $0 != step && $0 != time && !columns[$0].isEmpty }
        for (offset, line) in lines.dropFirst().enumerated() where !line.allSatisfy(\.isWhitespace) {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard let s = try number(cells, step, offset + 2) else {
                throw RegistryError.invalidArgument("\(name):\(offset + 2): the \(columns[step]) cell is empty")
            }
            let epoch = try whole(s, "\(name):\(offset + 2): the \(columns[step]) cell")
            let stamp = try time.flatMap { try number(cells, $0, offset + 2) }.map { try whole($0, "\(name):\(offset + 2): the timestamp") }
                ?? timestamp
            for index in metrics {
                if let value = try number(cells, index, offset + 2) {
                    points.append(MetricPoint(name: columns[index], step: epoch, value: value, timestamp: stamp))
                }
            }
        }
        return points
    }

    static func json(_ data: Data, name: String, timestamp: Int64) throws -> [MetricPoint] {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw RegistryError.invalidArgument("\(name) is not valid JSON")
        }
        func number(_ value: JSONValue?, _ what: String) throws -> Double? {
            switch value {
            case nil, .null?: return nil
            case .number(let n)?: return n
            default: throw RegistryError.invalidArgument("\(name): \(what) is not a number")
            }
        }
        func rows(_ list: [JSONValue]) throws -> [MetricPoint] {
            var points: [MetricPoint] = []
            for (index, item) in list.enumerated() {
                guard case .object(var fields) = item else {
                    throw RegistryError.invalidArgument("\(name): item \(index) is not an object")
                }
                let stamp = try number(fields.removeValue(forKey: "timestamp"), "timestamp of item \(index)")
                    .map { try whole($0, "\(name): the timestamp of item \(index)") } ?? timestamp
                if case .string(let metric)? = fields["metric"] ?? fields["name"] {
                    guard let step = try number(fields["step"] ?? fields["epoch"], "step of item \(index)"),
                        let value = try number(fields["value"], "value of item \(index)")
                    else { throw RegistryError.invalidArgument("\(name): item \(index) needs metric, step and value") }
                    points.append(MetricPoint(
                        name: metric, step: try whole(step, "\(name): the step of item \(index)"), value: value, timestamp: stamp))
                    continue
                }
                guard let step = try number(fields.removeValue(forKey: "epoch") ?? fields.removeValue(forKey: "step"), "epoch of item \(index)")
                else { throw RegistryError.invalidArgument("\(name): item \(index) has no epoch") }
                let epoch = try whole(step, "\(name): the epoch of item \(index)")
                for (metric, value) in fields.sorted(by: { $0.key < $1.key }) {
                    if let value = try number(value, "\(metric) of item \(index)") {
                        points.append(MetricPoint(name: metric, step: epoch, value: value, timestamp: stamp))
                    }
                }
            }
            return points
        }
        switch root {
        case .array(let list): return try rows(list)
        case .object(let object):
            if case .array(let list)? = object["points"] { return try rows(list) }
            var points: [MetricPoint] = []
            for (metric, series) in object.sorted(by: { $0.key < $1.key }) {
                guard case .array(let values) = series else {
                    throw RegistryError.invalidArgument("\(name): \(metric) must be a list of values, one per epoch")
                }
                for (index, value) in values.enumerated() {
                    if let value = try number(value, "\(metric)[\(index)]") {
                        points.append(MetricPoint(name: metric, step: Int64(index + 1), value: value, timestamp: timestamp))
                    }
                }
            }
            return points
        default:
            throw RegistryError.invalidArgument("\(name) must hold a list of rows or an object of series")
        }
    }
}
