import DriftStatistics
import Foundation
import Testing

/// Datasets read as pandas reads them for Evidently.
@Suite struct DriftTableTests {
    static func table(_ text: String) throws -> DriftTable { try DriftTable(parsing: Data(text.utf8), name: "data") }

    static func numbers(_ column: DriftColumn?) -> (values: [Double], integral: Bool)? {
        if case .numbers(let values, let integral)? = column { return (values, integral) }
        return nil
    }

    static func categories(_ column: DriftColumn?) -> [String?]? {
        if case .categories(let values)? = column { return values }
        return nil
    }

    @Test func csvColumnsAreTypedAsPandasTypesThem() throws {
        let table = try Self.table(
            "a, b ,c,d,e,f\n1,x,1.5,NA,\"quoted, with comma\",-inf\n2,,2e3,null,\"say \"\"hi\"\"\",7\n3,NaN,.5,,plain,1\n\n")
        #expect(table.rows == 3 && table.columns.map(\.name) == ["a", "b", "c", "d", "e", "f"])
        let a = try #require(Self.numbers(table.column(named: "a")))
        #expect(a.values == [1, 2, 3] && a.integral)
        #expect(Self.categories(table.column(named: "b")) == ["x", nil, nil])
        let c = try #require(Self.numbers(table.column(named: "c")))
        #expect(c.values == [1.5, 2000, 0.5] && !c.integral)
        #expect(Self.numbers(table.column(named: "d"))?.values.allSatisfy(\.isNaN) == true)
        #expect(Self.categories(table.column(named: "e")) == ["quoted, with comma", "say \"hi\"", "plain"])
        #expect(Self.numbers(table.column(named: "f"))?.values == [-.infinity, 7, 1])
    }

    @Test func hexadecimalAndWordsAreNotNumbers() throws {
        let signs = try Self.table("a,b\n-,+\n1,2\n")
        #expect(Self.categories(signs.column(named: "a")) == ["-", "1"] && Self.categories(signs.column(named: "b")) == ["+", "2"])
        let table = try Self.table("a,b\n0x10,1\n2,1e\n")
        #expect(Self.categories(table.column(named: "a")) == ["0x10", "2"])
        #expect(Self.categories(table.column(named: "b")) == ["1", "1e"])
    }

    @Test func crlfShortRowsAndBlankLines() throws {
        let table = try Self.table("a,b\r\n1,2\r\n\r\n3\r\n")
        #expect(table.rows == 2)
        #expect(Self.numbers(table.column(named: "b"))?.values.map { $0.isNaN ? -1 : $0 } == [2, -1])
    }

    @Test func malformedCSVIsRefusedWithWhere() throws {
        #expect(throws: DriftError.self) { try Self.table("a,b\n1,2,3\n") }
        #expect(throws: DriftError.self) { try Self.table("a,a\n1,2\n") }
        #expect(throws: DriftError.self) { try Self.table("a\n\"open\n") }
        #expect(throws: DriftError.self) { try Self.table("a\n\"x\"y\n") }
        #expect(throws: DriftError.self) { try Self.table("  \n") }
    }

    @Test func jsonLinesKeepNumbersStringsAndNulls() throws {
        let table = try Self.table("""
            {"n": 1, "x": 1.5, "s": "web", "b": true}
            {"n": 2, "x": null, "s": "app", "b": false}
            {"n": 3, "s": "web", "b": true}
            """)
        #expect(table.rows == 3)
        let n = try #require(Self.numbers(table.column(named: "n")))
        #expect(n.values == [1, 2, 3] && n.integral)
        let x = try #require(Self.numbers(table.column(named: "x")))
        #expect(x.values[0] == 1.5 && x.values[1].isNaN && x.values[2].isNaN && !x.integral)
        #expect(Self.categories(table.column(named: "s")) == ["web", "app", "web"])
        #expect(Self.categories(table.column(named: "b")) == ["True", "False", "True"])
        #expect(throws: DriftError.self) { try Self.table("{\"a\": [1]}\n") }
        #expect(throws: DriftError.self) { try Self.table("{\"a\": 1}\nnot json\n") }
    }
}
