#include "sweep/sweep_file.hpp"

#include "io/hdf5_support.hpp"
#include "io/run_writer.hpp"
#include "io/schema.hpp"
#include "io/summary_json.hpp"
#include "util/atomic_file.hpp"
#include "validate/validation.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

namespace edgesim::sweep {
namespace {

namespace fs = std::filesystem;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kKeyStringBytes = 64;
constexpr std::size_t kErrorStringBytes = 256;
constexpr double kCiLevel = 0.95;

// ----- tables whose columns are only known at run time (the varied keys) --------------

enum class Kind { F64, U64, U32, I32, Text };
using Cell = std::variant<double, std::uint64_t, std::uint32_t, std::int32_t, std::string>;

struct Column {
  std::string name;
  Kind kind = Kind::F64;
  std::size_t text_bytes = 0; // Kind::Text: fixed width
};

std::size_t column_bytes(const Column& column) {
  switch (column.kind) {
  case Kind::F64:
  case Kind::U64:
    return 8;
  case Kind::U32:
  case Kind::I32:
    return 4;
  case Kind::Text:
    return column.text_bytes;
  }
  return 0;
}

H5::DataType column_type(const Column& column) {
  switch (column.kind) {
  case Kind::F64:
    return H5::PredType::IEEE_F64LE;
  case Kind::U64:
    return H5::PredType::STD_U64LE;
  case Kind::U32:
    return H5::PredType::STD_U32LE;
  case Kind::I32:
    return H5::PredType::STD_I32LE;
  case Kind::Text: {
    H5::StrType type(H5::PredType::C_S1, column.text_bytes);
    type.setStrpad(H5T_STR_NULLPAD);
    type.setCset(H5T_CSET_UTF8);
    return type;
  }
  }
  return H5::PredType::IEEE_F64LE;
}

/// Copies at most `bytes` bytes of `text`, cut at a UTF-8 character boundary, null-padded.
void pack_text(const std::string& text, std::byte* out, std::size_t bytes) {
  std::size_t length = std::min(text.size(), bytes);
  while (length > 0 && length < text.size() && (static_cast<unsigned char>(text[length]) & 0xC0U) == 0x80U)
    --length;
  std::memset(out, 0, bytes);
  std::memcpy(out, text.data(), length);
}

class Table {
public:
  void add(std::string name, Kind kind, std::size_t text_bytes = 0) {
    columns_.push_back(Column{std::move(name), kind, text_bytes});
  }
  void add_row(std::vector<Cell> row) { rows_.push_back(std::move(row)); }

  void write(H5::Group& parent, const std::string& name) const {
    std::size_t row_bytes = 0;
    for (const auto& column : columns_)
      row_bytes += column_bytes(column);
    H5::CompType type(row_bytes);
    std::size_t offset = 0;
    for (const auto& column : columns_) {
      type.insertMember(column.name, offset, column_type(column));
      offset += column_bytes(column);
    }
    std::vector<std::byte> packed(std::max<std::size_t>(1, rows_.size() * row_bytes));
    std::byte* out = packed.data();
    for (const auto& row : rows_) {
      for (std::size_t c = 0; c < columns_.size(); ++c) {
        const Column& column = columns_[c];
        std::visit(
            [&](const auto& value) {
              using T = std::decay_t<decltype(value)>;
              if constexpr (std::is_same_v<T, std::string>)
                pack_text(value, out, column.text_bytes);
              else
                std::memcpy(out, &value, sizeof(T));
            },
            row[c]);
        out += column_bytes(column);
      }
    }
    const hsize_t rows = rows_.size();
    const H5::DataSpace space(1, &rows);
    H5::DataSet dataset = parent.createDataSet(name, type, space);
    if (rows > 0)
      dataset.write(packed.data(), type);
  }

private:
  std::vector<Column> columns_;
  std::vector<std::vector<Cell>> rows_;
};

/// Visits the columns of /summary (io/schema.hpp) except the tenant name.
template <class Visit> void for_each_summary_column(Visit&& visit) {
  std::apply([&](const auto&... column) { (visit(column), ...); }, io::TableSchema<SummaryRow>::columns);
}

void add_summary_columns(Table& table) {
  for_each_summary_column([&](const auto& column) {
    using Value = typename std::remove_cvref_t<decltype(column)>::value_type;
    if constexpr (std::is_same_v<Value, std::uint64_t>)
      table.add(std::string(column.name), Kind::U64);
    else if constexpr (std::is_same_v<Value, double>)
      table.add(std::string(column.name), Kind::F64);
  });
}

void append_summary_cells(std::vector<Cell>& row, const SummaryRow* summary) {
  for_each_summary_column([&](const auto& column) {
    using Value = typename std::remove_cvref_t<decltype(column)>::value_type;
    if constexpr (std::is_same_v<Value, std::uint64_t>)
      row.emplace_back(summary != nullptr ? summary->*(column.member) : std::uint64_t{0});
    else if constexpr (std::is_same_v<Value, double>)
      row.emplace_back(summary != nullptr ? summary->*(column.member) : kNaN);
  });
}

/// The varied keys' columns and cells of point p.
struct KeyColumns {
  const SweepSpec& spec;
  std::vector<std::vector<std::string>> values = spec.point_values();

