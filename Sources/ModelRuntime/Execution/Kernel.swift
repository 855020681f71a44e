/// One planned operator: immutable after load, so one instance serves every concurrent run.
///
/// `inputs` holds one entry per node input (`nil` for an omitted optional input). The executor moves a value
/// into this array when the node is its last reader, so a kernel that takes the entry out
/// (`inputs[0].take()`) and mutates it reuses the buffer without copying.
protocol Kernel: Sendable {
    func run(_ inputs: inout [Tensor?]) throws -> [Tensor]
}

extension Optional where Wrapped == Tensor {
    /// Moves the tensor out, leaving `nil`.
    mutating func take() -> Tensor? {
        let value = self
        self = nil
        return value
    }
}

extension Array where Element == Tensor? {
    /// The tensor at `index`, or an `invalid_input` error naming the kernel when it is missing.
    func required(_ index: Int, _ label: String) throws -> Tensor {
        guard index < count, let value = self[index] else {
            throw ModelRuntimeError.invalidInput("\(label): input \(index) is missing")
        }
        return value
    }

    /// Moves out the tensor at `index`, or throws when it is missing.
    mutating func takeRequired(_ index: Int, _ label: String) throws -> Tensor {
        guard index < count, let value = self[index].take() else {
            throw ModelRuntimeError.invalidInput("\(label): input \(index) is missing")
        }
        return value
    }
}

/// A kernel written as a closure, for the many small operators whose state is a few captured constants.
struct ClosureKernel: Kernel {
    let body: @Sendable (inout [Tensor?]) throws -> [Tensor]
    init(_ body: @escaping @Sendable (inout [Tensor?]) throws -> [Tensor]) { self.body = body }
    func run(_ inputs: inout [Tensor?]) throws -> [Tensor] { try body(&inputs) }
}
