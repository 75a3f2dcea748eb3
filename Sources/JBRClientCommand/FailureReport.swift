import ArgumentParser
import Foundation
import JBRCore

/// How a command that names paths fails: one line, `jbr-client: <subject>: <error>`, on
/// standard error and exit status 1, never a crash or a stack trace.
enum FailureReport {
    /// The line printed for `error` about `subject` (a path, or "SOURCE -> DEST").
    static func line(subject: String, error: any Error) -> String {
        "jbr-client: \(subject): \(describe(error))"
    }

    /// A POSIX code reads as the system's words for it, followed by the code and detail.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? JBRError else { return "\(error)" }
        let isKnownPOSIXCode = !error.code.isReplication && error.code.posixErrno == Int32(error.code.rawValue)
        guard isKnownPOSIXCode else { return error.description }
        return "\(String(cString: strerror(error.code.posixErrno))) (\(error.description))"
    }

    /// Prints the line for `error` and ends the command with status 1.
    static func fail(subject: String, error: any Error) -> ExitCode {
        FileHandle.standardError.write(Data((line(subject: subject, error: error) + "\n").utf8))
        return .failure
    }
}
