#include "sweep/result_journal.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>

namespace edgesim::sweep {
namespace {

constexpr std::uint32_t kMagic = 0x4A534445; // "EDSJ"
constexpr std::size_t kHeaderBytes = 4 + 8 + 4;
constexpr std::size_t kTrailerBytes = 8;

std::uint64_t fnv1a(std::uint64_t hash, const void* data, std::size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i)
    hash = (hash ^ bytes[i]) * 1099511628211ULL;
  return hash;
}

template <class T> void put(std::string& out, T value) {
  std::array<char, sizeof(T)> bytes{};
  std::memcpy(bytes.data(), &value, sizeof(T)); // little-endian hosts only (see io/schema.hpp)
  out.append(bytes.data(), bytes.size());
}

template <class T> T get(const char* in) {
  T value{};
  std::memcpy(&value, in, sizeof(T));
  return value;
}

std::string encode(std::uint64_t key, std::string_view payload) {
  std::string record;
  record.reserve(kHeaderBytes + payload.size() + kTrailerBytes);
  put<std::uint32_t>(record, kMagic);
  put<std::uint64_t>(record, key);
  put<std::uint32_t>(record, static_cast<std::uint32_t>(payload.size()));
  record.append(payload);
  put<std::uint64_t>(record, fnv1a(1469598103934665603ULL, record.data() + 4, record.size() - 4));
  return record;
}

struct Parsed {
  std::vector<std::pair<std::uint64_t, std::string>> records; // identity first
  std::size_t valid_bytes = 0;
};

Parsed parse(const std::string& data) {
  Parsed parsed;
  std::size_t pos = 0;
  while (data.size() - pos >= kHeaderBytes + kTrailerBytes) {
    if (get<std::uint32_t>(data.data() + pos) != kMagic)
      break;
    const auto key = get<std::uint64_t>(data.data() + pos + 4);
    const auto length = get<std::uint32_t>(data.data() + pos + 12);
    if (data.size() - pos - kHeaderBytes - kTrailerBytes < length)
      break;
    const std::size_t body = kHeaderBytes - 4 + length;
    const auto checksum = get<std::uint64_t>(data.data() + pos + kHeaderBytes + length);
    if (fnv1a(1469598103934665603ULL, data.data() + pos + 4, body) != checksum)
      break;
    parsed.records.emplace_back(key, data.substr(pos + kHeaderBytes, length));
    pos += kHeaderBytes + length + kTrailerBytes;
  }
  parsed.valid_bytes = pos;
  return parsed;
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw RuntimeError(fmt::format("{}: cannot read the journal: {}", path.string(), std::strerror(errno)));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(int fd, const std::string& bytes, const std::filesystem::path& path) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      throw RuntimeError(fmt::format("{}: cannot write the journal: {}", path.string(), std::strerror(errno)));
    written += static_cast<std::size_t>(n);
  }
  if (::fdatasync(fd) != 0)
    throw RuntimeError(fmt::format("{}: cannot sync the journal: {}", path.string(), std::strerror(errno)));
}

void sync_directory_of(const std::filesystem::path& path) {
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)::fsync(fd); // best effort: some file systems refuse to sync a directory
    ::close(fd);
  }
}

} // namespace

std::filesystem::path ResultJournal::path_for(const std::filesystem::path& output) {
  return {output.native() + ".journal"};
}

std::pair<std::string, std::vector<std::pair<std::uint64_t, std::string>>>
ResultJournal::read(const std::filesystem::path& path) {
  Parsed parsed = parse(slurp(path));
  if (parsed.records.empty() || parsed.records.front().first != kIdentityKey)
    throw RuntimeError(fmt::format("{}: not an edgesim journal", path.string()));
  std::string identity = std::move(parsed.records.front().second);
  parsed.records.erase(parsed.records.begin());
  return {std::move(identity), std::move(parsed.records)};
}

ResultJournal::ResultJournal(std::filesystem::path path, std::string identity, bool resume) : path_(std::move(path)) {
  std::error_code ec;
  const bool exists = std::filesystem::exists(path_, ec);
  if (resume && exists) {
    Parsed parsed = parse(slurp(path_));
    if (parsed.records.empty() || parsed.records.front().first != kIdentityKey) {
      // Killed before even the identity record was complete: nothing to recover.
      parsed.records.clear();
      parsed.valid_bytes = 0;
    } else if (parsed.records.front().second != identity) {
      throw InputError(fmt::format("{}: the journal belongs to a different sweep ({}), not to this one ({}); "
                                   "run without --resume to start over, or remove it",
                                   path_.string(), parsed.records.front().second, identity));
    }
    const std::size_t size = std::filesystem::file_size(path_);
    discarded_bytes_ = size - parsed.valid_bytes;
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0 || ::ftruncate(fd_, static_cast<off_t>(parsed.valid_bytes)) != 0 || ::lseek(fd_, 0, SEEK_END) < 0)
      throw RuntimeError(fmt::format("{}: cannot reopen the journal: {}", path_.string(), std::strerror(errno)));
    if (parsed.valid_bytes == 0)
      write_all(fd_, encode(kIdentityKey, identity), path_);
    std::set<std::uint64_t> seen;
    for (std::size_t i = 1; i < parsed.records.size(); ++i)
      if (seen.insert(parsed.records[i].first).second)
        recovered_.push_back(std::move(parsed.records[i]));
    return;
  }
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw RuntimeError(fmt::format("{}: cannot create the journal: {}", path_.string(), std::strerror(errno)));
  write_all(fd_, encode(kIdentityKey, identity), path_);
  sync_directory_of(path_);
}

ResultJournal::~ResultJournal() {
  if (fd_ >= 0)
    ::close(fd_);
}

void ResultJournal::append(std::uint64_t key, std::string_view payload) {
  if (fd_ < 0)
    throw RuntimeError(fmt::format("{}: the journal is closed", path_.string()));
  write_all(fd_, encode(key, payload), path_);
}

void ResultJournal::remove() {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

} // namespace edgesim::sweep
