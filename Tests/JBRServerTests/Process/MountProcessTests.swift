import Foundation
import JBRClient
import JBRCore
// LinuxCalls: renameat2 and the xattr calls, which Glibc's Swift module hides.
@testable import JBRServer
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `jbr-client mount` on three real bricks, driven the way people use a file system: cp, tar,
/// git and rsync, random reads and writes checked against a local file, the namespace calls
/// and their errors, a leader killed under a copy, a read-only mount, and a second client.
/// Each test has its own volume and mount; trees are kept small for a 2-core machine.
@Suite(
    .serialized,
    .enabled(if: MountedVolume.fuseAvailable, "FUSE is missing here (no /dev/fuse, or no fusermount3 on PATH): nothing can be mounted"),
    .timeLimit(.minutes(4)))
struct MountProcessTests {
    @Test func theMountSaysMountedAndExitsZeroHoweverItIsUnmounted() async throws {
        try await ProcessVolume.with { volume in
            for way in [MountedVolume.Unmounting.fusermount, .umount, .signal(SIGTERM), .signal(SIGINT)] {
                try await MountedVolume.with(volume) { mount in
                    // The line may trail the kernel's mount by a moment.
                    var saidMounted = false
                    let deadline = ContinuousClock.now + .seconds(10)
                    while !saidMounted && ContinuousClock.now < deadline {
                        saidMounted = mount.child.output.split(separator: "\n").contains { $0.hasPrefix("mounted ") }
                        if !saidMounted { try await Task.sleep(for: .milliseconds(100)) }
                    }
                    mount.expect(saidMounted, "no line starting with `mounted ` on standard output: \(mount.child.output)")
                    // A request served, so the unmount ends a mount that has worked.
                    let entries = try mount.blocking("listing the root") { try Posix.directoryEntries(mount.path) }
                    #expect(entries.isEmpty, "a fresh volume's root lists \(entries.map { String(decoding: $0, as: UTF8.self) })")
                    let end = await mount.unmount(way)
                    mount.expect(end.isClean, "unmounted by \(way): \(end)")
                    #expect(!MountedVolume.isMounted(mount.path), "still mounted after \(way)")
                }
            }
        }
    }

    @Test func cpDashAMakesACopyEqualToItsSource() async throws {
        try await ProcessVolume.with { volume in
            try await MountedVolume.with(volume) { mount in
                let source = volume.root + "/source"
                try SampleTree.makeVaried(at: source)
                let copy = mount.path + "/copy"
                mount.expectSuccess(await mount.run("cp", ["-a", source, copy]))
                mount.expectSameTree(source, copy)
                let (first, second) = try mount.blocking("lstat of the hard links") {
                    try (Posix.lstat(copy + "/" + SampleTree.hardLinkPair.0), Posix.lstat(copy + "/" + SampleTree.hardLinkPair.1))
                }
                mount.expect(
                    first.st_ino == second.st_ino && first.st_nlink == 2 && second.st_nlink == 2,
                    "the hard-link pair on the mount: inodes \(first.st_ino) and \(second.st_ino), link counts \(first.st_nlink) and \(second.st_nlink)")
                mount.expectSuccess(await mount.run("diff", ["-r", source, copy]))
            }
        }
    }

    @Test func tarPacksFromTheMountAndUnpacksIntoItLosingNothing() async throws {
        try await ProcessVolume.with { volume in
            try await MountedVolume.with(volume) { mount in
                let source = volume.root + "/source"
                try SampleTree.makeVaried(at: source)
                // Into the mount: a local archive unpacked there.
                let localArchive = volume.root + "/local.tar"
                mount.expectSuccess(await mount.run("tar", ["-C", volume.root, "-cf", localArchive, "source"]))
                let unpacked = mount.path + "/unpacked"
                try mount.blocking("mkdir") { try Posix.makeDirectory(unpacked) }
                mount.expectSuccess(await mount.run("tar", ["-C", unpacked, "-xf", localArchive]))
                mount.expectSameTree(source, unpacked + "/source")
                // tar's own check of the mount against the archive (modes, owners, times, contents).
                mount.expectSuccess(await mount.run("tar", ["-C", unpacked, "--compare", "-f", localArchive]))
                // Out of the mount: an archive of it, unpacked locally.
                let mountArchive = volume.root + "/from-mount.tar"
                mount.expectSuccess(await mount.run("tar", ["-C", unpacked, "-cf", mountArchive, "source"]))
                let local = volume.root + "/unpacked-locally"
                try Posix.makeDirectory(local)
                mount.expectSuccess(await mount.run("tar", ["-C", local, "-xf", mountArchive]))
                mount.expectSameTree(source, local + "/source")
            }
        }
    }

