#include "sweep/run_record.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

namespace edgesim::sweep {
namespace {

constexpr std::uint32_t kRecordVersion = 1;

class Writer {
public:
  template <class T> void number(T value) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    out_.append(bytes, sizeof(T));
  }
  void text(std::string_view value) {
    number<std::uint64_t>(value.size());
    out_.append(value);
  }
  std::string take() { return std::move(out_); }

private:
  std::string out_;
};

class Reader {
public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <class T> T number() {
    need(sizeof(T));
    T value{};
    std::memcpy(&value, in_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  std::string text() {
    const auto size = number<std::uint64_t>();
    need(size);
    std::string value(in_.substr(pos_, size));
    pos_ += size;
    return value;
  }
  [[nodiscard]] bool at_end() const { return pos_ == in_.size(); }

private:
  void need(std::uint64_t bytes) const {
    if (in_.size() - pos_ < bytes)
      throw RuntimeError("sweep run record: truncated");
  }
  std::string_view in_;
  std::size_t pos_ = 0;
};

} // namespace

RunRecord make_record(std::uint64_t point, std::uint32_t rep, std::uint64_t seed, const run::RunResult& result) {
  RunRecord record;
  record.point = point;
  record.rep = rep;
  record.seed = seed;
  record.exit_code = result.exit_code;
  record.signal = result.signal;
  record.wall_seconds = result.wall_seconds;
  if (result.ok())
    record.summary_json = result.summary_json;
  else
    record.error = result.describe();
  return record;
}

std::string encode(const RunRecord& record) {
  Writer out;
  out.number(kRecordVersion);
  out.number(record.point);
  out.number(record.rep);
  out.number(record.seed);
  out.number(record.exit_code);
  out.number(record.signal);
  out.number(record.wall_seconds);
  out.text(record.error);
  out.text(record.summary_json);
  return out.take();
}

RunRecord decode(std::string_view bytes) {
  Reader in(bytes);
  if (in.number<std::uint32_t>() != kRecordVersion)
    throw RuntimeError("sweep run record: unknown version");
  RunRecord record;
  record.point = in.number<std::uint64_t>();
  record.rep = in.number<std::uint32_t>();
  record.seed = in.number<std::uint64_t>();
  record.exit_code = in.number<std::int32_t>();
  record.signal = in.number<std::int32_t>();
  record.wall_seconds = in.number<double>();
  record.error = in.text();
  record.summary_json = in.text();
  if (!in.at_end())
    throw RuntimeError("sweep run record: trailing bytes");
  return record;
}

} // namespace edgesim::sweep
