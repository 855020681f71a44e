import Foundation
import ModelRuntime
import Testing

@testable import ScikitLearn

/// Inputs the long fuzz runs found crashing once, kept so they stay fixed.
@Suite struct JoblibRegressionTests {
    /// A record dtype whose field offset is near Int64.max: the bounds check itself overflowed.
    @Test func aRecordFieldAtAHugeOffsetIsRefused() throws {
        let field: [UInt8] = [0x8C, 0x05] + Array("numpy".utf8) + [0x8C, 0x05] + Array("dtype".utf8) + [0x93]
            + [0x8C, 0x02] + Array("f8".utf8) + [0x89, 0x88, 0x87, 0x52]
        // dtype('V64') with state (3, '|', None, ('a',), {'a': (dtype('f8'), 2**63-1)}, 64, 8, 16)
        let record: [UInt8] = [0x8C, 0x05] + Array("numpy".utf8) + [0x8C, 0x05] + Array("dtype".utf8) + [0x93]
            + [0x8C, 0x03] + Array("V64".utf8) + [0x89, 0x88, 0x87, 0x52]
            + [0x28, 0x4B, 0x03, 0x8C, 0x01, 0x7C, 0x4E, 0x8C, 0x01, 0x61, 0x85, 0x7D, 0x8C, 0x01, 0x61] + field
            + [0x8A, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x86, 0x73, 0x4B, 0x40, 0x4B, 0x08, 0x4B, 0x10, 0x74, 0x62]
        let wrapper: [UInt8] = [0x8C, 0x13] + Array("joblib.numpy_pickle".utf8) + [0x8C, 0x11] + Array("NumpyArrayWrapper".utf8)
            + [0x93, 0x29, 0x81, 0x7D, 0x28] + [0x8C, 0x05] + Array("shape".utf8) + [0x4B, 0x01, 0x85]
            + [0x8C, 0x05] + Array("order".utf8) + [0x8C, 0x01, 0x43] + [0x8C, 0x05] + Array("dtype".utf8) + record + [0x75, 0x62]
        let file = [0x80, 0x04] + wrapper + [UInt8](repeating: 0, count: 64) + [0x2E]
        do {
            _ = try SklearnSession(bytes: file)
            Issue.record("loaded")
        } catch {
            #expect(error.message.contains("outside its record"), "\(error)")
        }
    }

    /// A ColumnTransformer whose columns are named while `n_features_in_` says fewer: a name's index was not
    /// checked against the input's width.
    @Test func columnsNamedBeyondTheInputAreRefused() throws {
        let file = [UInt8](try Data(contentsOf: SklearnFixtureTests.directory.appendingPathComponent("1.9.1/column_transformer_frame.joblib")))
        // The transformer's own n_features_in_ (6, BININT1) set to 1.
        let key = Array("n_features_in_".utf8)
        var patched = file
        var found = 0
        for i in 0..<(file.count - key.count - 4) where Array(file[i..<(i + key.count)]) == key {
            // SHORT_BINUNICODE key, MEMOIZE, then BININT1 6.
            if file[i + key.count] == 0x94, file[i + key.count + 1] == 0x4B, file[i + key.count + 2] == 6 {
                patched[i + key.count + 2] = 1
                found += 1
            }
        }
        #expect(found >= 1)
        do {
            _ = try SklearnSession(bytes: patched)
            Issue.record("loaded")
        } catch {
            #expect(error.code == .invalidModel, "\(error)")
        }
    }
}
