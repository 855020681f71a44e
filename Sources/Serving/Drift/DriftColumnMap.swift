import DriftStatistics
public import ModelRuntime
import Registry

/// Where each drift column is in a prediction's tensors: an input column (an input of its own, or one column of a
/// row matrix named by the version's feature list), or an output (the label as `prediction`, the score, the
/// positive class's probability).
struct DriftColumnMap: Sendable {
    enum Source: Sendable, Equatable {
        /// The value at `row * width + column` of input `name`.
        case input(name: String, column: Int, width: Int)
        case label(output: String)
        case score(output: String)
        /// Class 1's probability with two classes, the largest otherwise.
        case probability(output: String)
    }

    struct Entry: Sendable {
        var name: String
        var source: Source
    }

    var entries: [Entry]

    /// Every column the model's inputs and outputs give, by name. A row-matrix input's columns are named by
    /// `features` when it has one per column, else (the only input) by `positional` names of the same count, else
    /// `input[j]`.
    init(signature: ModelSignature, layout: OutputLayout, features: [String]?, positional: [String] = []) {
        var entries: [Entry] = []
        for input in signature.inputs {
            let shape = input.shape ?? []
            if shape.count == 2, case .fixed(let width) = shape[1], width > 1 {
                let names: [String] =
                    if let features, features.count == width { features }
                    else if signature.inputs.count == 1 && positional.count == width { positional }
                    else { (0..<width).map { "\(input.name)[\($0)]" } }
                for (j, name) in names.enumerated() {
                    entries.append(Entry(name: name, source: .input(name: input.name, column: j, width: width)))
                }
            } else {
                entries.append(Entry(name: input.name, source: .input(name: input.name, column: 0, width: 1)))
            }
        }
        if let label = layout.label { entries.append(Entry(name: DriftOutputs.label, source: .label(output: label))) }
        if let score = layout.score { entries.append(Entry(name: DriftOutputs.score, source: .score(output: score))) }
        if let probabilities = layout.probabilities {
            entries.append(Entry(name: DriftOutputs.probability, source: .probability(output: probabilities)))
        }
        self.entries = entries
    }

    /// Only the columns `names` holds.
    func restricted(to names: Set<String>) -> DriftColumnMap {
        var copy = self
        copy.entries = entries.filter { names.contains($0.name) }
        return copy
    }
}

extension DriftColumnMap {
    /// One value of one row.
    enum Cell {
        case number(Double, integral: Bool)
        case text(String?)
    }

    /// Reads one column of a batch row by row, straight from the tensor (no array per batch).
    struct Reader {
        let storage: Tensor.Storage
        let column: Int
        let width: Int
        /// Class 1's probability (two classes) or the largest, `width` classes a row.
        let probability: Bool

        init?(_ source: Source, inputs: [String: Tensor], outputs: [String: Tensor], rows: Int) {
            guard rows > 0 else { return nil }
            switch source {
            case .input(let name, let column, let width):
                guard let tensor = inputs[name], tensor.storage.count == rows * width else { return nil }
                (storage, self.column, self.width, probability) = (tensor.storage, column, width, false)
            case .label(let name), .score(let name):
                guard let tensor = outputs[name], tensor.storage.count == rows else { return nil }
                (storage, self.column, self.width, probability) = (tensor.storage, 0, 1, false)
            case .probability(let name):
                guard let tensor = outputs[name], tensor.storage.count % rows == 0, tensor.storage.count > 0 else { return nil }
                switch tensor.storage {
                case .float32, .float64: break
                default: return nil
                }
                (storage, self.column, self.width, probability) = (tensor.storage, 0, tensor.storage.count / rows, true)
            }
        }

        /// Every row's cell in order; the storage is matched once, not per value.
        func forEach(rows: Int, _ body: (Int, Cell) -> Void) {
            if probability {
                for row in 0..<rows { body(row, cell(row)) }
                return
            }
            switch storage {
            case .float32(let v): for row in 0..<rows { body(row, .number(Double(v[row * width + column]), integral: false)) }
            case .float64(let v): for row in 0..<rows { body(row, .number(v[row * width + column], integral: false)) }
            case .int64(let v): for row in 0..<rows { body(row, .number(Double(v[row * width + column]), integral: true)) }
            case .int32(let v): for row in 0..<rows { body(row, .number(Double(v[row * width + column]), integral: true)) }
            default: for row in 0..<rows { body(row, cell(row)) }
            }
        }

        func cell(_ row: Int) -> Cell {
            if probability {
                func pick<T: BinaryFloatingPoint>(_ v: [T]) -> Double {
                    width == 2 ? Double(v[row * 2 + 1]) : Double(v[(row * width)..<((row + 1) * width)].max()!)
                }
                switch storage {
                case .float32(let v): return .number(pick(v), integral: false)
                case .float64(let v): return .number(pick(v), integral: false)
                default: return .text(nil)
                }
            }
            let index = row * width + column
            switch storage {
            case .float32(let v): return .number(Double(v[index]), integral: false)
            case .float64(let v): return .number(v[index], integral: false)
            case .int64(let v): return .number(Double(v[index]), integral: true)
            case .int32(let v): return .number(Double(v[index]), integral: true)
            case .bool(let v): return .text(v[index] ? "True" : "False")
            // An empty string is a missing value, as an empty CSV cell is.
            case .string(let v): return .text(v[index].isEmpty ? nil : v[index])
            }
        }
    }
}
