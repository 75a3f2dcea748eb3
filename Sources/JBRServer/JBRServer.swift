// The brick server: the pure replica core (election, sequencing, commit), its shell (event loop,
// timers, journal, sockets) and the main store. Filled by the journal, store and I/O-path issues.
