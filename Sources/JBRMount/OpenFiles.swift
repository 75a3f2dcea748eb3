import JBRCore

/// What each open file handle stands for. The kernel names a handle by the number `open`
/// returned; `O_APPEND` must be remembered, since the kernel's writes carry only offsets.
struct OpenFiles {
    struct Handle: Equatable {
        var gfid: GFID
        var append: Bool
    }

    private var handles: [UInt64: Handle] = [:]
    private var next: UInt64 = 1

    var count: Int { handles.count }

    mutating func open(_ handle: Handle) -> UInt64 {
        let number = next
        next += 1
        handles[number] = handle
        return number
    }

    func handle(_ number: UInt64) -> Handle? { handles[number] }

    mutating func close(_ number: UInt64) {
        handles[number] = nil
    }
}
