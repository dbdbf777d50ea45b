// Atomic output files (util/atomic_file.hpp): a file or directory appears under its final
// name only complete, a failed write leaves neither a temporary nor a half file, and a
// failed rename names the path and the reason.
#include "util/atomic_file.hpp"

#include <edgesim/error.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace edgesim {
namespace {

namespace fs = std::filesystem;

class AtomicFile : public testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("edgesim-atomic-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }
  static std::string read(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  [[nodiscard]] std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }

  fs::path dir_;
};

TEST_F(AtomicFile, TemporaryIsNextToTheFileWithThePid) {
  EXPECT_EQ(temporary_path(dir_ / "out.h5", 42), dir_ / "out.h5.tmp.42");
  EXPECT_EQ(temporary_path(dir_ / "out.h5"), dir_ / ("out.h5.tmp." + std::to_string(::getpid())));
}

TEST_F(AtomicFile, ReplacesThePreviousFileOnlyWhenComplete) {
  const fs::path path = dir_ / "table.csv";
  write(path, "old");
  write_atomically(
      path,
      [&](const fs::path& temporary) {
        write(temporary, "new");
        EXPECT_EQ(read(path), "old"); // still the previous file while writing
      },
      Durability::Durable);
  EXPECT_EQ(read(path), "new");
  EXPECT_EQ(entries(), 1u);
}

TEST_F(AtomicFile, FailedWriteLeavesThePreviousFileAndNoTemporary) {
  const fs::path path = dir_ / "table.csv";
  write(path, "old");
  EXPECT_THROW(write_atomically(
                   path,
                   [&](const fs::path& temporary) {
                     write(temporary, "half");
                     throw std::runtime_error("disk full");
                   },
                   Durability::Volatile),
               std::runtime_error);
  EXPECT_EQ(read(path), "old");
  EXPECT_EQ(entries(), 1u);
}

TEST_F(AtomicFile, DirectoryReplacesADirectory) {
  const fs::path path = dir_ / "chainnet";
  fs::create_directories(path / "old");
  const fs::path temporary = temporary_path(path);
  fs::create_directories(temporary / "train");
  commit_temporary(temporary, path, Durability::Volatile);
  EXPECT_TRUE(fs::exists(path / "train"));
  EXPECT_FALSE(fs::exists(path / "old"));
  EXPECT_FALSE(fs::exists(temporary));
}

TEST_F(AtomicFile, FailedRenameNamesThePathAndRemovesTheTemporary) {
  const fs::path path = dir_ / "missing" / "out.h5";
  const fs::path temporary = dir_ / "out.h5.tmp.1";
  write(temporary, "data");
  try {
    commit_temporary(temporary, path, Durability::Volatile);
    FAIL() << "no error";
  } catch (const RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find(path.string() + ": cannot rename"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(temporary));
}

TEST_F(AtomicFile, StaleTemporariesOfDeadProcessesAreRemoved) {
  const fs::path path = dir_ / "run.h5";
  write(temporary_path(path, ::getpid()), "mine");
  fs::create_directories(temporary_path(path, 999999999) / "raw"); // no such process
  write(dir_ / "run.h5.tmp.notapid", "kept");
  EXPECT_EQ(remove_stale_temporaries(path), 1u);
  EXPECT_TRUE(fs::exists(temporary_path(path, ::getpid())));
  EXPECT_TRUE(fs::exists(dir_ / "run.h5.tmp.notapid"));
}

} // namespace
} // namespace edgesim
