import Foundation
import JBRCore
import Testing

@Suite struct VolfileVolgenTests {
    static func generate(_ arguments: String, seed: UInt64 = 1) throws -> VolgenOutput {
        var generator = SplitMix64(seed: seed)
        let request = try VolgenRequest(arguments: arguments.split(separator: " ").map(String.init))
        return Volgen.generate(request, using: &generator)
    }

    static let patchy = "patchy replica 3 host1:/d/backends/patchy1 host2:/d/backends/patchy2 host3:/d/backends/patchy3"

    @Test func namesFilesAsGlusterFSDoes() throws {
        let output = try Self.generate(Self.patchy)
        #expect(
            output.files.map(\.name) == [
                "patchy.host1.d-backends-patchy1.vol", "patchy.host2.d-backends-patchy2.vol",
                "patchy.host3.d-backends-patchy3.vol", "patchy.tcp-fuse.vol",
            ])
        #expect(output.files.map(\.role) == [.brick(0), .brick(1), .brick(2), .client])
    }

    /// What GlusterFS's `jbr-volgen.t` checked: jbrc in the client volfile, jbr and
    /// protocol/client in every brick volfile.
    @Test func volfilesHoldTheJBRTranslators() throws {
        let output = try Self.generate(Self.patchy)
        for file in output.files {
            let text = try VolfileWriter.text(of: file.graph)
            if file.role == .client {
                #expect(text.contains("type experimental/jbrc\n"))
            } else {
                #expect(text.contains("type experimental/jbr\n"))
                #expect(text.contains("type protocol/client\n"))
            }
        }
    }

    @Test func brickGraphsAreSymmetricAndLeaderFree() throws {
        let output = try Self.generate("vol replica 3 a:/b1 b:/b2 c:/b3 a:/b4 b:/b5 c:/b6")
        let brickGraphs = output.files.filter { $0.role != .client }.map(\.graph)
        let shapes = brickGraphs.map { graph in
            graph.volumes.map { volume in
                let keys = volume.options.keys.map { $0.hasPrefix("auth.addr.") ? "auth.addr.BRICK.allow" : $0 }
                return "\(volume.name) \(volume.type) \(keys) \(volume.subvolumes)"
            }
        }
        #expect(Set(shapes).count == 1)
        #expect(brickGraphs[0].volumes.map(\.name) == [
            "vol-posix", "vol-journal", "vol-client-0", "vol-client-1", "vol-jbr", "vol-server",
        ])
        for graph in brickGraphs {
            #expect(!graph.volumes.contains { $0.options.keys.contains { $0.contains("leader") } })
        }
    }

    @Test func peersAreTheOtherBricksOfTheSet() throws {
        let output = try Self.generate("vol replica 3 a:/b1 b:/b2 c:/b3 a:/b4 b:/b5 c:/b6")
        for (index, file) in output.files.dropLast().enumerated() {
            let brick = try BrickVolfileConfiguration(graph: file.graph)
            let set = index / 3
            let expected = (set * 3..<set * 3 + 3).filter { $0 != index }.map { output.bricks[$0] }
            #expect(brick.peers.map(\.path) == expected.map(\.path))
            #expect(brick.peers.map(\.replicaID) == expected.map(\.replicaID))
            #expect(!brick.peers.contains { $0.path == brick.brickPath })
            #expect(brick.replicaSet == set)
            #expect(brick.replicaID == ReplicaID(UInt32(index % 3)))
        }
    }

    @Test func assignsPortsPerHostSkippingExplicitOnes() throws {
        let output = try Self.generate("vol replica 2 h1:/a h1:49153:/b h1:/c h2:/d h2:7000:/e H1:/f")
        #expect(output.bricks.map(\.port) == [49152, 49153, 49154, 49152, 7000, 49155])
    }

    /// Volgen's output, written and read back, gives the same facts through the views.
    @Test(arguments: [
        "patchy replica 3 127.0.0.1:24101:/tmp/jbr/patchy1 127.0.0.1:24102:/tmp/jbr/patchy2 "
            + "127.0.0.1:24103:/tmp/jbr/patchy3",
        "solo replica 1 host:/srv/brick",
        "wide replica 2 h1:/x/1 h2:/x/2 h1:/x/3 h2:/x/4 h1:/x/5 h2:/x/6",
        "v6 replica 2 [::1]:/srv/a [::1]:/srv/b",
    ])
    func volfilesReadBackThroughTheViews(arguments: String) throws {
        let output = try Self.generate(arguments, seed: 42)
        let reread = try output.files.map { try VolfileParser.parse(VolfileWriter.text(of: $0.graph)) }
        #expect(reread == output.files.map(\.graph))

        for (index, brick) in output.bricks.enumerated() {
            let view = try BrickVolfileConfiguration(graph: reread[index])
            #expect(view.volumeName == output.volumeName)
            #expect(view.volumeID == output.volumeID)
            #expect(view.brickPath == brick.path)
            #expect(view.replicaID == brick.replicaID)
            #expect(view.replicaSet == brick.replicaSet)
            #expect(view.replicaCount == output.replicaCount)
            #expect(view.listenHost == brick.host)
            #expect(view.listenPort == brick.port)
            #expect(view.authSecret == output.secret)
            #expect(view.authAllow == ["*"])
            #expect(view.journal == VolgenSettings().journal(brickPath: brick.path))
            #expect(view.timing == ReplicaTimingVolfileOptions())
            let setMembers = output.bricks.filter { $0.replicaSet == brick.replicaSet && $0 != brick }
            #expect(
                view.peers == setMembers.map {
                    BrickVolfileConfiguration.Peer(replicaID: $0.replicaID, host: $0.host, port: $0.port, path: $0.path)
                })
        }

        let client = try ClientVolfileConfiguration(graph: try #require(reread.last))
        #expect(client.volumeName == output.volumeName)
        #expect(client.volumeID == output.volumeID)
        #expect(client.authSecret == output.secret)
        #expect(client.replicaCount == output.replicaCount)
        #expect(client.replicaSets.map(\.index) == Array(0..<(output.bricks.count / output.replicaCount)))
        let flattened = client.replicaSets.flatMap { set in set.bricks.map { (set.index, $0) } }
        #expect(flattened.map { $0.0 } == output.bricks.map(\.replicaSet))
        #expect(flattened.map { $0.1.host } == output.bricks.map(\.host))
        #expect(flattened.map { $0.1.port } == output.bricks.map(\.port))
        #expect(flattened.map { $0.1.path } == output.bricks.map(\.path))
        #expect(flattened.map { $0.1.replicaID } == output.bricks.map(\.replicaID))
        #expect(flattened.allSatisfy { $0.1.pingTimeoutSeconds == 42 })
    }

    @Test func theSecretIs32RandomBytesInLowercaseHex() throws {
        let output = try Self.generate(Self.patchy)
        #expect(output.secret.count == 32)
        let server = try #require(output.files[0].graph.volume(named: "patchy-server"))
        let text = try #require(server.options["auth.secret"])
        #expect(text.count == 64)
        #expect(text.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(VolfileValue.bytes(hex: text) == output.secret)
    }

    @Test func aSeedReproducesTheOutput() throws {
        #expect(try Self.generate(Self.patchy, seed: 7) == Self.generate(Self.patchy, seed: 7))
        let other = try Self.generate(Self.patchy, seed: 8)
        #expect(try other.volumeID != Self.generate(Self.patchy, seed: 7).volumeID)
        #expect(try other.secret != Self.generate(Self.patchy, seed: 7).secret)
    }

    @Test func bricksNormaliseTheirPaths() throws {
        let brick = try BrickAddress(parsing: "host:8000://d//b1/")
        #expect(brick == (try BrickAddress(host: "host", port: 8000, path: "/d/b1")))
        #expect(brick.description == "host:8000:/d/b1")
        #expect(try BrickAddress(parsing: "[::1]:/d").description == "[::1]:/d")
        #expect(try BrickAddress(parsing: "[fe80::1]:9000:/d").port == 9000)
    }

    @Test(arguments: [
        ("patchy replica 3 h:/a h:/b", "multiple of the replica count"),
        ("patchy replica 0 h:/a", "outside 1...16"),
        ("patchy replica 17 h:/a", "outside 1...16"),
        ("patchy replica x h:/a", "is not a number"),
        ("patchy replica 2", "too few arguments"),
        ("patchy stripe 2 h:/a h:/b", "expected 'replica'"),
        ("bad.name replica 1 h:/a", "may only hold letters, digits"),
        ("-dash replica 1 h:/a", "must not start with '-'"),
        ("\(String(repeating: "v", count: 65)) replica 1 h:/a", "1 to 64 characters"),
        ("patchy replica 2 h:/a h:/a", "is given twice"),
        ("patchy replica 2 h:/a H:/a", "is given twice"),
        ("patchy replica 2 h:/a h:/a/b", "nested"),
        ("patchy replica 2 h:/a-b h:/a/b", "would share the volfile name"),
        ("patchy replica 2 h:7000:/a h:7000:/b", "both use port 7000"),
        ("patchy replica 1 justahost", "is not HOST[:PORT]:/PATH"),
        ("patchy replica 1 h:relative/path", "must be absolute"),
        ("patchy replica 1 h:7000:relative", "must be absolute"),
        ("patchy replica 1 :/a", "the host is empty"),
        ("patchy replica 1 :7000:/a", "the host is empty"),
        ("patchy replica 1 h:0:/a", "not a number in 1...65535"),
        ("patchy replica 1 h:65536:/a", "not a number in 1...65535"),
        ("patchy replica 1 h:-1:/a", "not a number in 1...65535"),
        ("patchy replica 1 h:/a/../b", "'..' components"),
        ("patchy replica 1 h:/a/./b", "'.' components"),
        ("patchy replica 1 h:/", "root directory"),
        ("patchy replica 1 h:1:2:/a", "too many ':'"),
        ("patchy replica 1 h$x:/a", "may only hold letters"),
        ("patchy replica 1 [::1:/a", "without a closing"),
    ])
    func badArgumentsAreRefused(arguments: String, message: String) {
        let words = arguments.split(separator: " ").map(String.init)
        let error = #expect(throws: VolgenError.self) { try VolgenRequest(arguments: words) }
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }

    @Test func tooManyBricksAreRefused() throws {
        let bricks = try (0...VolgenRequest.maxBricks).map { try BrickAddress(host: "h", port: nil, path: "/b\($0)") }
        #expect(throws: VolgenError.self) { try VolgenRequest(volumeName: "v", replicaCount: 1, bricks: bricks) }
    }

    /// The committed examples (volfiles/examples) still parse, are canonical, and read back.
    @Test func committedExamplesReadBack() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../volfiles/examples").standardized
        let names = [1, 2, 3].map { "patchy.127.0.0.1.tmp-jbr-patchy\($0).vol" } + ["patchy.tcp-fuse.vol"]
        var graphs: [VolfileGraph] = []
        for name in names {
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            let graph = try VolfileParser.parse(text)
            #expect(try VolfileWriter.text(of: graph) == text, "\(name) is not canonical")
            graphs.append(graph)
        }
        let bricks = try graphs.dropLast().map { try BrickVolfileConfiguration(graph: $0) }
        let client = try ClientVolfileConfiguration(graph: try #require(graphs.last))
        #expect(bricks.map(\.listenPort) == [24101, 24102, 24103])
        #expect(bricks.map(\.replicaID) == [ReplicaID(0), ReplicaID(1), ReplicaID(2)])
        #expect(Set(bricks.map(\.volumeID)) == [client.volumeID])
        #expect(Set(bricks.map(\.authSecret)) == [client.authSecret])
        #expect(client.replicaSets.map { $0.bricks.map(\.path) } == [bricks.map(\.brickPath)])
    }

    /// Whatever `VolgenRequest` accepts generates volfiles that write, parse and read back;
    /// whatever it refuses is a `VolgenError`. Never a trap.
    @Test func randomRequestsAreRefusedOrReadBack() throws {
        // Mostly valid parts, so that both outcomes are common.
        let hosts = (good: ["h1", "H1", "h2", "10.0.0.1", "[::1]", "h_1"], bad: ["", "a b", "-x", "h$", "[fe80::1"])
        let ports = (good: ["", "", ":1", ":49152", ":65535"], bad: [":0", ":65536", ":x", ":"])
        let paths = (
            good: ["/a", "/a b", "/é", "/a\"q", "/a`b", "/#x", "/a,b", "/a-b", "//c/", "/d/e/f"],
            bad: ["/a/../b", "/", "rel", "/./a"]
        )
        var generator = SplitMix64(seed: 11)
        func pick(_ choices: (good: [String], bad: [String])) -> String {
            let list = Int.random(in: 0..<10, using: &generator) == 0 ? choices.bad : choices.good
            return list[Int.random(in: 0..<list.count, using: &generator)]
        }
        func brick() -> String {
            pick(hosts) + pick(ports) + ":" + pick(paths) + "\(Int.random(in: 0..<20, using: &generator))"
        }
        var accepted = 0
        for iteration in 0..<2_000 {
            let replicas = Int.random(in: 1...3, using: &generator)
            let bricks = (0..<(replicas * Int.random(in: 0...2, using: &generator))).map { _ in brick() }
            let count = pick((good: ["\(replicas)"], bad: ["0", "x", "-1", "\(replicas + 1)"]))
            let name = pick((good: ["v", "vol_1", "V-2"], bad: ["bad.name", "-v", ""]))
            let request: VolgenRequest
            do {
                request = try VolgenRequest(arguments: [name, "replica", count] + bricks)
            } catch is VolgenError {
                continue
            }
            accepted += 1
            let output = Volgen.generate(request, using: &generator)
            let graphs = try output.files.map { try VolfileParser.parse(VolfileWriter.text(of: $0.graph)) }
            #expect(graphs == output.files.map(\.graph), "iteration \(iteration)")
            for (index, brick) in output.bricks.enumerated() {
                let view = try BrickVolfileConfiguration(graph: graphs[index])
                #expect(view.brickPath == brick.path && view.listenPort == brick.port, "iteration \(iteration)")
            }
            let client = try ClientVolfileConfiguration(graph: try #require(graphs.last))
            #expect(client.replicaSets.flatMap(\.bricks).map(\.path) == output.bricks.map(\.path))
        }
        #expect(accepted > 300)
    }
}