    @Test func gitCommitsARenameAndTheRepositoryChecksOut() async throws {
        try await ProcessVolume.with { volume in
            try await MountedVolume.with(volume) { mount in
                let repository = mount.path + "/repository"
                let home = volume.root + "/home"
                try Posix.makeDirectory(home)
                // No configuration but the repository's own: an empty HOME, no system file.
                let environment = ["HOME": home, "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"]
                func git(_ arguments: [String]) async -> CommandResult {
                    await mount.run("git", ["-C", repository] + arguments, environment: environment)
                }
                var generator = SplitMix64(seed: 0x6171)
                try mount.blocking("writing the first files") {
                    try Posix.makeDirectory(repository)
                    try Posix.makeDirectory(repository + "/src")
                    try Posix.makeDirectory(repository + "/docs")
                    try Posix.writeFile(repository + "/README.md", Array("# A repository on a JBR mount\n".utf8))
                    try Posix.writeFile(repository + "/src/main.c", Array(String(repeating: "int main(void) { return 0; }\n", count: 200).utf8))
                    try Posix.writeFile(repository + "/src/data.bin", generator.bytes(100_000))
                    try Posix.writeFile(repository + "/docs/notes.txt", Array("first notes\n".utf8))
                }
                mount.expectSuccess(await git(["init", "-q", "-b", "main"]))
                mount.expectSuccess(await git(["config", "user.name", "JBR Test"]))
                mount.expectSuccess(await git(["config", "user.email", "test@jbr.invalid"]))
                mount.expectSuccess(await git(["add", "-A"]))
                mount.expectSuccess(await git(["commit", "-q", "-m", "first"]))

                mount.expectSuccess(await git(["mv", "src/main.c", "src/program.c"]))
                try mount.blocking("changing files") {
                    try Posix.writeFile(repository + "/docs/notes.txt", Array("first notes\nsecond notes\n".utf8))
                    try Posix.writeFile(repository + "/src/extra.txt", Array("added in the second commit\n".utf8))
                }
                mount.expectSuccess(await git(["add", "-A"]))
                mount.expectSuccess(await git(["commit", "-q", "-m", "second: rename main.c"]))

                mount.expectSuccess(await git(["fsck", "--full"]))
                let log = await git(["log", "--oneline"])
                mount.expectSuccess(log)
                mount.expect(log.output.split(separator: "\n").count == 2, "git log --oneline: \(log.output)")
                let status = await git(["status", "--porcelain"])
                mount.expectSuccess(status)
                mount.expect(status.output.isEmpty, "git status --porcelain: \(status.output)")
                let changes = await git(["show", "--name-status", "-M", "--format=", "HEAD"])
                mount.expect(changes.output.contains("R100\tsrc/main.c\tsrc/program.c"), "the second commit: \(changes.output)")
                // Packing rewrites every object into a pack (temporary files, renames); still sound.
                mount.expectSuccess(await git(["repack", "-a", "-d", "-q"]))
                mount.expectSuccess(await git(["fsck", "--full"]))
            }
        }
    }

    @Test(.enabled(if: HostTools.isInstalled("rsync"), "rsync is not installed (`make deps` installs it): this one test cannot run"))
    func rsyncCopiesATreeAndThenItsChanges() async throws {
        try await ProcessVolume.with { volume in
            try await MountedVolume.with(volume) { mount in
                let source = volume.root + "/source"
                try SampleTree.makeVaried(at: source)
                let target = mount.path + "/synced"
                // -H keeps the hard-link pair one inode, as the comparison expects.
                mount.expectSuccess(await mount.run("rsync", ["-aH", source + "/", target + "/"]))
                mount.expectSameTree(source, target)
                // Changes: rsync writes each changed file into a temporary name and renames it over
                // the old one. The rewritten file changes size: rsync skips a same-size file
                // with the same modification second.
                var generator = SplitMix64(seed: 0x5E1C)
                try Posix.writeFile(source + "/page", generator.bytes(5000))
                #expect(unlink(source + "/one-byte") == 0)
                try Posix.writeFile(source + "/nested/added.txt", generator.bytes(20_000))
                try Posix.makeDirectory(source + "/added-dir")
                mount.expectSuccess(await mount.run("rsync", ["-aH", "--delete", source + "/", target + "/"]))
                mount.expectSameTree(source, target)
            }
        }
    }

