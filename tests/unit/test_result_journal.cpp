// Result journal: durable appends, torn last record, identity check.
#include "sweep/result_journal.hpp"

#include <edgesim/error.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace edgesim::sweep {
namespace {

namespace fs = std::filesystem;

class JournalTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("edgesim-journal-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    path_ = ResultJournal::path_for(dir_ / "out.h5");
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  fs::path path_;
};

TEST_F(JournalTest, RecordsSurviveReopening) {
  {
    ResultJournal journal(path_, "sweep-a", false);
    EXPECT_TRUE(journal.recovered().empty());
    journal.append(3, "three");
    journal.append(1, std::string("one\0with nul", 12));
    journal.append(3, "duplicate");
  }
  EXPECT_EQ(path_.filename(), "out.h5.journal");
  ResultJournal journal(path_, "sweep-a", true);
  ASSERT_EQ(journal.recovered().size(), 2U);
  EXPECT_EQ(journal.recovered()[0].first, 3U);
  EXPECT_EQ(journal.recovered()[0].second, "three");
  EXPECT_EQ(journal.recovered()[1].second, std::string("one\0with nul", 12));
  EXPECT_EQ(journal.discarded_bytes(), 0U);
}

TEST_F(JournalTest, TornLastRecordIsIgnoredAndCutOff) {
  {
    ResultJournal journal(path_, "sweep-a", false);
    journal.append(0, "first");
    journal.append(1, "second");
  }
  // Simulate a kill in the middle of the second record's write.
  const auto size = fs::file_size(path_);
  fs::resize_file(path_, size - 5);
  {
    ResultJournal journal(path_, "sweep-a", true);
    ASSERT_EQ(journal.recovered().size(), 1U);
    EXPECT_EQ(journal.recovered()[0].second, "first");
    EXPECT_GT(journal.discarded_bytes(), 0U);
    journal.append(1, "again");
  }
  const auto [identity, records] = ResultJournal::read(path_);
  EXPECT_EQ(identity, "sweep-a");
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[1].second, "again");
}

TEST_F(JournalTest, CorruptedPayloadFailsItsChecksum) {
  {
    ResultJournal journal(path_, "sweep-a", false);
    journal.append(0, "first");
    journal.append(1, "second");
  }
  {
    std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(-10, std::ios::end);
    file.put('X');
  }
  const auto [identity, records] = ResultJournal::read(path_);
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].second, "first");
}

TEST_F(JournalTest, ResumeRefusesAnotherSweepsJournal) {
  { ResultJournal journal(path_, "sweep-a", false); }
  EXPECT_THROW(ResultJournal(path_, "sweep-b", true), InputError);
  // Without resume a new journal replaces it.
  ResultJournal fresh(path_, "sweep-b", false);
  EXPECT_TRUE(fresh.recovered().empty());
  fresh.remove();
  EXPECT_FALSE(fs::exists(path_));
}

TEST_F(JournalTest, ResumeWithoutJournalStartsEmpty) {
  ResultJournal journal(path_, "sweep-a", true);
  EXPECT_TRUE(journal.recovered().empty());
  journal.append(7, "x");
  EXPECT_EQ(ResultJournal::read(path_).second.size(), 1U);
}

} // namespace
} // namespace edgesim::sweep
