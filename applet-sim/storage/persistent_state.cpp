// PersistentState: staged record changes in memory, committed by writing a complete new state
// file next to the old one and renaming it over (write temp, fsync, rename, fsync directory).
#include "storage/persistent_state.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

#include "simkit/errors.hpp"
#include "simkit/core/unique_fd.hpp"
#include "storage/state_file_format.hpp"

namespace simkit::sim {

namespace {

std::string errno_text(int error) { return std::system_category().message(error); }

[[noreturn]] void fail(const std::string& path, const std::string& action, int error) {
    throw StateError("state file '" + path + "': " + action + " failed: " + errno_text(error));
}

// One process at a time owns a state file: two writers would each commit their own copy and lose
// the other's changes. The lock is a flock on PATH.lock (the state file itself is replaced by
// rename at every commit, so it cannot carry the lock); the kernel drops it when the process dies.
UniqueFd lock_exclusively(const std::string& path) {
    const std::string lock_path = path + ".lock";
    UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!lock.valid()) fail(path, "open of lock file " + lock_path, errno);
    if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            throw StateError("state file '" + path + "' is in use by another card (lock " + lock_path +
                             "); stop that simkit-card or work on a copy");
        }
        fail(path, "flock of " + lock_path, errno);
    }
    return lock;
}

// Closes `fd` now and reports failure (after close the descriptor is gone whatever the result).
void close_checked(UniqueFd& fd, const std::string& path, const char* what) {
    if (fd.close() != 0) fail(path, std::string("close of ") + what, errno);
}

// Counts write points and calls the hook before each.
class WritePoints {
public:
    explicit WritePoints(const WritePointHook& hook) : hook_(hook) {}
    void reach() {
        if (hook_) hook_(next_);
        ++next_;
    }
    bool hooked() const { return static_cast<bool>(hook_); }

private:
    const WritePointHook& hook_;
    int next_ = 0;
};

std::string parent_directory(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

void require_parent_directory(const std::string& path) {
    if (path.empty() || path.back() == '/') throw StateError("state file '" + path + "': not a file path");
    const std::string parent = parent_directory(path);
    struct stat status {};
    if (::stat(parent.c_str(), &status) != 0) {
        const int error = errno;
        if (error == ENOENT) {
            throw StateError("state file '" + path + "': parent directory '" + parent + "' does not exist");
        }
        fail(path, "stat of parent directory '" + parent + "'", error);
    }
    if (!S_ISDIR(status.st_mode)) {
        throw StateError("state file '" + path + "': parent '" + parent + "' is not a directory");
    }
}

void remove_if_present(const std::string& file, const std::string& path_for_errors, const char* what) {
    if (::unlink(file.c_str()) != 0 && errno != ENOENT) {
        fail(path_for_errors, std::string("removing ") + what + " '" + file + "'", errno);
    }
}

void write_all(int fd, const uint8_t* data, std::size_t length, const std::string& path) {
    while (length > 0) {
        const ssize_t written = ::write(fd, data, length);
        if (written < 0) {
            if (errno == EINTR) continue;
            fail(path, "write of temp file", errno);
        }
        if (written == 0) throw StateError("state file '" + path + "': write of temp file wrote nothing");
        data += written;
        length -= static_cast<std::size_t>(written);
    }
}

// The whole file, or nullopt if it does not exist. Refuses non-regular and oversized files.
std::optional<secure_bytes> read_state_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return std::nullopt;
        fail(path, "open", errno);
    }
    UniqueFd file(fd);
    struct stat status {};
    if (::fstat(file.get(), &status) != 0) fail(path, "fstat", errno);
    if (!S_ISREG(status.st_mode)) throw StateError("state file '" + path + "': not a regular file");
    const auto size = static_cast<std::size_t>(status.st_size);
    if (size > state_format::kMaxFileSize) {
        throw StateError("state file '" + path + "': too large (" + std::to_string(size) + " bytes, limit " +
                         std::to_string(state_format::kMaxFileSize) + ")");
    }
    secure_bytes content(size);
    std::size_t filled = 0;
    while (filled < size) {
        const ssize_t got = ::read(file.get(), content.data() + filled, size - filled);
        if (got < 0) {
            if (errno == EINTR) continue;
            fail(path, "read", errno);
        }
        if (got == 0) break;  // shrank since fstat: the decoder reports the truncation
        filled += static_cast<std::size_t>(got);
    }
    content.resize(filled);
    close_checked(file, path, "state file");
    return content;
}

