public import DriftStatistics
public import Foundation
public import ModelRuntime
public import Registry
public import RegistryCore

extension ModelPool {
    /// Points a loaded version's monitor at its stored reference and its model's settings (or idles it without a
    /// reference). A damaged reference or a store error leaves the monitor idle and is logged; serving goes on.
    func attachDrift(_ model: LoadedModel, version: ModelVersion) async {
        do {
            guard let record = try await store.driftReference(version.model, version.version) else {
                model.drift.configure(nil, now: clock())
                return
            }
            let profile = try ReferenceProfile(decoding: [UInt8](record.profile))
            let settings = try await store.driftSettings(version.model) ?? DriftSettings()
            let positional = profile.columns.map(\.name).filter { !DriftOutputs.names.contains($0) }
            let map = DriftColumnMap(
                signature: model.signature, layout: model.outputs, features: FeatureList(version)?.features.map(\.name),
                positional: positional
            ).restricted(to: Set(profile.columns.map(\.name)).subtracting(settings.ignore))
            model.drift.configure(
                DriftMonitor.Setup(profile: profile, settings: settings, map: map, referenceCreatedAt: record.createdAt), now: clock())
        } catch {
            model.drift.configure(nil, now: clock())
            logger.warning(
                "drift monitor not started",
                metadata: ["model": "\(version.model)", "version": "\(version.version)", "error": "\(error)"])
        }
    }

    public func driftChanged(_ model: ModelName) async {
        let (loaded, draining) = loadedVersions()
        for instance in loaded + draining where instance.key.model == model {
            guard let version = try? await store.version(model, .version(instance.key.version)) else { continue }
            await attachDrift(instance, version: version)
        }
    }

    /// Rows per model call when predicting a reference's or a batch check's rows.
    static let driftBatch = 8_192

    public func driftOutputs(_ version: ModelVersion, table: DriftTable) async -> [DriftTable.Column] {
        do {
            let model = try await load(version)
            let map = DriftColumnMap(
                signature: model.signature, layout: model.outputs, features: FeatureList(version)?.features.map(\.name),
                positional: table.columns.map(\.name).filter { !DriftOutputs.names.contains($0) })
            let outputs = map.entries.filter { DriftOutputs.names.contains($0.name) }
            guard !outputs.isEmpty else { return [] }
            var numbers: [String: [Double]] = [:]
            var strings: [String: [String?]] = [:]
            var integral: [String: Bool] = [:]
            var start = 0
            while start < table.rows {
                let count = min(Self.driftBatch, table.rows - start)
                let inputs = try Self.driftInputs(model.signature, map: map, table: table, rows: start..<(start + count))
                let result = try await offloaded { try model.session.run(inputs) }
                for entry in outputs {
                    guard let reader = DriftColumnMap.Reader(entry.source, inputs: inputs, outputs: result, rows: count) else {
                        throw ServingProblem("drift_outputs", "the model's \(entry.name) output has an unexpected shape")
                    }
                    reader.forEach(rows: count) { _, cell in
                        switch cell {
                        case .number(let value, let isIntegral):
                            numbers[entry.name, default: []].append(value)
                            integral[entry.name] = (integral[entry.name] ?? true) && isIntegral
                        case .text(let value): strings[entry.name, default: []].append(value)
                        }
                    }
                }
                start += count
            }
            return outputs.compactMap { entry in
                if let values = numbers[entry.name], values.count == table.rows {
                    return DriftTable.Column(name: entry.name, values: .numbers(values, integral: integral[entry.name] ?? false))
                }
                if let values = strings[entry.name], values.count == table.rows {
                    return DriftTable.Column(name: entry.name, values: .categories(values))
                }
                return nil
            }
        } catch {
            logger.info(
                "drift reference without prediction columns: the model did not take the dataset's rows",
                metadata: ["model": "\(version.model)", "version": "\(version.version)", "error": "\(error)"])
            return []
        }
    }

    /// The model's inputs for `rows` of a dataset: each input column from the table column the map names (missing
    /// numbers as NaN); a table without a column the model needs cannot be predicted.
    static func driftInputs(_ signature: ModelSignature, map: DriftColumnMap, table: DriftTable, rows: Range<Int>) throws
        -> [String: Tensor]
    {
        var tensors: [String: Tensor] = [:]
        let count = rows.count
        for input in signature.inputs {
            let columns = map.entries.compactMap { entry -> (Int, String)? in
                if case .input(let name, let column, _) = entry.source, name == input.name { return (column, entry.name) }
                return nil
            }.sorted { $0.0 < $1.0 }
            let width = max(columns.count, 1)
            guard !columns.isEmpty else { throw ServingProblem("drift_inputs", "no column for input \(input.name)") }
            var doubles: [Double] = []
            var texts: [String] = []
            let asText = input.elementType == .string
            if asText { texts.reserveCapacity(count * width) } else { doubles = [Double](repeating: .nan, count: count * width) }
            var columnValues: [[String?]] = []
            for (j, (_, name)) in columns.enumerated() {
                guard let column = table.column(named: name) else {
                    throw ServingProblem("drift_inputs", "the dataset has no column '\(name)'")
                }
                switch column {
                case .numbers(let values, _):
                    if asText {
                        columnValues.append(rows.map { values[$0].isFinite ? String(values[$0]) : nil })
                    } else {
                        for (r, row) in rows.enumerated() { doubles[r * width + j] = values[row] }
                    }
                case .categories(let values):
                    guard asText else { throw ServingProblem("drift_inputs", "'\(name)' holds text; the model takes numbers") }
                    columnValues.append(rows.map { values[$0] })
                }
            }
            if asText {
                for r in 0..<count { for j in 0..<width { texts.append(columnValues[j][r] ?? "") } }
            }
            let shape = input.shape?.count == 1 ? [count] : [count, width]
            switch input.elementType {
            case .string: tensors[input.name] = try Tensor(shape: shape, strings: texts)
            case .float32: tensors[input.name] = try Tensor(shape: shape, floats: doubles.map(Float.init))
            case .float64: tensors[input.name] = try Tensor(shape: shape, doubles: doubles)
            case .int64:
                guard doubles.allSatisfy({ $0.isFinite && $0 == $0.rounded() && abs($0) < 9e15 }) else {
                    throw ServingProblem("drift_inputs", "\(input.name) takes integers; the dataset has other values")
                }
                tensors[input.name] = try Tensor(shape: shape, int64s: doubles.map { Int64($0) })
            default: throw ServingProblem("drift_inputs", "\(input.name) takes \(input.elementType)")
            }
        }
        return tensors
    }

    /// The drift monitor of a version loaded on this server, if it is.
    public func driftMonitor(_ model: ModelName, _ version: SemanticVersion) -> DriftMonitor? {
        loadedInstance(VersionKey(model: model, version: version))?.drift
    }
}
