import Foundation
import JBRClient
import JBRCore
import Testing

/// The `jbr-client` binary against three real bricks: every path command, its output, its exit
/// status and its effect as the client library sees it.
@Suite(.serialized)
struct ClientCommandTests {
    @Test func everyPathCommandWorksAndFailsCleanly() async throws {
        try await ProcessVolume.with { volume in
            _ = try await volume.leader()
            let tool = ClientTool(volume: volume)
            let client = volume.client

            // mkdir, write (creating, then overwriting in the middle, then past the end of a new file).
            try tool.expectSuccess(["mkdir", "-p", "/d/sub"])
            try tool.expectSuccess(["write", "/d/f"], input: "hello world")
            try tool.expectSuccess(["write", "/d/f", "--offset", "6"], input: "JBR!!")
            #expect(try await client.readFile("/d/f") == Array("hello JBR!!".utf8))
            try tool.expectSuccess(["write", "/d/g", "--offset", "4"], input: "xy")
            #expect(try await client.readFile("/d/g") == [0, 0, 0, 0] + Array("xy".utf8))
            // append: at the end, creating the file if missing; never into a directory.
            try tool.expectSuccess(["append", "/d/log"], input: "one\n")
            try tool.expectSuccess(["append", "/d/log"], input: "two\n")
            #expect(try await client.readFile("/d/log") == Array("one\ntwo\n".utf8))
            try tool.expectFailure(["append", "/d/sub"], subject: "/d/sub", code: "EISDIR")
            let fileGFID = try await client.attributes(of: "/d/f").gfid
            let otherGFID = try await client.attributes(of: "/d/g").gfid

            // get: copies, refuses to overwrite without --force, leaves nothing behind on failure.
            let local = volume.root + "/copy"
            try tool.expectSuccess(["get", "/d/f", local])
            #expect(FileManager.default.contents(atPath: local) == Data("hello JBR!!".utf8))
            try tool.expectFailure(["get", "/d/g", local], subject: local, code: "EEXIST")
            #expect(FileManager.default.contents(atPath: local) == Data("hello JBR!!".utf8))
            try tool.expectSuccess(["get", "--force", "/d/g", local])
            #expect(FileManager.default.contents(atPath: local) == Data([0, 0, 0, 0] + Array("xy".utf8)))
            try tool.expectFailure(["get", "/d/missing", volume.root + "/never"], subject: "/d/missing", code: "ENOENT")
            #expect(!FileManager.default.fileExists(atPath: volume.root + "/never"))
            try tool.expectFailure(["get", "/d/f", volume.root + "/no-such-dir/copy"], subject: volume.root + "/no-such-dir/copy", code: "ENOENT")
            #expect(try FileManager.default.contentsOfDirectory(atPath: volume.root).allSatisfy { !$0.contains("jbr-partial") })

            // truncate cuts and zero-extends; chmod sets octal modes and refuses others.
            try tool.expectSuccess(["truncate", "/d/f", "--size", "5"])
            #expect(try await client.readFile("/d/f") == Array("hello".utf8))
            try tool.expectSuccess(["truncate", "/d/f", "--size", "8"])
            #expect(try await client.readFile("/d/f") == Array("hello".utf8) + [0, 0, 0])
            try tool.expectSuccess(["chmod", "640", "/d/f"])
            #expect(try await client.attributes(of: "/d/f").permissions == 0o640)
            #expect(try tool.run(["chmod", "9z", "/d/f"]).status != 0)
            #expect(try await client.attributes(of: "/d/f").permissions == 0o640)
            // chown takes numeric ids, either or both.
            try tool.expectSuccess(["chown", "1234:5678", "/d/f"])
            #expect(try await client.attributes(of: "/d/f").owner == Owner(uid: 1234, gid: 5678))
            try tool.expectSuccess(["chown", ":42", "/d/f"])
            #expect(try await client.attributes(of: "/d/f").owner == Owner(uid: 1234, gid: 42))
            try tool.expectSuccess(["chown", "7", "/d/f"])
            #expect(try await client.attributes(of: "/d/f").owner == Owner(uid: 7, gid: 42))
            for bad in ["root", ":", "1:2:3", "-1", "99999999999"] {
                #expect(try tool.run(["chown", bad, "/d/f"]).status != 0, "chown \(bad)")
            }
            #expect(try await client.attributes(of: "/d/f").owner == Owner(uid: 7, gid: 42))
            try tool.expectSuccess(["chown", "0:0", "/d/f"])

            // ln: a hard link shares the GFID; a symlink holds its target verbatim.
            try tool.expectSuccess(["ln", "/d/f", "/d/hard"])
            #expect(try await client.attributes(of: "/d/hard").gfid == fileGFID)
            try tool.expectSuccess(["ln", "-s", "../nowhere//x", "/d/sym"])
            #expect(try await client.linkTarget(of: "/d/sym").description == "../nowhere//x")

            // stat, as text and as JSON.
            let text = try tool.expectSuccess(["stat", "/d/f"])
            for line in ["Type: regular file", "Mode: 0640", "Links: 2", "Size: 8", "GFID: \(fileGFID)"] {
                #expect(text.contains(line), "\(line) in \(text)")
            }
            let json = try tool.expectSuccess(["stat", "--json", "/d/f"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(object["type"] as? String == "regular file")
            #expect(object["mode"] as? String == "0640")
            #expect(object["links"] as? Int == 2)
            #expect(object["size"] as? Int == 8)
            #expect(object["gfid"] as? String == "\(fileGFID)")
            #expect((object["mtime"] as? String)?.hasSuffix("Z") == true)
            let symlinkText = try tool.expectSuccess(["stat", "/d/sym"])
            #expect(symlinkText.contains("Type: symbolic link") && symlinkText.contains("-> ../nowhere//x"), "\(symlinkText)")

            // mv: renames, replaces, and with --no-replace refuses an existing name.
            try tool.expectSuccess(["mv", "/d/hard", "/d/moved"])
            await #expect(throws: JBRError.self) { try await client.attributes(of: "/d/hard") }
            #expect(try await client.attributes(of: "/d/moved").gfid == fileGFID)
            try tool.expectFailure(["mv", "--no-replace", "/d/moved", "/d/g"], subject: "/d/moved -> /d/g", code: "EEXIST")
            #expect(try await client.attributes(of: "/d/g").gfid == otherGFID)
            try tool.expectSuccess(["mv", "/d/moved", "/d/g"])
            #expect(try await client.attributes(of: "/d/g").gfid == fileGFID)
            #expect(try await client.attributes(of: "/d/f").linkCount == 2)

            // setfattr and getfattr: text and binary values, one and all, removal.
            try tool.expectSuccess(["setfattr", "-n", "user.comment", "-v", "hi \"there\"", "/d/f"])
            try tool.expectSuccess(["setfattr", "-n", "user.binary", "-v", "0x00ff10", "/d/f"])
            #expect(try await client.extendedAttribute(XattrName("user.binary"), of: "/d/f").bytes == [0x00, 0xFF, 0x10])
            #expect(try tool.expectSuccess(["getfattr", "-n", "user.comment", "/d/f"]) == "user.comment=\"hi \\\"there\\\"\"\n")
            #expect(try tool.expectSuccess(["getfattr", "-d", "/d/f"]) == "user.binary=0x00ff10\nuser.comment=\"hi \\\"there\\\"\"\n")
            try tool.expectSuccess(["setfattr", "-x", "user.comment", "/d/f"])
            try tool.expectFailure(["getfattr", "-n", "user.comment", "/d/f"], subject: "/d/f", code: "ENODATA")
            #expect(try tool.expectSuccess(["getfattr", "-d", "/d/g"]) == "user.binary=0x00ff10\n")

            // Refusals: rm of a directory, rmdir of a non-empty one, cat of a missing file.
            try tool.expectFailure(["rm", "/d/sub"], subject: "/d/sub", code: "EISDIR")
            #expect(try await client.attributes(of: "/d/sub").type == .directory)
            try tool.expectFailure(["rmdir", "/d"], subject: "/d", code: "ENOTEMPTY")
            try tool.expectFailure(["rmdir", "/d/f"], subject: "/d/f", code: "ENOTDIR")
            try tool.expectFailure(["cat", "/d/missing"], subject: "/d/missing", code: "ENOENT")

            // rm and rmdir empty the volume.
            for name in ["/d/f", "/d/g", "/d/sym", "/d/log"] { try tool.expectSuccess(["rm", name]) }
            try tool.expectFailure(["rm", "/d/f"], subject: "/d/f", code: "ENOENT")
            try tool.expectSuccess(["rmdir", "/d/sub"])
            try tool.expectSuccess(["rmdir", "/d"])
            #expect(try await client.list("/").isEmpty)
        }
    }

    @Test(arguments: [
        [UInt8](), Array("plain text".utf8), Array("quote \" and backslash \\".utf8), Array("0x looks like hex".utf8),
        [0x00, 0xFF, 0x10], Array("tab\there".utf8), [0xC3, 0x28], Array("é ünïcode".utf8),
    ])
    func extendedAttributeTextRoundTrips(_ bytes: [UInt8]) throws {
        let value = try XattrValue(validating: bytes)
        #expect(try ExtendedAttributeText.parse(ExtendedAttributeText.render(value)) == value)
    }

    @Test func extendedAttributeTextReadsHexQuotedAndVerbatimValues() throws {
        #expect(try ExtendedAttributeText.parse("0x0aFF").bytes == [0x0A, 0xFF])
        #expect(try ExtendedAttributeText.parse("\"a\\\"b\"").bytes == Array("a\"b".utf8))
        #expect(try ExtendedAttributeText.parse("a\\b").bytes == Array("a\\b".utf8))
        #expect(ExtendedAttributeText.render(try XattrValue(validating: [0x01, 0x41])) == "0x0141")
        #expect(throws: JBRError.self) { try ExtendedAttributeText.parse("0xabc") }
        #expect(throws: JBRError.self) { try ExtendedAttributeText.parse("0xzz") }
        #expect(throws: JBRError.self) { try ExtendedAttributeText.parse("\"ends with \\\"") }
    }
}

/// Runs the built `jbr-client` against a `ProcessVolume`.
private struct ClientTool {
    let volume: ProcessVolume

    func run(_ arguments: [String], input: String = "") throws -> (status: Int32, output: String, errors: String) {
        try volume.runTool("jbr-client", ["--volfile", volume.clientVolfile, "--timeout", "10"] + arguments, input: input)
    }

    /// Runs a command that must succeed silently on standard error; returns its output.
    @discardableResult
    func expectSuccess(_ arguments: [String], input: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run(arguments, input: input)
        #expect(result.status == 0, "\(arguments): \(result.errors)", sourceLocation: sourceLocation)
        #expect(result.errors.isEmpty, "\(arguments)", sourceLocation: sourceLocation)
        return result.output
    }

    /// Runs a command that must fail with exactly one line, `jbr-client: <subject>: …<code>…`.
    func expectFailure(_ arguments: [String], subject: String, code: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try run(arguments)
        #expect(result.status == 1, "\(arguments) exited \(result.status)", sourceLocation: sourceLocation)
        let lines = result.errors.split(separator: "\n")
        #expect(lines.count == 1, "\(arguments): \(result.errors)", sourceLocation: sourceLocation)
        #expect(result.errors.hasPrefix("jbr-client: \(subject): "), "\(arguments): \(result.errors)", sourceLocation: sourceLocation)
        #expect(result.errors.contains(code), "\(arguments): \(result.errors)", sourceLocation: sourceLocation)
    }
}
