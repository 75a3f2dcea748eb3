import JBRCore
import Testing

@Suite struct VolfileConfigurationTests {
    // MARK: Value spellings

    @Test(arguments: [
        ("on", true), ("ON", true), ("yes", true), ("True", true), ("enable", true), ("1", true),
        ("off", false), ("No", false), ("false", false), ("DISABLE", false), ("0", false),
    ])
    func booleansUseGlusterFSSpellings(text: String, value: Bool) {
        #expect(VolfileValue.bool(text) == value)
    }

    @Test(arguments: ["", "2", "y", "n", "enabled", "onn", " on", "tru"])
    func otherBooleanSpellingsAreRefused(_ text: String) {
        #expect(VolfileValue.bool(text) == nil)
    }

    @Test(arguments: [
        ("0", 0), ("4096", 4096), ("1KB", 1024), ("64kb", 64 << 10), ("64MB", 64 << 20), ("64Mb", 64 << 20),
        ("1GB", 1 << 30), ("2tb", 2 << 40), ("8388607TB", 8_388_607 << 40),
    ])
    func sizesUseBinaryUnits(text: String, bytes: Int) {
        #expect(VolfileValue.size(text) == bytes)
    }

    @Test(arguments: [
        "", "MB", "-1", "1.5GB", "1 MB", "1PB", "1K", "1B", "0x10", "64MBs", "8388608TB", "99999999999999999999",
        "9223372036854775808",
    ])
    func otherSizesAreRefused(_ text: String) {
        #expect(VolfileValue.size(text) == nil)
    }

    @Test func sizesPrintInTheLargestExactUnit() {
        #expect(VolfileValue.sizeText(0) == "0")
        #expect(VolfileValue.sizeText(1000) == "1000")
        #expect(VolfileValue.sizeText(1536) == "1536")
        #expect(VolfileValue.sizeText(64 << 20) == "64MB")
        #expect(VolfileValue.sizeText(3 << 40) == "3TB")
        for bytes in [0, 1, 1023, 1024, 1 << 20, (1 << 30) + 1, 5 << 40] {
            #expect(VolfileValue.size(VolfileValue.sizeText(bytes)) == bytes)
        }
    }

    @Test func hexRoundTrips() {
        let bytes: [UInt8] = [0x00, 0x0F, 0xA5, 0xFF]
        #expect(VolfileValue.hex(bytes) == "000fa5ff")
        #expect(VolfileValue.bytes(hex: "000FA5ff") == bytes)
        #expect(VolfileValue.bytes(hex: "abc") == nil)
        #expect(VolfileValue.bytes(hex: "zz") == nil)
        #expect(VolfileValue.bytes(hex: "") == [])
    }

    // MARK: Brick view

    enum Change: Sendable {
        case set(String, String, String)
        case remove(String, String)
        case type(String, String)
        case subvolumes(String, [String])
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var change: Change
        var volume: String
        var option: String?
        var message: String
        var testDescription: String { "\(change)" }
    }

    static let volgenArguments = "patchy replica 3 h1:/d/b1 h2:/d/b2 h3:/d/b3 h1:/d/b4 h2:/d/b5 h3:/d/b6"

    static func volgenOutput() throws -> VolgenOutput {
        var generator = SplitMix64(seed: 3)
        let request = try VolgenRequest(arguments: volgenArguments.split(separator: " ").map(String.init))
        return Volgen.generate(request, using: &generator)
    }

    static func changed(_ graph: VolfileGraph, _ change: Change) throws -> VolfileGraph {
        try VolfileGraph(
            volumes: graph.volumes.map { volume in
                var volume = volume
                switch change {
                case let .set(name, key, value) where name == volume.name: volume.options.set(key, to: value)
                case let .remove(name, key) where name == volume.name:
                    volume.options = VolfileOptions(
                        uniqueKeysWithValues: volume.options.filter { $0.key != key }.map { ($0.key, $0.value) })
                case let .type(name, type) where name == volume.name: volume.type = type
                case let .subvolumes(name, subvolumes) where name == volume.name: volume.subvolumes = subvolumes
                default: break
                }
                return volume
            })
    }

