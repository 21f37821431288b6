// Everything a simulated card keeps across power loss: named records (key sets, counters, PINs,
// files, keys) in one state file. A command's changes are staged in memory and committed as a
// whole, atomically (see specs/state-format.md), so a power cut leaves the old or the new state.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "simkit/bytes.hpp"
#include "simkit/core/unique_fd.hpp"

namespace simkit::sim {

// Thrown by a write-point hook to simulate power loss at that point. Deliberately not derived
// from std::exception, so no handler in the card swallows it: it unwinds to the test.
struct PowerCut {
    int point;
};

// Called before each write point of a commit (0, 1, 2 ...). Tests throw PowerCut or _exit() here.
using WritePointHook = std::function<void(int point)>;

class PersistentState {
public:
    // In memory only, no file (tests, benchmarks).
    PersistentState() = default;

    // Opens the state file at `path`. If it does not exist, `factory` fills a fresh state which is
    // committed to a new file. A corrupt, truncated or unknown-version file throws StateError
    // naming the path and the problem; it is never silently reset.
    static PersistentState open(const std::string& path, const std::function<void(PersistentState&)>& factory);

    PersistentState(PersistentState&&) noexcept = default;
    PersistentState& operator=(PersistentState&&) noexcept = default;

    // The committed-or-staged value of a record, or nullptr. Valid until the next put, erase,
    // commit or rollback.
    const secure_bytes* get(std::string_view name) const;
    // Stages a change; it reaches the file at the next commit(). Names are 1 to 65535 bytes
    // (ArgumentError otherwise), by convention "owner/kind/id/part", e.g. "gp/keyset/30/enc".
    void put(const std::string& name, secure_bytes value);
    // Stages removal of a record; erasing an absent record changes nothing.
    void erase(const std::string& name);
    // Names of records that start with prefix, sorted.
    std::vector<std::string> names(std::string_view prefix = "") const;

    // True when changes are staged.
    bool dirty() const noexcept { return dirty_; }
    // Writes the staged changes atomically; no I/O at all when clean. On failure (StateError) the
    // staged changes are discarded and the file holds the previous state. The one exception is a
    // failed fsync of the directory after the rename: the file already holds the new state, so the
    // changes stay committed in memory too, and the StateError says durability is unknown.
    // A PowerCut thrown by the hook passes through untouched (the object should be discarded).
    void commit();
    // Discards staged changes.
    void rollback();

    const std::string& path() const noexcept { return path_; }
    // Write points of a commit of R records: 0 create temp file, 1 header, 2..R+1 one per record,
    // R+2 checksum, R+3 fsync temp file, R+4 rename over the state file, R+5 fsync directory.
    void set_write_point_hook(WritePointHook hook) { hook_ = std::move(hook); }

    // Where commit() writes before renaming: the state file path plus ".tmp".
    static std::string temp_path_for(const std::string& path) { return path + ".tmp"; }

private:
    // Writes the committed records with the staged changes applied, then adopts them.
    void write_and_adopt();
    void adopt_staged();

    std::string path_;  // empty: memory only
    std::map<std::string, secure_bytes, std::less<>> committed_;
    // Staged changes: a value to put, or nullopt to erase.
    std::map<std::string, std::optional<secure_bytes>, std::less<>> staged_;
    bool dirty_ = false;
    WritePointHook hook_;
    UniqueFd lock_;  // flock on PATH.lock for as long as this object owns the file
};

}  // namespace simkit::sim
