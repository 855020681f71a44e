import CompressNIO
import Foundation
import ModelRuntime
import NIOCore
import Testing

@testable import ScikitLearn

/// Model files that would run code when unpickled. Each payload is first shown to be real — Python's own `pickle`
/// loads it and the marker file it writes appears — then the same bytes (with another marker) go to the native
/// reader: refused with `unsafe_model` naming the class, and the marker never appears. Also truncated, oversized,
/// bombed and random files: refused, never a crash.
@Suite struct HostileJoblibTests {
    /// A protocol-2 pickle of `callable(argument)`, with the callable named by `GLOBAL` or, in protocol 4 style,
    /// by `STACK_GLOBAL`.
    static func call(_ module: String, _ name: String, _ argument: [UInt8], stackGlobal: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = [0x80, stackGlobal ? 4 : 2]
        if stackGlobal {
            bytes += unicode(module) + unicode(name) + [0x93]
        } else {
            bytes += [0x63] + Array("\(module)\n\(name)\n".utf8)
        }
        return bytes + argument + [0x85, 0x52]  // TUPLE1, REDUCE
    }

    static func unicode(_ text: String) -> [UInt8] {
        let utf8 = Array(text.utf8)
        let n = UInt32(utf8.count)
        return [0x58, UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)] + utf8
    }

    /// One payload per dangerous callable; each writes `marker` when unpickled by Python.
    static func payloads(_ marker: String) -> [(name: String, bytes: [UInt8], python: Bool)] {
        let list: [UInt8] = [0x5D, 0x28] + unicode("touch") + unicode(marker) + [0x65]  // EMPTY_LIST MARK ... APPENDS
        return [
            ("posix.system", call("posix", "system", unicode("touch \(marker)")) + [0x2E], true),
            ("os.system", call("os", "system", unicode("touch \(marker)"), stackGlobal: true) + [0x2E], true),
            ("builtins.eval", call("builtins", "eval", unicode("open('\(marker)', 'w').close()")) + [0x2E], true),
            ("builtins.exec", call("builtins", "exec", unicode("open('\(marker)', 'w').close()")) + [0x2E], true),
            ("subprocess.Popen", call("subprocess", "Popen", list) + [0x2E], true),
            ("subprocess.check_call", call("subprocess", "check_call", list) + [0x2E], true),
            ("os.popen", call("os", "popen", unicode("touch \(marker)")) + [0x2E], true),
            // Hidden in an estimator's attributes: the allowed class around it does not let it through. (Python needs
            // scikit-learn to load this one, so only the native side runs it.)
            ("posix.system", [0x80, 0x04] + unicode("sklearn.ensemble._iforest") + unicode("IsolationForest") + [0x93, 0x29, 0x81, 0x7D, 0x28]
                + unicode("offset_") + Array(call("posix", "system", unicode("touch \(marker)")).dropFirst(2)) + [0x75, 0x62, 0x2E], false),
        ]
    }

    static func temporary() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("modelyard-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func zlib(_ bytes: [UInt8]) throws -> [UInt8] {
        var buffer = ByteBuffer(bytes: bytes)
        let compressed = try buffer.compress(with: .zlib())
        return Array(compressed.readableBytesView)
    }

    @Test func payloadsThatRunCodeInPythonAreRefusedAndDoNothingHere() throws {
        let folder = try Self.temporary()
        defer { try? FileManager.default.removeItem(at: folder) }
        let python: String? = "/usr/bin/env"
        for (index, payload) in Self.payloads("unused").enumerated() {
            // Python's pickle runs it: the marker appears (the payload is real).
            if let python, payload.python {
                let pythonMarker = folder.appendingPathComponent("python-\(index)").path
                let file = folder.appendingPathComponent("payload-\(index).pkl")
                try Data(Self.payloads(pythonMarker)[index].bytes).write(to: file)
                let process = Process()
                process.executableURL = URL(fileURLWithPath: python)
                // A Popen or a popen pipe is waited for, so the child has finished when Python exits.
                let script = "import pickle, sys; r = pickle.load(open(sys.argv[1], 'rb')); "
                    + "w = getattr(r, 'wait', None) or getattr(r, 'close', None); w and w()"
                process.arguments = ["python3", "-c", script, file.path]
                process.standardError = FileHandle.nullDevice
                try process.run()
                process.waitUntilExit()
                #expect(FileManager.default.fileExists(atPath: pythonMarker), "\(payload.name): Python did not run the payload")
            }
            // The native reader refuses the same payload, plain and compressed, and the marker never appears.
            let marker = folder.appendingPathComponent("native-\(index)").path
            let bytes = Self.payloads(marker)[index].bytes
            for file in [bytes, try Self.zlib(bytes)] {
                do {
                    _ = try SklearnSession(bytes: file)
                    Issue.record("\(payload.name): loaded")
                } catch {
                    #expect(error.code == .unsafeModel, "\(payload.name): \(error)")
                    #expect(error.message.contains("'\(payload.name)'"), "\(error.message)")
                }
            }
            #expect(!FileManager.default.fileExists(atPath: marker), "\(payload.name) ran")
        }
    }

    /// The allow-list holds inside the pickle joblib nests for arrays of Python objects, too.
    @Test func aPayloadInAnObjectArrayIsRefused() throws {
        let model = try fixture("1.9.1/random_forest_classifier.joblib")
        // The forest's classes_ is a numpy U array; splice a wrapper whose dtype is object and whose nested pickle
        // calls posix.system right after the root's PROTO/FRAME: the reader meets it before anything else.
        let wrapper = Self.wrapper(shape: [0x4B, 0x01], dtype: "O8")
        let nested = Self.call("posix", "system", Self.unicode("true")) + [0x2E]
        let file = [0x80, 0x04] + wrapper + nested + [0x30] + Array(model.dropFirst(2))
        #expect(throws: ModelRuntimeError.self) { try SklearnSession(bytes: file) }
        do { _ = try SklearnSession(bytes: file) } catch { #expect(error.code == .unsafeModel && error.message.contains("posix.system")) }
    }

    /// Joblib's array wrapper object, with a shape element (pickle opcodes) and a dtype; its data would follow.
    static func wrapper(shape: [UInt8], dtype: String) -> [UInt8] {
        let dtypeCall = [0x8C, 0x05] + Array("numpy".utf8) + [0x8C, 0x05] + Array("dtype".utf8) + [0x93]
            + [0x8C, UInt8(dtype.utf8.count)] + Array(dtype.utf8) + [0x89, 0x88, 0x87, 0x52]
        return [0x8C, 0x13] + Array("joblib.numpy_pickle".utf8) + [0x8C, 0x11] + Array("NumpyArrayWrapper".utf8)
            + [0x93, 0x29, 0x81, 0x7D, 0x28] + [0x8C, 0x05] + Array("shape".utf8) + shape + [0x85]
            + [0x8C, 0x05] + Array("order".utf8) + [0x8C, 0x01, 0x43] + [0x8C, 0x05] + Array("dtype".utf8) + dtypeCall + [0x75, 0x62]
    }

    @Test func truncatedOversizedBombedAndRandomFilesAreRefused() throws {
        let plain = try fixture("1.9.1/isolation_forest.joblib")
        let compressed = try fixture("1.9.1/isolation_forest.z3.joblib")
        for file in [plain, compressed] {
            for length in stride(from: 0, to: file.count, by: max(1, file.count / 97)) {
                #expect(throws: ModelRuntimeError.self, "prefix of \(length)") { try SklearnSession(bytes: Array(file.prefix(length))) }
            }
        }
        // A declared array far larger than the file: refused by the length check, nothing allocated.
        for (shape, dtype) in [([0x4A, 0xFF, 0xFF, 0xFF, 0x7F], "f8"), ([0x8A, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x40], "f8"), ([0x4B, 0x10], "V99999")] as [([UInt8], String)] {
            let huge = [0x80, 0x04] + Self.wrapper(shape: shape, dtype: dtype) + [UInt8](repeating: 0, count: 64) + [0x2E]
            do {
                _ = try SklearnSession(bytes: huge)
                Issue.record("an array of shape \(shape) loaded")
            } catch {
                #expect(error.code == .invalidModel && (error.message.contains("are left") || error.message.contains("overflows")), "\(error)")
            }
        }
        // 64 MB of zeros compressed to 64 kB: inflating is bounded by the limit.
        let bomb = try Self.zlib([0x80, 0x04] + [UInt8](repeating: 0x4E, count: 64 << 20) + [0x2E])
        do {
            _ = try SklearnSession(bytes: bomb, maxInflatedBytes: 1 << 20)
            Issue.record("the bomb loaded")
        } catch {
            #expect(error.message.contains("inflates to more than"), "\(error.message)")
        }
        // Other compressors, by name.
        for (magic, name) in [([0x42, 0x5A, 0x68, 0x39], "bz2"), ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "xz"), ([0x04, 0x22, 0x4D, 0x18], "lz4")] as [([UInt8], String)] {
            do {
                _ = try SklearnSession(bytes: magic + [UInt8](repeating: 1, count: 32))
                Issue.record("\(name) loaded")
            } catch {
                #expect(error.message.contains(name) && error.message.contains("compress=3"), "\(error.message)")
            }
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let random = (0..<Int.random(in: 0..<512, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(throws: ModelRuntimeError.self) { try SklearnSession(bytes: random) }
        }
    }

    @Test func estimatorsOutsideTheListAreNamed() throws {
        // A class this server does not read is refused with its name before anything else of the file is read.
        let file = Self.call("sklearn.cluster._kmeans", "KMeans", [0x4B, 0x03]) + [0x2E]
        do {
            _ = try SklearnSession(bytes: file)
            Issue.record("KMeans loaded")
        } catch {
            #expect(error.code == .unsafeModel && error.message.contains("sklearn.cluster._kmeans.KMeans"), "\(error)")
        }
    }

    func fixture(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: SklearnFixtureTests.directory.appendingPathComponent(path)))
    }
}
