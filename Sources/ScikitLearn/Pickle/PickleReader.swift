/// A Python pickle (protocols 2-5) read as data, never executed: the opcodes are interpreted into a tree of
/// `PickleNode`s, and every class or function the file names (`GLOBAL`, `STACK_GLOBAL`) must be on an allow-list,
/// or the file is refused naming it. `REDUCE`, `BUILD` and `NEWOBJ` only record what a call would have been
/// (callable, arguments, state) for the caller to translate; nothing is ever called. Every length declared in the
/// file is checked against the bytes left before anything is allocated.
public struct PickleReader: Sendable {
    /// What a file may name, as `module.qualname` (e.g. `numpy.dtype`).
    public let allowed: Set<String>
    /// Bound on the interpreter's stack and memo (far above what a model file needs).
    public var maxDepth = 1_000_000

    /// Data some objects carry right after their `BUILD` in the stream, outside the pickle (joblib writes a numpy
    /// array's bytes after its wrapper object): given the built object, how much follows.
    public var inlineData: (@Sendable (PickleObject) throws(PickleError) -> InlineData?)?

    public init(allowed: Set<String>, inlineData: (@Sendable (PickleObject) throws(PickleError) -> InlineData?)? = nil) {
        self.allowed = allowed
        self.inlineData = inlineData
    }

    public func read(_ bytes: [UInt8]) throws(PickleError) -> PickleNode {
        var machine = Machine(bytes: bytes, allowed: allowed, maxDepth: maxDepth, inlineData: inlineData)
        return try machine.run()
    }
}

/// What follows an object in the stream (see `PickleReader.inlineData`).
public enum InlineData: Sendable {
    /// `count` raw bytes; `aligned` when a padding-length byte and that much padding come first.
    case raw(count: Int, aligned: Bool)
    /// A complete pickle of its own (joblib writes arrays of Python objects so), read with the same allow-list.
    case pickle
}

/// What was read after an object (see `InlineData`).
public enum InlineValue {
    case raw(ArraySlice<UInt8>)
    case pickle(PickleNode)
}

/// Why a pickle was refused.
public enum PickleError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file names a class or function that is not allowed (and would have run on unpickling).
    case forbiddenGlobal(String)
    case unsupportedOpcode(UInt8, offset: Int)
    case malformed(String, offset: Int)

    public var description: String {
        switch self {
        case .forbiddenGlobal(let name):
            "the file names '\(name)', which is not a class a model file may use; it is refused and nothing of it ran"
        case .unsupportedOpcode(let code, let offset):
            "pickle opcode 0x\(String(code, radix: 16)) at byte \(offset) is not supported (protocols 2-5 are)"
        case .malformed(let what, let offset): "the pickle is malformed at byte \(offset): \(what)"
        }
    }
}

private struct Machine {
    let bytes: [UInt8]
    let allowed: Set<String>
    let maxDepth: Int
    let inlineData: (@Sendable (PickleObject) throws(PickleError) -> InlineData?)?
    var offset = 0
    var stack: [PickleNode] = []
    var marks: [Int] = []
    /// Memo entries by index: dense in practice (MEMOIZE numbers them in order), so an array; an index far past
    /// the end (BINPUT may name any) goes to `sparseMemo`.
    var memo: [PickleNode?] = []
    var sparseMemo: [Int: PickleNode] = [:]
    var memoCount = 0
    var nextBuffer = 0
    var created: [PickleNode] = []

    init(
        bytes: [UInt8], allowed: Set<String>, maxDepth: Int,
        inlineData: (@Sendable (PickleObject) throws(PickleError) -> InlineData?)?
    ) {
        self.bytes = bytes
        self.allowed = allowed
        self.maxDepth = maxDepth
        self.inlineData = inlineData
    }

    func fail(_ what: String) -> PickleError { .malformed(what, offset: offset) }

