import Glibc
import JBRCore
import Testing
@testable import JBRServer

/// The store's pure parts, as tables: entry decisions, handle targets, the applied mark, the
/// format file, readdir paging, the xattr policy and errno classification.
@Suite struct MainStoreDecisionTests {
    typealias Decision = EntryDecisions.Decision
    static let mine = testGFID(1)
    static let other = testGFID(2)

    struct CreateCase: CustomTestStringConvertible, Sendable {
        var type: FileType, exclusive: Bool, name: EntryDecisions.NameState, index: EntryDecisions.IndexState, expected: Decision
        var testDescription: String { "\(type) exclusive=\(exclusive) \(name) \(index) -> \(expected)" }
    }

    static let createCases: [CreateCase] = [
        CreateCase(type: .regular, exclusive: true, name: .absent, index: .absent, expected: .perform),
        CreateCase(type: .directory, exclusive: true, name: .absent, index: .live, expected: .refuse(.EEXIST)),
        CreateCase(type: .symlink, exclusive: true, name: .absent, index: .stale, expected: .refuse(.ESTALE)),
        CreateCase(type: .regular, exclusive: true, name: .holds(mine, .regular), index: .live, expected: .alreadyDone),
        CreateCase(type: .fifo, exclusive: true, name: .holds(mine, .socket), index: .live, expected: .refuse(.EEXIST)),
        CreateCase(type: .regular, exclusive: true, name: .holds(other, .regular), index: .absent, expected: .refuse(.EEXIST)),
        CreateCase(type: .regular, exclusive: false, name: .holds(other, .regular), index: .absent, expected: .useExisting),
        CreateCase(type: .regular, exclusive: false, name: .holds(other, .directory), index: .absent, expected: .refuse(.EISDIR)),
        CreateCase(type: .regular, exclusive: false, name: .holds(other, .symlink), index: .absent, expected: .refuse(.EEXIST)),
        CreateCase(type: .directory, exclusive: false, name: .holds(other, .directory), index: .absent, expected: .refuse(.EEXIST)),
    ]

    @Test(arguments: createCases)
    func createDecides(_ row: CreateCase) {
        #expect(EntryDecisions.create(row.type, gfid: Self.mine, exclusive: row.exclusive, name: row.name, index: row.index) == row.expected)
    }

    @Test func removalAndLinkDecide() {
        let file = EntryDecisions.NameState.holds(Self.mine, .regular)
        let directory = EntryDecisions.NameState.holds(Self.mine, .directory)
        let stranger = EntryDecisions.NameState.holds(Self.other, .regular)
        #expect(EntryDecisions.unlink(gfid: Self.mine, name: .absent) == .alreadyDone)
        #expect(EntryDecisions.unlink(gfid: Self.mine, name: file) == .perform)
        #expect(EntryDecisions.unlink(gfid: Self.mine, name: directory) == .refuse(.EISDIR))
        #expect(EntryDecisions.unlink(gfid: Self.mine, name: stranger) == .refuse(.ESTALE))
        #expect(EntryDecisions.rmdir(gfid: Self.mine, name: .absent) == .alreadyDone)
        #expect(EntryDecisions.rmdir(gfid: Self.mine, name: directory) == .perform)
        #expect(EntryDecisions.rmdir(gfid: Self.mine, name: file) == .refuse(.ENOTDIR))
        #expect(EntryDecisions.rmdir(gfid: Self.mine, name: stranger) == .refuse(.ESTALE))
        #expect(EntryDecisions.link(gfid: Self.mine, type: .regular, name: .absent) == .perform)
        #expect(EntryDecisions.link(gfid: Self.mine, type: .regular, name: file) == .alreadyDone)
        #expect(EntryDecisions.link(gfid: Self.mine, type: .regular, name: stranger) == .refuse(.EEXIST))
        #expect(EntryDecisions.link(gfid: Self.mine, type: .directory, name: .absent) == .refuse(.EPERM))
    }

    struct RenameCase: CustomTestStringConvertible, Sendable {
        var source: EntryDecisions.NameState, destination: EntryDecisions.NameState, sameName = false, noReplace = false, expected: Decision
        var testDescription: String { "\(source) -> \(destination) same=\(sameName) noReplace=\(noReplace): \(expected)" }
    }

