#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore

/// Why a step of an operation stopped, inside the store. At the boundary (`MainStore.apply`,
/// `MainStore.read`) it becomes either the operation's deterministic outcome (a `.failure`
/// result) or a `StoreFailure` the caller must not acknowledge.
enum StoreError: Error, CustomStringConvertible {
    /// A system call failed; `ErrnoClassification` decides which of the two it is.
    case system(call: String, subject: String, errno: Int32)
    /// The store refuses the request itself (a GFID mismatch, a reserved name): every replica
    /// refuses alike.
    case refused(JBRError)
    /// The store on disk is not what it should be; a repair is needed, not a retry.
    case damaged(String)

    /// The errno of a failed system call, or nil for the other cases.
    var errno: Int32? {
        if case let .system(_, _, code) = self { return code }
        return nil
    }

    /// What the caller sees: `.outcome` becomes a `.failure` result, `.failure` is thrown.
    var classified: Classified {
        switch self {
        case let .refused(error):
            return .outcome(error)
        case let .damaged(reason):
            return .failure(StoreFailure(JBRError(.EIO, "store damaged: \(reason)")))
        case let .system(call, subject, code):
            let text = "\(call) \(subject): \(String(cString: strerror(code)))"
            switch ErrnoClassification.classify(code) {
            case let .outcome(outcome): return .outcome(JBRError(outcome, text))
            case let .failure(failure): return .failure(StoreFailure(JBRError(failure, text)))
            }
        }
    }

    enum Classified {
        case outcome(JBRError)
        case failure(StoreFailure)
    }

    var description: String {
        switch classified {
        case let .outcome(error): error.description
        case let .failure(failure): failure.description
        }
    }

    static func refused(_ code: JBRError.Code, _ detail: String) -> StoreError {
        .refused(JBRError(code, detail))
    }
}
