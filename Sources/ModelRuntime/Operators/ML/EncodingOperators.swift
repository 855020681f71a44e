/// LabelEncoder, CategoryMapper and OneHotEncoder: lookups between categories and numbers.
enum EncodingOperators {
    static var definitions: [OperatorDefinition] {
        [
            OperatorDefinition(domain: OpsetTable.mlDomain, name: "LabelEncoder", opsets: 1...5) { ctx in
                try ctx.expectInputs(1...1)
                let input = try ctx.expect(0, [.string, .int64, .float32])
                let table = try LabelTable.read(&ctx, input: input)
                let label = ctx.label
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in [try table.map(try inputs.required(0, label), label)] },
                    outputTypes: [table.outputType], fusion: .pointwise)
            },
            OperatorDefinition(domain: OpsetTable.mlDomain, name: "CategoryMapper", opsets: 1...5) { ctx in
                try ctx.expectInputs(1...1)
                let input = try ctx.expect(0, [.string, .int64])
                let strings = try ctx.attributes.strings("cats_strings") ?? []
                let ints = try ctx.attributes.int64s("cats_int64s") ?? []
                guard strings.count == ints.count, !strings.isEmpty else {
                    throw ctx.invalid("cats_strings and cats_int64s must be non-empty and equal in length")
                }
                let defaultInt = Int64(try ctx.attributes.int("default_int64", default: -1))
                let defaultString = try ctx.attributes.string("default_string", default: "_Unused")
                let label = ctx.label
                if input == .string {
                    let lookup = StringLookup(strings)
                    return BuiltOperator(
                        kernel: ClosureKernel { inputs in
                            let x = try inputs.required(0, label)
                            let values = (x.strings ?? []).map { s in lookup.index(of: s).map { ints[$0] } ?? defaultInt }
                            return [Tensor(unchecked: x.shape, .int64(values))]
                        }, outputTypes: [.int64])
                }
                let map = Dictionary(zip(ints, strings), uniquingKeysWith: { a, _ in a })
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        let x = try inputs.required(0, label)
                        return [Tensor(unchecked: x.shape, .string((x.int64s ?? []).map { map[$0] ?? defaultString }))]
                    }, outputTypes: [.string])
            },
            OperatorDefinition(domain: OpsetTable.mlDomain, name: "OneHotEncoder", opsets: 1...5) { ctx in
                try ctx.expectInputs(1...1)
                let input = try ctx.expect(0, [.string, .int64, .int32, .float32, .float64])
                let strings = try ctx.attributes.strings("cats_strings")
                let ints = try ctx.attributes.int64s("cats_int64s")
                let zeros = try ctx.attributes.int("zeros", default: 1) != 0
                let label = ctx.label
                let categories: Int
                let lookupString: StringLookup
                let lookupInt: [Int64: Int]
                if input == .string {
                    guard let strings, !strings.isEmpty else { throw ctx.invalid("cats_strings is required for string input") }
                    categories = strings.count
                    lookupString = StringLookup(strings)
                    lookupInt = [:]
                } else {
                    guard let ints, !ints.isEmpty else { throw ctx.invalid("cats_int64s is required for numeric input") }
                    categories = ints.count
                    lookupInt = Dictionary(ints.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
                    lookupString = StringLookup([])
                }
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        let x = try inputs.required(0, label)
                        let positions: [Int?]
                        if let s = x.strings {
                            positions = s.map { lookupString.index(of: $0) }
                        } else {
                            // `Int64(exactly:)`: 1e19 or 0.5 from a request is an unknown category, not a trap.
                            positions = CastOperator.doubles(x.storage).map { v in
                                Int64(exactly: v).flatMap { lookupInt[$0] }
                            }
                        }
                        var out = [Float](
                            repeating: 0, count: try Tensor.count(of: [positions.count, categories], label))
                        for (i, p) in positions.enumerated() {
                            if let p {
                                out[i * categories + p] = 1
                            } else if !zeros {
                                throw ModelRuntimeError.invalidInput("\(label): unknown category at element \(i)")
                            }
                        }
                        return [Tensor(unchecked: x.shape + [categories], .float32(out))]
                    }, outputTypes: [.float32])
            },
        ]
    }
}

/// The key-to-value table of a LabelEncoder, in either attribute form (opset 1 or opsets 2+).
struct LabelTable: Sendable {
    enum Keys: Sendable {
        case strings(StringLookup)
        case ints([Int64: Int])
        case floats([Float: Int], nanIndex: Int?)
    }