    @Test func randomWritesTruncationsAndReadsMatchALocalFile() async throws {
        try await ProcessVolume.with { volume in
            try await MountedVolume.with(volume) { mount in
                // A fixed seed; JBR_FSX_SEED (hexadecimal) replays another.
                let seed = ProcessInfo.processInfo.environment["JBR_FSX_SEED"].flatMap { UInt64($0, radix: 16) } ?? 0x0F5C_2025
                let exercise = RandomFileExercise(
                    mountedPath: mount.path + "/fsx-file", referencePath: volume.root + "/fsx-reference", seed: seed, operations: 1500)
                let problem = mount.blocking("the random file exercise", within: .seconds(200)) { exercise.run() }
                mount.expect(problem == nil, "\(problem ?? "")\n(replay with JBR_FSX_SEED=\(String(seed, radix: 16)))")
            }
        }
    }

    @Test func renamesLinksSymlinksFifosErrorsAndXattrsBehaveAsOnALocalDisk() async throws {
        try await ProcessVolume.with { volume in
            try await MountedVolume.with(volume) { mount in
                try mount.blocking("the namespace calls") { try Self.checkNamespaceCalls(on: mount) }
            }
        }
    }

    @Test func aCopyInFlightWhenTheLeaderBrickDiesCompletesAndComparesEqual() async throws {
        try await ProcessVolume.with { volume in
            try await MountedVolume.with(volume) { mount in
                let source = volume.root + "/bulk"
                try SampleTree.makeBulk(at: source, files: 300, averageBytes: 27_000)
                let copy = mount.path + "/bulk-copy"
                let cp = try ChildProcess.launch("cp", ["-a", source, copy], scratch: volume.root)
                let killed: Int
                let copyingWhenKilled: Bool
                do {
                    try await Task.sleep(for: .milliseconds(750))
                    killed = try await volume.leader()
                    volume.kill(killed)
                    copyingWhenKilled = cp.isRunning
                } catch {
                    await cp.stop()
                    throw error
                }
                mount.expect(copyingWhenKilled, "cp had finished before the leader was killed: nothing was in flight")
                // In-flight requests wait for the new leader and complete there.
                mount.expectSuccess(await cp.finish(within: .seconds(120)))
                mount.expectSameTree(source, copy)
                // The killed brick comes back and holds what the others hold.
                try volume.start(killed)
                _ = try await ResyncProcessTests.expectIdenticalTrees(volume)
            }
        }
    }

    /// kill -9 of the mount process in the middle of a copy: programs see the mount fail
    /// (ENOTCONN), `fusermount3 -u` clears it, and the volume is whole: the bricks agree, every
    /// file the copy finished reads back equal, and a new mount works.
    @Test func killingTheMountProcessMidCopyLeavesTheVolumeWhole() async throws {
        try await ProcessVolume.with { volume in
            let source = volume.root + "/bulk"
            try SampleTree.makeBulk(at: source, files: 300, averageBytes: 27_000)
            let mount = try await MountedVolume.mount(volume)
            let copy = mount.path + "/bulk-copy"
            let cp: ChildProcess
            let copyingWhenKilled: Bool
            do {
                cp = try ChildProcess.launch("cp", ["-a", source, copy], scratch: volume.root)
                do {
                    try await Task.sleep(for: .milliseconds(750))
                } catch {
                    await cp.stop()
                    throw error
                }
                copyingWhenKilled = cp.isRunning
            } catch {
                _ = await mount.unmount()
                throw error
            }
            mount.child.signal(SIGKILL)
            let copied = await cp.finish(within: .seconds(60))
            let end = await mount.unmount()
            #expect(copyingWhenKilled, "cp had finished before the mount process was killed")
            #expect(!copied.succeeded, "cp went on after its mount died: \(copied)")
            #expect(!end.leftMounted && end.unmountCommand?.succeeded == true, "fusermount3 -u after kill -9: \(end)")

            _ = try await ResyncProcessTests.expectIdenticalTrees(volume)
            // cp writes one file at a time, front to back: every copied file holds the start of its
            // source, and only the one cut short by the kill may hold less than all of it.
            var copiedFiles = 0
            var incomplete: [String] = []
            for directory in try await volume.client.list("/bulk-copy") {
                let folder = "/bulk-copy/\(directory.name)"
                for file in try await volume.client.list(folder) {
                    let stored = try await volume.client.readFile(folder + "/\(file.name)")
                    let original = try Posix.readFile(source + "/\(directory.name)/\(file.name)")
                    #expect(original.starts(with: stored), "\(folder)/\(file.name) is not the start of its source")
                    if stored.count != original.count { incomplete.append("\(folder)/\(file.name)") }
                    copiedFiles += 1
                }
            }
            #expect(copiedFiles > 0, "the copy had made nothing before the kill")
            #expect(incomplete.count <= 1, "more than one file cut short: \(incomplete)")
            try await MountedVolume.with(volume) { again in
                let listed = try again.blocking("listing through a new mount") { try Posix.directoryEntries(again.path + "/bulk-copy") }
                again.expect(!listed.isEmpty, "a new mount lists the copy")
            }
        }
    }

