import JBRCore

extension Array where Element == LogEntry {
    /// Each term's first index in these consecutive entries, as a journal's term table gives
    /// them on open: what a core restarted from an in-memory journal is handed.
    var termStarts: [(Term, JournalIndex)] {
        var starts: [(Term, JournalIndex)] = []
        for entry in self where starts.last?.0 != entry.position.term { starts.append((entry.position.term, entry.position.index)) }
        return starts
    }
}
