import JBRCore

/// What the core knows of its journal, in memory: positions, the term history (enough to answer
/// "what term is record i" for log matching) and a window of recent entries (for followers and
/// for apply). Older entries live only in the journal and are fetched by the shell on request.
struct ReplicaLog: Sendable {
    /// The last entry appended (durable or not).
    private(set) var last: LogPosition
    /// The last entry the local journal has made durable.
    private(set) var persisted: LogPosition
    /// Highest index known committed.
    var commit: JournalIndex
    /// Highest index the main store reported applied.
    var applied: JournalIndex
    /// Highest index handed out for applying.
    var applyQueued: JournalIndex
    /// (term, first index), terms and indexes increasing.
    private(set) var termStarts: [(term: Term, first: JournalIndex)]
    /// The position before the first entry the journal still has.
    private(set) var floor: LogPosition
    /// Entries `windowBase + 1 ... last`, contiguous.
    private(set) var window: [LogEntry]
    private(set) var windowBase: JournalIndex
    private(set) var windowBytes = 0

    /// A log restored from a journal: `recent` are the entries after `applied` (all of them).
    init(last: LogPosition, termStarts: [(Term, JournalIndex)], floor: LogPosition, applied: JournalIndex, recent: [LogEntry]) {
        precondition(recent.isEmpty || recent.last!.position == last, "recent entries must end at the journal's last \(last)")
        precondition(recent.isEmpty || recent.first!.position.index == applied.next, "recent entries must start after applied \(applied)")
        precondition(applied <= last.index, "applied \(applied) beyond the journal's end \(last)")
        self.last = last
        self.persisted = last
        self.commit = applied
        self.applied = applied
        self.applyQueued = applied
        self.termStarts = termStarts.map { (term: $0.0, first: $0.1) }
        self.floor = floor
        self.window = recent
        self.windowBase = recent.first.map { $0.position.index.previous } ?? last.index
        self.windowBytes = recent.reduce(0) { $0 + $1.encodedSize }
    }

    var lastIndex: JournalIndex { last.index }

    /// The term of the entry at `index`; `.zero` for index 0; nil if unknown (before the floor
    /// or beyond the end).
    func term(at index: JournalIndex) -> Term? {
        if index == .zero { return .zero }
        if index == floor.index { return floor.term == .zero ? nil : floor.term }
        guard index > floor.index, index <= last.index else { return nil }
        return termStarts.last { $0.first <= index }?.term
    }

    /// The last index holding an entry of `term`, if the log has any.
    func lastIndex(ofTerm term: Term) -> JournalIndex? {
        guard let position = termStarts.firstIndex(where: { $0.term == term }) else { return nil }
        return position + 1 < termStarts.count ? termStarts[position + 1].first.previous : last.index
    }

    /// The first index of the term that holds `index`.
    func firstIndex(ofTermAt index: JournalIndex) -> JournalIndex? {
        termStarts.last { $0.first <= index }?.first
    }

    func entry(at index: JournalIndex) -> LogEntry? {
        guard index > windowBase, index <= last.index else { return nil }
        return window[Int(index.rawValue - windowBase.rawValue - 1)]
    }

    /// Window entries from `index` on, up to `maxBytes` (at least one).
    func entries(from index: JournalIndex, maxBytes: Int) -> [LogEntry]? {
        guard index > windowBase else { return nil }
        guard index <= last.index else { return [] }
        var result: [LogEntry] = []
        var bytes = 0
        for entry in window[Int(index.rawValue - windowBase.rawValue - 1)...] {
            let size = entry.encodedSize
            if !result.isEmpty && bytes + size > maxBytes { break }
            result.append(entry)
            bytes += size
        }
        return result
    }

    mutating func append(_ entry: LogEntry) {
        precondition(entry.position.index == last.index.next, "append of \(entry.position) after \(last)")
        precondition(entry.position.term >= last.term, "append of \(entry.position) after \(last): term went backwards")
        if termStarts.last?.term != entry.position.term { termStarts.append((entry.position.term, entry.position.index)) }
        window.append(entry)
        windowBytes += entry.encodedSize
        last = entry.position
    }

    /// Removes the entries after `index`. Precondition: none of them is committed.
    mutating func truncate(after index: JournalIndex) {
        precondition(index >= commit, "truncating after \(index) would remove committed entries through \(commit)")
        precondition(index >= windowBase, "truncating after \(index), below the window at \(windowBase)")
        let keep = Int(index.rawValue - windowBase.rawValue)
        windowBytes -= window[keep...].reduce(0) { $0 + $1.encodedSize }
        window.removeLast(window.count - keep)
        termStarts.removeAll { $0.first > index }
        last = LogPosition(term: term(at: index) ?? floor.term, index: index)
        if persisted.index > index { persisted = last }
    }

    /// The journal no longer holds the entries before `before`: the floor rises (never falls).
    /// The term boundaries stay known, for reports; entries below the floor are not offered to
    /// followers any more, even from the window, as the journal could not offer them either.
    mutating func trimmed(before: JournalIndex) {
        let newFloor = before.previous
        guard newFloor > floor.index, newFloor <= last.index, let term = term(at: newFloor) else { return }
        floor = LogPosition(term: term, index: newFloor)
    }

    /// Records that the journal is durable through `position`, if it is still this log's entry.
    mutating func notePersisted(_ position: LogPosition) {
        guard position.index <= last.index, term(at: position.index) == position.term, position > persisted else { return }
        persisted = position
    }

    /// Drops window entries no one needs any more: applied, and (for a leader) acknowledged by
    /// every follower in `neededFrom`; beyond `maxBytes`, applied entries go even if a follower
    /// still needs them (it is then served from the journal).
    mutating func trimWindow(neededFrom: JournalIndex, maxBytes: Int) {
        var drop = 0
        for entry in window {
            let index = entry.position.index
            guard index <= applied else { break }
            guard index < neededFrom || windowBytes > maxBytes else { break }
            windowBytes -= entry.encodedSize
            drop += 1
        }
        guard drop > 0 else { return }
        window.removeFirst(drop)
        windowBase = JournalIndex(windowBase.rawValue + UInt64(drop))
    }
}