    @Test func aReadOnlyMountReadsButRefusesEveryChangeWithEROFS() async throws {
        try await ProcessVolume.with { volume in
            _ = try await volume.leader()
            let contents = Array("written before the read-only mount\n".utf8)
            try await volume.client.makeDirectory("/dir")
            try await volume.client.writeFile("/dir/existing", data: contents)
            try await MountedVolume.with(volume, options: ["--read-only"]) { mount in
                let directory = mount.path + "/dir"
                try mount.blocking("reads and refused changes") {
                    mount.expect(try Posix.readFile(directory + "/existing") == contents, "reading through the read-only mount")
                    Self.expectOpenFails(directory + "/new", O_WRONLY | O_CREAT, EROFS, mount)
                    Self.expectOpenFails(directory + "/existing", O_WRONLY, EROFS, mount)
                    Self.expectOpenFails(directory + "/existing", O_RDWR | O_TRUNC, EROFS, mount)
                    Self.expectFailure("mkdir", EROFS, mount) { mkdir(directory + "/sub", 0o755) }
                    Self.expectFailure("unlink", EROFS, mount) { unlink(directory + "/existing") }
                    Self.expectFailure("rename", EROFS, mount) { rename(directory + "/existing", directory + "/renamed") }
                    Self.expectFailure("symlink", EROFS, mount) { symlink("existing", directory + "/link") }
                    Self.expectFailure("truncate", EROFS, mount) { truncate(directory + "/existing", 0) }
                    Self.expectFailure("chmod", EROFS, mount) { chmod(directory + "/existing", 0o600) }
                }
            }
            // Nothing changed behind the refusals.
            #expect(try await volume.client.list("/dir").map(\.name.description) == ["existing"])
            #expect(try await volume.client.readFile("/dir/existing") == contents)
            #expect(try await volume.client.attributes(of: "/dir/existing").permissions == 0o644)
        }
    }

    /// The defaults cache nothing: what one client does, the other sees on its next call.
    @Test func anotherClientSeesTheMountsChangesAndTheMountSeesItsAtOnce() async throws {
        try await ProcessVolume.with { volume in
            try await MountedVolume.with(volume) { mount in
                let client = volume.client
                var generator = SplitMix64(seed: 0xC11E)

                // Mount → library.
                let fromMount = generator.bytes(70_000)
                try mount.blocking("writing through the mount") { try Posix.writeFile(mount.path + "/from-mount", fromMount) }
                #expect(try await client.readFile("/from-mount") == fromMount)

                // Library → mount: a new file, then a shorter rewrite of it.
                let fromLibrary = generator.bytes(50_000)
                try await client.writeFile("/from-library", data: fromLibrary)
                mount.expect(try mount.blocking("read") { try Posix.readFile(mount.path + "/from-library") } == fromLibrary, "a file the library wrote")
                let rewritten = generator.bytes(1234)
                try await client.writeFile("/from-library", data: rewritten)
                mount.expect(try mount.blocking("read") { try Posix.readFile(mount.path + "/from-library") } == rewritten, "a file the library rewrote shorter")

                // A name the mount just found missing appears (no negative entry cached).
                mount.blocking("lstat") { Self.expectFailure("lstat of a name not made yet", ENOENT, mount) { Self.lstatResult(mount.path + "/appeared") } }
                try await client.makeDirectory("/appeared")
                let appeared = try mount.blocking("lstat") { try Posix.lstat(mount.path + "/appeared") }
                mount.expect(appeared.st_mode & S_IFMT == S_IFDIR, "a directory the library made")

                // A rename and a removal by the library.
                try await client.move("/from-library", to: "/moved")
                mount.blocking("lstat") { Self.expectFailure("lstat of the renamed file's old name", ENOENT, mount) { Self.lstatResult(mount.path + "/from-library") } }
                mount.expect(try mount.blocking("read") { try Posix.readFile(mount.path + "/moved") } == rewritten, "the renamed file")
                try await client.remove("/moved")
                mount.blocking("lstat") { Self.expectFailure("lstat of a file the library removed", ENOENT, mount) { Self.lstatResult(mount.path + "/moved") } }

                // A removal through the mount.
                #expect(mount.blocking("unlink") { unlink(mount.path + "/from-mount") } == 0)
                await #expect(throws: JBRError.self) { try await client.attributes(of: "/from-mount") }
            }
        }
    }

