import JBRCore

/// The kernel's node ids for the volume's objects, and how many lookups it holds on each.
///
/// The kernel names an object by a 64-bit node id from the moment a reply hands it one (lookup,
/// create, mkdir, readdirplus …) until it forgets as many lookups as it was given. A GFID keeps
/// one node id while the kernel remembers it, so hard links are one inode to the kernel. Node
/// id 1 is the root, never forgotten.
struct NodeTable {
    static let rootNode: UInt64 = 1

    private struct Node {
        var gfid: GFID
        var lookups: UInt64
    }

    private var nodes: [UInt64: Node] = [rootNode: Node(gfid: .root, lookups: 1)]
    private var byGFID: [GFID: UInt64] = [.root: rootNode]
    private var nextNode: UInt64 = rootNode + 1

    /// How many objects the kernel holds now (the root included).
    var count: Int { nodes.count }

    func gfid(of node: UInt64) -> GFID? {
        nodes[node]?.gfid
    }

    /// The node id for `gfid`, counting one more lookup the kernel now holds on it.
    mutating func remember(_ gfid: GFID) -> UInt64 {
        if let node = byGFID[gfid] {
            nodes[node]!.lookups += 1
            return node
        }
        let node = nextNode
        nextNode += 1
        nodes[node] = Node(gfid: gfid, lookups: 1)
        byGFID[gfid] = node
        return node
    }

    /// The kernel dropped `count` lookups on `node`; at none the node id is free.
    mutating func forget(_ node: UInt64, count: UInt64) {
        guard node != Self.rootNode, let held = nodes[node] else { return }
        if held.lookups > count {
            nodes[node]!.lookups = held.lookups - count
        } else {
            nodes[node] = nil
            byGFID[held.gfid] = nil
        }
    }
}