// Writes `encoded` to the temp file and renames it over `path`. On an error (any std::exception)
// the temp file is removed and the error rethrown; a PowerCut from the hook is not an
// std::exception, so it leaves the temp file behind exactly as a real power cut would.
void replace_file(const std::string& path, const EncodedStateFile& encoded, WritePoints& points) {
    const std::string temp_path = PersistentState::temp_path_for(path);
    bool temp_created = false;
    try {
        remove_if_present(temp_path, path, "leftover temp file");
        points.reach();
        const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) fail(path, "creating temp file '" + temp_path + "'", errno);
        temp_created = true;
        UniqueFd temp(fd);

        if (points.hooked()) {
            // Under a power-cut test: one write per segment, a write point before each.
            std::size_t segment_start = 0;
            for (const std::size_t segment_end : encoded.segment_ends) {
                points.reach();
                write_all(temp.get(), encoded.content.data() + segment_start, segment_end - segment_start, path);
                segment_start = segment_end;
            }
        } else {
            // One write for the whole file (a state file has dozens of segments; one write() each
            // was a third of a personalization line's system time). A real power cut can still stop
            // it anywhere: the temp file is only renamed over after fsync.
            write_all(temp.get(), encoded.content.data(), encoded.content.size(), path);
        }
        points.reach();
        if (::fsync(temp.get()) != 0) fail(path, "fsync of temp file", errno);
        close_checked(temp, path, "temp file");

        points.reach();
        if (::rename(temp_path.c_str(), path.c_str()) != 0) fail(path, "rename of temp file", errno);
    } catch (const std::exception&) {
        if (temp_created) ::unlink(temp_path.c_str());  // best effort; the original error matters
        throw;
    }
}

void sync_directory_of(const std::string& path, WritePoints& points) {
    points.reach();
    const std::string directory = parent_directory(path);
    const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) fail(path, "open of directory '" + directory + "' (new state written, durability unknown)", errno);
    UniqueFd dir(fd);
    if (::fsync(dir.get()) != 0) fail(path, "fsync of directory (new state written, durability unknown)", errno);
    close_checked(dir, path, "directory");
}

}  // namespace

PersistentState PersistentState::open(const std::string& path,
                                      const std::function<void(PersistentState&)>& factory) {
    require_parent_directory(path);
    PersistentState state;
    state.lock_ = lock_exclusively(path);  // before anything reads or removes files of this state
    remove_if_present(temp_path_for(path), path, "stale temp file");

    if (auto content = read_state_file(path)) {
        state.committed_ = decode_state_file(content->data(), content->size(), path);
        state.path_ = path;
        return state;
    }
    if (factory) factory(state);  // memory only while the factory runs
    state.path_ = path;
    state.write_and_adopt();  // even when clean: the file must come into existence
    return state;
}

const secure_bytes* PersistentState::get(std::string_view name) const {
    if (!staged_.empty()) {
        if (auto staged = staged_.find(name); staged != staged_.end()) {
            return staged->second ? &*staged->second : nullptr;
        }
    }
    auto found = committed_.find(name);
    return found == committed_.end() ? nullptr : &found->second;
}

void PersistentState::put(const std::string& name, secure_bytes value) {
    if (name.empty() || name.size() > state_format::kMaxNameLength) {
        throw ArgumentError("state record name must be 1 to " + std::to_string(state_format::kMaxNameLength) +
                            " bytes, not " + std::to_string(name.size()));
    }
    if (value.size() > state_format::kMaxFileSize) {
        throw ArgumentError("state record '" + name + "' value of " + std::to_string(value.size()) +
                            " bytes is larger than a state file may be");
    }
    staged_.insert_or_assign(name, std::move(value));
    dirty_ = true;
}

void PersistentState::erase(const std::string& name) {
    if (committed_.find(name) != committed_.end()) {
        staged_.insert_or_assign(name, std::nullopt);
    } else if (auto staged = staged_.find(name); staged != staged_.end()) {
        staged_.erase(staged);  // put earlier in this transaction only
    }
    dirty_ = !staged_.empty();
}

std::vector<std::string> PersistentState::names(std::string_view prefix) const {
    std::vector<std::string> out;
    auto committed = committed_.lower_bound(prefix);
    auto staged = staged_.lower_bound(prefix);
    auto in_prefix = [prefix](const std::string& name) { return std::string_view(name).starts_with(prefix); };
    for (;;) {
        const bool more_committed = committed != committed_.end() && in_prefix(committed->first);
        const bool more_staged = staged != staged_.end() && in_prefix(staged->first);
        if (!more_committed && !more_staged) break;
        if (more_staged && (!more_committed || staged->first <= committed->first)) {
            if (more_committed && staged->first == committed->first) ++committed;
            if (staged->second) out.push_back(staged->first);
            ++staged;
        } else {
            out.push_back(committed->first);
            ++committed;
        }
    }
    return out;
}

void PersistentState::commit() {
    if (!dirty_) return;
    if (path_.empty()) {
        adopt_staged();
        return;
    }
    write_and_adopt();
}

void PersistentState::rollback() {
    staged_.clear();
    dirty_ = false;
}

void PersistentState::write_and_adopt() {
    const std::vector<std::string> record_names = names();
    std::vector<StateRecordView> records;
    records.reserve(record_names.size());
    for (const std::string& name : record_names) records.push_back({name, get(name)});

    WritePoints points(hook_);
    try {
        replace_file(path_, encode_state_file(records), points);
    } catch (const std::exception&) {
        rollback();
        throw;
    }
    adopt_staged();
    sync_directory_of(path_, points);
}

void PersistentState::adopt_staged() {
    for (auto& [name, value] : staged_) {
        if (value) {
            committed_.insert_or_assign(name, std::move(*value));
        } else {
            committed_.erase(name);
        }
    }
    staged_.clear();
    dirty_ = false;
}

}  // namespace simkit::sim