    // MARK: Helpers

    /// rename, renameat2(RENAME_NOREPLACE), link, symlink, mkfifo, the usual errors, xattrs.
    private static func checkNamespaceCalls(on mount: MountedVolume) throws {
        let directory = mount.path + "/semantics"
        try Posix.makeDirectory(directory)
        func path(_ name: String) -> String { directory + "/" + name }
        func text(_ string: String) -> [UInt8] { Array(string.utf8) }

        // rename over an existing file replaces it.
        try Posix.writeFile(path("source"), text("new contents"))
        try Posix.writeFile(path("target"), text("old contents, longer than the new"))
        mount.expect(rename(path("source"), path("target")) == 0, "rename over a file: \(Posix.name(of: errno))")
        mount.expect(try Posix.readFile(path("target")) == text("new contents"), "the replaced file holds the source's contents")
        expectFailure("lstat of the renamed source", ENOENT, mount) { lstatResult(path("source")) }

        // A directory renames over an empty directory, not over a non-empty one.
        try Posix.makeDirectory(path("full"))
        try Posix.writeFile(path("full/inside"), text("inside"))
        try Posix.makeDirectory(path("empty"))
        mount.expect(rename(path("full"), path("empty")) == 0, "rename of a directory over an empty one: \(Posix.name(of: errno))")
        mount.expect(try Posix.readFile(path("empty/inside")) == text("inside"), "the moved directory's file")
        expectFailure("lstat of the moved directory's old name", ENOENT, mount) { lstatResult(path("full")) }
        try Posix.makeDirectory(path("a-dir"))
        try Posix.writeFile(path("a-dir/a"), text("a"))
        try Posix.makeDirectory(path("b-dir"))
        try Posix.writeFile(path("b-dir/b"), text("b"))
        expectFailure("rename of a directory over a non-empty one", ENOTEMPTY, mount) { rename(path("a-dir"), path("b-dir")) }
        mount.expect(try Posix.directoryEntries(path("a-dir")) == [text("a")], "the refused rename's source is untouched")
        mount.expect(try Posix.directoryEntries(path("b-dir")) == [text("b")], "the refused rename's target is untouched")

        // RENAME_NOREPLACE refuses an existing name and changes nothing; takes a free one.
        try Posix.writeFile(path("first"), text("1"))
        try Posix.writeFile(path("second"), text("2"))
        expectFailure("renameat2(RENAME_NOREPLACE) onto an existing name", EEXIST, mount) {
            LinuxCalls.renameat2(AT_FDCWD, path("first"), AT_FDCWD, path("second"), LinuxCalls.renameNoReplace)
        }
        mount.expect(try Posix.readFile(path("first")) == text("1"), "the refused rename's source")
        mount.expect(try Posix.readFile(path("second")) == text("2"), "the refused rename's target")
        mount.expect(
            LinuxCalls.renameat2(AT_FDCWD, path("first"), AT_FDCWD, path("third"), LinuxCalls.renameNoReplace) == 0,
            "renameat2(RENAME_NOREPLACE) onto a free name: \(Posix.name(of: errno))")
        mount.expect(try Posix.readFile(path("third")) == text("1"), "the file renamed without replacing")

        // A hard link: the same inode, two links; removing one name keeps the other's contents.
        try Posix.writeFile(path("original"), text("linked contents"))
        try Posix.hardLink(path("original"), at: path("other-name"))
        let original = try Posix.lstat(path("original"))
        let other = try Posix.lstat(path("other-name"))
        mount.expect(
            original.st_ino == other.st_ino && original.st_nlink == 2 && other.st_nlink == 2,
            "link(): inodes \(original.st_ino) and \(other.st_ino), link counts \(original.st_nlink) and \(other.st_nlink)")
        mount.expect(unlink(path("original")) == 0, "unlink of one name: \(Posix.name(of: errno))")
        mount.expect(try Posix.readFile(path("other-name")) == text("linked contents"), "the remaining name's contents")
        mount.expect(try Posix.lstat(path("other-name")).st_nlink == 1, "the link count after unlinking one name")

        // A symlink's target comes back byte for byte (it need not exist).
        let target = "some dir/with spaces/../target file ✓"
        try Posix.symbolicLink(target, at: path("symlink"))
        mount.expect(try Posix.readLink(path("symlink")) == text(target), "readlink")
        mount.expect(try Posix.lstat(path("symlink")).st_mode & S_IFMT == S_IFLNK, "a symlink's type")

        // A fifo.
        mount.expect(mkfifo(path("fifo"), 0o644) == 0, "mkfifo: \(Posix.name(of: errno))")
        mount.expect(try Posix.lstat(path("fifo")).st_mode & S_IFMT == S_IFIFO, "a fifo's type")

        // The usual refusals.
        expectFailure("unlink of a missing name", ENOENT, mount) { unlink(path("missing")) }
        expectFailure("rmdir of a non-empty directory", ENOTEMPTY, mount) { rmdir(path("b-dir")) }
        expectFailure("mkdir of an existing directory", EEXIST, mount) { mkdir(path("b-dir"), 0o755) }
        expectFailure("mkdir of an existing file's name", EEXIST, mount) { mkdir(path("third"), 0o755) }

        // Extended attributes: set, get, list, create and replace modes, remove.
        let file = path("other-name")
        mount.expect(setAttribute(file, "user.test", text("value 1"), flags: 0) == 0, "setxattr user.test: \(Posix.name(of: errno))")
        mount.expect(getAttribute(file, "user.test") == .success(text("value 1")), "getxattr user.test")
        mount.expect(listAttributes(file).contains("user.test"), "listxattr: \(listAttributes(file))")
        expectFailure("setxattr(XATTR_CREATE) of an existing attribute", EEXIST, mount) {
            setAttribute(file, "user.test", text("again"), flags: LinuxCalls.xattrCreate)
        }
        mount.expect(
            setAttribute(file, "user.test", text("value 2"), flags: LinuxCalls.xattrReplace) == 0, "setxattr(XATTR_REPLACE): \(Posix.name(of: errno))")
        mount.expect(getAttribute(file, "user.test") == .success(text("value 2")), "getxattr after XATTR_REPLACE")
        mount.expect(removeAttribute(file, "user.test") == 0, "removexattr: \(Posix.name(of: errno))")
        mount.expect(getAttribute(file, "user.test") == .failure(ErrnoCode(code: ENODATA)), "getxattr of a removed attribute: \(getAttribute(file, "user.test"))")
        mount.expect(!listAttributes(file).contains("user.test"), "listxattr after removexattr: \(listAttributes(file))")
        expectFailure("setxattr(XATTR_REPLACE) of a missing attribute", ENODATA, mount) {
            setAttribute(file, "user.test", text("nothing to replace"), flags: LinuxCalls.xattrReplace)
        }
    }

