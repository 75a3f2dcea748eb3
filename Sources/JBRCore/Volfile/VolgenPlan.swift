/// Builds the brick and client graphs of one volume from its placed bricks.
struct VolgenPlan {
    let volumeName: String
    let volumeID: VolumeID
    let secret: String
    let replicaCount: Int
    let bricks: [VolgenBrick]
    let settings: VolgenSettings

    /// Brick `index`'s graph, leaf first:
    /// `NAME-posix` ← `NAME-journal` ← `NAME-jbr` (+ `NAME-client-K` per peer) ← `NAME-server`.
    func brickGraph(_ index: Int) -> VolfileGraph {
        let brick = bricks[index]
        let peers = members(ofSet: brick.replicaSet).filter { $0 != index }
        let posix = volume(
            "posix", VolfileXlator.posix,
            [(VolfileKey.directory, brick.path), (VolfileKey.volumeID, volumeID.description)])
        let journal = volume(
            "journal", VolfileXlator.journal, settings.journal(brickPath: brick.path).options, [posix.name])
        let clients = peers.enumerated().map { position, peer in
            clientVolume(number: position, brick: bricks[peer], extra: [])
        }
        let replica = volume(
            "jbr", VolfileXlator.replica,
            [
                (VolfileKey.volumeName, volumeName),
                (VolfileKey.volumeID, volumeID.description),
                (VolfileKey.replicaID, "\(brick.replicaID.rawValue)"),
                (VolfileKey.replicaCount, "\(replicaCount)"),
                (VolfileKey.replicaSet, "\(brick.replicaSet)"),
            ] + settings.timing.options,
            [journal.name] + clients.map(\.name))
        let server = volume(
            "server", VolfileXlator.server,
            [
                (VolfileKey.transportType, "tcp"),
                (VolfileKey.listenPort, "\(brick.port)"),
                (VolfileKey.bindAddress, brick.host),
                (VolfileKey.metricsPort, "\(Self.metricsPort(forBrickPort: brick.port))"),
                (VolfileKey.authSecret, secret),
                (VolfileKey.authAllow, "*"),
                (VolfileKey.authAddressAllow(brickPath: brick.path), "*"),
            ],
            [replica.name])
        return graph([posix, journal] + clients + [replica, server])
    }

    /// The metrics port volgen gives a brick: its port + 10000 (or − 10000 near the top of the
    /// range), so bricks on one host never share one. Edit the volfile to choose another.
    static func metricsPort(forBrickPort port: Int) -> Int {
        port + 10000 <= 65535 ? port + 10000 : port - 10000
    }

    /// The client graph: `NAME-client-K` for every brick, `NAME-replicate-S` (jbrc) per replica
    /// set over its clients, and the top `NAME` (distribute) over the sets.
    func clientGraph() -> VolfileGraph {
        let clients = bricks.indices.map { index in
            clientVolume(
                number: index, brick: bricks[index],
                extra: [(VolfileKey.pingTimeout, "\(settings.pingTimeoutSeconds)")])
        }
        let sets = stride(from: 0, to: bricks.count, by: replicaCount).map { first in
            volume(
                "replicate-\(first / replicaCount)", VolfileXlator.replicaClient, [],
                clients[first..<(first + replicaCount)].map(\.name))
        }
        let top = VolfileVolume(
            name: volumeName, type: VolfileXlator.distribute,
            options: VolfileOptions(uniqueKeysWithValues: [
                (VolfileKey.volumeID, volumeID.description), (VolfileKey.authSecret, secret),
            ]),
            subvolumes: sets.map(\.name))
        return graph(clients + sets + [top])
    }

    private func members(ofSet set: Int) -> [Int] {
        Array((set * replicaCount)..<((set + 1) * replicaCount))
    }

    private func clientVolume(number: Int, brick: VolgenBrick, extra: [(String, String)]) -> VolfileVolume {
        volume(
            "client-\(number)", VolfileXlator.client,
            [
                (VolfileKey.remoteHost, brick.host),
                (VolfileKey.remotePort, "\(brick.port)"),
                (VolfileKey.remoteSubvolume, brick.path),
                (VolfileKey.replicaID, "\(brick.replicaID.rawValue)"),
                (VolfileKey.transportType, "tcp"),
            ] + extra)
    }

    private func volume(
        _ suffix: String, _ type: String, _ options: [(String, String)], _ subvolumes: [String] = []
    ) -> VolfileVolume {
        VolfileVolume(
            name: "\(volumeName)-\(suffix)", type: type, options: VolfileOptions(uniqueKeysWithValues: options),
            subvolumes: subvolumes)
    }

    /// Volgen's graphs are valid by construction (names checked by `VolgenRequest`, subvolumes
    /// defined before use); a failure here is a bug in volgen, not bad input.
    private func graph(_ volumes: [VolfileVolume]) -> VolfileGraph {
        do {
            return try VolfileGraph(volumes: volumes)
        } catch {
            preconditionFailure("volgen built an invalid graph: \(error)")
        }
    }
}