  void add(Table& table) const {
    for (const auto& axis : spec.axes)
      table.add(axis.key, axis.numeric ? Kind::F64 : Kind::Text, kKeyStringBytes);
  }
  void append(std::vector<Cell>& row, std::uint64_t point) const {
    for (std::size_t a = 0; a < spec.axes.size(); ++a) {
      const std::string& text = values.at(point).at(a);
      if (spec.axes[a].numeric)
        row.emplace_back(std::strtod(text.c_str(), nullptr));
      else
        row.emplace_back(text);
    }
  }
};

void add_run_columns(Table& table) {
  table.add("point", Kind::U64);
  table.add("rep", Kind::U32);
  table.add("seed", Kind::U64);
  table.add("exit_code", Kind::I32);
  table.add("signal", Kind::I32);
  table.add("error", Kind::Text, kErrorStringBytes);
}

void append_run_cells(std::vector<Cell>& row, const RunRecord& record) {
  row.emplace_back(record.point);
  row.emplace_back(record.rep);
  row.emplace_back(record.seed);
  row.emplace_back(record.exit_code);
  row.emplace_back(record.signal);
  row.emplace_back(record.error);
}

void write_points(H5::Group& root, const KeyColumns& keys, const std::vector<RunRecord>& records) {
  Table points;
  Table tenants;
  keys.add(points);
  keys.add(tenants);
  add_run_columns(points);
  add_run_columns(tenants);
  tenants.add("tenant", Kind::Text, kKeyStringBytes);
  add_summary_columns(points);
  add_summary_columns(tenants);
  for (const auto& record : records) {
    std::vector<SummaryRow> summary;
    if (record.ok())
      summary = io::parse_summary_json(record.summary_json);
    std::vector<Cell> row;
    keys.append(row, record.point);
    append_run_cells(row, record);
    append_summary_cells(row, summary.empty() ? nullptr : &summary.back());
    points.add_row(std::move(row));
    for (std::size_t t = 0; t + 1 < summary.size(); ++t) {
      std::vector<Cell> tenant_row;
      keys.append(tenant_row, record.point);
      append_run_cells(tenant_row, record);
      tenant_row.emplace_back(summary[t].tenant);
      append_summary_cells(tenant_row, &summary[t]);
      tenants.add_row(std::move(tenant_row));
    }
  }
  points.write(root, "points");
  tenants.write(root, "points_tenants");
}

void write_points_ci(H5::Group& root, const KeyColumns& keys, const std::vector<RunRecord>& records) {
  Table table;
  keys.add(table);
  table.add("point", Kind::U64);
  table.add("n", Kind::U32);
  std::vector<std::string> fields;
  for_each_summary_column([&](const auto& column) {
    using Value = typename std::remove_cvref_t<decltype(column)>::value_type;
    if constexpr (!std::is_same_v<Value, std::string>) {
      fields.emplace_back(column.name);
      table.add(std::string(column.name) + "_mean", Kind::F64);
      table.add(std::string(column.name) + "_ci95", Kind::F64);
    }
  });
  // Records are sorted by (point, rep): one group per point.
  for (std::size_t begin = 0; begin < records.size();) {
    std::size_t end = begin;
    std::vector<std::vector<double>> samples(fields.size());
    while (end < records.size() && records[end].point == records[begin].point) {
      if (records[end].ok()) {
        const SummaryRow all = io::parse_summary_json(records[end].summary_json).back();
        std::size_t f = 0;
        for_each_summary_column([&](const auto& column) {
          using Value = typename std::remove_cvref_t<decltype(column)>::value_type;
          if constexpr (!std::is_same_v<Value, std::string>)
            samples[f++].push_back(static_cast<double>(all.*(column.member)));
        });
      }
      ++end;
    }
    std::vector<Cell> row;
    keys.append(row, records[begin].point);
    row.emplace_back(records[begin].point);
    row.emplace_back(static_cast<std::uint32_t>(samples.front().size()));
    for (const auto& values : samples) {
      if (values.empty()) {
        row.emplace_back(kNaN);
        row.emplace_back(kNaN);
      } else if (values.size() == 1) {
        row.emplace_back(values.front());
        row.emplace_back(kNaN);
      } else {
        const auto interval = validate::t_interval(values, kCiLevel);
        row.emplace_back(interval.mean);
        row.emplace_back(interval.half_width);
      }
    }
    table.add_row(std::move(row));
    begin = end;
  }
  table.write(root, "points_ci");
}

// ----- /runs ---------------------------------------------------------------------------

template <class T>
void write_array(H5::Group& group, const std::string& name, const std::vector<T>& values, const H5::PredType& file_type,
                 const H5::PredType& memory_type) {
  const hsize_t rows = values.size();
  H5::DataSet dataset = group.createDataSet(name, file_type, H5::DataSpace(1, &rows));
  if (rows > 0)
    dataset.write(values.data(), memory_type);
}

void write_text_array(H5::Group& group, const std::string& name, const std::vector<std::string>& values) {
  const hsize_t rows = values.size();
  const H5::StrType type = io::variable_string_type();
  H5::DataSet dataset = group.createDataSet(name, type, H5::DataSpace(1, &rows));
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const auto& v : values)
    pointers.push_back(v.c_str());
  if (rows > 0)
    dataset.write(pointers.data(), type);
}

void write_runs(H5::Group& root, const std::vector<RunRecord>& records) {
  H5::Group group = root.createGroup("runs");
  std::vector<std::uint64_t> point, seed;
  std::vector<std::uint32_t> rep;
  std::vector<std::int32_t> exit_code, signal;
  std::vector<double> wall;
  std::vector<std::string> error, json;
  for (const auto& r : records) {
    point.push_back(r.point);
    rep.push_back(r.rep);
    seed.push_back(r.seed);
    exit_code.push_back(r.exit_code);
    signal.push_back(r.signal);
    wall.push_back(r.wall_seconds);
    error.push_back(r.error);
    json.push_back(r.summary_json);
  }
  write_array(group, "point", point, H5::PredType::STD_U64LE, H5::PredType::NATIVE_UINT64);
  write_array(group, "rep", rep, H5::PredType::STD_U32LE, H5::PredType::NATIVE_UINT32);
  write_array(group, "seed", seed, H5::PredType::STD_U64LE, H5::PredType::NATIVE_UINT64);
  write_array(group, "exit_code", exit_code, H5::PredType::STD_I32LE, H5::PredType::NATIVE_INT32);
  write_array(group, "signal", signal, H5::PredType::STD_I32LE, H5::PredType::NATIVE_INT32);
  write_array(group, "wall_seconds", wall, H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE);
  write_text_array(group, "error", error);
  write_text_array(group, "summary_json", json);
}

template <class T>
std::vector<T> read_array(const H5::Group& group, const std::string& name, const H5::PredType& type) {
  H5::DataSet dataset = group.openDataSet(name);
  std::vector<T> values(static_cast<std::size_t>(dataset.getSpace().getSimpleExtentNpoints()));
  if (!values.empty())
    dataset.read(values.data(), type);
  return values;
}

std::vector<std::string> read_text_array(const H5::Group& group, const std::string& name) {
  H5::DataSet dataset = group.openDataSet(name);
  const H5::DataSpace space = dataset.getSpace();
  const auto rows = static_cast<std::size_t>(space.getSimpleExtentNpoints());
  std::vector<char*> pointers(rows, nullptr);
  const H5::StrType type = io::variable_string_type();
  if (rows > 0)
    dataset.read(pointers.data(), type);
  std::vector<std::string> values;
  values.reserve(rows);
  for (char* p : pointers)
    values.emplace_back(p != nullptr ? p : "");
  if (rows > 0)
    H5Dvlen_reclaim(type.getId(), space.getId(), H5P_DEFAULT, pointers.data());
  return values;
}

// ----- /meta ---------------------------------------------------------------------------

std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines)
    text += line + "\n";
  return text;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty())
      lines.push_back(line);
  return lines;
}

