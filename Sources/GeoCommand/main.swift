import ArgumentParser

/// `geo`: geo-replication sessions. None of its commands exist yet (see the README's status
/// table); the executable is here so the product layout is fixed.
struct Geo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geo",
        abstract: "Geo-replication of a JBR volume to a slave volume (not built yet: no subcommands)."
    )
}

Geo.main()
