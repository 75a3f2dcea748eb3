/// The calls and returns of one search's operations in time order, as a doubly linked list that
/// linearized operations are lifted out of and put back into (dancing links: put back in the
/// reverse order of lifting, which the search's stack guarantees).
///
/// At equal times calls come before returns, so operations whose intervals touch are concurrent.
/// An optional operation has a call and no return: nothing forces it to be linearized.
struct EventList {
    static let end = -1
    /// The sentinel before the first event.
    let head: Int
    private(set) var next: [Int]
    private var previous: [Int]
    /// Per event: the operation it belongs to, and whether it is that operation's return.
    let operationOf: [Int]
    let isReturn: [Bool]
    /// Per operation: its call event and its return event (`end` when optional).
    let callOf: [Int]
    private let returnOf: [Int]

    init(_ operations: [SearchOperation]) {
        var events: [(time: UInt64, isReturn: Bool, operation: Int)] = []
        for (index, operation) in operations.enumerated() {
            events.append((operation.invocation, false, index))
            if let completion = operation.completion { events.append((completion, true, index)) }
        }
        events.sort { a, b in
            if a.time != b.time { return a.time < b.time }
            if a.isReturn != b.isReturn { return !a.isReturn }
            return a.operation < b.operation
        }
        head = events.count
        operationOf = events.map(\.operation)
        isReturn = events.map(\.isReturn)
        var callOf = [Int](repeating: Self.end, count: operations.count)
        var returnOf = [Int](repeating: Self.end, count: operations.count)
        for (position, event) in events.enumerated() {
            if event.isReturn { returnOf[event.operation] = position } else { callOf[event.operation] = position }
        }
        self.callOf = callOf
        self.returnOf = returnOf
        next = (0...events.count).map { $0 + 1 < events.count ? $0 + 1 : Self.end }
        next[head] = events.isEmpty ? Self.end : 0
        previous = (0...events.count).map { $0 == 0 ? events.count : $0 - 1 }
        previous[head] = Self.end
    }

    var first: Int { next[head] }

    /// Takes an operation's call and return out of the list.
    mutating func lift(_ operation: Int) {
        unlink(callOf[operation])
        if returnOf[operation] != Self.end { unlink(returnOf[operation]) }
    }

    /// Puts back the operation lifted most recently.
    mutating func unlift(_ operation: Int) {
        if returnOf[operation] != Self.end { relink(returnOf[operation]) }
        relink(callOf[operation])
    }

    private mutating func unlink(_ event: Int) {
        next[previous[event]] = next[event]
        if next[event] != Self.end { previous[next[event]] = previous[event] }
    }

    private mutating func relink(_ event: Int) {
        next[previous[event]] = event
        if next[event] != Self.end { previous[next[event]] = event }
    }
}