    /// Expects `call` to fail (-1) with errno `code`.
    private static func expectFailure<T: BinaryInteger>(
        _ what: String, _ code: Int32, _ mount: MountedVolume, sourceLocation: SourceLocation = #_sourceLocation, _ call: () -> T
    ) {
        let (result, error) = Posix.attempt(call)
        mount.expect(
            result == -1 && error == code, "\(what): expected \(Posix.name(of: code)), got \(result == -1 ? Posix.name(of: error) : "success (\(result))")",
            sourceLocation: sourceLocation)
    }

    /// Expects open(`path`, `flags`) to fail with `code` (and closes what it opened if not).
    private static func expectOpenFails(_ path: String, _ flags: Int32, _ code: Int32, _ mount: MountedVolume, sourceLocation: SourceLocation = #_sourceLocation) {
        let (descriptor, error) = Posix.attempt { open(path, flags, 0o644) }
        if descriptor >= 0 { close(descriptor) }
        mount.expect(
            descriptor == -1 && error == code,
            "open(\(path), \(String(flags, radix: 8))): expected \(Posix.name(of: code)), got \(descriptor == -1 ? Posix.name(of: error) : "success")",
            sourceLocation: sourceLocation)
    }

    private static func lstatResult(_ path: String) -> Int32 {
        var status = stat()
        return lstat(path, &status)
    }

    private static func setAttribute(_ path: String, _ name: String, _ value: [UInt8], flags: Int32) -> Int32 {
        path.withCString { path in name.withCString { name in value.withUnsafeBytes { LinuxCalls.lsetxattr(path, name, $0.baseAddress, $0.count, flags) } } }
    }

    private static func getAttribute(_ path: String, _ name: String) -> Result<[UInt8], ErrnoCode> {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let (count, error) = Posix.attempt {
            path.withCString { path in name.withCString { name in buffer.withUnsafeMutableBytes { LinuxCalls.lgetxattr(path, name, $0.baseAddress, $0.count) } } }
        }
        return count < 0 ? .failure(ErrnoCode(code: error)) : .success(Array(buffer[0..<count]))
    }