    let keys: Keys
    let values: Tensor.Storage
    let fallback: Tensor.Storage
    var outputType: ElementType { values.elementType }

    static func read(_ ctx: inout NodeContext, input: ElementType) throws -> LabelTable {
        if ctx.opset < 2 {
            let classes = try ctx.attributes.strings("classes_strings") ?? []
            let defaultInt = Int64(try ctx.attributes.int("default_int64", default: -1))
            let defaultString = try ctx.attributes.string("default_string", default: "_Unused")
            if input == .string {
                return LabelTable(
                    keys: .strings(StringLookup(classes)), values: .int64((0..<Int64(classes.count)).map { $0 }),
                    fallback: .int64([defaultInt]))
            }
            let intKeys = Dictionary((0..<classes.count).map { (Int64($0), $0) }, uniquingKeysWith: { a, _ in a })
            return LabelTable(keys: .ints(intKeys), values: .string(classes), fallback: .string([defaultString]))
        }
        let keyStrings = try ctx.attributes.strings("keys_strings")
        let keyInts = try ctx.attributes.int64s("keys_int64s")
        let keyFloats = try ctx.attributes.floats("keys_floats")
        let valueStrings = try ctx.attributes.strings("values_strings")
        let valueInts = try ctx.attributes.int64s("values_int64s")
        let valueFloats = try ctx.attributes.floats("values_floats")
        let defaultString = try ctx.attributes.string("default_string", default: "_Unused")
        let defaultInt = Int64(try ctx.attributes.int("default_int64", default: -1))
        let defaultFloat = try ctx.attributes.float("default_float", default: -0.0)
        if ctx.attributes.has("keys_tensor") || ctx.attributes.has("values_tensor") {
            throw ctx.unsupported("keys_tensor/values_tensor", "(tensor form)")
        }
        let keys: Keys
        let keyCount: Int
        switch input {
        case .string:
            guard let k = keyStrings else { throw ctx.invalid("keys_strings is required for string input") }
            keys = .strings(StringLookup(k))
            keyCount = k.count
        case .int64:
            guard let k = keyInts else { throw ctx.invalid("keys_int64s is required for int64 input") }
            keys = .ints(Dictionary(k.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a }))
            keyCount = k.count
        default:
            guard let k = keyFloats else { throw ctx.invalid("keys_floats is required for float input") }
            keys = .floats(
                Dictionary(k.enumerated().filter { !$0.element.isNaN }.map { ($1, $0) }, uniquingKeysWith: { a, _ in a }),
                nanIndex: k.firstIndex(where: \.isNaN))
            keyCount = k.count
        }
        let values: Tensor.Storage
        let fallback: Tensor.Storage
        if let v = valueStrings {
            values = .string(v)
            fallback = .string([defaultString])
        } else if let v = valueInts {
            values = .int64(v)
            fallback = .int64([defaultInt])
        } else if let v = valueFloats {
            values = .float32(v)
            fallback = .float32([defaultFloat])
        } else {
            throw ctx.invalid("values_strings, values_int64s or values_floats is required")
        }
        guard values.count == keyCount else { throw ctx.invalid("\(keyCount) keys but \(values.count) values") }
        return LabelTable(keys: keys, values: values, fallback: fallback)
    }

    func map(_ x: Tensor, _ label: String) throws -> Tensor {
        let positions: [Int]
        switch (keys, x.storage) {
        case (.strings(let k), .string(let v)): positions = v.map { k.index(of: $0) ?? -1 }
        case (.ints(let k), .int64(let v)): positions = v.map { k[$0] ?? -1 }
        case (.floats(let k, let nan), .float32(let v)): positions = v.map { $0.isNaN ? (nan ?? -1) : (k[$0] ?? -1) }
        default: throw ModelRuntimeError.invalidInput("\(label): input type does not match the keys")
        }
        func pick<T>(_ values: [T], _ fallback: [T]) -> [T] { positions.map { $0 >= 0 ? values[$0] : fallback[0] } }
        switch (values, fallback) {
        case (.string(let v), .string(let f)): return Tensor(unchecked: x.shape, .string(pick(v, f)))
        case (.int64(let v), .int64(let f)): return Tensor(unchecked: x.shape, .int64(pick(v, f)))
        case (.float32(let v), .float32(let f)): return Tensor(unchecked: x.shape, .float32(pick(v, f)))
        default: throw ModelRuntimeError.invalidInput("\(label): inconsistent value table")
        }
    }
}