    mutating func take(_ count: Int) throws(PickleError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - offset else {
            throw fail("it declares \(count) bytes where \(bytes.count - offset) are left")
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func byte() throws(PickleError) -> UInt8 { try take(1).first! }

    mutating func unsigned(_ count: Int) throws(PickleError) -> UInt64 {
        var value: UInt64 = 0
        for (index, byte) in try take(count).enumerated() { value |= UInt64(byte) << (8 * UInt64(index)) }
        return value
    }

    mutating func length(_ count: Int) throws(PickleError) -> Int {
        let value = try unsigned(count)
        guard value <= UInt64(bytes.count - offset) else {
            throw fail("it declares \(value) bytes where \(bytes.count - offset) are left")
        }
        return Int(value)
    }

    mutating func line() throws(PickleError) -> String {
        guard let end = bytes[offset...].firstIndex(of: 0x0A) else { throw fail("a line without its end") }
        defer { offset = end + 1 }
        return String(decoding: bytes[offset..<end], as: UTF8.self)
    }

    mutating func utf8(_ count: Int) throws(PickleError) -> String {
        let slice = try take(count)
        guard let text = String(validating: slice, as: UTF8.self) else { throw fail("a string that is not UTF-8") }
        return text
    }

    mutating func push(_ kind: PickleNode.Kind) throws(PickleError) { try push(make(kind)) }

    /// Every node is made here and kept in `created`, so a refused file's nodes can be unlinked (see `run`).
    mutating func make(_ kind: PickleNode.Kind) -> PickleNode {
        let node = PickleNode(kind)
        created.append(node)
        return node
    }

    mutating func push(_ node: PickleNode) throws(PickleError) {
        guard stack.count < maxDepth else { throw fail("the stack grows past \(maxDepth) values") }
        stack.append(node)
    }

    mutating func pop() throws(PickleError) -> PickleNode {
        guard stack.count > (marks.last ?? 0) else { throw fail("the stack is empty") }
        return stack.removeLast()
    }

    mutating func popToMark() throws(PickleError) -> [PickleNode] {
        guard let mark = marks.popLast(), mark <= stack.count else { throw fail("no mark to pop to") }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    mutating func global(_ module: String, _ name: String) throws(PickleError) -> PickleNode {
        let qualified = module + "." + name
        guard allowed.contains(qualified) else { throw .forbiddenGlobal(qualified) }
        return make(.global(qualified))
    }

    mutating func memoize(_ index: Int, _ node: PickleNode) throws(PickleError) {
        guard memoCount < maxDepth else { throw fail("the memo grows past \(maxDepth) values") }
        if index < memo.count {
            if memo[index] == nil { memoCount += 1 }
            memo[index] = node
        } else if index <= memo.count + 1_024 {
            memo.append(contentsOf: repeatElement(nil, count: index - memo.count))
            memo.append(node)
            memoCount += 1
        } else {
            if sparseMemo.updateValue(node, forKey: index) == nil { memoCount += 1 }
        }
    }

    mutating func fetch(_ index: Int) throws(PickleError) -> PickleNode {
        guard let node = index < memo.count ? memo[index] : sparseMemo[index] else {
            throw fail("memo entry \(index) was never stored")
        }
        return node
    }

    /// Reads the pickle. A file whose values contain themselves (a list appended to itself through the memo) is
    /// refused: reference-counted nodes in a cycle would never be freed. On any refusal every node made is unlinked,
    /// so nothing of a refused file stays in memory.
    mutating func run() throws(PickleError) -> PickleNode {
        do {
            let root = try interpret()
            try Self.checkAcyclic(root, at: offset)
            created = []
            return root
        } catch {
            for node in created { node.kind = .none }
            created = []
            throw error
        }
    }

    /// Depth-first with an explicit stack and a mark in each node (no hashing, no child arrays); a node met again
    /// while still open is a cycle (shared nodes are fine).
    static func checkAcyclic(_ root: PickleNode, at offset: Int) throws(PickleError) {
        guard root.mark == 0 else { return }
        var stack: [(node: PickleNode, next: Int)] = [(root, 0)]
        root.mark = 1
        while let top = stack.last {
            guard let child = top.node.child(at: top.next) else {
                top.node.mark = 2
                stack.removeLast()
                continue
            }
            stack[stack.count - 1].next += 1
            switch child.mark {
            case 1: throw .malformed("a value contains itself (a reference cycle)", offset: offset)
            case 2: continue
            default:
                child.mark = 1
                stack.append((child, 0))
            }
        }
    }

    mutating func interpret() throws(PickleError) -> PickleNode {
        while true {
            let start = offset
            let code = try byte()
            switch code {
            case 0x80: _ = try byte()  // PROTO n
            case 0x95: _ = try unsigned(8)  // FRAME: frames only group bytes
            case 0x2E:  // STOP
                guard stack.count == 1, marks.isEmpty else { throw fail("it stops with \(stack.count) values left") }
                return stack[0]
            case 0x4E: try push(.none)
            case 0x88: try push(.bool(true))
            case 0x89: try push(.bool(false))
            case 0x4A: try push(.int(Int64(Int32(truncatingIfNeeded: try unsigned(4)))))  // BININT
            case 0x4B: try push(.int(Int64(try unsigned(1))))  // BININT1
            case 0x4D: try push(.int(Int64(try unsigned(2))))  // BININT2
            case 0x8A, 0x8B:  // LONG1, LONG4
                let digits = Array(try take(try length(code == 0x8A ? 1 : 4)))
                if digits.count <= 8 {
                    var value: Int64 = 0
                    for (index, byte) in digits.enumerated() { value |= Int64(byte) << (8 * Int64(index)) }
                    if let last = digits.last, last & 0x80 != 0, digits.count < 8 {
                        value -= Int64(1) << (8 * Int64(digits.count))  // sign-extend
                    }
                    try push(.int(value))
                } else {
                    try push(.bigInt(digits))
                }
            case 0x47: try push(.float(Double(bitPattern: try bigEndian64())))  // BINFLOAT
            case 0x8C: try push(.string(try utf8(try length(1))))  // SHORT_BINUNICODE
            case 0x58: try push(.string(try utf8(try length(4))))  // BINUNICODE
            case 0x8D: try push(.string(try utf8(try length(8))))  // BINUNICODE8
            case 0x43: try push(.bytes(Array(try take(try length(1)))))  // SHORT_BINBYTES
            case 0x42: try push(.bytes(Array(try take(try length(4)))))  // BINBYTES
            case 0x8E, 0x96: try push(.bytes(Array(try take(try length(8)))))  // BINBYTES8, BYTEARRAY8
            case 0x55: try push(.bytes(Array(try take(try length(1)))))  // SHORT_BINSTRING (Python 2 str)
            case 0x54: try push(.bytes(Array(try take(try length(4)))))  // BINSTRING
            case 0x5D: try push(.list([]))  // EMPTY_LIST
            case 0x29: try push(.tuple([]))  // EMPTY_TUPLE
            case 0x7D: try push(.dict([]))  // EMPTY_DICT
            case 0x8F: try push(.set([]))  // EMPTY_SET
            case 0x28: marks.append(stack.count)  // MARK
            case 0x85, 0x86, 0x87:  // TUPLE1-3
                let count = Int(code - 0x84)
                guard stack.count - count >= (marks.last ?? 0) else { throw fail("a tuple of missing values") }
                let items = Array(stack.suffix(count))
                stack.removeLast(count)
                try push(.tuple(items))
            case 0x74: try push(.tuple(try popToMark()))  // TUPLE
            case 0x6C: try push(.list(try popToMark()))  // LIST
            case 0x64: try push(.dict(try pairs(try popToMark())))  // DICT
            case 0x91: try push(.set(try popToMark()))  // FROZENSET
            case 0x61:  // APPEND
                let item = try pop()
                try append(to: try top(), [item])
            case 0x65:  // APPENDS
                let items = try popToMark()
                try append(to: try top(), items)
            case 0x73:  // SETITEM
                let value = try pop()
                let key = try pop()
                try setItems(of: try top(), [(key, value)])
            case 0x75:  // SETITEMS
                let items = try pairs(try popToMark())
                try setItems(of: try top(), items)
            case 0x90:  // ADDITEMS
                let items = try popToMark()
                let target = try top()
                guard case .set(let existing) = target.kind else { throw fail("ADDITEMS to a value that is not a set") }
                target.kind = .set(existing + items)
            case 0x71: try memoize(Int(try unsigned(1)), try top())  // BINPUT
            case 0x72: try memoize(Int(try unsigned(4)), try top())  // LONG_BINPUT
            case 0x94: try memoize(memoCount, try top())  // MEMOIZE
            case 0x68: try push(try fetch(Int(try unsigned(1))))  // BINGET
            case 0x6A: try push(try fetch(Int(try unsigned(4))))  // LONG_BINGET
            case 0x63:  // GLOBAL "module\nname\n"
                let module = try line()
                let name = try line()
                try push(try global(module, name))
            case 0x93:  // STACK_GLOBAL
                let name = try pop()
                let module = try pop()
                guard let moduleText = module.string, let nameText = name.string else {
                    throw fail("STACK_GLOBAL without a module and a name")
                }
                try push(try global(moduleText, nameText))
            case 0x52:  // REDUCE
                let arguments = try pop()
                let callable = try pop()
                try push(try object(callable, arguments))
            case 0x81:  // NEWOBJ
                let arguments = try pop()
                let type = try pop()
                try push(try object(type, arguments))
            case 0x92:  // NEWOBJ_EX (keyword arguments are kept as a trailing dict)
                let keywords = try pop()
                let arguments = try pop()
                let type = try pop()
                let node = try object(type, arguments)
                if case .object(var call) = node.kind, case .dict(let pairs) = keywords.kind, !pairs.isEmpty {
                    call.arguments.append(keywords)
                    node.kind = .object(call)
                }
                try push(node)
            case 0x62:  // BUILD
                let state = try pop()
                let target = try top()
                guard case .object(var call) = target.kind, call.state == nil else {
                    throw fail("BUILD on a value that is not a fresh object")
                }
                call.state = state
                if let inlineData, let follows = try inlineData(call) {
                    call.inline = try inline(follows)
                }
                target.kind = .object(call)
            case 0x30: _ = try pop()  // POP
            case 0x31: _ = try popToMark()  // POP_MARK
            case 0x32: try push(try top())  // DUP
            case 0x97:  // NEXT_BUFFER
                try push(.buffer(nextBuffer))
                nextBuffer += 1
            case 0x98: break  // READONLY_BUFFER
            default:
                offset = start
                throw .unsupportedOpcode(code, offset: start)
            }
        }
    }

    mutating func inline(_ follows: InlineData) throws(PickleError) -> InlineValue {
        switch follows {
        case .raw(let count, let aligned):
            if aligned { _ = try take(Int(try byte())) }
            return .raw(try take(count))
        case .pickle:
            // A nested pickle has its own memo and stack; it cannot nest further (no inline data inside).
            var nested = Machine(bytes: bytes, allowed: allowed, maxDepth: maxDepth, inlineData: nil)
            nested.offset = offset
            let node = try nested.run()
            offset = nested.offset
            return .pickle(node)
        }
    }

    mutating func bigEndian64() throws(PickleError) -> UInt64 {
        var value: UInt64 = 0
        for byte in try take(8) { value = value << 8 | UInt64(byte) }
        return value
    }

    func top() throws(PickleError) -> PickleNode {
        guard let last = stack.last, stack.count > (marks.last ?? 0) else { throw fail("the stack is empty") }
        return last
    }

    func pairs(_ items: [PickleNode]) throws(PickleError) -> [(PickleNode, PickleNode)] {
        guard items.count % 2 == 0 else { throw fail("a dict with an odd number of keys and values") }
        return stride(from: 0, to: items.count, by: 2).map { (items[$0], items[$0 + 1]) }
    }

    /// In place: the node's array is taken out while it grows, so pickle's batches of 1,000 appends do not copy
    /// the list each time.
    func append(to target: PickleNode, _ items: [PickleNode]) throws(PickleError) {
        switch target.kind {
        case .list(var existing):
            target.kind = .none
            existing.append(contentsOf: items)
            target.kind = .list(existing)
        case .object(var call):
            target.kind = .none
            call.listItems.append(contentsOf: items)
            target.kind = .object(call)
        default: throw fail("APPEND to a value that is neither a list nor an object")
        }
    }

    func setItems(of target: PickleNode, _ items: [(PickleNode, PickleNode)]) throws(PickleError) {
        switch target.kind {
        case .dict(var existing):
            target.kind = .none
            existing.append(contentsOf: items)
            target.kind = .dict(existing)
        case .object(var call):
            target.kind = .none
            call.dictItems.append(contentsOf: items)
            target.kind = .object(call)
        default: throw fail("SETITEM on a value that is neither a dict nor an object")
        }
    }

    mutating func object(_ callable: PickleNode, _ arguments: PickleNode) throws(PickleError) -> PickleNode {
        guard case .global(let name) = callable.kind else { throw fail("a call of something that is not a named class") }
        guard case .tuple(let items) = arguments.kind else { throw fail("a call whose arguments are not a tuple") }
        return make(.object(PickleObject(callable: name, arguments: items, state: nil)))
    }
}
