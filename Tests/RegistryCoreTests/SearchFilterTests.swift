import RegistryCore
import Testing

@Suite struct SearchFilterTests {
    typealias Clause = SearchFilter.Clause

    @Test func parsesTheClausesMLflowClientsSend() throws {
        let filter = try SearchFilter(
            parsing: "metrics.acc >= 0.9 and params.lr = '0.1' AND tags.`mlflow.prompt.is_prompt` != 'true' AND run_name LIKE \"a%\"")
        #expect(filter.clauses == [
            Clause(key: .init(kind: .metric, name: "acc"), op: .greaterOrEqual, value: .number(0.9)),
            Clause(key: .init(kind: .param, name: "lr"), op: .equal, value: .string("0.1")),
            Clause(key: .init(kind: .tag, name: "mlflow.prompt.is_prompt"), op: .notEqual, value: .string("true")),
            Clause(key: .init(kind: .attribute, name: "run_name"), op: .like, value: .string("a%")),
        ])
        let more = try SearchFilter(
            parsing: "attributes.status IN ('FINISHED', 'FAILED') AND tag.\"team name\" IS NOT NULL AND name = 'it''s'")
        #expect(more.clauses == [
            Clause(key: .init(kind: .attribute, name: "status"), op: .in, value: .list(["FINISHED", "FAILED"])),
            Clause(key: .init(kind: .tag, name: "team name"), op: .isNotNull, value: .none),
            Clause(key: .init(kind: .attribute, name: "name"), op: .equal, value: .string("it's")),
        ])
        #expect(try SearchFilter(parsing: "  ").clauses.isEmpty)
        #expect(try SearchFilter(parsing: nil).clauses.isEmpty)
    }

    @Test(arguments: [
        "metrics.a > 1 OR metrics.b > 2", "(metrics.a > 1)", "bogus.x = 1", "metrics.a >", "name = 'unterminated",
        "name IN 'a'", "metrics.a ! 1", "name = 'a' name = 'b'",
    ])
    func refusesWhatMLflowRefuses(text: String) {
        #expect(throws: RegistryError.self) { try SearchFilter(parsing: text) }
    }

    /// Client input bounded before it becomes SQL: past these, SQLite's own limits would answer a 500.
    @Test func filtersAndOrdersAreBoundedWithClearMessages() throws {
        let clauses = { (n: Int) in (0..<n).map { "metrics.m\($0) > 1" }.joined(separator: " AND ") }
        #expect(try SearchFilter(parsing: clauses(SearchFilter.maxClauses)).clauses.count == SearchFilter.maxClauses)
        #expect(throws: RegistryError.self) { try SearchFilter(parsing: clauses(SearchFilter.maxClauses + 1)) }
        let list = { (n: Int) in "params.p IN (" + (0..<n).map { "'\($0)'" }.joined(separator: ",") + ")" }
        #expect(try SearchFilter(parsing: list(SearchFilter.maxListItems)).clauses.count == 1)
        #expect(throws: RegistryError.self) { try SearchFilter(parsing: list(SearchFilter.maxListItems + 1)) }
        #expect(throws: RegistryError.self) {
            try SearchFilter(parsing: "name LIKE '" + String(repeating: "%", count: SearchFilter.maxValueLength + 1) + "'")
        }
        let keys = (0...SearchOrder.maxKeys).map { "metrics.m\($0) DESC" }
        #expect(try SearchOrder.list(Array(keys.prefix(SearchOrder.maxKeys))).count == SearchOrder.maxKeys)
        do {
            _ = try SearchOrder.list(keys)
            Issue.record("\(keys.count) order_by keys were accepted")
        } catch let error as RegistryError {
            #expect(error.code == .invalidArgument && error.message.contains("at most \(SearchOrder.maxKeys)"))
        }
    }

    @Test func ordersAndLikePatterns() throws {
        #expect(try SearchOrder(parsing: "metrics.acc DESC") == SearchOrder(key: .init(kind: .metric, name: "acc"), ascending: false))
        #expect(try SearchOrder(parsing: "version_number") == SearchOrder(key: .init(kind: .attribute, name: "version_number"), ascending: true))
        #expect(throws: RegistryError.self) { try SearchOrder(parsing: "name sideways up") }
        #expect(LikePattern.glob("a%_b*[") == "a*?b[*][[]")
    }

    @Test func versionSelectorsNameNumbersVersionsAndAliases() throws {
        #expect(try VersionSelector(parsing: "3") == .number(3))
        #expect(try VersionSelector(parsing: "1.2.0") == .version(try SemanticVersion(parsing: "1.2.0")))
        #expect(try VersionSelector(parsing: "@prod") == .alias(EnvironmentName(rawValue: "prod")))
        #expect(throws: RegistryError.self) { try VersionSelector(parsing: "0") }
        #expect(throws: RegistryError.self) { try VersionSelector(parsing: "abc") }
    }
}
