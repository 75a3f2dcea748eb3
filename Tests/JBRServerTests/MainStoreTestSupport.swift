import Foundation
import JBRCore
import NIOCore
import Testing
@testable import JBRServer

/// A brick made for one test: `<temporary>/brick` holding a fresh store, and next to it
/// `<temporary>/outside`, a sentinel directory with a file in it that no store operation may
/// ever change.
final class MainStoreFixture {
    let directory: String
    var brickPath: String { directory + "/brick" }
    var outsidePath: String { directory + "/outside" }
    private(set) var store: MainStore
    private var step: Int64 = 0
    private let client = ClientID(bytes: Array(repeating: 0x5A, count: 16))

    /// - Parameter parent: where to make the temporary directory (a test's tmpfs), else /tmp.
    init(namespace: IdentityNamespace? = nil, under parent: String? = nil) throws {
        directory = try Self.makeTemporaryDirectory(under: parent ?? NSTemporaryDirectory())
        try FileManager.default.createDirectory(atPath: directory + "/brick", withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: directory + "/outside", withIntermediateDirectories: false)
        try Data("sentinel".utf8).write(to: URL(fileURLWithPath: directory + "/outside/keep"))
        store = try MainStore.create(brick: directory + "/brick", namespace: namespace)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// The next journal entry: the next index, a later sequencing time.
    func entry(_ operation: FileOperation) -> StoreLogEntry {
        step += 1
        let entry = OperationEntry(request: RequestID(client: client, sequence: UInt64(step)), sequencedAt: Self.time(step), operation: operation)
        return StoreLogEntry(entry: entry, position: LogPosition(term: Term(1), index: JournalIndex(UInt64(step))))
    }

    static func time(_ step: Int64) -> Timestamp {
        Timestamp(seconds: 1_700_000_000 + step, nanoseconds: UInt32(step % 1000) * 1_000_000 + 123)
    }

    /// Applies `operation` as the next journal entry; it must run (not be found applied).
    @discardableResult
    func apply(_ operation: FileOperation) throws -> OperationResult {
        try apply(entry(operation))
    }

    @discardableResult
    func apply(_ logged: StoreLogEntry) throws -> OperationResult {
        let outcome = try store.apply(logged.entry, at: logged.position)
        guard case let .applied(result) = outcome else { throw JBRError(.EIO, "\(logged.entry.operation.name) was found already applied") }
        return result
    }

    /// Applies an entry again, as a replay does.
    @discardableResult
    func replay(_ logged: StoreLogEntry) throws -> ApplyOutcome {
        try store.apply(logged.entry, at: logged.position)
    }

    func read(_ operation: ReadOperation) throws -> OperationResult {
        try store.read(operation)
    }

    func reopen() throws {
        store = try MainStore.open(brick: brickPath)
    }

    /// Every path under the sentinel directory with its contents (directories as empty).
    func outsideContents() -> [String: [UInt8]] {
        var contents: [String: [UInt8]] = [:]
        let enumerator = FileManager.default.enumerator(atPath: outsidePath)
        while let path = enumerator?.nextObject() as? String {
            contents[path] = FileManager.default.contents(atPath: outsidePath + "/" + path).map { Array($0) } ?? []
        }
        return contents
    }

    static func makeTemporaryDirectory(under parent: String) throws -> String {
        var template = Array((parent.hasSuffix("/") ? parent : parent + "/").utf8CString.dropLast()) + Array("jbr-store-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw JBRError(.EIO, "mkdtemp under \(parent) failed")
        }
        return String(cString: made)
    }
}

/// A journal entry and its position, as the shell hands them to the store.
struct StoreLogEntry {
    var entry: OperationEntry
    var position: LogPosition
}

func storeName(_ text: String) -> FileName { try! FileName(text) }

func storeLocation(_ parent: GFID, _ text: String) -> EntryLocation { EntryLocation(parent: parent, name: storeName(text)) }

let storeTestOwner = Owner(uid: 1000, gid: 100)

extension OperationResult {
    /// The failure's code, or nil for success.
    var failureCode: JBRError.Code? {
        if case let .failure(error) = self { return error.code }
        return nil
    }

    var attributes: FileAttributes? {
        switch self {
        case let .success(.attributes(attributes)), let .success(.written(_, attributes)): attributes
        default: nil
        }
    }
}

/// One object of a tree as users see it, for comparing a store with the model.
struct TreeObject: Hashable, CustomStringConvertible {
    var gfid: GFID
    var type: FileType
    var permissions: UInt16
    var owner: Owner
    /// Bytes of a regular file, target of a symlink, nothing for others.
    var content: [UInt8]
    var linkCount: UInt32
    var modificationTime: Timestamp
    var xattrs: [[UInt8]: [UInt8]]

