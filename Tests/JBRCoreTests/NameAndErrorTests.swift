import JBRCore
import NIOCore
import Testing

@Suite struct NameAndErrorTests {
    @Test(arguments: [
        ("..", JBRError.Code.EINVAL), (".", .EINVAL), ("", .EINVAL), ("a/b", .EINVAL), ("/", .EINVAL),
        ("a\u{0}b", .EINVAL), (String(repeating: "n", count: 256), .ENAMETOOLONG), (String(repeating: "n", count: 4096), .ENAMETOOLONG),
    ])
    func hostileNamesAreRefused(name: String, code: JBRError.Code) {
        #expect(throws: JBRError.self) { try FileName(name) }
        #expect(FileName.problem(with: Array(name.utf8))?.code == code)
    }

    @Test func ordinaryAndOddNamesAreAccepted() throws {
        for name in ["a", "...", ".hidden", "名前", "with space", String(repeating: "n", count: 255), "\\"] {
            #expect(try FileName(name).description == name)
        }
        let latin1 = try FileName(validating: [0x63, 0x61, 0x66, 0xE9])  // "café" in Latin-1: not UTF-8
        #expect(latin1.description == "caf\\xe9")
        let control = try FileName(validating: [0x61, 0x0A])
        #expect(control.description == "a\\x0a")
    }

    @Test func byteNamesAreNotUnicodeNormalized() throws {
        let precomposed = try FileName("\u{E9}")
        let decomposed = try FileName("e\u{301}")
        #expect(precomposed != decomposed)
    }

    @Test func otherByteStringsHaveTheirLimits() {
        #expect(throws: JBRError(.ERANGE, "xattr name of 256 bytes (at most 255)")) { try XattrName(String(repeating: "x", count: 256)) }
        #expect(throws: JBRError.self) { try XattrName("a\u{0}") }
        #expect(throws: JBRError.self) { try XattrValue(validating: [UInt8](repeating: 1, count: 65537)) }
        #expect(throws: JBRError.self) { try SymlinkTarget("") }
        #expect(throws: JBRError.self) { try SymlinkTarget(String(repeating: "t", count: 4096)) }
        #expect((try? SymlinkTarget("../../outside/the/brick")) != nil, "symlink targets are stored, not resolved")
    }

    @Test func errorsPrintAndMapToErrno() {
        let error = JBRError.notLeader(hint: ReplicaID(2), term: Term(7))
        #expect(error.description == "not leader: this brick is not the leader (leader hint r2) (term 7)")
        #expect(JBRError.Code.ENOENT.posixErrno == 2)
        #expect(JBRError.Code.noQuorum.posixErrno == 30)
        #expect(JBRError.Code(rawValue: 4242).description == "error code 4242")
        #expect(JBRError.Code(rawValue: 4242).posixErrno == 5)
        #expect(JBRError.Code(rawValue: 77).posixErrno == 5, "an errno this build does not name is EIO")
    }

    @Test func unknownCodesSurviveTheCodec() throws {
        let future = JBRError(JBRError.Code(rawValue: 1999), "from a newer server")
        #expect(try BinaryCodec.decode(JBRError.self, from: BinaryCodec.encode(future)) == future)
    }

    @Test func errorDetailIsBoundedOnACharacterBoundary() {
        let long = String(repeating: "é", count: 1000)  // 2000 bytes
        let error = JBRError(.EIO, long)
        #expect(error.detail.utf8.count <= JBRError.maxDetailBytes)
        #expect(error.detail.utf8.count == JBRError.maxDetailBytes)
        #expect(error.detail.allSatisfy { $0 == "é" })
    }
}
