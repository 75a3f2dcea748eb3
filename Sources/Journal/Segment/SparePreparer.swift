import Foundation

/// Keeps a spare segment ready on its own thread, so rotation is a rename and appends never wait
/// for preallocation. A spare is either zero-filled here or a trimmed segment handed back by
/// `recycle`: its blocks are already written, so reusing it costs the disk nothing, where a
/// fresh zero-fill puts as many bytes on the device as the journal itself writes.
final class SparePreparer: @unchecked Sendable {
    let directory: String
    let segmentBytes: Int
    let enabled: Bool
    /// Spares kept at most; further trimmed segments are deleted. A trim frees segments in bursts
    /// while rotation uses one at a time, so a few are kept.
    static let maxSpares = 4
    private let condition = NSCondition()
    /// Ready spares, oldest first, and whether each is a recycled segment.
    private var ready: [(path: String, recycled: Bool)] = []
    private var wanted = false
    private var stopping = false
    private var exited = false
    private var made = 0
    private var recycled = 0
    private var reused = 0

    init(directory: String, segmentBytes: Int, enabled: Bool) {
        self.directory = directory
        self.segmentBytes = segmentBytes
        self.enabled = enabled
    }

    func start() {
        guard enabled else { return }
        let thread = Thread { [self] in loop() }
        thread.name = "jbr-journal-spare"
        thread.start()
        request()
    }

    /// Hands over the ready spare's path (its size is `segmentBytes`), or nil if none is ready
    /// yet. Either way a next spare is requested.
    func take() -> String? {
        condition.lock()
        defer { condition.unlock() }
        // The newest first: a recycled spare before a zero-filled one, which can wait.
        let spare = ready.popLast()
        if spare?.recycled == true { reused += 1 }
        wanted = true
        condition.broadcast()
        return spare?.path
    }

    /// Takes a trimmed segment as a spare if one is wanted (renamed, not rewritten): true when
    /// it was taken, false when the caller should delete it. Its old records stay in it; they
    /// are below any index it will be renamed to, which is how recovery tells them from the
    /// journal (see `SegmentScanner`).
    func recycle(_ path: String) -> Bool {
        guard enabled, let file = try? FileDescriptor.open(path, flags: O_RDONLY), (try? file.size()) == segmentBytes else { return false }
        condition.lock()
        defer { condition.unlock() }
        guard !stopping, ready.count < Self.maxSpares else { return false }
        made += 1
        let spare = "\(directory)/\(SegmentName.spareName(made))"
        guard (try? Directory.rename(path, to: spare)) != nil else { return false }
        ready.append((spare, true))
        recycled += 1
        return true
    }

    /// How many trimmed segments were kept as spares, and how many of them rotation has taken.
    var recycling: (kept: Int, reused: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (recycled, reused)
    }

    func request() {
        condition.lock()
        wanted = true
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the thread and removes an unused spare, so only a crash leaves one behind.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while enabled && !exited { condition.wait() }
        let unused = ready
        ready = []
        condition.unlock()
        for spare in unused { try? Directory.remove(spare.path) }
    }

    private func loop() {
        condition.lock()
        while !stopping {
            if !wanted || !ready.isEmpty {
                condition.wait()
                continue
            }
            wanted = false
            made += 1
            let path = "\(directory)/\(SegmentName.spareName(made))"
            condition.unlock()
            let prepared = (try? prepare(path)) != nil
            condition.lock()
            // A failed spare (a full disk, say) is not an error here: rotation then creates the
            // segment itself, and reports the disk's error if that fails too.
            if prepared { ready.append((path, false)) } else { try? Directory.remove(path) }
        }
        exited = true
        condition.broadcast()
        condition.unlock()
    }

    private func prepare(_ path: String) throws {
        // O_DIRECT: the zeros go from one aligned buffer straight to the disk, not through the
        // page cache, so preparing costs the appenders almost no CPU. Where the file system
        // refuses O_DIRECT (tmpfs), ordinary writes do the same job.
        if let file = try? FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT) {
            try file.writeZerosDirect(from: 0, to: segmentBytes)
            try file.syncAll()
        } else {
            let file = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC)
            try file.writeZeros(from: 0, to: segmentBytes)
            try file.syncAll()
        }
        try Directory.sync(directory)
    }
}
