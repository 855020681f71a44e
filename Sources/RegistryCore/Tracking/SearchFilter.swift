/// A parsed MLflow search filter: clauses joined by `AND` (no `OR`, no parentheses), e.g.
/// `metrics.acc > 0.9 AND params.lr = '0.1' AND tags.\`team name\` LIKE 'ml%'`.
/// The parser knows the grammar; which keys an entity accepts is checked by `SearchFilter.Entity`.
public struct SearchFilter: Sendable, Equatable {
    public var clauses: [Clause]

    public struct Clause: Sendable, Equatable {
        public var key: Key
        public var op: Operator
        public var value: Value

        public init(key: Key, op: Operator, value: Value) {
            self.key = key
            self.op = op
            self.value = value
        }
    }

    /// `kind.name`, e.g. `metric`/`acc`, `attribute`/`run_name`; an unprefixed key is an attribute.
    public struct Key: Sendable, Equatable {
        public var kind: Kind
        public var name: String

        public init(kind: Kind, name: String) {
            self.kind = kind
            self.name = name
        }
    }

    public enum Kind: String, Sendable, Equatable {
        case metric, param, tag, attribute, dataset
    }

    public enum Operator: String, Sendable, Equatable {
        case equal = "=", notEqual = "!=", greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="
        case like = "LIKE", ilike = "ILIKE", `in` = "IN", notIn = "NOT IN", isNull = "IS NULL"
        case isNotNull = "IS NOT NULL"

        public var isComparison: Bool { [.greater, .greaterOrEqual, .less, .lessOrEqual].contains(self) }
    }

    public enum Value: Sendable, Equatable {
        case string(String)
        case number(Double)
        case list([String])
        case none
    }

    public init(clauses: [Clause]) { self.clauses = clauses }

    /// Clauses one filter may join: each becomes a term of one SQL expression, whose depth the database bounds.
    public static let maxClauses = 50
    /// Items of one `IN` list.
    public static let maxListItems = 1_000
    /// Characters of one compared value (a `LIKE` pattern grows up to threefold as a GLOB).
    public static let maxValueLength = 5_000

    /// Parses `text`; empty or absent text is the filter that matches everything.
    public init(parsing text: String?) throws {
        guard let text, !text.allSatisfy(\.isWhitespace) else {
            self.clauses = []
            return
        }
        var tokens = try SearchTokenizer(text).tokens()
        var clauses: [Clause] = []
        while true {
            clauses.append(try Self.clause(&tokens, text: text))
            guard clauses.count <= Self.maxClauses else {
                throw RegistryError.invalidArgument(
                    "the filter has more than \(Self.maxClauses) clauses; narrow the search in several requests")
            }
            guard let next = tokens.first else { break }
            guard case .word(let word) = next, word.uppercased() == "AND" else {
                if case .word(let word) = next, word.uppercased() == "OR" {
                    throw RegistryError.invalidArgument("search filters do not support OR; join clauses with AND")
                }
                throw RegistryError.invalidArgument("invalid filter '\(text.prefix(200))': expected AND after a clause")
            }
            tokens.removeFirst()
        }
        self.clauses = clauses
    }

