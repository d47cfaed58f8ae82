#ifndef TOKENTALLY_CMAPGUARD_H
#define TOKENTALLY_CMAPGUARD_H

// A SIGBUS safety net for memory-mapped input files.
//
// Reading a file through mmap(2) saves copying it (read(2) costs a copy per byte), but if
// another process truncates the file while it is mapped — log rotation with copytruncate —
// touching a page past the new end raises SIGBUS, which kills the process. The guard catches
// SIGBUS for the address ranges registered with it: it maps a page of zeros over the faulting
// page (so the read that faulted completes, reading zeros), records the lowest damaged offset
// of that range, and returns. The caller checks the range afterwards and fails the input.
// A SIGBUS outside every registered range is not ours: the handler puts the previous SIGBUS
// handling back (the Swift runtime's crash report, or the default) and the fault repeats
// under it.

#include <stddef.h>

/// Installs the handler (once; later calls do nothing). 0 on success, -1 on failure.
int tokentally_guard_install(void);

/// Registers `length` bytes at `start`; returns a slot number, or -1 when all slots are taken
/// (the caller then reads the file without mapping it).
int tokentally_guard_register(const void *start, size_t length);

/// Forgets a slot (before the range is unmapped).
void tokentally_guard_unregister(int slot);

/// The lowest offset in the slot's range where a fault was absorbed, or (size_t)-1 if none.
size_t tokentally_guard_damage(int slot);

#endif
