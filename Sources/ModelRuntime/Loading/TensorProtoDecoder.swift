import Foundation

/// Decodes ONNX `TensorProto` initializers and attribute tensors into `Tensor`s.
enum TensorProtoDecoder {
    /// Decodes from `raw_data` (little-endian) or the typed fields; refuses external data.
    /// - Parameter context: names the tensor in error messages.
    static func decode(_ proto: Onnx_TensorProto, context: String) throws -> Tensor {
        if proto.dataLocation == .external || !proto.externalData.isEmpty {
            throw ModelRuntimeError(
                .externalData,
                "\(context) keeps its data in an external file; re-export the model with all tensors embedded "
                    + "(onnx.save_model(..., save_as_external_data=False))")
        }
        if proto.hasSegment {
            throw ModelRuntimeError(.unsupportedType, "\(context) is a segmented tensor")
        }
        guard let type = ElementType(onnxCode: Int(proto.dataType)) else {
            throw ModelRuntimeError(
                .unsupportedType, "\(context) has element type \(ElementType.describe(onnxCode: Int(proto.dataType)))")
        }
        var shape: [Int] = []
        for d in proto.dims {
            guard d >= 0, let v = Int(exactly: d) else {
                throw ModelRuntimeError.invalidModel("\(context) has invalid dimension \(d)")
            }
            shape.append(v)
        }
        guard let count = Tensor.elementCount(shape), count <= 1 << 34 else {
            throw ModelRuntimeError.invalidModel("\(context) has an impossible shape \(shape)")
        }
        let storage: Tensor.Storage
        if proto.hasRawData && type != .string {
            storage = try decodeRaw(proto.rawData, type: type, count: count, context: context)
        } else {
            switch type {
            case .float32: storage = .float32(proto.floatData)
            case .float64: storage = .float64(proto.doubleData)
            case .int64: storage = .int64(proto.int64Data)
            case .int32: storage = .int32(proto.int32Data)
            case .bool: storage = .bool(proto.int32Data.map { $0 != 0 })
            case .string: storage = .string(proto.stringData.map { String(decoding: $0, as: UTF8.self) })
            }
        }
        guard storage.count == count else {
            throw ModelRuntimeError.invalidModel(
                "\(context) has shape \(shape) (\(count) elements) but holds \(storage.count) values")
        }
        return Tensor(unchecked: shape, storage)
    }

    private static func decodeRaw(_ data: Data, type: ElementType, count: Int, context: String) throws
        -> Tensor.Storage
    {
        let width: Int
        switch type {
        case .float32, .int32: width = 4
        case .float64, .int64: width = 8
        case .bool: width = 1
        case .string: width = 0
        }
        guard data.count == count * width else {
            throw ModelRuntimeError.invalidModel(
                "\(context): raw_data has \(data.count) bytes, expected \(count * width) for \(count) elements")
        }
        switch type {
        case .float32:
            return .float32(load(data, count, UInt32.self).map { Float(bitPattern: UInt32(littleEndian: $0)) })
        case .float64:
            return .float64(load(data, count, UInt64.self).map { Double(bitPattern: UInt64(littleEndian: $0)) })
        case .int64:
            return .int64(load(data, count, Int64.self).map { Int64(littleEndian: $0) })
        case .int32:
            return .int32(load(data, count, Int32.self).map { Int32(littleEndian: $0) })
        case .bool:
            return .bool(data.map { $0 != 0 })
        case .string:
            return .string([])
        }
    }

    private static func load<T: FixedWidthInteger>(_ data: Data, _ count: Int, _: T.Type) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            data.withUnsafeBytes { raw in
                for i in 0..<count {
                    buffer[i] = raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
                }
            }
            initialized = count
        }
    }
}