const std::vector<std::string>& meta_string_names() {
  static const std::vector<std::string> names{
      "sweep_id",    "scenario_file", "scenario",        "set",          "vary",      "design",
      "engine_args", "shard",         "edgesim_version", "git_describe", "created_at"};
  return names;
}

const std::vector<std::string>& meta_number_names() {
  static const std::vector<std::string> names{"points", "reps", "seed", "runs", "failed"};
  return names;
}

void write_meta(H5::Group& root, const SweepFileInfo& info, const std::vector<RunRecord>& records) {
  H5::Group meta = root.createGroup("meta");
  const SweepSpec& spec = info.spec;
  std::vector<std::string> vary;
  for (const auto& axis : spec.axes)
    vary.push_back(axis.key + "=" + axis.spec);
  io::write_string_attribute(meta, "sweep_id", spec.id());
  io::write_string_attribute(meta, "scenario_file", spec.scenario_file);
  io::write_string_attribute(meta, "scenario", spec.scenario_text);
  io::write_string_attribute(meta, "set", join_lines(spec.overrides));
  io::write_string_attribute(meta, "vary", join_lines(vary));
  io::write_string_attribute(meta, "design", std::string(design_name(spec.design)));
  io::write_string_attribute(meta, "streams", std::string(streams_name(spec.streams)));
  io::write_string_attribute(meta, "engine_args", join_lines(spec.engine_args));
  io::write_string_attribute(meta, "shard", info.shard);
  io::write_string_attribute(meta, "edgesim_version", EDGESIM_VERSION);
  io::write_string_attribute(meta, "git_describe", EDGESIM_GIT_DESCRIBE);
  io::write_string_attribute(meta, "created_at", info.created_at);
  io::write_u64_attribute(meta, "points", spec.point_count());
  io::write_u64_attribute(meta, "reps", spec.reps);
  io::write_u64_attribute(meta, "seed", spec.seed);
  io::write_u64_attribute(meta, "runs", records.size());
  io::write_u64_attribute(meta, "failed",
                          static_cast<std::uint64_t>(std::count_if(records.begin(), records.end(),
                                                                   [](const RunRecord& r) { return !r.ok(); })));
}

