import JBRCore

/// How `readdir` pages through a directory: entries in the order of a fixed 64-bit hash of their
/// names, and the cookie is the hash of the last entry returned.
///
/// A cookie stays meaningful whatever happens between pages: entries created or removed meanwhile
/// do not shift the others (a position would), and any replica computes the same order, so a
/// listing continues across a change of leader. Names whose hashes tie are never split across
/// pages, so none is skipped or repeated.
enum DirectoryPaging {
    struct Page: Equatable {
        var names: [[UInt8]]
        var nextCookie: UInt64
        var isLast: Bool
    }

    /// The cookie of a name (see `DirectoryCookie`).
    static func cookie(for name: [UInt8]) -> UInt64 { DirectoryCookie.of(name) }

    /// The names after `cookie`, at most `limit` (at least 1) of them. `cookieOf` is replaceable
    /// so tests can make cookies tie.
    static func page(_ names: [[UInt8]], after cookie: UInt64, limit: Int, cookieOf: ([UInt8]) -> UInt64 = cookie(for:)) -> Page {
        precondition(limit >= 1, "a page holds at least one entry")
        let remaining = names.map { (cookie: cookieOf($0), name: $0) }
            .filter { $0.cookie > cookie }
            .sorted { $0.cookie != $1.cookie ? $0.cookie < $1.cookie : $0.name.lexicographicallyPrecedes($1.name) }
        var taken = Array(remaining.prefix(limit))
        if remaining.count > taken.count, let last = taken.last, remaining[taken.count].cookie == last.cookie {
            // The next name shares the last one's cookie: end the page before that group. (A
            // group larger than a whole page, 4096 names with one 64-bit hash, is not handled.)
            let trimmed = taken.filter { $0.cookie != last.cookie }
            if !trimmed.isEmpty { taken = trimmed }
        }
        let isLast = taken.count == remaining.count
        return Page(names: taken.map(\.name), nextCookie: taken.last?.cookie ?? cookie, isLast: isLast)
    }
}
