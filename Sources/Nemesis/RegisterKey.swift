import JBRCore

/// One register the nemesis's clients share, and how the file system holds it.
struct RegisterKey: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        /// The contents of `/registers/<name>`: a write stages a new file and renames it over
        /// the name; a read looks the name up and reads what it holds.
        case contents
        /// The name of the one file in the directory `/names/<name>/`: compare-and-set renames
        /// that file from the expected name to the new one (the rename names the file's GFID, so
        /// it fails unless the expected name still holds it); a read lists the directory.
        case fileName
        /// The lines of the file `/registers/<name>`: an append adds one line (one operation,
        /// at the end of the file as the leader applies it); a read reads the whole file.
        case appendLog
    }

    let name: String
    let kind: Kind

    /// The value every `fileName` register starts with (set up before the history begins).
    static let initialName = "init"
}

/// The GFIDs a client needs to address the registers without resolving paths on every
/// operation (resolving is a read of its own, not atomic with what follows).
struct RegisterLayout: Sendable {
    let registers: GFID
    let staging: GFID
    /// For each `fileName` register: its directory and the one file that moves within it.
    let nameDirectories: [String: (directory: GFID, file: GFID)]
    /// For each `appendLog` register: its file.
    let logFiles: [String: GFID]
}
