import JBRCore
import Testing

/// Volfiles GlusterFS accepts, written to mirror the constructs of its real volfiles
/// (research/jbr.md §8): each must parse to exactly the expected volumes and options.
@Suite struct VolfileParserAcceptTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        /// One line per volume in definition order: `NAME TYPE OPTION-COUNT [-> SUBVOLUME...]`.
        var volumes: [String]
        /// Selected options: `[volume, key, value]`.
        var options: [[String]] = []

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "daemon volfile with a placeholder and commented-out options",
            text: """
                volume management
                    type mgmt/glusterd
                    option working-directory @GLUSTERD_WORKDIR@
                    option transport-type socket
                    option transport.socket.keepalive-time 10
                    option transport.socket.read-fail-log off
                    option transport.socket.listen-port 24007
                    option ping-timeout 0
                    option event-threads 1
                #   option lock-timer 180
                #   option transport.address-family inet6
                #   option base-port 49152
                    option max-port  60999
                end-volume
                """,
            volumes: ["management mgmt/glusterd 8"],
            options: [
                ["management", "working-directory", "@GLUSTERD_WORKDIR@"], ["management", "max-port", "60999"],
            ]),
        Case(
            name: "eight-volume chain with a volume named by a path",
            text: """
                volume ta-posix
                    type storage/posix
                    option directory /mnt/thin-arbiter
                end-volume

                volume ta-thin-arbiter
                    type features/thin-arbiter
                    subvolumes ta-posix
                end-volume

                volume ta-locks
                    type features/locks
                    option notify-contention yes
                    subvolumes ta-thin-arbiter
                end-volume

                volume ta-upcall
                    type features/upcall
                    option cache-invalidation off
                    subvolumes ta-locks
                end-volume

                volume ta-io-threads
                    type performance/io-threads
                    subvolumes ta-upcall
                end-volume

                volume ta-index
                    type features/index
                    option index-base /mnt/thin-arbiter/.glusterfs/indices
                    option xattrop-dirty-watchlist trusted.afr.dirty
                    subvolumes ta-io-threads
                end-volume

                volume /mnt/thin-arbiter
                    type debug/io-stats
                    option count-fop-hits off
                    option unique-id /mnt/thin-arbiter
                    subvolumes ta-index
                end-volume

                volume ta-server
                    type protocol/server
                    option transport.socket.keepalive 1
                    option auth.addr./mnt/thin-arbiter.allow *
                    option auth-path /mnt/thin-arbiter
                    option transport-type tcp
                    subvolumes /mnt/thin-arbiter
                end-volume
                """,
            volumes: [
                "ta-posix storage/posix 1", "ta-thin-arbiter features/thin-arbiter 0 -> ta-posix",
                "ta-locks features/locks 1 -> ta-thin-arbiter", "ta-upcall features/upcall 1 -> ta-locks",
                "ta-io-threads performance/io-threads 0 -> ta-upcall",
                "ta-index features/index 2 -> ta-io-threads", "/mnt/thin-arbiter debug/io-stats 2 -> ta-index",
                "ta-server protocol/server 4 -> /mnt/thin-arbiter",
            ],
            options: [
                ["ta-server", "auth.addr./mnt/thin-arbiter.allow", "*"],
                ["/mnt/thin-arbiter", "unique-id", "/mnt/thin-arbiter"],
            ]),
        Case(
            name: "comment blocks and a commented-out volume",
            text: """
                #
                # A "black hole" translator: it accepts every operation and stores nothing.
                #
                # volume posix
                #     type storage/posix
                #     option directory /srv/sink
                # end-volume
                #

                volume sink
                    type debug/sink
                    # an option is required, otherwise the graph does not parse
                    option an-option-is-required yes
                end-volume
                # trailing comment without a newline
                """,
            volumes: ["sink debug/sink 1"],
            options: [["sink", "an-option-is-required", "yes"]]),
        Case(
            name: "two leaves under one node, two-space indentation",
            text: """
                volume posix-0
                  type storage/posix
                  option directory /srv/data
                end-volume

                volume posix-1
                  type storage/posix
                  option directory /srv/meta
                end-volume

                volume metadisp
                  type features/metadisp
                  subvolumes posix-0 posix-1
                end-volume
                """,
            volumes: [
                "posix-0 storage/posix 1", "posix-1 storage/posix 1", "metadisp features/metadisp 0 -> posix-0 posix-1",
            ]),
        Case(
            name: "double-at placeholders",
            text: """
                volume gfapi-client
                  type protocol/client
                  option remote-host @@HOSTNAME@@
                  option remote-subvolume @@BRICKPATH@@
                  option transport-type tcp
                end-volume
                """,
            volumes: ["gfapi-client protocol/client 3"],
            options: [["gfapi-client", "remote-host", "@@HOSTNAME@@"]]),
        Case(
            name: "options after subvolumes and comments after values",
            text: """
                volume brick1
                  type storage/posix                   # POSIX FS translator
                  option directory /tmp/export1        # Export this directory
                end-volume

                volume server
                  type protocol/server
                  option transport-type tcp                      # For TCP/IP transport
                  option transport.socket.listen-port 24016
                  subvolumes brick1
                  option auth.addr.brick1.allow * \t\t# access to "brick" volume
                end-volume
                """,
            volumes: ["brick1 storage/posix 1", "server protocol/server 3 -> brick1"],
            options: [
                ["brick1", "directory", "/tmp/export1"], ["server", "transport-type", "tcp"],
                ["server", "auth.addr.brick1.allow", "*"],
            ]),
        Case(
            name: "quoted strings over two lines, on one line, and with escapes",
            text: """
                volume posix
                    type storage/posix
                    option directory /tmp/dir
                    option multiple-line-string "I am
                 testing a feature of volfile graph.l"
                    option single-line-string "I am testing a feature of volfile graph.l"
                    option escaped "a \\"quoted\\" word, a \\\\ backslash and \\x"
                    option literal-backtick "`date +%Y%m%d`"
                    option empty ""
                    option unicode "données 日本"
                end-volume
                """,
            volumes: ["posix storage/posix 7"],
            options: [
                ["posix", "multiple-line-string", "I am testing a feature of volfile graph.l"],
                ["posix", "single-line-string", "I am testing a feature of volfile graph.l"],
                ["posix", "escaped", #"a "quoted" word, a \ backslash and x"#],
                ["posix", "literal-backtick", "`date +%Y%m%d`"], ["posix", "empty", ""],
                ["posix", "unicode", "données 日本"],
            ]),
        Case(
            name: "subvolumes spelled with a capital S",
            text: """
                volume a
                    type storage/posix
                    option directory /a
                end-volume
                volume b
                    type features/locks
                    subvolumeS a
                end-volume
                """,
            volumes: ["a storage/posix 1", "b features/locks 0 -> a"]),
        Case(
            name: "a node with two parents",
            text: """
                volume leaf
                    type storage/posix
                    option directory /leaf
                end-volume
                volume left
                    type features/locks
                    subvolumes leaf
                end-volume
                volume right
                    type features/upcall
                    subvolumes leaf
                end-volume
                volume top
                    type cluster/distribute
                    subvolumes left right
                end-volume
                """,
            volumes: [
                "leaf storage/posix 1", "left features/locks 0 -> leaf", "right features/upcall 0 -> leaf",
                "top cluster/distribute 0 -> left right",
            ]),
        Case(
            name: "tabs and CRLF line endings",
            text: "volume\ta\r\n\ttype\tstorage/posix\r\n\toption\tdirectory\t/a\r\n"
                + "\toption\tmessage \"line one\r\nline two\"\r\nend-volume\r\n",
            volumes: ["a storage/posix 2"],
            options: [["a", "directory", "/a"], ["a", "message", "line oneline two"]]),
        Case(
            name: "words that contain keywords, quoted keywords and a word glued to a quote",
            text: """
                volume volume-id
                    type end-volume2
                    option volume-id 0d5a
                    option typed a#b
                    option quoted-keyword "type"
                    option mode Volume
                    option glued"to a quote"
                    option "subvolumes" "end-volume"
                end-volume
                """,
            volumes: ["volume-id end-volume2 6"],
            options: [
                ["volume-id", "typed", "a#b"], ["volume-id", "quoted-keyword", "type"],
                ["volume-id", "mode", "Volume"], ["volume-id", "glued", "to a quote"],
                ["volume-id", "subvolumes", "end-volume"],
            ]),
        Case(
            name: "a statement spread over lines",
            text: """
                volume a
                    type
                        storage/posix
                    option directory
                        /a
                end-volume
                """,
            volumes: ["a storage/posix 1"],
            options: [["a", "directory", "/a"]]),
    ]

    @Test(arguments: cases)
    func parsesToTheExpectedGraph(_ testCase: Case) throws {
        let graph = try VolfileParser.parse(testCase.text)
        #expect(graph.volumes.map(Self.summary) == testCase.volumes)
        for fact in testCase.options {
            #expect(graph.volume(named: fact[0])?.options[fact[1]] == fact[2], "\(fact)")
        }
        #expect(graph.top.name == graph.volumes.last?.name)
    }

    @Test(arguments: cases)
    func canonicalTextIsAFixedPoint(_ testCase: Case) throws {
        let graph = try VolfileParser.parse(testCase.text)
        let canonical = try VolfileWriter.text(of: graph)
        let reread = try VolfileParser.parse(canonical)
        #expect(reread == graph)
        #expect(try VolfileWriter.text(of: reread) == canonical)
    }

    @Test func volumesRecordTheirLines() throws {
        let graph = try VolfileParser.parse(Self.cases[3].text)
        #expect(graph.volumes.map(\.line) == [1, 6, 11])
    }

    @Test func graphLookupsFollowTheLinks() throws {
        let graph = try VolfileParser.parse(Self.cases[8].text)
        #expect(graph.top.name == "top")
        #expect(graph.children(of: "top").map(\.name) == ["left", "right"])
        #expect(graph.parents(of: "leaf").map(\.name) == ["left", "right"])
        #expect(graph.parents(of: "top").isEmpty)
        #expect(graph.children(of: "leaf").isEmpty)
        #expect(graph.children(of: "missing").isEmpty)
        #expect(graph.volume(named: "missing") == nil)
    }

    @Test func bytesAndStringsParseAlike() throws {
        for testCase in Self.cases {
            #expect(try VolfileParser.parse(bytes: Array(testCase.text.utf8)) == VolfileParser.parse(testCase.text))
        }
    }

    static func summary(_ volume: VolfileVolume) -> String {
        let head = "\(volume.name) \(volume.type) \(volume.options.count)"
        return volume.subvolumes.isEmpty ? head : "\(head) -> \(volume.subvolumes.joined(separator: " "))"
    }
}