    var description: String {
        "\(type) \(gfid) mode \(String(permissions, radix: 8)) \(owner.uid):\(owner.gid) links \(linkCount) mtime \(modificationTime) \(content.count) bytes xattrs \(xattrs.keys.map { String(decoding: $0, as: UTF8.self) }.sorted())"
    }
}

/// The tree a store shows through its read operations (readdir in pages of 3, so cookies are
/// exercised), keyed by path ("/" for the root).
func storeTree(_ store: MainStore) throws -> [String: TreeObject] {
    func object(_ attributes: FileAttributes) throws -> TreeObject {
        var content: [UInt8] = []
        switch attributes.type {
        case .regular:
            guard case let .success(.data(data, endOfFile)) = try store.read(.read(gfid: attributes.gfid, offset: 0, length: UInt32(attributes.size) + 1)) else {
                throw JBRError(.EIO, "read of \(attributes.gfid) failed")
            }
            #expect(endOfFile)
            content = Array(data.readableBytesView)
        case .symlink:
            guard case let .success(.linkTarget(target)) = try store.read(.readlink(gfid: attributes.gfid)) else {
                throw JBRError(.EIO, "readlink of \(attributes.gfid) failed")
            }
            content = target.bytes
        case .directory, .fifo, .socket:
            break
        }
        var xattrs: [[UInt8]: [UInt8]] = [:]
        guard case let .success(.xattrNames(names)) = try store.read(.listxattr(gfid: attributes.gfid)) else {
            throw JBRError(.EIO, "listxattr of \(attributes.gfid) failed")
        }
        for xattr in names {
            guard case let .success(.xattrValue(value)) = try store.read(.getxattr(gfid: attributes.gfid, name: xattr)) else {
                throw JBRError(.EIO, "getxattr of \(attributes.gfid) failed")
            }
            xattrs[xattr.bytes] = value.bytes
        }
        return TreeObject(
            gfid: attributes.gfid, type: attributes.type, permissions: attributes.permissions, owner: attributes.owner,
            content: content, linkCount: attributes.linkCount, modificationTime: attributes.modificationTime, xattrs: xattrs)
    }

    guard let root = try store.read(.stat(gfid: .root)).attributes else { throw JBRError(.EIO, "stat of the root failed") }
    var tree = ["/": try object(root)]
    var pending: [(GFID, String)] = [(.root, "")]
    while let (directory, path) = pending.popLast() {
        var cookie: UInt64 = 0
        while true {
            guard case let .success(.directory(page)) = try store.read(.readdir(gfid: directory, cookie: cookie, maxEntries: 3)) else {
                throw JBRError(.EIO, "readdir of \(directory) failed")
            }
            for entry in page.entries {
                let childPath = path + "/" + entry.name.description
                #expect(tree[childPath] == nil, "readdir listed \(childPath) twice")
                tree[childPath] = try object(entry.attributes)
                if entry.attributes.type == .directory { pending.append((entry.attributes.gfid, childPath)) }
            }
            if page.isLastPage { break }
            cookie = page.nextCookie
        }
    }
    return tree
}

/// The paths where two trees differ, with both sides, for a readable failure message.
func treeDifferences(_ actual: [String: TreeObject], _ expected: [String: TreeObject]) -> String {
    Set(actual.keys).union(expected.keys).sorted().compactMap { path in
        actual[path] == expected[path] ? nil : "\(path):\n  store: \(actual[path].map { "\($0)" } ?? "absent")\n  model: \(expected[path].map { "\($0)" } ?? "absent")"
    }.joined(separator: "\n")
}

/// A GFID for hand-written tests: distinct for each `number`, in bucket `12/34`.
func testGFID(_ number: UInt64) -> GFID { GFID(high: 0x1234_0000_0000_0000 | number, low: number) }

extension MainStoreFixture {
    /// The path of `gfid`'s handle in the index.
    func handlePath(_ gfid: GFID) -> String {
        let text = gfid.description
        return "\(brickPath)/.jbr/gfid/\(text.prefix(2))/\(text.dropFirst(2).prefix(2))/\(text)"
    }

    /// The attributes an operation answered with; fails the test otherwise.
    func attributes(_ operation: FileOperation, sourceLocation: SourceLocation = #_sourceLocation) throws -> FileAttributes {
        let result = try apply(operation)
        return try #require(result.attributes, "\(operation.name) answered \(result)", sourceLocation: sourceLocation)
    }

    func stat(_ gfid: GFID) throws -> OperationResult { try read(.stat(gfid: gfid)) }

    func lookup(_ parent: GFID, _ text: String) throws -> OperationResult { try read(.lookup(storeLocation(parent, text))) }

    /// The whole contents of regular file `gfid`.
    func contents(_ gfid: GFID) throws -> [UInt8] {
        guard case let .success(.data(data, endOfFile)) = try read(.read(gfid: gfid, offset: 0, length: 1 << 20)), endOfFile else {
            throw JBRError(.EIO, "read of \(gfid) failed")
        }
        return Array(data.readableBytesView)
    }

    func makeFile(_ gfid: GFID, in parent: GFID = .root, _ text: String, permissions: UInt16 = 0o644) throws {
        try #require(apply(.create(storeLocation(parent, text), gfid: gfid, permissions: permissions, owner: storeTestOwner, exclusive: true)).failureCode == nil)
    }

    func makeDirectory(_ gfid: GFID, in parent: GFID = .root, _ text: String) throws {
        try #require(apply(.mkdir(storeLocation(parent, text), gfid: gfid, permissions: 0o755, owner: storeTestOwner)).failureCode == nil)
    }
}
