import Foundation
import Hummingbird
import ModelRuntime
import RegistryCore

/// `runs/log-batch` bodies, read with `FastJSON` instead of `JSONDecoder`.
///
/// A training loop sends one of these per step or per epoch with up to 1,000 points, so it is the MLflow
/// server's hottest write. Decoding 100 points through `Decodable` took a fifth of the server's CPU per request
/// (measured with perf); this reads the same fields with the same leniency (numbers or numeric strings,
/// `"NaN"`/`"Infinity"`, absent or `null` fields) and the same messages naming the bad field.
enum MLflowLogBatch {
    static func decode(from request: Request) async throws -> (runID: String?, batch: RunDataBatch) {
        let buffer = try await JSONBody.collect(request)
        guard buffer.readableBytes > 0 else { return (nil, RunDataBatch()) }
        let body: [String: FastJSON.Value]
        do {
            guard case .object(let fields) = try FastJSON.parseValue(Data(buffer.readableBytesView)) else {
                throw RegistryError.invalidArgument("the body has the wrong type; expected an object")
            }
            body = fields
        } catch is FastJSON.SyntaxError {
            throw RegistryError.invalidArgument("the body is not valid JSON")
        }
        let runID = try string(body["run_id"], "run_id")
        var metrics: [TrackedMetric] = []
        if let items = try array(body["metrics"], "metrics") {
            metrics.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                // Built only for an error message: 100 points would otherwise build 500 strings per request.
                func path(_ field: String = "") -> String { "metrics[\(index)]" + field }
                guard case .object(let metric) = item else {
                    throw RegistryError.invalidArgument("field '\(path())' has the wrong type; expected an object")
                }
                metrics.append(
                    try MLflowTrackingRoutes.metric(
                        key: string(metric["key"], path(".key")), value: double(metric["value"], path(".value")),
                        timestamp: int64(metric["timestamp"], path(".timestamp")),
                        step: int64(metric["step"], path(".step"))))
            }
        }
        return (
            runID,
            RunDataBatch(
                metrics: metrics, params: try keyValues(body["params"], "params"),
                tags: try keyValues(body["tags"], "tags"))
        )
    }

    private static func wrongType(_ path: @autoclosure () -> String, _ expected: String) -> RegistryError {
        .invalidArgument("field '\(path())' has the wrong type; expected \(expected)")
    }

    /// Absent and `null` fields are `nil`.
    private static func string(_ value: FastJSON.Value?, _ path: @autoclosure () -> String) throws -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw wrongType(path(), "a string")
        }
    }

    private static func array(_ value: FastJSON.Value?, _ path: @autoclosure () -> String) throws -> [FastJSON.Value]? {
        switch value {
        case nil, .null?: return nil
        case .array(let items)?: return items
        default: throw wrongType(path(), "an array")
        }
    }

    private static func double(_ value: FastJSON.Value?, _ path: @autoclosure () -> String) throws -> LenientDouble? {
        switch value {
        case nil, .null?: return nil
        case .number(let number)?: return LenientDouble(value: number)
        case .integer(let number)?: return LenientDouble(value: Double(number))
        case .string(let text)?:
            if let number = LenientDouble.parse(text) { return LenientDouble(value: number) }
        default: break
        }
        throw RegistryError.invalidArgument("field '\(path())' is invalid: expected a number")
    }

    private static func int64(_ value: FastJSON.Value?, _ path: @autoclosure () -> String) throws -> LenientInt64? {
        switch value {
        case nil, .null?: return nil
        case .integer(let number)?: return LenientInt64(value: number)
        case .number(let number)?:
            if let exact = Int64(exactly: number) { return LenientInt64(value: exact) }
        case .string(let text)?:
            if let number = Int64(text) { return LenientInt64(value: number) }
        default: break
        }
        throw RegistryError.invalidArgument("field '\(path())' is invalid: expected an integer")
    }

    private static func keyValues(_ value: FastJSON.Value?, _ path: String) throws -> [(key: String, value: String)] {
        guard let items = try array(value, path) else { return [] }
        return try items.enumerated().map { index, item in
            let itemPath = "\(path)[\(index)]"
            guard case .object(let pair) = item else { throw wrongType(itemPath, "an object") }
            guard let key = try string(pair["key"], itemPath + ".key") else {
                throw RegistryError.invalidArgument("field '\(itemPath).key' is required")
            }
            return (key, try string(pair["value"], itemPath + ".value") ?? "")
        }
    }
}