    static let badBricks: [BadCase] = [
        BadCase(
            change: .remove("patchy-posix", "directory"), volume: "patchy-posix", option: "directory",
            message: "missing"),
        BadCase(
            change: .set("patchy-posix", "directory", "d/b1"), volume: "patchy-posix", option: "directory",
            message: "not an absolute path"),
        BadCase(
            change: .set("patchy-posix", "volume-id", "nope"), volume: "patchy-posix", option: "volume-id",
            message: "is not a UUID"),
        BadCase(
            change: .set("patchy-posix", "reserve", "60"), volume: "patchy-posix", option: "reserve",
            message: "in 0...50"),
        BadCase(
            change: .set("patchy-jbr", "volume-id", "00000000-0000-4000-8000-000000000000"), volume: "patchy-jbr",
            option: "volume-id", message: "differs from"),
        BadCase(
            change: .remove("patchy-jbr", "vol-name"), volume: "patchy-jbr", option: "vol-name", message: "missing"),
        BadCase(
            change: .set("patchy-jbr", "replica-count", "4"), volume: "patchy-jbr", option: nil,
            message: "needs 3 peer clients"),
        BadCase(
            change: .set("patchy-jbr", "replica-count", "x"), volume: "patchy-jbr", option: "replica-count",
            message: "not a whole number"),
        BadCase(
            change: .set("patchy-jbr", "replica-id", "3"), volume: "patchy-jbr", option: "replica-id",
            message: "in 0...2"),
        BadCase(
            change: .set("patchy-jbr", "heartbeat-ticks", "10"), volume: "patchy-jbr", option: "election-ticks",
            message: "must be more than heartbeat-ticks"),
        BadCase(
            change: .set("patchy-jbr", "tick-interval-ms", "0"), volume: "patchy-jbr", option: "tick-interval-ms",
            message: "in 1...60000"),
        BadCase(
            change: .set("patchy-journal", "segment-size", "lots"), volume: "patchy-journal", option: "segment-size",
            message: "is not a size"),
        BadCase(
            change: .set("patchy-journal", "segment-size", "512KB"), volume: "patchy-journal",
            option: "segment-size", message: "outside 1MB...1TB"),
        BadCase(
            change: .set("patchy-journal", "retention-bytes", "32MB"), volume: "patchy-journal",
            option: "retention-bytes", message: "at least one segment"),
        BadCase(
            change: .set("patchy-journal", "compression", "zstd"), volume: "patchy-journal", option: "compression",
            message: "not one of lz4, none"),
        BadCase(
            change: .set("patchy-client-0", "remote-port", "70000"), volume: "patchy-client-0",
            option: "remote-port", message: "in 1...65535"),
        BadCase(
            change: .set("patchy-client-0", "replica-id", "0"), volume: "patchy-client-0", option: "replica-id",
            message: "already taken"),
        BadCase(
            change: .set("patchy-client-1", "replica-id", "1"), volume: "patchy-client-1", option: "replica-id",
            message: "already taken"),
        BadCase(
            change: .set("patchy-client-0", "transport-type", "rdma"), volume: "patchy-client-0",
            option: "transport-type", message: "not supported"),
        BadCase(
            change: .remove("patchy-client-0", "remote-host"), volume: "patchy-client-0", option: "remote-host",
            message: "missing"),
        BadCase(
            change: .set("patchy-server", "auth.secret", "abcd"), volume: "patchy-server", option: "auth.secret",
            message: "is 2 bytes"),
        BadCase(
            change: .set("patchy-server", "auth.secret", String(repeating: "zz", count: 32)), volume: "patchy-server",
            option: "auth.secret", message: "not hex digits"),
        BadCase(
            change: .remove("patchy-server", "transport.socket.listen-port"), volume: "patchy-server",
            option: "transport.socket.listen-port", message: "missing"),
        BadCase(
            change: .set("patchy-server", "transport.socket.bind-address", ""), volume: "patchy-server",
            option: "transport.socket.bind-address", message: "must not be empty"),
        BadCase(
            change: .set("patchy-server", "auth.addr./d/b1.allow", "10.0.0.1,,10.0.0.2"), volume: "patchy-server",
            option: "auth.addr./d/b1.allow", message: "empty pattern"),
        BadCase(
            change: .type("patchy-server", "cluster/distribute"), volume: "patchy-server", option: nil,
            message: "expected type protocol/server"),
        BadCase(
            change: .type("patchy-journal", "storage/posix"), volume: "patchy-journal", option: nil,
            message: "expected type experimental/fdl"),
        BadCase(
            change: .type("patchy-client-0", "x/y"), volume: "patchy-client-0", option: nil,
            message: "expected type protocol/client"),
        BadCase(
            change: .subvolumes("patchy-jbr", ["patchy-client-0", "patchy-client-1"]), volume: "patchy-client-0",
            option: nil, message: "expected type experimental/fdl"),
    ]

    @Test(arguments: badBricks)
    func brickViewNamesWhatIsWrong(_ testCase: BadCase) throws {
        let graph = try Self.changed(try Self.volgenOutput().files[0].graph, testCase.change)
        let error = #expect(throws: VolfileConfigurationError.self) { try BrickVolfileConfiguration(graph: graph) }
        #expect(error?.volume == testCase.volume, "\(String(describing: error))")
        #expect(error?.option == testCase.option, "\(String(describing: error))")
        #expect(error?.message.contains(testCase.message) == true, "\(String(describing: error))")
    }