    static let renameCases: [RenameCase] = [
        RenameCase(source: .holds(mine, .regular), destination: .absent, expected: .perform),
        RenameCase(source: .absent, destination: .holds(mine, .regular), expected: .alreadyDone),
        RenameCase(source: .absent, destination: .absent, expected: .refuse(.ENOENT)),
        RenameCase(source: .absent, destination: .holds(other, .regular), expected: .refuse(.ENOENT)),
        RenameCase(source: .holds(other, .regular), destination: .absent, expected: .refuse(.ESTALE)),
        RenameCase(source: .holds(mine, .regular), destination: .holds(mine, .regular), sameName: true, expected: .alreadyDone),
        RenameCase(source: .holds(mine, .regular), destination: .holds(mine, .regular), sameName: true, noReplace: true, expected: .refuse(.EEXIST)),
        RenameCase(source: .holds(mine, .regular), destination: .holds(mine, .regular), expected: .alreadyDone),
        RenameCase(source: .holds(mine, .regular), destination: .holds(other, .regular), expected: .perform),
        RenameCase(source: .holds(mine, .regular), destination: .holds(other, .regular), noReplace: true, expected: .refuse(.EEXIST)),
        RenameCase(source: .holds(mine, .directory), destination: .holds(other, .directory), expected: .perform),
        RenameCase(source: .holds(mine, .directory), destination: .holds(other, .symlink), expected: .refuse(.ENOTDIR)),
        RenameCase(source: .holds(mine, .fifo), destination: .holds(other, .directory), expected: .refuse(.EISDIR)),
    ]

    @Test(arguments: renameCases)
    func renameDecides(_ row: RenameCase) {
        #expect(EntryDecisions.rename(gfid: Self.mine, source: row.source, destination: row.destination, sameName: row.sameName, noReplace: row.noReplace) == row.expected)
    }

    @Test func directoryHandleTargetsRoundTripAndAnythingElseIsRefused() throws {
        let parent = GFID(parsing: "ab12cd34-0000-4000-8000-000000000001")!
        let target = HandlePath.directoryTarget(parent: parent, name: try FileName("name with spaces"))
        #expect(String(decoding: target, as: UTF8.self) == "../../ab/12/ab12cd34-0000-4000-8000-000000000001/name with spaces")
        let parsed = try #require(HandlePath.parseDirectoryTarget(target))
        let name = try FileName("name with spaces")
        #expect(parsed.parent == parent && parsed.name == name)
        for bad in [
            "/etc", "../../../../etc", "../../ab/12/ab12cd34-0000-4000-8000-000000000001", "../../ab/12/ab12cd34-0000-4000-8000-000000000001/",
            "../../ab/13/ab12cd34-0000-4000-8000-000000000001/x", "../../ab/12/ab12cd34-0000-4000-8000-000000000001/..",
            "../../ab/12/ab12cd34-0000-4000-8000-000000000001/a/b", "../../ab/12/AB12CD34-0000-4000-8000-000000000001/x",
            "./../ab/12/ab12cd34-0000-4000-8000-000000000001/x", "",
        ] {
            #expect(HandlePath.parseDirectoryTarget(Array(bad.utf8)) == nil, "\(bad)")
        }
        #expect(HandlePath.gfid(named: Array(parent.description.utf8)) == parent)
        #expect(HandlePath.gfid(named: Array(parent.description.uppercased().utf8)) == nil)
    }

    @Test func theAppliedMarkLayoutIsFrozenAndEveryFlippedByteIsCaught() {
        let position = LogPosition(term: Term(0x0102), index: JournalIndex(0x0A0B_0C0D))
        let bytes = AppliedMark.encode(position)
        #expect(bytes.count == 28)
        #expect(Array(bytes[0..<24]) == Array("JBRAPPLY".utf8) + [2, 1, 0, 0, 0, 0, 0, 0, 0x0D, 0x0C, 0x0B, 0x0A, 0, 0, 0, 0])
        #expect(AppliedMark.decode(bytes) == .success(position))
        for offset in bytes.indices {
            var damaged = bytes
            damaged[offset] ^= 0x40
            #expect((try? AppliedMark.decode(damaged).get()) == nil, "byte \(offset)")
        }
        #expect(AppliedMark.decode(Array(bytes.dropLast())) == .failure(.wrongSize(27)))
    }

