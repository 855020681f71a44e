import Foundation
import SwiftProtobuf

/// Parses ONNX bytes and checks the header before any planning.
enum ONNXModelFile {
    static let supportedIRVersions = 3...10

    /// Decodes a model; `checkVersion: false` lets inspection describe files whose IR version is refused.
    static func parse(_ data: Data, checkVersion: Bool = true) throws -> Onnx_ModelProto {
        guard !data.isEmpty else { throw ModelRuntimeError.invalidModel("the model file is empty") }
        let proto: Onnx_ModelProto
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 64
            proto = try Onnx_ModelProto(serializedBytes: data, options: options)
        } catch {
            throw ModelRuntimeError.invalidModel(
                "not a valid ONNX protobuf (truncated or corrupt file): \(error)")
        }
        guard proto.hasIrVersion else {
            throw ModelRuntimeError.invalidModel("not an ONNX model: ir_version is missing")
        }
        guard !checkVersion || supportedIRVersions.contains(Int(clamping: proto.irVersion)) else {
            throw ModelRuntimeError(
                .unsupportedVersion,
                "ONNX IR version \(proto.irVersion) is not supported (supported \(supportedIRVersions.lowerBound)"
                    + "...\(supportedIRVersions.upperBound))")
        }
        guard proto.hasGraph else { throw ModelRuntimeError.invalidModel("the model has no graph") }
        return proto
    }

    static func metadata(_ proto: Onnx_ModelProto, operatorCounts: [String: Int]) -> ModelMetadata {
        var opsets: [String: Int] = [:]
        for entry in proto.opsetImport {
            let domain = entry.domain == "ai.onnx" ? "" : entry.domain
            opsets[domain] = max(opsets[domain] ?? 0, Int(clamping: entry.version))
        }
        var properties: [String: String] = [:]
        for entry in proto.metadataProps { properties[entry.key] = entry.value }
        return ModelMetadata(
            irVersion: Int(clamping: proto.irVersion), opsets: opsets, producerName: proto.producerName,
            producerVersion: proto.producerVersion, domain: proto.domain, modelVersion: Int(clamping: proto.modelVersion),
            docString: proto.docString, properties: properties, operatorCounts: operatorCounts)
    }

    /// Counts nodes of the main graph per `domain:Op`.
    static func operatorCounts(_ graph: Onnx_GraphProto) -> [String: Int] {
        var counts: [String: Int] = [:]
        for node in graph.node {
            let domain = node.domain.isEmpty ? "ai.onnx" : node.domain
            counts["\(domain):\(node.opType)", default: 0] += 1
        }
        return counts
    }

    /// Class labels from the first classifier-like node that declares them.
    static func classLabels(_ graph: Onnx_GraphProto) -> ModelSignature.ClassLabels? {
        let names = ["classlabels_int64s", "classlabels_ints", "classlabels_strings"]
        for node in graph.node where node.domain == OpsetTable.mlDomain {
            for attribute in node.attribute where names.contains(attribute.name) {
                if !attribute.ints.isEmpty { return .int64s(attribute.ints) }
                if !attribute.strings.isEmpty {
                    return .strings(attribute.strings.map { String(decoding: $0, as: UTF8.self) })
                }
            }
        }
        return nil
    }

    /// Declared signature, before planning; unsupported types are reported by the planner.
    static func declaredValue(_ info: Onnx_ValueInfoProto, inferred: ElementType?) -> ModelSignature.Value? {
        let declared = try? ValueInfoReader.elementType(info, what: info.name)
        guard let type = inferred ?? declared else { return nil }
        var kind = ModelSignature.ValueKind.tensor
        if case .sequenceType(let s)? = info.type.value, case .mapType? = s.elemType.value { kind = .sequenceOfMaps }
        return ModelSignature.Value(
            name: info.name, elementType: type, shape: ValueInfoReader.shape(info), kind: kind)
    }
}