    @Test func missingTuningOptionsTakeTheirDefaults() throws {
        var graph = try Self.volgenOutput().files[0].graph
        for key in ["log-path", "segment-size", "compression", "retention-bytes"] {
            graph = try Self.changed(graph, .remove("patchy-journal", key))
        }
        for key in ["tick-interval-ms", "heartbeat-ticks", "election-ticks"] {
            graph = try Self.changed(graph, .remove("patchy-jbr", key))
        }
        let brick = try BrickVolfileConfiguration(graph: graph)
        #expect(brick.journal == JournalVolfileOptions(brickPath: "/d/b1"))
        #expect(brick.journal.logPath == "/d/b1/.jbr/journal")
        #expect(brick.timing == ReplicaTimingVolfileOptions())
    }

    @Test func journalOptionsAreRead() throws {
        var graph = try Self.volgenOutput().files[0].graph
        graph = try Self.changed(graph, .set("patchy-journal", "segment-size", "16mb"))
        graph = try Self.changed(graph, .set("patchy-journal", "compression", "NONE"))
        graph = try Self.changed(graph, .set("patchy-journal", "log-path", "/journals/b1"))
        let journal = try BrickVolfileConfiguration(graph: graph).journal
        #expect(journal.segmentBytes == 16 << 20)
        #expect(journal.compression == .none)
        #expect(journal.logPath == "/journals/b1")
    }

    @Test func allowPatternsPreferTheBrickKeyAndSplitOnCommas() throws {
        var graph = try Self.volgenOutput().files[0].graph
        graph = try Self.changed(graph, .set("patchy-server", "auth.addr./d/b1.allow", "10.0.0.*, 192.168.1.7"))
        #expect(try BrickVolfileConfiguration(graph: graph).authAllow == ["10.0.0.*", "192.168.1.7"])
        graph = try Self.changed(graph, .remove("patchy-server", "auth.addr./d/b1.allow"))
        graph = try Self.changed(graph, .set("patchy-server", "auth.allow", "127.0.0.1"))
        #expect(try BrickVolfileConfiguration(graph: graph).authAllow == ["127.0.0.1"])
        graph = try Self.changed(graph, .remove("patchy-server", "auth.allow"))
        let error = #expect(throws: VolfileConfigurationError.self) { try BrickVolfileConfiguration(graph: graph) }
        #expect(error?.option == "auth.allow")
    }

    // MARK: Client view

    static let badClients: [BadCase] = [
        BadCase(change: .remove("patchy", "volume-id"), volume: "patchy", option: "volume-id", message: "missing"),
        BadCase(
            change: .set("patchy", "auth.secret", "00ff"), volume: "patchy", option: "auth.secret",
            message: "is 2 bytes"),
        BadCase(
            change: .type("patchy", "debug/io-stats"), volume: "patchy", option: nil,
            message: "expected type cluster/distribute"),
        BadCase(
            change: .type("patchy-replicate-1", "cluster/replicate"), volume: "patchy-replicate-1", option: nil,
            message: "expected type experimental/jbrc"),
        BadCase(
            change: .set("patchy-client-4", "replica-id", "0"), volume: "patchy-client-4", option: "replica-id",
            message: "used twice"),
        BadCase(
            change: .set("patchy-client-2", "replica-id", "3"), volume: "patchy-client-2", option: "replica-id",
            message: "in 0...2"),
        BadCase(
            change: .set("patchy-client-0", "ping-timeout", "0"), volume: "patchy-client-0", option: "ping-timeout",
            message: "in 1...3600"),
        BadCase(
            change: .subvolumes("patchy-replicate-1", ["patchy-client-3", "patchy-client-4"]),
            volume: "patchy-replicate-1", option: nil, message: "all replica sets have the same size"),
        BadCase(
            change: .set("patchy-client-3", "remote-host", "h1"), volume: "patchy-replicate-1", option: nil,
            message: "appears twice"),
    ]

    @Test(arguments: badClients)
    func clientViewNamesWhatIsWrong(_ testCase: BadCase) throws {
        var graph = try #require(try Self.volgenOutput().files.last?.graph)
        graph = try Self.changed(graph, testCase.change)
        if case .set("patchy-client-3", "remote-host", _) = testCase.change {
            graph = try Self.changed(graph, .set("patchy-client-3", "remote-subvolume", "/d/b1"))
        }
        let error = #expect(throws: VolfileConfigurationError.self) { try ClientVolfileConfiguration(graph: graph) }
        #expect(error?.volume == testCase.volume, "\(String(describing: error))")
        #expect(error?.option == testCase.option, "\(String(describing: error))")
        #expect(error?.message.contains(testCase.message) == true, "\(String(describing: error))")
    }

    @Test func errorsDescribeTheirPlace() {
        let error = VolfileConfigurationError(volume: "v", option: "k", "missing")
        #expect(error.description == "volume 'v', option 'k': missing")
        #expect(VolfileConfigurationError("plain").description == "plain")
    }
}
