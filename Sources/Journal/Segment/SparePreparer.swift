import Foundation

/// Keeps one zero-filled spare segment ready on its own thread, so rotation is a rename and
/// appends never wait for preallocation.
final class SparePreparer: @unchecked Sendable {
    let directory: String
    let segmentBytes: Int
    let enabled: Bool
    private let condition = NSCondition()
    private var ready: String?
    private var wanted = false
    private var stopping = false
    private var exited = false
    private var made = 0

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
        let spare = ready
        ready = nil
        wanted = true
        condition.broadcast()
        return spare
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
        ready = nil
        condition.unlock()
        if let unused { try? Directory.remove(unused) }
    }

    private func loop() {
        condition.lock()
        while !stopping {
            if !wanted || ready != nil {
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
            if prepared { ready = path } else { try? Directory.remove(path) }
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
