/// A value of the pickle, with reference semantics as in Python (the memo shares nodes; `APPEND` and `SETITEM`
/// mutate them).
public final class PickleNode: @unchecked Sendable {
    public enum Kind {
        case none
        case bool(Bool)
        case int(Int64)
        /// An integer too large for 64 bits, as little-endian two's complement bytes.
        case bigInt([UInt8])
        case float(Double)
        case string(String)
        case bytes([UInt8])
        case list([PickleNode])
        case tuple([PickleNode])
        case dict([(PickleNode, PickleNode)])
        case set([PickleNode])
        /// A class or function named by the file (allowed).
        case global(String)
        /// What `REDUCE` / `NEWOBJ` would have produced: `callable(*arguments)`, then `BUILD`'s state and any items
        /// `APPEND` / `SETITEM` would have added to it (an `OrderedDict`, a list subclass).
        case object(PickleObject)
        /// An out-of-band buffer (protocol 5), by its index.
        case buffer(Int)
    }

    public internal(set) var kind: Kind
    /// The reader's depth-first marks (0 unseen, 1 open, 2 done).
    var mark: UInt8 = 0

    init(_ kind: Kind) { self.kind = kind }

    /// Releases children with a worklist: a file of a million nested lists would otherwise be freed by a million
    /// nested deinits and overflow the stack.
    deinit {
        var pending: [PickleNode] = []
        Self.detachChildren(of: &kind, into: &pending)
        while var node = pending.popLast() {
            if isKnownUniquelyReferenced(&node) { Self.detachChildren(of: &node.kind, into: &pending) }
        }
    }

    private static func detachChildren(of kind: inout Kind, into pending: inout [PickleNode]) {
        switch kind {
        case .list(let items), .tuple(let items), .set(let items): pending.append(contentsOf: items)
        case .dict(let pairs):
            for (key, value) in pairs { pending.append(key); pending.append(value) }
        case .object(let call):
            if case .pickle(let node) = call.inline { pending.append(node) }
            pending.append(contentsOf: call.arguments)
            pending.append(contentsOf: call.listItems)
            for (key, value) in call.dictItems { pending.append(key); pending.append(value) }
            if let state = call.state { pending.append(state) }
        default: return
        }
        kind = .none
    }
}

/// A call the file describes, never made.
public struct PickleObject {
    public var callable: String
    public var arguments: [PickleNode]
    public var state: PickleNode?
    public var listItems: [PickleNode] = []
    public var dictItems: [(PickleNode, PickleNode)] = []
    /// What followed the object in the stream, when `PickleReader.inlineData` said something does.
    public var inline: InlineValue?
}

extension PickleNode {
    /// The `index`th value this one holds directly, without building a list of them.
    func child(at index: Int) -> PickleNode? {
        switch kind {
        case .list(let items), .tuple(let items), .set(let items): return index < items.count ? items[index] : nil
        case .dict(let pairs):
            guard index < 2 * pairs.count else { return nil }
            return index % 2 == 0 ? pairs[index / 2].0 : pairs[index / 2].1
        case .object(let call):
            var i = index
            if i < call.arguments.count { return call.arguments[i] }
            i -= call.arguments.count
            if i < call.listItems.count { return call.listItems[i] }
            i -= call.listItems.count
            if i < 2 * call.dictItems.count { return i % 2 == 0 ? call.dictItems[i / 2].0 : call.dictItems[i / 2].1 }
            i -= 2 * call.dictItems.count
            if let state = call.state {
                if i == 0 { return state }
                i -= 1
            }
            if case .pickle(let node) = call.inline, i == 0 { return node }
            return nil
        default: return nil
        }
    }

    public var int: Int64? { if case .int(let value) = kind { value } else { nil } }
    public var string: String? { if case .string(let value) = kind { value } else { nil } }
    public var items: [PickleNode]? {
        switch kind {
        case .list(let items), .tuple(let items), .set(let items): items
        default: nil
        }
    }

    /// A dict's value by string key.
    public subscript(key: String) -> PickleNode? {
        guard case .dict(let pairs) = kind else { return nil }
        return pairs.first { $0.0.string == key }?.1
    }
}
