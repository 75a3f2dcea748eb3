/// The simulation's future: events by time, ties in the order they were scheduled, so a run
/// is the same on every machine for the same seed.
struct SimulationSchedule<Event> {
    private struct Item {
        var time: Int64
        var order: UInt64
        var event: Event

        func precedes(_ other: Item) -> Bool { time != other.time ? time < other.time : order < other.order }
    }

    private var heap: [Item] = []
    private var scheduled: UInt64 = 0

    mutating func add(_ event: Event, at time: Int64) {
        scheduled += 1
        heap.append(Item(time: time, order: scheduled, event: event))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func next() -> (time: Int64, event: Event)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let first = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].precedes(heap[smallest]) { smallest = left }
            if right < heap.count, heap[right].precedes(heap[smallest]) { smallest = right }
            guard smallest != parent else { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return (first.time, first.event)
    }
}
