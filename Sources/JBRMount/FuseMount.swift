import CFUSE3
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import JBRClient
import JBRCore
import Logging
import Synchronization

/// A volume mounted through FUSE, served until it is unmounted (`fusermount3 -u`, `umount`) or
/// the process is asked to stop (SIGTERM, SIGINT, SIGHUP: it unmounts itself).
///
/// Killing the process, even with SIGKILL, cannot corrupt the volume: every change the kernel
/// sent either reached the leader with its request id or did not; the bricks' journals hold
/// the rest. The mount point then answers ENOTCONN until `fusermount3 -u` clears it.
public enum FuseMount {
    /// Why a mount cannot be made on this machine, or nil when it can.
    public static var unavailableReason: String? {
        guard access("/dev/fuse", R_OK | W_OK) == 0 else {
            return "FUSE is not available: /dev/fuse is missing or not accessible (modprobe fuse; in a container, pass --device /dev/fuse)"
        }
        return nil
    }

    /// Mounts the volume `client` reaches at `mountPoint` and serves it; returns once unmounted.
    /// `mounted` runs when programs can use the mount.
    public static func serve(client: VolumeClient, at mountPoint: String, options: MountOptions, logger: Logger, mounted: @Sendable () -> Void) async throws {
        if let reason = unavailableReason { throw JBRError(.ENODEV, reason) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: mountPoint, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw JBRError(.ENOTDIR, "\(mountPoint) is not a directory")
        }
        // A volume that cannot answer is not mounted: programs would only see errors.
        _ = try await client.read(.stat(gfid: .root))

        let fileSystem = MountedFileSystem(client: client, options: options, logger: logger)
        let retained = Unmanaged.passRetained(fileSystem)
        let arguments = CArguments(["jbr-client", "-o", mountOptions(options).joined(separator: ",")])
        defer { arguments.free() }
        var table = FuseOperationTable.make()
        var fuseArguments = fuse_args(argc: arguments.count, argv: arguments.pointer, allocated: 0)
        guard let session = fuse_session_new(&fuseArguments, &table, MemoryLayout<fuse_lowlevel_ops>.size, retained.toOpaque()) else {
            retained.release()
            throw JBRError(.EINVAL, "libfuse refused the mount options \(mountOptions(options))")
        }
        // Requests still being served answer through the session: it goes only once they are
        // done (their operations end within the client's timeout), or never, if they are not.
        defer {
            if fileSystem.unanswered.load(ordering: .acquiring) == 0 {
                fuse_session_destroy(session)
                retained.release()
            } else {
                logger.warning("\(fileSystem.unanswered.load(ordering: .relaxed)) requests were still unanswered at exit")
            }
        }
        guard fuse_session_mount(session, mountPoint) == 0 else {
            throw JBRError(.EIO, "cannot mount at \(mountPoint) (libfuse said why above)")
        }
        let stopper = UnmountOnSignal(mountPoint: mountPoint, session: SendableSession(session), logger: logger)
        defer { stopper.cancel() }
        mounted()
        logger.info("mounted at \(mountPoint)")
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            let shared = SendableSession(session)
            let thread = Thread { continuation.resume(returning: fuse_session_loop(shared.session)) }
            thread.name = "jbr-fuse-loop"
            thread.start()
        }
        // After a signal the mount is gone already (unmounted lazily).
        if !stopper.unmounted.value.load(ordering: .acquiring) { fuse_session_unmount(session) }
        logger.info("unmounted from \(mountPoint)")
        let deadline = ContinuousClock.now + client.defaultTimeout + .seconds(1)
        while fileSystem.unanswered.load(ordering: .acquiring) > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if result < 0 { throw JBRError(.EIO, "the FUSE session ended with error \(-result)") }
    }

    static func mountOptions(_ options: MountOptions) -> [String] {
        var list = ["default_permissions", "fsname=\(options.sourceName.replacingOccurrences(of: ",", with: "_"))", "subtype=jbr"]
        if options.readOnly { list.append("ro") }
        if options.allowOther || getuid() == 0 { list.append("allow_other") }
        return list
    }
}

/// A libfuse session pointer handed between threads; libfuse allows exiting a session and
/// reading it from other threads.
struct SendableSession: @unchecked Sendable {
    let session: OpaquePointer
    init(_ session: OpaquePointer) { self.session = session }
}

/// SIGTERM, SIGINT and SIGHUP unmount the volume (lazily, as `fusermount3 -u -z`): the kernel
/// ends the session, the loop returns, and the process exits cleanly.
private final class UnmountOnSignal {
    private let sources: [DispatchSourceSignal]
    /// Set once a signal's unmount succeeded.
    let unmounted = SharedFlag()

    init(mountPoint: String, session: SendableSession, logger: Logger) {
        let unmounted = self.unmounted
        sources = [SIGTERM, SIGINT, SIGHUP].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler {
                logger.info("signal \(number): unmounting \(mountPoint)")
                fuse_session_exit(session.session)
                if Self.unmount(mountPoint, logger: logger) { unmounted.value.store(true, ordering: .releasing) }
            }
            source.resume()
            return source
        }
    }

    func cancel() { sources.forEach { $0.cancel() } }

    /// Whether it is unmounted now.
    static func unmount(_ mountPoint: String, logger: Logger) -> Bool {
        if getuid() == 0, umount2(mountPoint, Int32(MNT_DETACH)) == 0 { return true }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec fusermount3 -u -z \"$0\"", mountPoint]
        do {
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0
        } catch {
            logger.error("cannot unmount \(mountPoint): \(error)")
            return false
        }
    }
}

/// A flag shared between threads.
final class SharedFlag: Sendable {
    let value = Atomic<Bool>(false)
}

/// An argv for libfuse, in memory it may read until `free`.
private struct CArguments {
    let pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    let count: Int32

    init(_ arguments: [String]) {
        count = Int32(arguments.count)
        pointer = .allocate(capacity: arguments.count + 1)
        for (index, argument) in arguments.enumerated() { pointer[index] = strdup(argument) }
        pointer[arguments.count] = nil
    }

    func free() {
        for index in 0..<Int(count) { Glibc.free(pointer[index]) }
        pointer.deallocate()
    }
}