    @Test func theFormatFileNamesTheNamespaceAndNothingElseIsAccepted() {
        for namespace in IdentityNamespace.allCases {
            #expect(StoreFormat.decode(StoreFormat.encode(namespace)) == namespace)
        }
        for bad in ["", "jbr main store\nversion 2\ngfid-xattr user\n", "jbr main store\nversion 1\ngfid-xattr system\n", "jbr main store\nversion 1\ngfid-xattr user"] {
            #expect(StoreFormat.decode(Array(bad.utf8)) == nil, "\(bad)")
        }
    }

    @Test(arguments: [1, 2, 3, 7, 100])
    func pagingListsEveryNameOnceWhateverThePageSize(limit: Int) {
        let names = (0..<60).map { Array("entry-\($0)".utf8) }
        var listed: [[UInt8]] = []
        var cookie: UInt64 = 0
        while true {
            let page = DirectoryPaging.page(names, after: cookie, limit: limit)
            #expect(page.names.count <= limit)
            listed += page.names
            if page.isLast { break }
            cookie = page.nextCookie
        }
        #expect(listed.count == 60 && Set(listed) == Set(names))
        #expect(DirectoryPaging.cookie(for: Array("a".utf8)) == DirectoryPaging.cookie(for: Array("a".utf8)))
        #expect(names.allSatisfy { DirectoryPaging.cookie(for: $0) != 0 })
    }

    @Test func namesWhoseCookiesTieAreNeverSplitAcrossPages() {
        // A coarse cookie (the first byte) makes ties: "a1", "a2", "a3" share one.
        let names = ["a1", "a2", "a3", "b1", "c1", "c2"].map { Array($0.utf8) }
        let coarse: ([UInt8]) -> UInt64 = { UInt64($0[0]) }
        var listed: [String] = []
        var cookie: UInt64 = 0
        while true {
            let page = DirectoryPaging.page(names, after: cookie, limit: 4, cookieOf: coarse)
            listed += page.names.map { String(decoding: $0, as: UTF8.self) }
            if page.isLast { break }
            cookie = page.nextCookie
        }
        #expect(listed == ["a1", "a2", "a3", "b1", "c1", "c2"])
        #expect(DirectoryPaging.page(names, after: 0, limit: 4, cookieOf: coarse).names.count == 4)
        #expect(DirectoryPaging.page(names, after: 0, limit: 5, cookieOf: coarse).names.count == 4, "c1 and c2 stay together")
    }

    @Test func theXattrPolicyGuardsTheStoresOwnNames() throws {
        for reserved in ["trusted.gfid", "trusted.jbr.applied", "user.jbr.gfid", "user.jbr."] {
            #expect(XattrPolicy.isReserved(Array(reserved.utf8)), "\(reserved)")
            #expect(XattrPolicy.refusalToChange(try XattrName(reserved))?.code == .EPERM, "\(reserved)")
        }
        for allowed in ["user.a", "trusted.glusterfs.x", "security.selinux", "system.posix_acl_access", "trusted.gfid2", "user.jbrx"] {
            #expect(XattrPolicy.refusalToChange(try XattrName(allowed)) == nil, "\(allowed)")
        }
        for unsupported in ["system.other", "os2.x", "gfid"] {
            #expect(XattrPolicy.refusalToChange(try XattrName(unsupported))?.code == .EOPNOTSUPP, "\(unsupported)")
        }
    }

    @Test func errnoValuesSplitIntoOutcomesAndDiskFailures() {
        #expect(ErrnoClassification.classify(ENOSPC) == .failure(.ENOSPC))
        #expect(ErrnoClassification.classify(EDQUOT) == .failure(.EDQUOT))
        for failure in [EIO, EROFS, ENOMEM, EMFILE, EACCES, EBADF] {
            #expect(ErrnoClassification.classify(failure) == .failure(.EIO), "\(failure)")
        }
        for outcome in [ENOENT, EEXIST, ENOTEMPTY, EISDIR, ENOTDIR, EINVAL, ESTALE, ENODATA, EPERM] {
            #expect(ErrnoClassification.classify(outcome) == .outcome(JBRError.Code(rawValue: UInt16(outcome))), "\(outcome)")
        }
    }
}