/// Copies every object of `source` (a file's root or a group) into `target`.
void copy_members(const H5::Group& source, const H5::Group& target, const std::string& where) {
  for (hsize_t i = 0; i < source.getNumObjs(); ++i) {
    const std::string name = source.getObjnameByIdx(i);
    if (H5Ocopy(source.getId(), name.c_str(), target.getId(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT) < 0)
      throw RuntimeError(fmt::format("{}: cannot copy {} into the sweep file", where, name));
  }
}

void copy_traces(H5::H5File& file, const TraceSources& sources, const std::vector<RunRecord>& records) {
  H5::Group traces = file.createGroup("traces");
  if (!sources.dir.empty()) {
    for (const auto& record : records) {
      const fs::path source = trace_file(sources.dir, record.point, record.rep);
      if (!fs::exists(source))
        continue; // a failed run wrote none
      const H5::H5File run(source.string(), H5F_ACC_RDONLY);
      copy_members(run.openGroup("/"), traces.createGroup(source.stem().string()), source.string());
    }
  }
  for (const auto& sweep_file : sources.sweep_files) {
    const H5::H5File shard(sweep_file.string(), H5F_ACC_RDONLY);
    if (shard.nameExists("traces"))
      copy_members(shard.openGroup("traces"), traces, sweep_file.string());
  }
}

} // namespace

fs::path trace_file(const fs::path& traces_dir, std::uint64_t point, std::uint32_t rep) {
  return traces_dir / fmt::format("p{}_r{}.h5", point, rep);
}

void write_sweep_file(const fs::path& path, const SweepFileInfo& info, std::vector<RunRecord> records,
                      const TraceSources& traces) {
  std::sort(records.begin(), records.end(),
            [](const RunRecord& a, const RunRecord& b) { return std::tie(a.point, a.rep) < std::tie(b.point, b.rep); });
  io::quiet_hdf5_errors();
  remove_stale_temporaries(path);
  write_atomically(
      path,
      [&](const fs::path& temp) {
        io::translate_hdf5_errors(path.string(), [&] {
          H5::FileAccPropList access;
          access.setFcloseDegree(H5F_CLOSE_STRONG);
          H5::H5File file(temp.string(), H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, access);
          H5::Group root = file.openGroup("/");
          write_meta(root, info, records);
          const KeyColumns keys{info.spec};
          write_points(root, keys, records);
          write_points_ci(root, keys, records);
          write_runs(root, records);
          if (!traces.empty())
            copy_traces(file, traces, records);
          file.close();
        });
      },
      Durability::Durable);
}

