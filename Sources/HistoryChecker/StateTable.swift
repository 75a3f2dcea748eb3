/// Interned register states for one key's search: every state is a small integer, so a model step
/// and a cache key cost O(1) however long an appended list grows.
///
/// Lists form a trie: a node is (parent list, last value), so appending to a state is one
/// dictionary lookup and equal lists always get the same id. Id 0 is "absent", id 1 the empty
/// list. Not thread-safe; one search (and its counterexample) owns one table.
final class StateTable {
    static let absent = 0
    static let emptyList = 1

    private struct Edge: Hashable {
        var parent: Int
        var value: Int
    }

    private var valueIDs: [String: Int] = [:]
    private var valueNames: [String] = []
    private var children: [Edge: Int] = [:]
    /// Per state id: the list it extends and the value it adds (`-1` for absent and empty).
    private var parents: [Int] = [-1, -1]
    private var lastValues: [Int] = [-1, -1]
    /// Per state id: the length of its list (0 for absent and empty).
    private var depths: [Int] = [0, 0]

    /// The id of `value`, interning it on first sight.
    func valueID(_ value: String) -> Int {
        if let id = valueIDs[value] { return id }
        valueNames.append(value)
        valueIDs[value] = valueNames.count - 1
        return valueNames.count - 1
    }

    /// The state `state` becomes when `value` is appended (absent counts as the empty list).
    func appending(_ value: Int, to state: Int) -> Int {
        let edge = Edge(parent: state == Self.absent ? Self.emptyList : state, value: value)
        if let child = children[edge] { return child }
        parents.append(edge.parent)
        lastValues.append(value)
        depths.append(depths[edge.parent] + 1)
        children[edge] = parents.count - 1
        return parents.count - 1
    }

    /// The state holding just `value`, as after a write.
    func single(_ value: Int) -> Int { appending(value, to: Self.emptyList) }

    /// Whether appends alone can turn `state` into `later` (absent and the empty list grow into
    /// any list; a list only into lists that start with it).
    func canGrow(_ state: Int, into later: Int) -> Bool {
        if state == Self.absent || state == later { return true }
        if later == Self.absent { return false }
        var node = later
        while depths[node] > depths[state] { node = parents[node] }
        return node == state
    }

    func intern(_ state: RegisterState) -> Int {
        switch state {
        case .absent: return Self.absent
        case .list(let values): return values.reduce(Self.emptyList) { appending(valueID($1), to: $0) }
        }
    }

    /// The value ids a state holds, oldest first.
    func valueIDs(in state: Int) -> [Int] {
        var result: [Int] = []
        var node = state
        while node > Self.emptyList {
            result.append(lastValues[node])
            node = parents[node]
        }
        return result.reversed()
    }

    func registerState(_ state: Int) -> RegisterState {
        state == Self.absent ? .absent : .list(valueIDs(in: state).map { valueNames[$0] })
    }
}
