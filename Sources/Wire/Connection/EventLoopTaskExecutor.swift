import NIOCore

/// Runs Swift tasks on one NIO event loop.
///
/// A task that waits on a connection runs on a cooperative thread by default. Then every call
/// crosses threads twice: the loop is woken to write the request, and the task's thread is
/// woken when the reply arrives. If the task prefers its connection's loop
/// (`withTaskExecutorPreference`), the request goes out from the loop itself and the reply
/// resumes the task in the same turn of the loop. On a loaded machine each wake-up costs tens
/// of microseconds.
///
/// The task must not block: while it runs, the loop reads and writes nothing.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        // From the loop itself this only queues; it wakes nothing.
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