    private static func clause(_ tokens: inout [SearchToken], text: String) throws -> Clause {
        func fail(_ why: String) -> RegistryError {
            RegistryError.invalidArgument("invalid filter '\(text.prefix(200))': \(why)")
        }
        guard !tokens.isEmpty else { throw fail("a clause is missing") }
        let keyToken = tokens.removeFirst()
        let key: Key
        switch keyToken {
        case .word(let word): key = try Self.key(word)
        case .quotedIdentifier(let name): key = Key(kind: .attribute, name: name)
        case .string(let name, quote: "\""): key = Key(kind: .attribute, name: name)
        default: throw fail("expected a key such as metrics.acc, params.lr or tags.team")
        }
        guard !tokens.isEmpty else { throw fail("'\(key.name)' has no comparison") }
        let op: Operator
        switch tokens.removeFirst() {
        case .symbol(let symbol):
            guard let parsed = Operator(rawValue: symbol == "==" ? "=" : symbol) else { throw fail("unknown operator '\(symbol)'") }
            op = parsed
        case .word(let word):
            switch word.uppercased() {
            case "LIKE": op = .like
            case "ILIKE": op = .ilike
            case "IN": op = .in
            case "NOT":
                guard case .word(let next)? = tokens.first, next.uppercased() == "IN" else { throw fail("expected IN after NOT") }
                tokens.removeFirst()
                op = .notIn
            case "IS":
                var negated = false
                if case .word(let next)? = tokens.first, next.uppercased() == "NOT" {
                    tokens.removeFirst()
                    negated = true
                }
                guard case .word(let null)? = tokens.first, null.uppercased() == "NULL" else { throw fail("expected NULL after IS") }
                tokens.removeFirst()
                return Clause(key: key, op: negated ? .isNotNull : .isNull, value: .none)
            default: throw fail("unknown operator '\(word)'")
            }
        default: throw fail("expected an operator after '\(key.name)'")
        }
        guard !tokens.isEmpty else { throw fail("'\(key.name) \(op.rawValue)' has no value") }
        let valueToken = tokens.removeFirst()
        let value: Value
        switch (op, valueToken) {
        case (.in, .list(let items)), (.notIn, .list(let items)):
            guard items.count <= maxListItems else {
                throw fail("an IN list holds more than \(maxListItems) values; split the search")
            }
            value = .list(items)
        case (.in, _), (.notIn, _): throw fail("IN takes a parenthesised list of quoted strings")
        case (_, .string(let text, _)):
            guard text.utf8.count <= maxValueLength else {
                throw fail("a value is longer than \(maxValueLength) bytes")
            }
            value = .string(text)
        case (_, .word(let word)):
            guard let number = Double(word) else { throw fail("value '\(word)' must be a quoted string or a number") }
            value = .number(number)
        default: throw fail("expected a value after '\(key.name) \(op.rawValue)'")
        }
        return Clause(key: key, op: op, value: value)
    }

    private static func key(_ word: String) throws -> Key {
        guard let dot = word.firstIndex(of: ".") else { return Key(kind: .attribute, name: word) }
        let prefix = word[..<dot].lowercased()
        let name = String(word[word.index(after: dot)...])
        let kind: Kind
        switch prefix {
        case "metric", "metrics": kind = .metric
        case "param", "params", "parameter", "parameters": kind = .param
        case "tag", "tags": kind = .tag
        case "attribute", "attributes", "attr", "run": kind = .attribute
        case "dataset", "datasets": kind = .dataset
        default:
            throw RegistryError.invalidArgument(
                "invalid filter key '\(word.prefix(80))': use metrics., params., tags., attributes. or datasets.")
        }
        guard !name.isEmpty else { throw RegistryError.invalidArgument("filter key '\(word.prefix(80))' has no name") }
        return Key(kind: kind, name: name)
    }
}

enum SearchToken: Equatable {
    /// An identifier, keyword or number; a `prefix.` followed by a quoted name is joined into one word.
    case word(String)
    case quotedIdentifier(String)
    case string(String, quote: Character)
    case symbol(String)
    case list([String])
}

/// Splits a filter into tokens; quotes may be escaped by doubling or with a backslash.
struct SearchTokenizer {
    let characters: [Character]
    let text: String

    init(_ text: String) {
        self.text = text
        self.characters = Array(text)
    }

