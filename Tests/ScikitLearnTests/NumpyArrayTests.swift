import Foundation
import Testing

@testable import ScikitLearn

/// Every dtype joblib writes, read from a `joblib.dump` of a dict of arrays (joblib 1.6, numpy 2.4; base64 below,
/// uncompressed and with compress=3): floats of 2, 4 and 8 bytes, big-endian, signed and unsigned integers of every
/// width, booleans, fixed-width unicode and bytes, object arrays of strings (a nested pickle), and Fortran order in
/// two and three dimensions.
@Suite struct NumpyArrayTests {
    static let plain =
            "gASV2QAAAAAAAAB9lCiMAmYylIwTam9ibGliLm51bXB5X3BpY2tsZZSMEU51bXB5QXJyYXlXcmFwcGVylJOUKYGUfZQojAhzdWJjbGFzc5SMBW" +
            "51bXB5lIwHbmRhcnJheZSTlIwFc2hhcGWUSwOFlIwFb3JkZXKUjAFDlIwFZHR5cGWUaAiMBWR0eXBllJOUjAJmMpSJiIeUUpQoSwOMATyUTk5O" +
            "Sv////9K/////0sAdJRijAphbGxvd19tbWFwlIiMG251bXB5X2FycmF5X2FsaWdubWVudF9ieXRlc5RLEHViC///////////////AD6AwAB8lU" +
            "oAAAAAAAAAjAJmNJRoBCmBlH2UKGgHaApoC0sDhZRoDWgOaA9oEYwCZjSUiYiHlFKUKEsDaBVOTk5K/////0r/////SwB0lGJoF4hoGEsQdWIG" +
            "////////zczMPQAAYMAAAMB/lUwAAAAAAAAAjAJmOJRoBCmBlH2UKGgHaApoC0sCSwOGlGgNaA5oD2gRjAJmOJSJiIeUUpQoSwNoFU5OTkr///" +
            "//Sv////9LAHSUYmgXiGgYSxB1Yg7//////////////////wAAAAAAAPA/AAAAAAAAAEAAAAAAAAAIQAAAAAAAABBAAAAAAAAAFEAAAAAAAAAY" +
            "QJUpAAAAAAAAAIwBRpRoBCmBlH2UKGgHaApoC0sCSwOGlGgNaCloD2gnaBeIaBhLEHViDf////////////////8AAAAAAADwPwAAAAAAABBAAA" +
            "AAAAAAAEAAAAAAAAAUQAAAAAAAAAhAAAAAAAAAGECVTAAAAAAAAACMAmJllGgEKYGUfZQoaAdoCmgLSwKFlGgNaA5oD2gRjAJmOJSJiIeUUpQo" +
            "SwOMAT6UTk5OSv////9K/////0sAdJRiaBeIaBhLEHViCv////////////8/9AAAAAAAAMAcAAAAAAAAlUwAAAAAAAAAjAJpMZRoBCmBlH2UKG" +
            "gHaApoC0sDhZRoDWgOaA9oEYwCaTGUiYiHlFKUKEsDjAF8lE5OTkr/////Sv////9LAHSUYmgXiGgYSxB1Ygr/////////////gAB/lUoAAAAA" +
            "AAAAjAJpMpRoBCmBlH2UKGgHaApoC0sChZRoDWgOaA9oEYwCaTKUiYiHlFKUKEsDaBVOTk5K/////0r/////SwB0lGJoF4hoGEsQdWIJ//////" +
            "//////0IowdZVKAAAAAAAAAIwCaTSUaAQpgZR9lChoB2gKaAtLAoWUaA1oDmgPaBGMAmk0lImIh5RSlChLA2gVTk5OSv////9K/////0sAdJRi" +
            "aBeIaBhLEHViCP//////////AAAAgP///3+VSgAAAAAAAACMAmk4lGgEKYGUfZQoaAdoCmgLSwKFlGgNaA5oD2gRjAJpOJSJiIeUUpQoSwNoFU" +
            "5OTkr/////Sv////9LAHSUYmgXiGgYSxB1YgT/////AAAAAAAAAID/////////f5VKAAAAAAAAAIwCdTGUaAQpgZR9lChoB2gKaAtLAoWUaA1o" +
            "DmgPaBGMAnUxlImIh5RSlChLA2g9Tk5OSv////9K/////0sAdJRiaBeIaBhLEHViDP///////////////wD/lUoAAAAAAAAAjAJ1MpRoBCmBlH" +
            "2UKGgHaApoC0sBhZRoDWgOaA9oEYwCdTKUiYiHlFKUKEsDaBVOTk5K/////0r/////SwB0lGJoF4hoGEsQdWIK////////////////lUoAAAAA" +
            "AAAAjAJ1NJRoBCmBlH2UKGgHaApoC0sBhZRoDWgOaA9oEYwCdTSUiYiHlFKUKEsDaBVOTk5K/////0r/////SwB0lGJoF4hoGEsQdWIK//////" +
            "////////////+VSgAAAAAAAACMAnU4lGgEKYGUfZQoaAdoCmgLSwGFlGgNaA5oD2gRjAJ1OJSJiIeUUpQoSwNoFU5OTkr/////Sv////9LAHSU" +
            "YmgXiGgYSxB1Ygj//////////wAAAAAAAABAlUoAAAAAAAAAjAJiMZRoBCmBlH2UKGgHaApoC0sDhZRoDWgOaA9oEYwCYjGUiYiHlFKUKEsDaD" +
            "1OTk5K/////0r/////SwB0lGJoF4hoGEsQdWIE/////wEAAZVDAAAAAAAAAIwBVZRoBCmBlH2UKGgHaApoC0sDhZRoDWgOaA9oEYwCVTOUiYiH" +
            "lFKUKEsDaBVOTk5LDEsESwh0lGJoF4hoGEsQdWIQ/////////////////////+kAAAAAAAAAAAAAAGQAAABvAAAAZwAAAAAAAAAAAAAAAAAAAJ" +
            "VDAAAAAAAAAIwBU5RoBCmBlH2UKGgHaApoC0sChZRoDWgOaA9oEYwCUzKUiYiHlFKUKEsDaD1OTk5LAksBSwB0lGJoF4hoGEsQdWIP////////" +
            "////////////YWJjAJVJAAAAAAAAAIwBT5RoBCmBlH2UKGgHaApoC0sDhZRoDWgOaA9oEYwCTziUiYiHlFKUKEsDaD1OTk5K/////0r/////Sz" +
            "90lGJoF4loGEsQdWKABZWlAAAAAAAAAIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5" +
            "lJOUSwCFlEMBYpSHlFKUKEsBSwOFlGgDjAVkdHlwZZSTlIwCTziUiYiHlFKUKEsDjAF8lE5OTkr/////Sv////9LP3SUYoldlCiMAXiUjAtsb2" +
            "5nIHN0cmluZ5SMBuaXpeacrJRldJRiLpUsAAAAAAAAAIwCRjOUaAQpgZR9lChoB2gKaAtLAksDSwSHlGgNaCloD2hVaBeIaBhLEHViBP////8A" +
            "AAAAAAAAAAwAAAAAAAAABAAAAAAAAAAQAAAAAAAAAAgAAAAAAAAAFAAAAAAAAAABAAAAAAAAAA0AAAAAAAAABQAAAAAAAAARAAAAAAAAAAkAAA" +
            "AAAAAAFQAAAAAAAAACAAAAAAAAAA4AAAAAAAAABgAAAAAAAAASAAAAAAAAAAoAAAAAAAAAFgAAAAAAAAADAAAAAAAAAA8AAAAAAAAABwAAAAAA" +
            "AAATAAAAAAAAAAsAAAAAAAAAFwAAAAAAAAB1Lg=="
    static let compressed =
            "eF6NVctu00AUHefRpknapPQpwYIdrYQiaFl0QR+oUiVqlEpUFSsU7MTEBseOHFsQqahhUdqi2TEWG7bd8RH5gCKx5QcqsWPBPszYN844LpYtOW" +
            "fiseece8+dub2M+wv51weyglOv1wiee2PKuiZXDKfV7tbaWv2trhA8W2V/n1iW1H1hSe22YpEvZPUjYZ/lOo5c16VOh+Cs9xXBk0ZDYu/Sl3C2" +
            "o0pthYjpUzo2rQb9FAu7dNywu/S5mhuO6LtMwcX5GXlOVsQ0Fh6TarW6P6CX9yMim8g4L+m6+a7Wakltco5v+zo9tpqka02jpRh2Te7aSoeIZU" +
            "cusC/hQlu9Pjp29yFmSveIqBk/DHVSzasFplKdVmfUkjrrTQdq1IWoFnXpXF1mJBM+wY+rq02EXvUR6p+4z0YsG+MsKTH9iefZSMgzwwVDhz7D" +
            "n21g2vExB1gGnAdc3nFXh5qEvf9JWqWh3wsCmw4RhvmG66MxniE/5RvlQKZOhzOdCmWaywAWtm7wPZCUH0na/usr6t/xkePTHsY6S6e5OjtOyN" +
            "dDJ1zxaGuxIdHpZMUzFQT08/MDhyeIVGcoZ1rS6swF9Y9Qj45DQURrk/dFS1qZGcYB1cU42MXzOBE/QrHQ6VGyNmN2WpEvSDTgsuVE7BD4SOh0" +
            "Mju4+hqE1o+4EV4/qRuh9cMMES/CDEm94P1mluxwWZLj9wWdTuaD57eABHc3OFKOYnfc0fpY/sWimBFz9EQPdnY5fLoNBr9hbQYNepv0bnLPvD" +
            "0/EnAYux8P+QJgJSamRMFrKYGA0pgASa4j92kQ4EFsgAe8PWMlvO2xXPjNopd1L4drLnrtq1Krm5ZSaTm6rfl9ExdrllI3jY5tOXXba6PR1iqi" +
            "U7IryMTvl4LXu9J8N+UlYWH8lGOiLl7SBi68J7igm0bzLqXTjCbBE9dfL6+/fScKfaXi3h+qTe2t39A2xMwZ62WscRwFqeTPA1SEBTKAZcAc4D" +
            "ygADgNmAWcBZwCXABMAc4ATgDeAswDLgKmAUuAk4BzgAXAJUCn8g/rFUA3"