    private static func listAttributes(_ path: String) -> [String] {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = path.withCString { path in buffer.withUnsafeMutableBufferPointer { LinuxCalls.llistxattr(path, $0.baseAddress, $0.count) } }
        guard count > 0 else { return [] }
        return buffer[0..<count].split(separator: 0).map { String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    }

    private static func removeAttribute(_ path: String, _ name: String) -> Int32 {
        path.withCString { path in name.withCString { name in LinuxCalls.lremovexattr(path, name) } }
    }
}

/// An errno as a comparable error (`.failure(ErrnoCode(code: ENODATA))`).
struct ErrnoCode: Error, Equatable, CustomStringConvertible {
    let code: Int32
    var description: String { Posix.name(of: code) }
}

/// fsx-style: the same seeded random writes, truncations, reads, fsyncs and reopenings on a file
/// on the mount and on a local reference file. Every read and every size must agree, and so
/// must the whole file at the end.
struct RandomFileExercise {
    let mountedPath: String
    let referencePath: String
    let seed: UInt64
    let operations: Int
    let maximumSize = 256 << 10
    let maximumTransfer = 64 << 10

    /// nil when everything agreed; otherwise the first disagreement with the seed and the
    /// operations leading to it.
    func run() -> String? {
        var generator = SplitMix64(seed: seed)
        var recent: [String] = []
        var mounted = open(mountedPath, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        guard mounted >= 0 else { return "open \(mountedPath): \(Posix.name(of: errno))" }
        var reference = open(referencePath, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        guard reference >= 0 else {
            close(mounted)
            return "open \(referencePath): \(Posix.name(of: errno))"
        }
        defer {
            close(mounted)
            close(reference)
        }
        var size = 0

        func note(_ step: Int, _ text: String) {
            recent.append("  \(step): \(text)")
            if recent.count > 25 { recent.removeFirst() }
        }
        func failure(_ step: Int, _ what: String) -> String {
            "seed \(String(seed, radix: 16)), operation \(step) of \(operations): \(what)\nthe operations before it:\n" + recent.joined(separator: "\n")
        }
        func sizeProblem() -> String? {
            var status = stat()
            guard fstat(mounted, &status) == 0 else { return "fstat on the mount: \(Posix.name(of: errno))" }
            return Int(status.st_size) == size ? nil : "the mounted file's size is \(status.st_size), the reference's \(size)"
        }

        for step in 0..<operations {
            switch generator.next() % 100 {
            case 0..<40:
                let offset = Int(generator.next() % UInt64(maximumSize))
                let length = 1 + Int(generator.next() % UInt64(min(maximumTransfer, maximumSize - offset)))
                let data = generator.bytes(length)
                note(step, "pwrite \(length) bytes at \(offset) (size \(size))")
                if let problem = Self.writeAll(mounted, data, at: offset) { return failure(step, "pwrite on the mount: \(problem)") }
                if let problem = Self.writeAll(reference, data, at: offset) { return failure(step, "pwrite on the reference: \(problem)") }
                size = max(size, offset + length)
            case 40..<65:
                // Sometimes from past the end: both must read nothing there.
                let offset = Int(generator.next() % UInt64(size + 4096))
                let length = 1 + Int(generator.next() % UInt64(maximumTransfer))
                note(step, "pread \(length) bytes at \(offset) (size \(size))")
                if let problem = Self.compareReads(mounted, reference, length: length, at: offset) { return failure(step, problem) }
            case 65..<77:
                let newSize = generator.next() % 2 == 0 ? Int(generator.next() % UInt64(size + 1)) : Int(generator.next() % UInt64(maximumSize + 1))
                note(step, "ftruncate from \(size) to \(newSize)")
                if ftruncate(mounted, off_t(newSize)) != 0 { return failure(step, "ftruncate on the mount: \(Posix.name(of: errno))") }
                if ftruncate(reference, off_t(newSize)) != 0 { return failure(step, "ftruncate on the reference: \(Posix.name(of: errno))") }
                size = newSize
                if let problem = sizeProblem() { return failure(step, problem) }
            case 77..<83:
                note(step, "fsync")
                if fsync(mounted) != 0 { return failure(step, "fsync on the mount: \(Posix.name(of: errno))") }
            case 83..<88:
                note(step, "close and reopen")
                close(mounted)
                close(reference)
                mounted = open(mountedPath, O_RDWR)
                reference = open(referencePath, O_RDWR)
                if mounted < 0 || reference < 0 { return failure(step, "reopening: \(Posix.name(of: errno))") }
            default:
                note(step, "fstat")
                if let problem = sizeProblem() { return failure(step, problem) }
            }
        }
        note(operations, "the whole file")
        if let problem = sizeProblem() { return failure(operations, problem) }
        if let problem = Self.compareReads(mounted, reference, length: size + 1, at: 0) { return failure(operations, problem) }
        return nil
    }

    /// pwrite of all of `data` (short writes continued); nil when done, else the errno.
    private static func writeAll(_ descriptor: Int32, _ data: [UInt8], at offset: Int) -> String? {
        var done = 0
        while done < data.count {
            let written = data.withUnsafeBytes { pwrite(descriptor, $0.baseAddress! + done, data.count - done, off_t(offset + done)) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return written < 0 ? Posix.name(of: errno) : "wrote nothing" }
            done += written
        }
        return nil
    }

    /// pread of up to `length` bytes (short reads continued until the end of the file).
    private static func readUpTo(_ descriptor: Int32, length: Int, at offset: Int) -> Result<[UInt8], ErrnoCode> {
        var buffer = [UInt8](repeating: 0, count: length)
        var done = 0
        while done < length {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, length - done, off_t(offset + done)) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return .failure(ErrnoCode(code: errno)) }
            if count == 0 { break }
            done += count
        }
        return .success(Array(buffer[0..<done]))
    }

