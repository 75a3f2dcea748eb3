import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TCP forwarder on 127.0.0.1 (a port the system chooses) to one target port, that a test can
/// cut as a network partition does: blocked, it holds the bytes of every connection it carries
/// and leaves new ones unconnected, so neither end learns of the cut but by its own timeouts
/// (a dead process, which closes its connections, is another fault). Unblocked, what was held
/// flows on, as TCP delivers after a short partition heals. Bricks reach their peers through
/// one per direction, so a test can isolate a brick from the others while clients still reach
/// it directly.
final class LoopbackProxy: @unchecked Sendable {
    let port: Int
    let target: Int
    private let listener: Int32
    private let lock = NSLock()
    private var blocked = false
    private var stopped = false
    private var carried: [Int32] = []

    init(target: Int) throws {
        self.target = target
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.EMFILE) }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(listener, 64) == 0 else {
            close(listener)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "proxy-\(port)"
        thread.start()
    }

    /// Cuts (or restores) the link: while cut, nothing passes either way.
    func setBlocked(_ value: Bool) {
        lock.lock()
        blocked = value
        lock.unlock()
    }

    /// Returns once the link is not cut (or the proxy stopped).
    private func waitWhileBlocked() {
        while true {
            lock.lock()
            let wait = blocked && !stopped
            lock.unlock()
            if !wait { return }
            usleep(10_000)
        }
    }

    func stop() {
        lock.lock()
        stopped = true
        for fd in carried { shutdown(fd, Int32(SHUT_RDWR)) }
        lock.unlock()
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7f00_0001).bigEndian)
        return address
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            lock.lock()
            let isStopped = stopped
            if client >= 0 { carried.append(client) }
            lock.unlock()
            if client < 0 {
                if isStopped { return }
                continue
            }
            // Connected to the target only once the link is up: a connection made during a
            // cut waits, as a SYN does until the network heals.
            Thread { [self] in
                waitWhileBlocked()
                lock.lock()
                let isStopped = stopped
                lock.unlock()
                guard !isStopped, let server = connectToTarget() else {
                    lock.lock()
                    carried.removeAll { $0 == client }
                    lock.unlock()
                    close(client)
                    return
                }
                let pair = Pair(client, server)
                lock.lock()
                carried.append(server)
                lock.unlock()
                for (from, to) in [(client, server), (server, client)] {
                    Thread { [self] in pump(from: from, to: to, pair: pair) }.start()
                }
            }.start()
        }
    }

    private func connectToTarget() -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = Self.loopback(port: target)
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Copies one direction until either side ends, then ends both; the second pump to finish
    /// closes the two sockets.
    private func pump(from: Int32, to: Int32, pair: Pair) {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        copying: while true {
            let count = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            waitWhileBlocked()
            var sent = 0
            while sent < count {
                // send, not write: a peer gone must not raise SIGPIPE in the test process.
                let wrote = buffer.withUnsafeBytes { send(to, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL)) }
                if wrote <= 0 { break copying }
                sent += wrote
            }
        }
        shutdown(from, Int32(SHUT_RDWR))
        shutdown(to, Int32(SHUT_RDWR))
        if pair.finishOne() {
            lock.lock()
            carried.removeAll { $0 == pair.first || $0 == pair.second }
            lock.unlock()
            close(pair.first)
            close(pair.second)
        }
    }

    private final class Pair: @unchecked Sendable {
        let first: Int32
        let second: Int32
        private let lock = NSLock()
        private var finished = 0

        init(_ first: Int32, _ second: Int32) {
            self.first = first
            self.second = second
        }

        /// True for the second of the two pumps.
        func finishOne() -> Bool {
            lock.lock()
            defer { lock.unlock() }
            finished += 1
            return finished == 2
        }
    }
}
