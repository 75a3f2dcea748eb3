#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A test hook that stops the store as a crash would: the first `changesBeforeCrash` changes to
/// the disk happen, and from then on every change fails (as if the process had died there, so
/// even clean-up after the failure does not happen). Reopening the store without it is then
/// the restart after the crash.
package final class StoreFaults {
    package let changesBeforeCrash: Int
    package private(set) var changesMade = 0

    package init(changesBeforeCrash: Int) {
        precondition(changesBeforeCrash >= 0)
        self.changesBeforeCrash = changesBeforeCrash
    }

    package var hasCrashed: Bool { changesMade >= changesBeforeCrash }

    /// Called before each change to the disk.
    func beforeChange(_ call: String, _ subject: String) throws(StoreError) {
        guard changesMade < changesBeforeCrash else {
            throw .system(call: call, subject: "\(subject) (injected crash)", errno: EIO)
        }
        changesMade += 1
    }
}
