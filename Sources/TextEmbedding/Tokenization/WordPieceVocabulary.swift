/// A WordPiece vocabulary as two tries over Unicode scalars: one for the pieces that start a word, one for
/// continuations (the entries written with the `##` prefix, prefix removed). Greedy longest match then walks a trie
/// once per piece instead of looking up every candidate substring, and matching is scalar-exact, as in `tokenizers`
/// (a `String`-keyed table would treat canonically equivalent spellings as one entry).
struct WordPieceVocabulary: Sendable {
    /// Node `i`'s edges are `edgeScalars[edgeStart[i]..<edgeStart[i + 1]]` (sorted) leading to `edgeTargets[...]`.
    private var edgeStart: [Int32] = []
    private var edgeScalars: [UInt32] = []
    private var edgeTargets: [Int32] = []
    /// The token id that ends at each node, or -1.
    private var tokenAt: [Int32] = []
    let wordRoot: Int32
    let continuationRoot: Int32
    /// Every entry by id, for debugging and for `vocab.txt` round trips.
    let count: Int

    /// - Parameter entries: each token with its id; later duplicates of a token keep the first id.
    init(entries: [(token: String, id: Int32)], continuingPrefix: String) {
        // Build with per-node dictionaries, then flatten into sorted edge arrays.
        var children: [[UInt32: Int32]] = [[:], [:]]
        var ids: [Int32] = [-1, -1]
        func insert(_ scalars: some Sequence<Unicode.Scalar>, root: Int32, id: Int32) {
            var node = Int(root)
            for scalar in scalars {
                if let next = children[node][scalar.value] {
                    node = Int(next)
                } else {
                    children.append([:])
                    ids.append(-1)
                    let next = Int32(children.count - 1)
                    children[node][scalar.value] = next
                    node = Int(next)
                }
            }
            if ids[node] < 0 { ids[node] = id }
        }
        let prefix = Array(continuingPrefix.unicodeScalars)
        for (token, id) in entries {
            let scalars = Array(token.unicodeScalars)
            insert(scalars, root: 0, id: id)
            if !prefix.isEmpty, scalars.count > prefix.count, scalars.starts(with: prefix) {
                insert(scalars[prefix.count...], root: 1, id: id)
            }
        }
        wordRoot = 0
        continuationRoot = 1
        count = entries.count
        edgeStart.reserveCapacity(children.count + 1)
        for node in children {
            edgeStart.append(Int32(edgeScalars.count))
            for (scalar, target) in node.sorted(by: { $0.key < $1.key }) {
                edgeScalars.append(scalar)
                edgeTargets.append(target)
            }
        }
        edgeStart.append(Int32(edgeScalars.count))
        tokenAt = ids
    }

    /// The longest vocabulary piece of `word[start...]` reachable from `root`: its id and end, or nil.
    func longestMatch(_ word: ArraySlice<Unicode.Scalar>, from start: Int, root: Int32) -> (id: Int32, end: Int)? {
        var node = Int(root)
        var best: (id: Int32, end: Int)? = nil
        var i = start
        while i < word.endIndex {
            guard let next = child(of: node, word[i].value) else { break }
            node = next
            i += 1
            let id = tokenAt[node]
            if id >= 0 { best = (id, i) }
        }
        return best
    }

    /// The id of exactly `token` from the word root, or nil.
    func id(of token: String) -> Int32? {
        var node = Int(wordRoot)
        for scalar in token.unicodeScalars {
            guard let next = child(of: node, scalar.value) else { return nil }
            node = next
        }
        return tokenAt[node] >= 0 ? tokenAt[node] : nil
    }

    private func child(of node: Int, _ scalar: UInt32) -> Int? {
        var lo = Int(edgeStart[node])
        var hi = Int(edgeStart[node + 1])
        while lo < hi {
            let mid = (lo + hi) >> 1
            let s = edgeScalars[mid]
            if s == scalar { return Int(edgeTargets[mid]) }
            if s < scalar { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }
}