    func tokens() throws -> [SearchToken] {
        var tokens: [SearchToken] = []
        var index = 0
        func fail(_ why: String) -> RegistryError {
            RegistryError.invalidArgument("invalid filter '\(text.prefix(200))': \(why)")
        }
        func quoted(_ quote: Character) throws -> String {
            var value = ""
            index += 1
            while index < characters.count {
                let character = characters[index]
                if character == "\\", index + 1 < characters.count {
                    value.append(characters[index + 1])
                    index += 2
                    continue
                }
                if character == quote {
                    if index + 1 < characters.count, characters[index + 1] == quote {
                        value.append(quote)
                        index += 2
                        continue
                    }
                    index += 1
                    return value
                }
                value.append(character)
                index += 1
            }
            throw fail("unterminated \(quote) quote")
        }
        func isWordCharacter(_ c: Character) -> Bool {
            c.isLetter || c.isNumber || c == "_" || c == "." || c == "-" || c == "+" || c == ":"
        }
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace {
                index += 1
            } else if character == "'" || character == "\"" {
                tokens.append(.string(try quoted(character), quote: character))
            } else if character == "`" {
                tokens.append(.quotedIdentifier(try quoted("`")))
            } else if character == "(" {
                index += 1
                var items: [String] = []
                while true {
                    while index < characters.count, characters[index].isWhitespace { index += 1 }
                    guard index < characters.count else { throw fail("unterminated list") }
                    guard characters[index] == "'" || characters[index] == "\"" else {
                        throw fail("parentheses are only allowed around IN lists of quoted strings")
                    }
                    items.append(try quoted(characters[index]))
                    while index < characters.count, characters[index].isWhitespace { index += 1 }
                    guard index < characters.count else { throw fail("unterminated list") }
                    if characters[index] == "," {
                        index += 1
                    } else if characters[index] == ")" {
                        index += 1
                        break
                    } else {
                        throw fail("expected ',' or ')' in a list")
                    }
                }
                tokens.append(.list(items))
            } else if "=!<>".contains(character) {
                var symbol = String(character)
                index += 1
                if index < characters.count, characters[index] == "=" {
                    symbol.append("=")
                    index += 1
                }
                guard symbol != "!" else { throw fail("'!' must be followed by '='") }
                tokens.append(.symbol(symbol))
            } else if isWordCharacter(character) {
                var word = ""
                while index < characters.count, isWordCharacter(characters[index]) {
                    word.append(characters[index])
                    index += 1
                }
                // `tags.` followed by a backticked or double-quoted name.
                if word.hasSuffix("."), index < characters.count, characters[index] == "`" || characters[index] == "\"" {
                    word += try quoted(characters[index])
                }
                tokens.append(.word(word))
            } else {
                throw fail("unexpected character '\(character)'")
            }
        }
        return tokens
    }
}

/// How a search orders results: `metrics.acc DESC`, `name`, `version_number ASC`.
public struct SearchOrder: Sendable, Equatable {
    public var key: SearchFilter.Key
    public var ascending: Bool

    /// Sort keys one search may take (each metric, param or tag key joins a table).
    public static let maxKeys = 10

    /// Parses a request's `order_by` list; more than `maxKeys` is refused.
    public static func list(_ texts: [String]) throws -> [SearchOrder] {
        guard texts.count <= maxKeys else {
            throw RegistryError.invalidArgument("order_by takes at most \(maxKeys) keys, got \(texts.count)")
        }
        return try texts.map(SearchOrder.init(parsing:))
    }

    public init(key: SearchFilter.Key, ascending: Bool) {
        self.key = key
        self.ascending = ascending
    }

    public init(parsing text: String) throws {
        var tokens = try SearchTokenizer(text).tokens()
        guard !tokens.isEmpty else { throw RegistryError.invalidArgument("order_by must not be empty") }
        var ascending = true
        if tokens.count > 1, case .word(let direction) = tokens[tokens.count - 1] {
            switch direction.uppercased() {
            case "ASC": tokens.removeLast()
            case "DESC":
                ascending = false
                tokens.removeLast()
            default: break
            }
        }
        guard tokens.count == 1 else {
            throw RegistryError.invalidArgument("invalid order_by '\(text.prefix(100))': use '<key> [ASC|DESC]'")
        }
        let key: SearchFilter.Key
        switch tokens[0] {
        case .word(let word):
            if let dot = word.firstIndex(of: "."), ["metric", "metrics", "param", "params", "parameter", "parameters", "tag", "tags", "attribute", "attributes", "attr", "run", "dataset", "datasets"].contains(word[..<dot].lowercased()) {
                let filter = try SearchFilter(parsing: "\(word) IS NULL")
                key = filter.clauses[0].key
            } else {
                key = SearchFilter.Key(kind: .attribute, name: word)
            }
        case .quotedIdentifier(let name), .string(let name, _): key = SearchFilter.Key(kind: .attribute, name: name)
        default: throw RegistryError.invalidArgument("invalid order_by '\(text.prefix(100))'")
        }
        self.init(key: key, ascending: ascending)
    }
}

/// SQL `LIKE` semantics turned into a case-sensitive GLOB pattern (`%` → `*`, `_` → `?`, GLOB's own wildcards
/// escaped), because SQLite's LIKE ignores ASCII case and MLflow's does not.
public enum LikePattern {
    public static func glob(_ like: String) -> String {
        var result = ""
        for character in like {
            switch character {
            case "%": result.append("*")
            case "_": result.append("?")
            case "*": result.append("[*]")
            case "?": result.append("[?]")
            case "[": result.append("[[]")
            default: result.append(character)
            }
        }
        return result
    }
}
