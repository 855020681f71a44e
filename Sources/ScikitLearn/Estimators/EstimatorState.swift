/// One pickled scikit-learn object: its class and the attribute dict `BUILD` would have set, read with typed
/// accessors that say which attribute of which estimator was wrong.
struct EstimatorState {
    /// `RandomForestClassifier`.
    let name: String
    /// `sklearn.ensemble._forest.RandomForestClassifier`.
    let qualified: String
    let node: PickleNode

    init(_ node: PickleNode) throws(StateError) {
        guard case .object(let call) = node.kind else {
            throw StateError("a value of kind \(node.kindName) where an estimator was expected")
        }
        guard let state = call.state, case .dict = state.kind else {
            throw StateError("'\(call.callable)' without its attributes")
        }
        self.node = state
        qualified = call.callable
        name = String(call.callable.split(separator: ".").last ?? "")
    }

    /// scikit-learn's version as it pickled the estimator (`_sklearn_version`), as (major, minor); (0, 0) if absent.
    var version: (Int, Int) {
        let parts = (node["_sklearn_version"]?.string ?? "0.0").split(separator: ".").map { Int($0.prefix { $0.isNumber }) ?? 0 }
        return (parts.first ?? 0, parts.count > 1 ? parts[1] : 0)
    }

    func atLeast(_ major: Int, _ minor: Int) -> Bool { version >= (major, minor) }

    func has(_ key: String) -> Bool {
        guard let value = node[key] else { return false }
        if case .none = value.kind { return false }
        return true
    }

    func value(_ key: String) throws(StateError) -> PickleNode {
        guard let value = node[key] else { throw StateError("\(name) has no attribute '\(key)' (is it fitted?)") }
        return value
    }

    func string(_ key: String) -> String? { node[key]?.string }

    func bool(_ key: String, default fallback: Bool) -> Bool {
        guard let value = node[key] else { return fallback }
        switch value.kind {
        case .bool(let b): return b
        case .int(let n): return n != 0
        default: return fallback
        }
    }

    func int(_ key: String) throws(StateError) -> Int {
        let value = try value(key)
        if let n = try? Self.scalar(value), let exact = Int(exactly: n) { return exact }
        throw StateError("\(name).\(key) is not an integer")
    }

    /// `n_features_in_`, which sizes every input: at least 1, at most a million.
    func featureCount() throws(StateError) -> Int {
        let count = try int("n_features_in_")
        guard count >= 1, count <= 1_000_000 else { throw StateError("\(name).n_features_in_ is \(count)") }
        return count
    }

    func double(_ key: String) throws(StateError) -> Double {
        let value = try value(key)
        do { return try Self.scalar(value) } catch { throw StateError("\(name).\(key) is not a number") }
    }

    func array(_ key: String) throws(StateError) -> NumpyArray {
        do { return try NumpyArray(try value(key)) } catch { throw StateError("\(name).\(key): \(error.description)") }
    }

    func doubles(_ key: String) throws(StateError) -> [Double] {
        guard let values = try array(key).doubles else { throw StateError("\(name).\(key) is not numeric") }
        return values
    }

    func estimator(_ key: String) throws(StateError) -> EstimatorState { try EstimatorState(try value(key)) }

    /// A Python number, a bool, or a numpy scalar (`numpy.core.multiarray.scalar(dtype, bytes)`), as a double.
    static func scalar(_ node: PickleNode) throws(StateError) -> Double {
        switch node.kind {
        case .int(let n): return Double(n)
        case .float(let d): return d
        case .bool(let b): return b ? 1 : 0
        case .object(let call) where call.callable.hasSuffix("multiarray.scalar") && call.arguments.count == 2:
            guard case .bytes(let bytes) = call.arguments[1].kind else { throw StateError("a numpy scalar without bytes") }
            let dtype = try NumpyDType(call.arguments[0])
            guard let value = NumpyArray(shape: [1], values: try NumpyArray.decode(bytes[...], dtype: dtype, count: 1)).doubles?.first
            else { throw StateError("a numpy scalar that is not a number") }
            return value
        default: throw StateError("a \(node.kindName) where a number was expected")
        }
    }
}

extension PickleNode {
    var kindName: String {
        switch kind {
        case .none: "None"
        case .bool: "bool"
        case .int, .bigInt: "int"
        case .float: "float"
        case .string: "str"
        case .bytes: "bytes"
        case .list: "list"
        case .tuple: "tuple"
        case .dict: "dict"
        case .set: "set"
        case .global(let name): name
        case .object(let call): call.callable
        case .buffer: "buffer"
        }
    }
}
