#define _GNU_SOURCE
#include "CMapGuard.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define TOKENTALLY_GUARD_SLOTS 256

// A slot is in use when `end` is non-zero. Slots are claimed and released under a mutex, never
// in the handler; the handler only reads them and lowers `damage`.
static struct {
    _Atomic uintptr_t start;
    _Atomic uintptr_t end;
    _Atomic size_t damage;
} slots[TOKENTALLY_GUARD_SLOTS];

static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
// What SIGBUS did before the guard (the Swift runtime's crash reporter, or the default).
static struct sigaction previous_action;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_result = -1;

static void tokentally_guard_handler(int signal_number, siginfo_t *info, void *context) {
    (void)context;
    uintptr_t address = (uintptr_t)info->si_addr;
    for (int i = 0; i < TOKENTALLY_GUARD_SLOTS; i++) {
        uintptr_t end = atomic_load(&slots[i].end);
        uintptr_t start = atomic_load(&slots[i].start);
        if (end == 0 || address < start || address >= end) continue;
        uintptr_t page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
        uintptr_t page = address & ~(page_size - 1);
        // Zeros where the file's bytes were: the faulting read completes.
        void *mapped = mmap((void *)page, page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (mapped == MAP_FAILED) break;
        size_t offset = (size_t)(page < start ? 0 : page - start);
        size_t current = atomic_load(&slots[i].damage);
        while (offset < current && !atomic_compare_exchange_weak(&slots[i].damage, &current, offset)) {}
        return;
    }
    // Not a mapped input: put the previous handling back; the faulting access repeats and
    // faults as if the guard had never been there.
    sigaction(signal_number, &previous_action, NULL);
}

static void tokentally_guard_install_once(void) {
    for (int i = 0; i < TOKENTALLY_GUARD_SLOTS; i++) atomic_store(&slots[i].damage, (size_t)-1);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = tokentally_guard_handler;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    install_result = sigaction(SIGBUS, &action, &previous_action) == 0 ? 0 : -1;
}

int tokentally_guard_install(void) {
    pthread_once(&install_once, tokentally_guard_install_once);
    return install_result;
}

int tokentally_guard_register(const void *start, size_t length) {
    if (tokentally_guard_install() != 0 || length == 0) return -1;
    int found = -1;
    pthread_mutex_lock(&slots_lock);
    for (int i = 0; i < TOKENTALLY_GUARD_SLOTS; i++) {
        if (atomic_load(&slots[i].end) == 0) {
            atomic_store(&slots[i].damage, (size_t)-1);
            atomic_store(&slots[i].start, (uintptr_t)start);
            atomic_store(&slots[i].end, (uintptr_t)start + length);
            found = i;
            break;
        }
    }
    pthread_mutex_unlock(&slots_lock);
    return found;
}

void tokentally_guard_unregister(int slot) {
    if (slot < 0 || slot >= TOKENTALLY_GUARD_SLOTS) return;
    pthread_mutex_lock(&slots_lock);
    atomic_store(&slots[slot].end, 0);
    atomic_store(&slots[slot].start, 0);
    pthread_mutex_unlock(&slots_lock);
}

size_t tokentally_guard_damage(int slot) {
    if (slot < 0 || slot >= TOKENTALLY_GUARD_SLOTS) return (size_t)-1;
    return atomic_load(&slots[slot].damage);
}
