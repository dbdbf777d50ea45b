#pragma once
// The resumable result store of a sweep (or of any long job made of independent units):
// an append-only journal next to the output file holding one record per finished unit.
//
// Each record is written with a single write() followed by fdatasync(), so once
// append() returns the record survives a kill -9 or a power loss. A process killed in
// the middle of a write leaves a torn last record; it fails its length or checksum
// check and is ignored (and cut off before the next append). Records are
//     magic u32 | key u64 | length u32 | payload[length] | FNV-1a-64 of key, length, payload
// in little-endian order; the first record (key kIdentityKey) holds the identity of the
// job (a sweep id), and reopening a journal of a different identity is an input error,
// so a resumed job never mixes results of two different jobs.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edgesim::sweep {

class ResultJournal {
public:
  static constexpr std::uint64_t kIdentityKey = ~std::uint64_t{0};

  /// "<output>.journal".
  static std::filesystem::path path_for(const std::filesystem::path& output);

  /// resume = false: creates the journal, replacing any previous one. resume = true:
  /// reads the records of an existing journal (if any; a missing one is created) and
  /// throws InputError if its identity differs from `identity`.
  ResultJournal(std::filesystem::path path, std::string identity, bool resume);
  ~ResultJournal();
  ResultJournal(const ResultJournal&) = delete;
  ResultJournal& operator=(const ResultJournal&) = delete;

  /// Records read back when the journal was opened, in file order (first of duplicates).
  [[nodiscard]] const std::vector<std::pair<std::uint64_t, std::string>>& recovered() const { return recovered_; }
  /// Bytes of a torn last record that were dropped when the journal was opened.
  [[nodiscard]] std::size_t discarded_bytes() const { return discarded_bytes_; }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  /// Appends one record durably. Throws RuntimeError if it cannot be written.
  void append(std::uint64_t key, std::string_view payload);
  /// Closes and deletes the journal (once its records are safe in the output file).
  void remove();

  /// Reads the records of a journal file without opening it for writing: identity and
  /// records (torn tail ignored). Throws RuntimeError if it is not a journal.
  static std::pair<std::string, std::vector<std::pair<std::uint64_t, std::string>>>
  read(const std::filesystem::path& path);

private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<std::pair<std::uint64_t, std::string>> recovered_;
  std::size_t discarded_bytes_ = 0;
};

} // namespace edgesim::sweep
