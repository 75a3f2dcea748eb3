/// One lexical token of a volfile, with where it starts.
///
/// Keywords are recognised only when a bare (unquoted) word is spelled exactly as one, in
/// lowercase, as GlusterFS's flex lexer does by longest match: `volume-id` and `end-volume2`
/// are words, and a quoted `"type"` is a word, but a bare `type` is always the keyword.
struct VolfileToken: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        case volume
        case type
        case option
        case subvolumes
        case endVolume
        /// A bare or quoted word; quoted words are already unescaped.
        case word(String)
    }

    var kind: Kind
    /// The keyword as written (`subvolumeS` keeps its capital); for words, the value.
    var spelling: String
    var line: Int
    var column: Int

    var isKeyword: Bool {
        if case .word = kind { return false }
        return true
    }

    var word: String? {
        if case let .word(text) = kind { return text }
        return nil
    }

    /// The keyword a bare word spells, if any.
    static func keyword(spelledAs text: some Collection<UInt8>) -> Kind? {
        switch String(decoding: text, as: UTF8.self) {
        case "volume": return .volume
        case "type": return .type
        case "option": return .option
        case "subvolumes", "subvolumeS": return .subvolumes
        case "end-volume": return .endVolume
        default: return nil
        }
    }

    /// Whether `text` would lex as a keyword if written bare (so the writer must quote it).
    static func isKeyword(_ text: String) -> Bool {
        keyword(spelledAs: text.utf8) != nil
    }
}