    /// nil when both files read the same at `offset`, else what differed.
    private static func compareReads(_ mounted: Int32, _ reference: Int32, length: Int, at offset: Int) -> String? {
        let actual: [UInt8]
        let expected: [UInt8]
        switch readUpTo(mounted, length: length, at: offset) {
        case .success(let bytes): actual = bytes
        case .failure(let error): return "pread on the mount: \(error)"
        }
        switch readUpTo(reference, length: length, at: offset) {
        case .success(let bytes): expected = bytes
        case .failure(let error): return "pread on the reference: \(error)"
        }
        if actual == expected { return nil }
        if actual.count != expected.count { return "pread of \(length) at \(offset): \(actual.count) bytes from the mount, \(expected.count) from the reference" }
        let first = actual.indices.first { actual[$0] != expected[$0] } ?? 0
        return "pread of \(length) at \(offset): byte \(offset + first) is \(actual[first]) on the mount, \(expected[first]) in the reference"
    }
}

/// Without /dev/fuse the mount fails at once, saying FUSE. Where this machine has FUSE, a
/// private mount namespace hides the device: /dev there is a fresh tmpfs holding only null,
/// zero, random and urandom. Not skipped either way.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct MountProcessTestsWithoutFUSE {
    @Test func withoutDevFuseTheMountFailsSayingFUSE() async throws {
        try await ProcessVolume.with { volume in
            _ = try await volume.leader()
            let mountPoint = volume.root + "/no-fuse-mount"
            try Posix.makeDirectory(mountPoint)
            let client = [
                ProcessVolume.binaries + "/jbr-client", "--volfile", volume.clientVolfile, "mount", mountPoint, "--foreground", "--log-file",
                volume.root + "/no-fuse.log",
            ]
            let result: CommandResult
            if FileManager.default.fileExists(atPath: "/dev/fuse") {
                let saved = volume.root + "/saved-dev"
                try Posix.makeDirectory(saved)
                let script = """
                    set -e
                    saved="$1"; mountpoint="$2"; shift 2
                    mount --rbind /dev "$saved"
                    mount -t tmpfs -o mode=0755 jbr-no-fuse /dev
                    for name in null zero random urandom; do touch "/dev/$name"; mount --bind "$saved/$name" "/dev/$name"; done
                    test ! -e /dev/fuse
                    echo "jbr-test: /dev/fuse hidden" >&2
                    "$@" && status=0 || status=$?
                    if awk -v point="$mountpoint" '$5 == point { found = 1 } END { exit !found }' /proc/self/mountinfo; then
                        echo "jbr-test: a mount was left at the mount point" >&2
                    fi
                    exit $status
                    """
                // --propagation private: nothing mounted in there reaches this namespace.
                result = await HostTools.run(
                    "unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c", script, "sh", saved, mountPoint] + client, scratch: volume.root,
                    timeout: .seconds(60))
                #expect(result.errors.contains("jbr-test: /dev/fuse hidden"), "the namespace without /dev/fuse was not set up: \(result)")
                #expect(!result.errors.contains("jbr-test: a mount was left at the mount point"), "\(result)")
            } else {
                result = await HostTools.run(client[0], Array(client.dropFirst()), scratch: volume.root, timeout: .seconds(60))
            }
            #expect(!result.timedOut && !result.signalled && result.status != 0, "\(result)")
            #expect((result.output + result.errors).contains("FUSE"), "\(result)")
            #expect(!MountedVolume.isMounted(mountPoint))
        }
    }
}