SweepFileContents read_sweep_file(const fs::path& path) {
  io::quiet_hdf5_errors();
  if (!fs::exists(path))
    throw InputError(fmt::format("{}: no such file", path.string()));
  SweepFileContents contents;
  try {
    const H5::H5File file(path.string(), H5F_ACC_RDONLY);
    const H5::Group meta = file.openGroup("meta");
    for (const auto& name : meta_string_names())
      contents.meta[name] = io::read_string_attribute(meta, name);
    for (const auto& name : meta_number_names())
      contents.meta[name] = std::to_string(io::read_u64_attribute(meta, name));
    // Files written before --streams existed used independent streams.
    contents.meta["streams"] = meta.attrExists("streams") ? io::read_string_attribute(meta, "streams") : "independent";
    const H5::Group runs = file.openGroup("runs");
    const auto point = read_array<std::uint64_t>(runs, "point", H5::PredType::NATIVE_UINT64);
    const auto rep = read_array<std::uint32_t>(runs, "rep", H5::PredType::NATIVE_UINT32);
    const auto seed = read_array<std::uint64_t>(runs, "seed", H5::PredType::NATIVE_UINT64);
    const auto exit_code = read_array<std::int32_t>(runs, "exit_code", H5::PredType::NATIVE_INT32);
    const auto signal = read_array<std::int32_t>(runs, "signal", H5::PredType::NATIVE_INT32);
    const auto wall = read_array<double>(runs, "wall_seconds", H5::PredType::NATIVE_DOUBLE);
    const auto error = read_text_array(runs, "error");
    const auto json = read_text_array(runs, "summary_json");
    for (std::size_t i = 0; i < point.size(); ++i)
      contents.runs.push_back(RunRecord{point[i], rep.at(i), seed.at(i), exit_code.at(i), signal.at(i), error.at(i),
                                        json.at(i), wall.at(i)});
  } catch (const H5::Exception& e) {
    throw InputError(
        fmt::format("{}: not an edgesim sweep file (expected /meta and /runs written by edgesim sweep; {})",
                    path.string(), e.getDetailMsg()));
  }
  return contents;
}

SweepSpec spec_from_meta(const std::map<std::string, std::string>& meta) {
  SweepSpec spec;
  spec.scenario_file = meta.at("scenario_file");
  spec.scenario_text = meta.at("scenario");
  spec.overrides = split_lines(meta.at("set"));
  spec.engine_args = split_lines(meta.at("engine_args"));
  for (const auto& line : split_lines(meta.at("vary")))
    spec.axes.push_back(parse_vary(line));
  spec.design = parse_design(meta.at("design"));
  spec.streams = parse_streams(meta.at("streams"));
  if (spec.design == Design::Lhs)
    spec.lhs_points = std::stoull(meta.at("points"));
  spec.reps = std::stoull(meta.at("reps"));
  spec.seed = std::stoull(meta.at("seed"));
  return spec;
}

const std::vector<double>& SweepTable::numbers(const std::string& name) const {
  return std::get<std::vector<double>>(columns.at(name));
}

const std::vector<std::string>& SweepTable::strings(const std::string& name) const {
  return std::get<std::vector<std::string>>(columns.at(name));
}

SweepTable read_sweep_table(const fs::path& path, const std::string& dataset_name) {
  io::quiet_hdf5_errors();
  return io::translate_hdf5_errors(path.string(), [&] {
    SweepTable table;
    const H5::H5File file(path.string(), H5F_ACC_RDONLY);
    const H5::DataSet dataset = file.openDataSet(dataset_name);
    const H5::CompType type = dataset.getCompType();
    table.rows = static_cast<std::size_t>(dataset.getSpace().getSimpleExtentNpoints());
    for (int m = 0; m < type.getNmembers(); ++m) {
      const std::string name = type.getMemberName(static_cast<unsigned>(m));
      table.names.push_back(name);
      if (type.getMemberClass(static_cast<unsigned>(m)) == H5T_STRING) {
        const H5::StrType member_type = type.getMemberStrType(static_cast<unsigned>(m));
        const std::size_t width = member_type.getSize();
        H5::CompType memory(width);
        memory.insertMember(name, 0, member_type);
        std::vector<char> bytes(std::max<std::size_t>(1, table.rows * width));
        if (table.rows > 0)
          dataset.read(bytes.data(), memory);
        std::vector<std::string> values;
        for (std::size_t r = 0; r < table.rows; ++r) {
          const char* begin = bytes.data() + r * width;
          values.emplace_back(begin, strnlen(begin, width));
        }
        table.columns[name] = std::move(values);
      } else {
        H5::CompType memory(sizeof(double));
        memory.insertMember(name, 0, H5::PredType::NATIVE_DOUBLE);
        std::vector<double> values(table.rows);
        if (table.rows > 0)
          dataset.read(values.data(), memory);
        table.columns[name] = std::move(values);
      }
    }
    return table;
  });
}

} // namespace edgesim::sweep