    static func arrays(_ base64: String) throws -> [String: NumpyArray] {
        let root = try JoblibFile.read([UInt8](Data(base64Encoded: base64)!), allowed: [], maxInflatedBytes: 1 << 20)
        guard case .dict(let pairs) = root.kind else { throw StateError("not a dict") }
        var result: [String: NumpyArray] = [:]
        for (key, value) in pairs { result[key.string!] = try NumpyArray(value) }
        return result
    }

    @Test(arguments: [plain, compressed]) func everyDtypeReads(_ file: String) throws {
        let a = try Self.arrays(file)
        #expect(a["f2"]?.doubles == [1.5, -2.25, .infinity])
        let f4 = try #require(a["f4"]?.doubles)
        #expect(f4[0] == Double(Float(0.1)) && f4[1] == -3.5 && f4[2].isNaN)
        #expect(a["f8"]?.shape == [2, 3] && a["f8"]?.doubles == [1, 2, 3, 4, 5, 6])
        #expect(a["F"]?.shape == [2, 3] && a["F"]?.doubles == [1, 2, 3, 4, 5, 6], "Fortran order read back in C order")
        #expect(a["F3"]?.shape == [2, 3, 4] && a["F3"]?.intValues == (0..<24).map(Int64.init))
        #expect(a["be"]?.doubles == [1.25, -7])
        #expect(a["i1"]?.intValues == [-128, 0, 127] && a["i2"]?.intValues == [-30000, 30000])
        #expect(a["i4"]?.intValues == [Int64(Int32.min), Int64(Int32.max)] && a["i8"]?.intValues == [.min, .max])
        #expect(a["u1"]?.intValues == [0, 255] && a["u2"]?.intValues == [65535] && a["u4"]?.intValues == [4_294_967_295])
        #expect(a["u8"]?.intValues == [1 << 62] && a["b1"]?.intValues == [1, 0, 1])
        guard case .strings(let unicode)? = a["U"]?.values, case .strings(let bytes)? = a["S"]?.values,
            case .objects(let objects)? = a["O"]?.values
        else {
            Issue.record("string arrays did not read as strings")
            return
        }
        #expect(unicode == ["é", "dog", ""] && bytes == ["ab", "c"])
        #expect(objects.map(\.string) == ["x", "long string", "日本"])
    }
}
