import CompressNIO
import NIOCore

/// A file written by `joblib.dump`: a pickle in which each numpy array is a `NumpyArrayWrapper` object followed by
/// the array's raw bytes (or, for arrays of Python objects, by a pickle of its own), either as it is or inflated from
/// joblib's zlib or gzip compression.
public enum JoblibFile {
    /// Why a file was refused.
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Reads a joblib file into its pickle tree, refusing anything a model file has no business naming.
    /// - Parameters:
    ///   - bytes: the file.
    ///   - allowed: the classes and functions the file may name.
    ///   - maxInflatedBytes: a compressed file may not inflate to more than this (a zip bomb is refused, not
    ///     allocated).
    public static func read(_ bytes: [UInt8], allowed: Set<String>, maxInflatedBytes: Int) throws(Failure) -> PickleNode {
        let plain = try decompress(bytes, maxInflatedBytes: maxInflatedBytes)
        let reader = PickleReader(allowed: allowed.union(Self.containerNames), inlineData: Self.inlineData)
        do {
            return try reader.read(plain)
        } catch {
            throw Failure(error.description)
        }
    }

    /// The wrapper and the numpy names every array needs.
    static let containerNames: Set<String> = [
        "joblib.numpy_pickle.NumpyArrayWrapper", "numpy.ndarray", "numpy.dtype",
        "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
        "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar",
    ]

    /// The compression, told by the first bytes (as joblib itself tells it), inflated with a bound.
    static func decompress(_ bytes: [UInt8], maxInflatedBytes: Int) throws(Failure) -> [UInt8] {
        let algorithm: CompressionAlgorithm
        switch bytes.prefix(6) {
        case let head where head.first == 0x80: return bytes  // a pickle: PROTO
        case let head where head.starts(with: [0x78]): algorithm = .zlib()
        case let head where head.starts(with: [0x1F, 0x8B]): algorithm = .gzip()
        case let head where head.starts(with: [0x42, 0x5A, 0x68]): throw unsupported("bz2")
        case let head where head.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A]): throw unsupported("xz")
        case let head where head.starts(with: [0x5D, 0x00, 0x00]): throw unsupported("lzma")
        case let head where head.starts(with: [0x04, 0x22, 0x4D, 0x18]): throw unsupported("lz4")
        case let head where head.starts(with: Array("ZF".utf8)):
            throw Failure("the file is in the format of joblib before 0.10, which is not supported; load and dump it again with a current joblib")
        default:
            throw Failure("the file is neither a pickle nor a joblib compressed file (it starts with bytes \(bytes.prefix(4).map { String($0, radix: 16) }))")
        }
        var buffer = ByteBuffer(bytes: bytes)
        do {
            let inflated = try buffer.decompress(with: algorithm, maxSize: maxInflatedBytes)
            return Array(inflated.readableBytesView)
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw Failure("the file inflates to more than \(maxInflatedBytes) bytes; raise the model size limit to read it")
        } catch {
            throw Failure("the compressed file is corrupt or truncated (\(error))")
        }
    }

    static func unsupported(_ name: String) -> Failure {
        Failure(
            "the file is compressed with \(name), which is not supported (zlib and gzip are); dump it again with "
                + "joblib.dump(model, path, compress=3) or without compression")
    }

    /// Joblib's wrapper: raw bytes of `shape` × itemsize follow (padded to its alignment when it records one), or a
    /// pickle for arrays of objects.
    @Sendable static func inlineData(_ object: PickleObject) throws(PickleError) -> InlineData? {
        guard object.callable == "joblib.numpy_pickle.NumpyArrayWrapper" else { return nil }
        guard let state = object.state, let dtypeNode = state["dtype"], let shapeNode = state["shape"]?.items else {
            throw .malformed("an array wrapper without its dtype and shape", offset: 0)
        }
        let dtype: NumpyDType
        do { dtype = try NumpyDType(dtypeNode) } catch { throw .malformed(error.description, offset: 0) }
        if dtype.kind == .object { return .pickle }
        var count = dtype.itemSize
        for dimension in shapeNode {
            guard let n = dimension.int, n >= 0 else { throw .malformed("an array with a negative dimension", offset: 0) }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(n))
            guard !overflow else { throw .malformed("an array whose size overflows", offset: 0) }
            count = product
        }
        let aligned = state["numpy_array_alignment_bytes"].map { if case .none = $0.kind { false } else { true } } ?? false
        return .raw(count: count, aligned: aligned)
    }
}
